package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"pagebot"
)

// Meta's wire format, kept unexported: only pagebot.Event leaves the package.
// Items are decoded one by one from json.RawMessage so that one item of an
// unexpected shape is skipped (and counted) instead of failing the whole
// POST: a 400 would make Meta redeliver the same batch, good items included,
// for up to 36 hours and then drop it.

type wireEnvelope struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

type wireEntry struct {
	ID        idString          `json:"id"`
	Time      wireTime          `json:"time"`
	Changes   []json.RawMessage `json:"changes"`
	Messaging []json.RawMessage `json:"messaging"`
	Standby   []json.RawMessage `json:"standby"`
}

type wireChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// wireComment is the value of a feed change. Posts, reactions and shares
// have the same envelope and a different item.
type wireComment struct {
	Item        string    `json:"item"`
	Verb        string    `json:"verb"`
	CommentID   idString  `json:"comment_id"`
	PostID      idString  `json:"post_id"`
	ParentID    idString  `json:"parent_id"`
	From        *wireFrom `json:"from"`
	Message     string    `json:"message"`
	CreatedTime wireTime  `json:"created_time"` // seconds
}

type wireFrom struct {
	ID   idString `json:"id"`
	Name string   `json:"name"`
}

type wireMessaging struct {
	Sender    wireFrom      `json:"sender"`
	Recipient wireFrom      `json:"recipient"`
	Timestamp wireTime      `json:"timestamp"` // milliseconds
	Message   *wireMessage  `json:"message"`
	Postback  *wirePostback `json:"postback"`
	// read, delivery, reaction, message_edit, referral, optin,
	// pass_thread_control… are not decoded: those items are ignored.
}

// wireMessage leaves out quick_reply (its payload is ignored, the text is
// kept) and attachments (an attachment-only message keeps an empty Text).
type wireMessage struct {
	MID    idString `json:"mid"`
	Text   string   `json:"text"`
	IsEcho bool     `json:"is_echo"`
	AppID  idString `json:"app_id"` // a number in Meta's echoes
}

type wirePostback struct {
	MID   idString `json:"mid"`
	Title string   `json:"title"`
}

// idString is a Graph id. Ids are strings on the wire, but some (app_id in
// echoes) come as JSON numbers; both are read without losing digits.
type idString string

func (s *idString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = idString(v)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = idString(b)
	default:
		return errors.New("id: want a string or a number")
	}
	return nil
}

// wireTime is a Unix time whose unit (seconds for the feed, milliseconds
// for Messenger) the caller knows. It also accepts a numeric string or an
// ISO 8601 date, and reads anything else as unknown (zero) rather than
// failing the item: a wrong date is no reason to lose a message.
type wireTime struct {
	n int64
	t time.Time
}

func (w *wireTime) UnmarshalJSON(b []byte) error {
	*w = wireTime{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return nil
		}
		for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
			if t, err := time.Parse(layout, s); err == nil {
				w.t = t
				return nil
			}
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		w.n = n
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < math.MaxInt64/2 {
		w.n = int64(f)
	}
	return nil
}

func (w wireTime) known() bool { return !w.t.IsZero() || w.n > 0 }

func (w wireTime) at(milli bool) time.Time {
	switch {
	case !w.t.IsZero():
		return w.t.UTC()
	case w.n <= 0:
		return time.Time{}
	case milli:
		return time.UnixMilli(w.n).UTC()
	}
	return time.Unix(w.n, 0).UTC()
}

// commentKinds maps the feed verbs pagebot keeps; the other verbs (block,
// follow, mute…) are ignored.
var commentKinds = map[string]pagebot.EventKind{
	"add":    pagebot.EventCommentAdd,
	"edited": pagebot.EventCommentEdited,
	"remove": pagebot.EventCommentRemove,
	"hide":   pagebot.EventCommentHide,
	"unhide": pagebot.EventCommentUnhide,
}

// maxMalformedAt bounds the positions of malformed items kept for the log.
const maxMalformedAt = 10

// parsed is what one POST carried.
type parsed struct {
	object  string
	entries int
	events  []pagebot.Event
	// ignored counts items pagebot does not keep (reactions, reads…),
	// malformed those of an unexpected shape, foreign the entries of Pages
	// not in Config.PageIDs, batchDups the events repeated in the POST.
	ignored, malformed, foreign, batchDups int
	malformedAt                            []string
	seen                                   map[string]bool
}

func (p *parsed) bad(format string, args ...any) {
	p.malformed++
	if len(p.malformedAt) < maxMalformedAt {
		p.malformedAt = append(p.malformedAt, fmt.Sprintf(format, args...))
	}
}

func (p *parsed) add(e pagebot.Event) {
	if p.seen[e.Key] {
		p.batchDups++
		return
	}
	p.seen[e.Key] = true
	p.events = append(p.events, e)
}

// parse turns a verified body into events. It fails only when the body is
// not a JSON object envelope; items of an unexpected shape are counted.
func (h *Handler) parse(body []byte) (*parsed, error) {
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("parse payload: %s", describeJSONError(err))
	}
	p := &parsed{object: logSafe(env.Object), entries: len(env.Entry), seen: make(map[string]bool)}
	if env.Object != "page" {
		// Only Page subscriptions are expected. Another object (user,
		// instagram, permissions) means the app was subscribed to more than
		// pagebot handles: answering 400 would only make Meta retry, so it
		// is acknowledged and dropped, and the log says which object.
		p.ignored = len(env.Entry)
		return p, nil
	}
	for i, raw := range env.Entry {
		var e wireEntry
		if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
			p.bad("entry[%d]", i)
			continue
		}
		pageID := string(e.ID)
		if h.pages != nil && !h.pages[pageID] {
			p.foreign++
			continue
		}
		for j, raw := range e.Changes {
			if !h.change(p, pageID, e.Time, raw) {
				p.bad("entry[%d].changes[%d]", i, j)
			}
		}
		for j, raw := range e.Messaging {
			if !h.messaging(p, pageID, e.Time, raw, false) {
				p.bad("entry[%d].messaging[%d]", i, j)
			}
		}
		for j, raw := range e.Standby {
			if !h.messaging(p, pageID, e.Time, raw, true) {
				p.bad("entry[%d].standby[%d]", i, j)
			}
		}
	}
	return p, nil
}

// change converts one feed change: comments only. It returns false when
// the change is a comment of an unexpected shape.
func (h *Handler) change(p *parsed, pageID string, entryTime wireTime, raw json.RawMessage) bool {
	var ch wireChange
	if err := json.Unmarshal(raw, &ch); err != nil {
		return false
	}
	if ch.Field != "feed" {
		p.ignored++
		return true
	}
	var c wireComment
	err := json.Unmarshal(ch.Value, &c)
	if c.Item != "comment" {
		p.ignored++ // posts, reactions, shares, or a value we cannot read
		return true
	}
	kind, ok := commentKinds[c.Verb]
	if !ok {
		p.ignored++
		return true
	}
	if err != nil || c.CommentID == "" {
		return false
	}
	e := pagebot.Event{
		Key:      "comment:" + string(c.CommentID) + ":" + c.Verb,
		PageID:   pageID,
		Kind:     kind,
		Channel:  pagebot.ChannelComment,
		ObjectID: string(c.CommentID),
		PostID:   string(c.PostID),
		ParentID: string(c.ParentID),
	}
	if c.Verb == "edited" {
		// Two different edits are two events, a redelivered edit is one.
		// The MAC is over the decoded text, so it does not depend on how
		// Meta escaped it, and keyed with the app secret, so that the
		// stored key reveals nothing of a text that may hold personal data
		// (a plain hash of a short text with a phone number can be
		// reversed by trying every number).
		mac := hmac.New(sha256.New, h.secret)
		mac.Write([]byte(c.Message))
		e.Key += ":" + hex.EncodeToString(mac.Sum(nil)[:8])
	}
	if c.From != nil {
		e.SenderID = string(c.From.ID)
		e.SenderName = firstWord(c.From.Name)
		e.FromPage = e.SenderID != "" && e.SenderID == pageID
	}
	if c.CreatedTime.known() {
		e.CreatedAt = c.CreatedTime.at(false)
	} else {
		e.CreatedAt = entryTime.at(false)
	}
	h.mask(&e, c.Message)
	p.add(e)
	return true
}

// messaging converts one messaging[] or standby[] item: messages, echoes
// and postbacks; reads, deliveries, reactions and the rest are ignored. It
// returns false when the item has an unexpected shape.
func (h *Handler) messaging(p *parsed, pageID string, entryTime wireTime, raw json.RawMessage, standby bool) bool {
	var m wireMessaging
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	e := pagebot.Event{PageID: pageID, Channel: pagebot.ChannelMessage}
	var prefix, mid, text string
	switch {
	case m.Message != nil && m.Message.IsEcho:
		// Sent by the Page: the user is the recipient.
		prefix, e.Kind = "echo", pagebot.EventEcho
		mid, text = string(m.Message.MID), m.Message.Text
		e.SenderID = string(m.Recipient.ID)
		e.FromPage = true
		e.AppID = string(m.Message.AppID)
	case m.Message != nil:
		prefix, e.Kind = "message", pagebot.EventMessage
		mid, text = string(m.Message.MID), m.Message.Text
		e.SenderID = string(m.Sender.ID)
	case m.Postback != nil:
		prefix, e.Kind = "postback", pagebot.EventPostback
		mid, text = string(m.Postback.MID), m.Postback.Title
		e.SenderID = string(m.Sender.ID)
	default:
		p.ignored++
		return true
	}
	if e.SenderID == "" {
		return false
	}
	if standby {
		// Another app owns the thread: recorded, never answered. An echo
		// in standby keeps its user, FromPage and AppID, only its kind
		// and key change.
		prefix, e.Kind = "standby", pagebot.EventStandby
	}
	if m.Timestamp.known() {
		e.CreatedAt = m.Timestamp.at(true)
	} else {
		e.CreatedAt = entryTime.at(true)
	}
	e.ObjectID = mid
	if mid != "" {
		e.Key = prefix + ":" + mid
	} else {
		e.Key = prefix + ":" + e.SenderID + ":" + strconv.FormatInt(e.CreatedAt.UnixMilli(), 10)
	}
	h.mask(&e, text)
	p.add(e)
	return true
}

// mask sets the event's text, masked; the raw text goes nowhere else.
func (h *Handler) mask(e *pagebot.Event, raw string) {
	if raw == "" {
		return
	}
	masked, kinds := h.masker.Mask(raw)
	e.Text = masked
	if len(kinds) > 0 {
		e.PII = kinds
	}
}

// firstWord keeps the first name only ("Marie Dupont" → "Marie").
func firstWord(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// describeJSONError says what is wrong with a body without quoting it: a
// SyntaxError's message can contain a character of the message text.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "syntax error at offset " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "unexpected " + typ.Value + " for " + typ.Field + " at offset " + strconv.FormatInt(typ.Offset, 10)
	}
	return "invalid JSON"
}

// logSafe returns s if it is a short lower-case identifier (Meta's object
// names are), else "other", so that a log field never carries free text.
func logSafe(s string) string {
	if len(s) > 32 {
		return "other"
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return "other"
		}
	}
	return s
}
