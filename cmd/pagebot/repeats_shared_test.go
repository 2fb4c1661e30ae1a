package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot"
	"pagebot/config"
	"pagebot/moderation"
	"pagebot/postgres/pgtest"
)

// Two replicas on one PostgreSQL database: one author's identical comment,
// handled alternately by A's and B's worker (A, B, A), is queued for review
// at the 3rd copy overall (rules.yaml: 3 in 10 minutes), though neither
// replica saw three copies itself.
func TestRepeatsSharedByReplicas(t *testing.T) {
	dsn := pgtest.Schema(t)
	log, _ := logtest.NewNullLogger()
	var replicas []*server
	for _, name := range []string{"a", "b"} {
		c := config.Default()
		c.Data.Dir = filepath.Join(t.TempDir(), name)
		c.Store.DSN = dsn
		s, err := openServer(c, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		replicas = append(replicas, s)
	}
	ctx := context.Background()
	at := time.Now()
	for i := range 4 {
		s := replicas[i%2]
		id := fmt.Sprintf("post1_%d", 100+i)
		evs, err := s.store.SaveEvents(ctx, []pagebot.Event{{Key: "comment:" + id + ":add", PageID: "page1",
			Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment, ObjectID: id, PostID: "post1",
			ParentID: "post1", SenderID: "spammer", Text: "Rendez-moi mon argent !!",
			CreatedAt: at.Add(time.Duration(i) * time.Second)}})
		if err != nil || len(evs) != 1 {
			t.Fatalf("copy %d: SaveEvents = %v, %v", i+1, evs, err)
		}
		if n, err := s.workers[0].ProcessEvents(ctx); err != nil || n != 1 {
			t.Fatalf("copy %d: ProcessEvents on replica %c = %d, %v; want 1", i+1, 'A'+i%2, n, err)
		}
		rule := reviewRule(t, s, id)
		if want := i >= 2; (rule != "") != want {
			t.Errorf("copy %d (replica %c): review rule %q, want a review: %v", i+1, 'A'+i%2, rule, want)
		}
		if prefix := fmt.Sprintf("repeat:%dx/10m0s#", i+1); rule != "" && !strings.HasPrefix(rule, prefix) {
			t.Errorf("copy %d: rule %q, want %s…", i+1, rule, prefix)
		}
	}
}

// reviewRule returns the rule of the moderation review audited for a
// comment, "" if none.
func reviewRule(t *testing.T, s *server, commentID string) string {
	t.Helper()
	audit, err := s.store.Audit(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range audit {
		if a.Action == "moderation.review" && a.Subject == "comment:"+commentID {
			return a.Detail
		}
	}
	return ""
}

// With SQLite, one process, repeats are counted in memory.
func TestRepeatsInMemoryOnSQLite(t *testing.T) {
	c := config.Default()
	c.Data.Dir = t.TempDir()
	st, err := openStore(c)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rules, err := moderation.DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	log, _ := logtest.NewNullLogger()
	limits := func() (time.Duration, int) { return rules.RepeatWindow, rules.RepeatLimit }
	if got, ok := newRepeats(st, limits, log).(repeats); !ok {
		t.Errorf("newRepeats on SQLite = %T, want repeats (in memory)", got)
	}
}

// The repeat window and limit follow the rules in service: lowered to 2 in
// the console, the next second copy is queued for review, without a
// restart (SQLite, in memory; the shared counter reads the same limits).
func TestRepeatLimitsFollowEditedRules(t *testing.T) {
	log, _ := logtest.NewNullLogger()
	c := config.Default()
	c.Data.Dir = t.TempDir()
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	at := time.Now()
	copyOf := func(i int, author string) string {
		t.Helper()
		id := fmt.Sprintf("post1_%d", 200+i)
		if _, err := s.store.SaveEvents(ctx, []pagebot.Event{{Key: "comment:" + id + ":add", PageID: "page1",
			Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment, ObjectID: id, PostID: "post1",
			ParentID: "post1", SenderID: author, Text: "Répondez-moi enfin",
			CreatedAt: at.Add(time.Duration(i) * time.Second)}}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.workers[0].ProcessEvents(ctx); err != nil || n != 1 {
			t.Fatalf("copy %d: ProcessEvents = %d, %v", i+1, n, err)
		}
		return reviewRule(t, s, id)
	}
	for i := range 2 {
		if rule := copyOf(i, "insistant"); rule != "" {
			t.Fatalf("copy %d with the shipped limit 3: review %q", i+1, rule)
		}
	}
	edited := strings.Replace(string(s.moderation.RulesYAML()), "repeats:\n  window: 10m\n  limit: 3", "repeats:\n  window: 10m\n  limit: 2", 1)
	if edited == string(s.moderation.RulesYAML()) {
		t.Fatal("shipped rules have no 'repeats: window: 10m, limit: 3' block to edit")
	}
	if err := s.moderation.SetRulesYAML([]byte(edited)); err != nil {
		t.Fatal(err)
	}
	// Another author's first and second copies: the second now reaches
	// the limit, which it did not before the edit.
	if rule := copyOf(2, "autre"); rule != "" {
		t.Fatalf("first copy of another author: review %q", rule)
	}
	if rule := copyOf(3, "autre"); !strings.HasPrefix(rule, "repeat:2x/") {
		t.Fatalf("second copy after lowering the limit to 2: review %q, want repeat:2x", rule)
	}
}
