// Package webhook receives Meta's webhook for the Page: the subscription
// handshake, then signed POSTs of feed comments and Messenger events.
//
// A POST goes through, in this order: a size limit, the X-Hub-Signature-256
// check over the raw bytes, JSON parsing, conversion of every comment and
// message into a pagebot.Event whose text is already masked, and one
// Store.SaveEvents call for the whole POST. Meta gets its 200 only after that
// call returned: an event Meta believes delivered is always stored, and an
// event that could not be stored is delivered again by Meta's retries.
// Processing (deciding, replying) happens later, in the worker.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
)

// DefaultMaxBody is the largest POST body read when Config.MaxBody is not
// set. Meta batches up to 1000 changes in one POST; comments are short, so
// 1 MiB leaves room while bounding what a stranger can make us read.
const DefaultMaxBody int64 = 1 << 20

// Path is where Routes registers the handler.
const Path = "/webhook"

// Store saves the events of one POST durably.
//
// SaveEvents stores, in one transaction, every event whose Key is not known
// yet and returns the ones it stored, with their ID set; an event whose Key
// is already stored is a duplicate delivery and is left out of the result.
// When it returns an error nothing must have been stored: the handler
// answers 500 and Meta delivers the whole POST again.
type Store interface {
	SaveEvents(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error)
}

// Masker replaces personal data in a text. It returns the masked text and
// the kinds of data it masked (e.g. "phone", "iban"); the raw text is never
// stored.
type Masker interface {
	Mask(text string) (masked string, kinds []string)
}

// Config is what the handler needs from the configuration.
type Config struct {
	// AppSecret is the Meta app secret, the HMAC key of X-Hub-Signature-256.
	// Required.
	AppSecret string
	// VerifyToken is the token typed in the app dashboard when subscribing.
	// When empty, every handshake is refused (an empty token would let
	// anyone answer Meta's challenge).
	VerifyToken string
	// PageIDs, when not empty, restricts the events kept to these Pages;
	// entries for other Pages are acknowledged and dropped.
	PageIDs []string
	// MaxBody is the largest body read, in bytes; DefaultMaxBody when zero
	// or negative.
	MaxBody int64
}

// Handler is the http.Handler of the webhook endpoint.
type Handler struct {
	secret  []byte
	verify  [sha256.Size]byte // sha256 of the verify token; see checkToken
	hasTok  bool
	pages   map[string]bool
	maxBody int64
	store   Store
	masker  Masker
	log     logrus.FieldLogger
	notify  func()
	now     func() time.Time
	metrics Metrics
}

// Option changes an optional setting of the Handler.
type Option func(*Handler)

// Metrics counts what the webhook stored; *metrics.Metrics implements it.
type Metrics interface{ EventReceived(kind string) }

// WithMetrics sets the recorder of stored events.
func WithMetrics(m Metrics) Option { return func(h *Handler) { h.metrics = m } }

// WithNotify sets a function called after a POST stored at least one new
// event, so that the worker starts at once instead of at its next poll. It
// runs on the request's goroutine before the 200 is written and must not
// block: a non-blocking send on a channel of capacity 1 is the usual body.
func WithNotify(f func()) Option {
	return func(h *Handler) { h.notify = f }
}

// WithClock sets the clock that gives Event.ReceivedAt (tests).
func WithClock(now func() time.Time) Option {
	return func(h *Handler) { h.now = now }
}

// New returns the webhook handler. It refuses an empty app secret, since
// without it no POST can be authenticated, and a nil store or masker.
func New(cfg Config, store Store, masker Masker, log logrus.FieldLogger, opts ...Option) (*Handler, error) {
	if cfg.AppSecret == "" {
		return nil, errors.New("webhook: app secret required")
	}
	if store == nil {
		return nil, errors.New("webhook: store required")
	}
	if masker == nil {
		return nil, errors.New("webhook: masker required")
	}
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	h := &Handler{
		secret:  []byte(cfg.AppSecret),
		verify:  sha256.Sum256([]byte(cfg.VerifyToken)),
		hasTok:  cfg.VerifyToken != "",
		maxBody: cfg.MaxBody,
		store:   store,
		masker:  masker,
		log:     log,
		now:     time.Now,
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	for _, id := range cfg.PageIDs {
		if id = strings.TrimSpace(id); id != "" {
			if h.pages == nil {
				h.pages = make(map[string]bool)
			}
			h.pages[id] = true
		}
	}
	for _, o := range opts {
		o(h)
	}
	return h, nil
}

// Routes registers the handler on mux for GET and POST /webhook.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET "+Path, h)
	mux.Handle("POST "+Path, h)
}

// ServeHTTP answers the handshake (GET) and receives events (POST); it does
// not look at the path, which is the mux's business.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.handshake(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		text(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// handshake answers Meta's subscription check.
func (h *Handler) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	modeOK := q.Get("hub.mode") == "subscribe"
	tokenOK := h.checkToken(q.Get("hub.verify_token"))
	if !modeOK || !tokenOK {
		h.log.WithFields(logrus.Fields{
			"status": http.StatusForbidden, "mode_ok": modeOK, "token_ok": tokenOK,
		}).Warn("webhook: handshake refused")
		text(w, http.StatusForbidden, "forbidden")
		return
	}
	h.log.WithField("status", http.StatusOK).Info("webhook: handshake accepted")
	text(w, http.StatusOK, q.Get("hub.challenge"))
}

// checkToken compares in constant time. Both sides are hashed first so that
// the comparison does not even reveal the token's length.
func (h *Handler) checkToken(got string) bool {
	if !h.hasTok {
		return false
	}
	sum := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(sum[:], h.verify[:]) == 1
}

// receive handles one POST of events.
func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	log := h.log.WithField("content_length", r.ContentLength)

	// 1. Size limit, before anything else: a stranger must not make us read,
	// hash or parse more than MaxBody.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.WithFields(logrus.Fields{"status": http.StatusRequestEntityTooLarge, "max_body": h.maxBody}).
				Warn("webhook: body too large")
			text(w, http.StatusRequestEntityTooLarge, "request entity too large")
			return
		}
		log.WithFields(logrus.Fields{"status": http.StatusBadRequest, "error": err.Error()}).
			Warn("webhook: cannot read body")
		text(w, http.StatusBadRequest, "bad request")
		return
	}
	log = log.WithField("body_len", len(body))

	// 2. Signature over the raw bytes, before parsing.
	if reason := h.checkSignature(r.Header, body); reason != "" {
		log.WithFields(logrus.Fields{"status": http.StatusForbidden, "reason": reason}).
			Warn("webhook: signature refused")
		text(w, http.StatusForbidden, "forbidden")
		return
	}

	// 3. Parse and convert.
	parseStart := h.now()
	res, err := h.parse(body)
	parseDur := h.now().Sub(parseStart)
	if err != nil {
		log.WithFields(logrus.Fields{"status": http.StatusBadRequest, "error": err.Error()}).
			Warn("webhook: malformed payload")
		text(w, http.StatusBadRequest, "bad request")
		return
	}
	log = log.WithFields(logrus.Fields{
		"object":    res.object,
		"entries":   res.entries,
		"received":  len(res.events),
		"ignored":   res.ignored,
		"malformed": res.malformed,
		"foreign":   res.foreign,
		"parse_ms":  ms(parseDur),
	})
	if res.malformed > 0 {
		// Logged on the POST's line below; a warning level makes a change
		// in Meta's payload shapes visible without logging the payload.
		log = log.WithField("malformed_at", res.malformedAt)
	}

	// 4. Store everything in one call; acknowledge only once it is stored.
	var stored []pagebot.Event
	var saveDur time.Duration
	if len(res.events) > 0 {
		now := h.now()
		for i := range res.events {
			res.events[i].ReceivedAt = now
		}
		saveStart := h.now()
		stored, err = h.store.SaveEvents(r.Context(), res.events)
		saveDur = h.now().Sub(saveStart)
		if err != nil {
			log.WithFields(logrus.Fields{
				"status": http.StatusInternalServerError, "save_ms": ms(saveDur),
				"total_ms": ms(h.now().Sub(start)), "error": fmt.Errorf("save events: %w", err).Error(),
			}).Error("webhook: events not stored")
			text(w, http.StatusInternalServerError, "internal error")
			return
		}
	}
	ids := make([]int64, len(stored))
	for i, e := range stored {
		ids[i] = e.ID
	}
	if h.metrics != nil {
		for _, e := range stored {
			h.metrics.EventReceived(string(e.Kind))
		}
	}
	if len(stored) > 0 && h.notify != nil {
		h.notify()
	}
	entry := log.WithFields(logrus.Fields{
		"status":     http.StatusOK,
		"stored":     len(stored),
		"duplicates": len(res.events) + res.batchDups - len(stored),
		"event_ids":  ids,
		"save_ms":    ms(saveDur),
		"total_ms":   ms(h.now().Sub(start)),
	})
	if res.malformed > 0 {
		entry.Warn("webhook: received, some items malformed")
	} else {
		entry.Info("webhook: received")
	}
	text(w, http.StatusOK, "EVENT_RECEIVED")
}

// checkSignature returns "" when X-Hub-Signature-256 is HMAC-SHA256(app
// secret, body), else a short reason for the log.
//
// The legacy X-Hub-Signature (HMAC-SHA1) is never accepted, alone or as a
// fallback: Meta sends both headers on every delivery, so a request carrying
// only the SHA-1 one did not come from Meta as it works today, and accepting
// it would let an attacker pick the weaker of two algorithms (a downgrade)
// for no benefit. HMAC-SHA1 is not known to be broken, but there is no reason
// to depend on it.
func (h *Handler) checkSignature(hdr http.Header, body []byte) string {
	sig := hdr.Get("X-Hub-Signature-256")
	if sig == "" {
		if hdr.Get("X-Hub-Signature") != "" {
			return "sha1 signature only"
		}
		return "missing signature"
	}
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return "malformed signature"
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return "malformed signature"
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "wrong signature"
	}
	return ""
}

// text writes a short plain-text answer. nosniff keeps a browser from
// reading the echoed hub.challenge as HTML.
func text(w http.ResponseWriter, status int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, s)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
