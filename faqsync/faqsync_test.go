package faqsync_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/faqsync"
	"pagebot/kb"
	"pagebot/postgres"
	"pagebot/postgres/pgtest"
)

// replica is one pagebot's view of the shared FAQ: an index and its syncer.
type replica struct {
	db    *postgres.DB
	index *kb.Index
	sync  *faqsync.Syncer
}

// startReplica opens a store on dsn, seeds the pack if the store is empty,
// builds an index from the stored FAQ and keeps it in step until the test
// ends, as `pagebot serve` does.
func startReplica(t *testing.T, dsn string) *replica {
	t.Helper()
	r := openReplica(t, dsn)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.sync.Run(runCtx, r.db.WatchFAQ, time.Minute) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// openReplica is startReplica without the watch: its index moves only when
// the test calls Refresh.
func openReplica(t *testing.T, dsn string) *replica {
	t.Helper()
	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	seed, err := kb.Pack("caf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedFAQ(ctx, seed); err != nil {
		t.Fatal(err)
	}
	faq, rev, err := db.LoadFAQ(ctx)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := kb.Open("", faq, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	// Warnings and errors go to the test's output: a failing refresh is
	// then visible in the report.
	log := logrus.New()
	log.SetLevel(logrus.WarnLevel)
	log.SetOutput(os.Stderr)
	return &replica{db: db, index: idx, sync: faqsync.New(db, idx, faq, rev, log)}
}

// edit puts an entry through the replica's syncer and saves it, as the
// console does.
func (r *replica) edit(e kb.Entry) error {
	if err := r.sync.Put(e); err != nil {
		return err
	}
	return r.sync.SaveFAQ(r.sync.FAQ())
}

// waitFor polls until the replica's index has the entry as given.
func waitFor(t *testing.T, r *replica, e kb.Entry, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if got, ok := r.index.FAQ().Entry(e.ID); ok && kb.SameEntry(got, e) {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("entry %q not in the other replica's index after %v", e.ID, within)
	return 0
}

func TestEditReachesOtherReplica(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, b := startReplica(t, dsn), startReplica(t, dsn)
	e := kb.Entry{ID: "test-sync", Question: "Quand la prime zorglub est-elle versée ?", Answer: "Le 5 de chaque mois."}
	if err := a.edit(e); err != nil {
		t.Fatal(err)
	}
	// The promise is a second; the race detector slows the rebuild several
	// times, so the budget is widened under it.
	budget := time.Second
	if raceEnabled {
		budget = 10 * time.Second
	}
	took := waitFor(t, b, e, budget)
	t.Logf("edit searchable in the other replica's index after %v", took)
	res, err := b.index.Search("prime zorglub versee quand", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) == 0 || res.Candidates[0].Entry.ID != e.ID {
		t.Fatalf("the other replica does not find the new entry first: %+v", res.Candidates)
	}

	// Deletion travels too.
	if err := a.sync.Delete(e.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.sync.SaveFAQ(a.sync.FAQ()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(budget)
	for {
		if _, ok := b.index.FAQ().Entry(e.ID); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deleted entry still in the other replica's index after %v", budget)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// A replica started now builds its index from the database.
	c := startReplica(t, dsn)
	if c.index.DocCount() != a.index.DocCount() {
		t.Fatalf("new replica has %d entries, want %d", c.index.DocCount(), a.index.DocCount())
	}
}

func TestConcurrentEdits(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, b := startReplica(t, dsn), startReplica(t, dsn)
	faq := a.index.FAQ()
	one, two := faq.Entries[0], faq.Entries[1]

	// Different entries at the same moment: both kept everywhere.
	one.Answer, two.Answer = "Réponse revue par A.", "Réponse revue par B."
	errs := make(chan error, 2)
	go func() { errs <- a.edit(one) }()
	go func() { errs <- b.edit(two) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("edit of a different entry refused: %v", err)
		}
	}
	// Each replica rebuilds its index once or twice: under the race
	// detector on a loaded machine that takes seconds.
	budget := 2 * time.Second
	if raceEnabled {
		budget = 15 * time.Second
	}
	for _, r := range []*replica{a, b} {
		waitFor(t, r, one, budget)
		waitFor(t, r, two, budget)
	}

}

func TestStaleEditRefused(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, b := openReplica(t, dsn), openReplica(t, dsn) // no reloads unless asked
	e, _ := a.index.FAQ().Entry(a.index.FAQ().Entries[0].ID)
	mine, theirs := e, e
	mine.Answer, theirs.Answer = "Version de A.", "Version de B, faite sur l'ancienne."
	if err := a.edit(mine); err != nil {
		t.Fatal(err)
	}
	if err := b.edit(theirs); pagebot.ErrorCode(err) != pagebot.ECONFLICT {
		t.Fatalf("edit of an entry changed meanwhile through another replica: %v, want ECONFLICT", err)
	}
	// The console puts the entry back as it was, then the reload brings A's.
	if err := b.sync.Put(e); err != nil {
		t.Fatal(err)
	}
	if err := b.sync.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.index.FAQ().Entry(e.ID); !kb.SameEntry(got, mine) {
		t.Fatalf("after the reload B serves %q, want A's version", got.Answer)
	}
	// Now on the current version, B's edit goes through.
	if err := b.edit(theirs); err != nil {
		t.Fatalf("edit on the current version: %v", err)
	}
	if err := a.sync.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.index.FAQ().Entry(e.ID); !kb.SameEntry(got, theirs) {
		t.Fatalf("A serves %q after B's edit, want B's", got.Answer)
	}
}

func TestUnsavedEditSurvivesReload(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, b := openReplica(t, dsn), openReplica(t, dsn)
	faq := a.index.FAQ()
	one, two := faq.Entries[0], faq.Entries[1]
	one.Answer, two.Answer = "Par A.", "Par B, pas encore enregistrée."
	if err := a.edit(one); err != nil {
		t.Fatal(err)
	}
	// B has put its edit in its index, not saved it yet, when A's change
	// arrives.
	if err := b.sync.Put(two); err != nil {
		t.Fatal(err)
	}
	if err := b.sync.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := b.index.FAQ()
	if e, _ := got.Entry(one.ID); !kb.SameEntry(e, one) {
		t.Errorf("B lacks A's edit after the reload")
	}
	if e, _ := got.Entry(two.ID); !kb.SameEntry(e, two) {
		t.Fatalf("the reload undid B's unsaved edit")
	}
	if err := b.sync.SaveFAQ(b.sync.FAQ()); err != nil {
		t.Fatal(err)
	}
	stored, _, err := b.db.LoadFAQ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []kb.Entry{one, two} {
		if e, _ := stored.Entry(want.ID); !kb.SameEntry(e, want) {
			t.Errorf("stored %q = %q, want %q", want.ID, e.Answer, want.Answer)
		}
	}
}
