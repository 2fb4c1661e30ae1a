package sqlite

import (
	"context"
	"testing"
	"time"

	"pagebot"
)

func TestPurge(t *testing.T) {
	ctx := context.Background()
	db := New(t.TempDir() + "/p.db")
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Three old events (one with an open case, one with a pending action)
	// and one recent one.
	save := func(key, sender string) pagebot.Event {
		t.Helper()
		evs, err := db.SaveEvents(ctx, []pagebot.Event{{Key: key, Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage,
			SenderID: sender, Text: "[téléphone masqué] question", CreatedAt: clock}})
		if err != nil || len(evs) != 1 {
			t.Fatalf("save %s: %v", key, err)
		}
		got, err := db.ClaimEvents(ctx, "w", 10, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim %s: %v %v", key, got, err)
		}
		return got[0]
	}
	old := save("message:old", "u1")
	if _, err := db.CompleteEvent(ctx, "w", old.ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, nil, nil); err != nil {
		t.Fatal(err)
	}
	withCase := save("message:case", "u2")
	if _, err := db.CompleteEvent(ctx, "w", withCase.ID, &pagebot.Decision{Action: pagebot.ActionEscalate}, nil,
		&pagebot.Case{Channel: pagebot.ChannelMessage, SenderID: "u2", Status: pagebot.CaseOpen, DueAt: clock}); err != nil {
		t.Fatal(err)
	}
	withAction := save("message:action", "u3")
	if _, err := db.CompleteEvent(ctx, "w", withAction.ID, &pagebot.Decision{Action: pagebot.ActionAnswer},
		[]pagebot.OutboxAction{{Kind: pagebot.OutboxSendMessage, Target: "u3", Text: "r", Status: pagebot.OutboxPending, NextAt: clock}}, nil); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(400 * 24 * time.Hour)
	recent := save("message:recent", "u1")
	if _, err := db.CompleteEvent(ctx, "w", recent.ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, nil, nil); err != nil {
		t.Fatal(err)
	}

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
	if acts, _ := db.Actions(ctx, ActionFilter{}); len(acts) != 0 {
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
