package main

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/alert"
	"pagebot/config"
	"pagebot/postgres/pgtest"
)

type countingNotifier struct {
	mu    sync.Mutex
	count int
}

func (n *countingNotifier) Notify(ctx context.Context, subject, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.count++
	return nil
}

// Two replicas on one database tick in the same alert interval: staff get
// one digest, not one per replica. Run on SQLite (two handles on one file)
// and, when available, on PostgreSQL.
func TestAlertOncePerInterval(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "shared.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			shared := dsn(t)
			log := logrus.New()
			log.SetOutput(io.Discard)
			var replicas []*server
			for range 2 {
				c := config.Default()
				c.Data.Dir = filepath.Join(t.TempDir(), "data")
				c.Store.DSN = shared
				s, err := openServer(c, log)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				replicas = append(replicas, s)
			}
			paris, err := time.LoadLocation("Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 30, 10, 5, 0, 0, paris) // a Monday, office open
			ctx := context.Background()
			evs, err := replicas[0].store.SaveEvents(ctx, []pagebot.Event{{Key: "alert-test", PageID: "1", Kind: pagebot.EventCommentAdd,
				Channel: pagebot.ChannelComment, Text: "mon dossier est bloqué", CreatedAt: now.Add(-48 * time.Hour)}})
			if err != nil {
				t.Fatal(err)
			}
			if err := replicas[0].store.OpenCase(ctx, &pagebot.Case{EventID: evs[0].ID, Channel: pagebot.ChannelComment,
				Reason: "test", DueAt: now.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
			n := &countingNotifier{}
			sent := 0
			for i, s := range replicas {
				ok, err := s.alert(ctx, []alert.Notifier{n}, now.Add(time.Duration(i)*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					sent++
				}
			}
			if sent != 1 || n.count != 1 {
				t.Fatalf("two replicas in one interval sent %d digests (%d notifications), want 1", sent, n.count)
			}
			// The next interval has its own digest.
			if ok, err := replicas[1].alert(ctx, []alert.Notifier{n}, now.Add(replicas[1].cfg.Alert.Interval)); err != nil || !ok {
				t.Fatalf("next interval: sent %v, %v; want a digest", ok, err)
			}
		})
	}
}
