package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pagebot"
	"pagebot/bot"
	"pagebot/console"
	"pagebot/kb"
)

// apiFixture is the console fixture plus the JSON API on the same store,
// index and saver, and one token per role.
type apiFixture struct {
	*fixture
	api    *httptest.Server
	engine *bot.Engine
	// token maps a role to a valid token named "robot-ROLE".
	token map[string]string
}

func MustAPIFixture(tb testing.TB) *apiFixture {
	tb.Helper()
	f := &apiFixture{fixture: MustFixture(tb), token: map[string]string{}}
	eng, err := bot.New(f.index, nil, fakeMasker{}, bot.DefaultConfig())
	if err != nil {
		tb.Fatalf("new engine: %v", err)
	}
	f.engine = eng
	h, err := console.NewAPI(console.Config{Now: f.clock.Now},
		console.Deps{Store: f.db, Sessions: f.db.Sessions(), Index: f.index, Saver: f.saver, Decider: eng, Log: testLogger(tb)}, f.db)
	if err != nil {
		tb.Fatalf("console.NewAPI: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.APIPrefix+"/", h)
	f.api = httptest.NewServer(mux)
	tb.Cleanup(f.api.Close)
	for _, role := range []string{"agent", "editor", "admin"} {
		tok, err := f.db.CreateAPIToken(context.Background(), "robot-"+role, role, "test")
		if err != nil {
			tb.Fatalf("CreateAPIToken(%s): %v", role, err)
		}
		f.token[role] = tok
	}
	return f
}

// apiResponse is what an API call gave.
type apiResponse struct {
	status int
	header http.Header
	body   string
}

// call sends body (if not "") as JSON with "Authorization: auth" (if not "").
func (f *apiFixture) call(tb testing.TB, method, path, auth, body string) apiResponse {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.api.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := f.api.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return apiResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// as calls with the token of role.
func (f *apiFixture) as(tb testing.TB, role, method, path, body string) apiResponse {
	tb.Helper()
	return f.call(tb, method, path, "Bearer "+f.token[role], body)
}

func wantAPIStatus(tb testing.TB, what string, r apiResponse, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, r.body)
	}
}

// mustDecode decodes a JSON response, checking its content type.
func mustDecode(tb testing.TB, what string, r apiResponse, v any) {
	tb.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		tb.Fatalf("%s: decode %q: %v", what, r.body, err)
	}
}

type apiErrorBody struct {
	Error    string       `json:"error"`
	Problems []kb.Problem `json:"problems"`
}

// wantAPIError checks an error response: status and a non-empty message.
func wantAPIError(tb testing.TB, what string, r apiResponse, status int) apiErrorBody {
	tb.Helper()
	wantAPIStatus(tb, what, r, status)
	var e apiErrorBody
	mustDecode(tb, what, r, &e)
	if e.Error == "" {
		tb.Errorf("%s: no error message in %s", what, r.body)
	}
	return e
}

const newEntryJSON = `{"id": "xylo-aide", "question": "Comment obtenir l'aide xylophone ?", "answer": "Demandez l'aide xylophone sur caf.fr.",
	"links": ["https://www.caf.fr/"], "tags": ["musique"]}`

// apiRoutes are every route, with a body valid enough to get past decoding.
var apiRoutes = []struct{ method, path, body string }{
	{"GET", "/api/faq", ""},
	{"GET", "/api/faq/rsa-demande", ""},
	{"POST", "/api/faq", newEntryJSON},
	{"PUT", "/api/faq/rsa-demande", `{"question": "Q ?", "answer": "R."}`},
	{"DELETE", "/api/faq/rsa-demande", ""},
	{"POST", "/api/ask", `{"text": "quand est versée l'APL ?"}`},
	{"GET", "/api/cases", ""},
}

func TestAPIUnauthorized(t *testing.T) {
	f := MustAPIFixture(t)
	revoked, err := f.db.CreateAPIToken(context.Background(), "ancien-robot", "admin", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RevokeAPIToken(context.Background(), "ancien-robot"); err != nil {
		t.Fatal(err)
	}
	auths := []struct{ name, header string }{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"basic", "Basic " + f.token["admin"]},
		{"token without scheme", f.token["admin"]},
		{"unknown token", "Bearer pbt_AAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"revoked token", "Bearer " + revoked},
	}
	for _, rt := range apiRoutes {
		for _, a := range auths {
			t.Run(rt.method+" "+rt.path+" "+a.name, func(t *testing.T) {
				r := f.call(t, rt.method, rt.path, a.header, rt.body)
				wantAPIError(t, a.name, r, http.StatusUnauthorized)
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", r.header.Get("WWW-Authenticate"))
				}
				if strings.Contains(r.body, "rsa") || strings.Contains(r.body, "RSA") {
					t.Errorf("a refused request leaks content: %s", r.body)
				}
			})
		}
	}
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("an unauthenticated DELETE removed the entry")
	}
	if _, ok := f.index.FAQ().Entry("xylo-aide"); ok {
		t.Error("an unauthenticated POST created an entry")
	}
	if f.saver.last() != nil {
		t.Error("an unauthenticated request saved the FAQ")
	}
}

func TestAPIRoles(t *testing.T) {
	f := MustAPIFixture(t)
	// Requests that change nothing whatever the role: once past the role
	// check they fail on the missing entry or the invalid body.
	tests := []struct {
		method, path, body string
		// want is the status per role.
		agent, editor, admin int
	}{
		{"GET", "/api/faq", "", 200, 200, 200},
		{"GET", "/api/faq/rsa-demande", "", 200, 200, 200},
		{"POST", "/api/faq", `{"id": "x"}`, 403, 422, 422},
		{"PUT", "/api/faq/absente", `{"question": "Q ?", "answer": "R."}`, 403, 404, 404},
		{"DELETE", "/api/faq/absente", "", 403, 404, 404},
		{"POST", "/api/ask", `{"text": "merci"}`, 200, 200, 200},
		{"GET", "/api/cases", "", 200, 200, 200},
	}
	for _, tc := range tests {
		for role, want := range map[string]int{"agent": tc.agent, "editor": tc.editor, "admin": tc.admin} {
			t.Run(tc.method+" "+tc.path+" as "+role, func(t *testing.T) {
				r := f.as(t, role, tc.method, tc.path, tc.body)
				if want >= 400 {
					e := wantAPIError(t, role, r, want)
					if want == http.StatusForbidden && !strings.Contains(e.Error, "rôle") {
						t.Errorf("403 message %q does not mention the role", e.Error)
					}
					return
				}
				wantAPIStatus(t, role, r, want)
			})
		}
	}
}

func TestAPIFAQList(t *testing.T) {
	f := MustAPIFixture(t)
	r := f.as(t, "agent", "GET", "/api/faq", "")
	wantAPIStatus(t, "GET /api/faq", r, http.StatusOK)
	var got kb.FAQ
	mustDecode(t, "GET /api/faq", r, &got)
	want := testFAQ()
	slices.SortFunc(want.Entries, func(a, b kb.Entry) int { return strings.Compare(a.ID, b.ID) })
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("GET /api/faq (-want +got):\n%s", diff)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
	}
}

func TestAPIFAQCreateUpdateDelete(t *testing.T) {
	f := MustAPIFixture(t)

	// Create.
	r := f.as(t, "editor", "POST", "/api/faq", newEntryJSON)
	wantAPIStatus(t, "POST /api/faq", r, http.StatusCreated)
	if loc := r.header.Get("Location"); loc != "/api/faq/xylo-aide" {
		t.Errorf("Location = %q, want /api/faq/xylo-aide", loc)
	}
	if _, ok := f.index.FAQ().Entry("xylo-aide"); !ok {
		t.Fatal("created entry not in the index")
	}
	if last := f.saver.last(); last == nil {
		t.Fatal("creation not saved")
	} else if _, ok := last.Entry("xylo-aide"); !ok {
		t.Error("saved FAQ lacks the created entry")
	}
	if !f.audited(t, "token:robot-editor", "faq.create", "faq:xylo-aide") {
		t.Error("creation not audited as token:robot-editor")
	}

	// Duplicate.
	e := wantAPIError(t, "POST duplicate", f.as(t, "editor", "POST", "/api/faq", newEntryJSON), http.StatusConflict)
	if len(e.Problems) != 1 || e.Problems[0].Field != "id" {
		t.Errorf("duplicate problems = %+v, want one on id", e.Problems)
	}

	// Read, with a version.
	r = f.as(t, "agent", "GET", "/api/faq/xylo-aide", "")
	wantAPIStatus(t, "GET entry", r, http.StatusOK)
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Error("GET entry has no ETag")
	}

	// Update: live in the index, found by a search, saved, audited.
	put := `{"id": "xylo-aide", "question": "Comment obtenir l'aide xylophone ?", "variants": ["prime zanzibar pour instrument"],
		"answer": "L'aide xylophone se demande dans Mon Compte.", "links": ["https://www.caf.fr/"], "tags": ["musique"]}`
	r = f.as(t, "editor", "PUT", "/api/faq/xylo-aide", put)
	wantAPIStatus(t, "PUT entry", r, http.StatusOK)
	if r.header.Get("ETag") == etag {
		t.Error("ETag unchanged by an update")
	}
	r = f.as(t, "agent", "GET", "/api/faq/xylo-aide", "")
	var got kb.Entry
	mustDecode(t, "GET after PUT", r, &got)
	if got.Answer != "L'aide xylophone se demande dans Mon Compte." || !slices.Equal(got.Variants, []string{"prime zanzibar pour instrument"}) {
		t.Errorf("GET after PUT = %+v, want the new answer and variant", got)
	}
	res, err := f.index.Search("prime zanzibar", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) == 0 || res.Candidates[0].Entry.ID != "xylo-aide" {
		t.Errorf("Search(prime zanzibar) does not find xylo-aide first: %+v", res.Candidates)
	}
	if last := f.saver.last(); last == nil {
		t.Error("update not saved")
	} else if e, _ := last.Entry("xylo-aide"); e.Answer != got.Answer {
		t.Errorf("saved answer = %q, want %q", e.Answer, got.Answer)
	}
	if !f.audited(t, "token:robot-editor", "faq.update", "faq:xylo-aide") {
		t.Error("update not audited")
	}

	// A stale If-Match is refused; the entry keeps the update.
	req := `{"question": "Autre ?", "answer": "Autre."}`
	rq, _ := http.NewRequest("PUT", f.api.URL+"/api/faq/xylo-aide", strings.NewReader(req))
	rq.Header.Set("Authorization", "Bearer "+f.token["editor"])
	rq.Header.Set("If-Match", etag)
	resp, err := f.api.Client().Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PUT with a stale If-Match: status %d, want 412", resp.StatusCode)
	}
	if e, _ := f.index.FAQ().Entry("xylo-aide"); e.Question == "Autre ?" {
		t.Error("PUT with a stale If-Match changed the entry")
	}

	// Delete.
	r = f.as(t, "admin", "DELETE", "/api/faq/xylo-aide", "")
	wantAPIStatus(t, "DELETE entry", r, http.StatusNoContent)
	if _, ok := f.index.FAQ().Entry("xylo-aide"); ok {
		t.Error("deleted entry still in the index")
	}
	if _, ok := f.saver.last().Entry("xylo-aide"); ok {
		t.Error("deleted entry still in the saved FAQ")
	}
	if !f.audited(t, "token:robot-admin", "faq.delete", "faq:xylo-aide") {
		t.Error("deletion not audited")
	}
	wantAPIError(t, "GET deleted", f.as(t, "agent", "GET", "/api/faq/xylo-aide", ""), http.StatusNotFound)
	wantAPIError(t, "DELETE deleted", f.as(t, "editor", "DELETE", "/api/faq/xylo-aide", ""), http.StatusNotFound)

	// Every change through the API is in the entry's version history.
	vs, err := f.db.FAQVersions(context.Background(), "xylo-aide")
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, v := range vs {
		history = append(history, v.Action+" by "+v.Actor)
	}
	if len(vs) < 3 || vs[0].Action != "delete" || vs[len(vs)-1].Action != "create" || vs[len(vs)-1].Actor != "token:robot-editor" {
		t.Errorf("versions = %v, want create … delete by their tokens", history)
	}
}

func TestAPIFAQValidation(t *testing.T) {
	f := MustAPIFixture(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		// fields are the fields with a problem, in order.
		fields []string
	}{
		{"create with everything wrong", "POST", "/api/faq",
			`{"id": "Mauvais Id", "question": " ", "variants": [""], "answer": "", "links": ["caf.fr"], "tags": ["Pas Bien"], "reviewed": "hier"}`,
			422, []string{"id", "question", "variants", "answer", "links", "tags", "reviewed"}},
		{"create without id", "POST", "/api/faq", `{"question": "Q ?", "answer": "R."}`, 422, []string{"id"}},
		{"update with an empty answer", "PUT", "/api/faq/rsa-demande", `{"question": "Q ?", "answer": "  "}`, 422, []string{"answer"}},
		{"update renaming", "PUT", "/api/faq/rsa-demande", `{"id": "rsa-autre", "question": "Q ?", "answer": "R."}`, 422, []string{"id"}},
		{"unknown field", "POST", "/api/faq", `{"id": "a-b", "questoin": "Q ?", "answer": "R."}`, 400, nil},
		{"wrong type", "PUT", "/api/faq/rsa-demande", `{"question": "Q ?", "answer": "R.", "tags": "rsa"}`, 400, nil},
		{"not JSON", "POST", "/api/faq", `id=a-b`, 400, nil},
		{"two objects", "POST", "/api/faq", newEntryJSON + newEntryJSON, 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantAPIError(t, tc.name, f.as(t, "editor", tc.method, tc.path, tc.body), tc.status)
			var fields []string
			for _, p := range e.Problems {
				if p.Message == "" {
					t.Errorf("problem without a message: %+v", p)
				}
				fields = append(fields, p.Field)
			}
			if diff := cmp.Diff(tc.fields, fields); diff != "" {
				t.Errorf("problem fields (-want +got):\n%s", diff)
			}
		})
	}
	if f.saver.last() != nil {
		t.Error("an invalid request saved the FAQ")
	}
	if diff := cmp.Diff(testFAQ().Entries, f.index.FAQ().Entries); diff != "" {
		t.Errorf("an invalid request changed the index (-want +got):\n%s", diff)
	}
	if e := wantAPIError(t, "unknown field", f.as(t, "editor", "POST", "/api/faq", tests[4].body), 400); !strings.Contains(e.Error, "questoin") {
		t.Errorf("unknown field message %q does not name the field", e.Error)
	}
}

func TestAPIFAQDeleteLastEntry(t *testing.T) {
	f := MustAPIFixture(t)
	for _, id := range []string{"rsa-demande", "attestation-paiement"} {
		wantAPIStatus(t, "DELETE "+id, f.as(t, "editor", "DELETE", "/api/faq/"+id, ""), http.StatusNoContent)
	}
	e := wantAPIError(t, "DELETE the last entry", f.as(t, "editor", "DELETE", "/api/faq/apl-date-versement", ""), http.StatusUnprocessableEntity)
	if len(e.Problems) == 0 {
		t.Error("no problem listed for deleting the last entry")
	}
	if _, ok := f.index.FAQ().Entry("apl-date-versement"); !ok {
		t.Error("the last entry was deleted")
	}
}

func TestAPISaverFailureUndoesEdit(t *testing.T) {
	f := MustAPIFixture(t)
	f.saver.fail(errors.New("disque plein"))
	before, _ := f.index.FAQ().Entry("rsa-demande")
	wantAPIError(t, "PUT", f.as(t, "editor", "PUT", "/api/faq/rsa-demande", `{"question": "Q ?", "answer": "R."}`), http.StatusInternalServerError)
	if after, _ := f.index.FAQ().Entry("rsa-demande"); !cmp.Equal(before, after) {
		t.Errorf("failed save left the index changed: %+v", after)
	}
	wantAPIError(t, "POST", f.as(t, "editor", "POST", "/api/faq", newEntryJSON), http.StatusInternalServerError)
	if _, ok := f.index.FAQ().Entry("xylo-aide"); ok {
		t.Error("failed save left the created entry in the index")
	}
	wantAPIError(t, "DELETE", f.as(t, "editor", "DELETE", "/api/faq/rsa-demande", ""), http.StatusInternalServerError)
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("failed save left the entry deleted")
	}
}

// A colleague changed the entry through another replica meanwhile: the
// shared store refuses the save (ECONFLICT); the API says 409 with the
// store's message, and the index is put back.
func TestAPISaveConflict(t *testing.T) {
	f := MustAPIFixture(t)
	f.saver.fail(pagebot.Errorf(pagebot.ECONFLICT, "La fiche « rsa-demande » vient d'être modifiée par ailleurs ; rechargez la page."))
	before, _ := f.index.FAQ().Entry("rsa-demande")
	e := wantAPIError(t, "PUT", f.as(t, "editor", "PUT", "/api/faq/rsa-demande", `{"question": "Q ?", "answer": "R."}`), http.StatusConflict)
	if !strings.Contains(e.Error, "modifiée par ailleurs") {
		t.Errorf("409 error = %q, want the store's message", e.Error)
	}
	if after, _ := f.index.FAQ().Entry("rsa-demande"); !cmp.Equal(before, after) {
		t.Errorf("refused save left the index changed: %+v", after)
	}
	wantAPIError(t, "DELETE", f.as(t, "editor", "DELETE", "/api/faq/rsa-demande", ""), http.StatusConflict)
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("refused save left the entry deleted")
	}
}

// askJSONFields are the fields of `pagebot ask --json` without -v (moderation_rule
// only appears when a rule fired).
var askJSONFields = []string{"action", "confidence", "faq_id", "hide", "masked", "moderation", "pii", "private", "redirect_to", "reply"}

func TestAPIAsk(t *testing.T) {
	f := MustAPIFixture(t)
	tests := []struct {
		name, text, channel string
		action              pagebot.Action
		// hide and private: a comment with personal data is hidden and
		// answered privately.
		hide bool
	}{
		{"answer", "c quand que l'apl est versée ?", "comment", pagebot.ActionAnswer, false},
		{"thanks", "merci beaucoup", "", pagebot.ActionIgnore, false},
		{"phone in a comment", "mon tel 06 12 34 56 78 rappelez moi pour mon dossier", "comment", "", true},
		{"phone in a message", "mon tel 06 12 34 56 78 rappelez moi pour mon dossier", "message", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"text": tc.text, "channel": tc.channel})
			r := f.as(t, "agent", "POST", "/api/ask", string(body))
			wantAPIStatus(t, "POST /api/ask", r, http.StatusOK)
			var fields map[string]json.RawMessage
			mustDecode(t, "ask", r, &fields)
			var keys []string
			for k := range fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if diff := cmp.Diff(askJSONFields, keys); diff != "" {
				t.Errorf("fields (-ask --json +api):\n%s", diff)
			}
			var got console.AskResponse
			mustDecode(t, "ask", r, &got)
			ch, _ := pagebot.ParseChannel(tc.channel)
			d, err := f.engine.Decide(bot.Input{Channel: ch, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			want := console.AskResponse{Action: d.Action, FAQID: d.FAQID, RedirectTo: d.RedirectTo, Confidence: d.Confidence,
				Reply: d.Reply, Private: d.Private, Hide: d.Hide, PII: d.PII, Masked: d.Masked,
				Moderation: d.Moderation, ModRule: d.ModerationRule}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("API answer differs from the engine's decision (-engine +api):\n%s", diff)
			}
			if tc.action != "" && got.Action != tc.action {
				t.Errorf("action = %s, want %s", got.Action, tc.action)
			}
			if got.Hide != tc.hide || got.Private != tc.hide {
				t.Errorf("hide, private = %v, %v, want %v, %v", got.Hide, got.Private, tc.hide, tc.hide)
			}
			if tc.hide && (len(got.PII) == 0 || got.Reply == "") {
				t.Errorf("hidden comment: pii %v, reply %q, want the kinds found and a private reply", got.PII, got.Reply)
			}
			if strings.Contains(r.body, "56 78") {
				t.Errorf("the answer leaks the phone number: %s", r.body)
			}
		})
	}
	for _, body := range []string{`{"text": "  "}`, `{"text": "apl", "channel": "sms"}`, `{"texte": "apl"}`,
		`{"text": "` + strings.Repeat("a", 5001) + `"}`} {
		wantAPIError(t, "ask "+body[:min(len(body), 40)], f.as(t, "agent", "POST", "/api/ask", body), http.StatusBadRequest)
	}
}

func TestAPICases(t *testing.T) {
	f := MustAPIFixture(t)
	r := f.as(t, "agent", "GET", "/api/cases", "")
	wantAPIStatus(t, "GET /api/cases (empty)", r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{"cases":[]}` {
		t.Errorf("no case: body %s, want an empty list", r.body)
	}
	id := f.mustOpenCase(t, "k1", "Jeanne Martin", "mon dossier est bloqué, tel [numéro de téléphone masqué]")
	r = f.as(t, "agent", "GET", "/api/cases", "")
	wantAPIStatus(t, "GET /api/cases", r, http.StatusOK)
	var got struct {
		Cases []struct {
			ID      int64  `json:"id"`
			Text    string `json:"text"`
			Reason  string `json:"reason"`
			Status  string `json:"status"`
			Channel string `json:"channel"`
			DueAt   string `json:"due_at"`
			Overdue bool   `json:"overdue"`
		} `json:"cases"`
	}
	mustDecode(t, "cases", r, &got)
	if len(got.Cases) != 1 {
		t.Fatalf("cases = %d, want 1: %s", len(got.Cases), r.body)
	}
	c := got.Cases[0]
	if c.ID != id || c.Text != "mon dossier est bloqué, tel [numéro de téléphone masqué]" || c.Status != "open" ||
		c.Channel != "message" || c.Reason == "" || c.DueAt == "" || c.Overdue {
		t.Errorf("case = %+v", c)
	}
	for _, personal := range []string{"Jeanne", "psid-"} {
		if strings.Contains(r.body, personal) {
			t.Errorf("the case list shows %q: %s", personal, r.body)
		}
	}
}

func TestAPIUnknownRoute(t *testing.T) {
	f := MustAPIFixture(t)
	wantAPIError(t, "GET /api/nope", f.as(t, "admin", "GET", "/api/nope", ""), http.StatusNotFound)
	r := f.as(t, "admin", "PATCH", "/api/faq/rsa-demande", `{}`)
	wantAPIError(t, "PATCH", r, http.StatusMethodNotAllowed)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "PUT") || !strings.Contains(allow, "DELETE") {
		t.Errorf("Allow = %q, want GET, PUT, DELETE", allow)
	}
}
