package moderation

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed rules.yaml
var defaultRules []byte

// Rules is a compiled, read-only rule set. Build one with DefaultRules, Load
// or Parse and share it between goroutines.
type Rules struct {
	categories []*category
	exceptions []*pattern
	words      index // patterns of all categories
	excepted   index // exception patterns
	titles     map[string]bool
	window     int
	allowed    []string
	brands     []string
	shorteners map[string]bool
	lookalike  Verdict
	shortener  Verdict

	// RepeatWindow and RepeatLimit configure NewRepeats: the RepeatLimit-th
	// identical comment from one author within RepeatWindow goes to review.
	RepeatWindow time.Duration
	RepeatLimit  int
}

type category struct {
	name       string
	verdict    Verdict
	needsLink  bool
	needsAgent bool
	patterns   []*pattern
}

// ruleFile is the YAML shape of a rules file.
type ruleFile struct {
	Version    int            `yaml:"version"`
	Categories []categoryFile `yaml:"categories"`
	Exceptions []string       `yaml:"exceptions"`
	Agents     struct {
		Titles []string `yaml:"titles"`
		Window int      `yaml:"window"`
	} `yaml:"agents"`
	Links struct {
		Allowed    []string `yaml:"allowed"`
		Brands     []string `yaml:"brands"`
		Shorteners []string `yaml:"shorteners"`
		Lookalike  string   `yaml:"lookalike"`
		Shortener  string   `yaml:"shortener"`
	} `yaml:"links"`
	Repeats struct {
		Window string `yaml:"window"`
		Limit  int    `yaml:"limit"`
	} `yaml:"repeats"`
}

type categoryFile struct {
	Name        string   `yaml:"name"`
	Verdict     string   `yaml:"verdict"`
	Description string   `yaml:"description"`
	NeedsLink   bool     `yaml:"needs_link"`
	NeedsAgent  bool     `yaml:"needs_agent"`
	Patterns    []string `yaml:"patterns"`
}

// DefaultRules returns the rule set embedded in the binary (rules.yaml).
func DefaultRules() (*Rules, error) {
	r, err := Parse("rules.yaml", defaultRules)
	if err != nil {
		return nil, fmt.Errorf("default moderation rules: %w", err)
	}
	return r, nil
}

// DefaultRulesYAML returns the shipped rules file, for staff to read or copy.
func DefaultRulesYAML() []byte { return append([]byte(nil), defaultRules...) }

// Load reads and compiles a rules file edited by staff. Unknown fields,
// unknown verdicts and empty or unusable patterns are refused, each error
// naming its line.
func Load(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load moderation rules: %w", err)
	}
	return Parse(path, data)
}

// Parse compiles rules from YAML; name prefixes error messages. Problems
// are reported in French, as "name:line: message", one per line: staff
// edit the rules in the console, which shows them as "ligne N : message".
func Parse(name string, data []byte) (*Rules, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: fichier YAML illisible : %w", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: fichier YAML illisible : %w", name, err)
	}
	lines := newLineFinder(&root)
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}

	r := &Rules{titles: map[string]bool{}, shorteners: map[string]bool{}, window: f.Agents.Window}
	if f.Version != 1 {
		fail(lines.key("version"), "version %d non prise en charge : indiquez 1", f.Version)
	}
	seen := map[string]bool{}
	for i, cf := range f.Categories {
		line := lines.item("categories", i)
		c := &category{name: cf.Name, needsLink: cf.NeedsLink, needsAgent: cf.NeedsAgent}
		switch {
		case cf.Name == "":
			fail(line, "catégorie sans nom (name)")
		case strings.ContainsAny(cf.Name, ": ") || cf.Name == CategoryIgnore || cf.Name == CategoryRepeat:
			fail(line, "nom de catégorie %q réservé, ou contenant « : » ou une espace", cf.Name)
		case seen[cf.Name]:
			fail(line, "catégorie %q définie deux fois", cf.Name)
		}
		seen[cf.Name] = true
		v, ok := parseVerdict(cf.Verdict)
		if !ok || v == OK {
			fail(line, "catégorie %q : verdict %q, attendu hide (masquer) ou review (à revoir)", cf.Name, cf.Verdict)
		}
		c.verdict = v
		if len(cf.Patterns) == 0 {
			fail(line, "catégorie %q sans aucun motif (patterns)", cf.Name)
		}
		for j, src := range cf.Patterns {
			p, err := compilePattern(src)
			if err != nil {
				fail(lines.subItem("categories", i, "patterns", j), "catégorie %q : %v", cf.Name, err)
				continue
			}
			c.patterns = append(c.patterns, p)
		}
		r.categories = append(r.categories, c)
	}
	for j, src := range f.Exceptions {
		p, err := compilePattern(src)
		if err != nil {
			fail(lines.listItem("exceptions", j), "exception : %v", err)
			continue
		}
		r.exceptions = append(r.exceptions, p)
	}
	for _, t := range f.Agents.Titles {
		for _, w := range skeletonWords(t) {
			r.titles[w] = true
		}
	}
	if r.window <= 0 {
		r.window = 10
	}
	for j, d := range f.Links.Allowed {
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
		if !strings.Contains(d, ".") {
			fail(lines.listItem2("links", "allowed", j), "domaine autorisé %q sans point", d)
		}
		r.allowed = append(r.allowed, d)
	}
	for _, b := range f.Links.Brands {
		b = strings.ToLower(strings.NewReplacer("-", "", ".", "", " ", "").Replace(b))
		if b != "" {
			r.brands = append(r.brands, b)
		}
	}
	for _, s := range f.Links.Shorteners {
		r.shorteners[strings.Trim(strings.ToLower(strings.TrimSpace(s)), ".")] = true
	}
	var ok bool
	if r.lookalike, ok = parseVerdict(f.Links.Lookalike); !ok {
		fail(lines.key2("links", "lookalike"), "links.lookalike : verdict %q, attendu ok, review ou hide", f.Links.Lookalike)
	}
	if r.shortener, ok = parseVerdict(f.Links.Shortener); !ok {
		fail(lines.key2("links", "shortener"), "links.shortener : verdict %q, attendu ok, review ou hide", f.Links.Shortener)
	}
	r.RepeatWindow, r.RepeatLimit = 10*time.Minute, 3
	if f.Repeats.Window != "" {
		d, err := time.ParseDuration(f.Repeats.Window)
		if err != nil || d <= 0 {
			fail(lines.key2("repeats", "window"), "repeats.window : %q n'est pas une durée positive comme 10m", f.Repeats.Window)
		} else {
			r.RepeatWindow = d
		}
	}
	if f.Repeats.Limit != 0 {
		if f.Repeats.Limit < 2 {
			fail(lines.key2("repeats", "limit"), "repeats.limit : %d, il faut au moins 2", f.Repeats.Limit)
		}
		r.RepeatLimit = f.Repeats.Limit
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for ci, c := range r.categories {
		for _, p := range c.patterns {
			r.words.add(entry{ci, p})
		}
	}
	for _, p := range r.exceptions {
		r.excepted.add(entry{-1, p})
	}
	return r, nil
}

func parseVerdict(s string) (Verdict, bool) {
	switch v := Verdict(strings.TrimSpace(s)); v {
	case OK, Review, Hide:
		return v, true
	}
	return "", false
}

// lineFinder locates nodes of the YAML document to give validation errors a
// line number.
type lineFinder struct{ root *yaml.Node }

func newLineFinder(doc *yaml.Node) lineFinder {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return lineFinder{doc.Content[0]}
	}
	return lineFinder{doc}
}

func lookup(n *yaml.Node, key string) (*yaml.Node, int) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

func line(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func seqItem(n *yaml.Node, i int) *yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

func (l lineFinder) key(k string) int {
	_, ln := lookup(l.root, k)
	if ln == 0 {
		return 1
	}
	return ln
}

func (l lineFinder) key2(k1, k2 string) int {
	n, ln := lookup(l.root, k1)
	if _, ln2 := lookup(n, k2); ln2 != 0 {
		return ln2
	}
	return max(ln, 1)
}

func (l lineFinder) item(k string, i int) int {
	n, _ := lookup(l.root, k)
	return max(line(seqItem(n, i)), 1)
}

func (l lineFinder) listItem(k string, i int) int { return l.item(k, i) }

func (l lineFinder) listItem2(k1, k2 string, i int) int {
	n, _ := lookup(l.root, k1)
	m, _ := lookup(n, k2)
	return max(line(seqItem(m, i)), 1)
}

func (l lineFinder) subItem(k string, i int, k2 string, j int) int {
	n, _ := lookup(l.root, k)
	c := seqItem(n, i)
	p, _ := lookup(c, k2)
	if ln := line(seqItem(p, j)); ln != 0 {
		return ln
	}
	return max(line(c), 1)
}
