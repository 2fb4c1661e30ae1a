package graph_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"pagebot/graph"
	"pagebot/graph/graphtest"
)

func TestUsage(t *testing.T) {
	buc := func(callCount, regain int) string {
		return `{"` + graphtest.PageID + `":[{"type":"pages","call_count":` + strconv.Itoa(callCount) +
			`,"total_cputime":5,"total_time":6,"estimated_time_to_regain_access":` + strconv.Itoa(regain) + `}]}`
	}
	tests := []struct {
		name       string
		header     map[string]string
		error      bool // answer with a rate-limit error rather than success
		wantPct    int
		wantRegain time.Duration
	}{
		{name: "no headers", wantPct: 0},
		{name: "app usage", header: map[string]string{"X-App-Usage": `{"call_count":28,"total_time":25,"total_cputime":91}`}, wantPct: 91},
		{name: "page usage", header: map[string]string{"X-Page-Usage": `{"call_count":77,"total_time":1,"total_cputime":1}`}, wantPct: 77},
		{
			name: "business use case above app",
			header: map[string]string{
				"X-App-Usage":               `{"call_count":28,"total_time":25,"total_cputime":25}`,
				"X-Business-Use-Case-Usage": buc(40, 0),
			},
			wantPct: 40,
		},
		{
			name:       "regain access estimate",
			header:     map[string]string{"X-Business-Use-Case-Usage": buc(100, 12)},
			error:      true,
			wantPct:    100,
			wantRegain: 12 * time.Minute,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			resp := graphtest.Response{Body: `{"success":true}`}
			if tc.error {
				resp = graphtest.Error(80001, 0)
			}
			for k, v := range tc.header {
				resp = resp.WithHeader(k, v)
			}
			s.Fail("", resp)
			c := MustClient(t, s, graph.WithRetry(graph.RetryPolicy{Attempts: 1}))
			before := time.Now()
			_ = c.HideComment(t.Context(), "1_2", true)
			got := c.Usage()
			if got.Percent != tc.wantPct || got.RegainAccess != tc.wantRegain {
				t.Errorf("Usage() = %d %%, regain %v, want %d %%, regain %v", got.Percent, got.RegainAccess, tc.wantPct, tc.wantRegain)
			}
			if got.At.Before(before) {
				t.Errorf("Usage().At = %v, want after %v", got.At, before)
			}
		})
	}
}

func TestThrottle(t *testing.T) {
	tests := []struct {
		name     string
		usage    string
		throttle graph.Throttle
		wantMin  time.Duration
		wantMax  time.Duration
	}{
		{
			name:     "above threshold waits",
			usage:    `{"call_count":95,"total_time":10,"total_cputime":10}`,
			throttle: graph.Throttle{Threshold: 90, Wait: 300 * time.Millisecond, MaxWait: time.Second},
			wantMin:  300 * time.Millisecond, wantMax: 5 * time.Second,
		},
		{
			name:     "wait is bounded by MaxWait",
			usage:    `{"call_count":95,"total_time":10,"total_cputime":10}`,
			throttle: graph.Throttle{Threshold: 90, Wait: time.Hour, MaxWait: 300 * time.Millisecond},
			wantMin:  300 * time.Millisecond, wantMax: 5 * time.Second,
		},
		{
			name:     "below threshold does not wait",
			usage:    `{"call_count":89,"total_time":10,"total_cputime":10}`,
			throttle: graph.Throttle{Threshold: 90, Wait: 10 * time.Second, MaxWait: 10 * time.Second},
			wantMin:  0, wantMax: 5 * time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			s.SetHeader("X-App-Usage", tc.usage)
			c := MustClient(t, s, graph.WithThrottle(tc.throttle))
			if err := c.MarkSeen(t.Context(), "24"); err != nil {
				t.Fatalf("first MarkSeen: %v", err)
			}
			start := time.Now()
			if err := c.MarkSeen(t.Context(), "24"); err != nil {
				t.Fatalf("second MarkSeen: %v", err)
			}
			if got := time.Since(start); got < tc.wantMin || got > tc.wantMax {
				t.Errorf("second call took %v, want between %v and %v", got, tc.wantMin, tc.wantMax)
			}
			if got := len(s.Calls()); got != 2 {
				t.Errorf("HTTP calls = %d, want 2", got)
			}
		})
	}
}

func TestThrottleRegainAccessFailsFast(t *testing.T) {
	s := graphtest.New(t)
	s.SetHeader("X-Business-Use-Case-Usage",
		`{"`+graphtest.PageID+`":[{"type":"messenger","call_count":100,"total_cputime":5,"total_time":6,"estimated_time_to_regain_access":30}]}`)
	c := MustClient(t, s, graph.WithThrottle(graph.Throttle{MaxWait: time.Minute}))
	if err := c.MarkSeen(t.Context(), "24"); err != nil {
		t.Fatalf("first MarkSeen: %v", err)
	}
	_, err := c.SendMessage(t.Context(), "24", "ok", graph.SendOptions{})
	var e *graph.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *graph.Error", err)
	}
	if e.Class != graph.RateLimited {
		t.Errorf("class = %v, want %v", e.Class, graph.RateLimited)
	}
	if e.RegainAccess < 29*time.Minute || e.RegainAccess > 30*time.Minute {
		t.Errorf("RegainAccess = %v, want about 30m", e.RegainAccess)
	}
	if got := len(s.Calls()); got != 1 {
		t.Errorf("HTTP calls = %d, want 1 (the second call must not be sent)", got)
	}
}

func TestThrottleWaitStopsWithContext(t *testing.T) {
	s := graphtest.New(t)
	s.SetHeader("X-App-Usage", `{"call_count":99,"total_time":10,"total_cputime":10}`)
	c := MustClient(t, s, graph.WithThrottle(graph.Throttle{Wait: time.Minute, MaxWait: time.Minute}))
	if err := c.MarkSeen(t.Context(), "24"); err != nil {
		t.Fatalf("first MarkSeen: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := c.MarkSeen(ctx, "24")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if got := len(s.Calls()); got != 1 {
		t.Errorf("HTTP calls = %d, want 1", got)
	}
}
