package sqlite_test

import (
	"context"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris for the daylight-saving test, on any machine

	"github.com/google/go-cmp/cmp"

	"pagebot"
	"pagebot/sqlite"
)

// history builds a store's past by hand on a controlled clock: each step
// sets the store's time first.
type history struct {
	tb  testing.TB
	db  *sqlite.DB
	now time.Time
}

func newHistory(tb testing.TB) *history {
	tb.Helper()
	h := &history{tb: tb}
	db := sqlite.New(":memory:")
	db.Now = func() time.Time { return h.now }
	if err := db.Open(); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	h.db = db
	return h
}

const reportOwner = "report-worker"

// event stores e received at at and handles it at once with decision d (nil
// for none), actions and case c (nil for none). It returns the event's id
// and the stored actions.
func (h *history) event(at time.Time, e pagebot.Event, d *pagebot.Decision, actions []pagebot.OutboxAction, c *pagebot.Case) (int64, []pagebot.OutboxAction) {
	h.tb.Helper()
	ctx := context.Background()
	h.now = at
	saved, err := h.db.SaveEvents(ctx, []pagebot.Event{e})
	if err != nil || len(saved) != 1 {
		h.tb.Fatalf("SaveEvents(%s) = %d saved, %v", e.Key, len(saved), err)
	}
	if _, err := h.db.ClaimEvents(ctx, reportOwner, 100, time.Hour); err != nil {
		h.tb.Fatalf("ClaimEvents: %v", err)
	}
	if d != nil {
		d.EventID = saved[0].ID
	}
	out, err := h.db.CompleteEvent(ctx, reportOwner, saved[0].ID, d, actions, c)
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
	claimed, err := h.db.ClaimActions(ctx, reportOwner, 100, time.Hour)
	if err != nil {
		h.tb.Fatalf("ClaimActions: %v", err)
	}
	if !slices.ContainsFunc(claimed, func(a pagebot.OutboxAction) bool { return a.ID == id }) {
		h.tb.Fatalf("action %d not claimable at %v", id, at)
	}
	if err := h.db.FinishAction(ctx, reportOwner, id, status, "graph-id", ""); err != nil {
		h.tb.Fatalf("FinishAction(%d): %v", id, err)
	}
	if err := h.db.ReleaseActions(ctx, reportOwner); err != nil {
		h.tb.Fatalf("ReleaseActions: %v", err)
	}
}

// agentReply queues an agent's Messenger reply at at and sends it at sent.
func (h *history) agentReply(at, sent time.Time, eventID int64) {
	h.tb.Helper()
	h.now = at
	a, err := h.db.AddAction(context.Background(), pagebot.OutboxAction{EventID: eventID,
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
	if err := h.db.CloseCase(context.Background(), id, "alice", "répondu"); err != nil {
		h.tb.Fatalf("CloseCase(%d): %v", id, err)
	}
}

func comment(key string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
		ObjectID: "post1_" + key, PostID: "post1", ParentID: "post1", SenderID: "u-" + key, Text: "question"}
}

func message(key string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage,
		ObjectID: "m_" + key, SenderID: "psid-" + key, Text: "question"}
}

func act(kind pagebot.OutboxKind, target string) pagebot.OutboxAction {
	return pagebot.OutboxAction{Kind: kind, Target: target, Text: "texte"}
}

func decision(a pagebot.Action, hide bool, reasons ...string) *pagebot.Decision {
	return &pagebot.Decision{Action: a, Hide: hide, Reasons: reasons}
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	tz := time.FixedZone("UTC+1", 3600)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, tz) }
	h := newHistory(t)

	// Before the period: everything about it must be left out.
	_, acts := h.event(at(1, 23, 59), comment("e0"), decision(pagebot.ActionEscalate, true, "numéro de téléphone"),
		[]pagebot.OutboxAction{act(pagebot.OutboxHideComment, "post1_e0"), act(pagebot.OutboxPrivateReply, "post1_e0")},
		&pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(2, 0, 30)})
	h.finish(at(2, 0, 1), acts[1].ID, pagebot.OutboxDone)

	// Day 1 (2 March). e1 at the very start of the period: answered in 5 min.
	_, acts = h.event(at(2, 0, 0), comment("e1"), decision(pagebot.ActionAnswer, false),
		[]pagebot.OutboxAction{act(pagebot.OutboxReplyComment, "post1_e1")}, nil)
	h.finish(at(2, 0, 5), acts[0].ID, pagebot.OutboxDone)
	// e2: seen after 1 min (not a reply), answered after 2, again after 30.
	_, acts = h.event(at(2, 10, 0), message("e2"), decision(pagebot.ActionAnswer, false),
		[]pagebot.OutboxAction{act(pagebot.OutboxMarkSeen, "psid-e2"), act(pagebot.OutboxSendMessage, "psid-e2"),
			act(pagebot.OutboxSendMessage, "psid-e2")}, nil)
	h.finish(at(2, 10, 1), acts[0].ID, pagebot.OutboxDone)
	h.finish(at(2, 10, 2), acts[1].ID, pagebot.OutboxDone)
	h.finish(at(2, 10, 30), acts[2].ID, pagebot.OutboxDone)
	// An edit, a Page echo and the Page's own comment: not new messages; the edit's decision counts.
	edit := comment("e1-edit")
	edit.Kind = pagebot.EventCommentEdited
	h.event(at(2, 11, 0), edit, decision(pagebot.ActionIgnore, false), nil, nil)
	echo := message("echo")
	echo.Kind, echo.FromPage = pagebot.EventEcho, true
	h.event(at(2, 11, 30), echo, nil, nil, nil)
	own := comment("page-own")
	own.FromPage = true
	h.event(at(2, 11, 45), own, nil, nil, nil)

	// Day 2 (3 March); e3 at 00:30 local is still 2 March in UTC. Holding
	// reply after 1 min, an agent's reply at 03:00, closed at 04:00.
	c3 := &pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(4, 0, 30)}
	e3, acts := h.event(at(3, 0, 30), message("e3"), decision(pagebot.ActionEscalate, false, "situation personnelle"),
		[]pagebot.OutboxAction{act(pagebot.OutboxSendMessage, "psid-e3"), act(pagebot.OutboxPassThread, "psid-e3")}, c3)
	h.finish(at(3, 0, 31), acts[0].ID, pagebot.OutboxDone)
	h.agentReply(at(3, 2, 30), at(3, 3, 0), e3)
	h.closeCase(at(3, 4, 0), c3.ID)
	// e4: personal data, hidden, private reply after 10 min; closed after
	// its due time, 25 h after opening, then answered by an agent.
	c4 := &pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(4, 9, 0)}
	e4, acts := h.event(at(3, 9, 0), comment("e4"), decision(pagebot.ActionEscalate, true, "données personnelles : téléphone"),
		[]pagebot.OutboxAction{act(pagebot.OutboxHideComment, "post1_e4"), act(pagebot.OutboxPrivateReply, "post1_e4")}, c4)
	h.finish(at(3, 9, 1), acts[0].ID, pagebot.OutboxDone)
	h.finish(at(3, 9, 10), acts[1].ID, pagebot.OutboxDone)
	h.closeCase(at(4, 10, 0), c4.ID)
	h.agentReply(at(4, 10, 30), at(4, 11, 0), e4)
	// e5: hidden by moderation, a scam warning under the post (not a reply
	// to the comment); still open past its due time.
	_, acts = h.event(at(3, 12, 0), comment("e5"),
		decision(pagebot.ActionEscalate, true, "commentaire masqué par la modération (règle scam:x), à confirmer par un conseiller"),
		[]pagebot.OutboxAction{act(pagebot.OutboxHideComment, "post1_e5"), act(pagebot.OutboxReplyComment, "post1")},
		&pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(3, 18, 0)})
	h.finish(at(3, 12, 1), acts[0].ID, pagebot.OutboxDone)
	h.finish(at(3, 12, 2), acts[1].ID, pagebot.OutboxDone)
	// e6: a button press redirected; the reply fails for good, a case is
	// opened without due time, and an agent answers an hour later.
	postback := message("e6")
	postback.Kind = pagebot.EventPostback
	e6, acts := h.event(at(3, 15, 0), postback, decision(pagebot.ActionRedirect, false),
		[]pagebot.OutboxAction{act(pagebot.OutboxSendMessage, "psid-e6")}, nil)
	h.finish(at(3, 15, 1), acts[0].ID, pagebot.OutboxFailed)
	h.now = at(3, 16, 0)
	if err := h.db.OpenCase(ctx, &pagebot.Case{EventID: e6, Channel: pagebot.ChannelMessage, Reason: "échec"}); err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	h.agentReply(at(3, 16, 30), at(3, 17, 0), e6)

	// Day 3 (4 March). e7 ignored; e8 escalated, holding reply after an
	// hour, due after the report.
	h.event(at(4, 8, 0), comment("e7"), decision(pagebot.ActionIgnore, false), nil, nil)
	_, acts = h.event(at(4, 20, 0), message("e8"), decision(pagebot.ActionEscalate, false, "réclamation"),
		[]pagebot.OutboxAction{act(pagebot.OutboxSendMessage, "psid-e8")},
		&pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(6, 9, 0)})
	h.finish(at(4, 21, 0), acts[0].ID, pagebot.OutboxDone)

	// At the end of the period: left out.
	h.event(at(5, 0, 0), message("e9"), decision(pagebot.ActionAnswer, false), nil,
		&pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(5, 1, 0)})

	h.now = at(5, 12, 0)
	got, err := h.db.Report(ctx, at(2, 0, 0), at(5, 0, 0), tz)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := sqlite.Report{
		From: at(2, 0, 0), To: at(5, 0, 0),
		Days: []sqlite.DayCount{
			{Day: at(2, 0, 0), Comments: 1, Messages: 1},
			{Day: at(3, 0, 0), Comments: 2, Messages: 2},
			{Day: at(4, 0, 0), Comments: 1, Messages: 1},
		},
		Comments: 4, Messages: 4,
		Answered: 2, Redirected: 1, Escalated: 4, Ignored: 2,
		HiddenPersonalData: 1, HiddenModeration: 1,
		// e3 1 min, e2 2 min, e1 5 min, e4 10 min, e8 1 h.
		BotReply: sqlite.Latency{Count: 5, Median: 5 * time.Minute, P90: time.Hour},
		// e6 1 h, e3 2 h 30, e4 25 h (closed before the agent's reply).
		HumanReply:  sqlite.Latency{Count: 3, Median: 150 * time.Minute, P90: 25 * time.Hour},
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

	// The day after: nothing received, every day listed all the same.
	got, err = h.db.Report(ctx, at(5, 0, 0), at(5, 0, 0).Add(time.Minute), tz)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	// e9's decision and case, received at 00:00 on the 5th, are in.
	if got.Answered != 1 || got.CasesOpened != 1 || got.CasesOpenPastDue != 1 || got.Messages != 1 || len(got.Days) != 1 {
		t.Errorf("Report(5 March 00:00, +1 min) = %+v, want e9 alone", got)
	}
}

func TestReportEmpty(t *testing.T) {
	h := newHistory(t)
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := h.db.Report(context.Background(), from, from.AddDate(0, 0, 7), nil)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := sqlite.Report{From: from, To: from.AddDate(0, 0, 7)}
	for i := range 7 {
		want.Days = append(want.Days, sqlite.DayCount{Day: from.AddDate(0, 0, i)})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report on an empty store (-want +got):\n%s", diff)
	}
}

// TestReportDaylightSaving cuts days at local midnight across the change to
// summer time (29 March 2026 lasts 23 hours in Paris) and cuts the first
// day at a From that is not midnight.
func TestReportDaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 30, 0, 0, paris) }
	h := newHistory(t)
	for i, when := range []time.Time{at(28, 11), at(28, 13), at(29, 23), at(30, 0), at(30, 23)} {
		h.event(when, message(string(rune('a'+i))), nil, nil, nil)
	}
	h.now = at(31, 12)
	got, err := h.db.Report(context.Background(), at(28, 12), time.Date(2026, 3, 31, 0, 0, 0, 0, paris), paris)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	midnight := func(day int) time.Time { return time.Date(2026, 3, day, 0, 0, 0, 0, paris) }
	want := []sqlite.DayCount{{Day: midnight(28), Messages: 1}, {Day: midnight(29), Messages: 1}, {Day: midnight(30), Messages: 2}}
	if diff := cmp.Diff(want, got.Days); diff != "" {
		t.Errorf("Report.Days (-want +got):\n%s", diff)
	}
}

func TestReportInvalid(t *testing.T) {
	h := newHistory(t)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to time.Time
	}{
		{"empty", from, from},
		{"reversed", from, from.Add(-time.Hour)},
		{"too long", from, from.AddDate(2, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.db.Report(context.Background(), tc.from, tc.to, time.UTC)
			if code := pagebot.ErrorCode(err); code != pagebot.EINVALID {
				t.Errorf("Report(%v, %v) = %v, want EINVALID", tc.from, tc.to, err)
			}
		})
	}
}
