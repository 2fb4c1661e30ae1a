package console_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pagebot"
	"pagebot/bot"
	"pagebot/console"
	"pagebot/moderation"
)

// fakeRules keeps moderation rules in memory, checked and applied by the
// moderation package as the real ones are; saveErr makes saving fail.
type fakeRules struct {
	mu      sync.Mutex
	data    []byte
	mod     *moderation.Moderator
	sets    int
	saveErr error
}

func mustFakeRules(tb testing.TB, data []byte) *fakeRules {
	tb.Helper()
	r, err := moderation.Parse("règles", data)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return &fakeRules{data: data, mod: moderation.New(r)}
}

func (f *fakeRules) RulesYAML() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.data...)
}

func (f *fakeRules) SetRulesYAML(data []byte) error {
	r, err := moderation.Parse("règles", data)
	if err != nil {
		return pagebot.Errorf(pagebot.EINVALID, "%s", err.Error())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saveErr != nil {
		return f.saveErr
	}
	f.data, f.mod, f.sets = append([]byte(nil), data...), moderation.New(r), f.sets+1
	return nil
}

func (f *fakeRules) Check(text string) (verdict, rule, category string, reasons []string) {
	f.mu.Lock()
	m := f.mod
	f.mu.Unlock()
	res := m.Check(text)
	return string(res.Verdict), res.Rule, res.Category, res.Reasons
}

func (f *fakeRules) state() (data string, sets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.data), f.sets
}

// rulesOnly hides the Check method of the rules it wraps.
type rulesOnly struct{ console.ModerationRules }

// mustModerationFixture is MustFixture with moderation rules.
func mustModerationFixture(tb testing.TB, m console.ModerationRules) *fixture {
	tb.Helper()
	f := MustFixture(tb)
	eng, err := bot.New(f.index, nil, fakeMasker{}, bot.DefaultConfig())
	if err != nil {
		tb.Fatalf("new engine: %v", err)
	}
	h, err := console.New(console.Config{ClientIPHeader: "X-Real-IP", Now: f.clock.Now},
		console.Deps{Store: f.db, Sessions: f.db.Sessions(), Index: f.index, Saver: f.saver, Decider: eng,
			Log: testLogger(tb), Moderation: m})
	if err != nil {
		tb.Fatalf("console.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix+"/", h)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

// shippedRules is the rules file shipped with pagebot.
func shippedRules(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("../moderation/rules.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// smallRules is a valid rules file; line 6 is its only pattern.
const smallRules = `version: 1
categories:
  - name: spam
    verdict: hide
    patterns:
      - argent facile
links:
  lookalike: hide
  shortener: review
`

var (
	rulesAreaRe    = regexp.MustCompile(`(?s)<textarea id="f-rules" name="rules"[^>]*>\n(.*?)</textarea>`)
	rulesVersionRe = regexp.MustCompile(`name="version" value="([^"]+)"`)
)

// rulesForm returns the rules form of an editor's page: the text shown and
// the version field.
func rulesForm(tb testing.TB, r response) (text, version string) {
	tb.Helper()
	a, v := rulesAreaRe.FindStringSubmatch(r.body), rulesVersionRe.FindStringSubmatch(r.body)
	if a == nil || v == nil {
		tb.Fatalf("no rules form in the page\n%s", r.body)
	}
	return html.UnescapeString(a[1]), v[1]
}

// auditDetail returns the detail of the last audit entry for action, and
// whether there is one.
func (f *fixture) auditDetail(tb testing.TB, action string) (string, bool) {
	tb.Helper()
	entries, err := f.db.Audit(context.Background(), 0)
	if err != nil {
		tb.Fatalf("Audit: %v", err)
	}
	for _, e := range entries {
		if e.Action == action {
			return e.Detail, true
		}
	}
	return "", false
}

func TestModerationView(t *testing.T) {
	rules := mustFakeRules(t, shippedRules(t))
	f := mustModerationFixture(t, rules)

	r := f.login(t, "alice").get("/console/moderation")
	wantStatus(t, "agent GET moderation", r, http.StatusOK)
	wantBody(t, "agent view", r,
		`<a href="/console/moderation" aria-current="page">Modération</a>`,
		"La Page reste ouverte à la critique",
		`<pre id="f-rules"`,
		"# Règles de modération des commentaires publics de la Page Facebook.",
		"Lecture seule",
		`action="/console/moderation/test"`,
	)
	if strings.Contains(r.body, `name="rules"`) || strings.Contains(r.body, `action="/console/moderation"`) {
		t.Error("an agent is offered to edit the rules")
	}

	r = f.login(t, "eddie").get("/console/moderation")
	wantStatus(t, "editor GET moderation", r, http.StatusOK)
	if text, _ := rulesForm(t, r); text != string(shippedRules(t)) {
		t.Errorf("the editor's form does not hold the rules file exactly (%d bytes, want %d)", len(text), len(shippedRules(t)))
	}
	if strings.Contains(r.body, "Lecture seule") {
		t.Error("the editor's page says read-only")
	}
}

func TestModerationEditRefused(t *testing.T) {
	rules := mustFakeRules(t, []byte(smallRules))
	f := mustModerationFixture(t, rules)
	alice, eddie := f.login(t, "alice"), f.login(t, "eddie")
	_, version := rulesForm(t, eddie.get("/console/moderation"))
	changed := strings.Replace(smallRules, "argent facile", "crédit rapide", 1)

	r := alice.post("/console/moderation", url.Values{"rules": {changed}, "version": {version}})
	wantStatus(t, "agent POST moderation", r, http.StatusForbidden)
	r = eddie.post("/console/moderation", url.Values{"csrf": {"pas-le-bon"}, "rules": {changed}, "version": {version}})
	wantStatus(t, "POST moderation with a wrong token", r, http.StatusForbidden)
	r = f.client(t).post("/console/moderation", url.Values{"rules": {changed}, "version": {version}})
	if r.status != http.StatusSeeOther || r.location != "/console/login" {
		t.Errorf("anonymous POST moderation = %d to %q, want 303 to login", r.status, r.location)
	}
	if data, sets := rules.state(); sets != 0 || data != smallRules {
		t.Errorf("after refused edits: %d SetRulesYAML call(s), rules changed: %v", sets, data != smallRules)
	}
	if _, ok := f.auditDetail(t, "moderation.rules"); ok {
		t.Error("a refused edit was audited")
	}
}

func TestModerationInvalidRules(t *testing.T) {
	tests := []struct {
		name  string
		rules string
		want  []string
	}{
		{"Checks", "# marqueur-42\nversion: 1\ncategories:\n  - name: spam\n    verdict: masquer\n    patterns:\n      - argent facile\n      - \"\"\nlinks:\n  lookalike: hide\n  shortener: review\n",
			[]string{"ligne 4 : catégorie &#34;spam&#34; : verdict &#34;masquer&#34;, attendu hide (masquer) ou review (à revoir)",
				"ligne 8 : catégorie &#34;spam&#34; : motif &#34;&#34; vide une fois normalisé"}},
		{"Syntax", "# marqueur-42\nversion: 1\ncategories:\n  - name: spam\n    verdict: hide\n    patterns: [argent facile\n",
			[]string{"ligne 5 : did not find expected"}},
		{"UnknownField", "# marqueur-42\nversion: 1\ncategorie:\n  - name: spam\n",
			[]string{"ligne 3 : field categorie not found"}},
		{"Empty", " \n\n", []string{"Le fichier est vide."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules := mustFakeRules(t, []byte(smallRules))
			f := mustModerationFixture(t, rules)
			eddie := f.login(t, "eddie")
			_, version := rulesForm(t, eddie.get("/console/moderation"))
			r := eddie.post("/console/moderation", url.Values{"rules": {tc.rules}, "version": {version}})
			wantStatus(t, "POST invalid rules", r, http.StatusUnprocessableEntity)
			wantBody(t, "invalid rules", r, append(tc.want, `role="alert"`, "n'ont pas été enregistrées")...)
			if text, v := rulesForm(t, r); text != tc.rules || v != version {
				t.Errorf("form after refusal = %q (version %s), want the text submitted %q (version %s)", text, v, tc.rules, version)
			}
			if data, _ := rules.state(); data != smallRules {
				t.Errorf("invalid rules replaced the rules in use: %q", data)
			}
			if _, ok := f.auditDetail(t, "moderation.rules"); ok {
				t.Error("refused rules were audited")
			}
		})
	}
}

func TestModerationSaveRules(t *testing.T) {
	rules := mustFakeRules(t, shippedRules(t))
	f := mustModerationFixture(t, rules)
	eddie := f.login(t, "eddie")
	text, version := rulesForm(t, eddie.get("/console/moderation"))

	// The shipped file, plus a pattern of its first category (threat), sent
	// as browsers send a textarea.
	edited := strings.Replace(text, "    patterns:\n", "    patterns:\n      - patate pourrie\n", 1)
	if edited == text {
		t.Fatal("no patterns list in the shipped rules")
	}
	r := eddie.post("/console/moderation", url.Values{"rules": {strings.ReplaceAll(edited, "\n", "\r\n")}, "version": {version}})
	if r.status != http.StatusSeeOther || r.location != "/console/moderation" {
		t.Fatalf("save rules = %d to %q, want 303 to the page\n%s", r.status, r.location, r.body)
	}
	if data, sets := rules.state(); sets != 1 || data != edited {
		t.Errorf("after saving: %d SetRulesYAML call(s), rules equal to the edited text (line ends LF): %v", sets, data == edited)
	}
	detail, ok := f.auditDetail(t, "moderation.rules")
	if !ok || !f.audited(t, "eddie", "moderation.rules", "moderation:rules") {
		t.Fatal("saving the rules was not audited")
	}
	if want := strings.Count(edited, "\n"); !strings.Contains(detail, strconv.Itoa(len(edited))+" octets") || !strings.Contains(detail, " "+strconv.Itoa(want)+" lignes") {
		t.Errorf("audit detail = %q, want %d octets and %d lignes", detail, len(edited), want)
	}
	if strings.Contains(detail, "patate") || strings.Contains(detail, "version: 1") {
		t.Errorf("audit detail %q holds the rules' content", detail)
	}
	r = eddie.get(r.location)
	wantBody(t, "page after saving", r, "Règles de modération enregistrées")

	// The new rules are live: the test form uses them.
	r = eddie.post("/console/moderation/test", url.Values{"text": {"vous êtes une patate pourrie"}})
	wantStatus(t, "test after saving", r, http.StatusOK)
	wantBody(t, "test after saving", r, "Verdict : Masqué", "<code>threat:patate pourrie</code>")

	// Saving again from the old form would overwrite the change.
	r = eddie.post("/console/moderation", url.Values{"rules": {text}, "version": {version}})
	wantStatus(t, "stale save", r, http.StatusConflict)
	wantBody(t, "stale save", r, "modifiées par quelqu&#39;un d&#39;autre")
	if data, sets := rules.state(); sets != 1 || data != edited {
		t.Errorf("a stale save changed the rules (%d calls)", sets)
	}
}

func TestModerationSaveFailureKeepsText(t *testing.T) {
	rules := mustFakeRules(t, []byte(smallRules))
	rules.saveErr = errors.New("disque plein")
	f := mustModerationFixture(t, rules)
	eddie := f.login(t, "eddie")
	_, version := rulesForm(t, eddie.get("/console/moderation"))
	changed := strings.Replace(smallRules, "argent facile", "crédit rapide", 1)
	r := eddie.post("/console/moderation", url.Values{"rules": {changed}, "version": {version}})
	wantStatus(t, "save with a failing store", r, http.StatusInternalServerError)
	wantBody(t, "save failure", r, "Erreur interne")
	if strings.Contains(r.body, "disque plein") {
		t.Error("the internal error is shown to staff")
	}
	if text, _ := rulesForm(t, r); text != changed {
		t.Errorf("form after a failure = %q, want the text submitted", text)
	}
	if _, ok := f.auditDetail(t, "moderation.rules"); ok {
		t.Error("a failed save was audited")
	}
}

func TestModerationTest(t *testing.T) {
	f := mustModerationFixture(t, mustFakeRules(t, shippedRules(t)))
	alice := f.login(t, "alice")
	tests := []struct {
		name, text string
		status     int
		want       []string
	}{
		{"Threat", "je vais vous tuer", http.StatusOK,
			[]string{"Verdict : Masqué", "<dt>Règle décisive</dt><dd><code>threat:vous tuer</code>", "<dt>Catégorie</dt><dd><code>threat</code>", "Règles déclenchées"}},
		{"Criticism", "la caf c'est des incapables", http.StatusOK,
			[]string{"Verdict : Reste visible", "<code>ok</code>", "Aucune règle déclenchée."}},
		{"Mention", "@Julie Martin", http.StatusOK, []string{"Rien à modérer"}},
		{"Empty", "  ", http.StatusUnprocessableEntity, []string{"Écrivez un commentaire."}},
		{"TooLong", strings.Repeat("a", 5001), http.StatusUnprocessableEntity, []string{"Commentaire trop long"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.post("/console/moderation/test", url.Values{"text": {tc.text}})
			wantStatus(t, "POST moderation/test", r, tc.status)
			wantBody(t, "test", r, tc.want...)
			if tc.status == http.StatusOK && !strings.Contains(r.body, html.EscapeString(tc.text)+"</textarea>") {
				t.Errorf("the comment tried is not kept in the form")
			}
		})
	}
	wantStatus(t, "test with a wrong token",
		alice.post("/console/moderation/test", url.Values{"csrf": {"x"}, "text": {"je vais vous tuer"}}), http.StatusForbidden)
}

func TestModerationWithoutCheck(t *testing.T) {
	f := mustModerationFixture(t, rulesOnly{mustFakeRules(t, []byte(smallRules))})
	alice := f.login(t, "alice")
	r := alice.get("/console/moderation")
	wantStatus(t, "GET moderation", r, http.StatusOK)
	wantBody(t, "rules without Check", r, "argent facile")
	if strings.Contains(r.body, "Tester un commentaire") {
		t.Error("the test form is offered although the rules cannot check a comment")
	}
	wantStatus(t, "POST moderation/test", alice.post("/console/moderation/test", url.Values{"text": {"argent facile"}}), http.StatusNotFound)
}

func TestModerationOff(t *testing.T) {
	f := MustFixture(t) // no Moderation
	alice, eddie := f.login(t, "alice"), f.login(t, "eddie")
	r := alice.get("/console/moderation")
	wantStatus(t, "GET moderation when off", r, http.StatusOK)
	wantBody(t, "moderation off", r, "La modération des commentaires n'est pas activée")
	r = eddie.get("/console/moderation")
	if strings.Contains(r.body, `name="rules"`) || strings.Contains(r.body, "Tester un commentaire") {
		t.Error("forms are offered when moderation is off")
	}
	r = eddie.post("/console/moderation", url.Values{"rules": {smallRules}})
	wantStatus(t, "POST moderation when off", r, http.StatusNotFound)
	wantBody(t, "POST moderation when off", r, "pas activée")
	wantStatus(t, "POST moderation/test when off",
		alice.post("/console/moderation/test", url.Values{"text": {"je vais vous tuer"}}), http.StatusNotFound)
	wantStatus(t, "agent POST moderation when off", alice.post("/console/moderation", url.Values{"rules": {smallRules}}), http.StatusForbidden)
}
