package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pagebot"
	"pagebot/console"
)

func TestCases(t *testing.T) {
	f := MustFixture(t)
	id := f.mustOpenCase(t, "m1", "Julie", "Je n'ai pas reçu mon APL, appelez-moi au [numéro de téléphone masqué]")
	alice := f.login(t, "alice")
	r := alice.get("/console/cases")
	wantStatus(t, "GET cases", r, http.StatusOK)
	wantBody(t, "cases", r, fmt.Sprintf("Dossier n° %d", id), "Message privé", "Julie",
		"appelez-moi au [numéro de téléphone masqué]", "il y a moins d&#39;une minute", "personne", "M'attribuer")

	path := fmt.Sprintf("/console/cases/%d", id)
	r = alice.post(path+"/assign", nil)
	wantStatus(t, "assign", r, http.StatusSeeOther)
	c, err := f.db.Case(context.Background(), id)
	if err != nil || c.AssignedTo != "alice" {
		t.Fatalf("case after assign = %+v, %v; want assigned to alice", c, err)
	}
	if !f.audited(t, "alice", "case.assign", fmt.Sprintf("case:%d", id)) {
		t.Error("assign not audited")
	}
	wantBody(t, "cases after assign", alice.get("/console/cases"), "attribué à vous", "<dd>vous</dd>")

	wantStatus(t, "close without reason", alice.post(path+"/close", url.Values{"reason": {" "}}), http.StatusBadRequest)
	r = alice.post(path+"/close", url.Values{"reason": {"Rappelée, dossier réglé"}})
	wantStatus(t, "close", r, http.StatusSeeOther)
	c, err = f.db.Case(context.Background(), id)
	if err != nil || c.Status != pagebot.CaseClosed || c.CloseNote != "Rappelée, dossier réglé" {
		t.Fatalf("case after close = %+v, %v", c, err)
	}
	if !f.audited(t, "alice", "case.close", fmt.Sprintf("case:%d", id)) {
		t.Error("close not audited")
	}
	wantStatus(t, "close again", alice.post(path+"/close", url.Values{"reason": {"encore"}}), http.StatusConflict)
	wantStatus(t, "assign closed", alice.post(path+"/assign", nil), http.StatusConflict)
	wantStatus(t, "unknown case", alice.post("/console/cases/999/assign", nil), http.StatusNotFound)
	wantStatus(t, "bad id", alice.post("/console/cases/abc/assign", nil), http.StatusNotFound)
	wantBody(t, "cases after close", alice.get("/console/cases"), "Aucune escalade ouverte.")
}

func TestCasesFlagDueTimes(t *testing.T) {
	f := MustFixture(t)
	ctx := context.Background()
	for i, due := range []time.Duration{-time.Hour, time.Hour, 10 * time.Hour} {
		key := fmt.Sprintf("due%d", i)
		evs, err := f.db.SaveEvents(ctx, []pagebot.Event{{Key: key, PageID: "page", Kind: pagebot.EventMessage,
			Channel: pagebot.ChannelMessage, ObjectID: key, SenderID: "p" + key, Text: "question"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.OpenCase(ctx, &pagebot.Case{EventID: evs[0].ID, Channel: pagebot.ChannelMessage,
			Text: "question", DueAt: time.Now().Add(due)}); err != nil {
			t.Fatal(err)
		}
	}
	r := f.login(t, "alice").get("/console/cases")
	wantBody(t, "cases", r, `class="overdue"`, "(en retard)", `class="soon"`, "(échéance proche)")
	if n := strings.Count(r.body, "(échéance proche)"); n != 1 {
		t.Errorf("%d cases flagged due soon, want 1", n)
	}
}

// mustCommentCase stores a comment event, handles it with decision d (its
// EventID is set here) and a hide_comment action if d.Hide, and opens its
// case. The hide action is left pending unless hidden is true, when it is
// run as the worker would.
func (f *fixture) mustCommentCase(tb testing.TB, key, commentID string, d pagebot.Decision, hidden bool) int64 {
	tb.Helper()
	ctx := context.Background()
	evs, err := f.db.SaveEvents(ctx, []pagebot.Event{{Key: key, PageID: "page", Kind: pagebot.EventCommentAdd,
		Channel: pagebot.ChannelComment, ObjectID: commentID, PostID: "post1", ParentID: "post1",
		SenderID: "u-" + key, SenderName: "Paul", Text: "texte masqué de " + key}})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents: %v (%d saved)", err, len(evs))
	}
	ev := evs[0]
	const owner = "test-worker"
	if _, err := f.db.ClaimEvents(ctx, owner, 100, time.Minute); err != nil {
		tb.Fatalf("ClaimEvents: %v", err)
	}
	defer f.db.ReleaseEvents(ctx, owner)
	d.EventID = ev.ID
	var actions []pagebot.OutboxAction
	if d.Hide {
		actions = append(actions, pagebot.OutboxAction{Kind: pagebot.OutboxHideComment, Target: commentID})
	}
	c := &pagebot.Case{Channel: pagebot.ChannelComment, SenderID: ev.SenderID, SenderName: ev.SenderName,
		Text: ev.Text, Reason: d.Reasons[0], DueAt: time.Now().Add(4 * time.Hour)}
	if _, err := f.db.CompleteEvent(ctx, owner, ev.ID, &d, actions, c); err != nil {
		tb.Fatalf("CompleteEvent: %v", err)
	}
	if d.Hide && hidden {
		acts, err := f.db.ClaimActions(ctx, owner, 100, time.Minute)
		if err != nil {
			tb.Fatalf("ClaimActions: %v", err)
		}
		for _, a := range acts {
			if err := f.db.FinishAction(ctx, owner, a.ID, pagebot.OutboxDone, "", ""); err != nil {
				tb.Fatalf("FinishAction: %v", err)
			}
		}
	}
	return c.ID
}

// moderationHide is the decision of the engine on an abusive comment.
func moderationHide() pagebot.Decision {
	return pagebot.Decision{Action: pagebot.ActionEscalate, Hide: true,
		Reasons: []string{"commentaire masqué par la modération (règle insult:abruti), à confirmer par un conseiller"}}
}

// unhideActions returns the pending unhide_comment actions.
func (f *fixture) unhideActions(tb testing.TB) []pagebot.OutboxAction {
	tb.Helper()
	acts, err := f.db.Actions(context.Background(), pagebot.ActionFilter{Status: pagebot.OutboxPending})
	if err != nil {
		tb.Fatalf("Actions: %v", err)
	}
	var out []pagebot.OutboxAction
	for _, a := range acts {
		if a.Kind == pagebot.OutboxUnhideComment {
			out = append(out, a)
		}
	}
	return out
}

func (f *fixture) mustCase(tb testing.TB, id int64) *pagebot.Case {
	tb.Helper()
	c, err := f.db.Case(context.Background(), id)
	if err != nil {
		tb.Fatalf("Case(%d): %v", id, err)
	}
	return c
}

func TestCasesHiddenCommentButtons(t *testing.T) {
	f := MustFixture(t)
	mod := f.mustCommentCase(t, "c-mod", "post1_111", moderationHide(), true)
	pii := f.mustCommentCase(t, "c-pii", "post1_222", pagebot.Decision{Action: pagebot.ActionEscalate, Hide: true,
		Reasons: []string{"situation personnelle ou réclamation (indices : mon dossier)"}}, true)
	piiWorded := f.mustCommentCase(t, "c-pii2", "post1_333", pagebot.Decision{Action: pagebot.ActionEscalate, Hide: true,
		Reasons: []string{"données personnelles en public (iban)", "commentaire masqué par la modération (règle x)"}}, true)
	visible := f.mustCommentCase(t, "c-vis", "post1_444", pagebot.Decision{Action: pagebot.ActionEscalate,
		Reasons: []string{"commentaire à relire par un conseiller (règle insult_mild:nul)"}}, false)
	msg := f.mustOpenCase(t, "m1", "Julie", "Je n'ai rien reçu")

	r := f.login(t, "alice").get("/console/cases")
	wantStatus(t, "GET cases", r, http.StatusOK)
	if n := strings.Count(r.body, "Réafficher le commentaire"); n != 1 {
		t.Errorf("%d unhide buttons, want 1 (comments hidden by moderation only: unhiding personal data would publish it)", n)
	}
	if n := strings.Count(r.body, "Confirmer le masquage"); n != 3 {
		t.Errorf("%d confirm buttons, want 3 (the hidden comments only)", n)
	}
	if n := strings.Count(r.body, "Masqué par la modération"); n != 1 {
		t.Errorf("label %q shown %d times, want 1", "Masqué par la modération", n)
	}
	if n := strings.Count(r.body, "Masqué : données personnelles"); n != 2 {
		t.Errorf("label %q shown %d times, want 2", "Masqué : données personnelles", n)
	}
	wantBody(t, "cases", r, fmt.Sprintf(`action="/console/cases/%d/unhide"`, mod))
	for _, id := range []int64{mod, pii, piiWorded} {
		wantBody(t, "cases", r, fmt.Sprintf(`action="/console/cases/%d/confirm-hide"`, id))
	}
	for _, id := range []int64{pii, piiWorded} {
		if s := fmt.Sprintf(`action="/console/cases/%d/unhide"`, id); strings.Contains(r.body, s) {
			t.Errorf("case %d hides personal data, but the page offers %s", id, s)
		}
		alice := f.login(t, "alice")
		wantStatus(t, "unhide personal data", alice.post(fmt.Sprintf("/console/cases/%d/unhide", id), nil), http.StatusConflict)
	}
	for _, id := range []int64{visible, msg} {
		for _, p := range []string{"unhide", "confirm-hide"} {
			if s := fmt.Sprintf(`action="/console/cases/%d/%s"`, id, p); strings.Contains(r.body, s) {
				t.Errorf("case %d is not a hidden comment, but the page has %s", id, s)
			}
		}
	}
	// The moderation label sits in the moderated case's item.
	item := r.body[strings.Index(r.body, fmt.Sprintf("Dossier n° %d ", mod)):]
	item = item[:strings.Index(item, "</li>")]
	if !strings.Contains(item, "Masqué par la modération") {
		t.Errorf("case %d lacks its moderation label:\n%s", mod, item)
	}
}

func TestCasesUnhide(t *testing.T) {
	f := MustFixture(t)
	id := f.mustCommentCase(t, "c-mod", "post1_111", moderationHide(), true)
	other := f.mustCommentCase(t, "c-other", "post1_999", moderationHide(), true)
	alice := f.login(t, "alice")
	alice.get("/console/cases")
	path := fmt.Sprintf("/console/cases/%d", id)

	r := alice.post(path+"/unhide", nil)
	wantStatus(t, "unhide", r, http.StatusSeeOther)
	acts := f.unhideActions(t)
	if len(acts) != 1 || acts[0].Target != "post1_111" {
		t.Fatalf("pending unhide actions = %+v, want one for post1_111", acts)
	}
	c := f.mustCase(t, id)
	if c.Status != pagebot.CaseClosed || c.CloseNote != "Réaffiché par alice" {
		t.Errorf("case after unhide: status %q, note %q; want closed, %q", c.Status, c.CloseNote, "Réaffiché par alice")
	}
	if acts[0].EventID != c.EventID {
		t.Errorf("unhide action on event %d, want the case's event %d", acts[0].EventID, c.EventID)
	}
	if !f.audited(t, "alice", "moderation.unhide", fmt.Sprintf("case:%d", id)) {
		t.Error("unhide not audited")
	}
	if f.mustCase(t, other).Status != pagebot.CaseOpen {
		t.Error("another case was closed")
	}

	wantStatus(t, "unhide again", alice.post(path+"/unhide", nil), http.StatusConflict)
	wantStatus(t, "confirm after unhide", alice.post(path+"/confirm-hide", nil), http.StatusConflict)
	if acts := f.unhideActions(t); len(acts) != 1 {
		t.Errorf("%d pending unhide actions after a second click, want 1", len(acts))
	}
	wantBody(t, "cases after unhide", alice.get("/console/cases"), fmt.Sprintf("Dossier n° %d ", other))
}

func TestCasesConfirmHide(t *testing.T) {
	f := MustFixture(t)
	id := f.mustCommentCase(t, "c-mod", "post1_111", moderationHide(), true)
	eddie := f.login(t, "eddie") // editors may too: agent and above
	eddie.get("/console/cases")
	path := fmt.Sprintf("/console/cases/%d", id)

	wantStatus(t, "confirm", eddie.post(path+"/confirm-hide", nil), http.StatusSeeOther)
	c := f.mustCase(t, id)
	if c.Status != pagebot.CaseClosed || c.CloseNote != "Masquage confirmé par eddie" {
		t.Errorf("case after confirm: status %q, note %q; want closed, %q", c.Status, c.CloseNote, "Masquage confirmé par eddie")
	}
	if !f.audited(t, "eddie", "moderation.confirm", fmt.Sprintf("case:%d", id)) {
		t.Error("confirm not audited")
	}
	if acts := f.unhideActions(t); len(acts) != 0 {
		t.Errorf("confirm queued unhide actions %+v", acts)
	}
	wantStatus(t, "confirm again", eddie.post(path+"/confirm-hide", nil), http.StatusConflict)
	wantStatus(t, "unhide after confirm", eddie.post(path+"/unhide", nil), http.StatusConflict)
	if acts := f.unhideActions(t); len(acts) != 0 {
		t.Errorf("unhide after confirm queued actions %+v", acts)
	}
}

func TestCasesModerationRefusals(t *testing.T) {
	f := MustFixture(t)
	hidden := f.mustCommentCase(t, "c-mod", "post1_111", moderationHide(), true)
	pending := f.mustCommentCase(t, "c-pending", "post1_555", moderationHide(), false)
	visible := f.mustCommentCase(t, "c-vis", "post1_444", pagebot.Decision{Action: pagebot.ActionEscalate,
		Reasons: []string{"aucune entrée de la FAQ ne correspond"}}, false)
	msg := f.mustOpenCase(t, "m1", "Julie", "Je n'ai rien reçu")
	alice := f.login(t, "alice")
	alice.get("/console/cases")

	for _, p := range []string{"unhide", "confirm-hide"} {
		t.Run(p, func(t *testing.T) {
			tests := []struct {
				name string
				id   string
				want int
			}{
				{"Unknown", "999", http.StatusNotFound},
				{"BadID", "abc", http.StatusNotFound},
				{"VisibleComment", fmt.Sprint(visible), http.StatusConflict},
				{"Message", fmt.Sprint(msg), http.StatusConflict},
			}
			for _, tc := range tests {
				wantStatus(t, tc.name, alice.post("/console/cases/"+tc.id+"/"+p, nil), tc.want)
			}
			path := fmt.Sprintf("/console/cases/%d/%s", hidden, p)
			wantStatus(t, "wrong CSRF token", alice.post(path, url.Values{"csrf": {"pas-le-bon"}}), http.StatusForbidden)
			wantStatus(t, "no CSRF token", alice.post(path, url.Values{"csrf": {""}}), http.StatusForbidden)
			anon := f.client(t)
			anon.get("/console/login")
			r := anon.post(path, nil)
			wantStatus(t, "without a session", r, http.StatusSeeOther)
			if !strings.Contains(r.location, "/console/login") {
				t.Errorf("without a session: redirected to %q, want the login page", r.location)
			}
		})
	}
	// While the hide itself still waits for Facebook, an unhide could run
	// first and be undone by it.
	wantStatus(t, "unhide before the hide ran", alice.post(fmt.Sprintf("/console/cases/%d/unhide", pending), nil), http.StatusConflict)

	for _, id := range []int64{hidden, pending, visible, msg} {
		if c := f.mustCase(t, id); c.Status != pagebot.CaseOpen {
			t.Errorf("case %d refused but %s (%q)", id, c.Status, c.CloseNote)
		}
	}
	if acts := f.unhideActions(t); len(acts) != 0 {
		t.Errorf("refused requests queued unhide actions %+v", acts)
	}
}

// auditEntryDetail returns the detail of the newest audit entry by actor for
// action on subject, and whether there is one.
func (f *fixture) auditEntryDetail(tb testing.TB, actor, action, subject string) (string, bool) {
	tb.Helper()
	entries, err := f.db.Audit(context.Background(), 0)
	if err != nil {
		tb.Fatalf("Audit: %v", err)
	}
	for _, e := range entries {
		if e.Actor == actor && e.Action == action && e.Subject == subject {
			return e.Detail, true
		}
	}
	return "", false
}

// eventActions returns every outbox action of the case's event.
func (f *fixture) eventActions(tb testing.TB, caseID int64) []pagebot.OutboxAction {
	tb.Helper()
	acts, err := f.db.Actions(context.Background(), pagebot.ActionFilter{EventID: f.mustCase(tb, caseID).EventID})
	if err != nil {
		tb.Fatalf("Actions: %v", err)
	}
	return acts
}

// caseItem returns the queue's item for case id.
func caseItem(tb testing.TB, body string, id int64) string {
	tb.Helper()
	i := strings.Index(body, fmt.Sprintf("Dossier n° %d ", id))
	if i < 0 {
		tb.Fatalf("case %d not in the queue:\n%s", id, body)
	}
	item := body[i:]
	return item[:strings.Index(item, "</li>")]
}

// publicWarning is the warning over a public reply, as written in the
// template (publicWarningEscaped as an error message, which is data).
const (
	publicWarning        = "Réponse publique : n'évoquez aucune situation personnelle"
	publicWarningEscaped = "Réponse publique : n&#39;évoquez aucune situation personnelle"
)

func TestCasesReplyMessenger(t *testing.T) {
	f := MustFixture(t)
	id := f.mustOpenCase(t, "m1", "Julie", "Je n'ai pas reçu mon APL")
	alice := f.login(t, "alice")
	r := alice.get("/console/cases")
	item := caseItem(t, r.body, id)
	for _, want := range []string{fmt.Sprintf(`action="/console/cases/%d/reply"`, id), `name="text"`, `name="close"`,
		"clore le dossier", "en message privé", "possible jusqu'au"} {
		if !strings.Contains(item, want) {
			t.Errorf("Messenger case item lacks %q:\n%s", want, item)
		}
	}
	if strings.Contains(item, publicWarning) {
		t.Errorf("Messenger case item shows the public-reply warning:\n%s", item)
	}

	const text = "Bonjour Julie, votre APL a été versée le 5 : vérifiez votre compte."
	r = alice.post(fmt.Sprintf("/console/cases/%d/reply", id), url.Values{"text": {"  " + text + "\r\n"}})
	wantStatus(t, "reply", r, http.StatusSeeOther)
	if r.location != "/console/cases" {
		t.Errorf("reply redirected to %q, want /console/cases", r.location)
	}
	acts := f.eventActions(t, id)
	if len(acts) != 1 {
		t.Fatalf("actions after reply = %+v, want exactly one", acts)
	}
	a := acts[0]
	if a.Kind != pagebot.OutboxSendMessage || a.Target != "psid-m1" || !a.HumanAgent || a.Text != text || a.Status != pagebot.OutboxPending {
		t.Errorf("queued action = %+v; want pending send_message to psid-m1, HumanAgent, text %q", a, text)
	}
	detail, ok := f.auditEntryDetail(t, "alice", "case.reply", fmt.Sprintf("case:%d", id))
	if want := fmt.Sprintf("action:%d length:%d", a.ID, len([]rune(text))); !ok || detail != want {
		t.Errorf("case.reply audit detail = %q (found %v), want %q", detail, ok, want)
	}
	if c := f.mustCase(t, id); c.Status != pagebot.CaseOpen {
		t.Errorf("case is %s after a reply without \"clore\", want open", c.Status)
	}
	wantBody(t, "flash", alice.get("/console/cases"), fmt.Sprintf("Réponse au dossier n° %d programmée.", id))

	// A second click on the same text does not send it twice.
	wantStatus(t, "same reply again", alice.post(fmt.Sprintf("/console/cases/%d/reply", id), url.Values{"text": {text}}), http.StatusConflict)
	if n := len(f.eventActions(t, id)); n != 1 {
		t.Errorf("%d actions after a double click, want 1", n)
	}
}

func TestCasesReplyCommentAndClose(t *testing.T) {
	f := MustFixture(t)
	id := f.mustCommentCase(t, "c-vis", "post1_444", pagebot.Decision{Action: pagebot.ActionEscalate,
		Reasons: []string{"aucune entrée de la FAQ ne correspond"}}, false)
	msg := f.mustOpenCase(t, "m1", "Julie", "Je n'ai rien reçu")
	alice := f.login(t, "alice")
	r := alice.get("/console/cases")
	if item := caseItem(t, r.body, id); !strings.Contains(item, publicWarning) || !strings.Contains(item, "sous le commentaire") {
		t.Errorf("comment case item lacks the public-reply warning:\n%s", item)
	}
	if n := strings.Count(r.body, publicWarning); n != 1 {
		t.Errorf("public-reply warning shown %d times, want 1 (the comment case only)", n)
	}
	// The warning comes before the text box it is about.
	item := caseItem(t, r.body, id)
	if w, ta := strings.Index(item, publicWarning), strings.Index(item, "<textarea"); w > ta {
		t.Errorf("warning at %d, after the textarea at %d", w, ta)
	}

	const text = "Bonjour, écrivez-nous en message privé : un conseiller vous répondra."
	r = alice.post(fmt.Sprintf("/console/cases/%d/reply", id), url.Values{"text": {text}, "close": {"1"}})
	wantStatus(t, "reply and close", r, http.StatusSeeOther)
	var replies []pagebot.OutboxAction
	for _, a := range f.eventActions(t, id) {
		if a.Kind == pagebot.OutboxReplyComment {
			replies = append(replies, a)
		}
	}
	if n := len(f.eventActions(t, id)); n != 1 || len(replies) != 1 {
		t.Fatalf("actions after reply = %+v, want exactly one reply_comment", f.eventActions(t, id))
	}
	if a := replies[0]; a.Target != "post1_444" || a.HumanAgent || a.Text != text || a.Status != pagebot.OutboxPending {
		t.Errorf("queued action = %+v; want pending reply_comment on post1_444 without HumanAgent, text %q", a, text)
	}
	c := f.mustCase(t, id)
	if c.Status != pagebot.CaseClosed || c.CloseNote != "Répondu par alice" {
		t.Errorf("case after reply+close: %s, %q; want closed, %q", c.Status, c.CloseNote, "Répondu par alice")
	}
	if !f.audited(t, "alice", "case.reply", fmt.Sprintf("case:%d", id)) || !f.audited(t, "alice", "case.close", fmt.Sprintf("case:%d", id)) {
		t.Error("reply+close not audited as case.reply and case.close")
	}
	if f.mustCase(t, msg).Status != pagebot.CaseOpen {
		t.Error("another case was closed")
	}
	wantStatus(t, "reply to a closed case", alice.post(fmt.Sprintf("/console/cases/%d/reply", id), url.Values{"text": {"autre"}}), http.StatusConflict)
	if n := len(f.eventActions(t, id)); n != 1 {
		t.Errorf("%d actions after replying to a closed case, want 1", n)
	}
}

func TestCasesReplyRefusals(t *testing.T) {
	f := MustFixture(t)
	comment := f.mustCommentCase(t, "c-vis", "post1_444", pagebot.Decision{Action: pagebot.ActionEscalate,
		Reasons: []string{"aucune entrée de la FAQ ne correspond"}}, false)
	msg := f.mustOpenCase(t, "m1", "Julie", "Je n'ai rien reçu")
	alice := f.login(t, "alice")
	alice.get("/console/cases")
	path := func(id int64) string { return fmt.Sprintf("/console/cases/%d/reply", id) }
	ok := url.Values{"text": {"Bonjour, écrivez-nous en message privé."}}

	tests := []struct {
		name string
		path string
		form url.Values
		want int
		body string
	}{
		{"Empty", path(comment), url.Values{"text": {""}}, http.StatusBadRequest, "La réponse est vide."},
		{"Blank", path(msg), url.Values{"text": {" \r\n "}}, http.StatusBadRequest, "La réponse est vide."},
		{"NoText", path(msg), url.Values{}, http.StatusBadRequest, "La réponse est vide."},
		{"TooLong", path(msg), url.Values{"text": {strings.Repeat("é", 2001)}}, http.StatusBadRequest, "trop longue"},
		{"PhoneInPublic", path(comment), url.Values{"text": {"Appelez Mme X au 06 12 34 56 78"}}, http.StatusBadRequest, publicWarningEscaped},
		{"PhoneInPrivate", path(msg), url.Values{"text": {"Je vous rappelle au 06 12 34 56 78"}}, http.StatusBadRequest, "aucune donnée personnelle"},
		{"UnknownCase", "/console/cases/999/reply", ok, http.StatusNotFound, "introuvable"},
		{"BadID", "/console/cases/abc/reply", ok, http.StatusNotFound, "introuvable"},
		{"WrongCSRF", path(msg), url.Values{"text": ok["text"], "csrf": {"pas-le-bon"}}, http.StatusForbidden, "Formulaire expiré"},
		{"NoCSRF", path(msg), url.Values{"text": ok["text"], "csrf": {""}}, http.StatusForbidden, "Formulaire expiré"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.post(tc.path, tc.form)
			wantStatus(t, tc.name, r, tc.want)
			wantBody(t, tc.name, r, tc.body)
		})
	}
	// A refused text comes back in its case's form, with the reason, for
	// the agent to correct rather than type again.
	t.Run("TextKept", func(t *testing.T) {
		typed := "Bonjour Madame, rappelez-moi au 06 12 34 56 78 & merci"
		r := alice.post(path(comment), url.Values{"text": {typed}})
		wantStatus(t, "refused reply", r, http.StatusBadRequest)
		item := caseItem(t, r.body, comment)
		for _, want := range []string{">Bonjour Madame, rappelez-moi au 06 12 34 56 78 &amp; merci</textarea>", `aria-invalid="true"`,
			fmt.Sprintf(`id="reply-error-%d" role="alert"`, comment), "retirez de votre texte"} {
			if !strings.Contains(item, want) {
				t.Errorf("refused reply: the case's form lacks %q:\n%s", want, item)
			}
		}
		if other := caseItem(t, r.body, msg); strings.Contains(other, "06 12 34") || strings.Contains(other, "aria-invalid") {
			t.Errorf("the refused text shows in another case's form:\n%s", other)
		}
	})
	t.Run("NoSession", func(t *testing.T) {
		anon := f.client(t)
		anon.get("/console/login")
		r := anon.post(path(msg), ok)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/login") {
			t.Errorf("reply without a session = %d to %q, want 303 to the login page", r.status, r.location)
		}
	})
	// HUMAN_AGENT allows 7 days after the person's message, no more.
	t.Run("MessengerAfter7Days", func(t *testing.T) {
		f.clock.Add(console.HumanAgentWindow + time.Minute)
		wantStatus(t, "late reply", alice.post(path(msg), ok), http.StatusConflict)
		item := caseItem(t, alice.get("/console/cases").body, msg)
		if strings.Contains(item, path(msg)) || !strings.Contains(item, "Plus de 7 jours") {
			t.Errorf("late Messenger case still offers the reply form or lacks the note:\n%s", item)
		}
		// A comment has no such window.
		wantStatus(t, "late comment reply", alice.post(path(comment), ok), http.StatusSeeOther)
	})

	if acts := f.eventActions(t, msg); len(acts) != 0 {
		t.Errorf("refused replies queued actions %+v", acts)
	}
	for _, id := range []int64{comment, msg} {
		if c := f.mustCase(t, id); c.Status != pagebot.CaseOpen {
			t.Errorf("case %d is %s after refused replies, want open", id, c.Status)
		}
	}
}
