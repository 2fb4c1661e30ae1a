package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"pagebot/metrics"
)

// MustScrape GETs h like Prometheus does and parses the text exposition.
func MustScrape(tb testing.TB, h http.Handler) map[string]*dto.MetricFamily {
	tb.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("scrape: read body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("scrape: status = %d, want 200; body:\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("scrape: Content-Type = %q, want text/plain", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		tb.Fatalf("scrape: parse: %v\n%s", err, body)
	}
	return fams
}

// series finds the metric of family name whose labels are exactly labels
// ("k=v" pairs); nil when there is none.
func series(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	want := append([]string(nil), labels...)
	sort.Strings(want)
	for _, m := range f.GetMetric() {
		var got []string
		for _, lp := range m.GetLabel() {
			got = append(got, lp.GetName()+"="+lp.GetValue())
		}
		sort.Strings(got)
		if strings.Join(got, ",") == strings.Join(want, ",") {
			return m
		}
	}
	return nil
}

// value returns a counter's or gauge's value, failing the test when the
// series is missing.
func value(tb testing.TB, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	tb.Helper()
	m := series(fams, name, labels...)
	switch {
	case m == nil:
		tb.Errorf("series %s%v missing", name, labels)
		return math.NaN()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	tb.Errorf("series %s%v is neither a counter nor a gauge", name, labels)
	return math.NaN()
}

// histogram returns a histogram's count, sum and cumulative bucket counts by
// upper bound.
func histogram(tb testing.TB, fams map[string]*dto.MetricFamily, name string) (count uint64, sum float64, buckets map[float64]uint64, bounds []float64) {
	tb.Helper()
	m := series(fams, name)
	if m == nil || m.Histogram == nil {
		tb.Fatalf("histogram %s missing", name)
	}
	h := m.Histogram
	buckets = make(map[float64]uint64)
	for _, b := range h.GetBucket() {
		buckets[b.GetUpperBound()] = b.GetCumulativeCount()
		if !math.IsInf(b.GetUpperBound(), 1) {
			bounds = append(bounds, b.GetUpperBound())
		}
	}
	return h.GetSampleCount(), h.GetSampleSum(), buckets, bounds
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestHooks(t *testing.T) {
	m := metrics.New(nil)

	m.EventReceived("comment_add")
	m.EventReceived("comment_add")
	m.EventReceived("message")
	m.WebhookRequest(200, 3*time.Millisecond)
	m.WebhookRequest(200, 40*time.Millisecond)
	m.WebhookRequest(403, 150*time.Millisecond)
	m.Decision("answer", 80*time.Microsecond, false)
	m.Decision("answer", 700*time.Microsecond, true)
	m.Decision("escalate", 20*time.Millisecond, false)
	m.GraphCall("reply_comment", metrics.ResultDone)
	m.GraphCall("hide_comment", metrics.ResultRetry)
	m.GraphCall("hide_comment", metrics.ResultRetry)
	m.GraphCall("send_message", metrics.ResultFailed)
	m.GraphCall("private_reply", metrics.ResultDropped)

	fams := MustScrape(t, m.Handler())

	counters := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"pagebot_events_received_total", []string{"kind=comment_add"}, 2},
		{"pagebot_events_received_total", []string{"kind=message"}, 1},
		{"pagebot_events_received_total", []string{"kind=echo"}, 0}, // created at zero
		{"pagebot_webhook_requests_total", []string{"code=200"}, 2},
		{"pagebot_webhook_requests_total", []string{"code=403"}, 1},
		{"pagebot_webhook_requests_total", []string{"code=500"}, 0},
		{"pagebot_decisions_total", []string{"action=answer"}, 2},
		{"pagebot_decisions_total", []string{"action=escalate"}, 1},
		{"pagebot_decisions_total", []string{"action=redirect"}, 0},
		{"pagebot_decisions_total", []string{"action=ignore"}, 0},
		{"pagebot_comments_hidden_total", nil, 1},
		{"pagebot_graph_calls_total", []string{"kind=reply_comment", "result=done"}, 1},
		{"pagebot_graph_calls_total", []string{"kind=hide_comment", "result=retry"}, 2},
		{"pagebot_graph_calls_total", []string{"kind=send_message", "result=failed"}, 1},
		{"pagebot_graph_calls_total", []string{"kind=private_reply", "result=dropped"}, 1},
		{"pagebot_graph_calls_total", []string{"kind=pass_thread", "result=done"}, 0},
	}
	for _, c := range counters {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if n := len(fams["pagebot_events_received_total"].GetMetric()); n != 9 {
		t.Errorf("pagebot_events_received_total has %d series, want the 9 event kinds", n)
	}
	if n := len(fams["pagebot_graph_calls_total"].GetMetric()); n != 7*4 {
		t.Errorf("pagebot_graph_calls_total has %d series, want 7 kinds × 4 results", n)
	}

	t.Run("ack_seconds", func(t *testing.T) {
		count, sum, buckets, bounds := histogram(t, fams, "pagebot_ack_seconds")
		if count != 3 || !near(sum, 0.193) {
			t.Errorf("count, sum = %d, %v, want 3, 0.193", count, sum)
		}
		for le, want := range map[float64]uint64{.001: 0, .0025: 0, .005: 1, .025: 1, .05: 2, .1: 2, .25: 3, math.Inf(1): 3} {
			if got, ok := buckets[le]; !ok || got != want {
				t.Errorf("bucket le=%v = %d (exists: %v), want %d", le, got, ok, want)
			}
		}
		if bounds[0] != 0.001 || bounds[len(bounds)-1] < 0.1 {
			t.Errorf("bounds = %v, want from 1 ms to at least 100 ms", bounds)
		}
	})
	t.Run("decision_seconds", func(t *testing.T) {
		count, sum, buckets, bounds := histogram(t, fams, "pagebot_decision_seconds")
		if count != 3 || !near(sum, 0.02078) {
			t.Errorf("count, sum = %d, %v, want 3, 0.02078", count, sum)
		}
		for le, want := range map[float64]uint64{50e-6: 0, 100e-6: 1, 500e-6: 1, .001: 2, .01: 2, math.Inf(1): 3} {
			if got, ok := buckets[le]; !ok || got != want {
				t.Errorf("bucket le=%v = %d (exists: %v), want %d", le, got, ok, want)
			}
		}
		if bounds[0] != 50e-6 || bounds[len(bounds)-1] != 0.01 {
			t.Errorf("bounds = %v, want from 50 µs to 10 ms", bounds)
		}
	})

	// Without a StatsFunc there are no store gauges, and the runtime
	// collectors are on the registry.
	for _, name := range []string{"pagebot_stats_up", "pagebot_queue_events", "pagebot_cases_open"} {
		if fams[name] != nil {
			t.Errorf("%s present without a StatsFunc", name)
		}
	}
	if fams["go_goroutines"] == nil {
		t.Error("go_goroutines missing: the Go collector is not registered")
	}
}

func TestStats(t *testing.T) {
	gauges := []string{"pagebot_queue_events", "pagebot_queue_actions", "pagebot_cases_open", "pagebot_cases_past_due"}

	t.Run("ok", func(t *testing.T) {
		calls := 0
		m := metrics.New(func(ctx context.Context) (int, int, int, int, int, error) {
			calls++
			if _, ok := ctx.Deadline(); !ok {
				t.Error("StatsFunc called without a deadline")
			}
			return 3, 2, 5, 7, 1, nil
		})
		fams := MustScrape(t, m.Handler())
		if calls != 1 {
			t.Errorf("StatsFunc called %d times for one scrape, want 1", calls)
		}
		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"pagebot_stats_up", nil, 1},
			{"pagebot_queue_events", []string{"state=pending"}, 3},
			{"pagebot_queue_events", []string{"state=claimed"}, 2},
			{"pagebot_queue_actions", nil, 5},
			{"pagebot_cases_open", nil, 7},
			{"pagebot_cases_past_due", nil, 1},
		} {
			if got := value(t, fams, c.name, c.labels...); got != c.want {
				t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
			}
			if typ := fams[c.name].GetType(); typ != dto.MetricType_GAUGE {
				t.Errorf("%s type = %v, want GAUGE", c.name, typ)
			}
		}
		// Read at scrape time: a second scrape calls the func again.
		MustScrape(t, m.Handler())
		if calls != 2 {
			t.Errorf("StatsFunc called %d times after two scrapes, want 2", calls)
		}
	})

	t.Run("error", func(t *testing.T) {
		m := metrics.New(func(context.Context) (int, int, int, int, int, error) {
			return 3, 2, 5, 7, 1, errors.New("database is locked")
		})
		m.EventReceived("message")
		fams := MustScrape(t, m.Handler())
		if got := value(t, fams, "pagebot_stats_up"); got != 0 {
			t.Errorf("pagebot_stats_up = %v, want 0", got)
		}
		for _, name := range gauges {
			if fams[name] != nil {
				t.Errorf("%s present although the StatsFunc failed", name)
			}
		}
		if got := value(t, fams, "pagebot_events_received_total", "kind=message"); got != 1 {
			t.Errorf("events_received_total{kind=message} = %v, want 1: the other metrics must still be served", got)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		m := metrics.New(func(ctx context.Context) (int, int, int, int, int, error) {
			select {
			case <-ctx.Done():
				return 0, 0, 0, 0, 0, ctx.Err()
			case <-time.After(10 * time.Second):
				t.Error("StatsFunc context not cancelled after the timeout")
				return 0, 0, 0, 0, 0, nil
			}
		})
		metrics.SetStatsTimeout(m, 20*time.Millisecond)
		start := time.Now()
		fams := MustScrape(t, m.Handler())
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("scrape took %v with a 20 ms stats timeout", d)
		}
		if got := value(t, fams, "pagebot_stats_up"); got != 0 {
			t.Errorf("pagebot_stats_up = %v, want 0", got)
		}
	})

	t.Run("deadline ignored", func(t *testing.T) {
		// A StatsFunc that answers late without an error is not trusted.
		m := metrics.New(func(ctx context.Context) (int, int, int, int, int, error) {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Error("StatsFunc context not cancelled after the timeout")
			}
			return 1, 1, 1, 1, 1, nil
		})
		metrics.SetStatsTimeout(m, 10*time.Millisecond)
		fams := MustScrape(t, m.Handler())
		if got := value(t, fams, "pagebot_stats_up"); got != 0 {
			t.Errorf("pagebot_stats_up = %v, want 0", got)
		}
		if fams["pagebot_cases_open"] != nil {
			t.Error("pagebot_cases_open present although the StatsFunc missed its deadline")
		}
	})
}

func TestInstrumentWebhook(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		code    string // "" when the request must not be recorded
	}{
		{"explicit status", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "request entity too large", http.StatusRequestEntityTooLarge)
		}, "413"},
		{"implicit 200 on write", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "EVENT_RECEIVED")
		}, "200"},
		{"nothing written", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {}, "200"},
		{"first status wins", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.WriteHeader(http.StatusOK) // superfluous, ignored by net/http too
		}, "500"},
		{"handshake not recorded", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "challenge")
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(nil)
			const sleep = 5 * time.Millisecond
			h := m.InstrumentWebhook(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(sleep)
				tc.handler(w, r)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, "/webhook", strings.NewReader("{}")))

			fams := MustScrape(t, m.Handler())
			count, sum, _, _ := histogram(t, fams, "pagebot_ack_seconds")
			var total float64
			for _, s := range fams["pagebot_webhook_requests_total"].GetMetric() {
				total += s.GetCounter().GetValue()
			}
			if tc.code == "" {
				if count != 0 || total != 0 {
					t.Errorf("ack count, requests = %d, %v, want 0, 0", count, total)
				}
				return
			}
			if got := value(t, fams, "pagebot_webhook_requests_total", "code="+tc.code); got != 1 || total != 1 {
				t.Errorf("webhook_requests_total{code=%s}, total = %v, %v, want 1, 1", tc.code, got, total)
			}
			if count != 1 || sum < sleep.Seconds() {
				t.Errorf("ack count, sum = %d, %v, want 1, >= %v", count, sum, sleep.Seconds())
			}
		})
	}

	t.Run("response controller", func(t *testing.T) {
		m := metrics.New(nil)
		var flushErr error
		h := m.InstrumentWebhook(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			flushErr = http.NewResponseController(w).Flush()
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook", nil))
		if flushErr != nil || !rec.Flushed {
			t.Errorf("Flush through the wrapper: err = %v, flushed = %v, want nil, true", flushErr, rec.Flushed)
		}
	})
}

func TestNil(t *testing.T) {
	var m *metrics.Metrics
	m.EventReceived("message")
	m.WebhookRequest(200, time.Millisecond)
	m.Decision("answer", time.Millisecond, true)
	m.GraphCall("send_message", metrics.ResultDone)
	if r := m.Registry(); r != nil {
		t.Errorf("Registry() = %v, want nil", r)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Handler() status = %d, want 404", rec.Code)
	}

	rec = httptest.NewRecorder()
	m.InstrumentWebhook(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("nil InstrumentWebhook: status = %d, want the wrapped handler's 418", rec.Code)
	}
}

// TestOwnRegistry checks that two Metrics coexist (the global registry would
// panic on the second registration) and that nothing lands on the global one.
func TestOwnRegistry(t *testing.T) {
	a := metrics.New(nil)
	b := metrics.New(nil)
	a.EventReceived("message")
	if got := value(t, MustScrape(t, b.Handler()), "pagebot_events_received_total", "kind=message"); got != 0 {
		t.Errorf("second Metrics sees events_received_total{kind=message} = %v, want 0", got)
	}
	global, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range global {
		if strings.HasPrefix(f.GetName(), metrics.Namespace+"_") {
			t.Errorf("%s registered on the global registry", f.GetName())
		}
	}
}

func TestConcurrent(t *testing.T) {
	var mu sync.Mutex
	pending := 0
	m := metrics.New(func(context.Context) (int, int, int, int, int, error) {
		mu.Lock()
		defer mu.Unlock()
		return pending, 0, 0, 0, 0, nil
	})
	const goroutines, each = 8, 100
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				m.EventReceived("comment_add")
				m.Decision("ignore", time.Duration(j)*time.Microsecond, j%2 == 0)
				m.GraphCall("mark_seen", metrics.ResultDone)
				if j%25 == 0 {
					mu.Lock()
					pending = i
					mu.Unlock()
					rec := httptest.NewRecorder()
					m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
					if rec.Code != http.StatusOK {
						t.Errorf("scrape during updates: status %d", rec.Code)
					}
				}
			}
		}()
	}
	wg.Wait()
	fams := MustScrape(t, m.Handler())
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"pagebot_events_received_total", []string{"kind=comment_add"}, goroutines * each},
		{"pagebot_decisions_total", []string{"action=ignore"}, goroutines * each},
		{"pagebot_comments_hidden_total", nil, goroutines * each / 2},
		{"pagebot_graph_calls_total", []string{"kind=mark_seen", "result=done"}, goroutines * each},
	} {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// Example shows the wiring of cmd/pagebot serve.
func Example() {
	m := metrics.New(func(ctx context.Context) (int, int, int, int, int, error) {
		return 0, 0, 4, 1, 0, nil // the store's counts
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("POST /webhook", m.InstrumentWebhook(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.EventReceived("message") // the webhook, for each stored event
		io.WriteString(w, "EVENT_RECEIVED")
	})))
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/webhook", nil))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "pagebot_events_received_total{kind=\"message\"}") ||
			strings.HasPrefix(line, "pagebot_webhook_requests_total") ||
			strings.HasPrefix(line, "pagebot_queue_actions") {
			fmt.Println(line)
		}
	}
	// Output:
	// pagebot_events_received_total{kind="message"} 1
	// pagebot_queue_actions 4
	// pagebot_webhook_requests_total{code="200"} 1
	// pagebot_webhook_requests_total{code="500"} 0
}
