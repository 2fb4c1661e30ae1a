package pagebot

import (
	"slices"
	"time"
)

// MaxReportDays bounds the period of a Report.
const MaxReportDays = 400

// NewReport starts the report of the events received in [from, to), for a
// store to fill in: it checks the period and lists its days, cut at
// midnight in loc (UTC when nil), with nothing counted yet. Stores pass from
// and to already truncated to the precision they keep. Returns EINVALID, and
// a report with only From and To, when to is not after from or the period
// is longer than MaxReportDays days.
func NewReport(from, to time.Time, loc *time.Location) (Report, error) {
	if loc == nil {
		loc = time.UTC
	}
	r := Report{From: from, To: to}
	if !to.After(from) {
		return r, Errorf(EINVALID, "Période vide : la fin doit suivre le début.")
	}
	if to.Sub(from) > MaxReportDays*24*time.Hour {
		return r, Errorf(EINVALID, "Période trop longue : %d jours au plus.", MaxReportDays)
	}
	y, m, d := from.In(loc).Date()
	for i := 0; ; i++ {
		day := dayStart(y, m, d+i, loc)
		if !day.Before(to) {
			return r, nil
		}
		r.Days = append(r.Days, DayCount{Day: day})
	}
}

// dayStart returns the first instant of the date y-m-d (normalised as by
// time.Date) in loc: its midnight or, where a daylight-saving change skips
// midnight (Chile, Cuba), the end of the gap. Stepping from one dayStart to
// the next by calendar date makes days of 23 or 25 hours, never a loop.
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); t.Day() != date.Day() {
		// time.Date went back to the evening before the gap.
		_, t = t.ZoneBounds()
	}
	return t
}

// DayBounds returns the instants that cut r's period into its days: day i
// of r.Days covers [bounds[i], bounds[i+1]). The first day starts at From
// rather than at its midnight, the last ends at To. Stores count each day's
// events between these bounds (see CountDay).
func (r *Report) DayBounds() []time.Time {
	bounds := make([]time.Time, 0, len(r.Days)+1)
	for _, d := range r.Days {
		bounds = append(bounds, later(d.Day, r.From))
	}
	return append(bounds, r.To)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// CountDay adds the comments and messages received on day i of r.Days to it
// and to the period's totals.
func (r *Report) CountDay(i, comments, messages int) {
	r.Days[i].Comments += comments
	r.Days[i].Messages += messages
	r.Comments += comments
	r.Messages += messages
}

// ReportCase is what a Report needs of one case of its period: its status
// and times, zero when unset. AnsweredAt is when an agent's first reply
// through pagebot to the case's event was sent, not before the case opened.
type ReportCase struct {
	Status                                 CaseStatus
	CreatedAt, DueAt, ClosedAt, AnsweredAt time.Time
}

// CountCases counts the cases of r's period, all of them in one call, and
// measures HumanReply: a case is answered by the first reply of an agent or
// by its closing, whichever comes first. Open cases are past due when their
// due time is before now.
func (r *Report) CountCases(cases []ReportCase, now time.Time) {
	var times []time.Duration
	for _, c := range cases {
		r.CasesOpened++
		switch c.Status {
		case CaseClosed:
			r.CasesClosed++
			if !c.DueAt.IsZero() && c.ClosedAt.After(c.DueAt) {
				r.CasesClosedLate++
			}
		case CaseOpen:
			if !c.DueAt.IsZero() && c.DueAt.Before(now) {
				r.CasesOpenPastDue++
			}
		}
		answered := c.AnsweredAt
		if !c.ClosedAt.IsZero() && (answered.IsZero() || c.ClosedAt.Before(answered)) {
			answered = c.ClosedAt
		}
		if !answered.IsZero() && !c.CreatedAt.IsZero() {
			times = append(times, answered.Sub(c.CreatedAt))
		}
	}
	r.HumanReply = NewLatency(times)
}

// NewLatency sums up response times with nearest-rank percentiles (see
// Latency). It sorts times in place. A negative time, from the clocks of
// two replicas slightly apart, counts as 0.
func NewLatency(times []time.Duration) Latency {
	l := Latency{Count: len(times)}
	if len(times) == 0 {
		return l
	}
	for i, t := range times {
		times[i] = max(0, t)
	}
	slices.Sort(times)
	rank := func(pct int) time.Duration {
		k := (len(times)*pct + 99) / 100 // ceil(n·pct/100), at least 1
		return times[k-1]
	}
	l.Median, l.P90 = rank(50), rank(90)
	return l
}
