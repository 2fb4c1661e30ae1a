package metrics

import "time"

// SetStatsTimeout shortens the StatsFunc timeout of m (tests).
func SetStatsTimeout(m *Metrics, d time.Duration) { m.stats.timeout = d }
