package pii

import "regexp"

// ibanLengths holds the ISO 13616 length of the IBAN of each country, so a
// valid checksum on a string of the wrong length is not taken for an IBAN.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
	"DK": 18, "DO": 28, "DZ": 26, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18,
	"FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
	"HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30,
	"KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
	"NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SN": 28, "TL": 23,
	"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "CI": 28, "CM": 27,
	"MG": 27, "ML": 28, "BJ": 28, "BF": 28, "GA": 27, "CG": 27, "TG": 28, "NE": 28,
}

// ibanLengthTable is ibanLengths indexed by the two letters, so that the
// number detector can test a token without building a string.
var ibanLengthTable = func() (t [26][26]uint8) {
	for cc, n := range ibanLengths {
		t[cc[0]-'A'][cc[1]-'A'] = uint8(n)
	}
	return t
}()

// ibanLength returns the IBAN length of the country whose code is a, b
// (either case).
func ibanLength(a, b byte) (int, bool) {
	a, b = upperByte(a), upperByte(b)
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return 0, false
	}
	n := int(ibanLengthTable[a-'A'][b-'A'])
	return n, n > 0
}

// ValidIBAN reports whether s (upper or lower case, no separators) is an
// IBAN of its country's length whose ISO 7064 mod-97 check equals 1. The
// check rejects almost every random string of digits, which is what allows
// masking IBANs without any cue word.
func ValidIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	if want, ok := ibanLength(s[0], s[1]); !ok || want != len(s) {
		return false
	}
	if !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	return ibanMod97(s) == 1
}

// ibanMod97 computes the IBAN remainder: the first four characters moved to
// the end, letters counted A=10 … Z=35. It returns -1 on other characters.
func ibanMod97(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := upperByte(s[(i+4)%len(s)])
		switch {
		case isDigit(c):
			n = (n*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			n = (n*100 + int(c-'A') + 10) % 97
		default:
			return -1
		}
	}
	return n
}

// ValidRIB reports whether s is a French RIB without separators: bank code
// (5 digits), branch (5 digits), account (11 characters, letters allowed)
// and a 2-digit key equal to 97 - (89·bank + 15·branch + 3·account) mod 97.
func ValidRIB(s string) bool {
	if len(s) != 23 {
		return false
	}
	for i := 0; i < 10; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	if !isDigit(s[21]) || !isDigit(s[22]) {
		return false
	}
	num := func(part string) int {
		n := 0
		for i := 0; i < len(part); i++ {
			c := upperByte(part[i])
			var v int
			switch {
			case isDigit(c):
				v = int(c - '0')
			case 'A' <= c && c <= 'I':
				v = int(c-'A') + 1
			case 'J' <= c && c <= 'R':
				v = int(c-'J') + 1
			case 'S' <= c && c <= 'Z':
				v = int(c-'S') + 2
			default:
				return -1
			}
			n = (n*10 + v) % 97
		}
		return n
	}
	bank, branch, account := num(s[0:5]), num(s[5:10]), num(s[10:21])
	if account < 0 {
		return false
	}
	key := int(s[21]-'0')*10 + int(s[22]-'0')
	return key == 97-(89*bank+15*branch+3*account)%97
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// ibanCue matches the words that announce bank details; with one of them a
// mistyped IBAN or a bare RIB is still masked.
var ibanCue = regexp.MustCompile(`(?:\biban|\brib\b|\brib\s|coordonnees\s+bancaires|compte\s+bancaire|\bbic\b)`)
