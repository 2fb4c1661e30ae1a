package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFAQHistory(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	wantBody(t, "history before any change", eddie.get("/console/faq/rsa-demande/history"),
		"0 version(s)", "Aucune version")

	eddie.get("/console/faq/new")
	wantStatus(t, "create", eddie.post("/console/faq/new", entryForm()), http.StatusSeeOther)
	r := eddie.get("/console/faq/css-demande/edit")
	wantBody(t, "edit form", r, `href="/console/faq/css-demande/history"`)
	m := versionRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no version field")
	}
	form := entryForm()
	form.Set("version", m[1])
	form.Set("question", "Comment obtenir la C2S ?")
	form.Set("answer", "La C2S se demande en ligne sur ameli.fr.")
	wantStatus(t, "update", eddie.post("/console/faq/css-demande/edit", form), http.StatusSeeOther)

	// A refused update records nothing.
	form.Set("answer", "")
	wantStatus(t, "refused update", eddie.post("/console/faq/css-demande/edit", form), http.StatusConflict)

	ada := f.login(t, "ada")
	r = ada.get("/console/faq/css-demande/history")
	wantStatus(t, "history", r, http.StatusOK)
	wantBody(t, "history", r, "2 version(s)", "Version 2 · Modification", "Version 1 · Création",
		"<dd>eddie</dd>", "Comment obtenir la C2S ?", "La C2S se demande en ligne sur ameli.fr.",
		"Comment demander la complémentaire santé solidaire ?", "La complémentaire santé solidaire se demande sur ameli.fr",
		`href="/console/faq/css-demande/edit"`)
	if strings.Index(r.body, "Version 2") > strings.Index(r.body, "Version 1") {
		t.Error("the history does not list the newest version first")
	}

	wantStatus(t, "delete", ada.post("/console/faq/css-demande/delete", url.Values{}), http.StatusSeeOther)
	r = eddie.get("/console/faq/css-demande/history")
	wantStatus(t, "history after delete", r, http.StatusOK)
	wantBody(t, "history after delete", r, "3 version(s)", "Version 3 · Suppression", "<dd>ada</dd>",
		"n'est plus dans la FAQ en service")
	if strings.Contains(r.body, `href="/console/faq/css-demande/edit"`) {
		t.Error("the history of a deleted entry links to its form")
	}

	wantBody(t, "FAQ list", eddie.get("/console/faq"), `href="/console/faq/rsa-demande/history"`)
	wantStatus(t, "unknown entry", eddie.get("/console/faq/inconnue/history"), http.StatusNotFound)
	wantStatus(t, "history by an agent", f.login(t, "alice").get("/console/faq/rsa-demande/history"), http.StatusForbidden)
}
