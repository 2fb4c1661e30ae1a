package console_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	"pagebot"
	"pagebot/bot"
	"pagebot/console"
	"pagebot/kb"
	"pagebot/sqlite"
)

func init() {
	sqlite.BcryptCost = bcrypt.MinCost // tests check behaviour, not bcrypt's slowness
}

const password = "mot de passe solide"

// testFAQ is a small FAQ, enough for searches and decisions.
func testFAQ() *kb.FAQ {
	return &kb.FAQ{Organism: "caf", Reviewed: "2026-11-27", Entries: []kb.Entry{
		{ID: "apl-date-versement", Question: "À quelle date l'aide personnalisée au logement (APL) est-elle versée ?",
			Variants: []string{"jour de paiement des APL"}, Answer: "L'APL est versée vers le 5 de chaque mois.",
			Links: []string{"https://www.caf.fr/allocataires/aides-et-demarches"}, Tags: []string{"logement", "date"}},
		{ID: "rsa-demande", Question: "Comment demander le revenu de solidarité active (RSA) ?",
			Answer: "La demande de RSA se fait en ligne sur caf.fr.", Tags: []string{"rsa", "demarche"}},
		{ID: "attestation-paiement", Question: "Comment obtenir une attestation de paiement ?",
			Answer: "L'attestation se télécharge dans Mon Compte.", Tags: []string{"attestation"}},
	}}
}

// fakeMasker masks French mobile numbers, as the pii package would.
type fakeMasker struct{}

var phoneRe = regexp.MustCompile(`0[67](\s?\d{2}){4}`)

func (fakeMasker) Mask(text string) (string, []string) {
	if !phoneRe.MatchString(text) {
		return text, nil
	}
	return phoneRe.ReplaceAllString(text, "[numéro de téléphone masqué]"), []string{"phone"}
}

// fakeSaver records the FAQs saved, or fails with err.
type fakeSaver struct {
	mu    sync.Mutex
	saved []*kb.FAQ
	err   error
}

func (s *fakeSaver) SaveFAQ(f *kb.FAQ) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.saved = append(s.saved, f)
	return nil
}

func (s *fakeSaver) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *fakeSaver) last() *kb.FAQ {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.saved) == 0 {
		return nil
	}
	return s.saved[len(s.saved)-1]
}

// clock is a settable time for the login limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a console on an in-memory store and a small index, served by
// an httptest server, with three users: alice (agent), eddie (editor) and
// ada (admin).
type fixture struct {
	srv   *httptest.Server
	db    *sqlite.DB
	index *kb.Index
	saver *fakeSaver
	clock *clock
}

func MustFixture(tb testing.TB) *fixture {
	tb.Helper()
	return mustFixture(tb, nil)
}

// mustFixture is MustFixture with failed logins counted in lf when not nil
// (a store shared by replicas).
func mustFixture(tb testing.TB, lf console.LoginFailures) *fixture {
	tb.Helper()
	ctx := context.Background()
	db := sqlite.New(":memory:")
	if err := db.Open(); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	for name, role := range map[string]string{"alice": "agent", "eddie": "editor", "ada": "admin"} {
		if _, err := db.CreateUser(ctx, name, role, password); err != nil {
			tb.Fatalf("CreateUser(%s): %v", name, err)
		}
	}
	idx, err := kb.Open("", testFAQ(), nil)
	if err != nil {
		tb.Fatalf("open index: %v", err)
	}
	tb.Cleanup(func() { idx.Close() })
	eng, err := bot.New(idx, nil, fakeMasker{}, bot.DefaultConfig())
	if err != nil {
		tb.Fatalf("new engine: %v", err)
	}
	f := &fixture{db: db, index: idx, saver: &fakeSaver{}, clock: &clock{now: time.Now()}}
	h, err := console.New(console.Config{ClientIPHeader: "X-Real-IP", Now: f.clock.Now},
		console.Deps{Store: db, Sessions: db.Sessions(), Index: idx, Saver: f.saver, Decider: eng, Log: testLogger(tb), LoginFailures: lf})
	if err != nil {
		tb.Fatalf("console.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix+"/", h)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

// client is a browser: cookies, no automatic redirects, and the last CSRF
// token seen in a page.
type client struct {
	tb   testing.TB
	f    *fixture
	http *http.Client
	csrf string
	// header is added to every request.
	header http.Header
}

func (f *fixture) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, f: f, header: http.Header{}, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is what a request gave.
type response struct {
	status   int
	body     string
	location string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) response {
	c.tb.Helper()
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("read body: %v", err)
	}
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location")}
}

func (c *client) get(path string) response {
	c.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	return c.do(req)
}

// post sends a form with the client's CSRF token unless form sets one.
func (c *client) post(path string, form url.Values) response {
	c.tb.Helper()
	form = cloneValues(form)
	if !form.Has("csrf") {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login returns a client logged in as name.
func (f *fixture) login(tb testing.TB, name string) *client {
	tb.Helper()
	c := f.client(tb)
	c.get("/console/login")
	if r := c.post("/console/login", url.Values{"name": {name}, "password": {password}}); r.status != http.StatusSeeOther {
		tb.Fatalf("login %s: status %d, want 303\n%s", name, r.status, r.body)
	}
	c.get("/console/") // picks up the new session's CSRF token
	return c
}

func wantStatus(tb testing.TB, what string, r response, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, r.body)
	}
}

func wantBody(tb testing.TB, what string, r response, parts ...string) {
	tb.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			tb.Errorf("%s: page does not contain %q\n%s", what, p, r.body)
		}
	}
}

// audited reports whether the audit trail has an entry by actor for action
// on subject.
func (f *fixture) audited(tb testing.TB, actor, action, subject string) bool {
	tb.Helper()
	entries, err := f.db.Audit(context.Background(), 0)
	if err != nil {
		tb.Fatalf("Audit: %v", err)
	}
	for _, e := range entries {
		if e.Actor == actor && e.Action == action && e.Subject == subject {
			return true
		}
	}
	return false
}

// mustOpenCase stores an event and its escalation.
func (f *fixture) mustOpenCase(tb testing.TB, key, name, text string) int64 {
	tb.Helper()
	ctx := context.Background()
	evs, err := f.db.SaveEvents(ctx, []pagebot.Event{{Key: key, PageID: "page", Kind: pagebot.EventMessage,
		Channel: pagebot.ChannelMessage, ObjectID: key, SenderID: "psid-" + key, SenderName: name, Text: text}})
	if err != nil || len(evs) != 1 {
		tb.Fatalf("SaveEvents: %v (%d saved)", err, len(evs))
	}
	c := &pagebot.Case{EventID: evs[0].ID, Channel: pagebot.ChannelMessage, SenderID: "psid-" + key, SenderName: name,
		Text: text, Reason: "situation personnelle", DueAt: time.Now().Add(4 * time.Hour)}
	if err := f.db.OpenCase(ctx, c); err != nil {
		tb.Fatalf("OpenCase: %v", err)
	}
	return c.ID
}

func TestNoSessionRedirectsToLogin(t *testing.T) {
	f := MustFixture(t)
	c := f.client(t)
	tests := []struct {
		method, path string
		want         string
	}{
		{"GET", "/console/", "/console/login?next=%2Fconsole%2F"},
		{"GET", "/console/faq?q=apl", "/console/login?next=%2Fconsole%2Ffaq%3Fq%3Dapl"},
		{"GET", "/console/faq/new", "/console/login?next=%2Fconsole%2Ffaq%2Fnew"},
		{"GET", "/console/faq/rsa-demande/edit", "/console/login?next=%2Fconsole%2Ffaq%2Frsa-demande%2Fedit"},
		{"GET", "/console/try", "/console/login?next=%2Fconsole%2Ftry"},
		{"GET", "/console/cases", "/console/login?next=%2Fconsole%2Fcases"},
		{"GET", "/console/users", "/console/login?next=%2Fconsole%2Fusers"},
		{"POST", "/console/faq/new", "/console/login"},
		{"POST", "/console/faq/rsa-demande/edit", "/console/login"},
		{"POST", "/console/faq/rsa-demande/delete", "/console/login"},
		{"POST", "/console/try", "/console/login"},
		{"POST", "/console/cases/1/assign", "/console/login"},
		{"POST", "/console/cases/1/close", "/console/login"},
		{"POST", "/console/users/alice/disable", "/console/login"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var r response
			if tc.method == "GET" {
				r = c.get(tc.path)
			} else {
				r = c.post(tc.path, nil)
			}
			if r.status != http.StatusSeeOther || r.location != tc.want {
				t.Errorf("%s %s = %d to %q, want 303 to %q", tc.method, tc.path, r.status, r.location, tc.want)
			}
		})
	}
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("an anonymous POST deleted an entry")
	}
}

func TestStaticNeedsNoSession(t *testing.T) {
	f := MustFixture(t)
	r := f.client(t).get("/console/static/console.css")
	wantStatus(t, "GET console.css", r, http.StatusOK)
	wantBody(t, "console.css", r, "focus-visible")
}

func TestLogin(t *testing.T) {
	f := MustFixture(t)
	c := f.client(t)
	r := c.get("/console/login?next=%2Fconsole%2Fcases")
	wantStatus(t, "GET login", r, http.StatusOK)
	wantBody(t, "login page", r, `<label for="name">`, `<label for="password">`, `lang="fr"`)

	r = c.post("/console/login", url.Values{"name": {"alice"}, "password": {"mauvais mot de passe"}, "next": {"/console/cases"}})
	wantStatus(t, "wrong password", r, http.StatusUnauthorized)
	wantBody(t, "wrong password", r, "Nom d&#39;utilisateur ou mot de passe incorrect.")

	r = c.post("/console/login", url.Values{"name": {"Alice "}, "password": {password}, "next": {"/console/cases"}})
	if r.status != http.StatusSeeOther || r.location != "/console/cases" {
		t.Fatalf("login = %d to %q, want 303 to /console/cases", r.status, r.location)
	}
	r = c.get("/console/cases")
	wantStatus(t, "cases after login", r, http.StatusOK)
	wantBody(t, "cases after login", r, "alice")
	if !f.audited(t, "alice", "user.login", "user:alice") {
		t.Error("login not audited")
	}

	// Logout ends the session.
	r = c.post("/console/logout", nil)
	if r.status != http.StatusSeeOther || r.location != "/console/login" {
		t.Fatalf("logout = %d to %q, want 303 to /console/login", r.status, r.location)
	}
	if r = c.get("/console/"); r.status != http.StatusSeeOther {
		t.Errorf("GET / after logout = %d, want 303 to login", r.status)
	}
}

func TestLoginNextStaysInConsole(t *testing.T) {
	f := MustFixture(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/console/", "/console/../x", "/console/login"} {
		c := f.client(t)
		c.get("/console/login")
		r := c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}, "next": {next}})
		if r.status != http.StatusSeeOther || r.location != "/console/" {
			t.Errorf("login with next=%q = %d to %q, want 303 to /console/", next, r.status, r.location)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	bad := url.Values{"password": {"mauvais mot de passe"}}
	t.Run("PerName", func(t *testing.T) {
		f := MustFixture(t)
		c := f.client(t)
		c.get("/console/login")
		for i := range 5 {
			c.header.Set("X-Real-IP", "192.0.2."+string(rune('1'+i))) // a new address each time
			bad.Set("name", "alice")
			wantStatus(t, "failure", c.post("/console/login", bad), http.StatusUnauthorized)
		}
		c.header.Set("X-Real-IP", "198.51.100.7")
		r := c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}})
		wantStatus(t, "right password after 5 failures", r, http.StatusTooManyRequests)
		wantBody(t, "blocked", r, "Trop de tentatives")
		// Another name from the same address is not blocked.
		wantStatus(t, "eddie", c.post("/console/login", url.Values{"name": {"eddie"}, "password": {password}}), http.StatusSeeOther)

		f.clock.Add(15 * time.Minute)
		c = f.client(t)
		c.get("/console/login")
		wantStatus(t, "alice after the window", c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}}), http.StatusSeeOther)
	})
	t.Run("PerAddress", func(t *testing.T) {
		f := MustFixture(t)
		c := f.client(t)
		c.get("/console/login")
		c.header.Set("X-Real-IP", "203.0.113.9")
		for _, name := range []string{"a1", "a2", "a3", "a4", "a5"} {
			bad.Set("name", name)
			wantStatus(t, "failure", c.post("/console/login", bad), http.StatusUnauthorized)
		}
		r := c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}})
		wantStatus(t, "right password from a blocked address", r, http.StatusTooManyRequests)
		c.header.Set("X-Real-IP", "203.0.113.10")
		wantStatus(t, "from another address", c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}}), http.StatusSeeOther)
	})
}

// sharedFailures is a LoginFailures store shared by several consoles, as
// PostgreSQL is by replicas.
type sharedFailures struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

func (s *sharedFailures) LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string][]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]time.Time{}
	for _, k := range keys {
		for _, at := range s.fails[k] {
			if !at.Before(since) {
				out[k] = append(out[k], at)
			}
		}
	}
	return out, nil
}

func (s *sharedFailures) AddLoginFailure(ctx context.Context, keys []string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		s.fails[k] = append(s.fails[k], at)
	}
	return nil
}

func (s *sharedFailures) ClearLoginFailures(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.fails, key)
	return nil
}

// Behind a load balancer, failures on one replica count on the others: five
// failures spread over two consoles block the name on both.
func TestLoginRateLimitShared(t *testing.T) {
	shared := &sharedFailures{fails: map[string][]time.Time{}}
	a, b := mustFixture(t, shared), mustFixture(t, shared)
	bad := url.Values{"name": {"alice"}, "password": {"mauvais mot de passe"}}
	for i := range 5 {
		f := []*fixture{a, b}[i%2]
		c := f.client(t)
		c.get("/console/login")
		c.header.Set("X-Real-IP", "192.0.2."+string(rune('1'+i)))
		wantStatus(t, "failure", c.post("/console/login", bad), http.StatusUnauthorized)
	}
	for name, f := range map[string]*fixture{"A": a, "B": b} {
		c := f.client(t)
		c.get("/console/login")
		c.header.Set("X-Real-IP", "198.51.100.7")
		r := c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}})
		wantStatus(t, "right password on "+name+" after 5 failures spread over A and B", r, http.StatusTooManyRequests)
	}
	a.clock.Add(15 * time.Minute)
	b.clock.Add(15 * time.Minute)
	c := b.client(t)
	c.get("/console/login")
	wantStatus(t, "alice after the window", c.post("/console/login", url.Values{"name": {"alice"}, "password": {password}}), http.StatusSeeOther)
	if got, _ := shared.LoginFailures(context.Background(), []string{"name:alice"}, time.Time{}); len(got) != 0 {
		t.Errorf("failures of alice kept after her login: %v", got)
	}
}

func TestCSRF(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	tests := []struct {
		name, path string
		form       url.Values
	}{
		{"Missing", "/console/try", url.Values{"csrf": {""}, "text": {"apl"}}},
		{"Wrong", "/console/try", url.Values{"csrf": {"pas-le-bon"}, "text": {"apl"}}},
		{"FAQDelete", "/console/faq/rsa-demande/delete", url.Values{"csrf": {"x"}}},
		{"Logout", "/console/logout", url.Values{"csrf": {"x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, "POST "+tc.path, eddie.post(tc.path, tc.form), http.StatusForbidden)
		})
	}
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("a POST without a valid token deleted an entry")
	}
	t.Run("Login", func(t *testing.T) {
		c := f.client(t)
		c.get("/console/login")
		r := c.post("/console/login", url.Values{"csrf": {"x"}, "name": {"alice"}, "password": {password}})
		wantStatus(t, "login with a wrong token", r, http.StatusForbidden)
	})
	t.Run("CrossOrigin", func(t *testing.T) {
		eddie.header.Set("Sec-Fetch-Site", "cross-site")
		defer eddie.header.Del("Sec-Fetch-Site")
		wantStatus(t, "cross-site POST with a valid token", eddie.post("/console/faq/rsa-demande/delete", nil), http.StatusForbidden)
	})
	// The session still works with its token.
	wantStatus(t, "valid POST", eddie.post("/console/try", url.Values{"text": {"apl"}}), http.StatusOK)
}

func TestRoles(t *testing.T) {
	f := MustFixture(t)
	users := map[string]*client{"alice": f.login(t, "alice"), "eddie": f.login(t, "eddie"), "ada": f.login(t, "ada")}
	tests := []struct {
		user, method, path string
		want               int
	}{
		{"alice", "GET", "/console/", http.StatusOK},
		{"alice", "GET", "/console/cases", http.StatusOK},
		{"alice", "GET", "/console/try", http.StatusOK},
		{"alice", "GET", "/console/faq", http.StatusOK},
		{"alice", "GET", "/console/faq/new", http.StatusForbidden},
		{"alice", "POST", "/console/faq/new", http.StatusForbidden},
		{"alice", "GET", "/console/faq/rsa-demande/edit", http.StatusForbidden},
		{"alice", "POST", "/console/faq/rsa-demande/edit", http.StatusForbidden},
		{"alice", "POST", "/console/faq/rsa-demande/delete", http.StatusForbidden},
		{"alice", "GET", "/console/users", http.StatusForbidden},
		{"eddie", "GET", "/console/faq/new", http.StatusOK},
		{"eddie", "GET", "/console/faq/rsa-demande/edit", http.StatusOK},
		{"eddie", "GET", "/console/users", http.StatusForbidden},
		{"eddie", "POST", "/console/users/alice/disable", http.StatusForbidden},
		{"ada", "GET", "/console/users", http.StatusOK},
		{"ada", "GET", "/console/faq/new", http.StatusOK},
		{"ada", "GET", "/console/nulle-part", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.method+" "+tc.path, func(t *testing.T) {
			c := users[tc.user]
			var r response
			if tc.method == "GET" {
				r = c.get(tc.path)
			} else {
				r = c.post(tc.path, url.Values{"question": {"x"}, "answer": {"y"}})
			}
			wantStatus(t, tc.method+" "+tc.path, r, tc.want)
		})
	}
	if _, ok := f.index.FAQ().Entry("rsa-demande"); !ok {
		t.Error("an agent deleted an entry")
	}
	if u, _ := f.db.UserByName(context.Background(), "alice"); u.Disabled {
		t.Error("an editor disabled an account")
	}
}

func TestDashboard(t *testing.T) {
	f := MustFixture(t)
	f.mustOpenCase(t, "m1", "Julie", "Je n'ai rien reçu")
	r := f.login(t, "alice").get("/console/")
	wantStatus(t, "GET /console/", r, http.StatusOK)
	wantBody(t, "dashboard", r, "<strong>1</strong> escalade(s) ouverte(s)", "<strong>3</strong> entrée(s) dans la FAQ")
}

func TestDisabledUserLosesSession(t *testing.T) {
	f := MustFixture(t)
	alice := f.login(t, "alice")
	ada := f.login(t, "ada")
	r := ada.post("/console/users/alice/disable", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("disable alice = %d, want 303\n%s", r.status, r.body)
	}
	if !f.audited(t, "ada", "user.disable", "user:alice") {
		t.Error("disabling not audited")
	}
	if r := alice.get("/console/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/login") {
		t.Errorf("disabled alice GET / = %d to %q, want 303 to login", r.status, r.location)
	}
	wantStatus(t, "ada disables herself", ada.post("/console/users/ada/disable", nil), http.StatusBadRequest)
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	f := MustFixture(t)
	alice := f.login(t, "alice")
	if err := f.db.SetPassword(context.Background(), "alice", "un tout nouveau secret"); err != nil {
		t.Fatal(err)
	}
	if r := alice.get("/console/"); r.status != http.StatusSeeOther {
		t.Errorf("GET / after a password change = %d, want 303 to login", r.status)
	}
}

func TestSaverFailureUndoesEdit(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	eddie.get("/console/faq/new")
	f.saver.fail(errors.New("disque plein"))
	r := eddie.post("/console/faq/new", url.Values{"id": {"css-demande"}, "question": {"Comment demander la C2S ?"},
		"answer": {"Sur ameli.fr."}})
	wantStatus(t, "create with a failing saver", r, http.StatusInternalServerError)
	if _, ok := f.index.FAQ().Entry("css-demande"); ok {
		t.Error("the entry stayed in the index although saving failed")
	}
}

// testLogger sends the console's log to the test's.
func testLogger(tb testing.TB) logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(tbWriter{tb})
	return l
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
