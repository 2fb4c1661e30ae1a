package main

import (
	"fmt"
	"time"

	"pagebot/bot"
	"pagebot/config"
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

// ruleModerator adapts the moderation rules to the engine's Moderator.
type ruleModerator struct{ m *moderation.Moderator }

func (r ruleModerator) Moderate(text string) (string, string) {
	res := r.m.Check(text)
	return string(res.Verdict), res.Rule
}

// loadModeration loads the moderation rules: moderation.rules, or the
// shipped French defaults.
func loadModeration(c config.Config) (*moderation.Rules, error) {
	var (
		rules *moderation.Rules
		err   error
	)
	if c.Moderation.Rules != "" {
		rules, err = moderation.Load(c.Moderation.Rules)
	} else {
		rules, err = moderation.DefaultRules()
	}
	if err != nil {
		return nil, fmt.Errorf("moderation.rules: %w", err)
	}
	return rules, nil
}

// repeats adapts the repeated-comment tracker to the worker.
type repeats struct{ r *moderation.Repeats }

func (r repeats) Note(author, text string, at time.Time) (bool, string) {
	res := r.r.Note(author, text, at)
	return res.Verdict != moderation.OK, res.Rule
}
