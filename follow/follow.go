// Package follow keeps a replica in step with something stored in a shared
// database (the FAQ, the moderation rules): it refreshes when the database
// says it may have changed (PostgreSQL LISTEN/NOTIFY), and every poll as
// well, since a notification sent while the listening connection was down
// is lost.
package follow

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
)

// Watcher calls changed each time the stored thing may have changed, until
// ctx is done: (*postgres.DB).WatchFAQ, WatchDocuments.
type Watcher func(ctx context.Context, changed func()) error

// RetryAfter is how soon a refresh that failed is tried again.
const RetryAfter = time.Second

// Run calls refresh whenever watch signals a change, every poll, and
// RetryAfter a failed refresh, until ctx is done; it returns once the
// watcher has let its connection go. Signals that come while a refresh
// runs are folded into one more refresh. what names the thing in the log
// (nil log: nothing is logged).
func Run(ctx context.Context, watch Watcher, poll time.Duration, refresh func(context.Context) error, log logrus.FieldLogger, what string) {
	kick := make(chan struct{}, 1)
	signal := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		_ = watch(ctx, signal)
	}()
	defer func() { <-watched }()
	t := time.NewTicker(poll)
	defer t.Stop()
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		case <-retry:
		}
		retry = nil
		if err := refresh(ctx); err != nil && ctx.Err() == nil {
			if log != nil {
				log.WithError(err).Errorf("%s refresh failed; retrying in %v", what, RetryAfter)
			}
			retry = time.After(RetryAfter)
		}
	}
}
