package pii

// Luhn reports whether the digits of s pass the Luhn check used by payment
// cards. Non-digits make it return false. A card number needs this check to
// be told apart from references and amounts written in groups of four.
func Luhn(s string) bool {
	if len(s) == 0 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardGrouping reports whether the token lengths of a candidate look like a
// card as people type it: one run, groups of four or eight (the last one
// shorter), or the 4-6-5 American Express layout. Arbitrary digit runs joined
// by spaces (dates, amounts) are rejected even when their digits pass Luhn.
func cardGrouping(lens []int) bool {
	if len(lens) == 1 {
		return true
	}
	if len(lens) == 3 && lens[0] == 4 && lens[1] == 6 && (lens[2] == 5 || lens[2] == 4) {
		return true
	}
	for i, l := range lens {
		if i < len(lens)-1 && l != 4 && l != 8 {
			return false
		}
		if i == len(lens)-1 && (l < 1 || l > 8) {
			return false
		}
	}
	return true
}
