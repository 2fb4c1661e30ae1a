package kb

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"

	"pagebot/frtext"
)

// Organism is a body of French social protection that a question may belong
// to, with what it handles and how to reach it, so that a question for
// another organisation gets a polite redirect with the right contact.
type Organism struct {
	ID        string   `yaml:"id" json:"id"`
	Name      string   `yaml:"name" json:"name"`
	Handles   string   `yaml:"handles" json:"handles"`
	Website   string   `yaml:"website" json:"website"`
	Phone     string   `yaml:"phone,omitempty" json:"phone,omitempty"`
	PhoneNote string   `yaml:"phone_note,omitempty" json:"phone_note,omitempty"`
	Signals   []string `yaml:"signals" json:"signals"`
	// Except lists phrases inside which the organism's signals do not count:
	// a short signal can be part of an unrelated common phrase ("ass", the
	// allocation de solidarité spécifique, in "ass mat", a childminder; "ame",
	// the aide médicale d'État, in "âme sœur" once accents are folded).
	Except []string `yaml:"except,omitempty" json:"except,omitempty"`
}

// Directory is the organism directory, shipped and editable.
type Directory struct {
	Reviewed  string     `yaml:"reviewed,omitempty" json:"reviewed,omitempty"`
	Organisms []Organism `yaml:"organisms" json:"organisms"`

	trie   map[string][]signal // first word of a signal -> signals starting with it
	except map[string][]signal // first word of an exception -> exceptions starting with it
}

type signal struct {
	words []string
	org   int
}

// SignalMatch is an organism whose vocabulary a message uses.
type SignalMatch struct {
	Organism *Organism
	// Signals are the phrases found, longest first.
	Signals []string
	// Weight grows with the number and length of the phrases found.
	Weight float64
}

// ReadDirectory parses and checks an organism directory.
func ReadDirectory(r io.Reader, source string) (*Directory, error) {
	var d Directory
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("read organisms %s: %w", source, err)
	}
	seen := map[string]bool{}
	var ps []Problem
	for _, o := range d.Organisms {
		switch {
		case !idPattern.MatchString(o.ID):
			ps = append(ps, Problem{ID: o.ID, Field: "id", Message: "identifiant invalide"})
		case seen[o.ID]:
			ps = append(ps, Problem{ID: o.ID, Field: "id", Message: "identifiant en double"})
		}
		seen[o.ID] = true
		if o.Name == "" {
			ps = append(ps, Problem{ID: o.ID, Field: "name", Message: "nom manquant"})
		}
		if msg := checkLink(o.Website); msg != "" {
			ps = append(ps, Problem{ID: o.ID, Field: "website", Message: msg})
		}
	}
	if len(ps) > 0 {
		return nil, &ValidationError{Source: source, Problems: ps}
	}
	d.compile()
	return &d, nil
}

func (d *Directory) compile() {
	d.trie = map[string][]signal{}
	d.except = map[string][]signal{}
	for i, o := range d.Organisms {
		for _, s := range o.Signals {
			words := keyWords(frtext.Normalize(s))
			if len(words) == 0 {
				continue
			}
			d.trie[words[0]] = append(d.trie[words[0]], signal{words: words, org: i})
		}
		for _, s := range o.Except {
			words := keyWords(frtext.Normalize(s))
			if len(words) == 0 {
				continue
			}
			d.except[words[0]] = append(d.except[words[0]], signal{words: words, org: i})
		}
	}
}

// matchAt reports whether the words of s start at words[i].
func (s signal) matchAt(words []string, i int) bool {
	if i+len(s.words) > len(words) {
		return false
	}
	for j, w := range s.words {
		if words[i+j] != w {
			return false
		}
	}
	return true
}

// excepted reports whether the signal of organism org found at words[i:j]
// lies inside one of that organism's exceptions.
func (d *Directory) excepted(words []string, org, i, j int) bool {
	for k := i; k >= 0 && k > i-4; k-- {
		for _, e := range d.except[words[k]] {
			if e.org == org && k+len(e.words) >= j && e.matchAt(words, k) {
				return true
			}
		}
	}
	return false
}

// Get returns the organism with the given id.
func (d *Directory) Get(id string) (*Organism, bool) {
	for i := range d.Organisms {
		if d.Organisms[i].ID == id {
			return &d.Organisms[i], true
		}
	}
	return nil, false
}

// Match returns the organisms whose signals appear in normalised text, the
// strongest first.
func (d *Directory) Match(norm string) []SignalMatch {
	words := keyWords(norm)
	found := map[int]*SignalMatch{}
	for i := 0; i < len(words); i++ {
		for _, s := range d.trie[words[i]] {
			if !s.matchAt(words, i) {
				continue
			}
			if len(d.except) > 0 && d.excepted(words, s.org, i, i+len(s.words)) {
				continue
			}
			m := found[s.org]
			if m == nil {
				m = &SignalMatch{Organism: &d.Organisms[s.org]}
				found[s.org] = m
			}
			phrase := joinWords(s.words)
			dup := false
			for _, p := range m.Signals {
				if p == phrase {
					dup = true
				}
			}
			if !dup {
				m.Signals = append(m.Signals, phrase)
				m.Weight += 0.5 + 0.5*float64(len(s.words))
			}
		}
	}
	out := make([]SignalMatch, 0, len(found))
	for _, m := range found {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Weight != out[j].Weight {
			return out[i].Weight > out[j].Weight
		}
		return out[i].Organism.ID < out[j].Organism.ID
	})
	return out
}

func joinWords(ws []string) string {
	var b bytes.Buffer
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// DefaultDirectory returns the organism directory shipped with pagebot.
func DefaultDirectory() (*Directory, error) {
	data, err := embedded.ReadFile("organisms.yaml")
	if err != nil {
		return nil, fmt.Errorf("read embedded organisms: %w", err)
	}
	return ReadDirectory(bytes.NewReader(data), "organisms.yaml (embedded)")
}

// LoadDirectory reads an organism directory file, or the shipped one when
// path is "".
func LoadDirectory(path string) (*Directory, error) {
	if path == "" {
		return DefaultDirectory()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load organisms: %w", err)
	}
	return ReadDirectory(bytes.NewReader(data), path)
}
