package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"pagebot/frtext"
)

const (
	// agentMark is the token put before a person the comment names: an
	// @mention, "M. Dupont", "Prénom Nom de la CAF". It is a letter for
	// frtext.Fold, so it survives normalisation as a word of its own.
	agentMark = "ǂ"
	// wildcard replaces a star inside a word ("c*nnard"): it matches any one
	// letter of a pattern.
	wildcard     = 'ʔ'
	wildcardText = "ʔ"
)

// link is a web address found in a comment.
type link struct {
	host string // lower case, without "www."
}

// text is a comment prepared for matching.
type text struct {
	words  []string // skeleton words (see skeletonize)
	alt    []string // same with "1" read as "l" instead of "i"; nil when no "1"
	links  []link
	agents []int // indexes in words of agentMark tokens and named titles
}

// caisseWords end "Prénom Nom de la CAF": a person named with the caisse,
// whom the comment treats as an agent.
var caisseWords = plainSet(`caf cpam msa caisse accueil agence cnav carsat urssaf`)

// namedAtCaisse returns the byte offsets of "Prénom Nom" in "Prénom Nom de
// la CAF", "Prénom Nom du guichet"…
func namedAtCaisse(raw string) []int {
	var out []int
	var starts [6]int // byte offsets of the last words
	var words [6]string
	n := 0
	for i := 0; i < len(raw); {
		for i < len(raw) && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\t') {
			i++
		}
		j := i
		for j < len(raw) && raw[j] != ' ' && raw[j] != '\n' && raw[j] != '\t' {
			j++
		}
		if i == j {
			break
		}
		copy(starts[:], starts[1:])
		copy(words[:], words[1:])
		starts[5], words[5] = i, raw[i:j]
		n++
		i = j
		// words[5] may be the caisse word, after "de la", "de l'", "du", "à la".
		w := strings.ToLower(strings.TrimRight(words[5], ".,;:!?"))
		first := -1
		switch {
		case caisseWords[w] && n >= 5 && (eqFold(words[3], "de") || eqFold(words[3], "à") || eqFold(words[3], "a")) && eqFold(words[4], "la"):
			first = 1
		case caisseWords[w] && n >= 4 && eqFold(words[4], "du"):
			first = 2
		case n >= 4 && (strings.HasPrefix(w, "l'") || strings.HasPrefix(w, "l’")) && eqFold(words[4], "de") && caisseWords[strings.TrimPrefix(strings.TrimPrefix(w, "l'"), "l’")]:
			first = 2
		}
		if first >= 0 && isCapitalised(words[first]) && isCapitalised(strings.TrimRight(words[first+1], ",")) {
			out = append(out, starts[first])
		}
	}
	return out
}

func eqFold(a, b string) bool { return strings.EqualFold(a, b) }

// prepare turns a raw comment into its matching form.
func (r *Rules) prepare(raw string) text {
	var t text
	spans := findLinks(raw, &t.links)
	pre := rewriteRaw(raw, spans)
	norm := frtext.Normalize(pre)
	words, hasOne := skeletonize(frtext.Words(norm), false)
	t.words = words
	if hasOne {
		t.alt, _ = skeletonize(frtext.Words(norm), true)
	}
	for i, w := range t.words {
		if w == agentMark {
			t.agents = append(t.agents, i)
			continue
		}
		if r.titles[w] && i+1 < len(t.words) && isName(t.words[i+1]) {
			t.agents = append(t.agents, i+1)
		}
	}
	return t
}

// isName reports whether w, following a title ("madame", "conseillère"),
// can be a person's name rather than the rest of the sentence.
func isName(w string) bool {
	if utf8.RuneCountInString(w) < 2 || notNames[w] || w == agentMark {
		return false
	}
	for _, c := range w {
		if c >= '0' && c <= '9' {
			return false
		}
	}
	return true
}

// notNames are skeleton words that follow a title without being a name.
var notNames = setOf(`a ai as au aux avait avec ce ces cet cette de des du
	elle en est et etait il ils je la le les leur lui m ma me mes moi mon n ne
	nous on ou par pas pour qu que qui sa se si son sur ta te tes toi ton tu un une
	vos votre vous y na ma mm ont sont peut doit dit fait veut va vient avez etes
	charge chargee concerne responsable tres bien trop aussi jamais toujours rien deja
	caf cpam msa caise accueil agence telephone tel guichet`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[collapse(w)] = true
	}
	return m
}

// rewriteRaw blanks links, reads "@" and "$" inside words as letters, marks
// mentions and named persons with agentMark, and keeps stars inside words as
// wildcards. Everything else is left to frtext.
func rewriteRaw(raw string, spans [][2]int) string {
	var b strings.Builder
	b.Grow(len(raw) + 8)
	named := namedAtCaisse(raw)
	prev := ' '
	for i := 0; i < len(raw); {
		if len(spans) > 0 && i >= spans[0][0] {
			i = spans[0][1]
			spans = spans[1:]
			b.WriteByte(' ')
			prev = ' '
			continue
		}
		if len(named) > 0 && i == named[0] {
			b.WriteString(" " + agentMark + " ")
			named = named[1:]
		}
		c, size := utf8.DecodeRuneInString(raw[i:])
		next, _ := utf8.DecodeRuneInString(raw[i+size:])
		switch {
		case c == '@' && isWordRune(prev):
			c = 'a'
		case c == '@' && unicode.IsLetter(next):
			b.WriteString(" " + agentMark + " ")
			c = ' '
		case c == '$' && (unicode.IsLetter(prev) || unicode.IsLetter(next)):
			c = 's'
		case c == '*' && unicode.IsLetter(prev) && (unicode.IsLetter(next) || next == '*'):
			c = wildcard
		case c == 'M' && next == '.' && !isWordRune(prev):
			// "M. Dupont": a title, abbreviated.
			after, _ := utf8.DecodeRuneInString(strings.TrimLeft(raw[i+size+1:], " "))
			if unicode.IsUpper(after) {
				b.WriteString(" " + agentMark + " ")
				i += size + 1
				prev = ' '
				continue
			}
		}
		b.WriteRune(c)
		prev = c
		i += size
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// leet maps the digits people use for letters. '1' is read as 'i', or as
// 'l' for the alternative reading.
var leet = [10]byte{'o', 'i', 0, 'e', 'a', 's', 0, 't', 0, 0}

// skeletonize rewrites normalised words for matching: digits inside words
// become letters, runs of three or more single letters are joined ("c o n"
// → "con"), and repeated letters are collapsed ("connnard" → "conard"). It
// reports whether a '1' was read as a letter.
func skeletonize(words []string, oneIsL bool) ([]string, bool) {
	out := make([]string, 0, len(words))
	hasOne := false
	for i := 0; i < len(words); i++ {
		// Join spaced-out letters.
		j := i
		for j < len(words) && isSingleLetter(words[j]) {
			j++
		}
		if j-i >= 3 {
			out = append(out, collapse(strings.Join(words[i:j], "")))
			i = j - 1
			continue
		}
		w := words[i]
		if hasLetter(w) && hasDigit(w) {
			bs := []byte(w)
			for k, c := range bs {
				if c >= '0' && c <= '9' {
					if l := leet[c-'0']; l != 0 {
						if c == '1' {
							hasOne = true
							if oneIsL {
								l = 'l'
							}
						}
						bs[k] = l
					}
				}
			}
			w = string(bs)
		}
		out = append(out, collapse(w))
	}
	return out, hasOne
}

func isSingleLetter(w string) bool {
	return len(w) == 1 && w[0] >= 'a' && w[0] <= 'z'
}

func hasLetter(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func hasDigit(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// collapse reduces every run of one repeated letter to a single letter.
// Digits are kept as they are.
func collapse(w string) string {
	for i := 1; i < len(w); i++ {
		if w[i] == w[i-1] && w[i] >= 'a' && w[i] <= 'z' || strings.HasPrefix(w[i:], wildcardText+wildcardText) {
			return collapseSlow(w)
		}
	}
	return w
}

func collapseSlow(w string) string {
	var b strings.Builder
	var last rune = -1
	for _, c := range w {
		if c == last && (c >= 'a' && c <= 'z' || c == wildcard) {
			continue
		}
		b.WriteRune(c)
		last = c
	}
	return b.String()
}

// skeletonWords normalises a pattern or a title like a comment.
func skeletonWords(s string) []string {
	w, _ := skeletonize(frtext.Words(frtext.Normalize(s)), false)
	return w
}
