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

// mustDraft stores an event handled in draft mode: its reply (kind, to
// target) waits for approval. It returns the draft's action id.
func (f *fixture) mustDraft(tb testing.TB, key string, ch pagebot.Channel, kind pagebot.OutboxKind, target, question, reply string) int64 {
	tb.Helper()
	ctx := context.Background()
	ev := pagebot.Event{Key: key, PageID: "page", Kind: pagebot.EventMessage, Channel: ch, ObjectID: key,
		SenderID: "psid-" + key, SenderName: "Julie", Text: question}
	if ch == pagebot.ChannelComment {
		ev.Kind, ev.PostID, ev.ParentID, ev.SenderName = pagebot.EventCommentAdd, "post1", "post1", "Paul"
	}
	evs, err := f.db.SaveEvents(ctx, []pagebot.Event{ev})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents: %v (%d saved)", err, len(evs))
	}
	const owner = "test-worker"
	if _, err := f.db.ClaimEvents(ctx, owner, 100, time.Minute); err != nil {
		tb.Fatalf("ClaimEvents: %v", err)
	}
	defer f.db.ReleaseEvents(ctx, owner)
	acts, err := f.db.CompleteEvent(ctx, owner, evs[0].ID, &pagebot.Decision{Action: pagebot.ActionAnswer, Reply: reply},
		[]pagebot.OutboxAction{{Kind: kind, Target: target, Text: reply, Status: pagebot.OutboxDraft}}, nil)
	if err != nil || len(acts) != 1 {
		tb.Fatalf("CompleteEvent: %v (%d actions)", err, len(acts))
	}
	return acts[0].ID
}

func (f *fixture) mustAction(tb testing.TB, id int64) *pagebot.OutboxAction {
	tb.Helper()
	a, err := f.db.Action(context.Background(), id)
	if err != nil {
		tb.Fatalf("Action(%d): %v", id, err)
	}
	return a
}

const (
	aplReply = "L'APL est versée vers le 5 de chaque mois."
	rsaReply = "La demande de RSA se fait en ligne sur caf.fr."
)

func TestDraftsList(t *testing.T) {
	f := MustFixture(t)
	msg := f.mustDraft(t, "m1", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m1",
		"Quand est versée l'APL ? mon numéro [numéro de téléphone masqué]", aplReply)
	com := f.mustDraft(t, "c1", pagebot.ChannelComment, pagebot.OutboxReplyComment, "post1_c1",
		"Comment demander le RSA ?", rsaReply)
	alice := f.login(t, "alice")
	wantBody(t, "nav", alice.get("/console/"), `href="/console/drafts"`, "Brouillons")

	r := alice.get("/console/drafts")
	wantStatus(t, "GET drafts", r, http.StatusOK)
	wantBody(t, "drafts", r, "Brouillons (2)", `href="/console/drafts" aria-current="page"`,
		"Quand est versée l&#39;APL ? mon numéro [numéro de téléphone masqué]", "L&#39;APL est versée vers le 5 de chaque mois.",
		"Comment demander le RSA ?", rsaReply, "Message privé Messenger", "Réponse publique au commentaire",
		"psid-m1", "post1_c1", "il y a moins d&#39;une minute")
	for _, id := range []int64{msg, com} {
		for _, p := range []string{"approve", "edit", "reject"} {
			wantBody(t, "drafts", r, fmt.Sprintf(`action="/console/drafts/%d/%s"`, id, p))
		}
	}
	wantBody(t, "drafts", r, "Approuver", "Modifier et envoyer", "Rejeter")
	if n := strings.Count(r.body, publicWarning); n != 1 {
		t.Errorf("public-reply warning shown %d times, want 1 (the comment reply only)", n)
	}
	// Oldest first: the queue is worked in order.
	if i, j := strings.Index(r.body, fmt.Sprintf("Brouillon n° %d ", msg)), strings.Index(r.body, fmt.Sprintf("Brouillon n° %d ", com)); i < 0 || j < 0 || i > j {
		t.Errorf("draft %d at %d, draft %d at %d; want the older first", msg, i, com, j)
	}

	// Pending or finished actions are not drafts.
	if err := f.db.ApproveDraft(context.Background(), msg, ""); err != nil {
		t.Fatal(err)
	}
	r = alice.get("/console/drafts")
	wantBody(t, "drafts after approval", r, "Brouillons (1)")
	if strings.Contains(r.body, fmt.Sprintf("Brouillon n° %d ", msg)) {
		t.Errorf("approved draft %d still listed", msg)
	}

	f.clock.Add(25 * time.Hour)
	f.mustDraft(t, "m2", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m2", "question", aplReply)
	f.clock.Add(25 * time.Hour)
	wantBody(t, "late draft", alice.get("/console/drafts"), "Plus de 24 h depuis le message")
}

func TestDraftsEmpty(t *testing.T) {
	f := MustFixture(t)
	r := f.login(t, "alice").get("/console/drafts")
	wantStatus(t, "GET drafts", r, http.StatusOK)
	wantBody(t, "drafts", r, "Aucun brouillon en attente.", "Brouillons (0)")
}

func TestDraftsApprove(t *testing.T) {
	f := MustFixture(t)
	id := f.mustDraft(t, "m1", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m1", "Quand est versée l'APL ?", aplReply)
	other := f.mustDraft(t, "m2", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m2", "question", rsaReply)
	alice := f.login(t, "alice")
	alice.get("/console/drafts")
	path := fmt.Sprintf("/console/drafts/%d/approve", id)

	r := alice.post(path, nil)
	wantStatus(t, "approve", r, http.StatusSeeOther)
	if r.location != "/console/drafts" {
		t.Errorf("approve redirected to %q, want /console/drafts", r.location)
	}
	if a := f.mustAction(t, id); a.Status != pagebot.OutboxPending || a.Text != aplReply {
		t.Errorf("action after approve: %s, %q; want pending, %q", a.Status, a.Text, aplReply)
	}
	if a := f.mustAction(t, other); a.Status != pagebot.OutboxDraft {
		t.Errorf("the other draft is %s, want draft", a.Status)
	}
	if !f.audited(t, "alice", "drafts.approve", fmt.Sprintf("action:%d", id)) {
		t.Error("approve not audited")
	}
	wantBody(t, "flash", alice.get("/console/drafts"), fmt.Sprintf("Brouillon n° %d approuvé", id))
	wantStatus(t, "approve again", alice.post(path, nil), http.StatusConflict)
}

func TestDraftsEdit(t *testing.T) {
	f := MustFixture(t)
	msg := f.mustDraft(t, "m1", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m1", "Quand est versée l'APL ?", aplReply)
	com := f.mustDraft(t, "c1", pagebot.ChannelComment, pagebot.OutboxReplyComment, "post1_c1", "Comment demander le RSA ?", rsaReply)
	alice := f.login(t, "alice")
	alice.get("/console/drafts")
	path := func(id int64) string { return fmt.Sprintf("/console/drafts/%d/edit", id) }

	tests := []struct {
		name string
		id   int64
		text string
		want int
		body string
	}{
		{"Empty", msg, " \r\n", http.StatusBadRequest, "La réponse est vide."},
		{"TooLong", msg, strings.Repeat("a", 2001), http.StatusBadRequest, "trop longue"},
		{"PhoneInPublic", com, "Appelez le 06 12 34 56 78", http.StatusBadRequest, publicWarningEscaped},
		{"PhoneInPrivate", msg, "Appelez le 06 12 34 56 78", http.StatusBadRequest, "aucune donnée personnelle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.post(path(tc.id), url.Values{"text": {tc.text}})
			wantStatus(t, tc.name, r, tc.want)
			wantBody(t, tc.name, r, tc.body)
			if a := f.mustAction(t, tc.id); a.Status != pagebot.OutboxDraft || a.Text == tc.text {
				t.Errorf("draft after a refused edit: %s, %q; want an unchanged draft", a.Status, a.Text)
			}
		})
	}

	const text = "Bonjour, la demande de RSA se fait sur caf.fr, rubrique Mes démarches."
	r := alice.post(path(com), url.Values{"text": {text + "\r\n"}})
	wantStatus(t, "edit", r, http.StatusSeeOther)
	a := f.mustAction(t, com)
	if a.Status != pagebot.OutboxPending || a.Text != text || a.Kind != pagebot.OutboxReplyComment || a.Target != "post1_c1" {
		t.Errorf("action after edit = %+v; want a pending reply_comment on post1_c1 with %q", a, text)
	}
	detail, ok := f.auditEntryDetail(t, "alice", "drafts.edit", fmt.Sprintf("action:%d", com))
	if want := fmt.Sprintf("length:%d", len([]rune(text))); !ok || detail != want {
		t.Errorf("drafts.edit audit detail = %q (found %v), want %q", detail, ok, want)
	}
	wantStatus(t, "edit again", alice.post(path(com), url.Values{"text": {"encore"}}), http.StatusConflict)
	if a := f.mustAction(t, com); a.Text != text {
		t.Errorf("a refused second edit changed the text to %q", a.Text)
	}
}

func TestDraftsReject(t *testing.T) {
	f := MustFixture(t)
	id := f.mustDraft(t, "m1", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m1", "Quand est versée l'APL ?", aplReply)
	eddie := f.login(t, "eddie")
	eddie.get("/console/drafts")
	path := fmt.Sprintf("/console/drafts/%d/reject", id)

	wantStatus(t, "reject", eddie.post(path, nil), http.StatusSeeOther)
	if a := f.mustAction(t, id); a.Status != pagebot.OutboxDropped || a.Error != "rejeté par eddie" {
		t.Errorf("action after reject: %s, %q; want dropped, %q", a.Status, a.Error, "rejeté par eddie")
	}
	if !f.audited(t, "eddie", "drafts.reject", fmt.Sprintf("action:%d", id)) {
		t.Error("reject not audited")
	}
	wantBody(t, "drafts after reject", eddie.get("/console/drafts"), "Aucun brouillon en attente.", fmt.Sprintf("Brouillon n° %d rejeté", id))
	wantStatus(t, "reject again", eddie.post(path, nil), http.StatusConflict)
	wantStatus(t, "approve after reject", eddie.post(fmt.Sprintf("/console/drafts/%d/approve", id), nil), http.StatusConflict)
	wantStatus(t, "edit after reject", eddie.post(fmt.Sprintf("/console/drafts/%d/edit", id), url.Values{"text": {"x"}}), http.StatusConflict)
	if a := f.mustAction(t, id); a.Status != pagebot.OutboxDropped {
		t.Errorf("rejected draft became %s", a.Status)
	}
}

func TestDraftsRefusals(t *testing.T) {
	f := MustFixture(t)
	id := f.mustDraft(t, "m1", pagebot.ChannelMessage, pagebot.OutboxSendMessage, "psid-m1", "Quand est versée l'APL ?", aplReply)
	alice := f.login(t, "alice")
	alice.get("/console/drafts")
	form := url.Values{"text": {"Bonjour"}}

	for _, p := range []string{"approve", "edit", "reject"} {
		t.Run(p, func(t *testing.T) {
			wantStatus(t, "unknown", alice.post("/console/drafts/999/"+p, form), http.StatusNotFound)
			wantStatus(t, "bad id", alice.post("/console/drafts/abc/"+p, form), http.StatusNotFound)
			path := fmt.Sprintf("/console/drafts/%d/%s", id, p)
			wantStatus(t, "wrong CSRF token", alice.post(path, url.Values{"text": form["text"], "csrf": {"pas-le-bon"}}), http.StatusForbidden)
			wantStatus(t, "no CSRF token", alice.post(path, url.Values{"text": form["text"], "csrf": {""}}), http.StatusForbidden)
			anon := f.client(t)
			anon.get("/console/login")
			r := anon.post(path, form)
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/login") {
				t.Errorf("without a session = %d to %q, want 303 to the login page", r.status, r.location)
			}
		})
	}
	// A pending action (not a draft) is not for this page.
	pending := f.mustCommentCase(t, "c-mod", "post1_111", moderationHide(), false)
	hide := f.eventActions(t, pending)[0]
	for _, p := range []string{"approve", "edit", "reject"} {
		wantStatus(t, p+" a pending action", alice.post(fmt.Sprintf("/console/drafts/%d/%s", hide.ID, p), form), http.StatusConflict)
	}
	if a := f.mustAction(t, hide.ID); a.Status != pagebot.OutboxPending || a.Text != "" {
		t.Errorf("pending action changed by refused requests: %+v", a)
	}

	r := f.client(t).get("/console/drafts")
	if r.status != http.StatusSeeOther || r.location != "/console/login?next=%2Fconsole%2Fdrafts" {
		t.Errorf("GET drafts without a session = %d to %q, want 303 to the login page", r.status, r.location)
	}
	if a := f.mustAction(t, id); a.Status != pagebot.OutboxDraft || a.Text != aplReply {
		t.Errorf("draft changed by refused requests: %s, %q", a.Status, a.Text)
	}
	if f.audited(t, "alice", "drafts.approve", fmt.Sprintf("action:%d", id)) ||
		f.audited(t, "alice", "drafts.edit", fmt.Sprintf("action:%d", id)) ||
		f.audited(t, "alice", "drafts.reject", fmt.Sprintf("action:%d", id)) {
		t.Error("refused requests were audited")
	}
}
