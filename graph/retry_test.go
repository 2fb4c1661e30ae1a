package graph_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"pagebot/graph"
	"pagebot/graph/graphtest"
)

// TestRetryPolicy checks, for each kind of failure, how many HTTP requests one
// call makes and what it returns.
func TestRetryPolicy(t *testing.T) {
	hide := func(ctx context.Context, c *graph.Client) error { return c.HideComment(ctx, "1_2", true) }
	seen := func(ctx context.Context, c *graph.Client) error { return c.MarkSeen(ctx, "24") }
	reply := func(ctx context.Context, c *graph.Client) error {
		_, err := c.ReplyComment(ctx, "1_2", "ok")
		return err
	}
	send := func(ctx context.Context, c *graph.Client) error {
		_, err := c.SendMessage(ctx, "24", "ok", graph.SendOptions{Metadata: "outbox:1"})
		return err
	}
	pass := func(ctx context.Context, c *graph.Client) error { return c.PassThreadToInbox(ctx, "24", "") }
	html := graphtest.HTML(http.StatusBadGateway)
	transient := graphtest.APIError{Code: 2, Transient: true}.Response()
	hangup := graphtest.Response{Hangup: true}
	tests := []struct {
		name      string
		call      func(context.Context, *graph.Client) error
		responses []graphtest.Response
		wantCalls int
		wantErr   bool
		wantClass graph.Class // when wantErr
		wantMaybe bool        // when wantErr
	}{
		{name: "HTML 502 then success on hide", call: hide, responses: []graphtest.Response{html}, wantCalls: 2},
		{name: "graph transient error then success on send", call: send, responses: []graphtest.Response{transient}, wantCalls: 2},
		{name: "code 1 then success on reply", call: reply, responses: []graphtest.Response{graphtest.Error(1, 0)}, wantCalls: 2},
		{name: "rate limit then success on send", call: send, responses: []graphtest.Response{graphtest.Error(613, 0)}, wantCalls: 2},
		{name: "page usage limit then success", call: reply, responses: []graphtest.Response{graphtest.Error(80001, 0)}, wantCalls: 2},
		{name: "connection reset then success on mark seen", call: seen, responses: []graphtest.Response{hangup}, wantCalls: 2},
		{
			name: "transient errors until attempts run out", call: hide,
			responses: []graphtest.Response{html, html, html, html, html},
			wantCalls: 4, wantErr: true, wantClass: graph.Transient, wantMaybe: true,
		},
		{
			name: "rate limits until attempts run out", call: send,
			responses: []graphtest.Response{graphtest.Error(4, 0), graphtest.Error(4, 0), graphtest.Error(4, 0), graphtest.Error(4, 0)},
			wantCalls: 4, wantErr: true, wantClass: graph.RateLimited,
		},
		{
			name: "permanent error is not retried", call: reply,
			responses: []graphtest.Response{graphtest.Error(200, 0)},
			wantCalls: 1, wantErr: true, wantClass: graph.Permanent,
		},
		{
			name: "dropped is not retried", call: send,
			responses: []graphtest.Response{graphtest.Error(10, 2018278)},
			wantCalls: 1, wantErr: true, wantClass: graph.Dropped,
		},
		{
			name: "done is not retried", call: reply,
			responses: []graphtest.Response{graphtest.Error(506, 0)},
			wantCalls: 1, wantErr: true, wantClass: graph.Done,
		},
		{
			name: "reply maybe posted is not resent", call: reply,
			responses: []graphtest.Response{html},
			wantCalls: 1, wantErr: true, wantClass: graph.Transient, wantMaybe: true,
		},
		{
			name: "message maybe sent is not resent", call: send,
			responses: []graphtest.Response{hangup},
			wantCalls: 1, wantErr: true, wantClass: graph.Transient, wantMaybe: true,
		},
		{
			name: "handover maybe done is not resent", call: pass,
			responses: []graphtest.Response{html},
			wantCalls: 1, wantErr: true, wantClass: graph.Transient, wantMaybe: true,
		},
		{
			name: "usage limit longer than the policy allows is returned at once", call: send,
			responses: []graphtest.Response{graphtest.Error(80006, 0).WithHeader("X-Business-Use-Case-Usage",
				`{"`+graphtest.PageID+`":[{"type":"messenger","call_count":100,"total_cputime":5,"total_time":6,"estimated_time_to_regain_access":30}]}`)},
			wantCalls: 1, wantErr: true, wantClass: graph.RateLimited,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.Fail("", tc.responses...)
			err := tc.call(t.Context(), MustClient(t, s))
			if got := len(s.Calls()); got != tc.wantCalls {
				t.Errorf("HTTP calls = %d, want %d", got, tc.wantCalls)
			}
			if !tc.wantErr {
				if err != nil {
					t.Errorf("error = %v, want nil", err)
				}
				return
			}
			var e *graph.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *graph.Error", err)
			}
			if e.Class != tc.wantClass || e.MaybeDone != tc.wantMaybe {
				t.Errorf("error %q: class, maybe done = %v, %v, want %v, %v", e, e.Class, e.MaybeDone, tc.wantClass, tc.wantMaybe)
			}
		})
	}
}

func TestRegainAccessOnError(t *testing.T) {
	s := graphtest.New(t)
	s.Fail("", graphtest.Error(80001, 0).WithHeader("X-Business-Use-Case-Usage",
		`{"`+graphtest.PageID+`":[{"type":"pages","call_count":100,"total_cputime":5,"total_time":6,"estimated_time_to_regain_access":30}]}`))
	err := MustClient(t, s).HideComment(t.Context(), "1_2", true)
	var e *graph.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *graph.Error", err)
	}
	if got, want := e.RegainAccess, 30*time.Minute; got != want {
		t.Errorf("RegainAccess = %v, want %v", got, want)
	}
}

func TestRetryWaitsForRegainAccessWithinPolicy(t *testing.T) {
	s := graphtest.New(t)
	// estimated_time_to_regain_access is in minutes: allow one.
	s.Fail("", graphtest.Error(80001, 0).WithHeader("X-Business-Use-Case-Usage",
		`{"`+graphtest.PageID+`":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":1}]}`))
	p := fastRetry
	p.MaxRateLimitWait = time.Minute
	c := MustClient(t, s, graph.WithRetry(p))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.HideComment(ctx, "1_2", true)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded (waiting a minute to retry)", err)
	}
	if got := len(s.Calls()); got != 1 {
		t.Errorf("HTTP calls = %d, want 1", got)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("call took %v, want it to stop when the context ends", elapsed)
	}
}

func TestContextStopsRetries(t *testing.T) {
	s := graphtest.New(t)
	transient := graphtest.APIError{Code: 2, Transient: true}.Response()
	s.Fail("", transient, transient, transient, transient)
	slow := fastRetry
	slow.Delay, slow.MaxDelay = 10*time.Second, 10*time.Second
	c := MustClient(t, s, graph.WithRetry(slow))

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.HideComment(ctx, "1_2", true)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("call took %v, want it to stop when the context ends", elapsed)
	}
	if got := len(s.Calls()); got != 1 {
		t.Errorf("HTTP calls = %d, want 1", got)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
	}
	var e *graph.Error
	if !errors.As(err, &e) || e.Code != 2 {
		t.Errorf("error = %v, want the last *graph.Error (code 2)", err)
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	s := graphtest.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := MustClient(t, s).ReplyComment(ctx, "1_2", "ok")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want it to wrap context.Canceled", err)
	}
	if got := len(s.Calls()); got != 0 {
		t.Errorf("HTTP calls = %d, want 0", got)
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name      string
		call      func(context.Context, *graph.Client) error
		wantCalls int
		wantErr   bool
	}{
		{
			name:      "idempotent call is resent",
			call:      func(ctx context.Context, c *graph.Client) error { return c.HideComment(ctx, "1_2", true) },
			wantCalls: 2,
		},
		{
			name: "message is not resent",
			call: func(ctx context.Context, c *graph.Client) error {
				_, err := c.SendMessage(ctx, "24", "ok", graph.SendOptions{})
				return err
			},
			wantCalls: 1, wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.Fail("", graphtest.Response{Delay: 5 * time.Second})
			c, err := graph.New(graph.Config{AppSecret: graphtest.AppSecret, PageID: graphtest.PageID,
				PageToken: graphtest.PageToken, BaseURL: s.URL, Timeout: 100 * time.Millisecond}, graph.WithRetry(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(t.Context(), c)
			if got := len(s.Calls()); got != tc.wantCalls {
				t.Errorf("HTTP calls = %d, want %d", got, tc.wantCalls)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tc.wantErr)
			}
			if err != nil {
				var e *graph.Error
				if !errors.As(err, &e) || e.Class != graph.Transient || !e.MaybeDone {
					t.Errorf("error = %v, want a Transient *graph.Error with MaybeDone", err)
				}
			}
		})
	}
}

// TestRefusedConnection checks that a request that never left is not marked
// MaybeDone, so that even a message is retried: it cannot have been sent.
func TestRefusedConnection(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c, err := graph.New(graph.Config{AppSecret: "s", PageID: "1", PageToken: "t", BaseURL: closed.URL}, graph.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(t.Context(), "24", "ok", graph.SendOptions{})
	var e *graph.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *graph.Error", err)
	}
	if e.Class != graph.Transient || e.MaybeDone {
		t.Errorf("class, maybe done = %v, %v, want transient, false", e.Class, e.MaybeDone)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("error = %v, want it to wrap the *url.Error", err)
	}
}
