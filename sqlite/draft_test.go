package sqlite_test

import (
	"context"
	"testing"
	"time"

	"pagebot"
	"pagebot/sqlite"
)

// mustDrafts stores a handled Messenger event whose engine proposed two
// draft replies, next to a pending mark_seen, as draft mode does, and
// returns the actions as stored: mark_seen, then the drafts.
func mustDrafts(tb testing.TB, db *sqlite.DB, key string) []pagebot.OutboxAction {
	tb.Helper()
	ctx := context.Background()
	evs, err := db.SaveEvents(ctx, []pagebot.Event{event(key)})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents = %v, %v", evs, err)
	}
	if _, err := db.ClaimEvents(ctx, "w", 10, time.Minute); err != nil {
		tb.Fatalf("ClaimEvents: %v", err)
	}
	now := db.Now()
	acts, err := db.CompleteEvent(ctx, "w", evs[0].ID, nil, []pagebot.OutboxAction{
		{Kind: pagebot.OutboxMarkSeen, Target: "psid1", NextAt: now},
		{Kind: pagebot.OutboxSendMessage, Target: "psid1", Text: "L'APL est versée vers le 5.", Status: pagebot.OutboxDraft, NextAt: now},
		{Kind: pagebot.OutboxSendMessage, Target: "psid1", Text: "Deuxième brouillon.", Status: pagebot.OutboxDraft, NextAt: now},
	}, nil)
	if err != nil || len(acts) != 3 {
		tb.Fatalf("CompleteEvent = %v, %v", acts, err)
	}
	return acts
}

func mustAction(tb testing.TB, db *sqlite.DB, id int64) *pagebot.OutboxAction {
	tb.Helper()
	a, err := db.Action(context.Background(), id)
	if err != nil {
		tb.Fatalf("Action(%d): %v", id, err)
	}
	return a
}

func TestApproveDraft(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	acts := mustDrafts(t, db, "message:1")
	seen, kept, edited := acts[0], acts[1], acts[2]

	// Drafts are never claimed: only the mark_seen goes.
	claimed, err := db.ClaimActions(ctx, "worker1", 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != seen.ID {
		t.Fatalf("ClaimActions before approval = %+v, %v; want only the mark_seen %d", claimed, err, seen.ID)
	}
	if err := db.FinishAction(ctx, "worker1", seen.ID, pagebot.OutboxDone, "", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}

	now = t0.Add(3 * time.Hour) // the agent approves later
	if err := db.ApproveDraft(ctx, kept.ID, ""); err != nil {
		t.Fatalf("ApproveDraft(%d, \"\"): %v", kept.ID, err)
	}
	if err := db.ApproveDraft(ctx, edited.ID, "Texte corrigé par un conseiller."); err != nil {
		t.Fatalf("ApproveDraft(%d, text): %v", edited.ID, err)
	}
	for _, tc := range []struct {
		id   int64
		text string
	}{{kept.ID, "L'APL est versée vers le 5."}, {edited.ID, "Texte corrigé par un conseiller."}} {
		a := mustAction(t, db, tc.id)
		if a.Status != pagebot.OutboxPending || a.Text != tc.text || !a.NextAt.Equal(now) || !a.UpdatedAt.Equal(now) ||
			a.Attempts != 0 || a.Kind != pagebot.OutboxSendMessage || a.Target != "psid1" {
			t.Errorf("action %d after approval = %+v; want pending, text %q, due and updated %v, no attempt", tc.id, a, tc.text, now)
		}
	}

	// The workers now run them, oldest first.
	claimed, err = db.ClaimActions(ctx, "worker1", 10, time.Minute)
	if err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	if len(claimed) != 2 || claimed[0].ID != kept.ID || claimed[1].ID != edited.ID ||
		claimed[1].Text != "Texte corrigé par un conseiller." {
		t.Fatalf("ClaimActions after approval = %+v, want actions %d then %d with the edited text", claimed, kept.ID, edited.ID)
	}

	tests := []struct {
		name string
		id   int64
		code string
	}{
		{"Again", kept.ID, pagebot.ECONFLICT},
		{"NotADraft", seen.ID, pagebot.ECONFLICT},
		{"Unknown", edited.ID + 100, pagebot.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.ApproveDraft(ctx, tc.id, "autre texte")
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Errorf("ApproveDraft(%d) error code = %q (%v), want %q", tc.id, got, err, tc.code)
			}
		})
	}
	if a := mustAction(t, db, kept.ID); a.Text != "L'APL est versée vers le 5." {
		t.Errorf("a refused ApproveDraft changed the text to %q", a.Text)
	}
}

func TestRejectDraft(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	acts := mustDrafts(t, db, "message:1")
	seen, rejected, other := acts[0], acts[1], acts[2]

	now = t0.Add(time.Hour)
	if err := db.RejectDraft(ctx, rejected.ID, "alice"); err != nil {
		t.Fatalf("RejectDraft: %v", err)
	}
	a := mustAction(t, db, rejected.ID)
	if a.Status != pagebot.OutboxFailed || a.Error != "rejeté par alice" || !a.UpdatedAt.Equal(now) ||
		a.Text != "L'APL est versée vers le 5." {
		t.Errorf("action after RejectDraft = %+v; want failed, error %q, updated %v, text kept", a, "rejeté par alice", now)
	}
	if b := mustAction(t, db, other.ID); b.Status != pagebot.OutboxDraft {
		t.Errorf("the other draft is %s after rejecting %d, want draft", b.Status, rejected.ID)
	}
	claimed, err := db.ClaimActions(ctx, "worker1", 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != seen.ID {
		t.Errorf("ClaimActions after reject = %+v, %v; want only the mark_seen %d", claimed, err, seen.ID)
	}

	tests := []struct {
		name  string
		id    int64
		actor string
		code  string
	}{
		{"Again", rejected.ID, "bob", pagebot.ECONFLICT},
		{"NotADraft", seen.ID, "bob", pagebot.ECONFLICT},
		{"Unknown", other.ID + 100, "bob", pagebot.ENOTFOUND},
		{"NoActor", other.ID, "", pagebot.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.RejectDraft(ctx, tc.id, tc.actor)
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Errorf("RejectDraft(%d, %q) error code = %q (%v), want %q", tc.id, tc.actor, got, err, tc.code)
			}
		})
	}
	if err := db.ApproveDraft(ctx, rejected.ID, ""); pagebot.ErrorCode(err) != pagebot.ECONFLICT {
		t.Errorf("ApproveDraft after reject = %v, want ECONFLICT", err)
	}
	if a := mustAction(t, db, rejected.ID); a.Status != pagebot.OutboxFailed || a.Error != "rejeté par alice" {
		t.Errorf("rejected action changed by refused calls: %+v", a)
	}
	if b := mustAction(t, db, other.ID); b.Status != pagebot.OutboxDraft {
		t.Errorf("the other draft is %s after refused calls, want draft", b.Status)
	}
}
