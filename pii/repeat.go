package pii

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minRepeat is the shortest value, in letters and digits, whose other
// occurrences are masked too; shorter ones are too common to mean anything.
const minRepeat = 6

// repeatKinds are the identifiers whose characters are the secret, so they
// must not survive anywhere in the masked text. Words (names, streets,
// dates, e-mail parts) legitimately occur elsewhere.
func repeatKind(k Kind) bool {
	switch k {
	case KindName, KindAddress, KindBirthDate, KindEmail:
		return false
	}
	return true
}

// maxSettle bounds the passes of settle; real messages settle after one.
const maxSettle = 8

// settle extends the spans of one detection pass until masking is stable,
// so that Mask is idempotent and leaks no identifier:
//   - the letters and digits of an identifier found once are masked
//     wherever else they appear, even inside a longer number
//     ("0480538311 10480538311") or spread over separators: a number given
//     twice is usually the same number, typed once more with a slip;
//   - whatever a pass over the masked text finds is masked too. A
//     placeholder is shorter or longer than its value and is not a digit,
//     so masking can bring a cue word close enough to a value, or end the
//     longer number a phone number seemed to be part of.
//
// Each pass masks at least one more character of text, and the number of
// passes is bounded, so the work stays linear in the length of text.
func (d *Detector) settle(text string, spans []Span) []Span {
	for range maxSettle {
		m := newMaskedView(text, spans)
		var add []Span
		m.occurrences(repeatValues(text, spans), func(a, b int, k Kind) {
			st, en := m.origRange(a, b)
			st, en = widenWord(text, st, en)
			add = append(add, Span{Kind: k, Start: st, End: en})
		})
		for _, s := range d.detect(m.masked) {
			st, en := m.orig(s.Start, false), m.orig(s.End, true)
			add = append(add, Span{Kind: s.Kind, Start: st, End: en})
		}
		if len(add) == 0 {
			break
		}
		spans = merge(append(spans, add...))
	}
	return spans
}

// repeatValues returns the folded letters and digits of the identifiers in
// spans, with their kinds.
func repeatValues(text string, spans []Span) map[string]Kind {
	vals := map[string]Kind{}
	for _, s := range spans {
		if !repeatKind(s.Kind) {
			continue
		}
		if v := alnumFold(text[s.Start:s.End]); len(v) >= minRepeat {
			if k, ok := vals[v]; !ok || priority[s.Kind] > priority[k] {
				vals[v] = s.Kind
			}
		}
	}
	return vals
}

// alnumFold returns the folded letters and digits of s.
func alnumFold(s string) string {
	var f folded
	fold(s, &f)
	b := f.b[:0]
	for _, c := range f.b {
		if isAlnum(c) {
			b = append(b, c)
		}
	}
	return string(b)
}

// maskedView is the masked text reduced to its folded letters and digits,
// with a way back to the original text.
type maskedView struct {
	masked string
	norm   []byte
	pos    []int32 // offset in masked of each byte of norm
	ends   []int32 // end offset in masked of the rune behind each byte of norm
	pieces []piece
}

// piece maps part of the masked text to the original: either a run of
// original text or the placeholder of span.
type piece struct {
	mStart, mEnd int
	oStart, oEnd int
	span         bool
}

func newMaskedView(text string, spans []Span) *maskedView {
	var b strings.Builder
	b.Grow(len(text) + 32*len(spans))
	m := &maskedView{pieces: make([]piece, 0, 2*len(spans)+1)}
	prev := 0
	for _, s := range spans {
		if s.Start > prev {
			m.pieces = append(m.pieces, piece{mStart: b.Len(), mEnd: b.Len() + s.Start - prev, oStart: prev, oEnd: s.Start})
			b.WriteString(text[prev:s.Start])
		}
		p := Placeholder(s.Kind)
		m.pieces = append(m.pieces, piece{mStart: b.Len(), mEnd: b.Len() + len(p), oStart: s.Start, oEnd: s.End, span: true})
		b.WriteString(p)
		prev = s.End
	}
	if prev < len(text) {
		m.pieces = append(m.pieces, piece{mStart: b.Len(), mEnd: b.Len() + len(text) - prev, oStart: prev, oEnd: len(text)})
		b.WriteString(text[prev:])
	}
	m.masked = b.String()
	var f folded
	fold(m.masked, &f)
	m.norm = make([]byte, 0, len(f.b))
	m.pos = make([]int32, 0, len(f.b))
	m.ends = make([]int32, 0, len(f.b))
	for k, c := range f.b {
		if isAlnum(c) {
			m.norm = append(m.norm, c)
			m.pos = append(m.pos, int32(f.origStart(k)))
			m.ends = append(m.ends, int32(f.origEnd(k+1)))
		}
	}
	return m
}

// occurrences calls fn with the norm range and kind of every occurrence of
// a value in the view. Few values are looked up one by one; many are looked
// up by length in a map, so the work stays linear in the text.
func (m *maskedView) occurrences(vals map[string]Kind, fn func(a, b int, k Kind)) {
	if len(vals) == 0 {
		return
	}
	norm := string(m.norm)
	if len(vals)*len(norm) <= 1<<16 {
		for v, k := range vals {
			for from := 0; ; {
				i := strings.Index(norm[from:], v)
				if i < 0 {
					break
				}
				fn(from+i, from+i+len(v), k)
				from += i + 1
			}
		}
		return
	}
	lengths := map[int]bool{}
	for v := range vals {
		lengths[len(v)] = true
	}
	for l := range lengths {
		for i := 0; i+l <= len(norm); i++ {
			if k, ok := vals[norm[i:i+l]]; ok {
				fn(i, i+l, k)
			}
		}
	}
}

// origRange maps norm bytes a..b-1 to a range of the original text; a
// placeholder maps to its whole span.
func (m *maskedView) origRange(a, b int) (int, int) {
	return m.orig(int(m.pos[a]), false), m.orig(int(m.ends[b-1]), true)
}

// orig maps an offset of the masked text to the original one: a rune start
// lies in the piece that holds it, a rune end (end true) in the piece that
// it closes.
func (m *maskedView) orig(off int, end bool) int {
	i := sort.Search(len(m.pieces), func(i int) bool {
		if end {
			return m.pieces[i].mEnd >= off
		}
		return m.pieces[i].mEnd > off
	})
	p := m.pieces[min(i, len(m.pieces)-1)]
	switch {
	case p.span && end:
		return p.oEnd
	case p.span:
		return p.oStart
	default:
		return min(p.oStart+off-p.mStart, p.oEnd)
	}
}

// widenWord extends start and end in text so that they do not cut a word or
// a number, as Detect does for the other spans.
func widenWord(text string, start, end int) (int, int) {
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:start])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		start -= n
	}
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		end += n
	}
	return start, end
}
