package webhook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pagebot"
)

// slowStore dedupes by key and takes a while per save, like a disk flush.
type slowStore struct {
	mu    sync.Mutex
	keys  map[string]bool
	saves atomic.Int64
	fail  bool
}

func (s *slowStore) SaveEvents(ctx context.Context, evs []pagebot.Event) ([]pagebot.Event, error) {
	s.saves.Add(1)
	time.Sleep(2 * time.Millisecond)
	if s.fail {
		return nil, errors.New("disk full")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []pagebot.Event
	for _, e := range evs {
		if !s.keys[e.Key] {
			s.keys[e.Key] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func TestGroupCommitBatchesAndSplits(t *testing.T) {
	st := &slowStore{keys: map[string]bool{}}
	g := NewGroupCommit(st, 100)
	defer g.Close()
	const n = 200
	var wg sync.WaitGroup
	inserted := make([]int, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Every event twice (a duplicate delivery), each call its own key.
			evs := []pagebot.Event{{Key: fmt.Sprintf("k%d", i/2)}}
			got, err := g.SaveEvents(context.Background(), evs)
			inserted[i], errs[i] = len(got), err
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range inserted {
		if errs[i] != nil {
			t.Fatalf("SaveEvents %d: %v", i, errs[i])
		}
		total += inserted[i]
	}
	if total != n/2 {
		t.Errorf("inserted %d events, want %d (each key once)", total, n/2)
	}
	if s := st.saves.Load(); s >= n {
		t.Errorf("%d store saves for %d requests, want fewer (grouped)", s, n)
	}
}

func TestGroupCommitError(t *testing.T) {
	st := &slowStore{keys: map[string]bool{}, fail: true}
	g := NewGroupCommit(st, 10)
	defer g.Close()
	if _, err := g.SaveEvents(context.Background(), []pagebot.Event{{Key: "a"}}); err == nil {
		t.Error("SaveEvents succeeded on a failing store")
	}
}
