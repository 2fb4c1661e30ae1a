package moderation

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxGap is how many words "..." in a pattern may stand for.
const maxGap = 3

// pattern is one compiled entry of a word list.
type pattern struct {
	src         string
	words       []pword
	anchorStart bool // "^": the comment starts with the pattern
	anchorEnd   bool // "$": the comment ends with the pattern
}

type pword struct {
	text   string
	prefix bool // "encul*": any word starting with text
	gap    bool // "...": up to maxGap words
}

// compilePattern reads the pattern syntax described at the top of rules.yaml.
func compilePattern(src string) (*pattern, error) {
	p := &pattern{src: strings.TrimSpace(src)}
	s := p.src
	if strings.HasPrefix(s, "^") {
		p.anchorStart, s = true, s[1:]
	}
	if strings.HasSuffix(s, "$") {
		p.anchorEnd, s = true, s[:len(s)-1]
	}
	for i, seg := range strings.Split(s, "...") {
		if i > 0 {
			p.words = append(p.words, pword{gap: true})
		}
		for _, f := range strings.Fields(seg) {
			prefix := strings.HasSuffix(f, "*")
			ws := skeletonWords(strings.TrimSuffix(f, "*"))
			for k, w := range ws {
				pw := pword{text: w}
				if prefix && k == len(ws)-1 {
					if utf8.RuneCountInString(w) < 4 {
						return nil, fmt.Errorf("motif %q : un préfixe demande au moins 4 lettres avant « * »", src)
					}
					pw.prefix = true
				}
				p.words = append(p.words, pw)
			}
		}
	}
	switch {
	case len(p.words) == 0:
		return nil, fmt.Errorf("motif %q vide une fois normalisé (sans accents ni ponctuation)", src)
	case p.words[0].gap || p.words[len(p.words)-1].gap:
		return nil, fmt.Errorf("motif %q : « ... » doit se trouver entre deux mots", src)
	}
	for i := 1; i < len(p.words); i++ {
		if p.words[i].gap && p.words[i-1].gap {
			return nil, fmt.Errorf("motif %q : deux « ... » de suite", src)
		}
	}
	return p, nil
}

// wordMatch reports whether the comment word w matches the pattern word pw.
// A pattern word also matches its plural in -s or -x.
func wordMatch(pw pword, w string) bool {
	if pw.prefix {
		return strings.HasPrefix(w, pw.text) || hasWildcard(w) && wildPrefix(w, pw.text)
	}
	if w == pw.text {
		return true
	}
	if n := len(pw.text); len(w) == n+1 && strings.HasPrefix(w, pw.text) && (w[n] == 's' || w[n] == 'x') {
		return true
	}
	if hasWildcard(w) {
		return wildEqual(w, pw.text) || wildEqual(w, pw.text+"s")
	}
	return false
}

func hasWildcard(w string) bool { return strings.Contains(w, wildcardText) }

// wildEqual compares w, where wildcard stands for one letter, with t.
func wildEqual(w, t string) bool {
	if utf8.RuneCountInString(w) != utf8.RuneCountInString(t) || utf8.RuneCountInString(w) < 3 {
		return false
	}
	stars := 0
	for _, c := range w {
		r, size := utf8.DecodeRuneInString(t)
		t = t[size:]
		if c == wildcard {
			stars++
			continue
		}
		if c != r {
			return false
		}
	}
	return 2*stars < utf8.RuneCountInString(w)
}

func wildPrefix(w, t string) bool {
	if utf8.RuneCountInString(w) < utf8.RuneCountInString(t) {
		return false
	}
	n := 0
	for i := range w {
		if n == utf8.RuneCountInString(t) {
			return wildEqual(w[:i], t)
		}
		n++
	}
	return wildEqual(w, t)
}

// matchFrom matches pw against words starting at pos and returns the end of
// the match, or -1.
func matchFrom(pw []pword, words []string, pos int) int {
	if len(pw) == 0 {
		return pos
	}
	if pw[0].gap {
		for skip := 0; skip <= maxGap && pos+skip <= len(words); skip++ {
			if e := matchFrom(pw[1:], words, pos+skip); e >= 0 {
				return e
			}
		}
		return -1
	}
	if pos >= len(words) || !wordMatch(pw[0], words[pos]) {
		return -1
	}
	return matchFrom(pw[1:], words, pos+1)
}

// matchAt returns the end of an occurrence of p starting at words[i], or -1.
func (p *pattern) matchAt(words []string, i int) int {
	if p.anchorStart && i != 0 {
		return -1
	}
	e := matchFrom(p.words, words, i)
	if e >= 0 && p.anchorEnd && e != len(words) {
		return -1
	}
	return e
}

// entry is a pattern with the category it belongs to (-1 for exceptions).
type entry struct {
	cat int
	p   *pattern
}

// index finds candidate patterns by their first word, so a comment is
// checked against the few patterns that can start at each of its words.
type index struct {
	byFirst map[string][]entry
	prefix  []entry // patterns whose first word is a prefix
	all     []entry // for words with a wildcard
}

func (x *index) add(e entry) {
	if x.byFirst == nil {
		x.byFirst = map[string][]entry{}
	}
	x.all = append(x.all, e)
	first := e.p.words[0]
	if first.prefix {
		x.prefix = append(x.prefix, e)
		return
	}
	for _, k := range []string{first.text, first.text + "s", first.text + "x"} {
		x.byFirst[k] = append(x.byFirst[k], e)
	}
}

// span is a match: words[start:end] matched entry.
type span struct {
	e          entry
	start, end int
}

// find appends every match in words to out.
func (x *index) find(words []string, out []span) []span {
	for i, w := range words {
		for _, e := range x.byFirst[w] {
			if end := e.p.matchAt(words, i); end >= 0 {
				out = append(out, span{e, i, end})
			}
		}
		for _, e := range x.prefix {
			if end := e.p.matchAt(words, i); end >= 0 {
				out = append(out, span{e, i, end})
			}
		}
		if hasWildcard(w) {
			for _, e := range x.all {
				if e.p.words[0].prefix {
					continue // done above
				}
				if end := e.p.matchAt(words, i); end >= 0 && !(e.p.words[0].text == w) {
					out = append(out, span{e, i, end})
				}
			}
		}
	}
	return out
}
