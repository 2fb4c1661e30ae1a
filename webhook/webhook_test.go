package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"pagebot"
)

const (
	testSecret = "app-secret-for-tests"
	testToken  = "verify-token-for-tests"
	pageID     = "1122334455667788"
	otherPage  = "998877665544332"
)

var testClock = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// fakeMasker masks every run of digits (spaces and dots allowed between
// them): a phone number when it is ten digits starting with 0, a number
// otherwise. Masking every digit makes "no digit left" a checkable property.
type fakeMasker struct{}

var digitRun = regexp.MustCompile(`\d(?:[ .]?\d)*`)

func (fakeMasker) Mask(text string) (string, []string) {
	var kinds []string
	seen := map[string]bool{}
	masked := digitRun.ReplaceAllStringFunc(text, func(m string) string {
		digits := strings.NewReplacer(" ", "", ".", "").Replace(m)
		kind := "number"
		if len(digits) == 10 && digits[0] == '0' {
			kind = "phone"
		}
		if !seen[kind] {
			seen[kind] = true
			kinds = append(kinds, kind)
		}
		return "[N]"
	})
	return masked, kinds
}

// fakeStore keeps events in memory, deduplicated by Key, and records every
// SaveEvents call. SaveFn, when set, replaces it.
type fakeStore struct {
	mu     sync.Mutex
	calls  [][]pagebot.Event
	keys   map[string]bool
	nextID int64
	SaveFn func(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error)
}

func (s *fakeStore) SaveEvents(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, append([]pagebot.Event(nil), events...))
	if s.SaveFn != nil {
		return s.SaveFn(ctx, events)
	}
	if s.keys == nil {
		s.keys = map[string]bool{}
	}
	var stored []pagebot.Event
	for _, e := range events {
		if s.keys[e.Key] {
			continue
		}
		s.keys[e.Key] = true
		s.nextID++
		e.ID = s.nextID
		stored = append(stored, e)
	}
	return stored, nil
}

func (s *fakeStore) Calls() [][]pagebot.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func signSHA1(secret string, body []byte) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

func MustNew(tb testing.TB, cfg Config, store Store, opts ...Option) (*Handler, *test.Hook) {
	tb.Helper()
	if cfg.AppSecret == "" {
		cfg.AppSecret = testSecret
	}
	if cfg.VerifyToken == "" {
		cfg.VerifyToken = testToken
	}
	log, hook := test.NewNullLogger()
	opts = append([]Option{WithClock(func() time.Time { return testClock })}, opts...)
	h, err := New(cfg, store, fakeMasker{}, log, opts...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return h, hook
}

func MustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// post sends body signed with the test secret.
func post(h http.Handler, body []byte) *httptest.ResponseRecorder {
	return postWith(h, body, map[string]string{"X-Hub-Signature-256": sign(testSecret, body)})
}

func postWith(h http.Handler, body []byte, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestNew(t *testing.T) {
	log, _ := test.NewNullLogger()
	for _, tc := range []struct {
		name   string
		cfg    Config
		store  Store
		masker Masker
		ok     bool
	}{
		{"OK", Config{AppSecret: "s"}, &fakeStore{}, fakeMasker{}, true},
		{"NoSecret", Config{VerifyToken: "t"}, &fakeStore{}, fakeMasker{}, false},
		{"NoStore", Config{AppSecret: "s"}, nil, fakeMasker{}, false},
		{"NoMasker", Config{AppSecret: "s"}, &fakeStore{}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(tc.cfg, tc.store, tc.masker, log)
			if got := err == nil && h != nil; got != tc.ok {
				t.Errorf("New(%+v) ok = %v (err %v), want %v", tc.cfg, got, err, tc.ok)
			}
		})
	}
}

func TestHandshake(t *testing.T) {
	for _, tc := range []struct {
		name       string
		configured string // verify token in Config; "-" for none
		method     string
		query      string
		wantStatus int
		wantBody   string
	}{
		{"OK", testToken, "GET", "hub.mode=subscribe&hub.verify_token=" + testToken + "&hub.challenge=1158201444", 200, "1158201444"},
		{"WrongToken", testToken, "GET", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444", 403, ""},
		{"TokenPrefix", testToken, "GET", "hub.mode=subscribe&hub.verify_token=verify&hub.challenge=1", 403, ""},
		{"MissingToken", testToken, "GET", "hub.mode=subscribe&hub.challenge=1158201444", 403, ""},
		{"WrongMode", testToken, "GET", "hub.mode=unsubscribe&hub.verify_token=" + testToken + "&hub.challenge=1", 403, ""},
		{"MissingMode", testToken, "GET", "hub.verify_token=" + testToken + "&hub.challenge=1", 403, ""},
		{"NoTokenConfigured", "-", "GET", "hub.mode=subscribe&hub.verify_token=&hub.challenge=1", 403, ""},
		{"MethodNotAllowed", testToken, "PUT", "hub.mode=subscribe&hub.verify_token=" + testToken + "&hub.challenge=1", 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, _ := test.NewNullLogger()
			cfg := Config{AppSecret: testSecret, VerifyToken: tc.configured}
			if tc.configured == "-" {
				cfg.VerifyToken = ""
			}
			store := &fakeStore{}
			h, err := New(cfg, store, fakeMasker{}, log)
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			h.Routes(mux)
			r := httptest.NewRequest(tc.method, "/webhook?"+tc.query, nil)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("%s /webhook?%s: status = %d, want %d", tc.method, tc.query, w.Code, tc.wantStatus)
			}
			if tc.wantStatus == 200 {
				if got := w.Body.String(); got != tc.wantBody {
					t.Errorf("body = %q, want %q", got, tc.wantBody)
				}
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type = %q, want text/plain", ct)
				}
			} else if strings.Contains(w.Body.String(), "1158201444") {
				t.Errorf("refused handshake echoes the challenge: %q", w.Body.String())
			}
			if n := len(store.Calls()); n != 0 {
				t.Errorf("SaveEvents called %d times on a GET", n)
			}
		})
	}
}

func TestSignature(t *testing.T) {
	body := MustRead(t, "comment_add.json")
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	reenc, _ := json.Marshal(v) // same JSON value, other bytes (key order)
	if bytes.Equal(reenc, body) {
		t.Fatal("test payload re-encodes to the same bytes; OfReencodedJSON would test nothing")
	}
	right := sign(testSecret, body)
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"Right", map[string]string{"X-Hub-Signature-256": right}, 200},
		{"RightUpperHex", map[string]string{"X-Hub-Signature-256": "sha256=" + strings.ToUpper(right[7:])}, 200},
		{"RightWithSHA1", map[string]string{"X-Hub-Signature-256": right, "X-Hub-Signature": signSHA1(testSecret, body)}, 200},
		{"Missing", nil, 403},
		{"Empty", map[string]string{"X-Hub-Signature-256": ""}, 403},
		{"NoPrefix", map[string]string{"X-Hub-Signature-256": right[7:]}, 403},
		{"WrongPrefix", map[string]string{"X-Hub-Signature-256": "sha1=" + right[7:]}, 403},
		{"NotHex", map[string]string{"X-Hub-Signature-256": "sha256=" + strings.Repeat("zz", 32)}, 403},
		{"Short", map[string]string{"X-Hub-Signature-256": right[:len(right)-2]}, 403},
		{"WrongSecret", map[string]string{"X-Hub-Signature-256": sign("another secret", body)}, 403},
		{"OfReencodedJSON", map[string]string{"X-Hub-Signature-256": sign(testSecret, reenc)}, 403},
		{"SHA1Only", map[string]string{"X-Hub-Signature": signSHA1(testSecret, body)}, 403},
		{"SHA1RightSHA256Wrong", map[string]string{"X-Hub-Signature": signSHA1(testSecret, body), "X-Hub-Signature-256": sign("x", body)}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{}
			h, hook := MustNew(t, Config{}, store)
			w := postWith(h, body, tc.hdr)
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d", w.Code, tc.want)
			}
			wantCalls := 0
			if tc.want == 200 {
				wantCalls = 1
			}
			if n := len(store.Calls()); n != wantCalls {
				t.Errorf("SaveEvents called %d times, want %d", n, wantCalls)
			}
			if n := len(hook.AllEntries()); n != 1 {
				t.Errorf("%d log lines, want 1", n)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	small := MustRead(t, "message_text.json")
	pad := func(n int) []byte { // valid JSON of exactly n bytes
		b := append([]byte(nil), small...)
		b = bytes.TrimRight(b, "\n")
		return append(b[:len(b)-1], append(bytes.Repeat([]byte(" "), n-len(b)), '}')...)
	}
	for _, tc := range []struct {
		name    string
		max     int64
		size    int
		want    int
		wantSav int
	}{
		{"UnderLimit", 1000, 999, 200, 1},
		{"AtLimit", 1000, 1000, 200, 1},
		{"OverLimit", 1000, 1001, 413, 0},
		{"FarOverLimit", 1000, 100000, 413, 0},
		{"DefaultLimitOver", 0, int(DefaultMaxBody) + 1, 413, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{}
			h, _ := MustNew(t, Config{MaxBody: tc.max}, store)
			body := pad(tc.size)
			if len(body) != tc.size {
				t.Fatalf("padded body is %d bytes, want %d", len(body), tc.size)
			}
			if !json.Valid(body) {
				t.Fatal("padded body is not JSON")
			}
			w := post(h, body)
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d", w.Code, tc.want)
			}
			if n := len(store.Calls()); n != tc.wantSav {
				t.Errorf("SaveEvents called %d times, want %d", n, tc.wantSav)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"Empty", "", 400},
		{"Truncated", `{"object":"page","entry":[{"id":"1"`, 400},
		{"NotJSON", `object=page`, 400},
		{"Array", `[{"object":"page"}]`, 400},
		{"EntryNotArray", `{"object":"page","entry":5}`, 400},
		{"ObjectNotString", `{"object":1,"entry":[]}`, 400},
		// Not a Page subscription: acknowledged so that Meta stops, dropped.
		{"ObjectUser", `{"object":"user","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","message":"hi"}}]}]}`, 200},
		{"ObjectMissing", `{"entry":[]}`, 200},
		{"Null", `null`, 200},
		// One bad item is skipped; the good one is stored.
		{"OneBadEntry", `{"object":"page","entry":[5,{"id":"1","messaging":[{"sender":{"id":"2"},"timestamp":1,"message":{"mid":"m_1","text":"x"}}]}]}`, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{}
			h, hook := MustNew(t, Config{}, store)
			w := post(h, []byte(tc.body))
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d", w.Code, tc.want)
			}
			wantCalls := 0
			if tc.name == "OneBadEntry" {
				wantCalls = 1
			}
			if n := len(store.Calls()); n != wantCalls {
				t.Errorf("SaveEvents called %d times, want %d", n, wantCalls)
			}
			if n := len(hook.AllEntries()); n != 1 {
				t.Errorf("%d log lines, want 1", n)
			}
		})
	}
}

func TestOneBadItemCounted(t *testing.T) {
	body := []byte(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"timestamp":1,"message":{"mid":"m_1","text":"x"}},{"sender":{"id":true},"message":{"mid":"m_2"}},{"sender":{"id":"3"},"message":"oops"}]}]}`)
	store := &fakeStore{}
	h, hook := MustNew(t, Config{}, store)
	if w := post(h, body); w.Code != 200 {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	e := hook.LastEntry()
	if e.Level != logrus.WarnLevel {
		t.Errorf("level = %v, want warning", e.Level)
	}
	if got, want := e.Data["malformed"], 2; got != want {
		t.Errorf("malformed = %v, want %v", got, want)
	}
	if diff := cmp.Diff([]string{"entry[0].messaging[1]", "entry[0].messaging[2]"}, e.Data["malformed_at"]); diff != "" {
		t.Errorf("malformed_at (-want +got):\n%s", diff)
	}
	if calls := store.Calls(); len(calls) != 1 || len(calls[0]) != 1 || calls[0][0].Key != "message:m_1" {
		t.Errorf("stored %+v, want only message:m_1", calls)
	}
}

func TestStoreFailure(t *testing.T) {
	notified := 0
	store := &fakeStore{SaveFn: func(context.Context, []pagebot.Event) ([]pagebot.Event, error) {
		return nil, errors.New("database is locked")
	}}
	h, hook := MustNew(t, Config{}, store, WithNotify(func() { notified++ }))
	w := post(h, MustRead(t, "comment_add.json"))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", w.Code)
	}
	if strings.Contains(w.Body.String(), "EVENT_RECEIVED") {
		t.Errorf("body = %q: acknowledged although not stored", w.Body.String())
	}
	if notified != 0 {
		t.Errorf("notify called %d times after a failed save", notified)
	}
	if e := hook.LastEntry(); e == nil || e.Level != logrus.ErrorLevel || !strings.Contains(fmt.Sprint(e.Data["error"]), "database is locked") {
		t.Errorf("last log entry = %+v, want an error with the store's error", e)
	}
}

// orderWriter records when the response status is written.
type orderWriter struct {
	http.ResponseWriter
	order *[]string
}

func (w orderWriter) WriteHeader(code int) {
	*w.order = append(*w.order, fmt.Sprintf("response %d", code))
	w.ResponseWriter.WriteHeader(code)
}

func (w orderWriter) Write(b []byte) (int, error) {
	*w.order = append(*w.order, "write")
	return w.ResponseWriter.Write(b)
}

func TestAcknowledgeAfterSave(t *testing.T) {
	var order []string
	inner := &fakeStore{}
	store := &fakeStore{SaveFn: func(ctx context.Context, ev []pagebot.Event) ([]pagebot.Event, error) {
		order = append(order, "save start")
		time.Sleep(10 * time.Millisecond)
		stored, err := inner.SaveEvents(ctx, ev)
		order = append(order, "save end")
		return stored, err
	}}
	h, _ := MustNew(t, Config{}, store, WithNotify(func() { order = append(order, "notify") }))
	body := MustRead(t, "comment_add.json")
	r := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	r.Header.Set("X-Hub-Signature-256", sign(testSecret, body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(orderWriter{rec, &order}, r)
	want := []string{"save start", "save end", "notify", "response 200", "write"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if got := rec.Body.String(); got != "EVENT_RECEIVED" {
		t.Errorf("body = %q, want EVENT_RECEIVED", got)
	}
}

func TestNotify(t *testing.T) {
	notified := 0
	store := &fakeStore{}
	h, _ := MustNew(t, Config{}, store, WithNotify(func() { notified++ }))
	body := MustRead(t, "message_text.json")
	for i, want := range []int{1, 1} { // the redelivery stores nothing new
		if w := post(h, body); w.Code != 200 {
			t.Fatalf("POST %d: status = %d", i, w.Code)
		}
		if notified != want {
			t.Errorf("after POST %d: notified %d times, want %d", i, notified, want)
		}
	}
	post(h, MustRead(t, "reaction.json")) // nothing to store
	if notified != 1 {
		t.Errorf("after an ignored POST: notified %d times, want 1", notified)
	}
}

func at(sec int64) time.Time     { return time.Unix(sec, 0).UTC() }
func atMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// textHash16 is the part of an edited comment's key that tells edits
// apart: a MAC of the text keyed with the app secret.
func textHash16(text string) string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(text))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}

const (
	commentID = "987654321098765_1234567890123456"
	postID    = "1122334455667788_987654321098765"
	userID    = "6543210987654321"
	psid      = "7012345678901234"
)

func TestPayloads(t *testing.T) {
	editedRaw := "Bonjour, quand est-ce que l'APL est versée ? Mon numéro allocataire est 1234567"
	editedMasked := "Bonjour, quand est-ce que l'APL est versée ? Mon numéro allocataire est [N]"
	comment := func(kind pagebot.EventKind, key string, created int64) pagebot.Event {
		return pagebot.Event{
			Key: key, PageID: pageID, Kind: kind, Channel: pagebot.ChannelComment,
			ObjectID: commentID, PostID: postID, ParentID: postID,
			SenderID: userID, SenderName: "Marie-Claire", CreatedAt: at(created),
		}
	}
	message := func(kind pagebot.EventKind, key, mid, text string, ms int64) pagebot.Event {
		return pagebot.Event{
			Key: key, PageID: pageID, Kind: kind, Channel: pagebot.ChannelMessage,
			ObjectID: mid, SenderID: psid, Text: text, CreatedAt: atMilli(ms),
		}
	}
	with := func(e pagebot.Event, f func(*pagebot.Event)) pagebot.Event { f(&e); return e }

	for _, tc := range []struct {
		file string
		want []pagebot.Event
	}{
		{"comment_add.json", []pagebot.Event{with(comment(pagebot.EventCommentAdd, "comment:"+commentID+":add", 1760000099), func(e *pagebot.Event) {
			e.Text = "Bonjour, quand est-ce que l'APL est versée ce mois-ci ?"
		})}},
		{"comment_edited.json", []pagebot.Event{with(comment(pagebot.EventCommentEdited, "comment:"+commentID+":edited:"+textHash16(editedRaw), 1760000399), func(e *pagebot.Event) {
			e.Text, e.PII = editedMasked, []string{"number"}
		})}},
		{"comment_remove.json", []pagebot.Event{with(comment(pagebot.EventCommentRemove, "comment:"+commentID+":remove", 1760000499), func(e *pagebot.Event) {
			e.SenderName = "" // remove has no name and no message
		})}},
		{"comment_hide.json", []pagebot.Event{with(comment(pagebot.EventCommentHide, "comment:"+commentID+":hide", 1760000599), func(e *pagebot.Event) {
			e.Text, e.PII = editedMasked, []string{"number"}
		})}},
		{"comment_page.json", []pagebot.Event{{
			Key: "comment:987654321098765_2234567890123456:add", PageID: pageID,
			Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
			ObjectID: "987654321098765_2234567890123456", PostID: postID, ParentID: commentID,
			SenderID: pageID, SenderName: "CAF", FromPage: true,
			Text: "Bonjour Marie-Claire, l'aide au logement est versée le [N] de chaque mois.", PII: []string{"number"},
			CreatedAt: at(1760000699),
		}}},
		{"reaction.json", nil},
		{"message_text.json", []pagebot.Event{message(pagebot.EventMessage, "message:m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
			"Bonjour, mon RSA est suspendu depuis janvier, pourquoi ?", 1760000000123)}},
		{"message_attachment.json", []pagebot.Event{message(pagebot.EventMessage, "message:m_Attach0123456789", "m_Attach0123456789", "", 1760000001234)}},
		{"message_quick_reply.json", []pagebot.Event{message(pagebot.EventMessage, "message:m_Quick0123456789", "m_Quick0123456789", "Oui", 1760000002345)}},
		{"postback.json", []pagebot.Event{message(pagebot.EventPostback, "postback:m_Postback0123456789", "m_Postback0123456789", "Parler à un conseiller", 1760000003456)}},
		{"echo_inbox.json", []pagebot.Event{with(message(pagebot.EventEcho, "echo:m_Echo0123456789", "m_Echo0123456789",
			"Bonjour, je suis Sophie, conseillère. Pouvez-vous me rappeler au [N] ?", 1760000004567), func(e *pagebot.Event) {
			e.FromPage, e.AppID, e.PII = true, "263902037430900", []string{"phone"}
		})}},
		{"standby.json", []pagebot.Event{
			message(pagebot.EventStandby, "standby:m_Standby0123456789", "m_Standby0123456789", "Merci beaucoup pour votre aide", 1760000005678),
			message(pagebot.EventStandby, "standby:"+psid+":1760000005999", "", "Démarrer", 1760000005999),
		}},
		{"multi_page.json", []pagebot.Event{
			{
				Key: "comment:987654321098766_3234567890123456:add", PageID: pageID,
				Kind: pagebot.EventCommentAdd, Channel: pagebot.ChannelComment,
				ObjectID: "987654321098766_3234567890123456", PostID: "1122334455667788_987654321098766", ParentID: "1122334455667788_987654321098766",
				SenderID: "6543210987654322", SenderName: "Jean", Text: "Ma carte vitale est perdue", CreatedAt: at(1760000898),
			},
			message(pagebot.EventMessage, "message:m_Multi1", "m_Multi1", "Toujours pas de réponse", 1760000900999),
			with(message(pagebot.EventMessage, "message:m_Multi2", "m_Multi2", "Bonjour", 1760000901999), func(e *pagebot.Event) {
				e.PageID, e.SenderID = otherPage, "7098765432109876"
			}),
		}},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			store := &fakeStore{}
			h, _ := MustNew(t, Config{}, store)
			w := post(h, MustRead(t, tc.file))
			if w.Code != 200 || w.Body.String() != "EVENT_RECEIVED" {
				t.Fatalf("answer = %d %q, want 200 EVENT_RECEIVED", w.Code, w.Body.String())
			}
			calls := store.Calls()
			if tc.want == nil {
				if len(calls) != 0 {
					t.Fatalf("SaveEvents called with %+v, want no call", calls)
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("SaveEvents called %d times, want once for the whole POST", len(calls))
			}
			if diff := cmp.Diff(tc.want, calls[0], cmpopts.IgnoreFields(pagebot.Event{}, "ReceivedAt")); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for _, e := range calls[0] {
				if !e.ReceivedAt.Equal(testClock) {
					t.Errorf("%s: ReceivedAt = %v, want %v", e.Key, e.ReceivedAt, testClock)
				}
			}
		})
	}
}

// editBody returns comment_edited.json with another message.
func editBody(tb testing.TB, file, message string) []byte {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(MustRead(tb, file), &v); err != nil {
		tb.Fatal(err)
	}
	value := v["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)
	value["message"] = message
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestEditedKeys(t *testing.T) {
	store := &fakeStore{}
	h, hook := MustNew(t, Config{}, store)
	first := editBody(t, "comment_edited.json", "première version")
	second := editBody(t, "comment_edited.json", "deuxième version")
	for _, tc := range []struct {
		name           string
		body           []byte
		wantStored     int
		wantDuplicates int
	}{
		{"FirstEdit", first, 1, 0},
		{"Redelivered", first, 0, 1},
		{"SecondEdit", second, 1, 0},
	} {
		if w := post(h, tc.body); w.Code != 200 {
			t.Fatalf("%s: status = %d", tc.name, w.Code)
		}
		e := hook.LastEntry()
		if e.Data["stored"] != tc.wantStored || e.Data["duplicates"] != tc.wantDuplicates {
			t.Errorf("%s: stored, duplicates = %v, %v; want %d, %d", tc.name, e.Data["stored"], e.Data["duplicates"], tc.wantStored, tc.wantDuplicates)
		}
	}
	calls := store.Calls()
	if calls[0][0].Key == calls[2][0].Key {
		t.Errorf("two different edits share key %q", calls[0][0].Key)
	}
	if calls[0][0].Key != calls[1][0].Key {
		t.Errorf("redelivered edit has key %q, first delivery %q", calls[1][0].Key, calls[0][0].Key)
	}
}

func TestDuplicateInOnePOST(t *testing.T) {
	item := `{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1760000000123,"message":{"mid":"m_dup","text":"x"}}`
	body := []byte(`{"object":"page","entry":[{"id":"1","time":1,"messaging":[` + item + `]},{"id":"1","time":2,"messaging":[` + item + `]}]}`)
	store := &fakeStore{}
	h, hook := MustNew(t, Config{}, store)
	if w := post(h, body); w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
	if calls := store.Calls(); len(calls) != 1 || len(calls[0]) != 1 {
		t.Fatalf("SaveEvents calls = %+v, want one call with one event", calls)
	}
	if got := hook.LastEntry().Data["duplicates"]; got != 1 {
		t.Errorf("duplicates = %v, want 1", got)
	}
}

func TestPageFilter(t *testing.T) {
	store := &fakeStore{}
	h, hook := MustNew(t, Config{PageIDs: []string{otherPage}}, store)
	if w := post(h, MustRead(t, "multi_page.json")); w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
	calls := store.Calls()
	if len(calls) != 1 || len(calls[0]) != 1 || calls[0][0].Key != "message:m_Multi2" {
		t.Fatalf("SaveEvents calls = %+v, want only message:m_Multi2", calls)
	}
	if got := hook.LastEntry().Data["foreign"]; got != 2 {
		t.Errorf("foreign = %v, want 2", got)
	}
}

func TestMasking(t *testing.T) {
	const phone = "06 12 34 56 78"
	store := &fakeStore{}
	h, _ := MustNew(t, Config{}, store)
	raw := "Rappelez-moi au " + phone + " svp"
	if w := post(h, editBody(t, "comment_add.json", raw)); w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
	calls := store.Calls()
	if len(calls) != 1 || len(calls[0]) != 1 {
		t.Fatalf("SaveEvents calls = %+v, want one event", calls)
	}
	e := calls[0][0]
	for _, group := range strings.Fields(phone) {
		if strings.Contains(e.Text, group) {
			t.Errorf("stored text %q contains %q from the phone number", e.Text, group)
		}
	}
	if want := "Rappelez-moi au [N] svp"; e.Text != want {
		t.Errorf("stored text = %q, want %q", e.Text, want)
	}
	if diff := cmp.Diff([]string{"phone"}, e.PII); diff != "" {
		t.Errorf("PII (-want +got):\n%s", diff)
	}
	if strings.Contains(e.Key, phone) {
		t.Errorf("key %q contains the phone number", e.Key)
	}
}

// rawTexts collects every free-text value of a payload: messages, titles,
// names.
func rawTexts(tb testing.TB, body []byte) []string {
	tb.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "message" || k == "text" || k == "title" || k == "name") && s != "" {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

func TestLogsHaveNoText(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	var bodies [][]byte
	for _, f := range files {
		bodies = append(bodies, MustRead(t, filepath.Base(f)))
	}
	bodies = append(bodies, editBody(t, "comment_add.json", "Mon IBAN FR76 3000 6000 0112 3456 7890 189, tél 06 12 34 56 78"))
	for _, failing := range []bool{false, true} {
		store := &fakeStore{}
		if failing {
			store.SaveFn = func(context.Context, []pagebot.Event) ([]pagebot.Event, error) {
				return nil, errors.New("disk full")
			}
		}
		h, hook := MustNew(t, Config{}, store)
		var texts []string
		for _, body := range bodies {
			texts = append(texts, rawTexts(t, body)...)
			before := len(hook.AllEntries())
			post(h, body)
			post(h, append([]byte("{"), body...)) // malformed: 400
			postWith(h, body, nil)                // unsigned: 403
			if n := len(hook.AllEntries()) - before; n != 3 {
				t.Errorf("%d log lines for 3 POSTs, want one each", n)
			}
		}
		if len(texts) < 10 {
			t.Fatalf("found only %d texts in testdata; the check would be weak", len(texts))
		}
		for _, e := range hook.AllEntries() {
			line := e.Message + " " + fmt.Sprint(e.Data)
			for _, s := range texts {
				if strings.Contains(line, s) {
					t.Errorf("log line %q contains the text %q", line, s)
				}
			}
			for _, s := range []string{"FR76", "06 12", testSecret, "Dupont"} {
				if strings.Contains(line, s) {
					t.Errorf("log line %q contains %q", line, s)
				}
			}
		}
		if !failing {
			ok200 := 0
			for _, e := range hook.AllEntries() {
				if e.Data["status"] != http.StatusOK {
					continue
				}
				ok200++
				for _, k := range []string{"received", "stored", "duplicates", "event_ids", "total_ms", "save_ms", "parse_ms"} {
					if _, ok := e.Data[k]; !ok {
						t.Errorf("log line %v lacks %q", e.Data, k)
					}
				}
			}
			if ok200 != len(bodies) {
				t.Errorf("%d log lines with status 200, want %d", ok200, len(bodies))
			}
		}
	}
}

// FuzzServeHTTP feeds correctly signed random bodies: the handler never
// panics, answers 200 or 400, stores nothing on 400, and stores only events
// with a key, a page, a known kind and a masked text.
func FuzzServeHTTP(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "{}", "null", "[]", `{"object":"page"}`, `{"object":"page","entry":[{}]}`,
		`{"object":"page","entry":[{"id":1,"time":"2026-01-02T03:04:05+0000","messaging":[{"sender":{"id":2},"message":{"mid":3,"text":"0612345678"}}]}]}`,
		`{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"edited","comment_id":"1_2","created_time":1e99,"from":{"id":"1","name":" "}}}]}]}`} {
		f.Add([]byte(s))
	}
	kinds := map[pagebot.EventKind]string{
		pagebot.EventCommentAdd: "comment:", pagebot.EventCommentEdited: "comment:", pagebot.EventCommentRemove: "comment:",
		pagebot.EventCommentHide: "comment:", pagebot.EventCommentUnhide: "comment:", pagebot.EventMessage: "message:",
		pagebot.EventPostback: "postback:", pagebot.EventEcho: "echo:", pagebot.EventStandby: "standby:",
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		store := &fakeStore{}
		h, _ := MustNew(t, Config{MaxBody: 64 << 20}, store)
		w := post(h, body)
		switch w.Code {
		case 200:
		case 400:
			if n := len(store.Calls()); n != 0 {
				t.Fatalf("400 but SaveEvents called %d times", n)
			}
			return
		default:
			t.Fatalf("status = %d, want 200 or 400", w.Code)
		}
		if n := len(store.Calls()); n > 1 {
			t.Fatalf("SaveEvents called %d times, want at most once", n)
		}
		for _, calls := range store.Calls() {
			keys := map[string]bool{}
			for _, e := range calls {
				prefix, ok := kinds[e.Kind]
				if !ok || !strings.HasPrefix(e.Key, prefix) || len(e.Key) == len(prefix) {
					t.Errorf("event kind %q with key %q", e.Kind, e.Key)
				}
				if keys[e.Key] {
					t.Errorf("key %q twice in one SaveEvents call", e.Key)
				}
				keys[e.Key] = true
				if e.PageID == "" {
					t.Errorf("event %q has no page", e.Key)
				}
				if strings.ContainsAny(e.Text, "0123456789") {
					t.Errorf("event %q: text %q not masked", e.Key, e.Text)
				}
			}
		}
	})
}

// BenchmarkPost measures one signed one-comment POST through ServeHTTP with
// an in-memory store that keeps nothing.
func BenchmarkPost(b *testing.B) {
	body := MustRead(b, "comment_add.json")
	sig := sign(testSecret, body)
	log := logrus.New()
	log.SetOutput(io.Discard) // the test hook would keep every entry in memory
	store := &fakeStore{SaveFn: func(_ context.Context, ev []pagebot.Event) ([]pagebot.Event, error) { return ev, nil }}
	h, err := New(Config{AppSecret: testSecret}, store, fakeMasker{}, log)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		store.calls = store.calls[:0]
		r := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		r.Header.Set("X-Hub-Signature-256", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status = %d", w.Code)
		}
	}
}
