package pii

import "regexp"

// numberDetector finds the identifiers that are written as runs of digits
// (and a few letters) with optional separators: NIR, IBAN/RIB, card, phone
// and checksummed tax numbers. It splits the folded text into alphanumeric
// tokens, joins tokens separated by at most three spaces, dots, dashes or one
// line break, and tries every window of joined tokens against the checksums.
// Windows never cut a token, so a value is never found inside a longer one.
type numberDetector struct {
	taxCue     *regexp.Regexp
	cardSuffix *regexp.Regexp
}

func newNumberDetector() *numberDetector {
	return &numberDetector{
		taxCue: regexp.MustCompile(`(?:fiscal|impot|imposition|\bspi\b|\bnif\b|dgfip|declaration\s+de\s+revenus)`),
		cardSuffix: regexp.MustCompile(`^[\s,;:\-]*(?:(?:exp(?:ire|iration)?\.?|date(?:\s+d'expiration)?|valable\s+jusqu'?au|fin)\s*[:\-]?\s*)?` +
			`(?:0[1-9]|1[0-2])\s*/\s*(?:20)?\d{2}\b(?:[\s,;:\-]*(?:cvv|cvc|crypto(?:gramme)?|code)\s*[:\-]?\s*\d{3,4}\b)?`),
	}
}

type token struct {
	start, end int
	digits     bool // only digits
	hasDigit   bool
	consumed   bool // part of a value already found
}

const (
	maxWindowChars  = 34 // the longest IBAN
	maxWindowTokens = 12
	cueLookback     = 60 // bytes before a value searched for a cue word
)

// tokenize appends the alphanumeric tokens of s to toks.
func tokenize(s string, toks []token) []token {
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		t := token{start: i, digits: true}
		for i < len(s) && isAlnum(s[i]) {
			if isDigit(s[i]) {
				t.hasDigit = true
			} else {
				t.digits = false
			}
			i++
		}
		t.end = i
		toks = append(toks, t)
	}
	return toks
}

// joinable reports whether the gap between two tokens is a separator inside
// one written number rather than the end of it.
func joinable(s string, a, b token) bool {
	gap := s[a.end:b.start]
	if len(gap) == 0 || len(gap) > 3 {
		return false
	}
	nl := 0
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case ' ', '.', '-', '\t', '\r':
		case '\n':
			nl++
		default:
			return false
		}
	}
	return nl <= 1
}

func hasCue(re *regexp.Regexp, s string, start int) bool {
	return re.MatchString(s[max(0, start-cueLookback):start])
}

// window describes tokens i..j joined.
type window struct {
	norm    []byte
	lens    []int
	letters int
	cues    cueCache
}

// cueCache remembers, for the start of the windows being tried, which cue
// regexps matched before it: every window from one start has the same
// lookback, so each regexp runs at most once per start.
type cueCache struct {
	done, found uint8
}

func (c *cueCache) has(bit uint8, re *regexp.Regexp, s string, start int) bool {
	if c.done&bit == 0 {
		c.done |= bit
		if hasCue(re, s, start) {
			c.found |= bit
		}
	}
	return c.found&bit != 0
}

const (
	cueBitTax uint8 = 1 << iota
	cueBitNIR
	cueBitIBAN
)

func (d *numberDetector) find(f *folded, out []cand) []cand {
	s := f.s
	hasDigit := false
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			hasDigit = true
			break
		}
	}
	if !hasDigit {
		return out
	}
	var tokBuf [64]token
	toks := tokenize(s, tokBuf[:0])
	var normBuf [maxWindowChars + 8]byte
	var lensBuf [maxWindowTokens]int

	// Pass A: checksummed identifiers, then the same shapes with a cue.
	for i := 0; i < len(toks); i++ {
		if !toks[i].hasDigit && !ibanStart(s, toks[i]) {
			continue
		}
		bestEnd, bestScore := -1, 0
		var bestKind Kind
		w := window{norm: normBuf[:0], lens: lensBuf[:0]}
		for j := i; j < len(toks) && j-i < maxWindowTokens; j++ {
			if j > i && !joinable(s, toks[j-1], toks[j]) {
				break
			}
			t := toks[j]
			if len(w.norm)+t.end-t.start > maxWindowChars {
				break
			}
			w.norm = append(w.norm, s[t.start:t.end]...)
			w.lens = append(w.lens, t.end-t.start)
			if !t.digits {
				w.letters++
			}
			if k, sc := d.classify(s, toks[i].start, &w); sc > 0 {
				score := sc*1000 + len(w.norm)
				if score > bestScore {
					bestEnd, bestScore, bestKind = j, score, k
				}
			}
		}
		if bestEnd < 0 {
			continue
		}
		end := toks[bestEnd].end
		if bestKind == KindCardNumber {
			if loc := d.cardSuffix.FindStringIndex(s[end:min(len(s), end+64)]); loc != nil {
				end += loc[1]
			}
		}
		out = append(out, cand{kind: bestKind, start: toks[i].start, end: end})
		for k := i; k <= bestEnd; k++ {
			toks[k].consumed = true
		}
		i = bestEnd
	}

	// Pass B: phone numbers, outside the identifiers found above.
	for i := 0; i < len(toks); i++ {
		if toks[i].consumed || !phoneStart(s, toks[i]) {
			continue
		}
		plus := toks[i].start > 0 && s[toks[i].start-1] == '+'
		if !plus && i > 0 && toks[i-1].digits && !toks[i-1].consumed && joinable(s, toks[i-1], toks[i]) {
			continue // the middle of a longer number
		}
		digits := normBuf[:0]
		bestEnd := -1
		sep := 0 // phoneGap of the first gap: every gap must be of that kind
		for j := i; j < len(toks) && j-i < maxWindowTokens && !toks[j].consumed; j++ {
			if j > i {
				g := phoneGap(s, toks[j-1], toks[j])
				if g == 0 || sep != 0 && g != sep {
					break
				}
				sep = g
			}
			t := toks[j]
			tok := s[t.start:t.end]
			if j == i && tok[0] == 'o' {
				digits = append(digits, '0')
				tok = tok[1:]
			}
			if !allDigits(tok) || len(digits)+len(tok) > 17 {
				break
			}
			digits = append(digits, tok...)
			if phoneLength(digits, plus) && validPhone(string(digits), plus) {
				bestEnd = j
			}
		}
		if bestEnd < 0 {
			continue
		}
		start := toks[i].start
		if plus {
			start--
		}
		out = append(out, cand{kind: KindPhone, start: start, end: toks[bestEnd].end})
		for k := i; k <= bestEnd; k++ {
			toks[k].consumed = true
		}
		i = bestEnd
	}
	return out
}

// classify returns the kind of a window and a score (higher wins; 0 means
// nothing). Checksummed matches score above cue-only matches.
func (d *numberDetector) classify(s string, start int, w *window) (Kind, int) {
	n := w.norm
	l := len(n)
	if l < 13 { // every identifier below has at least 13 characters
		return "", 0
	}
	digitsOnly := w.letters == 0
	ns := string(n)
	switch {
	case l >= 15 && isLower(n[0]) && isLower(n[1]):
		if ValidIBAN(ns) {
			return KindIBAN, 4
		}
	case l == 15 && ValidNIR(ns):
		return KindNIR, 4
	}
	if digitsOnly && l >= 13 && l <= 19 && n[0] >= '2' && n[0] <= '6' && cardGrouping(w.lens) && Luhn(ns) {
		return KindCardNumber, 3
	}
	if digitsOnly && l == 13 && ValidTaxNumber(ns) && w.cues.has(cueBitTax, d.taxCue, s, start) {
		return KindTaxNumber, 3
	}
	// Cue-only forms: a miss costs more than a false alarm.
	switch {
	case (l == 13 || l == 15) && nirShape(ns) && (l == 13 || isDigit(n[13]) && isDigit(n[14])) && w.cues.has(cueBitNIR, nirCue, s, start):
		return KindNIR, 2
	case l >= 14 && isLower(n[0]) && isLower(n[1]) && isDigit(n[2]) && isDigit(n[3]):
		want, ok := ibanLength(n[0], n[1])
		if ok && l >= want-3 && l <= want+2 && isDigit(n[l-1]) && w.cues.has(cueBitIBAN, ibanCue, s, start) {
			return KindIBAN, 2
		}
	case l == 23 && ValidRIB(ns) && w.cues.has(cueBitIBAN, ibanCue, s, start):
		return KindIBAN, 2
	}
	return "", 0
}

// ibanStart reports whether a letter-only token may begin an IBAN split as
// "FR 76 …"; only two-letter country codes qualify.
func ibanStart(s string, t token) bool {
	if t.end-t.start != 2 {
		return false
	}
	_, ok := ibanLength(s[t.start], s[t.start+1])
	return ok
}

// phoneGap classifies the gap between two tokens of a phone number: 1 for a
// single slash ("06/12/34/56/78"), -1 for the separators of joinable, 0 for
// the end of the number. A slash joins only when every gap is a slash, so a
// date ("le 05/06 06 12 …") never runs into a phone number next to it.
func phoneGap(s string, a, b token) int {
	if b.start-a.end == 1 && s[a.end] == '/' {
		return 1
	}
	if joinable(s, a, b) {
		return -1
	}
	return 0
}

func phoneStart(s string, t token) bool {
	c := s[t.start]
	if isDigit(c) {
		return t.digits
	}
	// "O6 12 34 56 78": a letter O typed for the leading zero.
	return c == 'o' && t.end-t.start >= 2 && isDigit(s[t.start+1]) && allDigits(s[t.start+1:t.end])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
