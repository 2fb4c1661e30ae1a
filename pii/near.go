package pii

import (
	"regexp"
	"strings"
)

// cueSet names one group of trigger words; each cue regexp runs only near
// the triggers of its set.
type cueSet uint8

const (
	cueEmail cueSet = iota
	cueCAF
	cueTax
	cuePassport
	cueIDCard
	cueBirth
	cueNameStrong
	cueNameWeak
	cueSignature
	numCueSets
)

// cueWindow is a stretch of folded text around one or more triggers of a
// set, before it is widened to word boundaries.
type cueWindow struct {
	set    cueSet
	lo, hi int
}

type cueTrigger struct {
	word string
	set  cueSet
}

// cueScanner finds the trigger words of every set in one pass over the
// folded text. The cue regexps have no literal prefix, so Go's regexp
// engine would otherwise try them at every byte; most messages contain no
// trigger at all and cost nothing.
type cueScanner struct {
	triggers      []cueTrigger
	byFirst       [256][]uint8   // trigger indexes by first byte
	second        [256][4]uint64 // bit set of the second bytes of the triggers, by first byte
	before, after [numCueSets]int
}

// maxCueTriggers bounds the number of triggers so that scan can keep its
// state on the stack.
const maxCueTriggers = 128

// add registers the triggers of set; before and after bound how far a match
// may extend around a trigger.
func (c *cueScanner) add(set cueSet, before, after int, words []string) {
	c.before[set], c.after[set] = before, after
	for _, w := range words {
		if len(c.triggers) == maxCueTriggers {
			panic("pii: too many cue triggers")
		}
		c.byFirst[w[0]] = append(c.byFirst[w[0]], uint8(len(c.triggers)))
		c.triggers = append(c.triggers, cueTrigger{word: w, set: set})
		if len(w) == 1 {
			c.second[w[0]] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		} else {
			c.second[w[0]][w[1]>>6] |= 1 << (w[1] & 63)
		}
	}
}

// scan returns, for every set, the windows around its triggers, merged when
// they overlap and sorted by position. Occurrences of one trigger do not
// overlap each other, as with repeated strings.Index calls. The work is
// linear in len(s): the windows of a set arrive in order, so merging needs
// no sort.
func (c *cueScanner) scan(s string, wins []cueWindow) []cueWindow {
	var next [maxCueTriggers]int // first offset where each trigger may occur again
	var last [numCueSets]int
	for i := range last {
		last[i] = -1
	}
	for i := 0; i < len(s); i++ {
		c0 := s[i]
		if len(c.byFirst[c0]) == 0 {
			continue
		}
		if i+1 < len(s) {
			if c1 := s[i+1]; c.second[c0][c1>>6]&(1<<(c1&63)) == 0 {
				continue
			}
		}
		for _, t := range c.byFirst[c0] {
			tr := c.triggers[t]
			if i < next[t] || !strings.HasPrefix(s[i:], tr.word) {
				continue
			}
			next[t] = i + len(tr.word)
			lo := max(0, i-c.before[tr.set])
			hi := min(len(s), i+len(tr.word)+c.after[tr.set])
			if k := last[tr.set]; k >= 0 && lo <= wins[k].hi {
				wins[k].hi = max(wins[k].hi, hi)
				continue
			}
			last[tr.set] = len(wins)
			wins = append(wins, cueWindow{set: tr.set, lo: lo, hi: hi})
		}
	}
	return wins
}

// findNear runs re on each window of set, widened to word boundaries so
// that \b behaves as on s, and calls fn with match indexes relative to s.
// possible, when not nil, is a cheap necessary condition for re to match
// inside a window: a window that fails it cannot hold a match and is
// skipped without running re.
func findNear(re *regexp.Regexp, s string, wins []cueWindow, set cueSet, possible func(w string) bool, fn func(m []int)) {
	for _, w := range wins {
		if w.set != set {
			continue
		}
		lo, hi := w.lo, w.hi
		for lo > 0 && isAlnum(s[lo-1]) {
			lo--
		}
		for hi < len(s) && isAlnum(s[hi]) {
			hi++
		}
		if possible != nil && !possible(s[lo:hi]) {
			continue
		}
		for _, m := range re.FindAllStringSubmatchIndex(s[lo:hi], -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += lo
				}
			}
			fn(m)
		}
	}
}

// The helpers below are the necessary conditions used as findNear's
// possible argument. They look at the window exactly as the regexp sees
// it: its ends count as word boundaries.

// isWordChar is regexp's \b class on folded text.
func isWordChar(c byte) bool { return isAlnum(c) || c == '_' }

// digitRun returns the largest number of digits in a run of digits, spaces
// and dots, the shape of the numbers that the context rules accept.
func digitRun(w string) int {
	best, n := 0, 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case isDigit(c):
			n++
			best = max(best, n)
		case c == ' ' || c == '.':
		default:
			n = 0
		}
	}
	return best
}

func countDigits(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isDigit(w[i]) {
			n++
		}
	}
	return n
}

// anyWord reports whether fn accepts one of the words of w, given the word
// and the rest of w from the word's start.
func anyWord(w string, fn func(word, rest string) bool) bool {
	for i := 0; i < len(w); {
		if !isWordChar(w[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(w) && isWordChar(w[j]) {
			j++
		}
		if fn(w[i:j], w[i:]) {
			return true
		}
		i = j
	}
	return false
}
