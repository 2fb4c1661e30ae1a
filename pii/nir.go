package pii

import "regexp"

// ValidNIR reports whether s, a French social-security number (NIR) of 15
// characters without separators, has a plausible layout and a correct key.
// The key (97 - n mod 97, with 2A→19 and 2B→18 for Corsica) is what lets the
// detector mask a bare 15-digit number with no cue and still leave amounts
// and references alone.
func ValidNIR(s string) bool {
	if len(s) != 15 || !nirShape(s) {
		return false
	}
	for i := 13; i < 15; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	key := int(s[13]-'0')*10 + int(s[14]-'0')
	return nirKey(s[:13]) == key
}

// nirShape checks the sex digit, the month and the département of the first
// 13 characters of s (upper or lower case "2A"/"2B" accepted).
func nirShape(s string) bool {
	if len(s) < 13 {
		return false
	}
	switch s[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return false
	}
	for _, i := range []int{1, 2, 3, 4} {
		if !isDigit(s[i]) {
			return false
		}
	}
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if !(m >= 1 && m <= 12 || m >= 20 && m <= 42 || m >= 50) {
		return false
	}
	d5, d6 := s[5], s[6]
	corsica := d5 == '2' && (d6 == 'A' || d6 == 'B' || d6 == 'a' || d6 == 'b')
	if !corsica && !(isDigit(d5) && isDigit(d6)) {
		return false
	}
	for i := 7; i < 13; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// nirKey computes the key of a 13-character NIR body.
func nirKey(body string) int {
	var buf [13]byte
	copy(buf[:], body)
	if buf[5] == '2' {
		switch buf[6] {
		case 'A', 'a':
			buf[5], buf[6] = '1', '9'
		case 'B', 'b':
			buf[5], buf[6] = '1', '8'
		}
	}
	n := 0
	for _, c := range buf {
		n = (n*10 + int(c-'0')) % 97
	}
	return 97 - n
}

// nirCue matches the French words that announce a social-security number.
var nirCue = regexp.MustCompile(`(?:secu|securite\s+sociale|\bn[o.]?\s*(?:de\s+)?s\.?s\b|\bnir\b|carte\s+vitale|insee|immatriculation|\bss\b|assure\s+social)`)
