package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot"
)

// mustLearningCase stores an event and a case with reason, closed when closed is
// true, and returns the case's id.
func (f *fixture) mustLearningCase(tb testing.TB, text, reason string, closed bool) int64 {
	tb.Helper()
	ctx := context.Background()
	key := "learn-" + strconv.FormatInt(learnKeys.Add(1), 10)
	evs, err := f.db.SaveEvents(ctx, []pagebot.Event{{Key: key, PageID: "page", Kind: pagebot.EventMessage,
		Channel: pagebot.ChannelMessage, ObjectID: key, SenderID: "psid-" + key, Text: text}})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents: %v (%d saved)", err, len(evs))
	}
	c := &pagebot.Case{EventID: evs[0].ID, Channel: pagebot.ChannelMessage, SenderID: "psid-" + key,
		Text: text, Reason: reason, DueAt: time.Now().Add(4 * time.Hour)}
	if err := f.db.OpenCase(ctx, c); err != nil {
		tb.Fatalf("OpenCase: %v", err)
	}
	if closed {
		if err := f.db.CloseCase(ctx, c.ID, "alice", "répondu"); err != nil {
			tb.Fatalf("CloseCase: %v", err)
		}
	}
	return c.ID
}

// learnKeys numbers the events of the learning tests.
var learnKeys atomic.Int64

// learningCases are the cases of the learning tests, by name.
type learningCases struct {
	primeA, papier, primeC, personal, masked, primeF, empty, hello, attest int64
}

const papierText = "Où trouver le papier qui prouve que je touche la prime ?"

func mustLearningCases(tb testing.TB, f *fixture) learningCases {
	tb.Helper()
	const none = "aucune entrée de la FAQ ne correspond"
	var c learningCases
	c.primeA = f.mustLearningCase(tb, "Quand est versée la prime d'activité ?", none, false)
	c.papier = f.mustLearningCase(tb, papierText, "confiance insuffisante (0.20 < 0.60 pour « rsa-demande »)", false)
	c.primeC = f.mustLearningCase(tb, "quand la prime d'activité est-elle versée", none, false)
	c.personal = f.mustLearningCase(tb, "Je n'ai pas reçu mon paiement ce mois-ci", "situation personnelle ou réclamation (indices : pas reçu)", false)
	c.masked = f.mustLearningCase(tb, "Mon numéro c'est [téléphone masqué], rappelez-moi pour le loyer", none, false)
	c.primeF = f.mustLearningCase(tb, "La prime d'activité sera versée à quelle date ?", none, true)
	c.empty = f.mustLearningCase(tb, "", none, false)
	c.hello = f.mustLearningCase(tb, "Bonjour, merci !", none, false)
	c.attest = f.mustLearningCase(tb, "Comment avoir une attestation de paiement ?", "ambigu entre « attestation-paiement » (0.55) et « rsa-demande » (0.50)", false)
	return c
}

// learningGroupRe finds the case ids of each group of the learning page, in order.
var learningGroupRe = regexp.MustCompile(`class="learning-group" data-cases="([0-9 ]*)"`)

func learningGroups(body string) []string {
	var out []string
	for _, m := range learningGroupRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func learnIDs(ns ...int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, " ")
}

func TestLearningGroups(t *testing.T) {
	f := MustFixture(t)
	c := mustLearningCases(t, f)
	eddie := f.login(t, "eddie")
	r := eddie.get("/console/learning")
	wantStatus(t, "GET learning", r, http.StatusOK)
	// Newest first; the three wordings of "when is the prime d'activité
	// paid" together, the rest alone; personal, empty and greeting-only
	// messages left out.
	want := []string{learnIDs(c.primeF, c.primeC, c.primeA), learnIDs(c.attest), learnIDs(c.masked), learnIDs(c.papier)}
	if diff := cmp.Diff(want, learningGroups(r.body)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	wantBody(t, "learning", r, `aria-current="page">Apprentissage`, "4 groupe(s)", "parmi 6 message(s)",
		"Nouvelle entrée FAQ à partir de ces messages", `name="case" value="`+learnIDs(c.papier)+`"`)
	if strings.Contains(r.body, "pas reçu mon paiement") || strings.Contains(r.body, "Bonjour, merci") {
		t.Error("the page shows a personal or greeting-only message")
	}
	if strings.Contains(r.body, `name="case" value="`+learnIDs(c.masked)+`"`) {
		t.Error("a message with masked data is offered as a variant")
	}
	wantBody(t, "learning", r, "Contient des données masquées")
	// The closest entry is proposed only when the engine is fairly sure.
	wantBody(t, "learning", r,
		`id="variant-`+learnIDs(c.attest)+`" name="entry" list="faq-ids" required autocapitalize="none" spellcheck="false" value="attestation-paiement">`,
		`id="variant-`+learnIDs(c.primeA)+`" name="entry" list="faq-ids" required autocapitalize="none" spellcheck="false" value="">`,
		"<code>attestation-paiement</code></a> — Comment obtenir une attestation de paiement ? (confiance ")

	again := eddie.get("/console/learning")
	if diff := cmp.Diff(learningGroups(r.body), learningGroups(again.body)); diff != "" {
		t.Errorf("groups changed between two loads (-first +second):\n%s", diff)
	}
}

func TestLearningRoles(t *testing.T) {
	f := MustFixture(t)
	c := mustLearningCases(t, f)
	alice := f.login(t, "alice")
	if r := alice.get("/console/"); strings.Contains(r.body, "/console/learning") {
		t.Error("an agent is offered the learning page")
	}
	wantStatus(t, "agent GET learning", alice.get("/console/learning"), http.StatusForbidden)
	wantStatus(t, "agent GET learning/new", alice.get("/console/learning/new?case="+learnIDs(c.papier)), http.StatusForbidden)
	r := alice.post("/console/learning/variant", url.Values{"case": {learnIDs(c.papier)}, "entry": {"attestation-paiement"}})
	wantStatus(t, "agent POST variant", r, http.StatusForbidden)
	if e, _ := f.index.FAQ().Entry("attestation-paiement"); len(e.Variants) != 0 {
		t.Errorf("an agent added variants: %q", e.Variants)
	}
	wantStatus(t, "admin GET learning", f.login(t, "ada").get("/console/learning"), http.StatusOK)
}

// learningTop is the id of the index's best candidate for text, or "".
func learningTop(tb testing.TB, f *fixture, text string) string {
	tb.Helper()
	res, err := f.index.Search(text, 5)
	if err != nil {
		tb.Fatalf("Search(%q): %v", text, err)
	}
	if len(res.Candidates) == 0 {
		return ""
	}
	return res.Candidates[0].Entry.ID
}

func TestLearningVariant(t *testing.T) {
	f := MustFixture(t)
	c := mustLearningCases(t, f)
	eddie := f.login(t, "eddie")
	eddie.get("/console/learning")
	if got := learningTop(t, f, papierText); got == "attestation-paiement" {
		t.Fatalf("before the variant, Search(%q) already finds attestation-paiement first", papierText)
	}

	r := eddie.post("/console/learning/variant", url.Values{"case": {learnIDs(c.papier)}, "entry": {"attestation-paiement"}})
	if r.status != http.StatusSeeOther || r.location != "/console/learning" {
		t.Fatalf("add variant = %d to %q, want 303 to /console/learning\n%s", r.status, r.location, r.body)
	}
	e, _ := f.index.FAQ().Entry("attestation-paiement")
	if diff := cmp.Diff([]string{papierText}, e.Variants); diff != "" {
		t.Errorf("variants (-want +got):\n%s", diff)
	}
	if got := learningTop(t, f, papierText); got != "attestation-paiement" {
		t.Errorf("after the variant, Search(%q) finds %q first, want attestation-paiement", papierText, got)
	}
	saved := f.saver.last()
	if saved == nil {
		t.Fatal("the FAQ was not saved")
	}
	if se, _ := saved.Entry("attestation-paiement"); !slices.Contains(se.Variants, papierText) {
		t.Errorf("saved variants = %q, want the new one", se.Variants)
	}
	if !f.audited(t, "eddie", "faq.variant", "faq:attestation-paiement") {
		t.Error("variant not audited")
	}
	r = eddie.get("/console/learning")
	wantBody(t, "learning after the variant", r, "ajouté comme variante de « attestation-paiement »",
		"Déjà une formulation de l'entrée <code>attestation-paiement</code>")

	// The same message again changes nothing.
	r = eddie.post("/console/learning/variant", url.Values{"case": {learnIDs(c.papier)}, "entry": {"attestation-paiement"}})
	wantStatus(t, "same variant again", r, http.StatusSeeOther)
	if e, _ := f.index.FAQ().Entry("attestation-paiement"); len(e.Variants) != 1 {
		t.Errorf("variants after a duplicate = %q, want one", e.Variants)
	}
}

func TestLearningVariantRefused(t *testing.T) {
	f := MustFixture(t)
	c := mustLearningCases(t, f)
	eddie := f.login(t, "eddie")
	eddie.get("/console/learning")
	tests := []struct {
		name string
		form url.Values
		want int
		body string
	}{
		{"CSRF", url.Values{"csrf": {"pas-le-bon"}, "case": {learnIDs(c.papier)}, "entry": {"attestation-paiement"}}, http.StatusForbidden, "Formulaire expiré"},
		{"Placeholder", url.Values{"case": {learnIDs(c.masked)}, "entry": {"attestation-paiement"}}, http.StatusBadRequest, "données masquées"},
		{"UnknownEntry", url.Values{"case": {learnIDs(c.papier)}, "entry": {"inconnue"}}, http.StatusNotFound, "Aucune entrée « inconnue »"},
		{"UnknownCase", url.Values{"case": {"9999"}, "entry": {"attestation-paiement"}}, http.StatusNotFound, ""},
		{"BadCase", url.Values{"case": {"x"}, "entry": {"attestation-paiement"}}, http.StatusBadRequest, "Dossier invalide"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := eddie.post("/console/learning/variant", tc.form)
			wantStatus(t, "POST variant", r, tc.want)
			wantBody(t, "POST variant", r, tc.body)
		})
	}
	if e, _ := f.index.FAQ().Entry("attestation-paiement"); len(e.Variants) != 0 {
		t.Errorf("a refused variant was added: %q", e.Variants)
	}
	if f.saver.last() != nil {
		t.Error("a refused variant was saved")
	}
}

func TestLearningNew(t *testing.T) {
	f := MustFixture(t)
	c := mustLearningCases(t, f)
	eddie := f.login(t, "eddie")
	r := eddie.get("/console/learning")
	link := regexp.MustCompile(`href="(/console/learning/new\?[^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatal("no new-entry link on the learning page")
	}
	r = eddie.get(html.UnescapeString(link[1]))
	wantStatus(t, "GET "+link[1], r, http.StatusOK)
	wantBody(t, "new entry form", r, `action="/console/faq/new"`,
		`name="question" value="La prime d&#39;activité sera versée à quelle date ?"`,
		"quand la prime d&#39;activité est-elle versée\nQuand est versée la prime d&#39;activité ?</textarea>")

	// Masked messages are left out; a group of only those is refused.
	r = eddie.get("/console/learning/new?case=" + learnIDs(c.papier) + "&case=" + learnIDs(c.masked))
	wantStatus(t, "new from papier and masked", r, http.StatusOK)
	wantBody(t, "new from papier and masked", r, `name="question" value="Où trouver le papier`)
	if strings.Contains(r.body, "masqué]") {
		t.Error("the form is filled with a masked message")
	}
	wantStatus(t, "new from masked only", eddie.get("/console/learning/new?case="+learnIDs(c.masked)), http.StatusBadRequest)
	wantStatus(t, "new from nothing", eddie.get("/console/learning/new"), http.StatusBadRequest)
}
