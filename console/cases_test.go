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
