// Package moderation decides whether a public comment on the caisse's
// Facebook Page may stay, must be looked at by staff, or must be hidden.
//
// The Page stays open to criticism: an angry complaint about the caisse, its
// delays or the law is answered, not hidden. Only what the rules name is
// hidden or queued: insults, threats, hateful words, accusations against a
// named agent, advertising, scams and their links, and a few off-topic
// patterns. The rules are a YAML file staff can read and edit (rules.yaml,
// embedded as the default); matching survives accents, case, SMS spellings,
// leetspeak, repeated and spaced-out letters, but only ever matches whole
// words.
package moderation

import (
	"strings"
	"unicode"
)

// Verdict is what should happen to a comment.
type Verdict string

// Verdicts, from the mildest.
const (
	OK     Verdict = "ok"     // leave it; the bot may answer
	Review Verdict = "review" // leave it visible and queue it for staff
	Hide   Verdict = "hide"   // hide it (Facebook "hide": the author and friends still see it)
)

// Reserved categories, never used by rules files.
const (
	// CategoryIgnore marks comments with nothing to moderate or answer:
	// only mentions ("@Julie Martin") or only emoji and punctuation.
	CategoryIgnore = "ignore"
	// CategoryRepeat marks the same comment posted again and again (see
	// Repeats).
	CategoryRepeat = "repeat"
	// CategoryLookalike and CategoryShortener are the link rules.
	CategoryLookalike = "lookalike_link"
	CategoryShortener = "shortener_link"
)

func (v Verdict) rank() int {
	switch v {
	case Hide:
		return 2
	case Review:
		return 1
	}
	return 0
}

// Result explains a verdict.
type Result struct {
	Verdict Verdict
	// Rule is the deciding rule as "category:pattern", empty when OK.
	Rule string
	// Category is the deciding rule's category, CategoryIgnore for comments
	// with nothing to moderate, empty otherwise.
	Category string
	// Reasons lists every rule that fired ("category:pattern"), the
	// deciding one first.
	Reasons []string
}

// Moderator checks comments against a rule set. It is safe for concurrent
// use.
type Moderator struct {
	rules *Rules
}

// New returns a Moderator using rules.
func New(rules *Rules) *Moderator {
	return &Moderator{rules: rules}
}

type hit struct {
	verdict  Verdict
	category string
	rule     string
}

// Check returns the verdict for one comment. It has no side effects; use
// Repeats for the same comment posted many times.
func (m *Moderator) Check(text string) Result {
	r := m.rules
	t := r.prepare(text)
	var hits []hit
	add := func(h hit) {
		for _, o := range hits {
			if o.rule == h.rule {
				return
			}
		}
		hits = append(hits, h)
	}

	suspectLink := false
	for _, l := range t.links {
		kind, what := r.classify(l.host)
		switch kind {
		case linkOfficial:
			continue
		case linkLookalike:
			if r.lookalike != OK {
				add(hit{r.lookalike, CategoryLookalike, CategoryLookalike + ":" + what})
			}
		case linkShortener:
			if r.shortener != OK {
				add(hit{r.shortener, CategoryShortener, CategoryShortener + ":" + what})
			}
		}
		suspectLink = true
	}

	var buf [16]span
	for _, words := range [][]string{t.words, t.alt} {
		if words == nil {
			continue
		}
		spans := r.words.find(words, buf[:0])
		if len(spans) == 0 {
			continue
		}
		exc := r.excepted.find(words, nil)
		for _, s := range spans {
			c := r.categories[s.e.cat]
			if c.needsLink && !suspectLink || c.needsAgent && !nearAgent(t.agents, s, r.window) || covered(exc, s) {
				continue
			}
			add(hit{c.verdict, c.name, c.name + ":" + s.e.p.src})
		}
	}

	if len(hits) == 0 {
		if len(t.words) <= 3*len(t.agents)+4 && nothingToModerate(text) {
			return Result{Verdict: OK, Category: CategoryIgnore}
		}
		return Result{Verdict: OK}
	}
	best := 0
	for i, h := range hits {
		if h.verdict.rank() > hits[best].verdict.rank() {
			best = i
		}
	}
	res := Result{Verdict: hits[best].verdict, Rule: hits[best].rule, Category: hits[best].category}
	res.Reasons = append(res.Reasons, hits[best].rule)
	for i, h := range hits {
		if i != best {
			res.Reasons = append(res.Reasons, h.rule)
		}
	}
	return res
}

// nearAgent reports whether a named person stands within window words of s.
func nearAgent(agents []int, s span, window int) bool {
	for _, a := range agents {
		if a >= s.start-window && a < s.end+window {
			return true
		}
	}
	return false
}

// covered reports whether an exception phrase contains s.
func covered(exc []span, s span) bool {
	for _, e := range exc {
		if e.start <= s.start && s.end <= e.end {
			return true
		}
	}
	return false
}

// nothingToModerate reports comments made only of mentions, emoji and
// punctuation: "@Julie Martin", "Kevin Lambert" (a tag without "@"),
// "😂😂", "!!!".
func nothingToModerate(text string) bool {
	fields := strings.Fields(text)
	plain := 0   // words outside mentions
	capital := 0 // of which capitalised, name-like
	inMention := 0
	for _, f := range fields {
		if strings.HasPrefix(f, "@") && len(f) > 1 {
			inMention = 2 // "@Prénom" may be followed by up to two name words
			continue
		}
		if !hasLetterOrDigit(f) {
			continue
		}
		if inMention > 0 && isCapitalised(f) {
			inMention--
			continue
		}
		inMention = 0
		plain++
		if isCapitalised(f) && !notNames[collapse(strings.ToLower(f))] && !commonWords[strings.ToLower(f)] {
			capital++
		}
	}
	return plain == 0 || plain >= 2 && plain <= 3 && capital == plain && len(text) <= 40
}

func hasLetterOrDigit(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			return true
		}
	}
	return false
}

// isCapitalised reports a name-like word: a capital, then lower-case
// letters, hyphens or apostrophes.
func isCapitalised(w string) bool {
	for i, c := range w {
		switch {
		case i == 0 && !unicode.IsUpper(c):
			return false
		case i > 0 && !unicode.IsLower(c) && c != '-' && c != '\'' && c != '’':
			return false
		}
	}
	return len(w) > 1
}

// commonWords are capitalised words that start a short sentence rather than
// tag a person.
var commonWords = plainSet(`bonjour bonsoir merci madame monsieur honte bravo super
	scandale scandaleux honteux nul nuls vraiment toujours jamais encore rien allez
	courage pareil idem moi aussi pas normal quelle quel trop top génial genial oui non
	help urgent svp aide caf cpam msa urssaf ameli retraite france travail pôle emploi`)
