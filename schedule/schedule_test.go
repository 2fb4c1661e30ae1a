package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns a wall-clock time in Paris.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, paris)
}

// MustNew builds a Schedule from DefaultConfig changed by edit.
func MustNew(tb testing.TB, edit func(*Config)) *Schedule {
	tb.Helper()
	cfg := DefaultConfig()
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

func mustRanges(tb testing.TB, spec string) []Range {
	tb.Helper()
	rs, err := ParseRanges(spec)
	if err != nil {
		tb.Fatalf("ParseRanges(%q): %v", spec, err)
	}
	return rs
}

// everyDay sets the same hours on all seven days.
func everyDay(tb testing.TB, spec string) func(*Config) {
	return func(c *Config) {
		rs := mustRanges(tb, spec)
		c.Hours = map[time.Weekday][]Range{}
		for d := time.Sunday; d <= time.Saturday; d++ {
			c.Hours[d] = rs
		}
	}
}

func lunchBreak(tb testing.TB) func(*Config) {
	return func(c *Config) {
		rs := mustRanges(tb, "08:30-12:00,13:30-17:00")
		c.Hours = map[time.Weekday][]Range{}
		for d := time.Monday; d <= time.Friday; d++ {
			c.Hours[d] = rs
		}
	}
}

func alsace(c *Config) { c.Region = RegionAlsaceMoselle }

func TestNewZeroConfigIsDefault(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatalf("New(Config{}) error: %v", err)
	}
	if got, want := s.Location().String(), "Europe/Paris"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
	if got, want := s.IsOpen(at(2026, 11, 30, 10, 0)), true; got != want {
		t.Errorf("IsOpen(Monday 10:00) = %v, want %v", got, want)
	}
	if got, want := s.IsOpen(at(2026, 11, 28, 10, 0)), false; got != want {
		t.Errorf("IsOpen(Saturday 10:00) = %v, want %v", got, want)
	}
	if got, want := s.ModeAt(at(2026, 11, 28, 10, 0)), ModeAuto; got != want {
		t.Errorf("ModeAt(Saturday) = %q, want %q", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want []string // substrings of the error, each naming the field
	}{
		{"unknown zone", func(c *Config) { c.TimeZone = "Europe/Pariss" }, []string{`time_zone: load "Europe/Pariss"`}},
		{"reversed range", func(c *Config) { c.Hours[time.Tuesday] = []Range{{hm(17, 0), hm(8, 30)}} }, []string{"hours.tuesday: range 17:00-08:30: end is not after start"}},
		{"range past midnight", func(c *Config) { c.Hours[time.Monday] = []Range{{hm(20, 0), hm(25, 0)}} }, []string{"hours.monday: range 20:00-25:00: time outside 00:00-24:00"}},
		{"seconds in range", func(c *Config) { c.Hours[time.Monday] = []Range{{hm(8, 0) + time.Second, hm(9, 0)}} }, []string{"hours.monday", "whole minutes"}},
		{"overlapping ranges", func(c *Config) {
			c.Hours[time.Friday] = []Range{{hm(8, 0), hm(12, 0)}, {hm(11, 0), hm(14, 0)}}
		}, []string{"hours.friday: ranges 08:00-12:00 and 11:00-14:00 overlap"}},
		{"unknown weekday", func(c *Config) { c.Hours[time.Weekday(7)] = []Range{{hm(8, 0), hm(9, 0)}} }, []string{"hours: unknown weekday 7"}},
		{"never open", func(c *Config) { c.Hours = map[time.Weekday][]Range{} }, []string{"hours: no opening hours on any day"}},
		{"unknown region", func(c *Config) { c.Region = "alsace" }, []string{`region: unknown region "alsace"`}},
		{"bad closure date", func(c *Config) { c.Closures = []Closure{{From: "2026-05-15"}, {From: "15/05/2026"}} }, []string{`closures[1].from: date "15/05/2026" is not YYYY-MM-DD`}},
		{"bad closure end", func(c *Config) { c.Closures = []Closure{{From: "2026-12-24", To: "2026-12-32"}} }, []string{`closures[0].to: date "2026-12-32"`}},
		{"closure ends before it starts", func(c *Config) { c.Closures = []Closure{{From: "2026-12-31", To: "2026-12-24"}} }, []string{"closures[0].to: 2026-12-24 is before from 2026-12-31"}},
		{"closure too long", func(c *Config) { c.Closures = []Closure{{From: "2026-12-24", To: "2027-12-31"}} }, []string{"closures[0].to: closure of 373 days is longer than 366"}},
		{"unknown office mode", func(c *Config) { c.OfficeMode = "Auto" }, []string{`office_mode: unknown mode "Auto"`}},
		{"unknown after-hours mode", func(c *Config) { c.AfterHoursMode = "on" }, []string{`after_hours_mode: unknown mode "on"`}},
		{"all reported at once", func(c *Config) {
			c.TimeZone = "Mars/Olympus"
			c.Region = "corse"
			c.OfficeMode = "yes"
		}, []string{"time_zone:", "region:", "office_mode:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.edit(&cfg)
			s, err := New(cfg)
			if err == nil {
				t.Fatalf("New() = %v, want error containing %q", s, tc.want)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New() error = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestIsOpen(t *testing.T) {
	def := MustNew(t, nil)
	lunch := MustNew(t, lunchBreak(t))
	tests := []struct {
		name string
		s    *Schedule
		t    time.Time
		want bool
	}{
		{"monday before opening", def, at(2026, 11, 30, 8, 29), false},
		{"monday at opening", def, at(2026, 11, 30, 8, 30), true},
		{"monday last minute", def, at(2026, 11, 30, 16, 59), true},
		{"monday at closing", def, at(2026, 11, 30, 17, 0), false},
		{"wednesday noon", def, at(2026, 12, 2, 12, 0), true},
		{"friday afternoon", def, at(2026, 11, 27, 16, 0), true},
		{"saturday", def, at(2026, 11, 28, 10, 0), false},
		{"sunday", def, at(2026, 11, 29, 10, 0), false},
		{"night", def, at(2026, 12, 1, 3, 0), false},
		{"utc input in winter", def, time.Date(2026, 1, 5, 7, 30, 0, 0, time.UTC), true},
		{"utc input in winter, before", def, time.Date(2026, 1, 5, 7, 29, 0, 0, time.UTC), false},
		{"utc input in summer", def, time.Date(2026, 7, 6, 6, 30, 0, 0, time.UTC), true},
		{"utc input in summer, before", def, time.Date(2026, 7, 6, 6, 29, 0, 0, time.UTC), false},
		{"lunch break", lunch, at(2026, 11, 30, 12, 30), false},
		{"after lunch", lunch, at(2026, 11, 30, 13, 30), true},
		{"before lunch", lunch, at(2026, 11, 30, 11, 59), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.IsOpen(tc.t); got != tc.want {
				t.Errorf("IsOpen(%v) = %v, want %v", tc.t, got, tc.want)
			}
		})
	}
}

func TestHolidays(t *testing.T) {
	metro := MustNew(t, nil)
	am := MustNew(t, alsace)
	type day struct {
		y    int
		m    time.Month
		d    int
		name string // "" when not a holiday
	}
	national := []day{
		{2026, 1, 1, "Jour de l'An"},
		{2026, 4, 6, "Lundi de Pâques"},
		{2026, 5, 1, "Fête du Travail"},
		{2026, 5, 8, "Fête de la Victoire"},
		{2026, 5, 14, "Ascension"},
		{2026, 5, 25, "Lundi de Pentecôte"},
		{2026, 7, 14, "Fête nationale"},
		{2026, 8, 15, "Assomption"},
		{2026, 11, 1, "Toussaint"},
		{2026, 11, 11, "Armistice de 1918"},
		{2026, 12, 25, "Noël"},
		{2027, 1, 1, "Jour de l'An"},
		{2027, 3, 29, "Lundi de Pâques"},
		{2027, 5, 1, "Fête du Travail"},
		{2027, 5, 8, "Fête de la Victoire"},
		{2027, 5, 6, "Ascension"},
		{2027, 5, 17, "Lundi de Pentecôte"},
		{2027, 7, 14, "Fête nationale"},
		{2027, 8, 15, "Assomption"},
		{2027, 11, 1, "Toussaint"},
		{2027, 11, 11, "Armistice de 1918"},
		{2027, 12, 25, "Noël"},
	}
	// Ordinary days next to the moving holidays, so that an off-by-one in
	// the Easter arithmetic fails.
	ordinary := []day{
		{2026, 4, 7, ""}, {2026, 5, 13, ""}, {2026, 5, 15, ""}, {2026, 5, 26, ""},
		{2027, 3, 30, ""}, {2027, 5, 5, ""}, {2027, 5, 7, ""}, {2027, 5, 18, ""},
		{2026, 12, 24, ""}, {2026, 12, 31, ""},
	}
	regional := []day{
		{2026, 4, 3, "Vendredi saint"},
		{2026, 12, 26, "Saint-Étienne"},
		{2027, 3, 26, "Vendredi saint"},
		{2027, 12, 26, "Saint-Étienne"},
	}
	type tcase struct {
		name   string
		s      *Schedule
		region string
		day    day
	}
	var tests []tcase
	for _, d := range append(append([]day{}, national...), ordinary...) {
		tests = append(tests, tcase{"metropole", metro, "metropole", d}, tcase{"alsace-moselle", am, "alsace-moselle", d})
	}
	for _, d := range regional {
		tests = append(tests, tcase{"alsace-moselle", am, "alsace-moselle", d})
		d.name = ""
		tests = append(tests, tcase{"metropole", metro, "metropole", d})
	}
	for _, tc := range tests {
		d := tc.day
		t.Run(tc.name+"/"+time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), func(t *testing.T) {
			noon := at(d.y, d.m, d.d, 10, 0)
			gotOK, gotName := tc.s.IsHoliday(noon)
			if gotOK != (d.name != "") || gotName != d.name {
				t.Errorf("IsHoliday(%v) = %v, %q, want %v, %q", noon, gotOK, gotName, d.name != "", d.name)
			}
			weekday := noon.Weekday() != time.Saturday && noon.Weekday() != time.Sunday
			if got, want := tc.s.IsOpen(noon), weekday && d.name == ""; got != want {
				t.Errorf("IsOpen(%v) = %v, want %v", noon, got, want)
			}
		})
	}
}

func TestIsHolidayUsesScheduleZone(t *testing.T) {
	s := MustNew(t, nil)
	// 23:30 UTC on 31 December is 00:30 on 1 January in Paris.
	ok, name := s.IsHoliday(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC))
	if !ok || name != "Jour de l'An" {
		t.Errorf("IsHoliday(2026-12-31 23:30 UTC) = %v, %q, want true, %q", ok, name, "Jour de l'An")
	}
}

func TestClosures(t *testing.T) {
	s := MustNew(t, func(c *Config) {
		c.Closures = []Closure{
			{From: "2026-05-15", Label: "Pont de l'Ascension"},
			{From: "2026-12-24", To: "2026-12-31", Label: "Fermeture de fin d'année"},
			{From: "2026-11-10"},
		}
	})
	tests := []struct {
		name string
		t    time.Time
		want string // "" when open
	}{
		{"bridge", at(2026, 5, 15, 10, 0), "Pont de l'Ascension"},
		{"day before bridge is Ascension", at(2026, 5, 14, 10, 0), "Ascension"},
		{"after bridge", at(2026, 5, 18, 10, 0), ""},
		{"first day of range", at(2026, 12, 24, 10, 0), "Fermeture de fin d'année"},
		{"holiday inside range", at(2026, 12, 25, 10, 0), "Noël"},
		{"last day of range", at(2026, 12, 31, 16, 59), "Fermeture de fin d'année"},
		{"day before range", at(2026, 12, 23, 10, 0), ""},
		{"day after range is a holiday", at(2027, 1, 1, 10, 0), "Jour de l'An"},
		{"unlabelled", at(2026, 11, 10, 10, 0), DefaultClosureLabel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, name := s.IsHoliday(tc.t)
			if ok != (tc.want != "") || name != tc.want {
				t.Errorf("IsHoliday(%v) = %v, %q, want %v, %q", tc.t, ok, name, tc.want != "", tc.want)
			}
			if got, want := s.IsOpen(tc.t), tc.want == ""; got != want {
				t.Errorf("IsOpen(%v) = %v, want %v", tc.t, got, want)
			}
		})
	}
}

func TestNextOpen(t *testing.T) {
	def := MustNew(t, nil)
	am := MustNew(t, alsace)
	lunch := MustNew(t, lunchBreak(t))
	bridge := MustNew(t, func(c *Config) { c.Closures = []Closure{{From: "2026-05-15", Label: "Pont"}} })
	yearEnd := MustNew(t, func(c *Config) { c.Closures = []Closure{{From: "2026-12-24", To: "2026-12-31"}} })
	tests := []struct {
		name string
		s    *Schedule
		t    time.Time
		want time.Time
	}{
		{"friday evening", def, at(2026, 11, 27, 18, 0), at(2026, 11, 30, 8, 30)},
		{"friday at closing", def, at(2026, 11, 27, 17, 0), at(2026, 11, 30, 8, 30)},
		{"saturday", def, at(2026, 11, 28, 11, 0), at(2026, 11, 30, 8, 30)},
		{"sunday just before midnight", def, at(2026, 11, 29, 23, 59), at(2026, 11, 30, 8, 30)},
		{"weekday 07:00", def, at(2026, 12, 2, 7, 0), at(2026, 12, 2, 8, 30)},
		{"weekday after midnight", def, at(2026, 12, 2, 0, 0), at(2026, 12, 2, 8, 30)},
		{"open now", def, at(2026, 11, 27, 16, 0), at(2026, 11, 27, 16, 0)},
		{"at opening", def, at(2026, 12, 2, 8, 30), at(2026, 12, 2, 8, 30)},
		{"eve of Ascension", def, at(2026, 5, 13, 18, 0), at(2026, 5, 15, 8, 30)},
		{"eve of Ascension with a bridge", bridge, at(2026, 5, 13, 18, 0), at(2026, 5, 18, 8, 30)},
		{"eve of 1 May on a Friday", def, at(2026, 4, 30, 18, 0), at(2026, 5, 4, 8, 30)},
		{"eve of 8 May on a Friday", def, at(2026, 5, 7, 17, 30), at(2026, 5, 11, 8, 30)},
		{"eve of Easter Monday 2027", def, at(2027, 3, 26, 17, 0), at(2027, 3, 30, 8, 30)},
		{"eve of Good Friday, metropole", def, at(2026, 4, 2, 18, 0), at(2026, 4, 3, 8, 30)},
		{"eve of Good Friday, Alsace-Moselle", am, at(2026, 4, 2, 18, 0), at(2026, 4, 7, 8, 30)},
		{"year-end closure", yearEnd, at(2026, 12, 23, 18, 0), at(2027, 1, 4, 8, 30)},
		{"lunch break", lunch, at(2026, 11, 30, 12, 15), at(2026, 11, 30, 13, 30)},
		{"utc friday evening", def, time.Date(2026, 11, 27, 17, 30, 0, 0, time.UTC), time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)},
		// Daylight saving: the Monday opening is 08:30 local, which is
		// 06:30 UTC after the spring change and 07:30 UTC after the autumn one.
		{"weekend of spring change", def, at(2026, 3, 28, 12, 0), time.Date(2026, 3, 30, 6, 30, 0, 0, time.UTC)},
		{"night of spring change", def, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), time.Date(2026, 3, 30, 6, 30, 0, 0, time.UTC)},
		{"weekend of autumn change", def, at(2026, 10, 24, 12, 0), time.Date(2026, 10, 26, 7, 30, 0, 0, time.UTC)},
		{"night of autumn change", def, time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 26, 7, 30, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.NextOpen(tc.t)
			if !got.Equal(tc.want) {
				t.Errorf("NextOpen(%v) = %v, want %v", tc.t, got, tc.want)
			}
			if got.Location() != tc.s.Location() {
				t.Errorf("NextOpen(%v).Location() = %v, want %v", tc.t, got.Location(), tc.s.Location())
			}
		})
	}
}

func TestDue(t *testing.T) {
	def := MustNew(t, nil)
	am := MustNew(t, alsace)
	lunch := MustNew(t, lunchBreak(t))
	yearEnd := MustNew(t, func(c *Config) { c.Closures = []Closure{{From: "2026-12-24", To: "2026-12-31"}} })
	always := MustNew(t, everyDay(t, "00:00-24:00"))
	tests := []struct {
		name  string
		s     *Schedule
		start time.Time
		work  time.Duration
		want  time.Time
	}{
		// 1 h on Friday, 8 h 30 on Monday and Tuesday, 6 h on Wednesday.
		{"friday 16:00 plus 24h", def, at(2026, 11, 27, 16, 0), 24 * time.Hour, at(2026, 12, 2, 14, 30)},
		{"saturday start waits for monday", def, at(2026, 11, 28, 10, 0), 24 * time.Hour, at(2026, 12, 2, 15, 30)},
		{"night start waits for opening", def, at(2026, 12, 1, 22, 0), 2 * time.Hour, at(2026, 12, 2, 10, 30)},
		{"early start waits for opening", def, at(2026, 12, 2, 7, 0), time.Hour, at(2026, 12, 2, 9, 30)},
		{"ends exactly at closing", def, at(2026, 11, 27, 16, 0), time.Hour, at(2026, 11, 27, 17, 0)},
		{"one minute over runs to monday", def, at(2026, 11, 27, 16, 0), time.Hour + time.Minute, at(2026, 11, 30, 8, 31)},
		{"a full day", def, at(2026, 11, 30, 8, 30), hm(8, 30), at(2026, 11, 30, 17, 0)},
		{"zero work", def, at(2026, 11, 28, 10, 0), 0, at(2026, 11, 28, 10, 0)},
		{"negative work", def, at(2026, 11, 28, 10, 0), -time.Hour, at(2026, 11, 28, 10, 0)},
		{"over Easter Monday", def, at(2026, 4, 3, 16, 0), 24 * time.Hour, at(2026, 4, 9, 14, 30)},
		{"over Good Friday and Easter Monday, Alsace-Moselle", am, at(2026, 4, 2, 16, 0), 24 * time.Hour, at(2026, 4, 9, 14, 30)},
		{"over Good Friday, metropole", def, at(2026, 4, 2, 16, 0), 24 * time.Hour, at(2026, 4, 8, 14, 30)},
		{"over Ascension", def, at(2026, 5, 13, 16, 0), 24 * time.Hour, at(2026, 5, 19, 14, 30)},
		{"over year-end closure", yearEnd, at(2026, 12, 23, 16, 0), 24 * time.Hour, at(2027, 1, 6, 14, 30)},
		{"lunch break skipped", lunch, at(2026, 11, 30, 11, 0), 2 * time.Hour, at(2026, 11, 30, 14, 30)},
		{"start during lunch", lunch, at(2026, 11, 30, 12, 15), time.Hour, at(2026, 11, 30, 14, 30)},
		{"over spring change", def, at(2026, 3, 27, 16, 0), 24 * time.Hour, time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC)},
		{"over autumn change", def, at(2026, 10, 23, 16, 0), 24 * time.Hour, time.Date(2026, 10, 28, 13, 30, 0, 0, time.UTC)},
		// Open round the clock: the spring night is one hour short and the
		// autumn night one hour long, so midnight to midnight over the
		// weekend is 47 h and 49 h of real time.
		{"always open, spring weekend", always, at(2026, 3, 28, 0, 0), 47 * time.Hour, at(2026, 3, 30, 0, 0)},
		{"always open, autumn weekend", always, at(2026, 10, 24, 0, 0), 49 * time.Hour, at(2026, 10, 26, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.Due(tc.start, tc.work)
			if !got.Equal(tc.want) {
				t.Errorf("Due(%v, %v) = %v, want %v", tc.start, tc.work, got, tc.want)
			}
		})
	}
}

// TestDueAgreesWithWorkingTime checks that Due and WorkingTimeBetween are
// inverses, from starts spread over three weeks with a weekend, a daylight
// saving change and Easter.
func TestDueAgreesWithWorkingTime(t *testing.T) {
	for _, s := range []*Schedule{MustNew(t, nil), MustNew(t, lunchBreak(t)), MustNew(t, alsace)} {
		for start := at(2026, 3, 25, 0, 0); start.Before(at(2026, 4, 15, 0, 0)); start = start.Add(37 * time.Minute) {
			for _, work := range []time.Duration{time.Minute, time.Hour, hm(8, 30), 24 * time.Hour, 100 * time.Hour} {
				due := s.Due(start, work)
				if got := s.WorkingTimeBetween(start, due); got != work {
					t.Fatalf("WorkingTimeBetween(%v, Due(%v, %v) = %v) = %v, want %v", start, start, work, due, got, work)
				}
				if !s.IsOpen(due.Add(-time.Nanosecond)) {
					t.Fatalf("Due(%v, %v) = %v, want the end of an open minute", start, work, due)
				}
			}
		}
	}
}

func TestDueWorkingDays(t *testing.T) {
	def := MustNew(t, nil)
	am := MustNew(t, alsace)
	lunch := MustNew(t, lunchBreak(t))
	tests := []struct {
		name  string
		s     *Schedule
		start time.Time
		days  int
		want  time.Time
	}{
		{"friday 16:00 plus 3 days", def, at(2026, 11, 27, 16, 0), 3, at(2026, 12, 2, 17, 0)},
		{"day of receipt never counts", def, at(2026, 11, 30, 7, 0), 1, at(2026, 12, 1, 17, 0)},
		{"from saturday", def, at(2026, 11, 28, 10, 0), 1, at(2026, 11, 30, 17, 0)},
		{"over Good Friday and Easter Monday, Alsace-Moselle", am, at(2026, 4, 2, 10, 0), 2, at(2026, 4, 8, 17, 0)},
		{"over Easter Monday, metropole", def, at(2026, 4, 2, 10, 0), 2, at(2026, 4, 7, 17, 0)},
		{"ends at the last range", lunch, at(2026, 11, 30, 10, 0), 1, at(2026, 12, 1, 17, 0)},
		{"zero days", def, at(2026, 11, 28, 10, 0), 0, at(2026, 11, 28, 10, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.DueWorkingDays(tc.start, tc.days)
			if !got.Equal(tc.want) {
				t.Errorf("DueWorkingDays(%v, %d) = %v, want %v", tc.start, tc.days, got, tc.want)
			}
		})
	}
}

func TestWorkingTimeBetween(t *testing.T) {
	def := MustNew(t, nil)
	lunch := MustNew(t, lunchBreak(t))
	always := MustNew(t, everyDay(t, "00:00-24:00"))
	nightShift := MustNew(t, everyDay(t, "01:00-04:00"))
	tests := []struct {
		name string
		s    *Schedule
		a, b time.Time
		want time.Duration
	}{
		{"friday 16:00 to wednesday 14:30", def, at(2026, 11, 27, 16, 0), at(2026, 12, 2, 14, 30), 24 * time.Hour},
		{"weekend", def, at(2026, 11, 27, 17, 0), at(2026, 11, 30, 8, 30), 0},
		{"inside one period", def, at(2026, 11, 30, 10, 0), at(2026, 11, 30, 11, 15), hm(1, 15)},
		{"one whole day", def, at(2026, 11, 30, 0, 0), at(2026, 12, 1, 0, 0), hm(8, 30)},
		{"b before a", def, at(2026, 12, 1, 0, 0), at(2026, 11, 30, 0, 0), 0},
		{"equal", def, at(2026, 11, 30, 10, 0), at(2026, 11, 30, 10, 0), 0},
		{"across lunch", lunch, at(2026, 11, 30, 11, 0), at(2026, 11, 30, 14, 0), hm(1, 30)},
		{"week with 8 May", def, at(2026, 5, 4, 0, 0), at(2026, 5, 11, 0, 0), 4 * hm(8, 30)},
		{"week of spring change", def, at(2026, 3, 23, 0, 0), at(2026, 3, 30, 12, 0), 5*hm(8, 30) + hm(3, 30)},
		{"mixed zones", def, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), at(2026, 11, 30, 12, 0), 2 * time.Hour},
		{"always open, spring weekend", always, at(2026, 3, 28, 0, 0), at(2026, 3, 30, 0, 0), 47 * time.Hour},
		{"always open, autumn weekend", always, at(2026, 10, 24, 0, 0), at(2026, 10, 26, 0, 0), 49 * time.Hour},
		// 01:00-04:00 holds the skipped hour in spring and the repeated
		// hour in autumn.
		{"night hours, spring change", nightShift, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0), 2 * time.Hour},
		{"night hours, autumn change", nightShift, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0), 4 * time.Hour},
		{"night hours, ordinary day", nightShift, at(2026, 3, 28, 0, 0), at(2026, 3, 29, 0, 0), 3 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.WorkingTimeBetween(tc.a, tc.b); got != tc.want {
				t.Errorf("WorkingTimeBetween(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestModeAt(t *testing.T) {
	modes := func(office, after Mode, kill bool) func(*Config) {
		return func(c *Config) {
			c.OfficeMode, c.AfterHoursMode, c.KillSwitch = office, after, kill
		}
	}
	open, night, holiday := at(2026, 11, 30, 10, 0), at(2026, 11, 30, 20, 0), at(2026, 12, 25, 10, 0)
	tests := []struct {
		name string
		edit func(*Config)
		t    time.Time
		want Mode
	}{
		{"default while open", nil, open, ModeAuto},
		{"office mode while open", modes(ModeDraft, ModeAuto, false), open, ModeDraft},
		{"after-hours mode at night", modes(ModeDraft, ModeAuto, false), night, ModeAuto},
		{"after-hours mode on a holiday", modes(ModeDraft, ModeAuto, false), holiday, ModeAuto},
		{"after hours off", modes(ModeAuto, ModeOff, false), night, ModeOff},
		{"kill switch while open", modes(ModeAuto, ModeAuto, true), open, ModeOff},
		{"kill switch at night", modes(ModeAuto, ModeAuto, true), night, ModeOff},
		{"kill switch over draft", modes(ModeDraft, ModeDraft, true), holiday, ModeOff},
		{"empty modes mean auto", modes("", "", false), night, ModeAuto},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := MustNew(t, tc.edit)
			if got := s.ModeAt(tc.t); got != tc.want {
				t.Errorf("ModeAt(%v) = %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}

func TestStatusAt(t *testing.T) {
	s := MustNew(t, func(c *Config) { c.OfficeMode = ModeDraft })
	tests := []struct {
		name string
		t    time.Time
		want Status
	}{
		{"open", at(2026, 11, 30, 10, 0), Status{Open: true, Mode: ModeDraft, NextOpen: at(2026, 11, 30, 10, 0)}},
		{"friday night", at(2026, 11, 27, 20, 0), Status{Mode: ModeAuto, NextOpen: at(2026, 11, 30, 8, 30)}},
		{"christmas", at(2026, 12, 25, 10, 0), Status{Mode: ModeAuto, NextOpen: at(2026, 12, 28, 8, 30), Holiday: "Noël"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, s.StatusAt(tc.t)); diff != "" {
				t.Errorf("StatusAt(%v) mismatch (-want +got):\n%s", tc.t, diff)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{ModeAuto, ModeDraft, ModeOff} {
		if got, err := ParseMode(string(m)); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v, want %q, nil", m, got, err, m)
		}
	}
	for _, s := range []string{"", "AUTO", "on"} {
		if got, err := ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) = %q, want error", s, got)
		}
	}
}

// TestZoneBehindUTC covers a caisse west of Greenwich (CAF de la Guyane),
// where the local evening is already the next day in UTC.
func TestZoneBehindUTC(t *testing.T) {
	cayenne := mustLoadLocation("America/Cayenne")
	s := MustNew(t, func(c *Config) {
		c.TimeZone = "America/Cayenne"
		everyDay(t, "08:30-23:00")(c)
	})
	evening := time.Date(2026, 11, 26, 21, 30, 0, 0, cayenne) // 00:30 UTC on the 27th
	if got, want := s.NextOpen(evening.UTC()), evening; !got.Equal(want) {
		t.Errorf("NextOpen(%v) = %v, want %v", evening.UTC(), got, want)
	}
	if got, want := s.Due(evening.UTC(), 2*time.Hour), time.Date(2026, 11, 27, 9, 0, 0, 0, cayenne); !got.Equal(want) {
		t.Errorf("Due(%v, 2h) = %v, want %v", evening.UTC(), got, want)
	}
	if got, want := s.WorkingTimeBetween(evening.UTC(), evening.Add(time.Hour)), time.Hour; got != want {
		t.Errorf("WorkingTimeBetween(%v, +1h) = %v, want %v", evening.UTC(), got, want)
	}
}
