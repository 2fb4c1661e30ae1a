package pii

import (
	"regexp"
	"strings"
)

// nameDetector masks people's names where the writer introduces them:
// "je m'appelle", "Nom :", civilities (Mme, M.), relatives ("ma fille Léa"),
// signatures after "Cordialement" and a first line made only of a name.
// There is no French NER model offline, so names are found by their cue
// and cut at the first stopword or punctuation, three words at most.
type nameDetector struct {
	strong, weak, signature, header, maiden *regexp.Regexp
}

func newNameDetector() *nameDetector {
	return &nameDetector{
		strong: regexp.MustCompile(`(?:\bje\s+m'?\s*app?ell?e?s?|\bmon\s+nom\s+(?:de\s+famille\s+)?(?:est|c'?est|:)|` +
			`\b(?:nom|prenoms?|nom\s+de\s+(?:famille|naissance|jeune\s+fille|usage)|nom\s+d'\s*(?:usage|epouse)|nom\s+et\s+prenoms?|prenoms?\s+et\s+nom|nom\s+prenom|signe)\s*:)[ \t]*`),
		weak: regexp.MustCompile(`(?:\bmoi\s+c'?\s*est|\b(?:mme|mlle|mademoiselle|madame|monsieur|mrs?)\b\.?|\bm\.|` +
			`\b(?:ma|mon|mes|notre|sa|son)\s+(?:fille|fils|femme|mari|epouse|epoux|conjointe?|compagnon|compagne|mere|pere|maman|papa|` +
			`frere|soeur|enfant|bebe|petite?-(?:fille|fils)|neveu|niece|belle-mere|beau-pere|grand-mere|grand-pere)\b|` +
			`\b(?:la\s+|le\s+)?(?:maman|mere|papa|pere|tutrice|tuteur)\s+de\b)[ \t]*,?[ \t]*`),
		signature: regexp.MustCompile(`(?:\b(?:bien\s+)?cordialement|\bcdl?t|\bbien\s+a\s+vous|\bsalutations(?:\s+distinguees)?|` +
			`\bbonne\s+(?:journee|soiree))[\s,.!]*`),
		header: regexp.MustCompile(`^[ \t]*([a-z][a-z'\-]*(?: [a-z][a-z'\-]*){1,2})[ \t]*\n`),
		// "nom de jeune fille Martin": the same labels without a colon, so
		// the name must be capitalised ("nom de naissance différent" is not).
		maiden: regexp.MustCompile(`\bnom\s+(?:de\s+(?:naissance|jeune\s+fille)|d'\s*(?:usage|epouse))[ \t]+`),
	}
}

// Trigger words: every cue of the matching regexp contains one of them.
var (
	strongNameTriggers = []string{"appel", "apel", "nom", "prenom", "signe"}
	weakNameTriggers   = []string{"moi", "mme", "mlle", "madame", "monsieur", "mr", "m.", "fille", "fils", "femme", "mari", "epou",
		"conjoint", "compagn", "mere", "pere", "maman", "papa", "frere", "soeur", "enfant", "bebe", "neveu", "niece", "tut"}
	signatureTriggers = []string{"cordial", "cdlt", "cdt", "bien a", "salutation", "bonne"}
)

// strongPossible is a necessary condition for the strong cue regexp: "je
// m'appelle", "mon nom" or a label followed by a colon.
func strongPossible(w string) bool {
	return strings.IndexByte(w, ':') >= 0 ||
		anyWord(w, func(word, _ string) bool { return word == "je" || word == "mon" })
}

// maidenPossible is a necessary condition for the maiden-name regexp.
func maidenPossible(w string) bool {
	return strings.Contains(w, "nom ") && (strings.Contains(w, "naissance") || strings.Contains(w, "fille") ||
		strings.Contains(w, "usage") || strings.Contains(w, "epouse"))
}

// weakWords are the words one of which every weak cue contains as a whole
// word, besides "moi" before a "c" ("moi c'est") and "m" before a dot ("M.
// Martin"); weakPossible checks them before the weak regexp runs.
var weakWords = makeSet(`mme mlle mademoiselle madame monsieur mr mrs fille fils femme mari epouse epoux
conjoint conjointe compagnon compagne mere pere maman papa frere soeur enfant bebe petit petite neveu niece
belle beau grand tutrice tuteur`)

func weakPossible(w string) bool {
	return anyWord(w, func(word, rest string) bool {
		switch word {
		case "moi": // "moi c'est"
			after := rest[len(word):]
			t := strings.TrimLeft(after, "\t\n\f\r ")
			return len(t) < len(after) && t != "" && t[0] == 'c'
		case "m":
			return len(rest) > 1 && rest[1] == '.'
		}
		return weakWords[word]
	})
}

func signaturePossible(w string) bool {
	return anyWord(w, func(word, rest string) bool {
		return word == "bien" || word == "bonne" || strings.HasPrefix(rest, "cordialement") ||
			strings.HasPrefix(rest, "cdt") || strings.HasPrefix(rest, "cdlt") || strings.HasPrefix(rest, "salutations")
	})
}

func (d *nameDetector) find(f *folded, wins []cueWindow, out []cand) []cand {
	s := f.s
	findNear(d.strong, s, wins, cueNameStrong, strongPossible, func(m []int) {
		if st, en := scanName(f, m[1], false, false); en > st {
			out = append(out, cand{kind: KindName, start: st, end: en})
		}
	})
	findNear(d.maiden, s, wins, cueNameStrong, maidenPossible, func(m []int) {
		if st, en := scanName(f, m[1], false, false); en > st && f.isUpperAt(st) {
			out = append(out, cand{kind: KindName, start: st, end: en})
		}
	})
	findNear(d.weak, s, wins, cueNameWeak, weakPossible, func(m []int) {
		if st, en := scanName(f, m[1], true, false); en > st {
			out = append(out, cand{kind: KindName, start: st, end: en})
		}
	})
	findNear(d.signature, s, wins, cueSignature, signaturePossible, func(m []int) {
		st, en := scanName(f, m[1], true, true)
		if en > st && restIsEmpty(s[en:]) {
			out = append(out, cand{kind: KindName, start: st, end: en})
		}
	})
	if strings.IndexByte(s, '\n') < 0 {
		return out
	}
	if m := d.header.FindStringSubmatchIndex(s); m != nil {
		ok := true
		for _, w := range strings.Fields(s[m[2]:m[3]]) {
			if stopwords[w] || len(w) < 2 {
				ok = false
			}
		}
		for i := m[2]; i < m[3] && ok; i++ {
			if (i == m[2] || s[i-1] == ' ') && !f.isUpperAt(i) {
				ok = false
			}
		}
		if ok {
			out = append(out, cand{kind: KindName, start: m[2], end: m[3]})
		}
	}
	return out
}

// restIsEmpty reports whether a signature ends the message.
func restIsEmpty(s string) bool {
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// scanName reads up to three name words from p. weak cues accept a
// lower-case word only when it does not look like an adjective or verb.
// Once a capitalised word is read, the next words must be capitalised too.
func scanName(f *folded, p int, weak, newline bool) (int, int) {
	s := f.s
	start, end := -1, -1
	firstUpper := false
	for words := 0; words < 3; words++ {
		j := p
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || newline && words == 0 && (s[j] == '\n' || s[j] == '\r')) {
			j++
		}
		if j >= len(s) || !isLower(s[j]) {
			break
		}
		k := j
		for k < len(s) && (isLower(s[k]) || s[k] == '-' || s[k] == '\'') {
			k++
		}
		for k > j && (s[k-1] == '-' || s[k-1] == '\'') {
			k--
		}
		w := s[j:k]
		up := f.isUpperAt(j)
		initial := up && k-j == 1 && k < len(s) && s[k] == '.' && words > 0
		if !initial && stopwords[w] || strings.IndexByte(w, '\'') >= 0 && !up {
			break
		}
		if a := strings.IndexByte(w, '\''); a >= 0 && stopwords[w[:a]] && a == 1 && !f.isUpperAt(j+a+1) {
			break // "M'a", "L'on"
		}
		if words == 0 {
			firstUpper = up
		} else if firstUpper && !up {
			break
		}
		if !up && (len(w) < 2 || weak && !plausibleLowerName(f, j, k)) {
			break
		}
		if k-j == 1 {
			if k < len(s) && s[k] == '.' {
				k++
			} else if !up {
				break
			}
		}
		if start < 0 {
			start = j
		}
		end, p = k, k
		if k >= len(s) || s[k] != ' ' && s[k] != '\t' {
			break
		}
	}
	return start, end
}

// plausibleLowerName rejects lower-case words that read as adjectives,
// participles or adverbs ("ma fille handicapée", "moi c'est urgent").
func plausibleLowerName(f *folded, j, k int) bool {
	w := f.s[j:k]
	if len(w) < 3 {
		return false
	}
	for _, suf := range []string{"ment", "ant", "ante", "ique", "eux", "euse", "able", "ible", "ee", "es", "if", "ive"} {
		if strings.HasSuffix(w, suf) {
			return false
		}
	}
	// A final é in the original ("décédé", "scolarisé") marks a participle.
	o := f.orig[f.origStart(k-1):f.origEnd(k)]
	return o != "é" && o != "É"
}
