package postgres_test

import (
	"bytes"
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"pagebot/postgres"
)

func TestDocuments(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if body, rev, err := db.LoadDocument(ctx, "moderation.yaml"); err != nil || body != nil || rev != 0 {
		t.Fatalf("LoadDocument before any save = %q, %d, %v; want nil, 0, nil", body, rev, err)
	}
	saves := []struct {
		name string
		body []byte
		rev  int64
	}{
		{"moderation.yaml", []byte("version: 1\n"), 1},
		{"moderation.yaml", []byte("version: 1\n# modifié à 17 h\n"), 2},
		{"other", []byte("\x00\xff pas de l'UTF-8"), 1}, // revisions are per name; bytes kept as is
		{"moderation.yaml", []byte{}, 3},
		{"moderation.yaml", []byte("version: 1\ncategories: []\n"), 4},
	}
	for _, s := range saves {
		rev, err := db.SaveDocument(ctx, s.name, s.body)
		if err != nil || rev != s.rev {
			t.Fatalf("SaveDocument(%q, %q) = %d, %v; want %d, nil", s.name, s.body, rev, err, s.rev)
		}
		body, rev, err := db.LoadDocument(ctx, s.name)
		if err != nil || !bytes.Equal(body, s.body) || body == nil || rev != s.rev {
			t.Fatalf("LoadDocument(%q) = %q, %d, %v; want %q, %d, nil", s.name, body, rev, err, s.body, s.rev)
		}
	}
	if body, rev, err := mustOpen(t, db.DSN).LoadDocument(ctx, "other"); err != nil || string(body) != "\x00\xff pas de l'UTF-8" || rev != 1 {
		t.Errorf("LoadDocument through another handle = %q, %d, %v", body, rev, err)
	}
	if _, err := db.SaveDocument(ctx, "", []byte("x")); err == nil {
		t.Error(`SaveDocument("") = nil error, want one`)
	}
}

// Concurrent saves of one document, from several handles, get distinct
// revisions with no gap: the last one stored is the one with the highest.
func TestSaveDocumentConcurrent(t *testing.T) {
	dsn := MustSchema(t)
	ctx := context.Background()
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		revs = map[int64]string{}
	)
	for i := range n {
		db := mustOpen(t, dsn)
		wg.Go(func() {
			body := string(rune('a' + i))
			rev, err := db.SaveDocument(ctx, "doc", []byte(body))
			if err != nil {
				t.Errorf("SaveDocument %d: %v", i, err)
				return
			}
			mu.Lock()
			revs[rev] = body
			mu.Unlock()
		})
	}
	wg.Wait()
	got := make([]int64, 0, len(revs))
	for rev := range revs {
		got = append(got, rev)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	for i, rev := range got {
		if rev != int64(i+1) {
			t.Fatalf("revisions of %d concurrent saves = %v, want 1 to %d", n, got, n)
		}
	}
	body, rev, err := mustOpen(t, dsn).LoadDocument(ctx, "doc")
	if err != nil || rev != n || string(body) != revs[n] {
		t.Errorf("LoadDocument = %q, %d, %v; want %q, %d (the last save)", body, rev, err, revs[n], n)
	}
}

func TestWatchDocuments(t *testing.T) {
	dsn := MustSchema(t)
	db, other := mustOpen(t, dsn), mustOpen(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan time.Time, 16)
	done := make(chan error, 1)
	go func() { done <- db.WatchDocuments(ctx, func() { calls <- time.Now() }) }()
	select {
	case <-calls: // the first call, once listening
	case <-time.After(10 * time.Second):
		t.Fatal("WatchDocuments did not start listening")
	}
	// A FAQ change is notified on another channel: it must not wake the
	// documents' watcher. Notifications arrive in commit order, so a wrong
	// wake would be one more call, right after this one.
	if _, err := other.SeedFAQ(ctx, sampleFAQ(1)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := other.SaveDocument(ctx, "moderation.yaml", []byte("version: 1\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-calls:
		d := at.Sub(start)
		if d > time.Second {
			t.Errorf("notified %v after the commit, want under a second", d)
		}
		t.Logf("notified %v after the save", d)
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after another handle saved a document")
	}
	select {
	case <-calls:
		t.Error("two calls after one save and a FAQ change, want one")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("WatchDocuments returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchDocuments did not return after cancel")
	}
}

var _ interface {
	LoadDocument(ctx context.Context, name string) ([]byte, int64, error)
	SaveDocument(ctx context.Context, name string, body []byte) (int64, error)
	WatchDocuments(ctx context.Context, changed func()) error
} = (*postgres.DB)(nil)
