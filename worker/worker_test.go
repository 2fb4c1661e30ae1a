package worker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot"
	"pagebot/bot"
	"pagebot/graph"
	"pagebot/sqlite"
)

// fakeGraph records calls; canReplyPrivately answers Comment, pageReplies
// and repliesErr answer PageReplies.
type fakeGraph struct {
	mu                sync.Mutex
	calls             []string
	canReplyPrivately bool
	pageReplies       []string
	repliesErr        error
}

func (f *fakeGraph) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeGraph) ReplyComment(ctx context.Context, id, text string) (string, error) {
	f.record("reply " + id)
	return "r_" + id, nil
}
func (f *fakeGraph) HideComment(ctx context.Context, id string, hidden bool) error {
	f.record("hide " + id)
	return nil
}
func (f *fakeGraph) PrivateReply(ctx context.Context, id, text string) (string, error) {
	f.record("private " + id)
	return "m_" + id, nil
}
func (f *fakeGraph) SendMessage(ctx context.Context, psid, text string, o graph.SendOptions) (string, error) {
	f.record("send " + psid)
	return "m", nil
}
func (f *fakeGraph) MarkSeen(ctx context.Context, psid string) error {
	f.record("seen " + psid)
	return nil
}
func (f *fakeGraph) PassThreadToInbox(ctx context.Context, psid, md string) error {
	f.record("pass " + psid)
	return nil
}
func (f *fakeGraph) Comment(ctx context.Context, id string) (graph.CommentInfo, error) {
	f.record("get " + id)
	return graph.CommentInfo{ID: id, CanReplyPrivately: f.canReplyPrivately}, nil
}
func (f *fakeGraph) PageReplies(ctx context.Context, id string) ([]string, error) {
	f.record("replies " + id)
	return f.pageReplies, f.repliesErr
}

type fixedDecider struct{ d bot.Decision }

func (f fixedDecider) Decide(bot.Input) (bot.Decision, error) { return f.d, nil }

// MustStore opens a fresh SQLite store in a temp dir.
func MustStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlite.New(tb.TempDir() + "/pagebot.db")
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// interrupted leaves one outbox action of the given kind on target claimed
// by a worker that then "died": its lease runs out with Attempts = 1 and no
// result. Its event is comment c1 under post p1. When earlier is not empty,
// an earlier reply to c1 was done first, with that result (the bot's
// holding reply before an agent's). It returns the interrupted action's id.
func interrupted(t *testing.T, db *sqlite.DB, kind pagebot.OutboxKind, target, earlier string) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SaveEvents(ctx, []pagebot.Event{{Key: "comment:c1:add", Kind: pagebot.EventCommentAdd,
		Channel: pagebot.ChannelComment, ObjectID: "c1", PostID: "p1", ParentID: "p1", SenderID: "u1", Text: "question", CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	evs, err := db.ClaimEvents(ctx, "dead", 1, time.Minute)
	if err != nil || len(evs) != 1 {
		t.Fatalf("claim = %v %v", evs, err)
	}
	now := time.Now()
	act := pagebot.OutboxAction{Kind: kind, Target: target, Text: "réponse", Status: pagebot.OutboxPending, NextAt: now, CreatedAt: now, UpdatedAt: now}
	var acts []pagebot.OutboxAction
	if earlier != "" {
		acts = append(acts, pagebot.OutboxAction{Kind: pagebot.OutboxReplyComment, Target: "c1", Text: "un conseiller va répondre",
			Status: pagebot.OutboxPending, NextAt: now, CreatedAt: now, UpdatedAt: now})
	}
	if _, err := db.CompleteEvent(ctx, "dead", evs[0].ID, &pagebot.Decision{Action: pagebot.ActionAnswer}, acts, nil); err != nil {
		t.Fatal(err)
	}
	if earlier != "" {
		claimed, err := db.ClaimActions(ctx, "dead", 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim earlier reply = %v %v", claimed, err)
		}
		if err := db.FinishAction(ctx, "dead", claimed[0].ID, pagebot.OutboxDone, earlier, ""); err != nil {
			t.Fatal(err)
		}
	}
	act.EventID = evs[0].ID
	added, err := db.AddAction(ctx, act)
	if err != nil {
		t.Fatal(err)
	}
	if claimed, err := db.ClaimActions(ctx, "dead", 1, 20*time.Millisecond); err != nil || len(claimed) != 1 {
		t.Fatalf("claim actions = %v %v", claimed, err)
	}
	time.Sleep(40 * time.Millisecond) // the lease runs out
	return added.ID
}

func newTestWorker(db *sqlite.DB, g *fakeGraph) *Worker {
	log, _ := logtest.NewNullLogger()
	return New(Config{Owner: "w2", Lease: time.Second}, db, fixedDecider{}, g, log)
}

func TestInterruptedActions(t *testing.T) {
	gone := &graph.Error{Op: "list page replies", Code: 100, Subcode: 33, Class: graph.Done, Message: "object does not exist"}
	down := &graph.Error{Op: "list page replies", Message: "answer is not JSON (52 bytes)", Class: graph.Transient}
	tests := []struct {
		name        string
		kind        pagebot.OutboxKind
		target      string // c1 unless set
		earlier     string // result of an earlier reply to c1, if any
		canReply    bool
		pageReplies []string
		repliesErr  error
		echo        string // text of a stored echo to the target, if any
		wantCalls   string
		status      pagebot.OutboxStatus
		result      string
		wantCase    bool
	}{
		{name: "private reply already sent", kind: pagebot.OutboxPrivateReply,
			wantCalls: "get c1", status: pagebot.OutboxDone},
		{name: "private reply not sent", kind: pagebot.OutboxPrivateReply, canReply: true,
			wantCalls: "get c1,private c1", status: pagebot.OutboxDone, result: "m_c1"},
		{name: "hide is redone (idempotent)", kind: pagebot.OutboxHideComment,
			wantCalls: "hide c1", status: pagebot.OutboxDone},
		{name: "public reply already sent: found, not resent", kind: pagebot.OutboxReplyComment, pageReplies: []string{"c1_r9"},
			wantCalls: "replies c1", status: pagebot.OutboxDone, result: "c1_r9"},
		{name: "public reply not sent: sent once", kind: pagebot.OutboxReplyComment,
			wantCalls: "replies c1,reply c1", status: pagebot.OutboxDone, result: "r_c1"},
		{name: "another action's reply is not ours: sent once", kind: pagebot.OutboxReplyComment, earlier: "c1_hold", pageReplies: []string{"c1_hold"},
			wantCalls: "replies c1,reply c1", status: pagebot.OutboxDone, result: "r_c1"},
		{name: "ours found next to another action's", kind: pagebot.OutboxReplyComment, earlier: "c1_hold", pageReplies: []string{"c1_r9", "c1_hold"},
			wantCalls: "replies c1", status: pagebot.OutboxDone, result: "c1_r9"},
		{name: "comment deleted: nothing to do", kind: pagebot.OutboxReplyComment, repliesErr: gone,
			wantCalls: "replies c1", status: pagebot.OutboxDone},
		{name: "check fails: retried later, nothing sent", kind: pagebot.OutboxReplyComment, repliesErr: down,
			wantCalls: "replies c1", status: pagebot.OutboxPending},
		{name: "comment on a post cannot be verified: set aside", kind: pagebot.OutboxReplyComment, target: "p1",
			wantCalls: "", status: pagebot.OutboxFailed, wantCase: true},
		{name: "message without an echo cannot be verified: set aside", kind: pagebot.OutboxSendMessage, target: "u1",
			wantCalls: "", status: pagebot.OutboxFailed, wantCase: true},
		{name: "message echoed by Meta: found done, not resent", kind: pagebot.OutboxSendMessage, target: "u1", echo: "réponse",
			wantCalls: "", status: pagebot.OutboxDone, result: "m_echo"},
		{name: "echo of another text: set aside", kind: pagebot.OutboxSendMessage, target: "u1", echo: "une autre réponse",
			wantCalls: "", status: pagebot.OutboxFailed, wantCase: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustStore(t)
			target := tc.target
			if target == "" {
				target = "c1"
			}
			id := interrupted(t, db, tc.kind, target, tc.earlier)
			if tc.echo != "" {
				if _, err := db.SaveEvents(ctx, []pagebot.Event{{Key: "echo:m_echo", Kind: pagebot.EventEcho, Channel: pagebot.ChannelMessage,
					ObjectID: "m_echo", SenderID: target, Text: tc.echo, FromPage: true, CreatedAt: time.Now()}}); err != nil {
					t.Fatal(err)
				}
			}
			g := &fakeGraph{canReplyPrivately: tc.canReply, pageReplies: tc.pageReplies, repliesErr: tc.repliesErr}
			w := newTestWorker(db, g)
			if _, err := w.ExecuteActions(ctx); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(g.calls, ","); got != tc.wantCalls {
				t.Errorf("graph calls = %q, want %q", got, tc.wantCalls)
			}
			a, err := db.Action(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tc.status || a.Result != tc.result {
				t.Errorf("action = %s result %q, want %s result %q", a.Status, a.Result, tc.status, tc.result)
			}
			if tc.status == pagebot.OutboxPending && !strings.HasPrefix(a.Error, uncertainPrefix) {
				t.Errorf("action error = %q, want it marked uncertain so that the next try checks again", a.Error)
			}
			cases, _ := db.Cases(ctx, pagebot.CaseOpen, 10)
			if (len(cases) == 1) != tc.wantCase {
				t.Errorf("open cases = %d, want case: %v", len(cases), tc.wantCase)
			}
		})
	}
}

func TestHandleBuildsActions(t *testing.T) {
	tests := []struct {
		name     string
		ev       pagebot.Event
		d        bot.Decision
		actions  string
		wantCase bool
	}{
		{"comment answer", pagebot.Event{Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment, ObjectID: "c1"},
			bot.Decision{Action: pagebot.ActionAnswer, Reply: "r"}, "reply_comment", false},
		{"comment with personal data", pagebot.Event{Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment, ObjectID: "c1", PII: []string{"phone"}},
			bot.Decision{Action: pagebot.ActionAnswer, Reply: "r", Hide: true}, "hide_comment,private_reply", false},
		{"comment ignored", pagebot.Event{Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment, ObjectID: "c1"},
			bot.Decision{Action: pagebot.ActionIgnore}, "", false},
		{"message escalated", pagebot.Event{Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage, ObjectID: "m1", SenderID: "u1"},
			bot.Decision{Action: pagebot.ActionEscalate, Reply: "r"}, "mark_seen,send_message,pass_thread", true},
		{"edit without personal data", pagebot.Event{Kind: pagebot.EventCommentEdited, Channel: pagebot.ChannelComment, ObjectID: "c1"},
			bot.Decision{Action: pagebot.ActionAnswer, Reply: "r"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := MustStore(t)
			ctx := context.Background()
			tc.ev.Key, tc.ev.CreatedAt, tc.ev.Text = "k:"+tc.name, time.Now(), "texte"
			if _, err := db.SaveEvents(ctx, []pagebot.Event{tc.ev}); err != nil {
				t.Fatal(err)
			}
			log, _ := logtest.NewNullLogger()
			w := New(Config{Owner: "w"}, db, fixedDecider{d: tc.d}, &fakeGraph{}, log)
			if n, err := w.ProcessEvents(ctx); err != nil || n != 1 {
				t.Fatalf("ProcessEvents = %d %v", n, err)
			}
			acts, err := db.Actions(ctx, sqlite.ActionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for i := len(acts) - 1; i >= 0; i-- { // newest first: reverse to creation order
				kinds = append(kinds, string(acts[i].Kind))
			}
			if got := strings.Join(kinds, ","); got != tc.actions {
				t.Errorf("outbox = %q, want %q", got, tc.actions)
			}
			cases, _ := db.Cases(ctx, pagebot.CaseOpen, 10)
			if (len(cases) == 1) != tc.wantCase {
				t.Errorf("cases = %d, want case: %v", len(cases), tc.wantCase)
			}
		})
	}
}

// TestModes checks that the same event gives a posted reply in auto, a
// pending draft in draft, and an escalation with nothing posted in off.
func TestModes(t *testing.T) {
	tests := []struct {
		mode     string
		outbox   string
		action   pagebot.Action
		wantCase bool
	}{
		{ModeAuto, "reply_comment:pending", pagebot.ActionAnswer, false},
		{ModeDraft, "reply_comment:draft", pagebot.ActionAnswer, false},
		{ModeOff, "", pagebot.ActionEscalate, true},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			db := MustStore(t)
			ctx := context.Background()
			ev := pagebot.Event{Key: "comment:c1:add", Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
				ObjectID: "c1", SenderID: "u1", Text: "quand est versée l'apl ?", CreatedAt: time.Now()}
			saved, err := db.SaveEvents(ctx, []pagebot.Event{ev})
			if err != nil {
				t.Fatal(err)
			}
			log, _ := logtest.NewNullLogger()
			w := New(Config{Owner: "w", Mode: func(time.Time) string { return tc.mode }}, db,
				fixedDecider{d: bot.Decision{Action: pagebot.ActionAnswer, FAQID: "apl", Reply: "Bonjour…"}}, &fakeGraph{}, log)
			if _, err := w.ProcessEvents(ctx); err != nil {
				t.Fatal(err)
			}
			acts, _ := db.Actions(ctx, sqlite.ActionFilter{})
			var got []string
			for _, a := range acts {
				got = append(got, string(a.Kind)+":"+string(a.Status))
			}
			if strings.Join(got, ",") != tc.outbox {
				t.Errorf("outbox = %v, want %q", got, tc.outbox)
			}
			d, err := db.Decision(ctx, saved[0].ID)
			if err != nil || d.Action != tc.action {
				t.Errorf("decision = %+v %v, want %s", d, err, tc.action)
			}
			cases, _ := db.Cases(ctx, pagebot.CaseOpen, 10)
			if (len(cases) == 1) != tc.wantCase {
				t.Errorf("cases = %d, want case: %v", len(cases), tc.wantCase)
			}
		})
	}
}

// countRepeats flags the third identical text from one author.
type countRepeats struct{ seen map[string]int }

func (c *countRepeats) Note(author, text string, at time.Time) (bool, string) {
	c.seen[author+"\x00"+text]++
	return c.seen[author+"\x00"+text] >= 3, "repeat:3"
}

func TestRepeatedCommentsQueued(t *testing.T) {
	db := MustStore(t)
	ctx := context.Background()
	log, _ := logtest.NewNullLogger()
	w := New(Config{Owner: "w", Repeats: &countRepeats{seen: map[string]int{}}}, db,
		fixedDecider{d: bot.Decision{Action: pagebot.ActionAnswer, Reply: "r", Moderation: "ok"}}, &fakeGraph{}, log)
	for i := 0; i < 3; i++ {
		ev := pagebot.Event{Key: fmt.Sprintf("comment:c%d:add", i), Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
			ObjectID: fmt.Sprintf("c%d", i), SenderID: "spammer", Text: "achetez mes produits", CreatedAt: time.Now()}
		if _, err := db.SaveEvents(ctx, []pagebot.Event{ev}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ProcessEvents(ctx); err != nil {
			t.Fatal(err)
		}
	}
	acts, _ := db.Actions(ctx, sqlite.ActionFilter{})
	if len(acts) != 2 {
		t.Errorf("%d outbox actions, want 2 (the third identical comment is not answered)", len(acts))
	}
	cases, _ := db.Cases(ctx, pagebot.CaseOpen, 10)
	if len(cases) != 1 {
		t.Errorf("%d open cases, want 1 (the repeat, queued for review)", len(cases))
	}
}

func TestScamWarningOncePerPost(t *testing.T) {
	db := MustStore(t)
	ctx := context.Background()
	log, _ := logtest.NewNullLogger()
	w := New(Config{Owner: "w", ScamWarning: "Attention : la Caf ne demande jamais vos coordonnées par lien."}, db,
		fixedDecider{d: bot.Decision{Action: pagebot.ActionEscalate, Hide: true, Moderation: "hide", ModerationRule: "lookalike_link:caf-remboursement.fr"}},
		&fakeGraph{}, log)
	for i, post := range []string{"p1", "p1", "p2"} {
		ev := pagebot.Event{Key: fmt.Sprintf("comment:s%d:add", i), Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
			ObjectID: fmt.Sprintf("s%d", i), PostID: post, SenderID: "u", Text: "lien", CreatedAt: time.Now()}
		if _, err := db.SaveEvents(ctx, []pagebot.Event{ev}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ProcessEvents(ctx); err != nil {
			t.Fatal(err)
		}
	}
	acts, _ := db.Actions(ctx, sqlite.ActionFilter{})
	var warnings, hides []string
	for _, a := range acts {
		switch a.Kind {
		case pagebot.OutboxReplyComment:
			warnings = append(warnings, a.Target)
		case pagebot.OutboxHideComment:
			hides = append(hides, a.Target)
		}
	}
	if len(hides) != 3 || strings.Join(warnings, ",") != "p2,p1" {
		t.Errorf("hides %v, warnings %v; want 3 hides and one warning per post (p1, p2)", hides, warnings)
	}
}

// Stored echoes hold masked text: an interrupted message is looked for in
// the masked form of its text.
func TestInterruptedMessageMasked(t *testing.T) {
	ctx := context.Background()
	db := MustStore(t)
	id := interrupted(t, db, pagebot.OutboxSendMessage, "u1", "")
	if _, err := db.SaveEvents(ctx, []pagebot.Event{{Key: "echo:m_echo", Kind: pagebot.EventEcho, Channel: pagebot.ChannelMessage,
		ObjectID: "m_echo", SenderID: "u1", Text: "[masqué]", FromPage: true, CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	g := &fakeGraph{}
	log, _ := logtest.NewNullLogger()
	w := New(Config{Owner: "w2", Lease: time.Second, Mask: func(string) string { return "[masqué]" }}, db, fixedDecider{}, g, log)
	if _, err := w.ExecuteActions(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := db.Action(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != pagebot.OutboxDone || a.Result != "m_echo" || len(g.calls) != 0 {
		t.Errorf("action = %s %q after calls %v; want done m_echo, nothing sent", a.Status, a.Result, g.calls)
	}
}
