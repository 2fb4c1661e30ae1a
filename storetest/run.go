package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot"
)

// Run runs the contract tests as subtests of t, each on a fresh store
// returned by open (which should register its own cleanup). The subtests run
// in parallel and use real time: leases of 50 ms and sleeps, so that a store
// relying on its database's clock (PostgreSQL's now()) passes them too.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"SaveEvents/Dedupe", testSaveEventsDedupe},
		{"SaveEvents/Invalid", testSaveEventsInvalid},
		{"SaveEvents/ZeroCreatedAt", testSaveEventsZeroCreatedAt},
		{"Event/NotFound", testEventNotFound},
		{"ClaimEvents/OrderAndExclusive", testClaimEventsOrder},
		{"ClaimEvents/LeaseExpiry", testClaimEventsLeaseExpiry},
		{"ClaimEvents/Concurrent", testClaimEventsConcurrent},
		{"ReleaseEvents", testReleaseEvents},
		{"CompleteEvent/OK", testCompleteEvent},
		{"CompleteEvent/NoDecision", testCompleteEventNoDecision},
		{"CompleteEvent/Atomic", testCompleteEventAtomic},
		{"CompleteEvent/Conflict", testCompleteEventConflict},
		{"ClaimActions", testClaimActions},
		{"ClaimActions/LeaseExpiry", testClaimActionsLeaseExpiry},
		{"FinishAction", testFinishAction},
		{"ActionByResult", testActionByResult},
		{"PageEchoed", testPageEchoed},
		{"RetryAction", testRetryAction},
		{"ReleaseActions", testReleaseActions},
		{"Actions/Filter", testActionsFilter},
		{"HumanActive", testHumanActive},
		{"Cases", testCases},
		{"OpenCase", testOpenCase},
		{"Audit", testAudit},
		{"Stats", testStats},
		{"Ping", testPing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// hour is a lease that never runs out during a test.
const hour = time.Hour

// base is a fixed past time, microsecond-aligned, from which test events
// take their CreatedAt.
var base = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func newEvent(key string, created time.Time) pagebot.Event {
	return pagebot.Event{
		Key:        key,
		PageID:     "page1",
		Kind:       pagebot.EventMessage,
		Channel:    pagebot.ChannelMessage,
		ObjectID:   "m_" + key,
		SenderID:   "psid1",
		SenderName: "Léa",
		Text:       "Mon numéro est [NIR], quand arrive mon aide ?",
		PII:        []string{"nir"},
		CreatedAt:  created,
	}
}

// mustSave stores events and returns the inserted ones.
func mustSave(tb testing.TB, s Store, events ...pagebot.Event) []pagebot.Event {
	tb.Helper()
	got, err := s.SaveEvents(context.Background(), events)
	if err != nil {
		tb.Fatalf("SaveEvents: %v", err)
	}
	return got
}

// mustClaimed saves one event and claims it for owner, the usual start of a
// completion test.
func mustClaimed(tb testing.TB, s Store, owner, key string) pagebot.Event {
	tb.Helper()
	mustSave(tb, s, newEvent(key, base))
	got, err := s.ClaimEvents(context.Background(), owner, 10, hour)
	if err != nil {
		tb.Fatalf("ClaimEvents: %v", err)
	}
	if len(got) != 1 || got[0].Key != key {
		tb.Fatalf("ClaimEvents(%q) = %v, want the event %q", owner, keys(got), key)
	}
	return got[0]
}

// mustActions saves, claims and completes an event with actions, and
// returns the stored actions.
func mustActions(tb testing.TB, s Store, key string, actions ...pagebot.OutboxAction) []pagebot.OutboxAction {
	tb.Helper()
	e := mustClaimed(tb, s, "w-setup", key)
	got, err := s.CompleteEvent(context.Background(), "w-setup", e.ID, nil, actions, nil)
	if err != nil {
		tb.Fatalf("CompleteEvent: %v", err)
	}
	return got
}

func reply(target string) pagebot.OutboxAction {
	return pagebot.OutboxAction{Kind: pagebot.OutboxSendMessage, Target: target, Text: "Bonjour, voici la réponse."}
}

func keys(events []pagebot.Event) []string {
	var k []string
	for _, e := range events {
		k = append(k, e.Key)
	}
	return k
}

func actionIDs(actions []pagebot.OutboxAction) []int64 {
	var ids []int64
	for _, a := range actions {
		ids = append(ids, a.ID)
	}
	return ids
}

// wantCode fails unless err carries the pagebot error code want.
func wantCode(tb testing.TB, op string, err error, want string) {
	tb.Helper()
	if got := pagebot.ErrorCode(err); got != want {
		tb.Errorf("%s error = %v (code %q), want code %q", op, err, got, want)
	}
}

func testSaveEventsDedupe(t *testing.T, s Store) {
	ctx := context.Background()
	a, b, c := newEvent("message:a", base), newEvent("message:b", base.Add(time.Second)), newEvent("message:c", base)
	a2 := a
	a2.Text = "a second delivery of a"

	before := time.Now().Add(-time.Second)
	got := mustSave(t, s, a, b, a2)
	after := time.Now().Add(time.Second)
	if diff := cmp.Diff([]string{"message:a", "message:b"}, keys(got)); diff != "" {
		t.Fatalf("SaveEvents(a, b, a again) inserted keys (-want +got):\n%s", diff)
	}
	if got[0].ID == 0 || got[1].ID == 0 || got[0].ID == got[1].ID {
		t.Errorf("SaveEvents IDs = %d, %d, want two distinct non-zero IDs", got[0].ID, got[1].ID)
	}
	for _, e := range got {
		if e.ReceivedAt.Before(before) || e.ReceivedAt.After(after) {
			t.Errorf("SaveEvents(%s).ReceivedAt = %v, want between %v and %v", e.Key, e.ReceivedAt, before, after)
		}
	}
	stored, err := s.Event(ctx, got[0].ID)
	if err != nil {
		t.Fatalf("Event(%d): %v", got[0].ID, err)
	}
	if diff := cmp.Diff(got[0], *stored); diff != "" {
		t.Errorf("Event(%d) differs from what SaveEvents returned (-saved +read):\n%s", got[0].ID, diff)
	}
	if stored.Text != a.Text {
		t.Errorf("Event(%d).Text = %q, want the first delivery %q", got[0].ID, stored.Text, a.Text)
	}

	again := mustSave(t, s, b, c, a)
	if diff := cmp.Diff([]string{"message:c"}, keys(again)); diff != "" {
		t.Errorf("SaveEvents(b, c, a) after (a, b) inserted keys (-want +got):\n%s", diff)
	}
	if again[0].ID == got[0].ID || again[0].ID == got[1].ID {
		t.Errorf("SaveEvents(c).ID = %d, reuses an ID of %v", again[0].ID, got)
	}
	claimed, err := s.ClaimEvents(ctx, "w1", 10, hour)
	if err != nil {
		t.Fatalf("ClaimEvents: %v", err)
	}
	if len(claimed) != 3 {
		t.Errorf("ClaimEvents after the saves = %v, want 3 events", keys(claimed))
	}
	if got := mustSave(t, s); len(got) != 0 {
		t.Errorf("SaveEvents() = %v, want nothing", got)
	}
}

func testSaveEventsInvalid(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.SaveEvents(ctx, []pagebot.Event{newEvent("message:ok", base), newEvent("", base)})
	wantCode(t, "SaveEvents(event without key)", err, pagebot.EINVALID)
	claimed, err := s.ClaimEvents(ctx, "w1", 10, hour)
	if err != nil {
		t.Fatalf("ClaimEvents: %v", err)
	}
	if len(claimed) != 0 {
		t.Errorf("ClaimEvents after a failed SaveEvents = %v, want nothing stored", keys(claimed))
	}
}

func testSaveEventsZeroCreatedAt(t *testing.T, s Store) {
	got := mustSave(t, s, newEvent("message:z", time.Time{}))
	if !got[0].CreatedAt.Equal(got[0].ReceivedAt) {
		t.Errorf("SaveEvents(zero CreatedAt).CreatedAt = %v, want ReceivedAt %v", got[0].CreatedAt, got[0].ReceivedAt)
	}
}

func testEventNotFound(t *testing.T, s Store) {
	_, err := s.Event(context.Background(), 4242)
	wantCode(t, "Event(4242)", err, pagebot.ENOTFOUND)
}

func testClaimEventsOrder(t *testing.T, s Store) {
	ctx := context.Background()
	// Saved out of order: the claim goes by CreatedAt, then ID.
	mustSave(t, s, newEvent("e2", base.Add(2*time.Minute)), newEvent("e0", base),
		newEvent("e1a", base.Add(time.Minute)), newEvent("e1b", base.Add(time.Minute)))

	got, err := s.ClaimEvents(ctx, "w1", 3, hour)
	if err != nil {
		t.Fatalf("ClaimEvents(w1): %v", err)
	}
	if diff := cmp.Diff([]string{"e0", "e1a", "e1b"}, keys(got)); diff != "" {
		t.Errorf("ClaimEvents(w1, max 3) (-want +got):\n%s", diff)
	}
	got, err = s.ClaimEvents(ctx, "w2", 3, hour)
	if err != nil {
		t.Fatalf("ClaimEvents(w2): %v", err)
	}
	if diff := cmp.Diff([]string{"e2"}, keys(got)); diff != "" {
		t.Errorf("ClaimEvents(w2) while w1 holds three (-want +got):\n%s", diff)
	}
	for _, owner := range []string{"w1", "w3"} {
		got, err = s.ClaimEvents(ctx, owner, 10, hour)
		if err != nil {
			t.Fatalf("ClaimEvents(%s): %v", owner, err)
		}
		if len(got) != 0 {
			t.Errorf("ClaimEvents(%s) while every lease runs = %v, want nothing", owner, keys(got))
		}
	}
	_, err = s.ClaimEvents(ctx, "w1", 0, hour)
	wantCode(t, "ClaimEvents(max 0)", err, pagebot.EINVALID)
}

func testClaimEventsLeaseExpiry(t *testing.T, s Store) {
	ctx := context.Background()
	mustSave(t, s, newEvent("e1", base))
	first, err := s.ClaimEvents(ctx, "dead", 10, 50*time.Millisecond)
	if err != nil || len(first) != 1 {
		t.Fatalf("ClaimEvents(dead) = %v, %v; want one event", keys(first), err)
	}
	time.Sleep(150 * time.Millisecond)

	got, err := s.ClaimEvents(ctx, "alive", 10, hour)
	if err != nil {
		t.Fatalf("ClaimEvents(alive): %v", err)
	}
	if len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("ClaimEvents(alive) after the lease expired = %v, want the event back", keys(got))
	}
	_, err = s.CompleteEvent(ctx, "dead", first[0].ID, &pagebot.Decision{Action: pagebot.ActionIgnore}, nil, nil)
	wantCode(t, "CompleteEvent(by the worker whose lease expired)", err, pagebot.ECONFLICT)
	if _, err := s.CompleteEvent(ctx, "alive", got[0].ID, &pagebot.Decision{Action: pagebot.ActionIgnore}, nil, nil); err != nil {
		t.Errorf("CompleteEvent(alive): %v", err)
	}
}

// testClaimEventsConcurrent has workers claim and complete in a loop: each
// event must be handled once, by one worker, without a conflict.
func testClaimEventsConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	const n, workers = 120, 4
	var events []pagebot.Event
	for i := range n {
		events = append(events, newEvent(fmt.Sprintf("c%03d", i), base.Add(time.Duration(i%7)*time.Second)))
	}
	mustSave(t, s, events...)

	var (
		mu   sync.Mutex
		seen = map[int64]string{}
		wg   sync.WaitGroup
	)
	for w := range workers {
		owner := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for {
				got, err := s.ClaimEvents(ctx, owner, 3, hour)
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
					act := []pagebot.OutboxAction{reply(e.SenderID)}
					if _, err := s.CompleteEvent(ctx, owner, e.ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, act, nil); err != nil {
						t.Errorf("CompleteEvent(%s, %d): %v", owner, e.ID, err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("workers handled %d events, want %d", len(seen), n)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.EventsPending != 0 || st.EventsClaimed != 0 || st.ActionsPending != n {
		t.Errorf("Stats after the run = %+v, want no event left and %d actions pending", st, n)
	}

	// The same for the outbox.
	clear(seen)
	for w := range workers {
		owner := fmt.Sprintf("x%d", w)
		wg.Go(func() {
			for {
				got, err := s.ClaimActions(ctx, owner, 3, hour)
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
					if err := s.FinishAction(ctx, owner, a.ID, pagebot.OutboxDone, "mid."+owner, ""); err != nil {
						t.Errorf("FinishAction(%s, %d): %v", owner, a.ID, err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("executors ran %d actions, want %d", len(seen), n)
	}
}

func testReleaseEvents(t *testing.T, s Store) {
	ctx := context.Background()
	mustSave(t, s, newEvent("e1", base), newEvent("e2", base.Add(time.Second)))
	a, err := s.ClaimEvents(ctx, "w1", 1, hour)
	if err != nil || len(a) != 1 {
		t.Fatalf("ClaimEvents(w1) = %v, %v", keys(a), err)
	}
	b, err := s.ClaimEvents(ctx, "w2", 1, hour)
	if err != nil || len(b) != 1 {
		t.Fatalf("ClaimEvents(w2) = %v, %v", keys(b), err)
	}
	if err := s.ReleaseEvents(ctx, "w1"); err != nil {
		t.Fatalf("ReleaseEvents(w1): %v", err)
	}
	got, err := s.ClaimEvents(ctx, "w3", 10, hour)
	if err != nil {
		t.Fatalf("ClaimEvents(w3): %v", err)
	}
	if diff := cmp.Diff([]string{"e1"}, keys(got)); diff != "" {
		t.Errorf("ClaimEvents(w3) after w1 released (-want +got):\n%s", diff)
	}
	_, err = s.CompleteEvent(ctx, "w1", a[0].ID, nil, nil, nil)
	wantCode(t, "CompleteEvent(after ReleaseEvents)", err, pagebot.ECONFLICT)
}

func testCompleteEvent(t *testing.T, s Store) {
	ctx := context.Background()
	e := mustClaimed(t, s, "w1", "message:1")
	d := &pagebot.Decision{
		Action: pagebot.ActionEscalate, FAQID: "caf-rsa-1", Confidence: 0.42, Hide: true,
		Reply: "Un conseiller vous répond.", Reasons: []string{"low_confidence", "pii"},
		CreatedAt: base.Add(time.Hour),
	}
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	actions := []pagebot.OutboxAction{
		{Kind: pagebot.OutboxHideComment, Target: "c1"},
		{Kind: pagebot.OutboxSendMessage, Target: "psid1", Text: "Un conseiller vous répond.", HumanAgent: true, Status: pagebot.OutboxDraft, NextAt: later},
	}
	c := &pagebot.Case{Channel: pagebot.ChannelMessage, SenderID: "psid1", SenderName: "Léa",
		Text: e.Text, Reason: "low_confidence", DueAt: base.Add(48 * time.Hour)}

	before := time.Now().Add(-time.Second)
	got, err := s.CompleteEvent(ctx, "w1", e.ID, d, actions, c)
	if err != nil {
		t.Fatalf("CompleteEvent: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("CompleteEvent returned %d actions, want 2", len(got))
	}
	for i, a := range got {
		if a.ID == 0 || a.EventID != e.ID || a.Attempts != 0 || a.CreatedAt.Before(before) {
			t.Errorf("CompleteEvent action %d = %+v, want an ID, EventID %d, no attempt, CreatedAt now", i, a, e.ID)
		}
	}
	if got[0].Status != pagebot.OutboxPending || got[0].NextAt.Before(before) {
		t.Errorf("action without status = %s due %v, want pending, due now", got[0].Status, got[0].NextAt)
	}
	if got[1].Status != pagebot.OutboxDraft || !got[1].NextAt.Equal(later) {
		t.Errorf("draft action = %s due %v, want draft due %v", got[1].Status, got[1].NextAt, later)
	}
	for _, a := range got {
		stored, err := s.Action(ctx, a.ID)
		if err != nil {
			t.Fatalf("Action(%d): %v", a.ID, err)
		}
		if diff := cmp.Diff(a, *stored); diff != "" {
			t.Errorf("Action(%d) differs from CompleteEvent's (-returned +read):\n%s", a.ID, diff)
		}
	}

	wantD := *d
	wantD.EventID = e.ID
	gotD, err := s.Decision(ctx, e.ID)
	if err != nil {
		t.Fatalf("Decision(%d): %v", e.ID, err)
	}
	if diff := cmp.Diff(wantD, *gotD); diff != "" {
		t.Errorf("Decision(%d) (-want +got):\n%s", e.ID, diff)
	}

	if c.ID == 0 || c.EventID != e.ID || c.Status != pagebot.CaseOpen || c.CreatedAt.Before(before) {
		t.Errorf("CompleteEvent case = %+v, want an ID, EventID %d, open, CreatedAt now", c, e.ID)
	}
	gotC, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatalf("Case(%d): %v", c.ID, err)
	}
	if diff := cmp.Diff(*c, *gotC); diff != "" {
		t.Errorf("Case(%d) differs from CompleteEvent's (-returned +read):\n%s", c.ID, diff)
	}

	again, err := s.ClaimEvents(ctx, "w2", 10, hour)
	if err != nil {
		t.Fatalf("ClaimEvents: %v", err)
	}
	if len(again) != 0 {
		t.Errorf("ClaimEvents after CompleteEvent = %v, want the handled event gone", keys(again))
	}
}

func testCompleteEventNoDecision(t *testing.T, s Store) {
	ctx := context.Background()
	e := mustClaimed(t, s, "w1", "echo:1")
	got, err := s.CompleteEvent(ctx, "w1", e.ID, nil, nil, nil)
	if err != nil {
		t.Fatalf("CompleteEvent(nothing): %v", err)
	}
	if len(got) != 0 {
		t.Errorf("CompleteEvent(no action) = %v, want none", got)
	}
	_, err = s.Decision(ctx, e.ID)
	wantCode(t, "Decision(event completed without one)", err, pagebot.ENOTFOUND)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.EventsPending+st.EventsClaimed != 0 {
		t.Errorf("Stats = %+v, want the event handled", st)
	}
}

func testCompleteEventAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	e := mustClaimed(t, s, "w1", "comment:1:add")
	d := &pagebot.Decision{Action: pagebot.ActionEscalate}
	c := &pagebot.Case{Channel: pagebot.ChannelComment, SenderID: "u1", Reason: "r"}
	bad := []pagebot.OutboxAction{reply("c1"), {Kind: pagebot.OutboxReplyComment, Target: "c1", Status: pagebot.OutboxDone}}
	_, err := s.CompleteEvent(ctx, "w1", e.ID, d, bad, c)
	wantCode(t, "CompleteEvent(action created done)", err, pagebot.EINVALID)

	_, err = s.Decision(ctx, e.ID)
	wantCode(t, "Decision after a failed CompleteEvent", err, pagebot.ENOTFOUND)
	if acts, err := s.Actions(ctx, ActionFilter{}); err != nil || len(acts) != 0 {
		t.Errorf("Actions after a failed CompleteEvent = %v, %v; want none", actionIDs(acts), err)
	}
	if cases, err := s.Cases(ctx, "", 10); err != nil || len(cases) != 0 {
		t.Errorf("Cases after a failed CompleteEvent = %d cases, %v; want none", len(cases), err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if want := (Stats{EventsClaimed: 1}); st != want {
		t.Errorf("Stats after a failed CompleteEvent = %+v, want %+v", st, want)
	}
	// The worker still holds the event and may complete it properly.
	if _, err := s.CompleteEvent(ctx, "w1", e.ID, d, bad[:1], c); err != nil {
		t.Errorf("CompleteEvent after a failed one: %v", err)
	}
}

func testCompleteEventConflict(t *testing.T, s Store) {
	ctx := context.Background()
	ignore := &pagebot.Decision{Action: pagebot.ActionIgnore}
	e := mustClaimed(t, s, "w1", "message:1")

	_, err := s.CompleteEvent(ctx, "w2", e.ID, ignore, nil, nil)
	wantCode(t, "CompleteEvent(by another owner)", err, pagebot.ECONFLICT)
	if _, err := s.CompleteEvent(ctx, "w1", e.ID, ignore, nil, nil); err != nil {
		t.Fatalf("CompleteEvent(w1): %v", err)
	}
	_, err = s.CompleteEvent(ctx, "w1", e.ID, ignore, []pagebot.OutboxAction{reply("psid1")}, nil)
	wantCode(t, "CompleteEvent(twice)", err, pagebot.ECONFLICT)
	if acts, err := s.Actions(ctx, ActionFilter{}); err != nil || len(acts) != 0 {
		t.Errorf("Actions after a refused second completion = %v, %v; want none", actionIDs(acts), err)
	}

	unclaimed := mustSave(t, s, newEvent("message:2", base))[0]
	_, err = s.CompleteEvent(ctx, "w1", unclaimed.ID, ignore, nil, nil)
	wantCode(t, "CompleteEvent(never claimed)", err, pagebot.ECONFLICT)
	_, err = s.CompleteEvent(ctx, "w1", 4242, ignore, nil, nil)
	wantCode(t, "CompleteEvent(unknown event)", err, pagebot.ENOTFOUND)
}

func testClaimActions(t *testing.T, s Store) {
	ctx := context.Background()
	later := reply("later")
	later.NextAt = time.Now().Add(hour)
	draft := reply("draft")
	draft.Status = pagebot.OutboxDraft
	first := reply("first")
	first.NextAt = time.Now().Add(-time.Minute)
	stored := mustActions(t, s, "message:1", reply("now"), later, draft, first)

	got, err := s.ClaimActions(ctx, "x1", 10, hour)
	if err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	want := []int64{stored[3].ID, stored[0].ID}
	if diff := cmp.Diff(want, actionIDs(got)); diff != "" {
		t.Fatalf("ClaimActions = (-want +got):\n%s", diff)
	}
	for _, a := range got {
		if a.Attempts != 1 || a.Status != pagebot.OutboxPending {
			t.Errorf("claimed action %d: attempts %d, status %s; want 1, pending", a.ID, a.Attempts, a.Status)
		}
		read, err := s.Action(ctx, a.ID)
		if err != nil {
			t.Fatalf("Action(%d): %v", a.ID, err)
		}
		if read.Attempts != 1 {
			t.Errorf("Action(%d).Attempts after the claim = %d, want 1 stored", a.ID, read.Attempts)
		}
	}
	again, err := s.ClaimActions(ctx, "x2", 10, hour)
	if err != nil {
		t.Fatalf("ClaimActions(x2): %v", err)
	}
	if len(again) != 0 {
		t.Errorf("ClaimActions(x2) while x1 holds them = %v, want none", actionIDs(again))
	}
	_, err = s.ClaimActions(ctx, "x1", 0, hour)
	wantCode(t, "ClaimActions(max 0)", err, pagebot.EINVALID)
}

func testClaimActionsLeaseExpiry(t *testing.T, s Store) {
	ctx := context.Background()
	stored := mustActions(t, s, "message:1", reply("psid1"))
	// A first attempt fails cleanly and is retried: its error is kept.
	if _, err := s.ClaimActions(ctx, "x1", 10, hour); err != nil {
		t.Fatalf("ClaimActions(x1): %v", err)
	}
	if err := s.RetryAction(ctx, "x1", stored[0].ID, time.Now().Add(-time.Second), "(#2) service unavailable"); err != nil {
		t.Fatalf("RetryAction: %v", err)
	}
	// The second attempt dies with its executor.
	got, err := s.ClaimActions(ctx, "dead", 10, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("ClaimActions(dead): %v", err)
	}
	if len(got) != 1 || got[0].Attempts != 2 || got[0].Error != "(#2) service unavailable" {
		t.Fatalf("ClaimActions after a retry = %+v, want attempt 2 with the retry's error", got)
	}
	time.Sleep(150 * time.Millisecond)

	got, err = s.ClaimActions(ctx, "alive", 10, hour)
	if err != nil {
		t.Fatalf("ClaimActions(alive): %v", err)
	}
	if len(got) != 1 || got[0].ID != stored[0].ID || got[0].Attempts != 3 || got[0].Error != "" {
		t.Fatalf("ClaimActions(alive) after the lease expired = %+v, want action %d at attempt 3, error cleared (outcome unknown)", got, stored[0].ID)
	}
	err = s.FinishAction(ctx, "dead", stored[0].ID, pagebot.OutboxDone, "mid.1", "")
	wantCode(t, "FinishAction(by the executor whose lease expired)", err, pagebot.ECONFLICT)
}

func testFinishAction(t *testing.T, s Store) {
	ctx := context.Background()
	stored := mustActions(t, s, "message:1", reply("a"), reply("b"), reply("c"))
	if _, err := s.ClaimActions(ctx, "x1", 10, hour); err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	err := s.FinishAction(ctx, "x2", stored[0].ID, pagebot.OutboxDone, "mid.1", "")
	wantCode(t, "FinishAction(by another owner)", err, pagebot.ECONFLICT)
	err = s.FinishAction(ctx, "x1", stored[0].ID, pagebot.OutboxPending, "", "")
	wantCode(t, "FinishAction(pending)", err, pagebot.EINVALID)
	err = s.FinishAction(ctx, "x1", 4242, pagebot.OutboxDone, "", "")
	wantCode(t, "FinishAction(unknown)", err, pagebot.ENOTFOUND)

	tests := []struct {
		id     int64
		status pagebot.OutboxStatus
		result string
		errMsg string
	}{
		{stored[0].ID, pagebot.OutboxDone, "mid.1", ""},
		{stored[1].ID, pagebot.OutboxFailed, "", "(#100) invalid parameter"},
		{stored[2].ID, pagebot.OutboxDropped, "", "(#551) user unavailable"},
	}
	for _, tc := range tests {
		if err := s.FinishAction(ctx, "x1", tc.id, tc.status, tc.result, tc.errMsg); err != nil {
			t.Fatalf("FinishAction(%d, %s): %v", tc.id, tc.status, err)
		}
		a, err := s.Action(ctx, tc.id)
		if err != nil {
			t.Fatalf("Action(%d): %v", tc.id, err)
		}
		if a.Status != tc.status || a.Result != tc.result || a.Error != tc.errMsg || a.Attempts != 1 {
			t.Errorf("Action(%d) = %s %q %q attempts %d, want %s %q %q attempts 1",
				tc.id, a.Status, a.Result, a.Error, a.Attempts, tc.status, tc.result, tc.errMsg)
		}
		err = s.FinishAction(ctx, "x1", tc.id, pagebot.OutboxDone, "again", "")
		wantCode(t, fmt.Sprintf("FinishAction(%d, twice)", tc.id), err, pagebot.ECONFLICT)
	}
	if got, err := s.ClaimActions(ctx, "x3", 10, hour); err != nil || len(got) != 0 {
		t.Errorf("ClaimActions after every action finished = %v, %v; want none", actionIDs(got), err)
	}
}

func testPageEchoed(t *testing.T, s Store) {
	ctx := context.Background()
	echo := func(key, page, psid, text string, kind pagebot.EventKind, fromPage bool, at time.Time) pagebot.Event {
		return pagebot.Event{Key: key, PageID: page, Kind: kind, Channel: pagebot.ChannelMessage, ObjectID: "m_" + key,
			SenderID: psid, Text: text, FromPage: fromPage, CreatedAt: at}
	}
	mustSave(t, s,
		echo("e1", "p1", "u1", "Bonjour, voici la réponse.", pagebot.EventEcho, true, base.Add(time.Minute)),
		echo("e2", "p1", "u1", "Bonjour, voici la réponse.", pagebot.EventEcho, true, base.Add(3*time.Minute)),
		echo("e3", "p1", "u2", "Autre réponse.", pagebot.EventStandby, true, base.Add(time.Minute)),
		echo("m1", "p1", "u3", "Message de la personne.", pagebot.EventMessage, false, base.Add(time.Minute)),
		echo("e4", "p2", "u1", "Sur une autre Page.", pagebot.EventEcho, true, base.Add(time.Minute)),
	)
	tests := []struct {
		name, page, psid, text string
		since                  time.Time
		mid                    string
	}{
		{"first echo after since", "p1", "u1", "Bonjour, voici la réponse.", base, "m_e1"},
		{"since excludes the earlier one", "p1", "u1", "Bonjour, voici la réponse.", base.Add(2 * time.Minute), "m_e2"},
		{"since is inclusive", "p1", "u1", "Bonjour, voici la réponse.", base.Add(3 * time.Minute), "m_e2"},
		{"too late", "p1", "u1", "Bonjour, voici la réponse.", base.Add(4 * time.Minute), ""},
		{"other text", "p1", "u1", "Bonjour, voici une réponse.", base, ""},
		{"other person", "p1", "u9", "Bonjour, voici la réponse.", base, ""},
		{"standby echo counts", "p1", "u2", "Autre réponse.", base, "m_e3"},
		{"the person's own message is no echo", "p1", "u3", "Message de la personne.", base, ""},
		{"other Page", "p1", "u1", "Sur une autre Page.", base, ""},
	}
	for _, tc := range tests {
		mid, found, err := s.PageEchoed(ctx, tc.page, tc.psid, tc.text, tc.since)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if mid != tc.mid || found != (tc.mid != "") {
			t.Errorf("%s: PageEchoed = %q, %v; want %q", tc.name, mid, found, tc.mid)
		}
	}
}

func testActionByResult(t *testing.T, s Store) {
	ctx := context.Background()
	stored := mustActions(t, s, "comment:1:add", reply("c1"), reply("c2"))
	if _, err := s.ClaimActions(ctx, "x1", 10, hour); err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	if err := s.FinishAction(ctx, "x1", stored[0].ID, pagebot.OutboxDone, "post1_reply9", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if err := s.FinishAction(ctx, "x1", stored[1].ID, pagebot.OutboxFailed, "", "(#100) invalid"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	for _, tc := range []struct {
		result string
		want   bool
	}{
		{"post1_reply9", true},
		{"post1_reply8", false},
		{"", false}, // failed actions have no result; an empty id is nobody's
	} {
		got, err := s.ActionByResult(ctx, tc.result)
		if err != nil {
			t.Fatalf("ActionByResult(%q): %v", tc.result, err)
		}
		if got != tc.want {
			t.Errorf("ActionByResult(%q) = %v, want %v", tc.result, got, tc.want)
		}
	}
}

func testRetryAction(t *testing.T, s Store) {
	ctx := context.Background()
	stored := mustActions(t, s, "message:1", reply("a"), reply("b"))
	if _, err := s.ClaimActions(ctx, "x1", 10, hour); err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	err := s.RetryAction(ctx, "x2", stored[0].ID, time.Now(), "")
	wantCode(t, "RetryAction(by another owner)", err, pagebot.ECONFLICT)
	err = s.RetryAction(ctx, "x1", 4242, time.Now(), "")
	wantCode(t, "RetryAction(unknown)", err, pagebot.ENOTFOUND)

	later := time.Now().Add(hour).Truncate(time.Millisecond)
	if err := s.RetryAction(ctx, "x1", stored[0].ID, later, "(#2) service unavailable"); err != nil {
		t.Fatalf("RetryAction(later): %v", err)
	}
	if err := s.RetryAction(ctx, "x1", stored[1].ID, time.Now().Add(-time.Second), "timeout"); err != nil {
		t.Fatalf("RetryAction(now): %v", err)
	}
	a, err := s.Action(ctx, stored[0].ID)
	if err != nil {
		t.Fatalf("Action: %v", err)
	}
	if a.Status != pagebot.OutboxPending || !a.NextAt.Equal(later) || a.Error != "(#2) service unavailable" {
		t.Errorf("Action after RetryAction = %s due %v error %q, want pending due %v with the error", a.Status, a.NextAt, a.Error, later)
	}
	got, err := s.ClaimActions(ctx, "x2", 10, hour)
	if err != nil {
		t.Fatalf("ClaimActions(x2): %v", err)
	}
	if len(got) != 1 || got[0].ID != stored[1].ID || got[0].Attempts != 2 {
		t.Errorf("ClaimActions after the retries = %+v, want only action %d (due) at attempt 2", got, stored[1].ID)
	}
	err = s.RetryAction(ctx, "x1", stored[0].ID, time.Now(), "")
	wantCode(t, "RetryAction(no longer claimed)", err, pagebot.ECONFLICT)
}

func testReleaseActions(t *testing.T, s Store) {
	ctx := context.Background()
	stored := mustActions(t, s, "message:1", reply("a"))
	if _, err := s.ClaimActions(ctx, "x1", 10, hour); err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	if err := s.ReleaseActions(ctx, "x1"); err != nil {
		t.Fatalf("ReleaseActions: %v", err)
	}
	got, err := s.ClaimActions(ctx, "x2", 10, hour)
	if err != nil {
		t.Fatalf("ClaimActions(x2): %v", err)
	}
	if len(got) != 1 || got[0].ID != stored[0].ID || got[0].Attempts != 2 {
		t.Errorf("ClaimActions after ReleaseActions = %+v, want action %d at attempt 2", got, stored[0].ID)
	}
}

func testActionsFilter(t *testing.T, s Store) {
	ctx := context.Background()
	draft := reply("d")
	draft.Status = pagebot.OutboxDraft
	one := mustActions(t, s, "message:1", reply("a"), draft)
	two := mustActions(t, s, "message:2", reply("b"), reply("c"))

	tests := []struct {
		name   string
		filter ActionFilter
		want   []int64
	}{
		{"all newest first", ActionFilter{}, []int64{two[1].ID, two[0].ID, one[1].ID, one[0].ID}},
		{"pending", ActionFilter{Status: pagebot.OutboxPending}, []int64{two[1].ID, two[0].ID, one[0].ID}},
		{"draft", ActionFilter{Status: pagebot.OutboxDraft}, []int64{one[1].ID}},
		{"done", ActionFilter{Status: pagebot.OutboxDone}, nil},
		{"event", ActionFilter{EventID: one[0].EventID}, []int64{one[1].ID, one[0].ID}},
		{"limit", ActionFilter{Limit: 1}, []int64{two[1].ID}},
	}
	for _, tc := range tests {
		got, err := s.Actions(ctx, tc.filter)
		if err != nil {
			t.Fatalf("Actions(%s): %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, actionIDs(got)); diff != "" {
			t.Errorf("Actions(%s) IDs (-want +got):\n%s", tc.name, diff)
		}
	}
	_, err := s.Action(ctx, 4242)
	wantCode(t, "Action(4242)", err, pagebot.ENOTFOUND)
}

func testHumanActive(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Now()
	check := func(when string, page, thread string, at time.Time, want bool) {
		t.Helper()
		got, err := s.HumanActive(ctx, page, thread, at)
		if err != nil {
			t.Fatalf("HumanActive(%s): %v", when, err)
		}
		if got != want {
			t.Errorf("HumanActive(%s, %s, %s) = %v, want %v", page, thread, when, got, want)
		}
	}
	check("before any takeover", "page1", "psid1", now, false)
	if err := s.SetHumanActive(ctx, "page1", "psid1", now.Add(hour)); err != nil {
		t.Fatalf("SetHumanActive: %v", err)
	}
	check("during the takeover", "page1", "psid1", now, true)
	check("after it expires", "page1", "psid1", now.Add(2*hour), false)
	check("other thread", "page1", "psid2", now, false)
	check("other page", "page2", "psid1", now, false)
	if err := s.SetHumanActive(ctx, "page1", "psid1", now.Add(-time.Second)); err != nil {
		t.Fatalf("SetHumanActive(handback): %v", err)
	}
	check("after the hand back", "page1", "psid1", now, false)
}

func testCases(t *testing.T, s Store) {
	ctx := context.Background()
	var ids []int64
	for i, due := range []time.Duration{3 * hour, hour, 2 * hour} {
		e := mustClaimed(t, s, "w1", fmt.Sprintf("message:%d", i))
		c := &pagebot.Case{Channel: pagebot.ChannelMessage, SenderID: "psid1", Text: e.Text,
			Reason: "sensitive", DueAt: base.Add(due)}
		if _, err := s.CompleteEvent(ctx, "w1", e.ID, &pagebot.Decision{Action: pagebot.ActionEscalate}, nil, c); err != nil {
			t.Fatalf("CompleteEvent: %v", err)
		}
		ids = append(ids, c.ID)
	}
	caseIDs := func(status pagebot.CaseStatus, limit int) []int64 {
		t.Helper()
		cases, err := s.Cases(ctx, status, limit)
		if err != nil {
			t.Fatalf("Cases(%q): %v", status, err)
		}
		var got []int64
		for _, c := range cases {
			got = append(got, c.ID)
		}
		return got
	}
	if diff := cmp.Diff([]int64{ids[1], ids[2], ids[0]}, caseIDs(pagebot.CaseOpen, 10)); diff != "" {
		t.Errorf("Cases(open) by due date (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[1]}, caseIDs(pagebot.CaseOpen, 1)); diff != "" {
		t.Errorf("Cases(open, limit 1) (-want +got):\n%s", diff)
	}

	if err := s.AssignCase(ctx, ids[0], "marie"); err != nil {
		t.Fatalf("AssignCase: %v", err)
	}
	if err := s.CloseCase(ctx, ids[0], "marie", "Rappelée, dossier complet."); err != nil {
		t.Fatalf("CloseCase: %v", err)
	}
	c, err := s.Case(ctx, ids[0])
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	if c.Status != pagebot.CaseClosed || c.AssignedTo != "marie" || c.ClosedAt.IsZero() || c.CloseNote != "Rappelée, dossier complet." {
		t.Errorf("Case after AssignCase and CloseCase = %+v, want closed by marie with the note", c)
	}
	audit, err := s.Audit(ctx, 10)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(audit) != 1 || audit[0].Actor != "marie" {
		t.Errorf("Audit after CloseCase = %+v, want one entry by marie", audit)
	}

	wantCode(t, "CloseCase(twice)", s.CloseCase(ctx, ids[0], "marie", ""), pagebot.ECONFLICT)
	wantCode(t, "AssignCase(closed)", s.AssignCase(ctx, ids[0], "paul"), pagebot.ECONFLICT)
	wantCode(t, "CloseCase(unknown)", s.CloseCase(ctx, 4242, "marie", ""), pagebot.ENOTFOUND)
	wantCode(t, "AssignCase(unknown)", s.AssignCase(ctx, 4242, "marie"), pagebot.ENOTFOUND)
	_, err = s.Case(ctx, 4242)
	wantCode(t, "Case(unknown)", err, pagebot.ENOTFOUND)

	if diff := cmp.Diff([]int64{ids[1], ids[2]}, caseIDs(pagebot.CaseOpen, 10)); diff != "" {
		t.Errorf("Cases(open) after closing one (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[0]}, caseIDs(pagebot.CaseClosed, 10)); diff != "" {
		t.Errorf("Cases(closed) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[2], ids[1], ids[0]}, caseIDs("", 10)); diff != "" {
		t.Errorf("Cases(all) newest first (-want +got):\n%s", diff)
	}
}

func testAudit(t *testing.T, s Store) {
	ctx := context.Background()
	at := base.Add(time.Minute)
	entries := []pagebot.AuditEntry{
		{At: at, Actor: "marie", Action: "faq.edit", Subject: "faq:caf-rsa-1", Detail: "wording"},
		{At: at, Actor: "pagebot", Action: "event.escalate", Subject: "event:12"},
		{Actor: "paul", Action: "user.login"},
	}
	before := time.Now().Add(-time.Second)
	for _, e := range entries {
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatalf("AddAudit: %v", err)
		}
	}
	got, err := s.Audit(ctx, 2)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Audit(2) = %d entries, want 2", len(got))
	}
	if got[0].At.Before(before) {
		t.Errorf("Audit entry without At has At %v, want now", got[0].At)
	}
	if got[0].ID <= got[1].ID {
		t.Errorf("Audit IDs = %d, %d, want newest first", got[0].ID, got[1].ID)
	}
	want := []pagebot.AuditEntry{entries[2], entries[1]}
	want[0].At, want[0].ID, want[1].ID = got[0].At, got[0].ID, got[1].ID
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Audit(2) (-want +got):\n%s", diff)
	}
}

func testStats(t *testing.T, s Store) {
	ctx := context.Background()
	draft := reply("d")
	draft.Status = pagebot.OutboxDraft
	e := mustClaimed(t, s, "w1", "e0")
	if _, err := s.CompleteEvent(ctx, "w1", e.ID, nil, []pagebot.OutboxAction{reply("a"), reply("b"), draft},
		&pagebot.Case{Channel: pagebot.ChannelMessage}); err != nil {
		t.Fatalf("CompleteEvent: %v", err)
	}
	mustSave(t, s, newEvent("e1", base), newEvent("e2", base), newEvent("e3", base))
	if _, err := s.ClaimEvents(ctx, "w2", 1, hour); err != nil {
		t.Fatalf("ClaimEvents: %v", err)
	}
	got, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := Stats{EventsPending: 2, EventsClaimed: 1, ActionsPending: 2, CasesOpen: 1}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func testPing(t *testing.T, s Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testOpenCase(t *testing.T, s Store) {
	ctx := context.Background()
	e := mustClaimed(t, s, "w1", "message:open-case")
	if _, err := s.CompleteEvent(ctx, "w1", e.ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, nil, nil); err != nil {
		t.Fatalf("CompleteEvent: %v", err)
	}
	c := &pagebot.Case{EventID: e.ID, Channel: pagebot.ChannelMessage, SenderID: "psid1", Text: e.Text,
		Reason: "échec d'envoi", DueAt: base.Add(hour)}
	if err := s.OpenCase(ctx, c); err != nil || c.ID == 0 {
		t.Fatalf("OpenCase = %v (id %d), want a new case", err, c.ID)
	}
	again := &pagebot.Case{EventID: e.ID, Reason: "encore"}
	if err := s.OpenCase(ctx, again); err != nil || again.ID != c.ID {
		t.Errorf("second OpenCase = %v (id %d), want the open case %d", err, again.ID, c.ID)
	}
	open, err := s.Cases(ctx, pagebot.CaseOpen, 10)
	if err != nil || len(open) != 1 {
		t.Errorf("open cases = %v %v, want exactly one", open, err)
	}
	if err := s.OpenCase(ctx, &pagebot.Case{}); pagebot.ErrorCode(err) != pagebot.EINVALID {
		t.Errorf("OpenCase without event = %v, want EINVALID", err)
	}
	if err := s.OpenCase(ctx, &pagebot.Case{EventID: 999999}); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Errorf("OpenCase for an unknown event = %v, want ENOTFOUND", err)
	}
}
