package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pagebot"
	"pagebot/bot"
	"pagebot/console"
	"pagebot/kb"
	"pagebot/sqlite"
)

// mustClockedFixture is MustFixture with the store on the fixture's clock
// too, so that a test can write a history in the past; the clock starts at
// the real time, which web sessions expire against. Dates are shown in UTC.
func mustClockedFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	f := &fixture{saver: &fakeSaver{}, clock: &clock{now: time.Now()}}
	f.db = sqlite.New(":memory:")
	f.db.Now = f.clock.Now
	if err := f.db.Open(); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { f.db.Close() })
	if _, err := f.db.CreateUser(ctx, "alice", "agent", password); err != nil {
		tb.Fatalf("CreateUser: %v", err)
	}
	var err error
	if f.index, err = kb.Open("", testFAQ(), nil); err != nil {
		tb.Fatalf("open index: %v", err)
	}
	tb.Cleanup(func() { f.index.Close() })
	eng, err := bot.New(f.index, nil, fakeMasker{}, bot.DefaultConfig())
	if err != nil {
		tb.Fatalf("new engine: %v", err)
	}
	h, err := console.New(console.Config{Now: f.clock.Now, Location: time.UTC},
		console.Deps{Store: f.db, Sessions: f.db.Sessions(), Index: f.index, Saver: f.saver, Decider: eng, Log: testLogger(tb)})
	if err != nil {
		tb.Fatalf("console.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix+"/", h)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// handled stores e at at and handles it with decision d, actions and case
// kase (nil for none), then runs each action (by index) at the time done
// gives it. It returns the event's id.
func (f *fixture) handled(tb testing.TB, at time.Time, e pagebot.Event, d pagebot.Decision,
	actions []pagebot.OutboxAction, kase *pagebot.Case, done map[int]time.Time) int64 {
	tb.Helper()
	ctx := context.Background()
	f.clock.set(at)
	evs, err := f.db.SaveEvents(ctx, []pagebot.Event{e})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents(%s): %v (%d saved)", e.Key, err, len(evs))
	}
	if _, err := f.db.ClaimEvents(ctx, "w", 100, time.Hour); err != nil {
		tb.Fatalf("ClaimEvents: %v", err)
	}
	d.EventID = evs[0].ID
	stored, err := f.db.CompleteEvent(ctx, "w", evs[0].ID, &d, actions, kase)
	if err != nil {
		tb.Fatalf("CompleteEvent(%s): %v", e.Key, err)
	}
	for i, when := range done {
		f.runAction(tb, when, stored[i].ID)
	}
	return evs[0].ID
}

// runAction sends action id at at, as the outbox worker would.
func (f *fixture) runAction(tb testing.TB, at time.Time, id int64) {
	tb.Helper()
	ctx := context.Background()
	f.clock.set(at)
	if _, err := f.db.ClaimActions(ctx, "w", 100, time.Hour); err != nil {
		tb.Fatalf("ClaimActions: %v", err)
	}
	if err := f.db.FinishAction(ctx, "w", id, pagebot.OutboxDone, "graph-id", ""); err != nil {
		tb.Fatalf("FinishAction(%d): %v", id, err)
	}
	if err := f.db.ReleaseActions(ctx, "w"); err != nil {
		tb.Fatalf("ReleaseActions: %v", err)
	}
}

func TestDashboardReport(t *testing.T) {
	f := mustClockedFixture(t)
	ctx := context.Background()
	now := f.clock.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	dayA, dayB := today.AddDate(0, 0, -2), today.AddDate(0, 0, -1)
	at := func(day time.Time, hour, min int) time.Time {
		return day.Add(time.Duration(hour)*time.Hour + time.Duration(min)*time.Minute)
	}
	comment := func(key string) pagebot.Event {
		return pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
			ObjectID: "post1_" + key, PostID: "post1", ParentID: "post1", SenderID: "u-" + key, Text: "question"}
	}
	reply := func(kind pagebot.OutboxKind) pagebot.OutboxAction {
		return pagebot.OutboxAction{Kind: kind, Target: "t", Text: "texte"}
	}

	// Day A: a comment answered in 5 min; a message escalated, holding
	// reply after 1 min, answered by an agent 2 h after, still open and
	// past its due time.
	f.handled(t, at(dayA, 10, 0), comment("e1"), pagebot.Decision{Action: pagebot.ActionAnswer},
		[]pagebot.OutboxAction{reply(pagebot.OutboxReplyComment)}, nil, map[int]time.Time{0: at(dayA, 10, 5)})
	msg := pagebot.Event{Key: "e2", PageID: "page", Kind: pagebot.EventMessage, Channel: pagebot.ChannelMessage,
		ObjectID: "m_e2", SenderID: "psid", Text: "question"}
	e2 := f.handled(t, at(dayA, 11, 0), msg, pagebot.Decision{Action: pagebot.ActionEscalate, Reasons: []string{"situation"}},
		[]pagebot.OutboxAction{reply(pagebot.OutboxSendMessage)},
		&pagebot.Case{Channel: pagebot.ChannelMessage, DueAt: at(dayA, 12, 0)}, map[int]time.Time{0: at(dayA, 11, 1)})
	f.clock.set(at(dayA, 12, 59))
	a, err := f.db.AddAction(ctx, pagebot.OutboxAction{EventID: e2, Kind: pagebot.OutboxSendMessage, Target: "psid",
		Text: "Réponse du conseiller.", HumanAgent: true})
	if err != nil {
		t.Fatalf("AddAction: %v", err)
	}
	f.runAction(t, at(dayA, 13, 0), a.ID)

	// Day B: a comment with personal data, hidden, private reply after
	// 10 min, closed in 30 min; a comment hidden by the moderation.
	c3 := &pagebot.Case{Channel: pagebot.ChannelComment, DueAt: at(dayB, 13, 0)}
	f.handled(t, at(dayB, 9, 0), comment("e3"), pagebot.Decision{Action: pagebot.ActionEscalate, Hide: true,
		Reasons: []string{"numéro de téléphone"}},
		[]pagebot.OutboxAction{reply(pagebot.OutboxHideComment), reply(pagebot.OutboxPrivateReply)}, c3,
		map[int]time.Time{0: at(dayB, 9, 1), 1: at(dayB, 9, 10)})
	f.clock.set(at(dayB, 9, 30))
	if err := f.db.CloseCase(ctx, c3.ID, "alice", "fait"); err != nil {
		t.Fatalf("CloseCase: %v", err)
	}
	f.handled(t, at(dayB, 10, 0), comment("e4"), moderationHide(), []pagebot.OutboxAction{reply(pagebot.OutboxHideComment)},
		&pagebot.Case{Channel: pagebot.ChannelComment, DueAt: now.Add(24 * time.Hour)}, nil)

	f.clock.set(now)
	alice := f.login(t, "alice")
	r := alice.get("/console/")
	wantStatus(t, "GET /console/", r, http.StatusOK)
	wantBody(t, "dashboard", r,
		"<strong>2</strong> escalade(s) ouverte(s)", "<strong>3</strong> entrée(s) dans la FAQ", // the counts of now
		"Activité des 30 derniers jours", `<option value="30" selected>`,
		"<strong>5 min</strong>", "90 % des réponses : 10 min au plus", "3 message(s) ayant reçu une réponse", // 1, 5, 10 min
		"<strong>30 min</strong>", "90 % des réponses : 2 h 00 au plus", "2 escalade(s) traitée(s)", // 30 min, 2 h
		"<strong>1</strong>\n    <p>encore ouverte(s) après l'échéance</p>",
		"0 close(s) après l'échéance ; 3 ouverte(s) et 1 close(s) sur la période",
		"<strong>2</strong>\n    <p>1 pour données personnelles, 1 par la modération</p>",
		"Commentaires publics (3)", "Messages privés (1)",
		"Réponses avec la FAQ : <strong>25 %</strong> (1)", "Transmis à un conseiller : <strong>75 %</strong> (3)",
		"Sur 4 décision(s).",
		"<th scope=\"row\">"+longDay(dayA)+"</th><td>1</td><td>1</td><td>2</td>",
		"<th scope=\"row\">"+longDay(dayB)+"</th><td>2</td><td>0</td><td>2</td>",
		"<th scope=\"row\">"+longDay(today)+"</th><td>0</td><td>0</td><td>0</td>",
		"Jour le plus chargé : "+longDay(dayA)+", avec 2.",
	)
	if n := strings.Count(r.body, `<g class="bar">`); n != 30 {
		t.Errorf("chart has %d bars, want 30 (one a day)", n)
	}
	if n := strings.Count(r.body, `<rect class="comments"`); n != 2 {
		t.Errorf("chart has %d comment bars, want 2 (days A and B)", n)
	}
	if !strings.Contains(r.body, `<title id="chart-title">`) || !strings.Contains(r.body, `<desc id="chart-desc">Du `) {
		t.Error("chart has no title or description")
	}
}

func TestDashboardPeriods(t *testing.T) {
	f := mustClockedFixture(t)
	alice := f.login(t, "alice")
	for _, tc := range []struct {
		query string
		days  int
	}{
		{"", 30},
		{"?days=7", 7},
		{"?days=90", 90},
		{"?days=12", 30},
		{"?days=x", 30},
	} {
		r := alice.get("/console/" + tc.query)
		wantStatus(t, "GET /console/"+tc.query, r, http.StatusOK)
		if n := strings.Count(r.body, `<g class="bar">`); n != tc.days {
			t.Errorf("GET /console/%s: %d bars, want %d", tc.query, n, tc.days)
		}
		if n := strings.Count(r.body, `<tr><th scope="row">`); n != tc.days {
			t.Errorf("GET /console/%s: %d table rows, want %d", tc.query, n, tc.days)
		}
		wantBody(t, "GET /console/"+tc.query, r, "Activité des "+strconv.Itoa(tc.days)+" derniers jours",
			`<option value="`+strconv.Itoa(tc.days)+`" selected>`)
		// The last date is centred under the last bar: it needs about 25
		// units of the 640-wide chart on its right, or it is cut.
		m := lastTick.FindAllStringSubmatch(r.body, -1)
		if len(m) == 0 {
			t.Fatalf("GET /console/%s: no date under the chart", tc.query)
		}
		if x, _ := strconv.ParseFloat(m[len(m)-1][1], 64); x+25 > 640 {
			t.Errorf("GET /console/%s: last date centred at x=%v, cut at the chart's right edge (640)", tc.query, x)
		}
	}
}

var lastTick = regexp.MustCompile(`<text class="axis" x="([0-9.]+)" y="[0-9.]+" dy="16" text-anchor="middle">`)

func TestDashboardEmpty(t *testing.T) {
	f := mustClockedFixture(t)
	r := f.login(t, "alice").get("/console/")
	wantStatus(t, "GET /console/", r, http.StatusOK)
	wantBody(t, "empty dashboard", r, "<strong>0</strong> escalade(s) ouverte(s)", "<strong>—</strong>",
		"aucune réponse envoyée sur la période", "aucune escalade traitée sur la période",
		"Aucune décision sur la période.", "Commentaires publics (0)", "Messages privés (0)")
	if strings.Contains(r.body, "<rect") || strings.Contains(r.body, "Jour le plus chargé") {
		t.Errorf("empty dashboard draws bars or a busiest day:\n%s", r.body)
	}
}

// longDay is the dashboard's way of writing a date, "lun. 02/03/2026".
func longDay(t time.Time) string {
	return [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}[t.Weekday()] + " " + t.Format("02/01/2006")
}
