package pii

// ValidTaxNumber reports whether s is a French tax number (numéro fiscal,
// SPI): 13 digits, the first one 0-3, the last three equal to the first ten
// modulo 511. The check separates it from other 13-digit numbers.
func ValidTaxNumber(s string) bool {
	if len(s) != 13 || s[0] < '0' || s[0] > '3' || !allDigits(s) {
		return false
	}
	n := 0
	for i := 0; i < 10; i++ {
		n = n*10 + int(s[i]-'0')
	}
	check := int(s[10]-'0')*100 + int(s[11]-'0')*10 + int(s[12]-'0')
	return n%511 == check
}
