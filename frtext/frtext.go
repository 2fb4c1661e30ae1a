// Package frtext normalises the short, noisy French that people write on
// Facebook so that every other package compares like with like: lower case,
// accents folded, punctuation turned into spaces, and the usual SMS spellings
// and abbreviations ("slt", "qd", "cb", "jsp", "g") rewritten in full words.
//
// The same function runs on FAQ entries when they are indexed and on messages
// when they are searched, so the two sides always meet on one spelling.
package frtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold lower-cases s, removes accents and ligatures, and replaces every
// character that is neither a letter nor a digit by a single space. The
// result has one space between words and none at either end. Invalid UTF-8
// is treated as a separator.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading spaces
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			r = ' '
		}
		if f, ok := foldRune(r); ok {
			b.WriteString(f)
			space = false
			continue
		}
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b.WriteByte(c)
				space = false
				continue
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
				space = false
				continue
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			// Fold the lower-case form too: "ẞ" lowers to "ß", which folds to
			// "ss"; without this Fold(Fold(s)) != Fold(s).
			if f, ok := foldRune(unicode.ToLower(r)); ok {
				b.WriteString(f)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			space = false
			continue
		} else if unicode.Is(unicode.Mn, r) {
			// A combining accent (decomposed "e\u0301") is dropped like a
			// precomposed one, not turned into a word break.
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	out := b.String()
	return strings.TrimSuffix(out, " ")
}

// foldRune maps the accented Latin letters used in French (and a few
// neighbours) to their plain form.
func foldRune(r rune) (string, bool) {
	switch r {
	case 'à', 'á', 'â', 'ä', 'ã', 'å', 'À', 'Á', 'Â', 'Ä', 'Ã', 'Å':
		return "a", true
	case 'ç', 'Ç':
		return "c", true
	case 'è', 'é', 'ê', 'ë', 'È', 'É', 'Ê', 'Ë':
		return "e", true
	case 'ì', 'í', 'î', 'ï', 'Ì', 'Í', 'Î', 'Ï':
		return "i", true
	case 'ñ', 'Ñ':
		return "n", true
	case 'ò', 'ó', 'ô', 'ö', 'õ', 'Ò', 'Ó', 'Ô', 'Ö', 'Õ':
		return "o", true
	case 'ù', 'ú', 'û', 'ü', 'Ù', 'Ú', 'Û', 'Ü':
		return "u", true
	case 'ý', 'ÿ', 'Ý', 'Ÿ':
		return "y", true
	case 'œ', 'Œ':
		return "oe", true
	case 'æ', 'Æ':
		return "ae", true
	case 'ß':
		return "ss", true
	}
	return "", false
}

// Normalize folds s (see Fold) and rewrites SMS spellings and common
// abbreviations word by word ("qd" → "quand", "g" → "j ai"). It is the form on
// which cue lists, synonym groups and the search index all work.
func Normalize(s string) string {
	return expand(Fold(s), smsWords)
}

// expand rewrites each word of the folded text f found in table.
func expand(f string, table map[string]string) string {
	if f == "" {
		return f
	}
	changed := false
	words := strings.Split(f, " ")
	for i, w := range words {
		r, ok := table[w]
		if !ok {
			continue
		}
		// A letter within a run of three or more single letters is a word
		// spelt out ("c o n", "g r a t u i t"), not an SMS word ("g" for
		// "j ai"): left as it is, so that moderation can join the letters
		// back. Two letters are usually an elision ("g l attestation").
		if len(w) == 1 && singleRun(words, i) >= 3 {
			continue
		}
		words[i] = r
		changed = true
	}
	if !changed {
		return f
	}
	return strings.Join(words, " ")
}

// singleRun is the length of the run of one-letter words around words[i].
func singleRun(words []string, i int) int {
	lo, hi := i, i
	for lo > 0 && len(words[lo-1]) == 1 {
		lo--
	}
	for hi+1 < len(words) && len(words[hi+1]) == 1 {
		hi++
	}
	return hi - lo + 1
}

// Words splits a normalised text into its words.
func Words(normalized string) []string {
	if normalized == "" {
		return nil
	}
	return strings.Split(normalized, " ")
}

// Contains reports whether the normalised text contains phrase (itself
// normalised) as whole words.
func Contains(normalized, phrase string) bool {
	return Index(normalized, phrase) >= 0
}

// Index returns the byte offset of the first whole-word occurrence of phrase
// in normalised text, or -1.
func Index(normalized, phrase string) int {
	if phrase == "" {
		return -1
	}
	off := 0
	for {
		i := strings.Index(normalized[off:], phrase)
		if i < 0 {
			return -1
		}
		start, end := off+i, off+i+len(phrase)
		if (start == 0 || normalized[start-1] == ' ') && (end == len(normalized) || normalized[end] == ' ') {
			return start
		}
		off = start + 1
	}
}
