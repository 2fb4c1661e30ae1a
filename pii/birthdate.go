package pii

import (
	"regexp"
	"strings"
)

var birthTriggers = []string{"ne ", "nee", "ne(", "naiss", "naisance", "ddn", "dob"}

// birthDetector finds dates introduced as a birth date ("né le", "DDN",
// "date de naissance"). Dates without such a cue are payment dates,
// deadlines or appointments and stay in the text; a bare year ("né en
// 1985") is not masked either, because a year alone identifies nobody.
type birthDetector struct {
	re *regexp.Regexp
}

func newBirthDetector() *birthDetector {
	const (
		month   = `(?:janv(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|dec(?:embre)?)\.?`
		numeric = `(?:1er|[0-3]?\d)[/.\- ]{1,2}[01]?\d[/.\- ]{1,2}(?:\d{4}|\d{2})`
		named   = `(?:1er|[0-3]?\d)\s+` + month + `\s+(?:\d{4}|\d{2})`
		cueBorn = `\b(?:nee?s?|nee?\s*\(e\)|nee?\s*\(es\))\s+(?:le|en|du)\s+`
		cueWord = `\b(?:date\s+de\s+naiss?ance|date\s+de\s+naiss\b\.?|ddn|dob|naissance)\s*` +
			`(?:(?:de|du|d')\s*(?:mon|ma|mes|son|sa|l'|la|le)?\s*[a-z]+\s*)?` +
			`(?:(?:est|c'?est|c)\s+)?[:=\-,]?\s*(?:le\s+|du\s+)?`
	)
	return &birthDetector{re: regexp.MustCompile(`(?:` + cueBorn + `(` + numeric + `|` + named + `|` + month + `\s+\d{4})|` + cueWord + `(` + numeric + `|` + named + `))\b`)}
}

// birthPossible is a necessary condition for the birth regexp to match in
// w: a digit, and a cue word, "ne" at the start of a word for "né le".
func birthPossible(w string) bool {
	if countDigits(w) == 0 {
		return false
	}
	for _, c := range []string{"naiss", "naisance", "ddn", "dob"} {
		if strings.Contains(w, c) {
			return true
		}
	}
	return anyWord(w, func(_, rest string) bool { return strings.HasPrefix(rest, "ne") })
}

func (d *birthDetector) find(f *folded, wins []cueWindow, out []cand) []cand {
	s := f.s
	findNear(d.re, s, wins, cueBirth, birthPossible, func(m []int) {
		g := 2
		if m[g] < 0 {
			g = 4
		}
		out = append(out, cand{kind: KindBirthDate, start: m[g], end: m[g+1]})
	})
	return out
}
