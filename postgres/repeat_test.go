package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNoteRepeat(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	const (
		spam   = 0xfedcba9876543210 // above MaxInt64: stored as a negative bigint
		other  = 42
		window = 10 * time.Minute
	)
	steps := []struct {
		author string
		sum    uint64
		at     time.Duration
		want   int
	}{
		{"a", spam, 0, 1},
		{"a", other, time.Minute, 1},
		{"b", spam, 2 * time.Minute, 1},
		{"a", spam, 3 * time.Minute, 2},
		{"a", spam, 10 * time.Minute, 3},                      // the first, exactly window before, counts
		{"a", spam, 10*time.Minute + time.Microsecond, 3},     // the first is now older than the window
		{"a", spam, 2 * time.Minute, 5},                       // out of order: the four later ones count
		{"a", spam, 30 * time.Minute, 1},                      // all older than the window
		{"a", ^uint64(0), 30 * time.Minute, 1},                // the largest hash
		{"a", ^uint64(0), 30*time.Minute + time.Second, 2},    // round-trips
		{"c", spam, 30*time.Minute + 500*time.Nanosecond, 1},  // stored truncated to the microsecond
		{"c", spam, 30*time.Minute + 10*time.Minute + 999, 2}, // window start truncated alike: the previous counts
	}
	for i, s := range steps {
		got, err := db.NoteRepeat(ctx, s.author, s.sum, t0.Add(s.at), window)
		if err != nil || got != s.want {
			t.Errorf("step %d: NoteRepeat(%q, %#x, t0+%v) = %d, %v; want %d", i, s.author, s.sum, s.at, got, err, s.want)
		}
	}
}

// Two handles on one database stand for two replicas. In each round two
// goroutines, one per handle, note the same author's same comment three
// times each, all at the same moment. The six notes of a round must return
// the counts 1 to 6, each once: each note counts every copy noted before it
// by either handle, and no two notes count the same copies. So the 3rd to
// 6th copies are flagged (limit 3: four in all) and the 1st and 2nd are not.
// Without NoteRepeat's lock, two notes inserting and counting at once could
// both miss the other and return the same count. Each round uses another
// author, so that the rounds do not add up.
func TestNoteRepeatConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := MustSchema(t)
	handles := []interface {
		NoteRepeat(ctx context.Context, author string, sum uint64, at time.Time, window time.Duration) (int, error)
	}{mustOpen(t, dsn), mustOpen(t, dsn)}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for round := range 20 {
		author := fmt.Sprintf("spammer-%d", round)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts []int
			start  = make(chan struct{})
		)
		for _, db := range handles {
			wg.Go(func() {
				<-start
				for range 3 {
					n, err := db.NoteRepeat(ctx, author, 7, at, 10*time.Minute)
					if err != nil {
						t.Errorf("NoteRepeat: %v", err)
						return
					}
					mu.Lock()
					counts = append(counts, n)
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(counts)
		if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6}, counts); diff != "" {
			t.Fatalf("round %d: counts of six concurrent notes (-want +got):\n%s", round, diff)
		}
	}
}

// Purge deletes the sightings older than a day, whatever the retention;
// PurgeSender deletes the author's.
func TestPurgeRepeats(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	clock := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	const week = 7 * 24 * time.Hour
	for _, at := range []time.Time{clock.Add(-25 * time.Hour), clock.Add(-23 * time.Hour)} {
		for _, author := range []string{"a", "b"} {
			if _, err := db.NoteRepeat(ctx, author, 7, at, week); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Purge(ctx, clock.Add(-365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.NoteRepeat(ctx, "a", 7, clock, week); err != nil || n != 2 {
		t.Errorf("after Purge: NoteRepeat = %d, %v; want 2 (the sighting of 23 hours ago and this one)", n, err)
	}
	if _, err := db.PurgeSender(ctx, "b", "admin"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.NoteRepeat(ctx, "b", 7, clock, week); err != nil || n != 1 {
		t.Errorf("after PurgeSender(b): NoteRepeat(b) = %d, %v; want 1", n, err)
	}
	if n, err := db.NoteRepeat(ctx, "a", 7, clock, week); err != nil || n != 3 {
		t.Errorf("after PurgeSender(b): NoteRepeat(a) = %d, %v; want 3 (a's are kept)", n, err)
	}
}
