package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"pagebot"
)

// role orders the console's roles: each can do what the one below does.
type role int

const (
	roleNone role = iota
	// roleAgent works the queue of escalations and tries questions.
	roleAgent
	// roleEditor also edits the FAQ.
	roleEditor
	// roleAdmin also manages accounts.
	roleAdmin
)

func parseRole(s string) role {
	switch s {
	case "agent":
		return roleAgent
	case "editor":
		return roleEditor
	case "admin":
		return roleAdmin
	}
	return roleNone
}

// Session keys.
const (
	keyUser    = "user"
	keyLoginAt = "login_at" // Unix µs: gob needs no registration for it
	keyCSRF    = "csrf"
)

type userKey struct{}

// currentUser returns the logged-in user of a request (zero if none).
func currentUser(r *http.Request) User {
	u, _ := r.Context().Value(userKey{}).(User)
	return u
}

func contextWithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// need lets the request through to next if its session belongs to an
// enabled user with at least role min, and, for an unsafe method, if it
// carries the session's CSRF token. Without a session it sends the browser
// to the login page.
func (h *handler) need(min role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		name := h.sessions.GetString(ctx, keyUser)
		if name == "" {
			h.toLogin(w, r)
			return
		}
		u, err := h.store.UserByName(ctx, name)
		if pagebot.ErrorCode(err) == pagebot.ENOTFOUND || err == nil &&
			(u.Disabled || h.sessions.GetInt64(ctx, keyLoginAt) < u.PasswordChangedAt.UnixMicro()) {
			// Account gone, disabled, or password changed since login.
			if err := h.sessions.Destroy(ctx); err != nil {
				h.serverError(w, r, err)
				return
			}
			h.toLogin(w, r)
			return
		} else if err != nil {
			h.serverError(w, r, err)
			return
		}
		r = r.WithContext(contextWithUser(ctx, u))
		if !safeMethod(r.Method) && !h.validCSRF(r) {
			h.renderError(w, r, http.StatusForbidden, "Formulaire expiré ou invalide : rechargez la page et recommencez.")
			return
		}
		if parseRole(u.Role) < min {
			h.renderError(w, r, http.StatusForbidden, "Votre rôle ne donne pas accès à cette page.")
			return
		}
		next(w, r)
	}
}

// csrf checks the CSRF token of a request that needs no login (the login
// form itself, logout).
func (h *handler) csrf(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.validCSRF(r) {
			h.renderError(w, r, http.StatusForbidden, "Formulaire expiré ou invalide : rechargez la page et recommencez.")
			return
		}
		next(w, r)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// maxFormBytes bounds a form: the longest is a FAQ entry.
const maxFormBytes = 64 << 10

// validCSRF reports whether the request's form carries the session's token.
func (h *handler) validCSRF(r *http.Request) bool {
	want := h.sessions.GetString(r.Context(), keyCSRF)
	if want == "" {
		return false
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	got := r.PostFormValue("csrf")
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// csrfToken returns the session's CSRF token, creating it if needed.
func (h *handler) csrfToken(r *http.Request) string {
	t := h.sessions.GetString(r.Context(), keyCSRF)
	if t == "" {
		t = rand.Text()
		h.sessions.Put(r.Context(), keyCSRF, t)
	}
	return t
}

// toLogin sends the browser to the login page, to come back to the page it
// asked for after logging in.
func (h *handler) toLogin(w http.ResponseWriter, r *http.Request) {
	target := Prefix + "/login"
	if safeMethod(r.Method) {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next if it is a console page, else the dashboard: the
// login form must not redirect anywhere else.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix+"/") && !strings.HasPrefix(next, Prefix+"/login") &&
		!strings.Contains(next, "//") && !strings.Contains(next, `\`) && !strings.Contains(next, "..") {
		return next
	}
	return Prefix + "/"
}

// clientIP returns the address failed logins are counted against.
func (h *handler) clientIP(r *http.Request) string {
	if h.cfg.ClientIPHeader != "" {
		if v := strings.TrimSpace(r.Header.Get(h.cfg.ClientIPHeader)); v != "" {
			// X-Forwarded-For lists hops; the proxy appends the last.
			if i := strings.LastIndexByte(v, ','); i >= 0 {
				v = strings.TrimSpace(v[i+1:])
			}
			return v
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LoginFailures keeps failed logins where every replica sees them
// (*postgres.DB): without it each process counts its own, and N replicas
// would let an attacker try N times as many passwords.
type LoginFailures interface {
	// LoginFailures returns, for each key that has some, the times of its
	// failures at or after since, oldest first.
	LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string][]time.Time, error)
	// AddLoginFailure records a failure at at for each key.
	AddLoginFailure(ctx context.Context, keys []string, at time.Time) error
	// ClearLoginFailures forgets the failures of key.
	ClearLoginFailures(ctx context.Context, key string) error
}

// limiter counts failed logins per key (an address, a user name) and
// blocks a key that failed max times within window: in memory, or in a
// shared store when one is given.
type limiter struct {
	max    int
	window time.Duration
	shared LoginFailures // nil: in memory
	mu     sync.Mutex
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration, shared LoginFailures) *limiter {
	return &limiter{max: max, window: window, shared: shared, fails: map[string][]time.Time{}}
}

// recent drops the failures of key older than the window; the caller holds mu.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}

// blocked reports whether any key is blocked at now, and for how long.
func (l *limiter) blocked(ctx context.Context, now time.Time, keys ...string) (bool, time.Duration, error) {
	recent := map[string][]time.Time{}
	if l.shared != nil {
		var err error
		// A failure exactly window old no longer counts, as in memory.
		if recent, err = l.shared.LoginFailures(ctx, keys, now.Add(-l.window).Add(time.Microsecond)); err != nil {
			return false, 0, fmt.Errorf("login failures: %w", err)
		}
	} else {
		l.mu.Lock()
		for _, k := range keys {
			recent[k] = l.recent(k, now)
		}
		l.mu.Unlock()
	}
	var wait time.Duration
	for _, k := range keys {
		if ts := recent[k]; len(ts) >= l.max {
			wait = max(wait, ts[len(ts)-l.max].Add(l.window).Sub(now))
		}
	}
	return wait > 0, wait, nil
}

// fail records a failure for each key.
func (l *limiter) fail(ctx context.Context, now time.Time, keys ...string) error {
	if l.shared != nil {
		if err := l.shared.AddLoginFailure(ctx, keys, now); err != nil {
			return fmt.Errorf("login failure: %w", err)
		}
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 10000 {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
	return nil
}

// reset forgets the failures of key.
func (l *limiter) reset(ctx context.Context, key string) error {
	if l.shared != nil {
		if err := l.shared.ClearLoginFailures(ctx, key); err != nil {
			return fmt.Errorf("login failures: %w", err)
		}
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
	return nil
}
