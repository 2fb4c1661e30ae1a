package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot"
	"pagebot/postgres"
	"pagebot/postgres/pgtest"
	"pagebot/storetest"
)

var _ storetest.Store = (*postgres.DB)(nil)

// dsnEnv names the server the tests run on; without it they skip.
const dsnEnv = pgtest.Env

// baseDSN returns the test server's DSN, or skips the test.
func baseDSN(tb testing.TB) string { tb.Helper(); return pgtest.BaseDSN(tb) }

// MustSchema creates an empty schema for one test (see pgtest.Schema).
func MustSchema(tb testing.TB) string { tb.Helper(); return pgtest.Schema(tb) }

// withSearchPath sets the search_path of a DSN (see pgtest.WithSearchPath).
func withSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	return pgtest.WithSearchPath(tb, dsn, schema)
}

// mustOpen opens a store on dsn, closed at the end of the test.
func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// MustOpenDB returns an opened store on a fresh schema.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	return mustOpen(tb, MustSchema(tb))
}

func TestContract(t *testing.T) {
	baseDSN(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpenDB(t) })
}

func TestOpen_DSNRequired(t *testing.T) {
	if err := postgres.New("").Open(); err == nil {
		t.Error(`New("").Open() = nil, want an error`)
	}
}

// TestOpenConcurrent opens the same new schema from several stores at once,
// as replicas starting together would: every Open must succeed and each
// migration be applied once.
func TestOpenConcurrent(t *testing.T) {
	dsn := MustSchema(t)
	const n = 6
	errs := make(chan error, n)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			db := postgres.New(dsn)
			<-start
			if err := db.Open(); err != nil {
				errs <- err
				return
			}
			errs <- db.Close()
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var applied, distinct int
	if err := conn.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).
		Scan(&applied, &distinct); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if want := migrationFiles(t); applied != want || distinct != want {
		t.Errorf("after %d concurrent Opens: %d migrations recorded (%d distinct), want %d", n, applied, distinct, want)
	}
}

func migrationFiles(tb testing.TB) int {
	tb.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("migrations: %v %v", files, err)
	}
	return len(files)
}

// TestReopen checks that a second Open of a migrated schema changes nothing
// and sees what the first one stored.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := MustSchema(t)
	first := mustOpen(t, dsn)
	saved, err := first.SaveEvents(ctx, []pagebot.Event{event("message:1", "psid1")})
	if err != nil || len(saved) != 1 {
		t.Fatalf("SaveEvents = %v, %v", saved, err)
	}
	second := mustOpen(t, dsn)
	got, err := second.Event(ctx, saved[0].ID)
	if err != nil {
		t.Fatalf("Event after reopening: %v", err)
	}
	if diff := cmp.Diff(saved[0], *got); diff != "" {
		t.Errorf("Event after reopening (-saved +read):\n%s", diff)
	}
}

// TestTwoHandles has two stores on one schema, as two replicas, claim and
// complete the same events and then run the same actions, several workers
// each: no event nor action may be taken twice, and none left behind.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	dsn := MustSchema(t)
	replicas := []*postgres.DB{mustOpen(t, dsn), mustOpen(t, dsn)}
	const n, workers = 300, 4
	var events []pagebot.Event
	for i := range n {
		events = append(events, event(fmt.Sprintf("message:%03d", i), fmt.Sprintf("psid%d", i)))
	}
	// Both replicas receive every delivery, as when Meta retries: each event
	// must be stored once.
	var (
		mu    sync.Mutex
		saved int
		wg    sync.WaitGroup
	)
	for _, db := range replicas {
		wg.Go(func() {
			for i := 0; i < n; i += 20 {
				got, err := db.SaveEvents(ctx, events[i:i+20])
				if err != nil {
					t.Errorf("SaveEvents: %v", err)
					return
				}
				mu.Lock()
				saved += len(got)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if saved != n {
		t.Fatalf("two replicas saving the same %d events inserted %d", n, saved)
	}

	seen := map[int64]string{}
	for r, db := range replicas {
		for w := range workers {
			owner := fmt.Sprintf("r%d-w%d", r, w)
			wg.Go(func() {
				for {
					got, err := db.ClaimEvents(ctx, owner, 5, time.Hour)
					if err != nil {
						t.Errorf("ClaimEvents(%s): %v", owner, err)
						return
					}
					if len(got) == 0 {
						return
					}
					for _, e := range got {
						mu.Lock()
						if other, ok := seen[e.ID]; ok {
							t.Errorf("event %d claimed by %s and %s", e.ID, other, owner)
						}
						seen[e.ID] = owner
						mu.Unlock()
						act := []pagebot.OutboxAction{{Kind: pagebot.OutboxSendMessage, Target: e.SenderID, Text: "Bonjour."}}
						if _, err := db.CompleteEvent(ctx, owner, e.ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, act, nil); err != nil {
							t.Errorf("CompleteEvent(%s, %d): %v", owner, e.ID, err)
						}
					}
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("replicas handled %d events, want %d", len(seen), n)
	}

	clear(seen)
	for r, db := range replicas {
		for w := range workers {
			owner := fmt.Sprintf("r%d-x%d", r, w)
			wg.Go(func() {
				for {
					got, err := db.ClaimActions(ctx, owner, 5, time.Hour)
					if err != nil {
						t.Errorf("ClaimActions(%s): %v", owner, err)
						return
					}
					if len(got) == 0 {
						return
					}
					for _, a := range got {
						mu.Lock()
						if other, ok := seen[a.ID]; ok {
							t.Errorf("action %d claimed by %s and %s", a.ID, other, owner)
						}
						seen[a.ID] = owner
						mu.Unlock()
						if a.Attempts != 1 {
							t.Errorf("action %d claimed by %s at attempt %d, want 1", a.ID, owner, a.Attempts)
						}
						if err := db.FinishAction(ctx, owner, a.ID, pagebot.OutboxDone, "mid."+owner, ""); err != nil {
							t.Errorf("FinishAction(%s, %d): %v", owner, a.ID, err)
						}
					}
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("replicas ran %d actions, want %d", len(seen), n)
	}
	st, err := replicas[0].Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st != (postgres.Stats{}) {
		t.Errorf("Stats after both replicas finished = %+v, want nothing waiting", st)
	}
}

// TestTakeoverRace has a second replica take over an expired lease while the
// first completes the event: exactly one of them may complete it.
func TestTakeoverRace(t *testing.T) {
	ctx := context.Background()
	dsn := MustSchema(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	for i := range 20 {
		saved, err := a.SaveEvents(ctx, []pagebot.Event{event(fmt.Sprintf("message:race%d", i), "psid1")})
		if err != nil || len(saved) != 1 {
			t.Fatalf("SaveEvents = %v, %v", saved, err)
		}
		id := saved[0].ID
		if got, err := a.ClaimEvents(ctx, "slow", 1, time.Millisecond); err != nil || len(got) != 1 {
			t.Fatalf("ClaimEvents(slow) = %v, %v", got, err)
		}
		time.Sleep(2 * time.Millisecond)
		var (
			wg             sync.WaitGroup
			errA, errB     error
			claimedByFresh []pagebot.Event
		)
		wg.Go(func() {
			_, errA = a.CompleteEvent(ctx, "slow", id, &pagebot.Decision{Action: pagebot.ActionIgnore}, nil, nil)
		})
		wg.Go(func() {
			claimedByFresh, errB = b.ClaimEvents(ctx, "fresh", 1, time.Hour)
			if errB == nil && len(claimedByFresh) == 1 {
				_, errB = b.CompleteEvent(ctx, "fresh", id, &pagebot.Decision{Action: pagebot.ActionIgnore}, nil, nil)
			}
		})
		wg.Wait()
		completions := 0
		if errA == nil {
			completions++
		} else if pagebot.ErrorCode(errA) != pagebot.ECONFLICT {
			t.Errorf("CompleteEvent(slow) = %v, want nil or ECONFLICT", errA)
		}
		if len(claimedByFresh) == 1 {
			if errB == nil {
				completions++
			} else {
				t.Errorf("fresh claimer's CompleteEvent = %v, want nil (it holds the lease)", errB)
			}
		} else if errB != nil {
			t.Errorf("ClaimEvents(fresh) = %v", errB)
		}
		if completions != 1 {
			t.Errorf("round %d: %d completions (slow: %v, fresh claimed %d: %v), want exactly 1",
				i, completions, errA, len(claimedByFresh), errB)
		}
	}
}

// TestTimes checks that times keep the microsecond, in UTC, whatever the
// location and precision they were given in.
func TestTimes(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	created := time.Date(2026, 3, 29, 2, 30, 0, 123456789, paris)
	ev := event("message:t", "psid1")
	ev.CreatedAt = created
	saved, err := db.SaveEvents(ctx, []pagebot.Event{ev})
	if err != nil || len(saved) != 1 {
		t.Fatalf("SaveEvents = %v, %v", saved, err)
	}
	want := time.UnixMicro(created.UnixMicro()).UTC()
	if saved[0].CreatedAt != want {
		t.Errorf("SaveEvents().CreatedAt = %v, want %v", saved[0].CreatedAt, want)
	}
	got, err := db.Event(ctx, saved[0].ID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if got.CreatedAt != want || got.ReceivedAt != saved[0].ReceivedAt {
		t.Errorf("Event() times = %v, %v; want %v, %v (same instant, UTC, microseconds)",
			got.CreatedAt, got.ReceivedAt, want, saved[0].ReceivedAt)
	}
}

func TestOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for i, want := range []bool{true, false, false} {
		if got, err := db.Once(ctx, "scam-warning:post1"); err != nil || got != want {
			t.Errorf("Once #%d = %v %v, want %v", i+1, got, err, want)
		}
	}
	if got, err := db.Once(ctx, "scam-warning:post2"); err != nil || !got {
		t.Errorf("Once(other key) = %v %v, want true", got, err)
	}
}

func TestAddAction(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	saved, err := db.SaveEvents(ctx, []pagebot.Event{event("comment:c1:add", "u1")})
	if err != nil || len(saved) != 1 {
		t.Fatalf("SaveEvents = %v, %v", saved, err)
	}
	got, err := db.AddAction(ctx, pagebot.OutboxAction{EventID: saved[0].ID, Kind: pagebot.OutboxUnhideComment,
		Target: "post1_c1", Attempts: 7, Result: "x", Error: "y", NextAt: now.Add(-time.Hour)})
	if err != nil {
		t.Fatalf("AddAction: %v", err)
	}
	want := pagebot.OutboxAction{ID: got.ID, EventID: saved[0].ID, Kind: pagebot.OutboxUnhideComment,
		Target: "post1_c1", Status: pagebot.OutboxPending, NextAt: now, CreatedAt: now, UpdatedAt: now}
	if diff := cmp.Diff(want, got); diff != "" || got.ID == 0 {
		t.Errorf("AddAction (-want +got), ID %d:\n%s", got.ID, diff)
	}
	stored, err := db.Action(ctx, got.ID)
	if err != nil {
		t.Fatalf("Action: %v", err)
	}
	if diff := cmp.Diff(got, *stored); diff != "" {
		t.Errorf("Action (-added +read):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		a    pagebot.OutboxAction
		code string
	}{
		{"no event", pagebot.OutboxAction{Kind: pagebot.OutboxUnhideComment, Target: "c"}, pagebot.EINVALID},
		{"no target", pagebot.OutboxAction{EventID: saved[0].ID, Kind: pagebot.OutboxUnhideComment}, pagebot.EINVALID},
		{"done", pagebot.OutboxAction{EventID: saved[0].ID, Kind: pagebot.OutboxUnhideComment, Target: "c", Status: pagebot.OutboxDone}, pagebot.EINVALID},
		{"unknown event", pagebot.OutboxAction{EventID: 4242, Kind: pagebot.OutboxUnhideComment, Target: "c"}, pagebot.ENOTFOUND},
	} {
		if _, err := db.AddAction(ctx, tc.a); pagebot.ErrorCode(err) != tc.code {
			t.Errorf("AddAction(%s) = %v, want code %s", tc.name, err, tc.code)
		}
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	handle := func(key, sender string, actions []pagebot.OutboxAction, c *pagebot.Case) pagebot.Event {
		t.Helper()
		ev := event(key, sender)
		ev.CreatedAt = clock
		if _, err := db.SaveEvents(ctx, []pagebot.Event{ev}); err != nil {
			t.Fatalf("save %s: %v", key, err)
		}
		got, err := db.ClaimEvents(ctx, "w", 10, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim %s: %v %v", key, got, err)
		}
		if _, err := db.CompleteEvent(ctx, "w", got[0].ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, actions, c); err != nil {
			t.Fatalf("complete %s: %v", key, err)
		}
		return got[0]
	}
	old := handle("message:old", "u1", nil, nil)
	withCase := handle("message:case", "u2", nil, &pagebot.Case{Channel: pagebot.ChannelMessage, SenderID: "u2", DueAt: clock})
	withAction := handle("message:action", "u3",
		[]pagebot.OutboxAction{{Kind: pagebot.OutboxSendMessage, Target: "u3", Text: "r", NextAt: clock}}, nil)
	clock = clock.Add(400 * 24 * time.Hour)
	recent := handle("message:recent", "u1", nil, nil)

	n, err := db.Purge(ctx, clock.Add(-365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d %v, want 1 (the old handled event only)", n, err)
	}
	if _, err := db.Event(ctx, old.ID); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Errorf("old event after purge: %v, want ENOTFOUND", err)
	}
	for _, id := range []int64{withCase.ID, withAction.ID, recent.ID} {
		if _, err := db.Event(ctx, id); err != nil {
			t.Errorf("event %d purged although still in use or recent: %v", id, err)
		}
	}
	n, err = db.PurgeSender(ctx, "u3", "admin")
	if err != nil || n != 1 {
		t.Fatalf("PurgeSender(u3) = %d %v, want 1", n, err)
	}
	if acts, _ := db.Actions(ctx, postgres.ActionFilter{}); len(acts) != 0 {
		t.Errorf("actions of u3 left: %+v", acts)
	}
	n, err = db.PurgeSender(ctx, "u2", "admin")
	if err != nil || n != 1 {
		t.Fatalf("PurgeSender(u2) = %d %v, want 1", n, err)
	}
	if cases, _ := db.Cases(ctx, "", 10); len(cases) != 0 {
		t.Errorf("cases of u2 left: %+v", cases)
	}
	audit, err := db.Audit(ctx, 10)
	if err != nil || len(audit) != 2 || audit[0].Action != "purge_sender" || audit[0].Subject != "" {
		t.Errorf("audit = %+v %v, want two purge entries naming nobody", audit, err)
	}
	if _, err := db.PurgeSender(ctx, "", "admin"); pagebot.ErrorCode(err) != pagebot.EINVALID {
		t.Errorf("PurgeSender(\"\") = %v, want EINVALID", err)
	}
}

func event(key, sender string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page1", Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage,
		SenderID: sender, Text: "Bonjour, où en est mon dossier [NUM] ?", PII: []string{"num"}}
}
