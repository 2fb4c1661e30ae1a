package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/config"
	"pagebot/follow"
	"pagebot/moderation"
)

// editedRules is where rules edited in the console are kept, unless the
// store shares them (sharedRules).
func editedRules(c config.Config) string { return filepath.Join(c.Data.Dir, "moderation.yaml") }

// rulesDocument is the name of the edited rules in a shared store.
const rulesDocument = "moderation.yaml"

// sharedRules is a store that keeps the edited moderation rules for every
// replica (PostgreSQL), as a named document: *postgres.DB.
type sharedRules interface {
	// LoadDocument returns a document and its revision (nil, 0 when none).
	LoadDocument(ctx context.Context, name string) ([]byte, int64, error)
	// SaveDocument stores a document, returns its new revision and
	// notifies the replicas.
	SaveDocument(ctx context.Context, name string, body []byte) (int64, error)
	// WatchDocuments calls changed each time a document may have changed,
	// until ctx is done.
	WatchDocuments(ctx context.Context, changed func()) error
}

// liveModeration holds the moderation rules in service: the engine checks
// comments with them, and the console reads, tests and replaces them; a
// replacement is validated, saved, then swapped in at once. With a shared
// store the rules are saved there, and Run puts an edit made through
// another replica in service.
type liveModeration struct {
	path string      // where edits are saved when docs is nil
	docs sharedRules // nil for SQLite
	log  logrus.FieldLogger
	mu   sync.Mutex // held by saves and reloads
	rev  int64      // revision of the shared document last seen
	yaml atomic.Pointer[[]byte]
	mod  atomic.Pointer[moderation.Moderator]
	// limits are the repeat window and limit of the rules in service.
	limits atomic.Pointer[repeatLimits]
}

// repeatLimits are the repeats.window and repeats.limit of a rules file.
type repeatLimits struct {
	window time.Duration
	limit  int
}

// RepeatLimits returns the repeat window and limit of the rules in
// service: an edit in the console applies to the next comment.
func (l *liveModeration) RepeatLimits() (time.Duration, int) {
	r := l.limits.Load()
	return r.window, r.limit
}

// newLiveModeration loads, in order, the rules edited in the console
// (data.dir/moderation.yaml), moderation.rules, or the shipped defaults.
func newLiveModeration(c config.Config) (*liveModeration, error) {
	return newSharedModeration(c, nil, nil)
}

// newSharedModeration is newLiveModeration for a store that may share the
// edited rules (docs nil: it does not). Rules stored there win over the
// data directory, moderation.rules and the defaults; stored rules that no
// longer parse are logged, and the replica starts with the local ones.
func newSharedModeration(c config.Config, docs sharedRules, log logrus.FieldLogger) (*liveModeration, error) {
	l := &liveModeration{path: editedRules(c), docs: docs, log: log}
	if docs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		data, rev, err := docs.LoadDocument(ctx, rulesDocument)
		if err != nil {
			return nil, fmt.Errorf("moderation rules: %w", err)
		}
		l.rev = rev
		if data != nil {
			rules, err := moderation.Parse(rulesDocument, data)
			if err == nil {
				l.swap(data, rules)
				return l, nil
			}
			l.logError(err, rev, "stored moderation rules do not parse; starting with the local ones")
		}
	}
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
	l.swap(data, rules)
	return l, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// swap puts rules, parsed from data, in service.
func (l *liveModeration) swap(data []byte, rules *moderation.Rules) {
	cp := append([]byte(nil), data...)
	l.yaml.Store(&cp)
	l.mod.Store(moderation.New(rules))
	l.limits.Store(&repeatLimits{window: rules.RepeatWindow, limit: rules.RepeatLimit})
}

// Moderate implements bot.Moderator with the rules in service.
func (l *liveModeration) Moderate(text string) (string, string) {
	res := l.mod.Load().Check(text)
	return string(res.Verdict), res.Rule
}

// RulesYAML returns the rules file in service.
func (l *liveModeration) RulesYAML() []byte { return *l.yaml.Load() }

// SetRulesYAML validates data, saves it (in the shared store, else in the
// data directory) and puts it in service. Problems in the file come back as
// EINVALID, one per line.
func (l *liveModeration) SetRulesYAML(data []byte) error {
	rules, err := moderation.Parse(rulesDocument, data)
	if err != nil {
		return pagebot.Errorf(pagebot.EINVALID, "%s", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.docs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rev, err := l.docs.SaveDocument(ctx, rulesDocument, data)
		if err != nil {
			return fmt.Errorf("save moderation rules: %w", err)
		}
		// rev is this very file: the next reload skips it, and brings
		// any later save made through another replica.
		l.rev = rev
		l.swap(data, rules)
		return nil
	}
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
	l.swap(data, rules)
	return nil
}

// Check implements console.ModerationChecker.
func (l *liveModeration) Check(text string) (string, string, string, []string) {
	res := l.mod.Load().Check(text)
	return string(res.Verdict), res.Rule, res.Category, res.Reasons
}

// Refresh reloads the shared rules if their revision moved and puts them in
// service. Rules that no longer parse are logged and those in service kept;
// they are not read again until the next save.
func (l *liveModeration) Refresh(ctx context.Context) error {
	if l.docs == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	data, rev, err := l.docs.LoadDocument(ctx, rulesDocument)
	if err != nil {
		return fmt.Errorf("reload moderation rules: %w", err)
	}
	if rev <= l.rev {
		return nil
	}
	l.rev = rev
	rules, err := moderation.Parse(rulesDocument, data)
	if err != nil {
		l.logError(err, rev, "stored moderation rules do not parse; keeping the rules in service")
		return nil
	}
	l.swap(data, rules)
	if l.log != nil {
		l.log.WithFields(logrus.Fields{"revision": rev, "bytes": len(data)}).Info("moderation rules reloaded from the store")
	}
	return nil
}

// Run keeps the rules in service in step with the shared store until ctx is
// done (see package follow: on notification, every poll, and soon after a
// failed reload). It returns at once when the rules are not shared.
func (l *liveModeration) Run(ctx context.Context, poll time.Duration) {
	if l.docs == nil {
		return
	}
	follow.Run(ctx, l.docs.WatchDocuments, poll, l.Refresh, l.log, "moderation rules")
}

// revision returns the revision of the shared rules last seen, in service
// or refused.
func (l *liveModeration) revision() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rev
}

func (l *liveModeration) logError(err error, rev int64, msg string) {
	if l.log != nil {
		l.log.WithError(err).WithField("revision", rev).Error(msg)
	}
}
