// Package kb is pagebot's knowledge base: the FAQ entries curated by the
// caisse's staff, their YAML and CSV files, the sample packs embedded in the
// binary, the organism directory, and the Bleve index that finds the entries
// closest to a message written in short, noisy French.
//
// kb returns candidates with the signals needed to judge them; deciding
// whether a candidate is good enough to answer belongs to package bot.
package kb

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Entry is one FAQ entry: a question, other phrasings of it, and the level-1
// answer a caisse gives publicly.
type Entry struct {
	// ID is a unique lowercase slug, stable across edits (it is what the
	// evaluation set, the audit log and the console refer to).
	ID       string   `yaml:"id" json:"id"`
	Question string   `yaml:"question" json:"question"`
	Variants []string `yaml:"variants,omitempty" json:"variants,omitempty"`
	// Answer is general information in formal French ("vous"); it never
	// discusses a personal dossier.
	Answer string   `yaml:"answer" json:"answer"`
	Links  []string `yaml:"links,omitempty" json:"links,omitempty"`
	Tags   []string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Reviewed is the date (YYYY-MM-DD) the entry was last checked against
	// official sources, so staff can see what is due for review. Empty means
	// the file's date applies.
	Reviewed string `yaml:"reviewed,omitempty" json:"reviewed,omitempty"`
}

// FAQ is a whole knowledge base: the organism it belongs to and its entries.
type FAQ struct {
	Organism string  `yaml:"organism" json:"organism"`
	Reviewed string  `yaml:"reviewed,omitempty" json:"reviewed,omitempty"`
	Entries  []Entry `yaml:"entries" json:"entries"`
}

// Entry returns the entry with the given id.
func (f *FAQ) Entry(id string) (Entry, bool) {
	for _, e := range f.Entries {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// Problem is one thing wrong in a FAQ file, with the line it is on so that
// staff editing a spreadsheet or a YAML file can find it.
type Problem struct {
	Line    int    `json:"line,omitempty"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as "line 12 (apl-date) question: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "ligne %d", p.Line)
	}
	if p.ID != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "(%s)", p.ID)
	}
	if p.Field != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Field)
	}
	if b.Len() > 0 {
		b.WriteString(" : ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in a FAQ source, not just the
// first, so that one round of corrections is enough.
type ValidationError struct {
	Source   string
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s : %d problème(s)", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// MaxAnswerLen bounds an answer so that, with its link and signature, it fits
// in one Messenger message (2,000 characters).
const MaxAnswerLen = 1500

// ValidateEntry checks one entry on its own: slug, required fields, links.
// line, when known, is attached to every problem.
func ValidateEntry(e Entry, line int) []Problem {
	var ps []Problem
	add := func(field, msg string) {
		ps = append(ps, Problem{Line: line, ID: e.ID, Field: field, Message: msg})
	}
	switch {
	case e.ID == "":
		add("id", "identifiant manquant")
	case !idPattern.MatchString(e.ID):
		add("id", fmt.Sprintf("identifiant %q invalide : lettres minuscules, chiffres et tirets seulement", e.ID))
	}
	if strings.TrimSpace(e.Question) == "" {
		add("question", "question vide")
	}
	for i, v := range e.Variants {
		if strings.TrimSpace(v) == "" {
			add("variants", fmt.Sprintf("variante n° %d vide", i+1))
		}
	}
	if strings.TrimSpace(e.Answer) == "" {
		add("answer", "réponse vide")
	} else if n := len([]rune(e.Answer)); n > MaxAnswerLen {
		add("answer", fmt.Sprintf("réponse trop longue (%d caractères, maximum %d)", n, MaxAnswerLen))
	}
	for _, l := range e.Links {
		if msg := checkLink(l); msg != "" {
			add("links", msg)
		}
	}
	for _, t := range e.Tags {
		if !idPattern.MatchString(t) {
			add("tags", fmt.Sprintf("étiquette %q invalide : lettres minuscules, chiffres et tirets seulement", t))
		}
	}
	if e.Reviewed != "" && !datePattern.MatchString(e.Reviewed) {
		add("reviewed", fmt.Sprintf("date %q invalide : format AAAA-MM-JJ attendu", e.Reviewed))
	}
	return ps
}

func checkLink(l string) string {
	u, err := url.Parse(strings.TrimSpace(l))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(l, " \t\n") {
		return fmt.Sprintf("lien %q invalide : adresse http(s) complète attendue", l)
	}
	return ""
}

// Validate checks a whole FAQ: every entry, and ids unique across entries.
// lines gives the line of each entry in its source (may be nil).
func (f *FAQ) Validate(source string, lines []int) error {
	var ps []Problem
	lineOf := func(i int) int {
		if i < len(lines) {
			return lines[i]
		}
		return 0
	}
	if f.Organism != "" && !idPattern.MatchString(f.Organism) {
		ps = append(ps, Problem{Field: "organism", Message: fmt.Sprintf("organisme %q invalide", f.Organism)})
	}
	if f.Reviewed != "" && !datePattern.MatchString(f.Reviewed) {
		ps = append(ps, Problem{Field: "reviewed", Message: fmt.Sprintf("date %q invalide : format AAAA-MM-JJ attendu", f.Reviewed)})
	}
	seen := map[string]int{}
	for i, e := range f.Entries {
		ps = append(ps, ValidateEntry(e, lineOf(i))...)
		if e.ID == "" {
			continue
		}
		if first, dup := seen[e.ID]; dup {
			msg := "identifiant en double"
			if l := lineOf(first); l > 0 {
				msg = fmt.Sprintf("identifiant en double (déjà utilisé ligne %d)", l)
			}
			ps = append(ps, Problem{Line: lineOf(i), ID: e.ID, Field: "id", Message: msg})
			continue
		}
		seen[e.ID] = i
	}
	if len(f.Entries) == 0 {
		ps = append(ps, Problem{Field: "entries", Message: "aucune entrée"})
	}
	if len(ps) == 0 {
		return nil
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return &ValidationError{Source: source, Problems: ps}
}
