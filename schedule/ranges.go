package schedule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Range is one opening period within a day, as wall-clock offsets from
// midnight in the schedule's time zone (8h30m means 08:30). Offsets rather
// than instants, because the same "08:30" is a different UTC instant before
// and after a daylight-saving change. End may be 24h to run to midnight.
type Range struct {
	Start, End time.Duration
}

// String renders the range as ParseRanges reads it ("08:30-17:00"), so that
// configuration can be printed back and read again unchanged.
func (r Range) String() string {
	return formatClock(r.Start) + "-" + formatClock(r.End)
}

func formatClock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// validate checks one range on its own: whole minutes, within the day,
// start before end.
func (r Range) validate() error {
	for _, d := range []time.Duration{r.Start, r.End} {
		if d < 0 || d > 24*time.Hour {
			return fmt.Errorf("range %s: time outside 00:00-24:00", r)
		}
		if d%time.Minute != 0 {
			return fmt.Errorf("range %s: times must be whole minutes", r)
		}
	}
	if r.End <= r.Start {
		return fmt.Errorf("range %s: end is not after start", r)
	}
	return nil
}

// validateRanges checks a day's ranges: each well-formed, in order, and not
// overlapping (two overlapping ranges would count the same minutes twice in
// working-time sums). Touching ranges (12:00-13:00,13:00-14:00) are allowed.
func validateRanges(rs []Range) error {
	for i, r := range rs {
		if err := r.validate(); err != nil {
			return err
		}
		if i > 0 && r.Start < rs[i-1].End {
			return fmt.Errorf("ranges %s and %s overlap or are out of order", rs[i-1], r)
		}
	}
	return nil
}

// ParseRanges reads one day's opening hours as written in configuration:
// comma-separated "HH:MM-HH:MM" ranges, e.g. "08:30-12:00,13:30-17:00".
// Ranges may be given in any order; they are returned sorted. The empty
// string, "closed" and "fermé" mean the day is closed and give no ranges.
// Errors say which range is wrong and why, for a staff member editing a
// configuration file.
func ParseRanges(spec string) ([]Range, error) {
	spec = strings.TrimSpace(spec)
	switch strings.ToLower(spec) {
	case "", "closed", "fermé", "ferme":
		return nil, nil
	}
	parts := strings.Split(spec, ",")
	rs := make([]Range, 0, len(parts))
	for i, part := range parts {
		part = strings.TrimSpace(part)
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("range %d %q: want HH:MM-HH:MM", i+1, part)
		}
		start, err := parseClock(from)
		if err != nil {
			return nil, fmt.Errorf("range %d %q: start: %w", i+1, part, err)
		}
		end, err := parseClock(to)
		if err != nil {
			return nil, fmt.Errorf("range %d %q: end: %w", i+1, part, err)
		}
		r := Range{Start: start, End: end}
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("range %d %q: %w", i+1, part, err)
		}
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b Range) int { return int(a.Start - b.Start) })
	if err := validateRanges(rs); err != nil {
		return nil, err
	}
	return rs, nil
}

// parseClock reads "H:MM" or "HH:MM"; "24:00" is accepted as the end of day.
func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	m, err := strconv.Atoi(ms)
	if err != nil || m < 0 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// weekdayNames maps English and French day names to weekdays, so that a
// configuration file may use either.
var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday,
	"saturday": time.Saturday,
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday,
	"mercredi": time.Wednesday, "jeudi": time.Thursday, "vendredi": time.Friday,
	"samedi": time.Saturday,
}

// ParseWeekday reads a day name in English or French ("monday", "lundi"),
// ignoring case, so that configuration can key opening hours by day name.
func ParseWeekday(name string) (time.Weekday, error) {
	if d, ok := weekdayNames[strings.ToLower(strings.TrimSpace(name))]; ok {
		return d, nil
	}
	return 0, fmt.Errorf("unknown weekday %q (want monday…sunday or lundi…dimanche)", name)
}
