package pii

import "regexp"

var emailTriggers = []string{"@", "arobas", "arrobas", "at)", "at]"}

// emailDetector finds e-mail addresses, including the spellings people use
// to dodge bots: "prenom.nom arobase gmail point com" (or "arrobase"),
// "(at)", " @ ".
type emailDetector struct {
	re *regexp.Regexp
}

func newEmailDetector() *emailDetector {
	const (
		local = `[a-z0-9](?:[a-z0-9._%+\-]*[a-z0-9_])?`
		at    = `(?:\s*@\s*|\s*[\(\[]\s*(?:at|arr?obase)\s*[\)\]]\s*|\s+arr?obas(?:e|)\s+)`
		label = `[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?`
		dot   = `(?:\.|\s*[\(\[]\s*(?:dot|point)\s*[\)\]]\s*|\s+point\s+)`
	)
	return &emailDetector{re: regexp.MustCompile(local + at + label + `(?:` + dot + label + `)*` + dot + `[a-z]{2,24}\b`)}
}

func (d *emailDetector) find(f *folded, wins []cueWindow, out []cand) []cand {
	s := f.s
	findNear(d.re, s, wins, cueEmail, nil, func(m []int) {
		out = append(out, cand{kind: KindEmail, start: m[0], end: m[1]})
	})
	return out
}
