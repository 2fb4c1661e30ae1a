// Package console is pagebot's staff console, mounted at /console/: the
// agents' queue of escalations and the "try a question" page, the editors'
// FAQ pages and the administrators' account list. It is server-rendered in
// French with html/template; its templates and assets are embedded, so the
// binary is all there is to deploy.
//
// Every page needs a session opened with a name and a password (bcrypt,
// rate-limited per address and per name), every unsafe request carries the
// session's CSRF token and passes net/http's cross-origin protection, and
// every change is written to the audit trail.
package console

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/bot"
	"pagebot/kb"
)

// Prefix is the path the console is mounted at.
const Prefix = "/console"

// Config tunes the console.
type Config struct {
	// SecureCookie marks the session cookie Secure: set it whenever the
	// console is reached over https (directly or behind a proxy).
	SecureCookie bool
	// SessionLifetime ends a session this long after login (12 h when 0);
	// IdleTimeout ends it after this long without a request (2 h when 0).
	SessionLifetime time.Duration
	IdleTimeout     time.Duration
	// LoginFailures failed logins within LoginWindow block further tries
	// from the same address, or for the same name, until the window has
	// passed (5 in 15 minutes when 0).
	LoginFailures int
	LoginWindow   time.Duration
	// ClientIPHeader, when set (for example "X-Real-IP"), is the header a
	// trusted reverse proxy puts the client's address in; otherwise the
	// connection's address is used. Leave it empty when there is no proxy:
	// clients could set it themselves.
	ClientIPHeader string
	// TrustedOrigins are origins ("https://console.example.fr") allowed to
	// send unsafe requests besides the console's own.
	TrustedOrigins []string
	// Location is the time zone of dates shown to staff (Europe/Paris when
	// nil and available).
	Location *time.Location
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// FAQIndex is the live FAQ: *kb.Index. Put and Delete make a change
// searchable at once.
type FAQIndex interface {
	FAQ() *kb.FAQ
	Put(e kb.Entry) error
	Delete(id string) error
	// Replace swaps in a whole new FAQ (an import).
	Replace(faq *kb.FAQ) error
	Search(text string, k int) (*kb.Result, error)
}

// FAQSaver persists the FAQ after an edit, so that it survives a restart.
type FAQSaver interface {
	SaveFAQ(*kb.FAQ) error
}

// Decider decides on a message: *bot.Engine.
type Decider interface {
	Decide(in bot.Input) (bot.Decision, error)
}

// User is pagebot.User.
type User = pagebot.User

// Stats counts the work waiting; identical to sqlite.Stats.
type Stats = pagebot.Stats

// Store is what the console asks of the database.
type Store interface {
	// CheckPassword returns the enabled user with this name and password;
	// EUNAUTHORIZED otherwise.
	CheckPassword(ctx context.Context, name, password string) (User, error)
	// UserByName returns a user; ENOTFOUND.
	UserByName(ctx context.Context, name string) (User, error)
	// Users lists every user.
	Users(ctx context.Context) ([]User, error)
	// DisableUser disables or enables a user; ENOTFOUND.
	DisableUser(ctx context.Context, name string, disabled bool) error

	// Cases lists cases in a status, open ones most urgent first.
	Cases(ctx context.Context, status pagebot.CaseStatus, limit int) ([]pagebot.Case, error)
	// AssignCase gives an open case to a user; ENOTFOUND, ECONFLICT.
	AssignCase(ctx context.Context, id int64, user string) error
	// CloseCase closes an open case and audits it; ENOTFOUND, ECONFLICT.
	CloseCase(ctx context.Context, id int64, actor, note string) error
	// Case returns one case; ENOTFOUND.
	Case(ctx context.Context, id int64) (*pagebot.Case, error)
	// Event returns one stored event; ENOTFOUND.
	Event(ctx context.Context, id int64) (*pagebot.Event, error)
	// Decision returns the engine's decision on an event; ENOTFOUND when
	// there is none.
	Decision(ctx context.Context, eventID int64) (*pagebot.Decision, error)

	// AddAction queues a pending Graph action for an event; EINVALID,
	// ENOTFOUND.
	AddAction(ctx context.Context, a pagebot.OutboxAction) (pagebot.OutboxAction, error)
	// Actions lists outbox actions, newest first.
	Actions(ctx context.Context, f pagebot.ActionFilter) ([]pagebot.OutboxAction, error)
	// Action returns one outbox action; ENOTFOUND.
	Action(ctx context.Context, id int64) (*pagebot.OutboxAction, error)
	// ApproveDraft makes a draft action pending, with text instead of the
	// proposed one when text is not empty; ENOTFOUND, ECONFLICT.
	ApproveDraft(ctx context.Context, id int64, text string) error
	// RejectDraft ends a draft action unsent; EINVALID, ENOTFOUND,
	// ECONFLICT.
	RejectDraft(ctx context.Context, id int64, actor string) error

	// AddAudit records who changed what.
	AddAudit(ctx context.Context, e pagebot.AuditEntry) error
	// Stats counts the work waiting.
	Stats(ctx context.Context) (Stats, error)
	Report(ctx context.Context, from, to time.Time, loc *time.Location) (Report, error) // activity of the events received in [from, to): dashboard.go
	AddFAQVersion(ctx context.Context, v FAQVersion) (FAQVersion, error)                // records a version of a FAQ entry: faq_history.go
	FAQVersions(ctx context.Context, entryID string) ([]FAQVersion, error)              // an entry's versions, newest first: faq_history.go
}

// Deps are the console's collaborators. All are required but Moderation
// and Log.
type Deps struct {
	Store Store
	// Sessions keeps web sessions: (*sqlite.DB).Sessions().
	Sessions scs.Store
	Index    FAQIndex
	Saver    FAQSaver
	Decider  Decider
	Log      logrus.FieldLogger
	// Moderation, when set, lets staff read, edit and test the moderation
	// rules; nil means moderation is off.
	Moderation ModerationRules
	// LoginFailures, when set, counts failed logins in a store every
	// replica shares; nil counts them in memory.
	LoginFailures LoginFailures
}

// handler serves the console; its methods are the pages, one file each.
type handler struct {
	cfg      Config
	store    Store
	index    FAQIndex
	saver    FAQSaver
	decider  Decider
	log      logrus.FieldLogger
	sessions *scs.SessionManager
	views    *views
	limiter  *limiter
	// faqEdits serialises the console's FAQ changes: check, put, save.
	faqEdits chan struct{}
	// moderation is nil when moderation is off (moderation.go).
	moderation *moderationRules
}

// New returns the console handler, to mount at Prefix+"/". It fails if a
// dependency is missing or a template does not parse.
func New(cfg Config, d Deps) (http.Handler, error) {
	if d.Store == nil || d.Sessions == nil || d.Index == nil || d.Saver == nil || d.Decider == nil {
		return nil, errors.New("new console: store, sessions, index, saver and decider are required")
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Hour
	}
	if cfg.LoginFailures <= 0 {
		cfg.LoginFailures = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
		if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
			cfg.Location = loc
		}
	}
	if d.Log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		d.Log = l
	}
	v, err := parseViews(cfg.Location)
	if err != nil {
		return nil, err
	}

	// scs.New also starts the cleanup goroutine of a memory store that
	// goes unused here; its StopCleanup races with the goroutine's start
	// (scs v2.9.0), so that one idle goroutine is left to run.
	sm := scs.New()
	sm.Store = d.Sessions
	sm.HashTokenInStore = true
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.IdleTimeout
	sm.Cookie.Name = "pagebot_console"
	sm.Cookie.Path = Prefix + "/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookie
	sm.Cookie.Persist = false // a browser session: closing the browser logs out

	h := &handler{
		cfg: cfg, store: d.Store, index: d.Index, saver: d.Saver, decider: d.Decider, log: d.Log,
		sessions: sm, views: v, limiter: newLimiter(cfg.LoginFailures, cfg.LoginWindow, d.LoginFailures),
		faqEdits: faqLock(d.Index), // shared with the API on the same index (api.go)
	}
	h.moderation = newModerationRules(d.Moderation)
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.serverError(w, r, err)
	}

	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, errors.Join(errors.New("new console: trusted origin"), err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusForbidden, "Requête refusée : elle ne vient pas de la console.")
	}))
	return securityHeaders(cop.Handler(sm.LoadAndSave(h.routes()))), nil
}

// routes registers every page with the role it needs.
func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix+"/static/", staticHandler())
	mux.HandleFunc("GET "+Prefix+"/login", h.loginForm)
	mux.HandleFunc("POST "+Prefix+"/login", h.csrf(h.login))
	mux.HandleFunc("POST "+Prefix+"/logout", h.csrf(h.logout))

	mux.HandleFunc("GET "+Prefix+"/{$}", h.need(roleAgent, h.dashboard))
	mux.HandleFunc("GET "+Prefix+"/try", h.need(roleAgent, h.tryForm))
	mux.HandleFunc("POST "+Prefix+"/try", h.need(roleAgent, h.try))
	mux.HandleFunc("GET "+Prefix+"/cases", h.need(roleAgent, h.cases))
	mux.HandleFunc("POST "+Prefix+"/cases/{id}/assign", h.need(roleAgent, h.assignCase))
	mux.HandleFunc("POST "+Prefix+"/cases/{id}/close", h.need(roleAgent, h.closeCase))
	mux.HandleFunc("POST "+Prefix+"/cases/{id}/unhide", h.need(roleAgent, h.unhideComment))
	mux.HandleFunc("POST "+Prefix+"/cases/{id}/confirm-hide", h.need(roleAgent, h.confirmHide))
	mux.HandleFunc("POST "+Prefix+"/cases/{id}/reply", h.need(roleAgent, h.replyCase))
	mux.HandleFunc("GET "+Prefix+"/drafts", h.need(roleAgent, h.drafts))
	mux.HandleFunc("POST "+Prefix+"/drafts/{id}/approve", h.need(roleAgent, h.approveDraft))
	mux.HandleFunc("POST "+Prefix+"/drafts/{id}/edit", h.need(roleAgent, h.editDraft))
	mux.HandleFunc("POST "+Prefix+"/drafts/{id}/reject", h.need(roleAgent, h.rejectDraft))

	mux.HandleFunc("GET "+Prefix+"/faq", h.need(roleAgent, h.faqList))
	mux.HandleFunc("GET "+Prefix+"/faq/new", h.need(roleEditor, h.faqNew))
	mux.HandleFunc("POST "+Prefix+"/faq/new", h.need(roleEditor, h.faqCreate))
	mux.HandleFunc("GET "+Prefix+"/faq/{id}/edit", h.need(roleEditor, h.faqEdit))
	mux.HandleFunc("POST "+Prefix+"/faq/{id}/edit", h.need(roleEditor, h.faqUpdate))
	mux.HandleFunc("POST "+Prefix+"/faq/{id}/delete", h.need(roleEditor, h.faqDelete))
	mux.HandleFunc("GET "+Prefix+"/faq/{id}/history", h.need(roleEditor, h.faqHistory))
	mux.HandleFunc("GET "+Prefix+"/faq/export", h.need(roleEditor, h.faqExport))
	mux.HandleFunc("GET "+Prefix+"/faq/import", h.need(roleEditor, h.faqImportForm))
	mux.HandleFunc("POST "+Prefix+"/faq/import", h.upload(maxImportBytes, h.need(roleEditor, h.faqImport)))
	mux.HandleFunc("GET "+Prefix+"/learning", h.need(roleEditor, h.learning))
	mux.HandleFunc("GET "+Prefix+"/learning/new", h.need(roleEditor, h.learningNew))
	mux.HandleFunc("POST "+Prefix+"/learning/variant", h.need(roleEditor, h.learningVariant))

	mux.HandleFunc("GET "+Prefix+"/moderation", h.need(roleAgent, h.moderationView))
	mux.HandleFunc("POST "+Prefix+"/moderation", h.need(roleEditor, h.moderationUpdate))
	mux.HandleFunc("POST "+Prefix+"/moderation/test", h.need(roleAgent, h.moderationTry))

	mux.HandleFunc("GET "+Prefix+"/users", h.need(roleAdmin, h.users))
	mux.HandleFunc("POST "+Prefix+"/users/{name}/disable", h.need(roleAdmin, h.disableUser))

	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "Page introuvable.")
	})
	return mux
}

// securityHeaders forbids framing, inline scripts and foreign resources, and
// keeps pages (which show messages from the public) out of caches.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// audit records a change; a failure is logged, not shown, since the change
// itself is done.
func (h *handler) audit(r *http.Request, action, subject, detail string) {
	e := pagebot.AuditEntry{Actor: currentUser(r).Name, Action: action, Subject: subject, Detail: detail}
	if err := h.store.AddAudit(r.Context(), e); err != nil {
		h.log.WithError(err).WithField("action", action).Error("audit")
	}
}
