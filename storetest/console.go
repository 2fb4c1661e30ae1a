package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris for the daylight-saving tests, on any machine

	"github.com/google/go-cmp/cmp"

	"pagebot"
)

// ConsoleStore is what the staff console asks of a store beyond Store:
// agents' actions, drafts to approve or reject, the dashboard's report and
// the versions of FAQ entries. Both stores provide it; RunConsole checks
// that they behave alike.
type ConsoleStore interface {
	Store

	// AddAction queues a pending action for a stored event (an agent's
	// reply) and returns it as stored. EINVALID; ENOTFOUND for an unknown
	// event.
	AddAction(ctx context.Context, a pagebot.OutboxAction) (pagebot.OutboxAction, error)
	// ApproveDraft makes a draft action pending, due now, with text instead
	// of the proposed one unless text is empty. ENOTFOUND; ECONFLICT for an
	// action that is not (or no longer) a draft.
	ApproveDraft(ctx context.Context, id int64, text string) error
	// RejectDraft makes a draft action failed for good, with "rejeté par
	// <actor>" as its error. EINVALID without an actor; ENOTFOUND;
	// ECONFLICT for an action that is not (or no longer) a draft.
	RejectDraft(ctx context.Context, id int64, actor string) error
	// Report sums up the events received in [from, to), days cut at
	// midnight in loc (UTC when nil). EINVALID for an empty, reversed or
	// too long period.
	Report(ctx context.Context, from, to time.Time, loc *time.Location) (pagebot.Report, error)
	// AddFAQVersion records the next version of an entry (a zero At means
	// now) and returns it as stored. EINVALID (see
	// pagebot.FAQVersion.Validate).
	AddFAQVersion(ctx context.Context, v pagebot.FAQVersion) (pagebot.FAQVersion, error)
	// FAQVersions returns the versions of an entry, newest first.
	FAQVersions(ctx context.Context, entryID string) ([]pagebot.FAQVersion, error)

	// SetNow replaces the store's clock (its Now field), so that a test can
	// build a past at the times it chooses. The stores do not have this
	// method: their tests wrap them in a type that adds it.
	SetNow(now func() time.Time)
}

// RunConsole runs the console's contract tests as parallel subtests of t,
// each on a fresh store returned by open (which should register its own
// cleanup). Unlike Run, they set the store's clock.
func RunConsole(t *testing.T, open func(t *testing.T) ConsoleStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ConsoleStore)
	}{
		{"ApproveDraft", testApproveDraft},
		{"ApproveDraft/Concurrent", testApproveDraftConcurrent},
		{"RejectDraft", testRejectDraft},
		{"Report", testReport},
		{"Report/Empty", testReportEmpty},
		{"Report/DaylightSaving", testReportDaylightSaving},
		{"Report/Invalid", testReportInvalid},
		{"FAQVersions", testFAQVersions},
		{"AddFAQVersion/Invalid", testAddFAQVersionInvalid},
		{"AddFAQVersion/Concurrent", testAddFAQVersionConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// draftText is the text the engine proposed for the first draft.
const draftText = "L'APL est versée vers le 5."

// mustDrafts stores a handled Messenger event whose engine proposed two
// draft replies, next to a pending mark_seen, as draft mode does, and
// returns the actions as stored: mark_seen, then the drafts.
func mustDrafts(tb testing.TB, s ConsoleStore, key string) []pagebot.OutboxAction {
	tb.Helper()
	e := mustClaimed(tb, s, "w-drafts", key)
	acts, err := s.CompleteEvent(context.Background(), "w-drafts", e.ID, nil, []pagebot.OutboxAction{
		{Kind: pagebot.OutboxMarkSeen, Target: "psid1"},
		{Kind: pagebot.OutboxSendMessage, Target: "psid1", Text: draftText, Status: pagebot.OutboxDraft},
		{Kind: pagebot.OutboxSendMessage, Target: "psid1", Text: "Deuxième brouillon.", Status: pagebot.OutboxDraft},
	}, nil)
	if err != nil || len(acts) != 3 {
		tb.Fatalf("CompleteEvent = %v, %v", acts, err)
	}
	return acts
}

func mustAction(tb testing.TB, s ConsoleStore, id int64) *pagebot.OutboxAction {
	tb.Helper()
	a, err := s.Action(context.Background(), id)
	if err != nil {
		tb.Fatalf("Action(%d): %v", id, err)
	}
	return a
}

func testApproveDraft(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	s.SetNow(func() time.Time { return now })
	acts := mustDrafts(t, s, "message:1")
	seen, kept, edited := acts[0], acts[1], acts[2]

	// Drafts are never claimed: only the mark_seen goes.
	claimed, err := s.ClaimActions(ctx, "worker1", 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != seen.ID {
		t.Fatalf("ClaimActions before approval = %+v, %v; want only the mark_seen %d", claimed, err, seen.ID)
	}
	if err := s.FinishAction(ctx, "worker1", seen.ID, pagebot.OutboxDone, "", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}

	now = t0.Add(3 * time.Hour) // the agent approves later
	if err := s.ApproveDraft(ctx, kept.ID, ""); err != nil {
		t.Fatalf("ApproveDraft(%d, \"\"): %v", kept.ID, err)
	}
	if err := s.ApproveDraft(ctx, edited.ID, "Texte corrigé par un conseiller."); err != nil {
		t.Fatalf("ApproveDraft(%d, text): %v", edited.ID, err)
	}
	for _, tc := range []struct {
		id   int64
		text string
	}{{kept.ID, draftText}, {edited.ID, "Texte corrigé par un conseiller."}} {
		a := mustAction(t, s, tc.id)
		if a.Status != pagebot.OutboxPending || a.Text != tc.text || !a.NextAt.Equal(now) || !a.UpdatedAt.Equal(now) ||
			a.Attempts != 0 || a.Kind != pagebot.OutboxSendMessage || a.Target != "psid1" || a.Error != "" {
			t.Errorf("action %d after approval = %+v; want pending, text %q, due and updated %v, no attempt", tc.id, a, tc.text, now)
		}
	}

	// The workers now run them, oldest first.
	claimed, err = s.ClaimActions(ctx, "worker1", 10, time.Minute)
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
			err := s.ApproveDraft(ctx, tc.id, "autre texte")
			wantCode(t, fmt.Sprintf("ApproveDraft(%d)", tc.id), err, tc.code)
		})
	}
	if a := mustAction(t, s, kept.ID); a.Text != draftText {
		t.Errorf("a refused ApproveDraft changed the text to %q", a.Text)
	}
}

// testApproveDraftConcurrent has several agents approve one draft at once,
// each with a text of their own: exactly one wins, and the text sent is the
// winner's.
func testApproveDraftConcurrent(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	draft := mustDrafts(t, s, "message:1")[1]
	const agents = 8
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [agents]error
	)
	for i := range agents {
		wg.Go(func() {
			<-start
			errs[i] = s.ApproveDraft(ctx, draft.ID, fmt.Sprintf("Réponse de l'agent %d.", i))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("agents %d and %d both approved draft %d", winner, i, draft.ID)
		default:
			wantCode(t, fmt.Sprintf("ApproveDraft by agent %d", i), err, pagebot.ECONFLICT)
		}
	}
	if winner < 0 {
		t.Fatalf("no agent could approve draft %d", draft.ID)
	}
	if a := mustAction(t, s, draft.ID); a.Status != pagebot.OutboxPending || a.Text != fmt.Sprintf("Réponse de l'agent %d.", winner) {
		t.Errorf("draft after the race = %s %q, want pending with agent %d's text", a.Status, a.Text, winner)
	}
}

func testRejectDraft(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	s.SetNow(func() time.Time { return now })
	acts := mustDrafts(t, s, "message:1")
	seen, rejected, other := acts[0], acts[1], acts[2]

	now = t0.Add(time.Hour)
	if err := s.RejectDraft(ctx, rejected.ID, "alice"); err != nil {
		t.Fatalf("RejectDraft: %v", err)
	}
	a := mustAction(t, s, rejected.ID)
	if a.Status != pagebot.OutboxDropped || a.Error != "rejeté par alice" || !a.UpdatedAt.Equal(now) || a.Text != draftText {
		t.Errorf("action after RejectDraft = %+v; want dropped, error %q, updated %v, text kept", a, "rejeté par alice", now)
	}
	if b := mustAction(t, s, other.ID); b.Status != pagebot.OutboxDraft {
		t.Errorf("the other draft is %s after rejecting %d, want draft", b.Status, rejected.ID)
	}
	claimed, err := s.ClaimActions(ctx, "worker1", 10, time.Minute)
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
			err := s.RejectDraft(ctx, tc.id, tc.actor)
			wantCode(t, fmt.Sprintf("RejectDraft(%d, %q)", tc.id, tc.actor), err, tc.code)
		})
	}
	wantCode(t, "ApproveDraft after reject", s.ApproveDraft(ctx, rejected.ID, ""), pagebot.ECONFLICT)
	if a := mustAction(t, s, rejected.ID); a.Status != pagebot.OutboxDropped || a.Error != "rejeté par alice" {
		t.Errorf("rejected action changed by refused calls: %+v", a)
	}
	if b := mustAction(t, s, other.ID); b.Status != pagebot.OutboxDraft {
		t.Errorf("the other draft is %s after refused calls, want draft", b.Status)
	}
}

// history builds a store's past by hand on a controlled clock: each step
// sets the store's time first.
type history struct {
	tb  testing.TB
	s   ConsoleStore
	now time.Time
}

func newHistory(tb testing.TB, s ConsoleStore) *history {
	h := &history{tb: tb, s: s}
	s.SetNow(func() time.Time { return h.now })
	return h
}

const historyOwner = "report-worker"

// event stores e received at at and handles it at once with decision d (nil
// for none), actions and case c (nil for none). It returns the event's id
// and the stored actions.
func (h *history) event(at time.Time, e pagebot.Event, d *pagebot.Decision, actions []pagebot.OutboxAction, c *pagebot.Case) (int64, []pagebot.OutboxAction) {
	h.tb.Helper()
	ctx := context.Background()
	h.now = at
	saved, err := h.s.SaveEvents(ctx, []pagebot.Event{e})
	if err != nil || len(saved) != 1 {
		h.tb.Fatalf("SaveEvents(%s) = %d saved, %v", e.Key, len(saved), err)
	}
	if _, err := h.s.ClaimEvents(ctx, historyOwner, 100, time.Hour); err != nil {
		h.tb.Fatalf("ClaimEvents: %v", err)
	}
	if d != nil {
		d.EventID = saved[0].ID
	}
	out, err := h.s.CompleteEvent(ctx, historyOwner, saved[0].ID, d, actions, c)
	if err != nil {
		h.tb.Fatalf("CompleteEvent(%s): %v", e.Key, err)
	}
	return saved[0].ID, out
}

// finish ends the action id at at with status, as the outbox worker would.
func (h *history) finish(at time.Time, id int64, status pagebot.OutboxStatus) {
	h.tb.Helper()
	ctx := context.Background()
	h.now = at
	claimed, err := h.s.ClaimActions(ctx, historyOwner, 100, time.Hour)
	if err != nil {
		h.tb.Fatalf("ClaimActions: %v", err)
	}
	if !slices.ContainsFunc(claimed, func(a pagebot.OutboxAction) bool { return a.ID == id }) {
		h.tb.Fatalf("action %d not claimable at %v", id, at)
	}
	if err := h.s.FinishAction(ctx, historyOwner, id, status, "graph-id", ""); err != nil {
		h.tb.Fatalf("FinishAction(%d): %v", id, err)
	}
	if err := h.s.ReleaseActions(ctx, historyOwner); err != nil {
		h.tb.Fatalf("ReleaseActions: %v", err)
	}
}

// agentReply queues an agent's Messenger reply at at and sends it at sent.
func (h *history) agentReply(at, sent time.Time, eventID int64) {
	h.tb.Helper()
	h.now = at
	a, err := h.s.AddAction(context.Background(), pagebot.OutboxAction{EventID: eventID,
		Kind: pagebot.OutboxSendMessage, Target: "psid", Text: "Réponse du conseiller.", HumanAgent: true})
	if err != nil {
		h.tb.Fatalf("AddAction: %v", err)
	}
	h.finish(sent, a.ID, pagebot.OutboxDone)
}

// closeCase closes case id at at.
func (h *history) closeCase(at time.Time, id int64) {
	h.tb.Helper()
	h.now = at
	if err := h.s.CloseCase(context.Background(), id, "alice", "répondu"); err != nil {
		h.tb.Fatalf("CloseCase(%d): %v", id, err)
	}
}

func publicComment(key string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
		ObjectID: "post1_" + key, PostID: "post1", ParentID: "post1", SenderID: "u-" + key, Text: "question"}
}

func privateMessage(key string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage,
		ObjectID: "m_" + key, SenderID: "psid-" + key, Text: "question"}
}

func outboxAction(kind pagebot.OutboxKind, target string) pagebot.OutboxAction {
	return pagebot.OutboxAction{Kind: kind, Target: target, Text: "texte"}
}

func decision(a pagebot.Action, hide bool, reasons ...string) *pagebot.Decision {
	return &pagebot.Decision{Action: a, Hide: hide, Reasons: reasons}
}

func testReport(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	tz := time.FixedZone("UTC+1", 3600)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, tz) }
	h := newHistory(t, s)
	type acts = []pagebot.OutboxAction

	// Before the period: everything about it must be left out.
	_, out := h.event(at(1, 23, 59), publicComment("e0"), decision(pagebot.ActionEscalate, true, "numéro de téléphone"),
		acts{outboxAction(pagebot.OutboxHideComment, "post1_e0"), outboxAction(pagebot.OutboxPrivateReply, "post1_e0")},
		&pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(2, 0, 30)})
	h.finish(at(2, 0, 1), out[1].ID, pagebot.OutboxDone)

	// Day 1 (2 March). e1 at the very start of the period: answered in 5 min.
	_, out = h.event(at(2, 0, 0), publicComment("e1"), decision(pagebot.ActionAnswer, false),
		acts{outboxAction(pagebot.OutboxReplyComment, "post1_e1")}, nil)
	h.finish(at(2, 0, 5), out[0].ID, pagebot.OutboxDone)
	// e2: seen after 1 min (not a reply), answered after 2, again after 30.
	_, out = h.event(at(2, 10, 0), privateMessage("e2"), decision(pagebot.ActionAnswer, false),
		acts{outboxAction(pagebot.OutboxMarkSeen, "psid-e2"), outboxAction(pagebot.OutboxSendMessage, "psid-e2"),
			outboxAction(pagebot.OutboxSendMessage, "psid-e2")}, nil)
	h.finish(at(2, 10, 1), out[0].ID, pagebot.OutboxDone)
	h.finish(at(2, 10, 2), out[1].ID, pagebot.OutboxDone)
	h.finish(at(2, 10, 30), out[2].ID, pagebot.OutboxDone)
	// An edit, a Page echo and the Page's own comment: not new messages; the edit's decision counts.
	edit := publicComment("e1-edit")
	edit.Kind = pagebot.EventCommentEdited
	h.event(at(2, 11, 0), edit, decision(pagebot.ActionIgnore, false), nil, nil)
	echo := privateMessage("echo")
	echo.Kind, echo.FromPage = pagebot.EventEcho, true
	h.event(at(2, 11, 30), echo, nil, nil, nil)
	own := publicComment("page-own")
	own.FromPage = true
	h.event(at(2, 11, 45), own, nil, nil, nil)

	// Day 2 (3 March); e3 at 00:30 local is still 2 March in UTC. Holding
	// reply after 1 min, an agent's reply at 03:00, closed at 04:00.
	c3 := &pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(4, 0, 30)}
	e3, out := h.event(at(3, 0, 30), privateMessage("e3"), decision(pagebot.ActionEscalate, false, "situation personnelle"),
		acts{outboxAction(pagebot.OutboxSendMessage, "psid-e3"), outboxAction(pagebot.OutboxPassThread, "psid-e3")}, c3)
	h.finish(at(3, 0, 31), out[0].ID, pagebot.OutboxDone)
	h.agentReply(at(3, 2, 30), at(3, 3, 0), e3)
	h.closeCase(at(3, 4, 0), c3.ID)
	// e4: personal data, hidden, private reply after 10 min; closed after
	// its due time, 25 h after opening, then answered by an agent.
	c4 := &pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(4, 9, 0)}
	e4, out := h.event(at(3, 9, 0), publicComment("e4"), decision(pagebot.ActionEscalate, true, "données personnelles : téléphone"),
		acts{outboxAction(pagebot.OutboxHideComment, "post1_e4"), outboxAction(pagebot.OutboxPrivateReply, "post1_e4")}, c4)
	h.finish(at(3, 9, 1), out[0].ID, pagebot.OutboxDone)
	h.finish(at(3, 9, 10), out[1].ID, pagebot.OutboxDone)
	h.closeCase(at(4, 10, 0), c4.ID)
	h.agentReply(at(4, 10, 30), at(4, 11, 0), e4)
	// e5: hidden by moderation, a scam warning under the post (not a reply
	// to the comment); still open past its due time.
	_, out = h.event(at(3, 12, 0), publicComment("e5"),
		decision(pagebot.ActionEscalate, true, "commentaire masqué par la modération (règle scam:x), à confirmer par un conseiller"),
		acts{outboxAction(pagebot.OutboxHideComment, "post1_e5"), outboxAction(pagebot.OutboxReplyComment, "post1")},
		&pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(3, 18, 0)})
	h.finish(at(3, 12, 1), out[0].ID, pagebot.OutboxDone)
	h.finish(at(3, 12, 2), out[1].ID, pagebot.OutboxDone)
	// e6: a button press redirected; the reply fails for good, a case is
	// opened without due time, and an agent answers an hour later.
	postback := privateMessage("e6")
	postback.Kind = pagebot.EventPostback
	e6, out := h.event(at(3, 15, 0), postback, decision(pagebot.ActionRedirect, false),
		acts{outboxAction(pagebot.OutboxSendMessage, "psid-e6")}, nil)
	h.finish(at(3, 15, 1), out[0].ID, pagebot.OutboxFailed)
	h.now = at(3, 16, 0)
	if err := s.OpenCase(ctx, &pagebot.Case{EventID: e6, Channel: pagebot.ChannelMessage, Reason: "échec"}); err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	h.agentReply(at(3, 16, 30), at(3, 17, 0), e6)

	// Day 3 (4 March). e7 ignored; e8 escalated, holding reply after an
	// hour, due after the report.
	h.event(at(4, 8, 0), publicComment("e7"), decision(pagebot.ActionIgnore, false), nil, nil)
	_, out = h.event(at(4, 20, 0), privateMessage("e8"), decision(pagebot.ActionEscalate, false, "réclamation"),
		acts{outboxAction(pagebot.OutboxSendMessage, "psid-e8")},
		&pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(6, 9, 0)})
	h.finish(at(4, 21, 0), out[0].ID, pagebot.OutboxDone)

	// At the end of the period: left out.
	h.event(at(5, 0, 0), privateMessage("e9"), decision(pagebot.ActionAnswer, false), nil,
		&pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(5, 1, 0)})

	h.now = at(5, 12, 0)
	got, err := s.Report(ctx, at(2, 0, 0), at(5, 0, 0), tz)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := pagebot.Report{
		From: at(2, 0, 0), To: at(5, 0, 0),
		Days: []pagebot.DayCount{
			{Day: at(2, 0, 0), Comments: 1, Messages: 1},
			{Day: at(3, 0, 0), Comments: 2, Messages: 2},
			{Day: at(4, 0, 0), Comments: 1, Messages: 1},
		},
		Comments: 4, Messages: 4,
		Answered: 2, Redirected: 1, Escalated: 4, Ignored: 2,
		HiddenPersonalData: 1, HiddenModeration: 1,
		// e3 1 min, e2 2 min, e1 5 min, e4 10 min, e8 1 h.
		BotReply: pagebot.Latency{Count: 5, Median: 5 * time.Minute, P90: time.Hour},
		// e6 1 h, e3 2 h 30, e4 25 h (closed before the agent's reply).
		HumanReply:  pagebot.Latency{Count: 3, Median: 150 * time.Minute, P90: 25 * time.Hour},
		CasesOpened: 5, CasesClosed: 2, CasesOpenPastDue: 1, CasesClosedLate: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report (-want +got):\n%s", diff)
	}
	for i, d := range got.Days {
		if d.Day.Location() != tz {
			t.Errorf("Days[%d].Day = %v, want in the report's zone", i, d.Day)
		}
	}

	// The day after: e9's decision and case, received at 00:00 on the 5th,
	// are in.
	got, err = s.Report(ctx, at(5, 0, 0), at(5, 0, 0).Add(time.Minute), tz)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if got.Answered != 1 || got.CasesOpened != 1 || got.CasesOpenPastDue != 1 || got.Messages != 1 || len(got.Days) != 1 {
		t.Errorf("Report(5 March 00:00, +1 min) = %+v, want e9 alone", got)
	}
}

// testReportEmpty lists every day of the period even when nothing came in.
func testReportEmpty(t *testing.T, s ConsoleStore) {
	h := newHistory(t, s)
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := s.Report(context.Background(), from, from.AddDate(0, 0, 7), nil)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := pagebot.Report{From: from, To: from.AddDate(0, 0, 7)}
	for i := range 7 {
		want.Days = append(want.Days, pagebot.DayCount{Day: from.AddDate(0, 0, i)})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report on an empty store (-want +got):\n%s", diff)
	}
}

// testReportDaylightSaving cuts days at local midnight across the changes
// of time in Paris: 29 March 2026 lasts 23 hours, 25 October 2026 lasts 25
// hours. The first day is cut at a From that is not midnight.
func testReportDaylightSaving(t *testing.T, s ConsoleStore) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, paris)
	}
	midnight := func(month time.Month, day int) time.Time { return at(month, day, 0, 0) }
	tests := []struct {
		name     string
		received []time.Time
		from, to time.Time
		want     []pagebot.DayCount
	}{
		{
			// A 24-hour day from 29 March 00:00 would end at 01:00 on the
			// 30th and take the message of 00:30.
			name:     "SummerTime",
			received: []time.Time{at(3, 28, 11, 30), at(3, 28, 13, 30), at(3, 29, 23, 30), at(3, 30, 0, 30), at(3, 30, 23, 30)},
			from:     at(3, 28, 12, 30),
			to:       midnight(3, 31),
			want:     []pagebot.DayCount{{Day: midnight(3, 28), Messages: 1}, {Day: midnight(3, 29), Messages: 1}, {Day: midnight(3, 30), Messages: 2}},
		},
		{
			// A 24-hour day from 25 October 00:00 would end at 23:00 and
			// leave the message of 23:30 to the 26th.
			name:     "WinterTime",
			received: []time.Time{at(10, 25, 0, 30), at(10, 25, 2, 30), at(10, 25, 23, 30), at(10, 26, 0, 30)},
			from:     midnight(10, 25),
			to:       midnight(10, 27),
			want:     []pagebot.DayCount{{Day: midnight(10, 25), Messages: 3}, {Day: midnight(10, 26), Messages: 1}},
		},
	}
	h := newHistory(t, s)
	for _, tc := range tests {
		for i, when := range tc.received {
			h.event(when, privateMessage(fmt.Sprintf("%s-%d", tc.name, i)), nil, nil, nil)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.now = tc.to.Add(12 * time.Hour)
			got, err := s.Report(context.Background(), tc.from, tc.to, paris)
			if err != nil {
				t.Fatalf("Report: %v", err)
			}
			if diff := cmp.Diff(tc.want, got.Days); diff != "" {
				t.Errorf("Report(%v, %v).Days (-want +got):\n%s", tc.from, tc.to, diff)
			}
		})
	}
}

func testReportInvalid(t *testing.T, s ConsoleStore) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		from, to time.Time
	}{
		{"Empty", from, from},
		{"Reversed", from, from.Add(-time.Hour)},
		{"TooLong", from, from.AddDate(2, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Report(context.Background(), tc.from, tc.to, time.UTC)
			wantCode(t, fmt.Sprintf("Report(%v, %v)", tc.from, tc.to), err, pagebot.EINVALID)
		})
	}
}

func testFAQVersions(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 123456789, time.UTC)
	s.SetNow(func() time.Time { return now })
	add := func(v pagebot.FAQVersion) pagebot.FAQVersion {
		t.Helper()
		got, err := s.AddFAQVersion(ctx, v)
		if err != nil {
			t.Fatalf("AddFAQVersion(%s, %s): %v", v.EntryID, v.Action, err)
		}
		return got
	}
	// Kept as written: keys in their order, spaces included.
	const first = `{"question": "Q1", "id": "rsa-demande"}`
	v1 := add(pagebot.FAQVersion{EntryID: "rsa-demande", Actor: "eddie", Action: pagebot.FAQCreate, Entry: json.RawMessage(first)})
	add(pagebot.FAQVersion{EntryID: "apl-date", Actor: "eddie", Action: pagebot.FAQCreate, Entry: json.RawMessage(`{"id":"apl-date","question":"A1"}`)})
	t1 := now.Truncate(time.Microsecond)
	now = now.Add(time.Hour)
	t2 := now.Truncate(time.Microsecond)
	v2 := add(pagebot.FAQVersion{EntryID: "rsa-demande", Actor: "ada", Action: pagebot.FAQUpdate, Entry: json.RawMessage(`{"id":"rsa-demande","question":"Q2"}`)})
	// A time given is kept, to the microsecond.
	t3 := time.Date(2026, 11, 27, 12, 30, 0, 999, time.FixedZone("CET", 3600))
	v3 := add(pagebot.FAQVersion{EntryID: "rsa-demande", Actor: "ada", Action: pagebot.FAQDelete, Entry: json.RawMessage(`{"id":"rsa-demande","question":"Q2"}`), At: t3})
	if v1.Version != 1 || v2.Version != 2 || v3.Version != 3 {
		t.Errorf("versions = %d, %d, %d; want 1, 2, 3", v1.Version, v2.Version, v3.Version)
	}
	if !v1.At.Equal(t1) || v1.ID == 0 {
		t.Errorf("first version = %+v, want an id and the time of the call %v", v1, t1)
	}

	got, err := s.FAQVersions(ctx, "rsa-demande")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("FAQVersions = %d versions, want 3: %+v", len(got), got)
	}
	want := []struct {
		version       int
		actor, action string
		question      string
		at            time.Time
	}{
		{3, "ada", pagebot.FAQDelete, "Q2", t3.Truncate(time.Microsecond)},
		{2, "ada", pagebot.FAQUpdate, "Q2", t2},
		{1, "eddie", pagebot.FAQCreate, "Q1", t1},
	}
	for i, w := range want {
		g := got[i]
		var e struct{ Question string }
		if err := json.Unmarshal(g.Entry, &e); err != nil {
			t.Fatalf("version %d: entry %s: %v", g.Version, g.Entry, err)
		}
		if g.Version != w.version || g.Actor != w.actor || g.Action != w.action || e.Question != w.question ||
			!g.At.Equal(w.at) || g.EntryID != "rsa-demande" {
			t.Errorf("version #%d = %+v (question %q), want %+v", i, g, e.Question, w)
		}
	}
	if g := got[2]; g.ID != v1.ID || string(g.Entry) != first {
		t.Errorf("first version read back = id %d, entry %s; want id %d, entry %s as written", g.ID, g.Entry, v1.ID, first)
	}
	if other, err := s.FAQVersions(ctx, "apl-date"); err != nil || len(other) != 1 || other[0].Version != 1 {
		t.Errorf("FAQVersions(apl-date) = %+v, %v; want its one version", other, err)
	}
	if none, err := s.FAQVersions(ctx, "inconnue"); err != nil || len(none) != 0 {
		t.Errorf("FAQVersions(unknown) = %+v, %v; want none", none, err)
	}
}

func testAddFAQVersionInvalid(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	ok := pagebot.FAQVersion{EntryID: "rsa-demande", Actor: "eddie", Action: pagebot.FAQUpdate, Entry: json.RawMessage(`{"id":"rsa-demande"}`)}
	tests := []struct {
		name   string
		change func(*pagebot.FAQVersion)
	}{
		{"NoEntryID", func(v *pagebot.FAQVersion) { v.EntryID = "" }},
		{"NoActor", func(v *pagebot.FAQVersion) { v.Actor = "" }},
		{"BadAction", func(v *pagebot.FAQVersion) { v.Action = "rename" }},
		{"NotJSON", func(v *pagebot.FAQVersion) { v.Entry = json.RawMessage(`{`) }},
		{"NotAnEntry", func(v *pagebot.FAQVersion) { v.Entry = json.RawMessage(`null`) }},
		{"NotAnObject", func(v *pagebot.FAQVersion) { v.Entry = json.RawMessage(`["rsa-demande"]`) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := ok
			tc.change(&v)
			_, err := s.AddFAQVersion(ctx, v)
			wantCode(t, "AddFAQVersion", err, pagebot.EINVALID)
		})
	}
	if vs, err := s.FAQVersions(ctx, "rsa-demande"); err != nil || len(vs) != 0 {
		t.Errorf("invalid versions were stored: %+v, %v", vs, err)
	}
}

// testAddFAQVersionConcurrent has several editors (replicas, for
// PostgreSQL) record versions of one entry at once: each must get its own
// number, with none missing.
func testAddFAQVersionConcurrent(t *testing.T, s ConsoleStore) {
	ctx := context.Background()
	const editors, each = 6, 5
	var wg sync.WaitGroup
	for i := range editors {
		wg.Go(func() {
			for j := range each {
				_, err := s.AddFAQVersion(ctx, pagebot.FAQVersion{EntryID: "rsa-demande", Actor: fmt.Sprintf("editor%d", i),
					Action: pagebot.FAQUpdate, Entry: json.RawMessage(fmt.Sprintf(`{"id":"rsa-demande","question":"Q%d-%d"}`, i, j))})
				if err != nil {
					t.Errorf("AddFAQVersion by editor %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.FAQVersions(ctx, "rsa-demande")
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, v := range got {
		numbers = append(numbers, v.Version)
	}
	want := make([]int, 0, editors*each)
	for n := editors * each; n > 0; n-- {
		want = append(want, n)
	}
	if diff := cmp.Diff(want, numbers); diff != "" {
		t.Errorf("version numbers after concurrent adds, newest first (-want +got):\n%s", diff)
	}
}
