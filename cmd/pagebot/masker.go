package main

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot/bot"
	"pagebot/moderation"
	"pagebot/pii"
	"pagebot/worker"
)

// piiMasker adapts the personal-data detector to the engine's Masker.
type piiMasker struct{ d *pii.Detector }

func (m piiMasker) Mask(text string) (string, []string) {
	r := m.d.Mask(text)
	kinds := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		kinds[i] = string(k)
	}
	return r.Masked, kinds
}

// newMasker returns the personal-data masker used by every command.
func newMasker() bot.Masker { return piiMasker{d: pii.New()} }

// maskText masks a text as the webhook does before storing it.
func maskText(text string) string {
	masked, _ := textMasker.Mask(text)
	return masked
}

var textMasker = newMasker()

// repeatLimitsFunc returns the repeat window and limit in force: those of
// the moderation rules in service, which staff may edit at any time.
type repeatLimitsFunc func() (time.Duration, int)

// repeats adapts the repeated-comment tracker to the worker.
type repeats struct {
	r      *moderation.Repeats
	limits repeatLimitsFunc
}

func (r repeats) Note(author, text string, at time.Time) (bool, string) {
	r.r.SetLimits(r.limits())
	res := r.r.Note(author, text, at)
	return res.Verdict != moderation.OK, res.Rule
}

// repeatCounter is a store that counts repeated comments for every replica
// (PostgreSQL): see postgres.DB.NoteRepeat.
type repeatCounter interface {
	NoteRepeat(ctx context.Context, author string, sum uint64, at time.Time, window time.Duration) (int, error)
}

// sharedRepeats is repeats counted in the database, so that a spammer whose
// copies are split between replicas is still caught at the limit-th one.
// It judges like moderation.Repeats (moderation.RepeatSum and RepeatResult)
// but keeps no per-author cap on what it counts.
type sharedRepeats struct {
	db     repeatCounter
	limits repeatLimitsFunc
	log    logrus.FieldLogger
}

// repeatTimeout bounds one count: the worker's interface has no context.
const repeatTimeout = 10 * time.Second

func (r sharedRepeats) Note(author, text string, at time.Time) (bool, string) {
	sum, ok := moderation.RepeatSum(author, text)
	if !ok {
		return false, ""
	}
	window, limit := r.limits()
	ctx, cancel := context.WithTimeout(context.Background(), repeatTimeout)
	defer cancel()
	n, err := r.db.NoteRepeat(ctx, author, sum, at, window)
	if err != nil {
		// The comment goes through the usual moderation; if the store is
		// down, completing the event fails too and it is handled again.
		r.log.WithError(err).Warn("repeated comments not counted")
		return false, ""
	}
	res := moderation.RepeatResult(n, limit, window, sum)
	return res.Verdict != moderation.OK, res.Rule
}

// newRepeats returns the repeated-comment tracker, with the window and
// limit of the rules in service: counted in the store when it is shared by
// replicas (PostgreSQL), else in memory (one process on SQLite).
func newRepeats(st *backend, limits repeatLimitsFunc, log logrus.FieldLogger) worker.Repeats {
	if db, ok := st.store.(repeatCounter); ok && st.faq != nil {
		return sharedRepeats{db: db, limits: limits, log: log}
	}
	return repeats{r: moderation.NewRepeats(limits()), limits: limits}
}
