package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot"
)

func TestAddAction(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ev := pagebot.Event{Key: "comment:c1:add", PageID: "page1", Kind: pagebot.EventCommentAdd,
		Channel: pagebot.ChannelComment, ObjectID: "post1_c1", SenderID: "u1", Text: "texte masqué"}
	saved, err := db.SaveEvents(ctx, []pagebot.Event{ev})
	if err != nil || len(saved) != 1 {
		t.Fatalf("SaveEvents = %v, %v", saved, err)
	}
	evID := saved[0].ID

	got, err := db.AddAction(ctx, pagebot.OutboxAction{EventID: evID, Kind: pagebot.OutboxUnhideComment,
		Target: "post1_c1", Attempts: 7, Result: "x", Error: "y", NextAt: now.Add(-time.Hour)})
	if err != nil {
		t.Fatalf("AddAction: %v", err)
	}
	if got.ID == 0 {
		t.Fatal("AddAction returned no ID")
	}
	want := pagebot.OutboxAction{ID: got.ID, EventID: evID, Kind: pagebot.OutboxUnhideComment, Target: "post1_c1",
		Status: pagebot.OutboxPending, NextAt: now, CreatedAt: now, UpdatedAt: now}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddAction returned (-want +got):\n%s", diff)
	}
	stored, err := db.Action(ctx, got.ID)
	if err != nil {
		t.Fatalf("Action(%d): %v", got.ID, err)
	}
	if diff := cmp.Diff(got, *stored); diff != "" {
		t.Errorf("stored action differs from the returned one (-returned +stored):\n%s", diff)
	}

	// The workers run it like any other pending action.
	claimed, err := db.ClaimActions(ctx, "worker1", 10, time.Minute)
	if err != nil {
		t.Fatalf("ClaimActions: %v", err)
	}
	if len(claimed) != 1 || claimed[0].ID != got.ID || claimed[0].Kind != pagebot.OutboxUnhideComment ||
		claimed[0].Target != "post1_c1" || claimed[0].Attempts != 1 {
		t.Fatalf("ClaimActions = %+v, want action %d (unhide_comment post1_c1, attempt 1)", claimed, got.ID)
	}
	if err := db.FinishAction(ctx, "worker1", got.ID, pagebot.OutboxDone, "", ""); err != nil {
		t.Errorf("FinishAction: %v", err)
	}

	// A later NextAt is kept: the action waits until then.
	later, err := db.AddAction(ctx, pagebot.OutboxAction{EventID: evID, Kind: pagebot.OutboxUnhideComment,
		Target: "post1_c1", NextAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatalf("AddAction later: %v", err)
	}
	if !later.NextAt.Equal(now.Add(time.Hour)) {
		t.Errorf("AddAction later: NextAt = %v, want %v", later.NextAt, now.Add(time.Hour))
	}
	if claimed, err := db.ClaimActions(ctx, "worker1", 10, time.Minute); err != nil || len(claimed) != 0 {
		t.Errorf("ClaimActions before NextAt = %+v, %v; want none", claimed, err)
	}
}

func TestAddActionRefusals(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	saved, err := db.SaveEvents(ctx, []pagebot.Event{event("message:1")})
	if err != nil {
		t.Fatalf("SaveEvents: %v", err)
	}
	evID := saved[0].ID
	tests := []struct {
		name string
		a    pagebot.OutboxAction
		code string
	}{
		{"UnknownEvent", pagebot.OutboxAction{EventID: evID + 100, Kind: pagebot.OutboxUnhideComment, Target: "c1"}, pagebot.ENOTFOUND},
		{"NoEvent", pagebot.OutboxAction{Kind: pagebot.OutboxUnhideComment, Target: "c1"}, pagebot.EINVALID},
		{"NoKind", pagebot.OutboxAction{EventID: evID, Target: "c1"}, pagebot.EINVALID},
		{"NoTarget", pagebot.OutboxAction{EventID: evID, Kind: pagebot.OutboxUnhideComment}, pagebot.EINVALID},
		{"Draft", pagebot.OutboxAction{EventID: evID, Kind: pagebot.OutboxSendMessage, Target: "psid1",
			Text: "Bonjour", Status: pagebot.OutboxDraft}, pagebot.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.AddAction(ctx, tc.a)
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Errorf("AddAction(%+v) error code = %q (%v), want %q", tc.a, got, err, tc.code)
			}
		})
	}
	if acts, err := db.Actions(ctx, pagebot.ActionFilter{}); err != nil || len(acts) != 0 {
		t.Errorf("Actions after refusals = %+v, %v; want none", acts, err)
	}
}
