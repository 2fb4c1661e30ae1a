package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// statsCollector turns a StatsFunc into gauges, read at scrape time so that
// they are never stale and cost nothing between scrapes.
type statsCollector struct {
	stats   StatsFunc
	timeout time.Duration

	up, events, actions, open, pastDue *prometheus.Desc
}

func newStatsCollector(stats StatsFunc, timeout time.Duration) *statsCollector {
	name := func(n string) string { return prometheus.BuildFQName(Namespace, "", n) }
	return &statsCollector{
		stats:   stats,
		timeout: timeout,
		up: prometheus.NewDesc(name("stats_up"),
			"1 when the store answered the last scrape's count of waiting work, 0 when it failed or timed out (the queue and case gauges are then absent).",
			nil, nil),
		events: prometheus.NewDesc(name("queue_events"),
			"Unhandled events in the store, by state: pending (nobody holds them) or claimed (under a running lease).",
			[]string{"state"}, nil),
		actions: prometheus.NewDesc(name("queue_actions"),
			"Outbox actions still to run, claimed or not.", nil, nil),
		open: prometheus.NewDesc(name("cases_open"),
			"Escalations waiting for an agent.", nil, nil),
		pastDue: prometheus.NewDesc(name("cases_past_due"),
			"Open escalations whose due time has passed.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.events
	ch <- c.actions
	ch <- c.open
	ch <- c.pastDue
}

// Collect implements prometheus.Collector. A failed or slow StatsFunc gives
// pagebot_stats_up 0 and no gauges rather than a failed scrape: the other
// metrics matter most precisely when the database is in trouble.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	pending, claimed, actions, open, pastDue, err := c.stats(ctx)
	if err == nil {
		err = ctx.Err() // a StatsFunc that ignored the deadline
	}
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.events, prometheus.GaugeValue, float64(pending), "pending")
	ch <- prometheus.MustNewConstMetric(c.events, prometheus.GaugeValue, float64(claimed), "claimed")
	ch <- prometheus.MustNewConstMetric(c.actions, prometheus.GaugeValue, float64(actions))
	ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(c.pastDue, prometheus.GaugeValue, float64(pastDue))
}
