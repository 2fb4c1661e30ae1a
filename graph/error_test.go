package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"

	fb "github.com/huandu/facebook/v2"

	"pagebot/graph"
	"pagebot/graph/graphtest"
)

func TestClassify(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "https://graph.facebook.com/v25.0/1/messages",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want graph.Class
	}{
		{"nil is done", nil, graph.Done},
		{"1 unknown", &fb.Error{Code: 1}, graph.Transient},
		{"2 service", &fb.Error{Code: 2, IsTransient: true}, graph.Transient},
		{"4 app throttled", &fb.Error{Code: 4}, graph.RateLimited},
		{"17 user throttled", &fb.Error{Code: 17}, graph.RateLimited},
		{"32 page throttled", &fb.Error{Code: 32}, graph.RateLimited},
		{"341 app limit", &fb.Error{Code: 341}, graph.RateLimited},
		{"613 custom limit", &fb.Error{Code: 613}, graph.RateLimited},
		{"613/2534040", &fb.Error{Code: 613, ErrorSubcode: 2534040}, graph.RateLimited},
		{"613/2018338 tag misuse", &fb.Error{Code: 613, ErrorSubcode: 2018338}, graph.Permanent},
		{"80001 pages usage", &fb.Error{Code: 80001}, graph.RateLimited},
		{"80006 messenger usage", &fb.Error{Code: 80006}, graph.RateLimited},
		{"368 blocked", &fb.Error{Code: 368}, graph.Permanent},
		{"10/1893063 page restricted", &fb.Error{Code: 10, ErrorSubcode: 1893063}, graph.Permanent},
		{"190 token", &fb.Error{Code: 190, ErrorSubcode: 460}, graph.Permanent},
		{"10 permission", &fb.Error{Code: 10}, graph.Permanent},
		{"200 permission", &fb.Error{Code: 200}, graph.Permanent},
		{"299 permission", &fb.Error{Code: 299}, graph.Permanent},
		{"200/2018028", &fb.Error{Code: 200, ErrorSubcode: 2018028}, graph.Permanent},
		{"10/2018278 outside window", &fb.Error{Code: 10, ErrorSubcode: 2018278}, graph.Dropped},
		{"10/2534022 outside window", &fb.Error{Code: 10, ErrorSubcode: 2534022}, graph.Dropped},
		{"10/2018108 cannot receive", &fb.Error{Code: 10, ErrorSubcode: 2018108}, graph.Dropped},
		{"551 unavailable", &fb.Error{Code: 551}, graph.Dropped},
		{"551/1545041", &fb.Error{Code: 551, ErrorSubcode: 1545041}, graph.Dropped},
		{"200/1545041", &fb.Error{Code: 200, ErrorSubcode: 1545041}, graph.Dropped},
		{"100/2018001 no user", &fb.Error{Code: 100, ErrorSubcode: 2018001}, graph.Dropped},
		{"100 no matching user", &fb.Error{Code: 100, Message: "(#100) No matching user found"}, graph.Dropped},
		{"100/33 gone", &fb.Error{Code: 100, ErrorSubcode: 33}, graph.Done},
		{"100/2534025 not eligible", &fb.Error{Code: 100, ErrorSubcode: 2534025}, graph.Dropped},
		{"100/2534037 other thread owner", &fb.Error{Code: 100, ErrorSubcode: 2534037}, graph.Dropped},
		{"2018300 other thread owner", &fb.Error{Code: 2018300}, graph.Dropped},
		{"100 other", &fb.Error{Code: 100, Message: "(#100) Param tag must be one of {HUMAN_AGENT}"}, graph.Permanent},
		{"100 is never transient", &fb.Error{Code: 100, IsTransient: true}, graph.Permanent},
		{"506 duplicate", &fb.Error{Code: 506}, graph.Done},
		{"unknown code marked transient", &fb.Error{Code: 9999, IsTransient: true}, graph.Transient},
		{"unknown code", &fb.Error{Code: 9999}, graph.Permanent},
		{"wrapped graph error", fmt.Errorf("send: %w", &fb.Error{Code: 4}), graph.RateLimited},
		{"network error", dial, graph.Transient},
		{"HTML 5xx", &fb.UnmarshalError{Payload: []byte("<html>502</html>"), Message: "facebook: fail to parse facebook response"}, graph.Transient},
		{"context canceled", context.Canceled, graph.Transient},
		{"deadline", fmt.Errorf("wait: %w", context.DeadlineExceeded), graph.Transient},
		{"other error", errors.New("boom"), graph.Permanent},
		{"graph.Error keeps its class", &graph.Error{Code: 100, Subcode: 33, Class: graph.Dropped}, graph.Dropped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := graph.Classify(tc.err); got != tc.want {
				t.Errorf("Classify(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestClientErrors checks the *Error the client builds from each kind of
// failure, including the classes that depend on the operation.
func TestClientErrors(t *testing.T) {
	hide := func(ctx context.Context, c *graph.Client) error { return c.HideComment(ctx, "1_2", true) }
	reply := func(ctx context.Context, c *graph.Client) error {
		_, err := c.ReplyComment(ctx, "1_2", "ok")
		return err
	}
	private := func(ctx context.Context, c *graph.Client) error {
		_, err := c.PrivateReply(ctx, "1_2", "ok")
		return err
	}
	send := func(ctx context.Context, c *graph.Client) error {
		_, err := c.SendMessage(ctx, "24", "ok", graph.SendOptions{})
		return err
	}
	get := func(ctx context.Context, c *graph.Client) error { _, err := c.Comment(ctx, "1_2"); return err }
	tests := []struct {
		name        string
		call        func(context.Context, *graph.Client) error
		resp        graphtest.Response
		wantOp      string
		wantCode    int
		wantSubcode int
		wantClass   graph.Class
		wantMaybe   bool
	}{
		{"hide gone comment", hide, graphtest.Error(100, 33), "hide comment", 100, 33, graph.Done, false},
		{"reply to gone comment", reply, graphtest.Error(100, 33), "reply comment", 100, 33, graph.Done, false},
		{"check gone comment", get, graphtest.Error(100, 33), "get comment", 100, 33, graph.Done, false},
		{"private reply to gone comment", private, graphtest.Error(100, 33), "private reply", 100, 33, graph.Dropped, false},
		{"send with gone object", send, graphtest.Error(100, 33), "send message", 100, 33, graph.Permanent, false},
		{"private reply already used", private, graphtest.Error(100, 2534025), "private reply", 100, 2534025, graph.Dropped, false},
		{"duplicate reply", reply, graphtest.Error(506, 0), "reply comment", 506, 0, graph.Done, false},
		{"outside window", send, graphtest.Error(10, 2018278), "send message", 10, 2018278, graph.Dropped, false},
		{"bad parameter", send, graphtest.Error(100, 0), "send message", 100, 0, graph.Permanent, false},
		{"HTML 502 on reply", reply, graphtest.HTML(http.StatusBadGateway), "reply comment", 0, 0, graph.Transient, true},
		{"connection reset on send", send, graphtest.Response{Hangup: true}, "send message", 0, 0, graph.Transient, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.Fail("", tc.resp)
			err := tc.call(t.Context(), MustClient(t, s))
			var e *graph.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *graph.Error", err)
			}
			got := [5]any{e.Op, e.Code, e.Subcode, e.Class, e.MaybeDone}
			want := [5]any{tc.wantOp, tc.wantCode, tc.wantSubcode, tc.wantClass, tc.wantMaybe}
			if got != want {
				t.Errorf("error %q: (op, code, subcode, class, maybe done) = %v, want %v", e, got, want)
			}
			if got, want := graph.Classify(err), tc.wantClass; got != want {
				t.Errorf("Classify = %v, want %v", got, want)
			}
		})
	}
}

func TestGraphErrorFields(t *testing.T) {
	s := graphtest.New(t)
	s.Fail("", graphtest.APIError{Code: 190, Subcode: 460, Type: "OAuthException",
		Message: "Error validating access token", TraceID: "AbC123"}.Response())
	err := MustClient(t, s).MarkSeen(t.Context(), "24")
	var e *graph.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *graph.Error", err)
	}
	want := graph.Error{Op: "mark seen", Code: 190, Subcode: 460, Type: "OAuthException",
		Message: "Error validating access token", TraceID: "AbC123", Class: graph.Permanent}
	got := *e
	if got.Op != want.Op || got.Code != want.Code || got.Subcode != want.Subcode || got.Type != want.Type ||
		got.Message != want.Message || got.TraceID != want.TraceID || got.Class != want.Class {
		t.Errorf("error = %+v, want %+v", got, want)
	}
	var fe *fb.Error
	if !errors.As(err, &fe) {
		t.Errorf("errors.As(err, *fb.Error) = false, want true (Unwrap)")
	}
	if got, want := err.Error(), "graph: mark seen: Error validating access token (code 190, subcode 460, fbtrace_id AbC123) [permanent]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestErrorsHideSecrets checks that no error string carries the token, the
// app secret or the appsecret_proof, even when Graph or the transport echo
// them.
func TestErrorsHideSecrets(t *testing.T) {
	proof := graphtest.Proof(graphtest.AppSecret, graphtest.PageToken)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name    string
		baseURL string // "" for the fake server
		resp    graphtest.Response
		call    func(context.Context, *graph.Client) error
	}{
		{
			name: "graph message quoting the token",
			resp: graphtest.APIError{Code: 190, Message: "Malformed access token " + graphtest.PageToken}.Response(),
			call: func(ctx context.Context, c *graph.Client) error { return c.MarkSeen(ctx, "24") },
		},
		{
			name: "graph message quoting the secret and proof",
			resp: graphtest.APIError{Code: 100, Message: "bad proof " + proof + " for " + graphtest.AppSecret}.Response(),
			call: func(ctx context.Context, c *graph.Client) error { return c.HideComment(ctx, "1_2", true) },
		},
		{
			name:    "network error on GET, whose URL holds the query",
			baseURL: closedURL,
			call:    func(ctx context.Context, c *graph.Client) error { _, err := c.Comment(ctx, "1_2"); return err },
		},
		{
			name:    "network error on POST",
			baseURL: closedURL,
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.SendMessage(ctx, "24", "ok", graph.SendOptions{})
				return err
			},
		},
		{
			name: "HTML page",
			resp: graphtest.HTML(http.StatusServiceUnavailable),
			call: func(ctx context.Context, c *graph.Client) error { return c.HideComment(ctx, "1_2", true) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.Fail("", tc.resp, tc.resp, tc.resp, tc.resp)
			base := tc.baseURL
			if base == "" {
				base = s.URL
			}
			c, err := graph.New(graph.Config{AppSecret: graphtest.AppSecret, PageID: graphtest.PageID,
				PageToken: graphtest.PageToken, BaseURL: base}, graph.WithRetry(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(t.Context(), c)
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			for name, secret := range map[string]string{"token": graphtest.PageToken, "app secret": graphtest.AppSecret, "proof": proof} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the %s", err, name)
				}
			}
		})
	}
}
