package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"pagebot"
	"pagebot/kb"
	"pagebot/postgres"
)

func sampleFAQ(n int) *kb.FAQ {
	f := &kb.FAQ{Organism: "caf", Reviewed: "2026-11-27"}
	for i := range n {
		f.Entries = append(f.Entries, kb.Entry{ID: fmt.Sprintf("e%02d", i), Question: fmt.Sprintf("Question %d ?", i),
			Answer: "Réponse.", Tags: []string{"t"}})
	}
	return f
}

func TestFAQSeedOnce(t *testing.T) {
	dsn := MustSchema(t)
	ctx := context.Background()
	dbs := make([]*postgres.DB, 4)
	for i := range dbs {
		dbs[i] = mustOpen(t, dsn)
	}
	if faq, rev, err := dbs[0].LoadFAQ(ctx); err != nil || faq != nil || rev != 0 {
		t.Fatalf("LoadFAQ on an empty store = %v, %d, %v; want nil, 0, nil", faq, rev, err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		winner = -1
		seeded int
	)
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := db.SeedFAQ(ctx, sampleFAQ(i+2))
			if err != nil {
				t.Errorf("SeedFAQ %d: %v", i, err)
				return
			}
			if ok {
				mu.Lock()
				winner, seeded = i, seeded+1
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if seeded != 1 {
		t.Fatalf("%d seeds stored, want exactly 1", seeded)
	}
	for i, db := range dbs {
		faq, rev, err := db.LoadFAQ(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rev != 1 {
			t.Errorf("handle %d: revision %d, want 1", i, rev)
		}
		if diff := cmp.Diff(sampleFAQ(winner+2), faq, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("handle %d loads another FAQ than the seed stored (-want +got):\n%s", i, diff)
		}
	}
}

func TestChangeFAQ(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.ChangeFAQ(ctx, kb.Diff(nil, sampleFAQ(1))); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Fatalf("ChangeFAQ before any seed: %v, want ENOTFOUND", err)
	}
	base := sampleFAQ(3)
	if _, err := db.SeedFAQ(ctx, base); err != nil {
		t.Fatal(err)
	}
	// A colleague's edit (through another replica) and ours, on different
	// entries, from the same base: both are kept.
	theirs := sampleFAQ(3)
	theirs.Entries[0].Answer = "Leur réponse."
	if rev, err := db.ChangeFAQ(ctx, kb.Diff(base, theirs)); err != nil || rev != 2 {
		t.Fatalf("their change: rev %d, %v", rev, err)
	}
	ours := sampleFAQ(3)
	ours.Entries[1].Answer = "Notre réponse."
	ours.Entries = append(ours.Entries, kb.Entry{ID: "new", Question: "Nouvelle ?", Answer: "Oui."})
	if rev, err := db.ChangeFAQ(ctx, kb.Diff(base, ours)); err != nil || rev != 3 {
		t.Fatalf("our change: rev %d, %v", rev, err)
	}
	got, rev, err := db.LoadFAQ(ctx)
	if err != nil || rev != 3 {
		t.Fatalf("LoadFAQ: rev %d, %v", rev, err)
	}
	want := sampleFAQ(3)
	want.Entries[0].Answer, want.Entries[1].Answer = "Leur réponse.", "Notre réponse."
	want.Entries = append(want.Entries, kb.Entry{ID: "new", Question: "Nouvelle ?", Answer: "Oui."})
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("stored FAQ after two edits from one base (-want +got):\n%s", diff)
	}

	// Changes made on a stale copy are refused whole.
	stale := []struct {
		name string
		next func() *kb.FAQ
		base *kb.FAQ
	}{
		{"edit of an entry edited meanwhile", func() *kb.FAQ {
			f := sampleFAQ(3)
			f.Entries[0].Answer = "Écrase."
			return f
		}, sampleFAQ(3)},
		{"delete of an entry edited meanwhile", func() *kb.FAQ {
			f := sampleFAQ(3)
			f.Entries = f.Entries[1:]
			return f
		}, sampleFAQ(3)},
		{"creation of an entry created meanwhile", func() *kb.FAQ {
			f := sampleFAQ(3)
			f.Entries = append(f.Entries, kb.Entry{ID: "new", Question: "Autre ?", Answer: "Non."}, kb.Entry{ID: "x", Question: "X ?", Answer: "X."})
			return f
		}, sampleFAQ(3)},
		{"edit of an entry deleted meanwhile", func() *kb.FAQ {
			f := sampleFAQ(4)
			f.Entries[3].Answer = "Change."
			return f
		}, sampleFAQ(4)},
	}
	for _, tc := range stale {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ChangeFAQ(ctx, kb.Diff(tc.base, tc.next()))
			if pagebot.ErrorCode(err) != pagebot.ECONFLICT {
				t.Fatalf("ChangeFAQ = %v, want ECONFLICT", err)
			}
			after, rev, err := db.LoadFAQ(ctx)
			if err != nil || rev != 3 {
				t.Fatalf("after a refused change: rev %d, %v; want 3", rev, err)
			}
			if diff := cmp.Diff(want, after, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("a refused change altered the FAQ (-want +got):\n%s", diff)
			}
		})
	}

	// Deleting and reordering (an import).
	next := &kb.FAQ{Organism: "caf", Reviewed: "2026-12-01", Entries: []kb.Entry{want.Entries[3], want.Entries[0]}}
	if _, err := db.ChangeFAQ(ctx, kb.Diff(want, next)); err != nil {
		t.Fatal(err)
	}
	got, _, err = db.LoadFAQ(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(next, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("after an import (-want +got):\n%s", diff)
	}
}

func TestWatchFAQ(t *testing.T) {
	dsn := MustSchema(t)
	db, other := mustOpen(t, dsn), mustOpen(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan time.Time, 16)
	done := make(chan error, 1)
	go func() { done <- db.WatchFAQ(ctx, func() { calls <- time.Now() }) }()
	select {
	case <-calls: // the first call, once listening
	case <-time.After(10 * time.Second):
		t.Fatal("WatchFAQ did not start listening")
	}
	if _, err := other.SeedFAQ(ctx, sampleFAQ(2)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case at := <-calls:
		if d := at.Sub(start); d > time.Second {
			t.Errorf("notified %v after the commit, want under a second", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after another handle seeded the FAQ")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("WatchFAQ returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchFAQ did not return after cancel")
	}
}
