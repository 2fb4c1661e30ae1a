package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"pagebot"
	"pagebot/config"
	"pagebot/moderation"
)

// editedRules is where rules edited in the console are kept.
func editedRules(c config.Config) string { return filepath.Join(c.Data.Dir, "moderation.yaml") }

// liveModeration holds the moderation rules in service: the engine checks
// comments with them, and the console reads, tests and replaces them; a
// replacement is validated, saved, then swapped in at once.
type liveModeration struct {
	path string // where edits are saved
	mu   sync.Mutex
	yaml atomic.Pointer[[]byte]
	mod  atomic.Pointer[moderation.Moderator]
}

// newLiveModeration loads, in order, the rules edited in the console
// (data.dir/moderation.yaml), moderation.rules, or the shipped defaults.
func newLiveModeration(c config.Config) (*liveModeration, error) {
	l := &liveModeration{path: editedRules(c)}
	src := ""
	switch {
	case fileExists(l.path):
		src = l.path
	case c.Moderation.Rules != "":
		src = c.Moderation.Rules
	}
	var (
		data []byte
		err  error
	)
	if src != "" {
		if data, err = os.ReadFile(src); err != nil {
			return nil, fmt.Errorf("moderation.rules: %w", err)
		}
	} else {
		data = moderation.DefaultRulesYAML()
	}
	rules, err := moderation.Parse(filepath.Base(src), data)
	if err != nil {
		return nil, fmt.Errorf("moderation.rules: %w", err)
	}
	l.yaml.Store(&data)
	l.mod.Store(moderation.New(rules))
	return l, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Moderate implements bot.Moderator with the rules in service.
func (l *liveModeration) Moderate(text string) (string, string) {
	res := l.mod.Load().Check(text)
	return string(res.Verdict), res.Rule
}

// RulesYAML returns the rules file in service.
func (l *liveModeration) RulesYAML() []byte { return *l.yaml.Load() }

// SetRulesYAML validates data, saves it in the data directory and puts it
// in service. Problems in the file come back as EINVALID, one per line.
func (l *liveModeration) SetRulesYAML(data []byte) error {
	rules, err := moderation.Parse("moderation.yaml", data)
	if err != nil {
		return pagebot.Errorf(pagebot.EINVALID, "%s", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o750); err != nil {
		return fmt.Errorf("save moderation rules: %w", err)
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("save moderation rules: %w", err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("save moderation rules: %w", err)
	}
	cp := append([]byte(nil), data...)
	l.yaml.Store(&cp)
	l.mod.Store(moderation.New(rules))
	return nil
}

// Check implements console.ModerationChecker.
func (l *liveModeration) Check(text string) (string, string, string, []string) {
	res := l.mod.Load().Check(text)
	return string(res.Verdict), res.Rule, res.Category, res.Reasons
}
