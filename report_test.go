package pagebot

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on any machine

	"github.com/google/go-cmp/cmp"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestNewReportDays(t *testing.T) {
	paris, santiago := mustZone(t, "Europe/Paris"), mustZone(t, "America/Santiago")
	date := func(loc *time.Location, m time.Month, d, h, min int) time.Time {
		return time.Date(2026, m, d, h, min, 0, 0, loc)
	}
	tests := []struct {
		name       string
		from, to   time.Time
		loc        *time.Location
		wantDays   []time.Time
		wantBounds []time.Time
	}{
		{
			name: "UTCByDefault",
			from: date(time.UTC, 3, 1, 0, 0), to: date(time.UTC, 3, 3, 0, 0),
			wantDays:   []time.Time{date(time.UTC, 3, 1, 0, 0), date(time.UTC, 3, 2, 0, 0)},
			wantBounds: []time.Time{date(time.UTC, 3, 1, 0, 0), date(time.UTC, 3, 2, 0, 0), date(time.UTC, 3, 3, 0, 0)},
		},
		{
			// The first day starts at From, the last ends at To; 29 March
			// lasts 23 hours.
			name: "ParisCutAndSummerTime",
			from: date(paris, 3, 28, 12, 30), to: date(paris, 3, 30, 6, 0), loc: paris,
			wantDays:   []time.Time{date(paris, 3, 28, 0, 0), date(paris, 3, 29, 0, 0), date(paris, 3, 30, 0, 0)},
			wantBounds: []time.Time{date(paris, 3, 28, 12, 30), date(paris, 3, 29, 0, 0), date(paris, 3, 30, 0, 0), date(paris, 3, 30, 6, 0)},
		},
		{
			// On 6 September 2026 Chile's clocks go from 24:00 straight to
			// 01:00: that day starts at 01:00 (-03), and the next one at
			// midnight again.
			name: "SantiagoMidnightGap",
			from: date(santiago, 9, 5, 0, 0), to: date(santiago, 9, 8, 0, 0), loc: santiago,
			wantDays: []time.Time{date(santiago, 9, 5, 0, 0), date(santiago, 9, 6, 1, 0), date(santiago, 9, 7, 0, 0)},
			wantBounds: []time.Time{date(santiago, 9, 5, 0, 0), date(santiago, 9, 6, 1, 0), date(santiago, 9, 7, 0, 0),
				date(santiago, 9, 8, 0, 0)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReport(tc.from, tc.to, tc.loc)
			if err != nil {
				t.Fatalf("NewReport: %v", err)
			}
			var days []time.Time
			for _, d := range r.Days {
				days = append(days, d.Day)
			}
			if diff := cmp.Diff(tc.wantDays, days); diff != "" {
				t.Errorf("NewReport(%v, %v).Days (-want +got):\n%s", tc.from, tc.to, diff)
			}
			if diff := cmp.Diff(tc.wantBounds, r.DayBounds()); diff != "" {
				t.Errorf("DayBounds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewReportInvalid(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, to := range []time.Time{from, from.Add(-time.Hour), from.AddDate(0, 0, MaxReportDays+1)} {
		r, err := NewReport(from, to, nil)
		if ErrorCode(err) != EINVALID || len(r.Days) != 0 || !r.From.Equal(from) || !r.To.Equal(to) {
			t.Errorf("NewReport(%v, %v) = %+v, %v; want EINVALID and the period only", from, to, r, err)
		}
	}
	if _, err := NewReport(from, from.AddDate(0, 0, MaxReportDays), nil); err != nil {
		t.Errorf("NewReport(%d days) = %v, want the longest period allowed", MaxReportDays, err)
	}
}

func TestNewLatency(t *testing.T) {
	minutes := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, m := range n {
			d = append(d, time.Duration(m)*time.Minute)
		}
		return d
	}
	tests := []struct {
		name  string
		times []time.Duration
		want  Latency
	}{
		{"None", nil, Latency{}},
		{"One", minutes(7), Latency{Count: 1, Median: 7 * time.Minute, P90: 7 * time.Minute}},
		{"Even", minutes(4, 1, 3, 2), Latency{Count: 4, Median: 2 * time.Minute, P90: 4 * time.Minute}},
		{"Ten", minutes(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), Latency{Count: 10, Median: 5 * time.Minute, P90: 9 * time.Minute}},
		{"NegativeIsZero", minutes(-2, 5), Latency{Count: 2, Median: 0, P90: 5 * time.Minute}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewLatency(tc.times); got != tc.want {
				t.Errorf("NewLatency(%v) = %+v, want %+v", tc.times, got, tc.want)
			}
		})
	}
}

func TestCountCases(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	r := Report{}
	r.CountCases([]ReportCase{
		// Answered after 1 h, closed on time.
		{Status: CaseClosed, CreatedAt: t0, DueAt: h(4), ClosedAt: h(3), AnsweredAt: h(1)},
		// Closed late, before any reply: its closing answers it (5 h).
		{Status: CaseClosed, CreatedAt: t0, DueAt: h(4), ClosedAt: h(5), AnsweredAt: h(6)},
		// Open, answered after 2 h, past due at h(10).
		{Status: CaseOpen, CreatedAt: t0, DueAt: h(8), AnsweredAt: h(2)},
		// Open, unanswered, without due time: not measured.
		{Status: CaseOpen, CreatedAt: t0},
	}, h(10))
	want := Report{CasesOpened: 4, CasesClosed: 2, CasesClosedLate: 1, CasesOpenPastDue: 1,
		HumanReply: Latency{Count: 3, Median: 2 * time.Hour, P90: 5 * time.Hour}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("CountCases (-want +got):\n%s", diff)
	}
}
