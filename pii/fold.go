package pii

import (
	"unicode"
	"unicode/utf8"
)

// folded is the text every detector works on: ASCII only, lower case,
// accents removed, unusual spaces and apostrophes normalised. Cues can then
// be plain ASCII patterns ("securite sociale" matches "Sécurité Sociale"),
// and start maps every folded byte back to the original rune so that spans
// always cut the original text on rune boundaries. For ASCII text the
// mapping is the identity and start stays nil.
type folded struct {
	b     []byte
	s     string
	start []int32 // original offset of the rune behind each folded byte
	n     int
	orig  string
}

var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i",
	'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o",
	'ö': "o", 'ø': "o", 'œ': "oe", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u",
	'ý': "y", 'ÿ': "y", 'ß': "ss", 'ğ': "g", 'ş': "s", 'ı': "i", 'ł': "l",
	'\u2019': "'", '\u2018': "'", '\u02bc': "'", '\u00b4': "'", '`': "'",
	'\u00ab': "\"", '\u00bb': "\"", '\u201c': "\"", '\u201d': "\"",
	'\u00b0': "o", '\u00ba': "o", '\u2010': "-", '\u2011': "-", '\u2012': "-",
	'\u2013': "-", '\u2014': "-", '\u2212': "-", '\uff20': "@",
}

// fold builds the folded form of text into f. Invalid UTF-8 bytes become
// '~'. It leaves f.s empty: the caller sets it once it has finished editing
// f.b.
func fold(text string, f *folded) {
	*f = folded{n: len(text), orig: text}
	ascii := 0
	for ascii < len(text) && text[ascii] < utf8.RuneSelf {
		ascii++
	}
	f.b = make([]byte, len(text), len(text)+8)
	for i := 0; i < ascii; i++ {
		c := text[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.b[i] = c
	}
	if ascii == len(text) {
		return
	}
	f.b = f.b[:ascii]
	f.start = make([]int32, ascii, len(text)+8)
	for i := range ascii {
		f.start[i] = int32(i)
	}
	for i := ascii; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			f.push(c, i)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		j := i + size
		switch {
		case r == utf8.RuneError && size == 1:
			f.push('~', i)
		case unicode.IsSpace(r):
			f.push(' ', i)
		default:
			lr := unicode.ToLower(r)
			if s, ok := foldTable[lr]; ok {
				for k := 0; k < len(s); k++ {
					f.push(s[k], i)
				}
			} else if lr < utf8.RuneSelf {
				f.push(byte(lr), i)
			} else if unicode.IsLetter(lr) {
				f.push('x', i)
			} else {
				f.push('~', i)
			}
		}
		i = j
	}
}

// push appends c, folded from the original rune at start; the rune's end is
// not stored, origEnd finds it from the next rune's start.
func (f *folded) push(c byte, start int) {
	f.b = append(f.b, c)
	f.start = append(f.start, int32(start))
}

// origStart maps a folded offset to the original byte offset.
func (f *folded) origStart(i int) int {
	if i >= len(f.b) {
		return f.n
	}
	if f.start == nil {
		return i
	}
	return int(f.start[i])
}

// origEnd maps an exclusive folded end offset to the original one: the end
// of the rune behind folded byte j-1, which is where the next rune starts.
func (f *folded) origEnd(j int) int {
	if j <= 0 {
		return 0
	}
	if f.start == nil {
		return min(j, f.n)
	}
	r := f.start[j-1]
	for ; j < len(f.start); j++ {
		if f.start[j] != r {
			return int(f.start[j])
		}
	}
	return f.n
}

// foldString returns the folded form of s, for building patterns.
func foldString(s string) string {
	var f folded
	fold(s, &f)
	return string(f.b)
}

// isUpperAt reports whether the original rune behind folded offset i is an
// upper-case letter: names are usually capitalised even when cues are not.
func (f *folded) isUpperAt(i int) bool {
	if i >= len(f.b) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(f.orig[f.origStart(i):])
	return unicode.IsUpper(r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isLower(c) }
