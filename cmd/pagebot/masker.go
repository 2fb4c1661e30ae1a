package main

import (
	"time"

	"pagebot/bot"
	"pagebot/moderation"
	"pagebot/pii"
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

// repeats adapts the repeated-comment tracker to the worker.
type repeats struct{ r *moderation.Repeats }

func (r repeats) Note(author, text string, at time.Time) (bool, string) {
	res := r.r.Note(author, text, at)
	return res.Verdict != moderation.OK, res.Rule
}
