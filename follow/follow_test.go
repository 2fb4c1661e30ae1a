package follow_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"pagebot/follow"
)

// A signal brings a refresh; a failed refresh is tried again without a
// signal; Run returns after cancel only once the watcher has returned.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan func(), 1)
	var watcherDone atomic.Bool
	watch := func(ctx context.Context, changed func()) error {
		signals <- changed
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // letting its connection go
		watcherDone.Store(true)
		return nil
	}
	var calls atomic.Int32
	refreshed := make(chan int32, 10)
	refresh := func(context.Context) error {
		n := calls.Add(1)
		refreshed <- n
		if n == 1 {
			return errors.New("database down")
		}
		return nil
	}
	done := make(chan struct{})
	go func() { follow.Run(ctx, watch, time.Hour, refresh, nil, "test"); close(done) }()
	(<-signals)()
	for want := int32(1); want <= 2; want++ {
		select {
		case n := <-refreshed:
			if n != want {
				t.Fatalf("refresh %d, want %d", n, want)
			}
		case <-time.After(3 * follow.RetryAfter):
			t.Fatalf("refresh %d did not come (the first after the signal, the second as a retry)", want)
		}
	}
	select {
	case n := <-refreshed:
		t.Fatalf("refresh %d without a signal, a poll or a failure", n)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	<-done
	if !watcherDone.Load() {
		t.Error("Run returned before its watcher")
	}
}
