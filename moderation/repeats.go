package moderation

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"pagebot/frtext"
)

// maxPerAuthor bounds what Repeats keeps for one author.
const maxPerAuthor = 32

// Repeats notices one author posting the same comment again and again. It
// keeps, in memory, a hash and a time per recent comment; it is safe for
// concurrent use.
type Repeats struct {
	window time.Duration
	limit  int

	mu    sync.Mutex
	seen  map[string][]sighting
	calls int
}

type sighting struct {
	sum uint64
	at  time.Time
}

// NewRepeats returns a tracker for which the limit-th identical comment of
// one author within window goes to review (rules.yaml: 10m and 3).
func NewRepeats(window time.Duration, limit int) *Repeats {
	return &Repeats{window: window, limit: max(limit, 2), seen: map[string][]sighting{}}
}

// SetLimits changes the window and the limit, for the comments noted from
// now on (the rules were edited); what was seen is kept.
func (r *Repeats) SetLimits(window time.Duration, limit int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.window, r.limit = window, max(limit, 2)
}

// Note records that author posted text at time at and returns a Review
// result (category "repeat") when the same text, once normalised, was
// already posted limit-1 times within the window; otherwise an OK result.
// Empty texts and empty authors are not tracked.
func (r *Repeats) Note(author, text string, at time.Time) Result {
	sum, ok := RepeatSum(author, text)
	if !ok {
		return Result{Verdict: OK}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls%1024 == 0 {
		r.sweep(at)
	}
	list := r.recent(r.seen[author], at)
	n := 1
	for _, s := range list {
		if s.sum == sum {
			n++
		}
	}
	list = append(list, sighting{sum, at})
	if len(list) > maxPerAuthor {
		list = list[len(list)-maxPerAuthor:]
	}
	r.seen[author] = list
	return RepeatResult(n, r.limit, r.window, sum)
}

// RepeatSum returns the hash under which Repeats counts a comment: the same
// for every spelling that normalises alike (case, accents, punctuation).
// It returns false for a comment that is not counted: an empty author, or
// nothing left once normalised. A counter shared by several processes keys
// its sightings on it, so that they all count alike.
func RepeatSum(author, text string) (uint64, bool) {
	norm := frtext.Normalize(text)
	if author == "" || norm == "" {
		return 0, false
	}
	h := fnv.New64a()
	h.Write([]byte(norm))
	return h.Sum64(), true
}

// RepeatResult is the verdict on the n-th comment of one author hashing to
// sum (RepeatSum) within window: Review, category "repeat", from the
// limit-th on (limit is at least 2, as in NewRepeats), else OK. The rule
// names the count, the window and a short hash, never the text: rules are
// logged.
func RepeatResult(n, limit int, window time.Duration, sum uint64) Result {
	if n < max(limit, 2) {
		return Result{Verdict: OK}
	}
	rule := fmt.Sprintf("%s:%dx/%s#%04x", CategoryRepeat, n, window, sum&0xffff)
	return Result{Verdict: Review, Rule: rule, Category: CategoryRepeat, Reasons: []string{rule}}
}

// recent drops the sightings older than the window.
func (r *Repeats) recent(list []sighting, now time.Time) []sighting {
	i := 0
	for i < len(list) && now.Sub(list[i].at) > r.window {
		i++
	}
	return list[i:]
}

// sweep forgets authors with nothing recent, so memory follows activity.
func (r *Repeats) sweep(now time.Time) {
	for a, list := range r.seen {
		if len(r.recent(list, now)) == 0 {
			delete(r.seen, a)
		}
	}
}

// Worse returns the more severe of two results (a when equal), to merge
// Check with Repeats.Note.
func Worse(a, b Result) Result {
	if b.Verdict.rank() > a.Verdict.rank() {
		return b
	}
	return a
}
