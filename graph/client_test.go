package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot/graph"
	"pagebot/graph/graphtest"
)

// fastRetry keeps the policy's shape with delays tests can afford.
var fastRetry = graph.RetryPolicy{
	Attempts:         4,
	Delay:            time.Millisecond,
	MaxDelay:         4 * time.Millisecond,
	RateLimitDelay:   2 * time.Millisecond,
	MaxRateLimitWait: 100 * time.Millisecond,
}

// MustClient returns a client of s with the fast retry policy.
func MustClient(tb testing.TB, s *graphtest.Server, opts ...graph.Option) *graph.Client {
	tb.Helper()
	c, err := graph.New(graph.Config{
		AppSecret: graphtest.AppSecret,
		PageID:    graphtest.PageID,
		PageToken: graphtest.PageToken,
		BaseURL:   s.URL,
	}, append([]graph.Option{graph.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		tb.Fatalf("graph.New: %v", err)
	}
	return c
}

func TestClientCalls(t *testing.T) {
	recipient := `{"id":"2400000000000001"}`
	tests := []struct {
		name       string
		call       func(ctx context.Context, c graph.API) (string, error)
		wantMethod string
		wantPath   string
		wantParams url.Values
		wantResult string
	}{
		{
			name: "ReplyComment",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return c.ReplyComment(ctx, "123_456", "Bonjour, voici la réponse.")
			},
			wantMethod: "POST", wantPath: "/123_456/comments",
			wantParams: url.Values{"message": {"Bonjour, voici la réponse."}},
			wantResult: "123_456_reply1",
		},
		{
			name: "HideComment hidden",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return "", c.HideComment(ctx, "123_456", true)
			},
			wantMethod: "POST", wantPath: "/123_456",
			wantParams: url.Values{"is_hidden": {"true"}},
		},
		{
			name: "HideComment unhidden",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return "", c.HideComment(ctx, "123_456", false)
			},
			wantMethod: "POST", wantPath: "/123_456",
			wantParams: url.Values{"is_hidden": {"false"}},
		},
		{
			name: "PrivateReply",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return c.PrivateReply(ctx, "123_456", "Voici le détail.")
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/messages",
			wantParams: url.Values{
				"recipient": {`{"comment_id":"123_456"}`},
				"message":   {`{"text":"Voici le détail."}`},
			},
			wantResult: "m_graphtest_1",
		},
		{
			name: "SendMessage response with dedupe key",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return c.SendMessage(ctx, "2400000000000001", "Merci !", graph.SendOptions{Metadata: "outbox:42"})
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/messages",
			wantParams: url.Values{
				"recipient":      {recipient},
				"messaging_type": {"RESPONSE"},
				"message":        {`{"metadata":"outbox:42","text":"Merci !"}`},
			},
			wantResult: "m_graphtest_1",
		},
		{
			name: "SendMessage human agent",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return c.SendMessage(ctx, "2400000000000001", "Une conseillère vous répond.", graph.SendOptions{HumanAgent: true})
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/messages",
			wantParams: url.Values{
				"recipient":      {recipient},
				"messaging_type": {"MESSAGE_TAG"},
				"tag":            {"HUMAN_AGENT"},
				"message":        {`{"text":"Une conseillère vous répond."}`},
			},
			wantResult: "m_graphtest_1",
		},
		{
			name: "MarkSeen",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return "", c.MarkSeen(ctx, "2400000000000001")
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/messages",
			wantParams: url.Values{"recipient": {recipient}, "sender_action": {"mark_seen"}},
		},
		{
			name: "PassThreadToInbox",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return "", c.PassThreadToInbox(ctx, "2400000000000001", "escalade case 7")
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/pass_thread_control",
			wantParams: url.Values{
				"recipient":     {recipient},
				"target_app_id": {"263902037430900"},
				"metadata":      {"escalade case 7"},
			},
		},
		{
			name: "PassThreadToInbox without metadata",
			call: func(ctx context.Context, c graph.API) (string, error) {
				return "", c.PassThreadToInbox(ctx, "2400000000000001", "")
			},
			wantMethod: "POST", wantPath: "/" + graphtest.PageID + "/pass_thread_control",
			wantParams: url.Values{"recipient": {recipient}, "target_app_id": {"263902037430900"}},
		},
		{
			name: "Comment",
			call: func(ctx context.Context, c graph.API) (string, error) {
				info, err := c.Comment(ctx, "123_456")
				return info.ID, err
			},
			wantMethod: "GET", wantPath: "/123_456",
			wantParams: url.Values{"fields": {"can_reply_privately,is_hidden,from,message"}},
			wantResult: "123_456",
		},
		{
			name: "PageReplies",
			call: func(ctx context.Context, c graph.API) (string, error) {
				ids, err := c.PageReplies(ctx, "123_456")
				return strings.Join(ids, ","), err
			},
			wantMethod: "GET", wantPath: "/123_456/comments",
			wantParams: url.Values{"fields": {"id,from"}, "filter": {"stream"}, "order": {"reverse_chronological"}, "limit": {"100"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			c := MustClient(t, s)
			got, err := tc.call(t.Context(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if got != tc.wantResult {
				t.Errorf("result = %q, want %q", got, tc.wantResult)
			}
			want := []graphtest.Call{{
				Method: tc.wantMethod, Path: tc.wantPath, Version: graph.DefaultAPIVersion,
				Params: tc.wantParams, Token: graphtest.PageToken, HasProof: true,
			}}
			if diff := cmp.Diff(want, s.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommentDecodes(t *testing.T) {
	s := graphtest.New(t)
	s.SetObject("123_456", map[string]any{
		"message":             "Ma CAF ne répond pas",
		"from":                map[string]any{"id": "777", "name": "Ana"},
		"is_hidden":           true,
		"can_reply_privately": false,
	})
	c := MustClient(t, s)
	got, err := c.Comment(t.Context(), "123_456")
	if err != nil {
		t.Fatalf("Comment: %v", err)
	}
	want := graph.CommentInfo{
		ID: "123_456", Message: "Ma CAF ne répond pas", FromID: "777", FromName: "Ana",
		IsHidden: true, CanReplyPrivately: false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Comment (-want +got):\n%s", diff)
	}
}

func TestPageReplies(t *testing.T) {
	s := graphtest.New(t)
	c := MustClient(t, s)
	ctx := t.Context()
	if ids, err := c.PageReplies(ctx, "123_456"); err != nil || len(ids) != 0 {
		t.Fatalf("PageReplies(no reply) = %v, %v; want none", ids, err)
	}
	s.AddReply("123_456", "777", "Moi aussi j'attends")
	ours, err := c.ReplyComment(ctx, "123_456", "Bonjour, voici la réponse.")
	if err != nil {
		t.Fatal(err)
	}
	s.AddReply("123_456", "888", "Merci")
	agent := s.AddReply("123_456", graphtest.PageID, "Une conseillère vous répond.")
	s.AddReply("999_000", graphtest.PageID, "Réponse sous un autre commentaire")
	got, err := c.PageReplies(ctx, "123_456")
	if err != nil {
		t.Fatalf("PageReplies: %v", err)
	}
	if diff := cmp.Diff([]string{agent, ours}, got); diff != "" {
		t.Errorf("PageReplies (-want +got), the Page's replies newest first:\n%s", diff)
	}
}

func TestPageRepliesPages(t *testing.T) {
	tests := []struct {
		name      string
		users     int // replies from users after the Page's
		wantCalls int
		wantErr   graph.Class // Done for no error
	}{
		{"one page", 10, 1, graph.Done},
		{"exactly one full page", 99, 1, graph.Done},
		{"three pages", 250, 3, graph.Done},
		{"too many to tell", 1000, 10, graph.Permanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			ours := s.AddReply("123_456", graphtest.PageID, "Bonjour")
			for i := range tc.users {
				s.AddReply("123_456", fmt.Sprint(1000+i), "Moi aussi")
			}
			got, err := MustClient(t, s).PageReplies(t.Context(), "123_456")
			if class := graph.Classify(err); class != tc.wantErr {
				t.Fatalf("PageReplies error = %v, want class %v", err, tc.wantErr)
			}
			if err == nil && (len(got) != 1 || got[0] != ours) {
				t.Errorf("PageReplies = %v, want [%s] (the oldest reply, on the last page)", got, ours)
			}
			calls := s.Calls()
			if len(calls) != tc.wantCalls {
				t.Fatalf("calls = %d, want %d", len(calls), tc.wantCalls)
			}
			for i, call := range calls {
				after := call.Params.Get("after")
				if (i == 0) != (after == "") {
					t.Errorf("call %d after = %q, want a cursor on every page but the first", i, after)
				}
			}
		})
	}
}

func TestPageRepliesErrors(t *testing.T) {
	tests := []struct {
		name      string
		responses []graphtest.Response
		wantErr   bool
		wantClass graph.Class
		wantCalls int
	}{
		{name: "comment gone is Done", responses: []graphtest.Response{graphtest.Error(100, 33)}, wantErr: true, wantClass: graph.Done, wantCalls: 1},
		{name: "HTML 502 on a read is retried", responses: []graphtest.Response{graphtest.HTML(502)}, wantCalls: 2},
		{name: "permission missing", responses: []graphtest.Response{graphtest.Error(10, 0)}, wantErr: true, wantClass: graph.Permanent, wantCalls: 1},
		{name: "answer without data", responses: []graphtest.Response{{Body: `{"id":"123_456"}`}}, wantErr: true, wantClass: graph.Permanent, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.Fail("GET /comments", tc.responses...)
			_, err := MustClient(t, s).PageReplies(t.Context(), "123_456")
			switch {
			case !tc.wantErr && err != nil:
				t.Errorf("PageReplies error = %v, want nil", err)
			case tc.wantErr && (err == nil || graph.Classify(err) != tc.wantClass):
				t.Errorf("PageReplies error = %v, want a %v error", err, tc.wantClass)
			}
			if got := len(s.Calls()); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestBaseURLAndVersion(t *testing.T) {
	tests := []struct {
		name        string
		suffix      string
		version     string
		wantVersion string
	}{
		{name: "without trailing slash", suffix: "", wantVersion: "v25.0"},
		{name: "with trailing slash", suffix: "/", wantVersion: "v25.0"},
		{name: "with several slashes", suffix: "//", wantVersion: "v25.0"},
		{name: "pinned version", suffix: "/", version: "v24.0", wantVersion: "v24.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			c, err := graph.New(graph.Config{
				AppSecret: graphtest.AppSecret, PageID: graphtest.PageID, PageToken: graphtest.PageToken,
				BaseURL: s.URL + tc.suffix, APIVersion: tc.version,
			})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := c.HideComment(t.Context(), "123_456", true); err != nil {
				t.Fatalf("HideComment: %v", err)
			}
			calls := s.Calls()
			if len(calls) != 1 {
				t.Fatalf("got %d calls, want 1", len(calls))
			}
			if got, want := calls[0].Path, "/123_456"; got != want {
				t.Errorf("path = %q, want %q", got, want)
			}
			if got, want := calls[0].Version, tc.wantVersion; got != want {
				t.Errorf("version = %q, want %q", got, want)
			}
			if !calls[0].HasProof {
				t.Errorf("HasProof = false, want true")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	ok := graph.Config{AppSecret: "s3cret-app", PageID: "1", PageToken: "EAAB-page-token"}
	tests := []struct {
		name   string
		change func(*graph.Config)
		want   string
	}{
		{name: "no token", change: func(c *graph.Config) { c.PageToken = "" }, want: "page token"},
		{name: "no app secret", change: func(c *graph.Config) { c.AppSecret = "" }, want: "app secret"},
		{name: "no page id", change: func(c *graph.Config) { c.PageID = "" }, want: "page id"},
		{name: "page id with slash", change: func(c *graph.Config) { c.PageID = "1/2" }, want: "page id"},
		{name: "bad base URL", change: func(c *graph.Config) { c.BaseURL = "graph.facebook.com" }, want: "base URL"},
		{name: "bad version", change: func(c *graph.Config) { c.APIVersion = "25" }, want: "API version"},
		{name: "negative timeout", change: func(c *graph.Config) { c.Timeout = -time.Second }, want: "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.change(&cfg)
			_, err := graph.New(cfg)
			if err == nil {
				t.Fatalf("New(%s) = nil error, want one mentioning %q", tc.name, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %q, want it to mention %q", err, tc.want)
			}
			for _, secret := range []string{ok.PageToken, ok.AppSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("New error = %q, contains a secret", err)
				}
			}
		})
	}
	if _, err := graph.New(ok); err != nil {
		t.Errorf("New(valid config) = %v, want nil", err)
	}
}

func TestInvalidArgumentsMakeNoCall(t *testing.T) {
	long := strings.Repeat("é", graph.MaxTextLen+1)
	tests := []struct {
		name string
		call func(ctx context.Context, c graph.API) error
	}{
		{"empty comment id", func(ctx context.Context, c graph.API) error { _, err := c.ReplyComment(ctx, "", "x"); return err }},
		{"comment id with query", func(ctx context.Context, c graph.API) error {
			return c.HideComment(ctx, "1?fields=x", true)
		}},
		{"comment id with dots", func(ctx context.Context, c graph.API) error { _, err := c.Comment(ctx, ".."); return err }},
		{"empty reply", func(ctx context.Context, c graph.API) error { _, err := c.ReplyComment(ctx, "1_2", " "); return err }},
		{"replies of a comment id with a slash", func(ctx context.Context, c graph.API) error {
			_, err := c.PageReplies(ctx, "1_2/likes")
			return err
		}},
		{"empty psid", func(ctx context.Context, c graph.API) error { return c.MarkSeen(ctx, "") }},
		{"text too long", func(ctx context.Context, c graph.API) error {
			_, err := c.SendMessage(ctx, "24", long, graph.SendOptions{})
			return err
		}},
		{"private reply too long", func(ctx context.Context, c graph.API) error {
			_, err := c.PrivateReply(ctx, "1_2", long)
			return err
		}},
		{"metadata too long", func(ctx context.Context, c graph.API) error {
			_, err := c.SendMessage(ctx, "24", "ok", graph.SendOptions{Metadata: strings.Repeat("k", graph.MaxMetadataLen+1)})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			err := tc.call(t.Context(), MustClient(t, s))
			var e *graph.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *graph.Error", err)
			}
			if got, want := e.Class, graph.Permanent; got != want {
				t.Errorf("class = %v, want %v", got, want)
			}
			if got := len(s.Calls()); got != 0 {
				t.Errorf("got %d calls, want 0", got)
			}
		})
	}
}

func TestMetadataAtLimitIsSent(t *testing.T) {
	s := graphtest.New(t)
	key := strings.Repeat("k", graph.MaxMetadataLen)
	if _, err := MustClient(t, s).SendMessage(t.Context(), "24", "ok", graph.SendOptions{Metadata: key}); err != nil {
		t.Fatalf("SendMessage with %d-character metadata: %v", len(key), err)
	}
	var msg struct{ Metadata string }
	if err := s.Calls()[0].JSON("message", &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Metadata != key {
		t.Errorf("metadata sent has %d characters, want %d", len(msg.Metadata), len(key))
	}
}

func TestConcurrentCalls(t *testing.T) {
	s := graphtest.New(t)
	s.SetHeader("X-App-Usage", `{"call_count":10,"total_time":10,"total_cputime":10}`)
	c := MustClient(t, s)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := c.SendMessage(t.Context(), "24", fmt.Sprintf("message %d", i), graph.SendOptions{}); err != nil {
				t.Errorf("SendMessage: %v", err)
			}
			_ = c.Usage()
		})
	}
	wg.Wait()
	calls := s.Calls()
	if got, want := len(calls), 20; got != want {
		t.Fatalf("HTTP calls = %d, want %d", got, want)
	}
	for _, call := range calls {
		if !call.HasProof {
			t.Errorf("call %s has no valid appsecret_proof", call)
		}
	}
}
