package pii

import "github.com/nyaruka/phonenumbers"

// overseasRegions are the regions whose numbers French users dial with a
// leading 0 like mainland ones (0690…, 0692…): libphonenumber files them
// under their own region, not FR.
var overseasRegions = []string{"FR", "GP", "RE", "MQ", "GF", "YT", "PM"}

// organisationNumbers are French national numbers (without the leading 0)
// that belong to the caisses themselves, such as 3646 dialled from abroad.
var organisationNumbers = map[string]bool{
	"184903646": true,
}

// phoneLength reports whether validPhone may accept digits, from their
// length alone, so that the number detector can skip building a string for
// the shorter runs.
func phoneLength(digits []byte, plus bool) bool {
	n := len(digits)
	if !plus && n > 2 && digits[0] == '0' && digits[1] == '0' {
		n, plus = n-2, true
	}
	if plus {
		return n >= 8 && n <= 15
	}
	return n == 10
}

// validPhone reports whether digits, as typed (plus tells whether a '+'
// came first), is a personal phone number. Special-rate 08 numbers, 09 69
// customer-service lines and the organisations' numbers are not personal.
// Short numbers (3230, 3646, 15, 115...) never reach this function because
// they are too short.
func validPhone(digits string, plus bool) bool {
	if !plus && len(digits) > 2 && digits[0] == '0' && digits[1] == '0' {
		digits, plus = digits[2:], true
	}
	if plus {
		if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return false
		}
		if len(digits) >= 2 && digits[:2] == "33" {
			nat := digits[2:]
			if len(nat) == 10 && nat[0] == '0' { // +33 (0)6 …
				nat = nat[1:]
			}
			return len(nat) == 9 && validFrenchNational("0"+nat)
		}
		// A '+' is a strong sign of a phone number: a possible length for
		// the country is enough, even if the range is not allocated.
		num, err := phonenumbers.Parse("+"+digits, "")
		return err == nil && (phonenumbers.IsValidNumber(num) || phonenumbers.IsPossibleNumber(num))
	}
	return len(digits) == 10 && validFrenchNational(digits)
}

// validFrenchNational checks a 10-digit number starting with 0.
func validFrenchNational(d string) bool {
	if len(d) != 10 || d[0] != '0' || d[1] == '0' || d[1] == '8' {
		return false
	}
	if d[1:4] == "969" || organisationNumbers[d[1:]] {
		return false
	}
	// 06 and 07 are mobile prefixes: a number in an unallocated block is a
	// typo or a new block, and still someone's phone.
	if d[1] == '6' || d[1] == '7' {
		return true
	}
	for _, region := range overseasRegions {
		num, err := phonenumbers.Parse(d, region)
		if err == nil && phonenumbers.IsValidNumberForRegion(num, region) {
			return true
		}
	}
	return false
}
