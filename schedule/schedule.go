// Package schedule says when the caisse's staff are at work, and so when
// pagebot answers on its own, and counts working time for escalation due
// dates.
//
// # Office hours, holidays and closures
//
// Staff answer the Page during office hours (by default Monday to Friday,
// 08:30-17:00, Europe/Paris). The office is closed on weekends, on the 11
// French public holidays, on Good Friday and 26 December as well when the
// region is Alsace-Moselle, and on the closure days the caisse configures
// (bridges, exceptional closures). Every computation is done in the
// configured time zone, so 08:30 stays 08:30 across daylight-saving changes;
// arguments may be in any zone and results are in the schedule's zone.
//
// # Modes
//
// The Mode decides what pagebot may do with a reply: post it (auto), keep it
// as a draft for staff (draft) or nothing at all (off). The office mode
// applies while open, the after-hours mode otherwise, and the kill switch
// forces off at every hour.
//
// # Working time
//
// An escalation carries a response-time commitment counted in working time,
// and there are two ways of counting it; the configuration will choose.
//
//   - Due counts office hours: "24 h de temps ouvré" means 24 open hours, not
//     24 clock hours. With 8 h 30 open per day, 24 h is 2 days and 7 hours of
//     office time, close to 3 working days: an escalation received on Friday
//     at 16:00 is due on Wednesday at 14:30 (1 h on Friday, 8 h 30 on Monday
//     and Tuesday, 6 h on Wednesday), later if a holiday falls in between.
//     A message received outside office hours starts the clock at the next
//     opening.
//   - DueWorkingDays counts whole working days ("3 jours ouvrés"): the day of
//     receipt does not count, and the deadline is the closing time of the
//     N-th following day that has opening hours. Friday 16:00 plus 3 working
//     days is Wednesday 17:00.
//
// WorkingTimeBetween measures open time between two instants, for "near
// due" warnings and response-time statistics.
//
// # Time zone data
//
// New loads the zone with time.LoadLocation, which needs the tz database. A
// binary built for a minimal container should import time/tzdata in its
// main package (or be built with -tags timetzdata).
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
)

// Mode says what pagebot may do with the replies it prepares.
type Mode string

// The modes. A caisse typically starts with draft during office hours, while
// staff check the bot's answers, and auto after hours.
const (
	// ModeAuto posts replies without a human in the loop.
	ModeAuto Mode = "auto"
	// ModeDraft keeps replies as drafts that staff approve in the console.
	ModeDraft Mode = "draft"
	// ModeOff prepares nothing: staff answer everything.
	ModeOff Mode = "off"
)

// Valid reports whether m is one of the three modes.
func (m Mode) Valid() bool {
	switch m {
	case ModeAuto, ModeDraft, ModeOff:
		return true
	}
	return false
}

// ParseMode reads a mode name from configuration or the console.
func ParseMode(s string) (Mode, error) {
	if m := Mode(s); m.Valid() {
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q (want auto, draft or off)", s)
}

// Closure is a day or a run of days when the office is closed although it
// would normally be open: a bridge after Ascension, an end-of-year closure.
// Dates are "YYYY-MM-DD" strings, as written in configuration.
type Closure struct {
	// From is the first closed day.
	From string
	// To is the last closed day, inclusive; empty means From only.
	To string
	// Label names the closure in holding replies and the console, e.g.
	// "Pont de l'Ascension"; empty gives DefaultClosureLabel.
	Label string
}

// DefaultClosureLabel names a closure configured without a label.
const DefaultClosureLabel = "Fermeture exceptionnelle"

// Config is everything a caisse sets about its hours. Start from
// DefaultConfig: New fills only an empty TimeZone, empty modes and nil Hours
// with their defaults.
type Config struct {
	// TimeZone is an IANA zone name; empty means "Europe/Paris".
	TimeZone string
	// Hours lists the opening ranges of each weekday, in order. A weekday
	// missing from the map is closed; a nil map means the default hours.
	Hours map[time.Weekday][]Range
	// Region selects regional holidays: RegionMetropole or
	// RegionAlsaceMoselle.
	Region string
	// Closures are the configured closure days, on top of public holidays.
	Closures []Closure
	// OfficeMode applies while the office is open, AfterHoursMode otherwise.
	OfficeMode, AfterHoursMode Mode
	// KillSwitch turns every reply off at once, whatever the hour.
	KillSwitch bool
}

// DefaultTimeZone is the zone of metropolitan France.
const DefaultTimeZone = "Europe/Paris"

// DefaultConfig returns the usual hours of a caisse: Monday to Friday
// 08:30-17:00 in Europe/Paris, metropolitan holidays, no closures, auto
// replies at all hours.
func DefaultConfig() Config {
	return Config{
		TimeZone:       DefaultTimeZone,
		Hours:          defaultHours(),
		OfficeMode:     ModeAuto,
		AfterHoursMode: ModeAuto,
	}
}

func defaultHours() map[time.Weekday][]Range {
	day := []Range{{Start: 8*time.Hour + 30*time.Minute, End: 17 * time.Hour}}
	h := make(map[time.Weekday][]Range, 5)
	for d := time.Monday; d <= time.Friday; d++ {
		h[d] = day
	}
	return h
}

// Schedule answers questions about office hours. It is immutable once built
// and safe for concurrent use.
type Schedule struct {
	loc            *time.Location
	hours          [7][]Range
	holidays       *cal.Calendar
	closures       []closure
	officeMode     Mode
	afterHoursMode Mode
	killSwitch     bool
}

// closure is a Closure with parsed dates, as UTC midnights.
type closure struct {
	from, to time.Time
	label    string
}

// maxClosure bounds one closure's length: a longer one is almost certainly a
// typing mistake in a year.
const maxClosure = 366

// New checks cfg and builds a Schedule. It reports every problem at once,
// each naming its configuration field, so that one edit can fix them all.
func New(cfg Config) (*Schedule, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}

	s := &Schedule{killSwitch: cfg.KillSwitch}

	tz := cfg.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		errs = append(errs, fmt.Errorf("time_zone: load %q: %w", tz, err))
	}
	s.loc = loc

	hours := cfg.Hours
	if hours == nil {
		hours = defaultHours()
	}
	for d := range hours {
		if d < time.Sunday || d > time.Saturday {
			bad("hours", "unknown weekday %d", int(d))
		}
	}
	open := false
	for d := time.Sunday; d <= time.Saturday; d++ {
		rs := hours[d]
		if err := validateRanges(rs); err != nil {
			errs = append(errs, fmt.Errorf("hours.%s: %w", weekdayKey(d), err))
			continue
		}
		s.hours[d] = append([]Range(nil), rs...)
		open = open || len(rs) > 0
	}
	if !open {
		bad("hours", "no opening hours on any day (use office_mode and after_hours_mode to change the replies, not the hours)")
	}

	switch cfg.Region {
	case RegionMetropole, RegionAlsaceMoselle:
		s.holidays = holidays(cfg.Region)
	default:
		bad("region", "unknown region %q (want %q for metropolitan France or %q)", cfg.Region, RegionMetropole, RegionAlsaceMoselle)
	}

	for i, c := range cfg.Closures {
		field := fmt.Sprintf("closures[%d]", i)
		from, err := parseDate(c.From)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.from: %w", field, err))
			continue
		}
		to := from
		if c.To != "" {
			if to, err = parseDate(c.To); err != nil {
				errs = append(errs, fmt.Errorf("%s.to: %w", field, err))
				continue
			}
		}
		if to.Before(from) {
			bad(field+".to", "%s is before from %s", c.To, c.From)
			continue
		}
		if days := int(to.Sub(from)/(24*time.Hour)) + 1; days > maxClosure {
			bad(field+".to", "closure of %d days is longer than %d", days, maxClosure)
			continue
		}
		label := c.Label
		if label == "" {
			label = DefaultClosureLabel
		}
		s.closures = append(s.closures, closure{from: from, to: to, label: label})
	}

	s.officeMode = orDefault(cfg.OfficeMode)
	if !s.officeMode.Valid() {
		bad("office_mode", "unknown mode %q (want auto, draft or off)", cfg.OfficeMode)
	}
	s.afterHoursMode = orDefault(cfg.AfterHoursMode)
	if !s.afterHoursMode.Valid() {
		bad("after_hours_mode", "unknown mode %q (want auto, draft or off)", cfg.AfterHoursMode)
	}

	if len(errs) > 0 {
		return nil, fmt.Errorf("schedule config: %w", errors.Join(errs...))
	}
	return s, nil
}

func orDefault(m Mode) Mode {
	if m == "" {
		return ModeAuto
	}
	return m
}

// weekdayKey is the configuration key of a weekday, e.g. "monday".
func weekdayKey(d time.Weekday) string {
	return strings.ToLower(d.String())
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return t, nil
}

// Location returns the schedule's time zone, in which every result is given.
func (s *Schedule) Location() *time.Location { return s.loc }

// period is one open interval [start, end) on a given date.
type period struct {
	start, end time.Time
}

// closedReason reports why the office is closed all day on the date of day
// (a time in s.loc): a public holiday's name or a closure's label.
func (s *Schedule) closedReason(day time.Time) (string, bool) {
	if act, obs, h := s.holidays.IsHoliday(day); act || obs {
		return h.Name, true
	}
	y, m, d := day.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, c := range s.closures {
		if !date.Before(c.from) && !date.After(c.to) {
			return c.label, true
		}
	}
	return "", false
}

// periods returns the open periods of the date y-m-d (normalised, so d may
// run past the end of the month). Times are built with time.Date in s.loc,
// so a range that spans a daylight-saving change lasts its true length, and
// a range that falls in the skipped hour is empty and dropped.
func (s *Schedule) periods(y int, m time.Month, d int) []period {
	noon := time.Date(y, m, d, 12, 0, 0, 0, s.loc)
	if _, closed := s.closedReason(noon); closed {
		return nil
	}
	y, m, d = noon.Date()
	rs := s.hours[noon.Weekday()]
	ps := make([]period, 0, len(rs))
	for _, r := range rs {
		p := period{start: s.wallClock(y, m, d, r.Start), end: s.wallClock(y, m, d, r.End)}
		if p.end.After(p.start) {
			ps = append(ps, p)
		}
	}
	return ps
}

func (s *Schedule) wallClock(y int, m time.Month, d int, off time.Duration) time.Time {
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, s.loc)
}

// maxClosedDays bounds the search for the next open period, so that a
// schedule closed for a very long time (adjacent closures) cannot loop for
// ever. New guarantees at least one open weekday.
const maxClosedDays = 2 * maxClosure

// walk calls fn with each open period from the date of t onwards, in order,
// until fn returns false. It reports false if it gave up after maxClosedDays
// days in a row without an open period.
func (s *Schedule) walk(t time.Time, fn func(period) bool) bool {
	y, m, d := t.In(s.loc).Date()
	for closedRun := 0; closedRun < maxClosedDays; d++ {
		ps := s.periods(y, m, d)
		if len(ps) == 0 {
			closedRun++
			continue
		}
		closedRun = 0
		for _, p := range ps {
			if !fn(p) {
				return true
			}
		}
	}
	return false
}

// IsOpen reports whether staff are at work at t: within a range of t's
// weekday, on a day that is neither a public holiday nor a closure.
func (s *Schedule) IsOpen(t time.Time) bool {
	y, m, d := t.In(s.loc).Date()
	for _, p := range s.periods(y, m, d) {
		if !t.Before(p.start) && t.Before(p.end) {
			return true
		}
	}
	return false
}

// IsHoliday reports whether the office is closed all day on t's date for a
// reason other than the weekly hours, with that reason in French: the public
// holiday's name ("Lundi de Pâques") or the closure's label. A holiday that
// falls on a weekend is still reported.
func (s *Schedule) IsHoliday(t time.Time) (bool, string) {
	name, ok := s.closedReason(t.In(s.loc))
	return ok, name
}

// ModeAt returns the mode in force at t: off when the kill switch is on,
// otherwise the office mode while open and the after-hours mode when closed.
func (s *Schedule) ModeAt(t time.Time) Mode {
	if s.killSwitch {
		return ModeOff
	}
	if s.IsOpen(t) {
		return s.officeMode
	}
	return s.afterHoursMode
}

// NextOpen returns t itself (in the schedule's zone) when the office is open
// at t, and otherwise the start of the next open period after t, which is
// what a holding reply promises. It returns the zero Time if the office
// stays closed for more than two years in a row.
func (s *Schedule) NextOpen(t time.Time) time.Time {
	t = t.In(s.loc)
	var next time.Time
	s.walk(t, func(p period) bool {
		switch {
		case !t.Before(p.end):
			return true
		case t.Before(p.start):
			next = p.start
		default:
			next = t
		}
		return false
	})
	return next
}

// Due returns the instant at which work of the given length of office time,
// started at start, is due: only open periods count, so 24h means 24 open
// hours (about three working days with the default hours), not one clock
// day. A start outside office hours starts the clock at the next opening; a
// due time that falls exactly at a closing time is that closing time. Zero
// or negative work is due at start. It returns the zero Time if the office
// stays closed for more than two years in a row.
func (s *Schedule) Due(start time.Time, work time.Duration) time.Time {
	start = start.In(s.loc)
	if work <= 0 {
		return start
	}
	var due time.Time
	s.walk(start, func(p period) bool {
		from := p.start
		if start.After(from) {
			from = start
		}
		if !from.Before(p.end) {
			return true
		}
		if avail := p.end.Sub(from); work > avail {
			work -= avail
			return true
		}
		due = from.Add(work)
		return false
	})
	return due
}

// DueWorkingDays returns the deadline of a commitment counted in whole
// working days ("sous 3 jours ouvrés"): the closing time of the days-th day
// with opening hours after start's date. The day of receipt never counts,
// whatever the hour. Zero or negative days are due at start. It returns the
// zero Time if the office stays closed for more than two years in a row.
func (s *Schedule) DueWorkingDays(start time.Time, days int) time.Time {
	start = start.In(s.loc)
	if days <= 0 {
		return start
	}
	y, m, d := start.Date()
	for closedRun := 0; closedRun < maxClosedDays; {
		d++
		ps := s.periods(y, m, d)
		if len(ps) == 0 {
			closedRun++
			continue
		}
		closedRun = 0
		if days--; days == 0 {
			return ps[len(ps)-1].end
		}
	}
	return time.Time{}
}

// WorkingTimeBetween returns how much office time elapsed from a to b, for
// "near due" warnings and response-time statistics. It is zero when b is not
// after a.
func (s *Schedule) WorkingTimeBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var sum time.Duration
	s.walk(a, func(p period) bool {
		if !p.start.Before(b) {
			return false
		}
		from, to := p.start, p.end
		if a.After(from) {
			from = a
		}
		if b.Before(to) {
			to = b
		}
		if to.After(from) {
			sum += to.Sub(from)
		}
		return true
	})
	return sum
}

// Status is the schedule's state at one instant, as the console and the
// decision engine show and use it.
type Status struct {
	// Open reports whether staff are at work.
	Open bool
	// Mode is the mode in force (see ModeAt).
	Mode Mode
	// NextOpen is the instant itself when open, else the next opening.
	NextOpen time.Time
	// Holiday is the public holiday or closure of the day, if any.
	Holiday string
}

// StatusAt gathers IsOpen, ModeAt, NextOpen and IsHoliday at t in one value.
func (s *Schedule) StatusAt(t time.Time) Status {
	_, holiday := s.IsHoliday(t)
	return Status{
		Open:     s.IsOpen(t),
		Mode:     s.ModeAt(t),
		NextOpen: s.NextOpen(t),
		Holiday:  holiday,
	}
}
