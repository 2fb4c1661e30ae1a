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
	if got, ok := newRepeats(st, rules, log).(repeats); !ok {
		t.Errorf("newRepeats on SQLite = %T, want repeats (in memory)", got)
	}
}
