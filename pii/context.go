package pii

import "regexp"

// contextDetector finds identifiers that have no checksum and look like any
// other number: CAF numbers, tax numbers, passport and identity-card
// numbers. They are masked only when a cue word comes a few words before
// them, because the same shapes are ticket numbers, references and amounts.
type contextDetector struct {
	rules []contextRule
}

type contextRule struct {
	kind     Kind
	re       *regexp.Regexp // group 1 is the value
	set      cueSet
	prefilt  []string            // trigger words, one of which every cue contains
	possible func(w string) bool // necessary condition for a match in a window
	ok       func(v string) bool
}

// filler is what may stand between a cue and its value: a few words, but no
// digit, no line break and no placeholder ('#'), so that masking one value
// never brings another cue next to a number.
const filler = `[^0-9\n#]{0,24}?`

// valueStart opens a value: a word boundary, or "n°" glued to it ("n°8162537"
// folds to "no8162537", where \b does not hold before the digit).
const valueStart = `(?:\bno|\b)`

func newContextDetector() *contextDetector {
	num := `(?:num(?:ero)?|n[o.]?|no\.?)`
	return &contextDetector{rules: []contextRule{
		{
			kind:    KindCAFNumber,
			set:     cueCAF,
			prefilt: []string{"alloc", "caf", "dossier", "matricule"},
			// Every value form has seven digits among digits, spaces and dots.
			possible: func(w string) bool { return digitRun(w) >= 7 },
			re: regexp.MustCompile(`(?:allocataire|\b` + num + `\s*(?:d'\s*)?alloc\w*|\b` + num + `\s*(?:de\s+)?(?:dossier\s+)?caf\b|dossier\s+caf|\b` + num + `\s*(?:de\s+)?dossier|\balloc\b|matricule)` +
				filler + valueStart + `([a-z]?\d{7,8}|\d{2}[ .]\d{2}[ .]\d{3}|\d{3}[ .]\d{4})\b`),
		},
		{
			kind:     KindTaxNumber,
			set:      cueTax,
			prefilt:  []string{"fiscal", "spi", "nif"},
			possible: func(w string) bool { return digitRun(w) >= 13 },
			re:       regexp.MustCompile(`(?:\b` + num + `\s*(?:d'\s*)?(?:identifiant\s+)?fiscal|identifiant\s+fiscal|\bspi\b|\bnif\b)` + filler + valueStart + `([0-3](?:[ .]?\d){12})\b`),
		},
		{
			kind:     KindPassport,
			set:      cuePassport,
			prefilt:  []string{"passeport", "passport"},
			possible: func(w string) bool { return countDigits(w) >= 2 },
			re:       regexp.MustCompile(`(?:passe?port)` + filler + valueStart + `(\d{2}\s?[a-z]{2}\s?\d{5}|[a-z0-9]{9})\b`),
			ok:       atLeastDigits(2),
		},
		{
			kind:     KindIDCard,
			set:      cueIDCard,
			prefilt:  []string{"cni", "identite", "sejour"},
			possible: func(w string) bool { return countDigits(w) >= 1 },
			re: regexp.MustCompile(`(?:\bcni\b|carte\s+(?:nationale\s+)?d'?\s*identite|titre\s+de\s+sejour|piece\s+d'?\s*identite)` + filler + valueStart +
				`(\d{4}\s?\d{4}\s?\d{4}|[a-z0-9]{9,12})\b`),
			ok: atLeastDigits(1),
		},
	}}
}

func atLeastDigits(n int) func(string) bool {
	return func(v string) bool {
		c := 0
		for i := 0; i < len(v); i++ {
			if isDigit(v[i]) {
				c++
			}
		}
		return c >= n
	}
}

func (d *contextDetector) find(f *folded, wins []cueWindow, out []cand) []cand {
	s := f.s
	for _, r := range d.rules {
		findNear(r.re, s, wins, r.set, r.possible, func(m []int) {
			v := s[m[2]:m[3]]
			if r.ok != nil && !r.ok(v) {
				return
			}
			out = append(out, cand{kind: r.kind, start: m[2], end: m[3]})
		})
	}
	return out
}
