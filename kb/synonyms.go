package kb

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"go.yaml.in/yaml/v3"

	"pagebot/frtext"
)

// Synonyms is the shipped, editable list of words and abbreviations that mean
// the same thing in French social protection ("APL" = "aide personnalisée au
// logement", "sécu" = "sécurité sociale"). Each group becomes a concept: a
// message and an entry that name the same concept in different words meet on
// it, even when they share no word.
//
// Bleve's own synonym support keeps single-token terms only and fails on
// groups that analyse to fewer than two tokens, so groups of phrases are
// matched here, in Go, on normalised text.
type Synonyms struct {
	// Benefits are the benefits and domains (APL, RSA, carte Vitale…): the
	// "what it is about" axis. A message about one benefit must not be
	// answered with an entry about another.
	Benefits []Group `yaml:"benefits"`
	// Intents are the kinds of request (date, amount, application…): the
	// "what is asked" axis.
	Intents []Group `yaml:"intents"`
	// Terms are other equivalences that help matching but carry no axis.
	Terms []Group `yaml:"terms"`

	trie *conceptTrie
}

// Group is one concept and the phrases that name it.
type Group struct {
	Name    string   `yaml:"name"`
	Phrases []string `yaml:"phrases"`
}

// ConceptKind tells which axis a concept belongs to.
type ConceptKind int

// The kinds of concept.
const (
	KindTerm ConceptKind = iota
	KindBenefit
	KindIntent
)

// Concept is a concept found in a text.
type Concept struct {
	Name string
	Kind ConceptKind
}

// ReadSynonyms parses and compiles a synonym file.
func ReadSynonyms(r io.Reader, source string) (*Synonyms, error) {
	var s Synonyms
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read synonyms %s: %w", source, err)
	}
	if err := s.compile(); err != nil {
		return nil, fmt.Errorf("read synonyms %s: %w", source, err)
	}
	return &s, nil
}

type conceptTrie struct {
	next    map[string]*conceptTrie
	concept *Concept
}

func (s *Synonyms) compile() error {
	s.trie = &conceptTrie{}
	seen := map[string]bool{}
	add := func(groups []Group, kind ConceptKind) error {
		for _, g := range groups {
			if g.Name == "" || strings.ContainsAny(g.Name, " \t") {
				return fmt.Errorf("group name %q: one word required", g.Name)
			}
			if seen[g.Name] {
				return fmt.Errorf("group %q defined twice", g.Name)
			}
			seen[g.Name] = true
			c := &Concept{Name: g.Name, Kind: kind}
			for _, p := range g.Phrases {
				words := keyWords(frtext.Normalize(p))
				if len(words) == 0 {
					return fmt.Errorf("group %q: empty phrase %q", g.Name, p)
				}
				n := s.trie
				for _, w := range words {
					if n.next == nil {
						n.next = map[string]*conceptTrie{}
					}
					child := n.next[w]
					if child == nil {
						child = &conceptTrie{}
						n.next[w] = child
					}
					n = child
				}
				if n.concept != nil && n.concept.Name != c.Name {
					return fmt.Errorf("phrase %q is in groups %q and %q: keep it in one", p, n.concept.Name, c.Name)
				}
				n.concept = c
			}
		}
		return nil
	}
	if err := add(s.Benefits, KindBenefit); err != nil {
		return err
	}
	if err := add(s.Intents, KindIntent); err != nil {
		return err
	}
	return add(s.Terms, KindTerm)
}

// keyWords splits normalised text into matching keys: words without a plural
// -s or -x, so that "allocations" and "allocation" meet.
func keyWords(norm string) []string {
	words := frtext.Words(norm)
	for i, w := range words {
		words[i] = key(w)
	}
	return words
}

func key(w string) string {
	if len(w) > 3 && (w[len(w)-1] == 's' || w[len(w)-1] == 'x') {
		return w[:len(w)-1]
	}
	return w
}

// Concepts returns the concepts named in normalised text (see
// frtext.Normalize), each once, in order of first appearance. At each word
// the longest phrase wins, so "prime d'activité" is not also "prime".
func (s *Synonyms) Concepts(norm string) []Concept {
	if s == nil || s.trie == nil {
		return nil
	}
	words := keyWords(norm)
	var out []Concept
	for i := 0; i < len(words); {
		n, best, bestLen := s.trie, (*Concept)(nil), 0
		for j := i; j < len(words); j++ {
			n = n.next[words[j]]
			if n == nil {
				break
			}
			if n.concept != nil {
				best, bestLen = n.concept, j-i+1
			}
		}
		if best == nil {
			i++
			continue
		}
		dup := false
		for _, c := range out {
			if c.Name == best.Name {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, *best)
		}
		i += bestLen
	}
	return out
}

// analysedNames returns what analyzer a makes of each concept name. The
// query of a message's concepts is built from these (see snapshot.search).
func (s *Synonyms) analysedNames(a analysis.Analyzer) map[string][]string {
	out := map[string][]string{}
	for _, groups := range [][]Group{s.Benefits, s.Intents, s.Terms} {
		for _, g := range groups {
			out[g.Name] = terms(a, g.Name)
		}
	}
	return out
}

// conceptNames returns the sorted names of the concepts of the given kind
// (all kinds when kind < 0).
func conceptNames(cs []Concept, kind ConceptKind, all bool) []string {
	var out []string
	for _, c := range cs {
		if all || c.Kind == kind {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}
