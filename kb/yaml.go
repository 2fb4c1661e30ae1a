package kb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// ReadYAML parses a FAQ file in YAML and validates it. Every problem (syntax,
// unknown field, wrong type, duplicate id, empty question or answer, bad
// link) is reported with its line in one *ValidationError.
func ReadYAML(r io.Reader, source string) (*FAQ, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", source, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ValidationError{Source: source, Problems: []Problem{yamlSyntaxProblem(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, &ValidationError{Source: source, Problems: []Problem{{Message: "fichier vide"}}}
	}
	var (
		f     FAQ
		ps    []Problem
		lines []int
		// keyLine is the line of each top-level key, for the problems that
		// Validate reports on organism, reviewed and entries without a line.
		keyLine = map[string]int{}
	)
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ValidationError{Source: source, Problems: []Problem{{Line: root.Line, Message: "le fichier doit commencer par « organism: » et « entries: »"}}}
	}
	ps = append(ps, duplicateKeys(root, "")...)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		keyLine[k.Value] = k.Line
		switch k.Value {
		case "organism":
			ps = append(ps, scalar(v, "organism", "", &f.Organism)...)
		case "reviewed":
			ps = append(ps, scalar(v, "reviewed", "", &f.Reviewed)...)
		case "entries":
			if v.Kind != yaml.SequenceNode {
				ps = append(ps, Problem{Line: v.Line, Field: "entries", Message: "une liste d'entrées est attendue"})
				continue
			}
			for _, item := range v.Content {
				e, eps := entryFromNode(item)
				ps = append(ps, eps...)
				f.Entries = append(f.Entries, e)
				lines = append(lines, item.Line)
			}
		default:
			ps = append(ps, Problem{Line: k.Line, Field: k.Value, Message: fmt.Sprintf("champ inconnu %q (attendus : organism, reviewed, entries)", k.Value)})
		}
	}
	if err := f.Validate(source, lines); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				if p.Line == 0 && p.ID == "" && (p.Field == "organism" || p.Field == "reviewed" || p.Field == "entries") {
					p.Line = keyLine[p.Field]
				}
				ps = append(ps, p)
			}
		}
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return nil, &ValidationError{Source: source, Problems: ps}
	}
	return &f, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlSyntaxProblem(err error) Problem {
	p := Problem{Message: "YAML illisible : " + err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
	}
	return p
}

func entryFromNode(n *yaml.Node) (Entry, []Problem) {
	var e Entry
	if n.Kind != yaml.MappingNode {
		return e, []Problem{{Line: n.Line, Message: "une entrée doit être un ensemble de champs (id, question, answer…)"}}
	}
	var ps []Problem
	// Read the id first so that every problem of the entry names it.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
			e.ID = n.Content[i+1].Value
		}
	}
	ps = append(ps, duplicateKeys(n, e.ID)...)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "id":
			ps = append(ps, scalar(v, "id", e.ID, &e.ID)...)
		case "question":
			ps = append(ps, scalar(v, "question", e.ID, &e.Question)...)
		case "answer":
			ps = append(ps, scalar(v, "answer", e.ID, &e.Answer)...)
		case "reviewed":
			ps = append(ps, scalar(v, "reviewed", e.ID, &e.Reviewed)...)
		case "variants":
			ps = append(ps, list(v, "variants", e.ID, &e.Variants)...)
		case "links":
			ps = append(ps, list(v, "links", e.ID, &e.Links)...)
		case "tags":
			ps = append(ps, list(v, "tags", e.ID, &e.Tags)...)
		default:
			ps = append(ps, Problem{Line: k.Line, ID: e.ID, Field: k.Value,
				Message: fmt.Sprintf("champ inconnu %q (attendus : id, question, variants, answer, links, tags, reviewed)", k.Value)})
		}
	}
	return e, ps
}

// duplicateKeys reports a field written twice in one mapping: YAML parsers
// keep the last one silently, and staff would lose the first.
func duplicateKeys(m *yaml.Node, id string) []Problem {
	var ps []Problem
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if first, dup := seen[k.Value]; dup {
			ps = append(ps, Problem{Line: k.Line, ID: id, Field: k.Value,
				Message: fmt.Sprintf("champ %q écrit deux fois (déjà ligne %d)", k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
	}
	return ps
}

func scalar(v *yaml.Node, field, id string, dst *string) []Problem {
	if v.Kind != yaml.ScalarNode {
		return []Problem{{Line: v.Line, ID: id, Field: field, Message: "un texte est attendu"}}
	}
	*dst = v.Value
	return nil
}

func list(v *yaml.Node, field, id string, dst *[]string) []Problem {
	if v.Kind != yaml.SequenceNode {
		return []Problem{{Line: v.Line, ID: id, Field: field, Message: "une liste est attendue, par exemple [\"a\", \"b\"]"}}
	}
	var ps []Problem
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode {
			ps = append(ps, Problem{Line: item.Line, ID: id, Field: field, Message: "chaque élément de la liste doit être un texte"})
			continue
		}
		*dst = append(*dst, item.Value)
	}
	return ps
}

// WriteYAML writes f in the FAQ file format read by ReadYAML.
func WriteYAML(w io.Writer, f *FAQ) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
