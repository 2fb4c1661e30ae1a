// Package graphtest is a fake Facebook Graph API server for tests. It speaks
// the wire format of github.com/huandu/facebook/v2 (version prefix, form
// bodies whose map values are JSON strings, DELETE sent as POST with
// method=DELETE, access_token and appsecret_proof on every call), records
// every call so that tests can assert exactly what was sent, and answers like
// Graph: a success body per endpoint, or canned responses queued with Fail.
// It keeps the state the calls change (hidden comments, private replies
// used, deleted objects, the replies posted under each comment), so that
// reads after them answer as Graph would.
//
// It imports no pagebot package, so any package's tests can use it.
package graphtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the server accepts by default. Tests give them to the client.
const (
	AppSecret = "graphtest-app-secret"
	PageToken = "graphtest-page-token"
	PageID    = "100000000000001"
)

// Server is a fake Graph API. Its zero value is not usable; call New.
type Server struct {
	// URL is the base URL to give the client, without a trailing slash,
	// e.g. "http://127.0.0.1:41234".
	URL string
	// AppSecret, PageToken and PageID are what the server expects; New sets
	// them to the package constants. Change them before the first call; an
	// empty AppSecret accepts calls without appsecret_proof.
	AppSecret, PageToken, PageID string

	srv *httptest.Server

	mu      sync.Mutex
	calls   []Call
	queues  []*queue
	header  http.Header
	delay   time.Duration
	objects map[string]map[string]any
	deleted map[string]bool
	replies map[string][]Reply
	seq     int
}

// Reply is a comment posted under another comment (or under a post): by the
// Page through POST /{id}/comments, or by anyone through AddReply.
type Reply struct {
	ID      string
	FromID  string
	Message string
	Created time.Time
}

// Call is one request the server received.
type Call struct {
	// Method is GET, POST or DELETE (huandu/facebook sends DELETE as a POST
	// with method=DELETE; the server records DELETE).
	Method string
	// Path is the request path without the version, e.g. "/123_456/comments".
	Path string
	// Version is the Graph version from the path, e.g. "v25.0".
	Version string
	// Params are the query (GET) or form (POST) parameters without
	// access_token, appsecret_proof, format and method. Map values are JSON
	// strings, as on the wire: use JSON to decode them.
	Params url.Values
	// Token is the access_token received.
	Token string
	// HasProof reports that appsecret_proof was present and equal to
	// HMAC-SHA256(AppSecret, Token).
	HasProof bool
}

// String returns "METHOD /path", the form Fail matches.
func (c Call) String() string { return c.Method + " " + c.Path }

// JSON decodes the JSON-encoded parameter key (e.g. "recipient") into v.
func (c Call) JSON(key string, v any) error {
	s := c.Params.Get(key)
	if s == "" {
		return fmt.Errorf("graphtest: %s %s has no %q parameter", c.Method, c.Path, key)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("graphtest: decode %q of %s %s: %w", key, c.Method, c.Path, err)
	}
	return nil
}

// Response is a canned answer.
type Response struct {
	// Status is the HTTP status, 200 if zero. huandu/facebook ignores it.
	Status int
	// Body is sent as is.
	Body string
	// Header is added to the response, e.g. usage headers.
	Header http.Header
	// Delay holds the answer back, to make the client time out.
	Delay time.Duration
	// Hangup closes the connection without answering, after reading the
	// request: the client cannot know whether the call took effect.
	Hangup bool
	// Applied makes the call take effect, as the default answer would,
	// before this response is sent instead: with HTML or Hangup, Graph acted
	// but its answer was lost.
	Applied bool
}

// WithHeader returns a copy of r with a header added.
func (r Response) WithHeader(key, value string) Response {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Add(key, value)
	r.Header = h
	return r
}

// APIError is a Graph error body: {"error":{...}}.
type APIError struct {
	Code, Subcode int
	Message, Type string
	Transient     bool
	TraceID       string
}

// Response returns e as Graph sends it: HTTP 400 (500 when transient), JSON
// body under "error". Empty Message, Type and TraceID get plausible values.
func (e APIError) Response() Response {
	if e.Message == "" {
		e.Message = fmt.Sprintf("(#%d) graphtest error", e.Code)
	}
	if e.Type == "" {
		e.Type = "OAuthException"
	}
	if e.TraceID == "" {
		e.TraceID = "graphtest-trace"
	}
	body := map[string]any{
		"message": e.Message, "type": e.Type, "code": e.Code,
		"is_transient": e.Transient, "fbtrace_id": e.TraceID,
	}
	if e.Subcode != 0 {
		body["error_subcode"] = e.Subcode
	}
	b, err := json.Marshal(map[string]any{"error": body})
	if err != nil {
		panic(err) // cannot happen: only strings, ints and bools
	}
	status := http.StatusBadRequest
	if e.Transient {
		status = http.StatusInternalServerError
	}
	return Response{Status: status, Body: string(b), Header: http.Header{"Content-Type": {"application/json"}}}
}

// Error returns the Graph error with code and subcode (0 for none).
func Error(code, subcode int) Response {
	return APIError{Code: code, Subcode: subcode}.Response()
}

// HTML returns an HTML error page with the given status, as a proxy in front
// of Graph sends on a 502 or 503.
func HTML(status int) Response {
	return Response{
		Status: status,
		Body:   fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status)),
		Header: http.Header{"Content-Type": {"text/html"}},
	}
}

type queue struct {
	method, path string
	responses    []Response
}

func (q *queue) matches(method, path string) bool {
	return (q.method == "" || q.method == method) && strings.Contains(path, q.path)
}

// New starts a server, closed by tb.Cleanup.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		AppSecret: AppSecret, PageToken: PageToken, PageID: PageID,
		header:  http.Header{},
		objects: make(map[string]map[string]any),
		deleted: make(map[string]bool),
		replies: make(map[string][]Reply),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Calls returns the calls received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Fail queues responses for the calls that match, used in order before the
// default answer resumes. match is a path substring ("/comments"), or a
// method and a path substring ("POST /123/messages"); "" matches every call.
// Queues are tried in the order they were made; despite the name, a queued
// response may be a success body.
func (s *Server) Fail(match string, responses ...Response) {
	q := &queue{path: match, responses: responses}
	if m, p, ok := strings.Cut(match, " "); ok && (m == http.MethodGet || m == http.MethodPost || m == http.MethodDelete) {
		q.method, q.path = m, p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues = append(s.queues, q)
}

// SetHeader sets a header on every later answer, e.g. X-App-Usage.
func (s *Server) SetHeader(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.header.Set(key, value)
}

// SetDelay holds every later answer back by d, after the call took effect,
// as a slow Graph does; a queued response's longer Delay wins.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetObject sets the fields GET /{id} returns (besides "id"). Objects not set
// read as a visible comment open to a private reply.
func (s *Server) SetObject(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := map[string]any{"id": id}
	for k, v := range fields {
		obj[k] = v
	}
	s.objects[id] = obj
	delete(s.deleted, id)
}

// Object returns the current fields of an object, as changed by the calls
// (is_hidden after a hide, can_reply_privately after a private reply), and
// false when the object was deleted.
func (s *Server) Object(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleted[id] {
		return nil, false
	}
	out := make(map[string]any)
	for k, v := range s.object(id) {
		out[k] = v
	}
	return out, true
}

// AddReply adds a comment from fromID under commentID, as if someone had
// posted it on Facebook (a user, or a person answering as the Page from
// fromID = PageID), and returns its id. It is not a call: Calls does not
// list it.
func (s *Server) AddReply(commentID, fromID, message string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addReply(commentID, fromID, message)
}

// addReply records a reply. s.mu is held.
func (s *Server) addReply(commentID, fromID, message string) string {
	s.seq++
	id := fmt.Sprintf("%s_reply%d", commentID, s.seq)
	s.replies[commentID] = append(s.replies[commentID], Reply{ID: id, FromID: fromID, Message: message, Created: time.Now()})
	return id
}

// Replies returns the replies under a comment, oldest first: those the
// calls posted (the successful POST /{id}/comments) and those AddReply
// added.
func (s *Server) Replies(commentID string) []Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reply(nil), s.replies[commentID]...)
}

// object returns the stored object, creating the default one. s.mu is held.
func (s *Server) object(id string) map[string]any {
	obj, ok := s.objects[id]
	if !ok {
		obj = map[string]any{"id": id, "is_hidden": false, "can_reply_privately": true}
		s.objects[id] = obj
	}
	return obj
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	call, proofSent, err := s.parse(r)
	if err != nil {
		write(w, Response{Status: http.StatusBadRequest, Body: err.Error()}, nil)
		return
	}
	resp := s.answer(call, proofSent)
	s.mu.Lock()
	resp.Delay = max(resp.Delay, s.delay)
	s.mu.Unlock()
	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if resp.Hangup {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("graphtest: response writer cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	s.mu.Lock()
	header := s.header.Clone()
	s.mu.Unlock()
	write(w, resp, header)
}

// parse reads a request as huandu/facebook sends it and records it. It also
// reports whether an appsecret_proof was sent, right or wrong.
func (s *Server) parse(r *http.Request) (Call, bool, error) {
	if err := r.ParseForm(); err != nil {
		return Call{}, false, fmt.Errorf("graphtest: parse form: %w", err)
	}
	version, path, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || !strings.HasPrefix(version, "v") {
		return Call{}, false, fmt.Errorf("graphtest: path %q has no version prefix", r.URL.Path)
	}
	params := url.Values{}
	for k, v := range r.Form {
		params[k] = append([]string(nil), v...)
	}
	call := Call{Method: r.Method, Path: "/" + path, Version: version, Token: params.Get("access_token")}
	if m := params.Get("method"); r.Method == http.MethodPost && m != "" {
		call.Method = strings.ToUpper(m)
	}
	proof := params.Get("appsecret_proof")
	call.HasProof = proof != "" && hmac.Equal([]byte(proof), []byte(Proof(s.AppSecret, call.Token)))
	for _, k := range []string{"access_token", "appsecret_proof", "format", "method"} {
		params.Del(k)
	}
	call.Params = params

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	return call, proof != "", nil
}

// Proof returns the appsecret_proof Graph expects: hex HMAC-SHA256 of the
// token keyed by the app secret.
func Proof(appSecret, token string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	io.WriteString(m, token)
	return hex.EncodeToString(m.Sum(nil))
}

// answer picks the response to a call: an authentication error, a queued
// response, or the endpoint's success.
func (s *Server) answer(c Call, proofSent bool) Response {
	switch {
	case c.Token != s.PageToken:
		return APIError{Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"}.Response()
	case !c.HasProof && c.Token != "" && s.AppSecret != "":
		msg := "Invalid appsecret_proof provided in the API argument"
		if !proofSent {
			msg = "API calls from the server require an appsecret_proof argument"
		}
		return APIError{Code: 100, Message: msg, Type: "GraphMethodException"}.Response()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queues {
		if len(q.responses) > 0 && q.matches(c.Method, c.Path) {
			r := q.responses[0]
			q.responses = q.responses[1:]
			if r.Applied {
				s.success(c)
			}
			return r
		}
	}
	return s.success(c)
}

// success answers a call the way Graph does when it works. s.mu is held.
func (s *Server) success(c Call) Response {
	segs := strings.Split(strings.Trim(c.Path, "/"), "/")
	id := segs[0]
	if s.deleted[id] {
		return APIError{Code: 100, Subcode: 33, Type: "GraphMethodException",
			Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist", strings.ToLower(c.Method), id)}.Response()
	}
	edge := ""
	if len(segs) > 1 {
		edge = segs[1]
	}
	if c.Method == http.MethodPost && edge == "comments" {
		return jsonBody(map[string]any{"id": s.addReply(id, s.PageID, c.Params.Get("message"))})
	}
	s.seq++
	switch {
	case c.Method == http.MethodDelete:
		s.deleted[id] = true
		return jsonBody(map[string]any{"success": true})
	case c.Method == http.MethodGet && edge == "":
		return jsonBody(fields(s.object(id), c.Params.Get("fields")))
	case c.Method == http.MethodGet && edge == "comments":
		return s.listReplies(c, id)
	case c.Method == http.MethodGet:
		return jsonBody(map[string]any{"data": []any{}})
	case edge == "messages":
		var rcpt struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		}
		_ = json.Unmarshal([]byte(c.Params.Get("recipient")), &rcpt)
		psid := rcpt.ID
		if rcpt.CommentID != "" {
			psid = "graphtest-psid-" + rcpt.CommentID
			s.object(rcpt.CommentID)["can_reply_privately"] = false
		}
		if c.Params.Has("sender_action") {
			return jsonBody(map[string]any{"recipient_id": psid})
		}
		return jsonBody(map[string]any{"recipient_id": psid, "message_id": fmt.Sprintf("m_graphtest_%d", s.seq)})
	case edge == "" && c.Params.Has("is_hidden"):
		s.object(id)["is_hidden"] = c.Params.Get("is_hidden") == "true"
	}
	return jsonBody(map[string]any{"success": true})
}

// listReplies answers GET /{id}/comments like Graph: the replies under id,
// oldest first or, with order=reverse_chronological, newest first, limit
// (25 by default) at a time from the after cursor, in {"data":[...],
// "paging":{"cursors":{...},"next":"..."}}, next only when more follow. The
// filter parameter changes nothing: only the replies posted on id itself are
// listed, not their own replies. s.mu is held.
func (s *Server) listReplies(c Call, id string) Response {
	all := append([]Reply(nil), s.replies[id]...)
	if c.Params.Get("order") == "reverse_chronological" {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	limit := 25
	if v := c.Params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return APIError{Code: 100, Message: fmt.Sprintf("(#100) Invalid limit %q", v)}.Response()
		}
		limit = n
	}
	start := 0
	if v := c.Params.Get("after"); v != "" {
		n, ok := parseCursor(v)
		if !ok || n > len(all) {
			return APIError{Code: 100, Message: "(#100) Invalid cursor"}.Response()
		}
		start = n
	}
	end := min(start+limit, len(all))
	data := make([]any, 0, end-start)
	for _, r := range all[start:end] {
		data = append(data, fields(map[string]any{
			"id":           r.ID,
			"from":         map[string]any{"id": r.FromID, "name": "graphtest " + r.FromID},
			"message":      r.Message,
			"created_time": r.Created.UTC().Format("2006-01-02T15:04:05-0700"),
		}, c.Params.Get("fields")))
	}
	body := map[string]any{"data": data}
	if len(data) > 0 {
		paging := map[string]any{"cursors": map[string]any{"before": cursor(start), "after": cursor(end)}}
		if end < len(all) {
			q := url.Values{}
			for k, v := range c.Params {
				q[k] = v
			}
			q.Set("after", cursor(end))
			paging["next"] = s.URL + "/" + c.Version + c.Path + "?" + q.Encode()
		}
		body["paging"] = paging
	}
	return jsonBody(body)
}

// cursor is the opaque paging cursor of position i in a list.
func cursor(i int) string { return fmt.Sprintf("graphtest-cursor-%d", i) }

func parseCursor(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "graphtest-cursor-"))
	return n, err == nil && n >= 0 && strings.HasPrefix(s, "graphtest-cursor-")
}

// fields keeps id and the comma-separated fields asked for.
func fields(obj map[string]any, list string) map[string]any {
	if list == "" {
		return obj
	}
	out := map[string]any{"id": obj["id"]}
	for _, f := range strings.Split(list, ",") {
		if v, ok := obj[f]; ok {
			out[f] = v
		}
	}
	return out
}

func jsonBody(v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("graphtest: encode answer: %v", err))
	}
	return Response{Body: string(b), Header: http.Header{"Content-Type": {"application/json"}}}
}

func write(w http.ResponseWriter, r Response, header http.Header) {
	for k, v := range header {
		w.Header()[k] = v
	}
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	io.WriteString(w, r.Body)
}
