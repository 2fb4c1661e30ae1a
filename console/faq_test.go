package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// firstCodeRe finds the first entry id of the list.
var firstCodeRe = regexp.MustCompile(`<code>([a-z0-9-]+)</code>`)

func TestFAQList(t *testing.T) {
	f := MustFixture(t)
	alice := f.login(t, "alice")
	tests := []struct {
		name, query string
		first       string
		want, not   []string
	}{
		{"All", "", "apl-date-versement", []string{"rsa-demande", "attestation-paiement", "3 entrée(s) affichée(s) sur 3"}, nil},
		{"Search", "?q=" + url.QueryEscape("date de versement des apl"), "apl-date-versement", nil, nil},
		{"SearchOther", "?q=" + url.QueryEscape("demander le rsa"), "rsa-demande", nil, nil},
		{"Tag", "?tag=rsa", "rsa-demande", []string{"1 entrée(s) affichée(s) sur 3"}, []string{"apl-date-versement"}},
		{"ID", "?q=attestation-paiement", "attestation-paiement", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.get("/console/faq" + tc.query)
			wantStatus(t, "GET faq"+tc.query, r, http.StatusOK)
			wantBody(t, "faq"+tc.query, r, tc.want...)
			if m := firstCodeRe.FindStringSubmatch(r.body); m == nil || m[1] != tc.first {
				t.Errorf("faq%s lists %v first, want %s", tc.query, m, tc.first)
			}
			for _, n := range tc.not {
				if strings.Contains(r.body, "<code>"+n+"</code>") {
					t.Errorf("faq%s lists %s", tc.query, n)
				}
			}
			if strings.Contains(r.body, "/console/faq/new") {
				t.Error("an agent is offered to create entries")
			}
		})
	}
}

// entryForm is a valid new entry.
func entryForm() url.Values {
	return url.Values{
		"id":       {"css-demande"},
		"question": {"Comment demander la complémentaire santé solidaire ?"},
		"variants": {"demande de c2s\n\nmutuelle gratuite"},
		"answer":   {"La complémentaire santé solidaire se demande sur ameli.fr ou auprès de votre caisse d'assurance maladie."},
		"links":    {"https://www.ameli.fr/assure/droits-demarches/difficultes-acces-droits-soins/complementaire-sante"},
		"tags":     {"sante, demarche"},
		"reviewed": {"2026-11-30"},
	}
}

func TestFAQCreateValidation(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	eddie.get("/console/faq/new")
	tests := []struct {
		name  string
		field string
		value string
		want  string
	}{
		{"EmptyQuestion", "question", " ", "question vide"},
		{"EmptyAnswer", "answer", "", "réponse vide"},
		{"BadID", "id", "CSS demande", "identifiant &#34;css demande&#34; invalide"},
		{"BadLink", "links", "www.ameli.fr", "lien &#34;www.ameli.fr&#34; invalide"},
		{"BadTag", "tags", "santé", "étiquette &#34;santé&#34; invalide"},
		{"BadDate", "reviewed", "30/11/2026", "date &#34;30/11/2026&#34; invalide"},
		{"TooLong", "answer", strings.Repeat("a", 1501), "réponse trop longue"},
		{"DuplicateID", "id", "rsa-demande", "identifiant déjà utilisé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := entryForm()
			form.Set(tc.field, tc.value)
			r := eddie.post("/console/faq/new", form)
			wantStatus(t, "create", r, http.StatusUnprocessableEntity)
			wantBody(t, "create", r, tc.want, `aria-invalid="true"`, `role="alert"`)
			if len(f.index.FAQ().Entries) != 3 {
				t.Errorf("the FAQ has %d entries after a refused create, want 3", len(f.index.FAQ().Entries))
			}
		})
	}
	if f.saver.last() != nil {
		t.Error("a refused entry was saved")
	}
}

func TestFAQCreateThenSearch(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	eddie.get("/console/faq/new")
	r := eddie.post("/console/faq/new", entryForm())
	if r.status != http.StatusSeeOther || r.location != "/console/faq/css-demande/edit" {
		t.Fatalf("create = %d to %q, want 303 to the entry\n%s", r.status, r.location, r.body)
	}
	e, ok := f.index.FAQ().Entry("css-demande")
	if !ok {
		t.Fatal("the entry is not in the index")
	}
	if got := strings.Join(e.Variants, "|"); got != "demande de c2s|mutuelle gratuite" {
		t.Errorf("variants = %q, want blank lines dropped", got)
	}
	if got := strings.Join(e.Tags, "|"); got != "sante|demarche" {
		t.Errorf("tags = %q", got)
	}
	if saved := f.saver.last(); saved == nil || len(saved.Entries) != 4 {
		t.Errorf("saved FAQ = %v, want the 4 entries", saved)
	}
	if !f.audited(t, "eddie", "faq.create", "faq:css-demande") {
		t.Error("create not audited")
	}
	r = eddie.get(r.location)
	wantBody(t, "edit page after create", r, "Entrée « css-demande » créée")

	r = eddie.get("/console/faq?q=" + url.QueryEscape("mutuelle gratuite"))
	wantStatus(t, "search", r, http.StatusOK)
	wantBody(t, "search", r, "<code>css-demande</code>")
}

// versionRe finds the version field of the entry form.
var versionRe = regexp.MustCompile(`name="version" value="([^"]+)"`)

func TestFAQUpdate(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	r := eddie.get("/console/faq/rsa-demande/edit")
	wantStatus(t, "edit form", r, http.StatusOK)
	wantBody(t, "edit form", r, "Comment demander le revenu de solidarité active (RSA) ?", "readonly")
	m := versionRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no version field")
	}
	form := url.Values{"version": {m[1]}, "id": {"autre-id"}, "question": {"Comment faire une demande de RSA ?"},
		"answer": {"La demande de RSA se fait en ligne sur caf.fr."}, "tags": {"rsa"}}
	r = eddie.post("/console/faq/rsa-demande/edit", form)
	wantStatus(t, "update", r, http.StatusSeeOther)
	e, ok := f.index.FAQ().Entry("rsa-demande")
	if !ok || e.Question != "Comment faire une demande de RSA ?" {
		t.Errorf("entry after update = %+v, %v", e, ok)
	}
	if _, ok := f.index.FAQ().Entry("autre-id"); ok {
		t.Error("the update renamed the entry")
	}
	if !f.audited(t, "eddie", "faq.update", "faq:rsa-demande") {
		t.Error("update not audited")
	}

	// The same old version again: someone changed the entry meanwhile.
	form.Set("question", "Une autre question ?")
	r = eddie.post("/console/faq/rsa-demande/edit", form)
	wantStatus(t, "stale update", r, http.StatusConflict)
	wantBody(t, "stale update", r, "modifiée par quelqu&#39;un d&#39;autre")
	if e, _ := f.index.FAQ().Entry("rsa-demande"); e.Question != "Comment faire une demande de RSA ?" {
		t.Errorf("a stale update overwrote the entry: %q", e.Question)
	}
	wantStatus(t, "unknown entry", eddie.get("/console/faq/inconnue/edit"), http.StatusNotFound)
}

func TestFAQDelete(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	r := eddie.post("/console/faq/rsa-demande/delete", nil)
	if r.status != http.StatusSeeOther || r.location != "/console/faq" {
		t.Fatalf("delete = %d to %q, want 303 to the list\n%s", r.status, r.location, r.body)
	}
	if _, ok := f.index.FAQ().Entry("rsa-demande"); ok {
		t.Error("the entry is still in the index")
	}
	if saved := f.saver.last(); saved == nil || len(saved.Entries) != 2 {
		t.Errorf("saved FAQ = %v, want 2 entries", saved)
	}
	if !f.audited(t, "eddie", "faq.delete", "faq:rsa-demande") {
		t.Error("delete not audited")
	}
	wantStatus(t, "delete again", eddie.post("/console/faq/rsa-demande/delete", nil), http.StatusNotFound)
}
