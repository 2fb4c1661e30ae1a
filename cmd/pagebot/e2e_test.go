package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot"
	"pagebot/config"
	"pagebot/graph/graphtest"
	"pagebot/postgres/pgtest"
	"pagebot/sqlite"
)

// e2e is a pagebot server on a temp data dir, talking to a fake Graph server.
type e2e struct {
	t     *testing.T
	graph *graphtest.Server
	url   string
	srv   *server
	logs  *logtest.Hook
	n     int
}

// MustStartE2E starts pagebot with a page token pointing at a fake Graph
// server, so that every Graph call is recorded there.
func MustStartE2E(t *testing.T) *e2e {
	t.Helper()
	dsn := ""
	if e2eStore != nil {
		dsn = e2eStore(t)
	}
	return mustStartE2E(t, dsn)
}

// e2eStore, when set, gives MustStartE2E the store of the test
// (TestE2EOnPostgres); nil is SQLite. Tests of this package do not run in
// parallel, so a package variable is enough.
var e2eStore func(t *testing.T) string

// TestE2EOnPostgres runs the end-to-end tests again with the PostgreSQL
// store: the worker, the webhook and the Graph calls must behave the same.
func TestE2EOnPostgres(t *testing.T) {
	pgtest.BaseDSN(t)
	e2eStore = func(t *testing.T) string { return pgtest.Schema(t) }
	defer func() { e2eStore = nil }()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"AnswerComment", TestE2EAnswerComment}, {"PersonalDataHidden", TestE2EPersonalDataHidden},
		{"DuplicateAndIgnore", TestE2EDuplicateAndIgnore}, {"MessageEscalation", TestE2EMessageEscalation},
		{"BadSignatureStoresNothing", TestE2EBadSignatureStoresNothing}, {"GraphErrors", TestE2EGraphErrors},
		{"Redirect", TestE2ERedirect}, {"EditedComment", TestE2EEditedComment},
		{"HumanTakeoverAndOwnComments", TestE2EHumanTakeoverAndOwnComments},
		{"LogsHoldNoPersonalData", TestE2ELogsHoldNoPersonalData}, {"Metrics", TestE2EMetrics},
		{"Moderation", TestE2EModeration},
	} {
		t.Run(tc.name, tc.fn)
	}
}

// mustStartE2E is MustStartE2E on the store dsn ("" for SQLite in the data
// folder).
func mustStartE2E(t *testing.T, dsn string) *e2e {
	t.Helper()
	g := graphtest.New(t)
	c := config.Default()
	c.Data.Dir = filepath.Join(t.TempDir(), "data")
	c.Store.DSN = dsn
	c.Facebook = config.Facebook{AppSecret: graphtest.AppSecret, VerifyToken: "verify-me", PageID: graphtest.PageID,
		PageToken: graphtest.PageToken, GraphURL: g.URL, APIVersion: "v25.0"}
	log, hook := logtest.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, "127.0.0.1:0") }()
	addr := <-s.addr
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		s.Close()
	})
	return &e2e{t: t, graph: g, url: "http://" + addr + "/webhook", srv: s, logs: hook}
}

// post sends a signed comment or message and checks the 200.
func (e *e2e) post(text string, message, edit bool) {
	e.t.Helper()
	e.n++
	body := samplePayload(graphtest.PageID, "2000000000002", "Camille Martin", text, message, edit, time.Now(), e.n)
	status, reply, err := postSigned(http.DefaultClient, e.url, graphtest.AppSecret, body)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("POST webhook = %d %q %v, want 200", status, reply, err)
	}
}

// waitCalls waits until the fake Graph server has at least n calls.
func (e *e2e) waitCalls(n int) []graphtest.Call {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		calls := e.graph.Calls()
		if len(calls) >= n || time.Now().After(deadline) {
			return calls
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle waits a little and returns all calls, to check nothing more comes.
func (e *e2e) settle() []graphtest.Call {
	time.Sleep(300 * time.Millisecond)
	return e.graph.Calls()
}

func callNames(calls []graphtest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.String())
	}
	return out
}

func TestE2EAnswerComment(t *testing.T) {
	e := MustStartE2E(t)
	e.post("bonjour, à quelle date est versée l'aide au logement ?", false, false)
	calls := e.waitCalls(1)
	calls = e.settle()
	if len(calls) != 1 || calls[0].Method != "POST" || !strings.HasSuffix(calls[0].Path, "/comments") {
		t.Fatalf("calls = %v, want one comment reply", callNames(calls))
	}
	if msg := calls[0].Params.Get("message"); !strings.Contains(msg, "L'équipe de la Caf") || !calls[0].HasProof {
		t.Errorf("reply %q (proof %v), want the signature and an appsecret_proof", msg, calls[0].HasProof)
	}
}

func TestE2EPersonalDataHidden(t *testing.T) {
	e := MustStartE2E(t)
	e.post("mon tel 06 12 34 56 78, quand est versée l'APL ?", false, false)
	calls := e.waitCalls(2)
	calls = e.settle()
	names := callNames(calls)
	if len(calls) != 2 || calls[0].Params.Get("is_hidden") != "true" || !strings.HasSuffix(calls[1].Path, "/messages") {
		t.Fatalf("calls = %v, want hide then private reply", names)
	}
	var recipient map[string]string
	if err := calls[1].JSON("recipient", &recipient); err != nil || recipient["comment_id"] == "" {
		t.Errorf("private reply recipient = %v %v, want a comment_id", recipient, err)
	}
	for _, c := range calls {
		for k, v := range c.Params {
			if strings.Contains(strings.Join(v, " "), "56 78") {
				t.Errorf("call %s param %s leaks the phone number", c, k)
			}
		}
	}
}

func TestE2EDuplicateAndIgnore(t *testing.T) {
	e := MustStartE2E(t)
	body := samplePayload(graphtest.PageID, "2000000000002", "Camille", "comment faire ma déclaration trimestrielle du RSA ?", false, false, time.Now(), 1)
	for i := 0; i < 3; i++ {
		status, _, err := postSigned(http.DefaultClient, e.url, graphtest.AppSecret, body)
		if err != nil || status != http.StatusOK {
			t.Fatalf("delivery %d = %d %v", i, status, err)
		}
	}
	e.post("merci beaucoup 🙏", false, false)
	e.waitCalls(1)
	if calls := e.settle(); len(calls) != 1 {
		t.Errorf("calls = %v, want exactly one reply for a comment delivered three times and none for thanks", callNames(calls))
	}
}

func TestE2EMessageEscalation(t *testing.T) {
	e := MustStartE2E(t)
	e.post("ça fait 3 mois que mon dossier est bloqué, personne ne répond", true, false)
	e.waitCalls(3)
	calls := e.settle()
	var got []string
	for _, c := range calls {
		switch {
		case c.Params.Get("sender_action") != "":
			got = append(got, "seen")
		case strings.HasSuffix(c.Path, "/pass_thread_control"):
			got = append(got, "pass")
		case strings.HasSuffix(c.Path, "/messages"):
			got = append(got, "message")
		}
	}
	if strings.Join(got, ",") != "seen,message,pass" {
		t.Errorf("calls = %v (%v), want mark seen, holding message, pass to inbox", got, callNames(calls))
	}
	cases, err := e.srv.store.Cases(context.Background(), "open", 10)
	if err != nil || len(cases) != 1 {
		t.Fatalf("open cases = %v %v, want one", cases, err)
	}
}

func TestE2EBadSignatureStoresNothing(t *testing.T) {
	e := MustStartE2E(t)
	body := samplePayload(graphtest.PageID, "2", "X", "quand est versée l'apl ?", false, false, time.Now(), 1)
	status, _, err := postSigned(http.DefaultClient, e.url, "wrong-secret", body)
	if err != nil || status != http.StatusForbidden {
		t.Fatalf("bad signature = %d %v, want 403", status, err)
	}
	if calls := e.settle(); len(calls) != 0 {
		t.Errorf("calls = %v, want none", callNames(calls))
	}
}

func TestE2EGraphErrors(t *testing.T) {
	lost := graphtest.HTML(502)
	lost.Applied = true // Facebook posted the reply; the proxy lost the answer
	tests := []struct {
		name      string
		responses []graphtest.Response // for POST /{comment-id}/comments
		wantCalls string               // methods of the calls to /{comment-id}/comments
		status    string
		replies   int // replies posted under the comment
	}{
		{"5xx then success", []graphtest.Response{graphtest.APIError{Code: 2, Transient: true}.Response()}, "POST,POST", "done", 1},
		// An HTML 502 from a proxy does not say whether Facebook posted the
		// reply: pagebot never resends it blindly. It looks for the Page's
		// reply under the comment, and sends it only if it is not there.
		{"HTML 502 on a reply not posted: checked, then sent once", []graphtest.Response{graphtest.HTML(502)}, "POST,GET,POST", "done", 1},
		{"HTML 502 on a reply posted: found, not resent", []graphtest.Response{lost}, "POST,GET", "done", 1},
		{"rate limit then success", []graphtest.Response{graphtest.Error(4, 0)}, "POST,POST", "done", 1},
		{"permanent error", []graphtest.Response{graphtest.Error(200, 0), graphtest.Error(200, 0)}, "POST", "failed", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := MustStartE2E(t)
			e.graph.Fail("POST /comments", tc.responses...)
			e.post("à quelle date est versée l'aide au logement ?", false, false)
			deadline := time.Now().Add(30 * time.Second)
			var act pagebot.OutboxAction
			for {
				acts, err := e.srv.store.Actions(context.Background(), sqlite.ActionFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(acts) == 1 && string(acts[0].Status) == tc.status {
					act = acts[0]
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("outbox = %+v, want one action %s", acts, tc.status)
				}
				time.Sleep(50 * time.Millisecond)
			}
			calls := e.settle()
			var methods []string
			for _, c := range calls {
				if c.Path != "/"+act.Target+"/comments" {
					t.Errorf("call %s, want only calls on /%s/comments", c, act.Target)
				}
				methods = append(methods, c.Method)
			}
			if got := strings.Join(methods, ","); got != tc.wantCalls {
				t.Errorf("calls = %v, want %s", callNames(calls), tc.wantCalls)
			}
			replies := e.graph.Replies(act.Target)
			if len(replies) != tc.replies {
				t.Fatalf("replies under the comment = %d, want %d (exactly one when done)", len(replies), tc.replies)
			}
			if tc.status == "done" && act.Result != replies[0].ID {
				t.Errorf("action result = %q, want the reply's id %q", act.Result, replies[0].ID)
			}
			cases, err := e.srv.store.Cases(context.Background(), "open", 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{"done": 0, "failed": 1}[tc.status]; len(cases) != want {
				t.Errorf("open cases = %d, want %d (a reply that could not be sent goes to an agent)", len(cases), want)
			}
		})
	}
}

func TestE2ERedirect(t *testing.T) {
	e := MustStartE2E(t)
	e.post("bonjour, comment je fais pour commander une nouvelle carte vitale ?", false, false)
	e.waitCalls(1)
	calls := e.settle()
	if len(calls) != 1 || !strings.Contains(calls[0].Params.Get("message"), "3646") {
		t.Fatalf("calls = %v, want one reply naming the Assurance Maladie's 3646", callNames(calls))
	}
}

func TestE2EEditedComment(t *testing.T) {
	e := MustStartE2E(t)
	e.post("merci pour l'info", false, true) // an edit without personal data: nothing
	e.post("mon iban FR76 3000 6000 0112 3456 7890 189 pour le virement", false, true)
	e.waitCalls(2)
	calls := e.settle()
	if len(calls) != 2 || calls[0].Params.Get("is_hidden") != "true" || !strings.HasSuffix(calls[1].Path, "/messages") {
		t.Fatalf("calls = %v, want only hide + private reply for the edit that added an IBAN", callNames(calls))
	}
}

func TestE2EHumanTakeoverAndOwnComments(t *testing.T) {
	e := MustStartE2E(t)
	now := time.Now()
	// A human agent answers the user from the Page inbox (echo with the
	// inbox app id): pagebot must leave the conversation to them.
	echo := fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":"2000000000002"},"timestamp":%d,"message":{"mid":"m_echo_1","text":"Bonjour, je regarde votre dossier.","is_echo":true,"app_id":263902037430900}}]}]}`,
		graphtest.PageID, now.UnixMilli(), graphtest.PageID, now.UnixMilli())
	if status, _, err := postSigned(http.DefaultClient, e.url, graphtest.AppSecret, []byte(echo)); err != nil || status != 200 {
		t.Fatalf("echo = %d %v", status, err)
	}
	time.Sleep(200 * time.Millisecond)
	e.post("quand est versée l'aide au logement ?", true, false)
	// The Page's own comment (from.id == page id) is never answered.
	own := samplePayload(graphtest.PageID, graphtest.PageID, "Caf", "quand est versée l'aide au logement ?", false, false, now, 99)
	if status, _, err := postSigned(http.DefaultClient, e.url, graphtest.AppSecret, own); err != nil || status != 200 {
		t.Fatalf("own comment = %d %v", status, err)
	}
	if calls := e.settle(); len(calls) != 0 {
		t.Errorf("calls = %v, want none (human has the thread; own comment)", callNames(calls))
	}
}

// TestE2ELogsHoldNoPersonalData checks that nothing logged while a comment
// with a phone number and an IBAN goes from the webhook to the Graph calls
// contains either, and that the event id follows it through.
func TestE2ELogsHoldNoPersonalData(t *testing.T) {
	e := MustStartE2E(t)
	e.post("bonjour mon tel 06 98 76 54 32 et mon iban FR76 3000 6000 0112 3456 7890 189, quand tombe l'apl ?", false, false)
	e.waitCalls(2)
	e.settle()
	var withEvent int
	for _, entry := range e.logs.AllEntries() {
		line, err := entry.String()
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"98 76 54 32", "0698765432", "3000 6000", "30006000", "7890 189"} {
			if strings.Contains(line, secret) {
				t.Errorf("log line leaks personal data %q: %s", secret, line)
			}
		}
		if _, ok := entry.Data["event_id"]; ok {
			withEvent++
		}
	}
	if withEvent < 3 {
		t.Errorf("%d log lines carry event_id, want the decision and each Graph action", withEvent)
	}
}

// TestE2EMetrics checks that /metrics exposes the operational series after
// traffic.
func TestE2EMetrics(t *testing.T) {
	e := MustStartE2E(t)
	e.post("à quelle date est versée l'aide au logement ?", false, false)
	e.waitCalls(1)
	e.settle()
	res, err := http.Get(strings.TrimSuffix(e.url, "/webhook") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`pagebot_events_received_total{kind="comment_add"} 1`,
		`pagebot_webhook_requests_total{code="200"} 1`,
		`pagebot_ack_seconds_count 1`,
		`pagebot_decisions_total{action="answer"} 1`,
		`pagebot_decision_seconds_count 1`,
		`pagebot_graph_calls_total{kind="reply_comment",result="done"} 1`,
		`pagebot_queue_events{state="pending"} 0`,
		`pagebot_queue_actions 0`,
		`pagebot_cases_open 0`,
		`pagebot_cases_past_due 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestE2EModeration checks that abuse and scams are hidden without a public
// reply and queued for an agent, while an angry complaint about the caisse
// stays visible and gets the usual holding reply.
func TestE2EModeration(t *testing.T) {
	e := MustStartE2E(t)
	e.post("bande de connards je vais tous vous crever", false, false)
	e.waitCalls(1)
	calls := e.settle()
	if len(calls) != 1 || calls[0].Params.Get("is_hidden") != "true" {
		t.Fatalf("abuse: calls = %v, want one hide and no reply", callNames(calls))
	}
	e.post("Remboursement CAF en attente, cliquez ici https://caf-remboursement.fr/login", false, false)
	e.waitCalls(2)
	calls = e.settle()
	if len(calls) != 2 || calls[1].Params.Get("is_hidden") != "true" {
		t.Fatalf("scam: calls = %v, want a second hide and no reply", callNames(calls))
	}
	e.post("la caf c'est vraiment des incapables, 3 mois sans réponse à mon dossier, honteux", false, false)
	e.waitCalls(3)
	calls = e.settle()
	if len(calls) != 3 || !strings.HasSuffix(calls[2].Path, "/comments") {
		t.Fatalf("complaint: calls = %v, want a public holding reply (criticism is not hidden)", callNames(calls))
	}
	cases, err := e.srv.store.Cases(context.Background(), "open", 10)
	if err != nil || len(cases) != 3 {
		t.Fatalf("open cases = %d %v, want 3 (two hidden comments to confirm, one complaint)", len(cases), err)
	}
	audit, err := e.srv.store.Audit(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := 0
	for _, a := range audit {
		if a.Actor == "pagebot" && a.Action == "moderation.hide" {
			verdicts++
		}
	}
	if verdicts != 2 {
		t.Errorf("%d moderation verdicts audited, want 2", verdicts)
	}
	// An agent unhides the first one from the review queue (the console
	// queues the action; see console tests): the worker makes the call.
	ev, err := e.srv.store.Event(context.Background(), cases[0].EventID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.store.AddAction(context.Background(), pagebot.OutboxAction{EventID: ev.ID,
		Kind: pagebot.OutboxUnhideComment, Target: ev.ObjectID}); err != nil {
		t.Fatal(err)
	}
	e.srv.notifyWorker()
	e.waitCalls(4)
	calls = e.settle()
	if len(calls) != 4 || calls[3].Params.Get("is_hidden") != "false" || !strings.Contains(calls[3].Path, ev.ObjectID) {
		t.Fatalf("unhide: calls = %v, want an is_hidden=false call on %s", callNames(calls), ev.ObjectID)
	}
}
