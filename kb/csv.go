package kb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// CSVColumns are the columns of the spreadsheet form of a FAQ, in order.
// List cells (variants, links, tags) separate their items with "|".
var CSVColumns = []string{"id", "question", "variants", "answer", "links", "tags"}

// ReadCSV parses a FAQ spreadsheet exported as CSV (comma or, as French
// spreadsheets export it, semicolon separated; an optional UTF-8 byte-order
// mark is skipped). The first row names the columns: id, question, variants,
// answer, links, tags and, optionally, reviewed. organism is not in the file
// and is set by the caller.
func ReadCSV(r io.Reader, source string) (*FAQ, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", source, err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ValidationError{Source: source, Problems: []Problem{{Line: 1, Message: "fichier vide : la première ligne doit nommer les colonnes " + strings.Join(CSVColumns, ",")}}}
		}
		return nil, &ValidationError{Source: source, Problems: []Problem{csvProblem(err)}}
	}
	col := map[string]int{}
	var ps []Problem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "id", "question", "variants", "answer", "links", "tags", "reviewed":
			if _, dup := col[h]; dup {
				ps = append(ps, Problem{Line: 1, Field: h, Message: fmt.Sprintf("colonne %q en double", h)})
			}
			col[h] = i
		default:
			ps = append(ps, Problem{Line: 1, Field: h, Message: fmt.Sprintf("colonne inconnue %q (attendues : %s)", h, strings.Join(CSVColumns, ","))})
		}
	}
	for _, c := range []string{"id", "question", "answer"} {
		if _, ok := col[c]; !ok {
			ps = append(ps, Problem{Line: 1, Field: c, Message: fmt.Sprintf("colonne %q manquante", c)})
		}
	}
	if len(ps) > 0 {
		return nil, &ValidationError{Source: source, Problems: ps}
	}
	var (
		f     FAQ
		lines []int
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ps = append(ps, csvProblem(err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			id := ""
			if i := col["id"]; i < len(rec) {
				id = strings.TrimSpace(rec[i])
			}
			ps = append(ps, Problem{Line: line, ID: id, Message: fmt.Sprintf("%d cellules au lieu de %d", len(rec), len(header))})
			continue
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		f.Entries = append(f.Entries, Entry{
			ID:       cell("id"),
			Question: cell("question"),
			Variants: splitList(cell("variants")),
			Answer:   cell("answer"),
			Links:    splitList(cell("links")),
			Tags:     splitList(cell("tags")),
			Reviewed: cell("reviewed"),
		})
		lines = append(lines, line)
	}
	if err := f.Validate(source, lines); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			ps = append(ps, ve.Problems...)
		}
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return nil, &ValidationError{Source: source, Problems: ps}
	}
	return &f, nil
}

func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problem{Line: pe.Line, Message: "CSV illisible : " + pe.Err.Error()}
	}
	return Problem{Message: "CSV illisible : " + err.Error()}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

// WriteCSV writes f as a spreadsheet with the CSVColumns plus reviewed.
func WriteCSV(w io.Writer, f *FAQ) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, CSVColumns...), "reviewed")); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, e := range f.Entries {
		rec := []string{e.ID, e.Question, strings.Join(e.Variants, "|"), e.Answer,
			strings.Join(e.Links, "|"), strings.Join(e.Tags, "|"), e.Reviewed}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
