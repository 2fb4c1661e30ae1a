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
