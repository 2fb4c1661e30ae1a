package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot"
	"pagebot/bot"
	"pagebot/config"
	"pagebot/moderation"
	"pagebot/postgres"
	"pagebot/postgres/pgtest"
)

// mustStartReplica starts a server with the default configuration, moderation
// on, its own data directory and the store dsn, stopped at the end of the
// test.
func mustStartReplica(t *testing.T, dsn string) (*server, *logtest.Hook) {
	t.Helper()
	c := config.Default()
	c.Data.Dir = filepath.Join(t.TempDir(), "data")
	c.Store.DSN = dsn
	log, hook := logtest.NewNullLogger()
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, "127.0.0.1:0") }()
	<-s.addr
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		s.Close()
	})
	return s, hook
}

// verdict is the moderation verdict of the replica's engine on a comment.
func verdict(t *testing.T, s *server, text string) string {
	t.Helper()
	d, err := s.engine.Decide(bot.Input{Channel: pagebot.ChannelComment, Text: text})
	if err != nil {
		t.Fatalf("Decide(%q): %v", text, err)
	}
	return d.Moderation
}

// withPattern returns the rules with word added to the first category's
// patterns.
func withPattern(t *testing.T, rules []byte, word string) []byte {
	t.Helper()
	const list = "    patterns:\n"
	i := bytes.Index(rules, []byte(list))
	if i < 0 {
		t.Fatal("no patterns list in the rules")
	}
	i += len(list)
	return append(append(append([]byte{}, rules[:i]...), "      - "+word+"\n"...), rules[i:]...)
}

// With a PostgreSQL store, the moderation rules edited through one
// replica's console are kept in the database: every running replica puts
// them in service within a second, and a replica started later starts with
// them. A stored file that does not parse leaves the rules in service.
func TestModerationSharedByReplicas(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, _ := mustStartReplica(t, dsn)
	b, logsB := mustStartReplica(t, dsn)
	const comment = "vous êtes zorglubesques"
	if v := verdict(t, b, comment); v != "ok" {
		t.Fatalf("B's verdict before the edit = %s, want ok", v)
	}

	// The console calls SetRulesYAML on A.
	edited := withPattern(t, a.moderation.RulesYAML(), "zorglubesque*")
	start := time.Now()
	if err := a.moderation.SetRulesYAML(edited); err != nil {
		t.Fatalf("SetRulesYAML on A: %v", err)
	}
	if v := verdict(t, a, comment); v == "ok" {
		t.Fatalf("A's verdict after its own edit = %s, want the new rule to fire", v)
	}
	for verdict(t, b, comment) == "ok" {
		if time.Since(start) > time.Second {
			t.Fatal("B still lets the comment through 1 s after the edit on A")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("edit on A in service on B after %v", time.Since(start))
	if got := b.moderation.RulesYAML(); !bytes.Equal(got, edited) {
		t.Errorf("B's rules file differs from the one saved on A:\n%s", got)
	}
	if fileExists(editedRules(a.cfg)) {
		t.Error("the edit was saved in A's data directory too; want the database only")
	}

	// A replica started afterwards, on an empty data directory.
	c, _ := mustStartReplica(t, dsn)
	if v := verdict(t, c, comment); v == "ok" {
		t.Errorf("a replica started after the edit: verdict %s, want the edited rules", v)
	}

	// A file that no longer parses, written behind the console's back.
	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	broken := []byte("version: 1\ncategories:\n  - name: x\n    verdict: peut-être\n")
	rev, err := db.SaveDocument(ctx, rulesDocument, broken)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	for b.moderation.revision() < rev {
		if time.Since(start) > time.Second {
			t.Fatalf("B has not seen revision %d 1 s after it was saved", rev)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if v := verdict(t, b, comment); v == "ok" {
		t.Errorf("after a broken file: B's verdict %s, want the rules in service kept", v)
	}
	if got := b.moderation.RulesYAML(); !bytes.Equal(got, edited) {
		t.Errorf("after a broken file, B serves:\n%s", got)
	}
	logged := false
	for _, e := range logsB.AllEntries() {
		if e.Level == logrus.ErrorLevel && strings.Contains(e.Message, "do not parse") && e.Data["revision"] == rev {
			logged = true
		}
	}
	if !logged {
		t.Error("B did not log the stored rules it refused")
	}

	// A valid edit through B afterwards reaches A: the loop kept running.
	restored := withPattern(t, moderation.DefaultRulesYAML(), "autremotinventé")
	start = time.Now()
	if err := b.moderation.SetRulesYAML(restored); err != nil {
		t.Fatal(err)
	}
	for !bytes.Equal(a.moderation.RulesYAML(), restored) {
		if time.Since(start) > time.Second {
			t.Fatal("A does not serve B's edit 1 s after it")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if v := verdict(t, a, comment); v != "ok" {
		t.Errorf("A's verdict after B restored the defaults = %s, want ok", v)
	}
}

// With SQLite nothing is shared: an edit is kept in data.dir, as before.
func TestModerationNotSharedOnSQLite(t *testing.T) {
	c := config.Default()
	c.Data.Dir = filepath.Join(t.TempDir(), "data")
	log, _ := logtest.NewNullLogger()
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.moderation.docs != nil {
		t.Fatal("SQLite store taken for a shared one")
	}
	edited := withPattern(t, s.moderation.RulesYAML(), "zorglubesque*")
	if err := s.moderation.SetRulesYAML(edited); err != nil {
		t.Fatal(err)
	}
	if !fileExists(editedRules(c)) {
		t.Error("edit not saved in the data directory")
	}
}
