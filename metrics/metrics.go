// Package metrics exposes pagebot's Prometheus metrics on /metrics: what the
// webhook received and how fast Meta got its 200, what the worker decided and
// how long deciding took, how the Graph calls of the outbox ended, and, read
// from the store at scrape time, how much work is waiting.
//
// Everything lives on the Metrics' own prometheus.Registry, never on the
// global one, so that tests and several servers in one process each get
// their own counters. Every method is a no-op on a nil *Metrics: components
// take an optional recorder and run without metrics in tests.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pagebot"
)

// Namespace prefixes every pagebot metric name.
const Namespace = "pagebot"

// Graph call results, the values of the result label of
// pagebot_graph_calls_total.
const (
	// ResultDone is a call that took effect (or had nothing left to do).
	ResultDone = "done"
	// ResultRetry is a transient failure: the action is rescheduled.
	ResultRetry = "retry"
	// ResultFailed is a permanent failure or a last attempt: the action is
	// set aside and its conversation escalated.
	ResultFailed = "failed"
	// ResultDropped is a call that no longer makes sense (the comment or the
	// user is gone): dropped without escalation.
	ResultDropped = "dropped"
)

// DefaultStatsTimeout bounds the StatsFunc call of one scrape: a slow or
// locked database must not hold /metrics, and the other metrics are still
// served when it times out.
const DefaultStatsTimeout = 2 * time.Second

// StatsFunc counts the work waiting in the store; it is called once per
// scrape with a context that times out after DefaultStatsTimeout.
// eventsPending are unhandled events nobody holds, eventsClaimed those under
// a running lease, actionsPending the outbox actions still to run, casesOpen
// the escalations waiting for an agent and casesPastDue the open ones whose
// due time has passed.
type StatsFunc func(ctx context.Context) (eventsPending, eventsClaimed, actionsPending, casesOpen, casesPastDue int, err error)

// Buckets of the two latency histograms, in seconds.
var (
	// AckBuckets resolve the webhook's acknowledgement latency between
	// 1 ms and 100 ms (a group commit of SQLite), with a tail up to 1 s so
	// that a slow disk shows before Meta's timeouts do.
	AckBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}
	// DecisionBuckets resolve one decision (masking aside: search, scoring,
	// wording) between 50 µs and 10 ms.
	DecisionBuckets = []float64{50e-6, 100e-6, 250e-6, 500e-6, .001, .0025, .005, .01}
)

// Metrics records pagebot's metrics. Create it with New; a nil *Metrics
// records nothing.
type Metrics struct {
	reg       *prometheus.Registry
	events    *prometheus.CounterVec
	requests  *prometheus.CounterVec
	ack       prometheus.Histogram
	decisions *prometheus.CounterVec
	decideDur prometheus.Histogram
	hidden    prometheus.Counter
	graph     *prometheus.CounterVec
	stats     *statsCollector
}

// New returns the metrics on a new registry, which also holds the Go runtime
// and process collectors. stats, when not nil, is called at every scrape for
// the queue and case gauges.
func New(stats StatsFunc) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "events_received_total",
			Help: "Events the webhook stored as new, by kind (duplicate deliveries excluded).",
		}, []string{"kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "webhook_requests_total",
			Help: "Webhook deliveries (POST) answered, by HTTP status code.",
		}, []string{"code"}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "ack_seconds",
			Help:    "Time from receiving a webhook delivery (POST) to answering it.",
			Buckets: AckBuckets,
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "decisions_total",
			Help: "Decisions recorded by the worker, by action (answer, redirect, escalate, ignore).",
		}, []string{"action"}),
		decideDur: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "decision_seconds",
			Help:    "Time the decision engine took for one message.",
			Buckets: DecisionBuckets,
		}),
		hidden: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "comments_hidden_total",
			Help: "Public comments the worker decided to hide because they expose personal data.",
		}),
		graph: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graph_calls_total",
			Help: "Outbox Graph API calls, by action kind and result (done, retry, failed, dropped).",
		}, []string{"kind", "result"}),
	}
	m.reg.MustRegister(m.events, m.requests, m.ack, m.decisions, m.decideDur, m.hidden, m.graph,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		m.stats = newStatsCollector(stats, DefaultStatsTimeout)
		m.reg.MustRegister(m.stats)
	}

	// Create the series that can be known in advance at zero, so that
	// rate() and alerts see them before the first occurrence.
	for _, k := range []pagebot.EventKind{pagebot.EventCommentAdd, pagebot.EventCommentEdited,
		pagebot.EventCommentRemove, pagebot.EventCommentHide, pagebot.EventCommentUnhide,
		pagebot.EventMessage, pagebot.EventPostback, pagebot.EventEcho, pagebot.EventStandby} {
		m.events.WithLabelValues(string(k))
	}
	for _, code := range []int{http.StatusOK, http.StatusInternalServerError} {
		m.requests.WithLabelValues(strconv.Itoa(code))
	}
	for _, a := range []pagebot.Action{pagebot.ActionAnswer, pagebot.ActionRedirect,
		pagebot.ActionEscalate, pagebot.ActionIgnore} {
		m.decisions.WithLabelValues(string(a))
	}
	for _, k := range []pagebot.OutboxKind{pagebot.OutboxReplyComment, pagebot.OutboxHideComment,
		pagebot.OutboxUnhideComment, pagebot.OutboxPrivateReply, pagebot.OutboxSendMessage,
		pagebot.OutboxMarkSeen, pagebot.OutboxPassThread} {
		for _, r := range []string{ResultDone, ResultRetry, ResultFailed, ResultDropped} {
			m.graph.WithLabelValues(string(k), r)
		}
	}
	return m
}

// Registry returns the registry the metrics live on, for tests and for
// registering more collectors; nil on a nil *Metrics.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus exposition formats. On a nil
// *Metrics it answers 404, as if /metrics did not exist.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// EventReceived counts one event the webhook stored, of the given kind
// (pagebot.EventKind).
func (m *Metrics) EventReceived(kind string) {
	if m == nil {
		return
	}
	m.events.WithLabelValues(kind).Inc()
}

// WebhookRequest records one webhook delivery answered with code after d.
func (m *Metrics) WebhookRequest(code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(strconv.Itoa(code)).Inc()
	m.ack.Observe(d.Seconds())
}

// Decision records one decision of the worker: its action
// (pagebot.Action), how long the decision engine took, and whether the
// comment is to be hidden.
func (m *Metrics) Decision(action string, d time.Duration, hidden bool) {
	if m == nil {
		return
	}
	m.decisions.WithLabelValues(action).Inc()
	m.decideDur.Observe(d.Seconds())
	if hidden {
		m.hidden.Inc()
	}
}

// GraphCall records how one outbox action's Graph call ended: kind is the
// pagebot.OutboxKind, result one of ResultDone, ResultRetry, ResultFailed
// and ResultDropped.
func (m *Metrics) GraphCall(kind, result string) {
	if m == nil {
		return
	}
	m.graph.WithLabelValues(kind, result).Inc()
}

// InstrumentWebhook wraps the webhook handler so that every POST is recorded
// with WebhookRequest: its status code and the time from the handler's start
// to its return, which is when the acknowledgement is on its way to Meta.
// Other methods (the GET handshake) pass through unrecorded. On a nil
// *Metrics it returns next itself.
func (m *Metrics) InstrumentWebhook(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK // nothing written: net/http sends 200
		}
		m.WebhookRequest(code, time.Since(start))
	})
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
