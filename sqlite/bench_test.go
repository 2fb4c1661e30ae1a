package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"pagebot"
)

// BenchmarkSaveEvents measures what the webhook waits for before answering
// Meta: one transaction of 1 or 10 events on a file, with the store's
// synchronous=FULL (an fsync per commit) and, for comparison, NORMAL.
func BenchmarkSaveEvents(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, batch := range []int{1, 10} {
			b.Run(fmt.Sprintf("sync=%s/batch=%d", sync, batch), func(b *testing.B) {
				dsn := filepath.Join(b.TempDir(), "pagebot.db")
				if sync != "FULL" {
					dsn += "?_synchronous=" + sync
				}
				db := mustOpen(b, dsn)
				ctx := context.Background()
				events := make([]pagebot.Event, batch)
				n := 0
				for b.Loop() {
					for i := range events {
						events[i] = event(fmt.Sprintf("message:%d", n))
						n++
					}
					if _, err := db.SaveEvents(ctx, events); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/event")
			})
		}
	}
}
