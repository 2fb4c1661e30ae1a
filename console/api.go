package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/bot"
	"pagebot/kb"
)

// APIPrefix is the path the JSON API is mounted at: mount NewAPI's handler
// at APIPrefix+"/".
const APIPrefix = "/api"

// Tokens checks the API's bearer tokens: *sqlite.DB, whose tokens are
// created by `pagebot token create` and stored hashed.
type Tokens interface {
	// APIToken returns the name and role of a valid token; EUNAUTHORIZED
	// for an unknown or revoked one.
	APIToken(ctx context.Context, token string) (name, role string, err error)
}

// api serves the JSON API: the FAQ, the decision engine and the open cases,
// for scripts and other applications of the caisse.
//
// It authenticates every request with an "Authorization: Bearer" token and
// uses no cookie, so it needs no CSRF token: a browser never attaches that
// header on its own to a request another site makes it send, and without
// it every request is refused.
type api struct {
	cfg     Config
	store   Store
	tokens  Tokens
	index   FAQIndex
	saver   FAQSaver
	decider Decider
	log     logrus.FieldLogger
	mux     *http.ServeMux
	// faqEdits is shared with the console built on the same index.
	faqEdits chan struct{}
}

// NewAPI returns the JSON API handler, to mount at APIPrefix+"/" next to the
// console (New) built on the same Deps: FAQ changes are serialised with the
// console's, made live in the index, saved through d.Saver and audited with
// the actor "token:NAME". d.Sessions is not used. It fails if a dependency
// is missing.
func NewAPI(cfg Config, d Deps, tokens Tokens) (http.Handler, error) {
	if d.Store == nil || tokens == nil || d.Index == nil || d.Saver == nil || d.Decider == nil {
		return nil, errors.New("new api: store, tokens, index, saver and decider are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if d.Log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		d.Log = l
	}
	a := &api{cfg: cfg, store: d.Store, tokens: tokens, index: d.Index, saver: d.Saver, decider: d.Decider,
		log: d.Log, mux: http.NewServeMux(), faqEdits: faqLock(d.Index)}
	a.mux.HandleFunc("GET "+APIPrefix+"/faq", a.need(roleAgent, a.faqList))
	a.mux.HandleFunc("POST "+APIPrefix+"/faq", a.need(roleEditor, a.faqCreate))
	a.mux.HandleFunc("GET "+APIPrefix+"/faq/{id}", a.need(roleAgent, a.faqGet))
	a.mux.HandleFunc("PUT "+APIPrefix+"/faq/{id}", a.need(roleEditor, a.faqPut))
	a.mux.HandleFunc("DELETE "+APIPrefix+"/faq/{id}", a.need(roleEditor, a.faqDelete))
	a.mux.HandleFunc("POST "+APIPrefix+"/ask", a.need(roleAgent, a.ask))
	a.mux.HandleFunc("GET "+APIPrefix+"/cases", a.need(roleAgent, a.cases))
	return a, nil
}

// ServeHTTP routes a request, answering in JSON also when no route matches.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if _, pattern := a.mux.Handler(r); pattern != "" {
		a.mux.ServeHTTP(w, r)
		return
	}
	// No route: let the mux say whether it is 404 or 405 (and which
	// methods are allowed), then say it in JSON.
	rec := &statusRecorder{header: http.Header{}}
	a.mux.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", rec.header.Get("Allow"))
		a.error(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("Méthode %s non acceptée pour %s.", r.Method, r.URL.Path))
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		a.mux.ServeHTTP(w, r) // a cleaned path
	default:
		a.error(w, r, http.StatusNotFound, "Adresse inconnue dans l'API.")
	}
}

// statusRecorder keeps the status and headers of a response it discards.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

type actorKey struct{}

// actor returns who makes the request: "token:NAME".
func actor(r *http.Request) string {
	s, _ := r.Context().Value(actorKey{}).(string)
	return s
}

// need lets the request through to next if it carries a valid bearer token
// whose role is at least min: 401 without a valid token, 403 with too low a
// role.
func (a *api) need(min role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pagebot"`)
			a.error(w, r, http.StatusUnauthorized, "Jeton d'accès manquant : envoyez l'en-tête « Authorization: Bearer <jeton> » (jeton créé par « pagebot token create »).")
			return
		}
		name, roleName, err := a.tokens.APIToken(r.Context(), token)
		if pagebot.ErrorCode(err) == pagebot.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pagebot", error="invalid_token"`)
			a.error(w, r, http.StatusUnauthorized, pagebot.ErrorMessage(err))
			return
		} else if err != nil {
			a.serverError(w, r, err)
			return
		}
		if parseRole(roleName) < min {
			a.error(w, r, http.StatusForbidden, fmt.Sprintf("Le rôle de ce jeton (%s) ne permet pas cette opération.", roleName))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, "token:"+name)))
	}
}

// apiError is the body of every error response. Problems lists, for an
// invalid entry, every problem with its field.
type apiError struct {
	Error    string       `json:"error"`
	Problems []kb.Problem `json:"problems,omitempty"`
}

// writeJSON encodes v into a buffer and sends it only if that worked.
func (a *api) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		a.serverError(w, r, fmt.Errorf("encode response: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// error answers with a French message for staff.
func (a *api) error(w http.ResponseWriter, r *http.Request, status int, msg string) {
	a.writeJSON(w, r, status, apiError{Error: msg})
}

// problems answers 422 with every problem of an entry.
func (a *api) problems(w http.ResponseWriter, r *http.Request, ps []kb.Problem) {
	a.writeJSON(w, r, http.StatusUnprocessableEntity,
		apiError{Error: fmt.Sprintf("Entrée refusée : %d problème(s).", len(ps)), Problems: ps})
}

// serverError logs an unexpected error and answers with a generic message.
func (a *api) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.WithError(err).WithFields(logrus.Fields{"method": r.Method, "path": r.URL.Path, "actor": actor(r)}).Error("api")
	a.error(w, r, http.StatusInternalServerError, "Erreur interne. Réessayez ; si elle persiste, prévenez l'administrateur.")
}

// fail answers a staff-facing error with the status of its code, or a
// generic message for an internal error.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, ok := errorStatus[pagebot.ErrorCode(err)]
	if !ok {
		a.serverError(w, r, err)
		return
	}
	a.error(w, r, status, pagebot.ErrorMessage(err))
}

// maxAPIBody bounds a request body: the longest is a FAQ entry.
const maxAPIBody = 64 << 10

// decode reads a JSON body into v, refusing unknown fields and trailing
// data; it answers the request itself and returns false on failure.
func (a *api) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return true
	}
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		msg     = "Corps de requête illisible : un objet JSON est attendu."
	)
	switch {
	case errors.As(err, &tooBig):
		a.error(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("Corps de requête trop long (%d octets au plus).", maxAPIBody))
		return false
	case errors.As(err, &typeErr) && typeErr.Field != "":
		msg = fmt.Sprintf("Corps de requête invalide : type incorrect pour le champ « %s ».", typeErr.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		msg = fmt.Sprintf("Corps de requête invalide : champ inconnu %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	a.error(w, r, http.StatusBadRequest, msg)
	return false
}

// faqLocks hold one FAQ edit lock per live index, shared by the console and
// the API built on it: their check-then-change sequences (is the id free,
// is the entry still there) must not interleave.
var faqLocks = struct {
	sync.Mutex
	m map[FAQIndex]chan struct{}
}{m: map[FAQIndex]chan struct{}{}}

// faqLock returns the edit lock of idx: a channel of capacity one.
func faqLock(idx FAQIndex) chan struct{} {
	if idx == nil || !reflect.TypeOf(idx).Comparable() {
		return make(chan struct{}, 1)
	}
	faqLocks.Lock()
	defer faqLocks.Unlock()
	ch, ok := faqLocks.m[idx]
	if !ok {
		ch = make(chan struct{}, 1)
		faqLocks.m[idx] = ch
	}
	return ch
}

// lockFAQ takes the FAQ edit lock; it gives up with the request.
func (a *api) lockFAQ(r *http.Request) (unlock func(), err error) {
	select {
	case a.faqEdits <- struct{}{}:
		return func() { <-a.faqEdits }, nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

// recordVersion keeps a version of an entry changed through the API, as
// the console does; a failure is logged, since the change is done.
func (a *api) recordVersion(r *http.Request, action string, e kb.Entry) {
	b, err := json.Marshal(e)
	if err == nil {
		_, err = a.store.AddFAQVersion(r.Context(), FAQVersion{EntryID: e.ID, Actor: actor(r), Action: action, Entry: b})
	}
	if err != nil {
		a.log.WithError(err).WithField("entry", e.ID).Error("api faq version")
	}
}

// audit records a change; a failure is logged, since the change is done.
func (a *api) audit(r *http.Request, action, subject, detail string) {
	e := pagebot.AuditEntry{Actor: actor(r), Action: action, Subject: subject, Detail: detail}
	if err := a.store.AddAudit(r.Context(), e); err != nil {
		a.log.WithError(err).WithField("action", action).Error("api audit")
	}
}

// faqList returns the FAQ in service, entries by id: {"organism",
// "reviewed", "entries"}, the shape of a FAQ file.
func (a *api) faqList(w http.ResponseWriter, r *http.Request) {
	faq := a.index.FAQ()
	if faq.Entries == nil {
		faq.Entries = []kb.Entry{}
	}
	slices.SortFunc(faq.Entries, func(x, y kb.Entry) int { return strings.Compare(x.ID, y.ID) })
	a.writeJSON(w, r, http.StatusOK, faq)
}

// etag is the entity tag of an entry version.
func etag(e kb.Entry) string { return `"` + entryVersion(e) + `"` }

// faqGet returns one entry, with its version as ETag.
func (a *api) faqGet(w http.ResponseWriter, r *http.Request) {
	e, ok := a.index.FAQ().Entry(r.PathValue("id"))
	if !ok {
		a.error(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ.", r.PathValue("id")))
		return
	}
	w.Header().Set("ETag", etag(e))
	a.writeJSON(w, r, http.StatusOK, e)
}

// readEntry decodes an entry and trims its text fields as the console's
// form does; lists are checked, not cleaned.
func (a *api) readEntry(w http.ResponseWriter, r *http.Request) (kb.Entry, bool) {
	var e kb.Entry
	if !a.decode(w, r, &e) {
		return e, false
	}
	e.ID = strings.TrimSpace(e.ID)
	e.Question = strings.TrimSpace(e.Question)
	e.Answer = strings.TrimSpace(strings.ReplaceAll(e.Answer, "\r\n", "\n"))
	e.Reviewed = strings.TrimSpace(e.Reviewed)
	return e, true
}

// faqCreate adds an entry, checked as a file import would check it: 201
// with the entry, 409 if the id is taken, 422 with every problem.
func (a *api) faqCreate(w http.ResponseWriter, r *http.Request) {
	e, ok := a.readEntry(w, r)
	if !ok {
		return
	}
	unlock, err := a.lockFAQ(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	defer unlock()
	if ps := kb.ValidateEntry(e, 0); len(ps) > 0 {
		a.problems(w, r, ps)
		return
	}
	if _, exists := a.index.FAQ().Entry(e.ID); exists {
		a.writeJSON(w, r, http.StatusConflict, apiError{Error: fmt.Sprintf("L'entrée « %s » existe déjà : modifiez-la avec PUT.", e.ID),
			Problems: []kb.Problem{{ID: e.ID, Field: "id", Message: "identifiant déjà utilisé par une autre entrée"}}})
		return
	}
	if !a.putEntry(w, r, e, func() error { return a.index.Delete(e.ID) }) {
		return
	}
	a.audit(r, "faq.create", "faq:"+e.ID, e.Question)
	a.recordVersion(r, pagebot.FAQCreate, e)
	w.Header().Set("Location", APIPrefix+"/faq/"+e.ID)
	w.Header().Set("ETag", etag(e))
	a.writeJSON(w, r, http.StatusCreated, e)
}

// faqPut replaces an existing entry with the one sent, whole. The id of the
// path is kept (ids are stable: evaluation sets and the audit trail use
// them); an id in the body must be the same. With If-Match, the entry must
// still be the version read (412 otherwise).
func (a *api) faqPut(w http.ResponseWriter, r *http.Request) {
	e, ok := a.readEntry(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if e.ID != "" && e.ID != id {
		a.problems(w, r, []kb.Problem{{ID: id, Field: "id", Message: fmt.Sprintf("l'identifiant ne se change pas (%q dans le corps, %q dans l'adresse)", e.ID, id)}})
		return
	}
	e.ID = id
	unlock, err := a.lockFAQ(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	defer unlock()
	old, ok := a.index.FAQ().Entry(id)
	if !ok {
		a.error(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ : créez-la avec POST %s/faq.", id, APIPrefix))
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && m != etag(old) {
		a.error(w, r, http.StatusPreconditionFailed, fmt.Sprintf("L'entrée « %s » a été modifiée depuis votre lecture : relisez-la.", id))
		return
	}
	if ps := kb.ValidateEntry(e, 0); len(ps) > 0 {
		a.problems(w, r, ps)
		return
	}
	if !a.putEntry(w, r, e, func() error { return a.index.Put(old) }) {
		return
	}
	a.audit(r, "faq.update", "faq:"+id, "champs modifiés : "+strings.Join(changedFields(old, e), ", "))
	a.recordVersion(r, pagebot.FAQUpdate, e)
	w.Header().Set("ETag", etag(e))
	a.writeJSON(w, r, http.StatusOK, e)
}

// putEntry puts e in the index and saves the FAQ; if saving fails, undo
// restores the index. It reports whether all went well, having answered
// the request otherwise.
func (a *api) putEntry(w http.ResponseWriter, r *http.Request, e kb.Entry, undo func() error) bool {
	if err := a.index.Put(e); err != nil {
		var ve *kb.ValidationError
		if errors.As(err, &ve) {
			a.problems(w, r, ve.Problems)
			return false
		}
		a.serverError(w, r, fmt.Errorf("put entry %s: %w", e.ID, err))
		return false
	}
	if err := a.saver.SaveFAQ(a.index.FAQ()); err != nil {
		if uerr := undo(); uerr != nil {
			a.serverError(w, r, errors.Join(fmt.Errorf("save faq: %w", err), fmt.Errorf("undo: %w", uerr)))
		} else {
			// ECONFLICT: changed meanwhile through another replica.
			a.fail(w, r, fmt.Errorf("save faq: %w", err))
		}
		return false
	}
	return true
}

// faqDelete removes an entry: 204, 404 if there is none, 422 if the FAQ
// cannot do without it (the last entry).
func (a *api) faqDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	unlock, err := a.lockFAQ(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	defer unlock()
	old, ok := a.index.FAQ().Entry(id)
	if !ok {
		a.error(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ.", id))
		return
	}
	if err := a.index.Delete(id); err != nil {
		var ve *kb.ValidationError
		if errors.As(err, &ve) {
			a.writeJSON(w, r, http.StatusUnprocessableEntity, apiError{Error: "Suppression impossible.", Problems: ve.Problems})
			return
		}
		a.serverError(w, r, fmt.Errorf("delete entry %s: %w", id, err))
		return
	}
	if err := a.saver.SaveFAQ(a.index.FAQ()); err != nil {
		if uerr := a.index.Put(old); uerr != nil {
			a.serverError(w, r, errors.Join(fmt.Errorf("save faq: %w", err), fmt.Errorf("undo: %w", uerr)))
		} else {
			// ECONFLICT: changed meanwhile through another replica.
			a.fail(w, r, fmt.Errorf("save faq: %w", err))
		}
		return
	}
	a.audit(r, "faq.delete", "faq:"+id, old.Question)
	a.recordVersion(r, pagebot.FAQDelete, old)
	w.WriteHeader(http.StatusNoContent)
}

// AskResponse is the API's answer to POST /api/ask: the object `pagebot ask
// --json` writes for one message, field for field.
type AskResponse struct {
	Action     pagebot.Action `json:"action"`
	FAQID      string         `json:"faq_id"`
	RedirectTo string         `json:"redirect_to"`
	Confidence float64        `json:"confidence"`
	Reply      string         `json:"reply"`
	Private    bool           `json:"private"`
	Hide       bool           `json:"hide"`
	PII        []string       `json:"pii"`
	Masked     string         `json:"masked"`
	Moderation string         `json:"moderation"`
	ModRule    string         `json:"moderation_rule,omitempty"`
}

// NewAskResponse returns the answer for a decision.
func NewAskResponse(d bot.Decision) AskResponse {
	return AskResponse{Action: d.Action, FAQID: d.FAQID, RedirectTo: d.RedirectTo, Confidence: d.Confidence,
		Reply: d.Reply, Private: d.Private, Hide: d.Hide, PII: d.PII, Masked: d.Masked,
		Moderation: d.Moderation, ModRule: d.ModerationRule}
}

// ask decides on {"text", "channel"} as the bot would. Nothing is sent,
// stored or logged: the message may hold personal data.
func (a *api) ask(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text    string `json:"text"`
		Channel string `json:"channel"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	ch, err := pagebot.ParseChannel(in.Channel)
	switch {
	case err != nil:
		a.fail(w, r, err)
		return
	case strings.TrimSpace(in.Text) == "":
		a.error(w, r, http.StatusBadRequest, "Le champ « text » est vide.")
		return
	case len([]rune(in.Text)) > maxTryText:
		a.error(w, r, http.StatusBadRequest, fmt.Sprintf("Message trop long (%d caractères au plus).", maxTryText))
		return
	}
	d, err := a.decider.Decide(bot.Input{Channel: ch, Text: in.Text})
	if err != nil {
		a.serverError(w, r, fmt.Errorf("decide: %w", err))
		return
	}
	a.writeJSON(w, r, http.StatusOK, NewAskResponse(d))
}

// apiCase is an open case as the API lists it: the masked text, and no
// sender id or name, which integrations do not need.
type apiCase struct {
	ID         int64              `json:"id"`
	EventID    int64              `json:"event_id"`
	Channel    pagebot.Channel    `json:"channel"`
	Text       string             `json:"text"`
	Reason     string             `json:"reason"`
	Status     pagebot.CaseStatus `json:"status"`
	AssignedTo string             `json:"assigned_to"`
	CreatedAt  string             `json:"created_at"`
	DueAt      string             `json:"due_at,omitempty"`
	Overdue    bool               `json:"overdue"`
}

// cases lists the open cases, most urgent first (at most maxCases):
// {"cases": [...]}.
func (a *api) cases(w http.ResponseWriter, r *http.Request) {
	cs, err := a.store.Cases(r.Context(), pagebot.CaseOpen, maxCases)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	now := a.cfg.Now()
	out := struct {
		Cases []apiCase `json:"cases"`
	}{Cases: make([]apiCase, len(cs))}
	for i, c := range cs {
		v := apiCase{ID: c.ID, EventID: c.EventID, Channel: c.Channel, Text: c.Text, Reason: c.Reason, Status: c.Status,
			AssignedTo: c.AssignedTo, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339), Overdue: !c.DueAt.IsZero() && now.After(c.DueAt)}
		if !c.DueAt.IsZero() {
			v.DueAt = c.DueAt.UTC().Format(time.RFC3339)
		}
		out.Cases[i] = v
	}
	a.writeJSON(w, r, http.StatusOK, out)
}
