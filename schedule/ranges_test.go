package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func TestParseRanges(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []Range
	}{
		{"one range", "08:30-17:00", []Range{{hm(8, 30), hm(17, 0)}}},
		{"lunch break", "08:30-12:00,13:30-17:00", []Range{{hm(8, 30), hm(12, 0)}, {hm(13, 30), hm(17, 0)}}},
		{"spaces and one-digit hour", " 8:30 - 12:00 , 13:30-17:00 ", []Range{{hm(8, 30), hm(12, 0)}, {hm(13, 30), hm(17, 0)}}},
		{"sorted", "13:30-17:00,08:30-12:00", []Range{{hm(8, 30), hm(12, 0)}, {hm(13, 30), hm(17, 0)}}},
		{"touching", "08:00-12:00,12:00-13:00", []Range{{hm(8, 0), hm(12, 0)}, {hm(12, 0), hm(13, 0)}}},
		{"whole day", "00:00-24:00", []Range{{0, 24 * time.Hour}}},
		{"empty is closed", "", nil},
		{"closed", "closed", nil},
		{"fermé", "Fermé", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRanges(tc.spec)
			if err != nil {
				t.Fatalf("ParseRanges(%q) error: %v", tc.spec, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseRanges(%q) mismatch (-want +got):\n%s", tc.spec, diff)
			}
		})
	}
}

func TestParseRangesErrors(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want string // substring of the error
	}{
		{"no dash", "08:30", `range 1 "08:30": want HH:MM-HH:MM`},
		{"no colon", "0830-1700", `start: "0830" is not HH:MM`},
		{"bad minutes", "08:3-17:00", `"08:3" is not HH:MM`},
		{"letters", "8h30-17h00", `"8h30" is not HH:MM`},
		{"minute 60", "08:60-17:00", `"08:60" is not a time of day`},
		{"hour 25", "08:00-25:00", `end: "25:00" is not a time of day`},
		{"24:30", "08:00-24:30", `"24:30" is not a time of day`},
		{"reversed", "17:00-08:30", `range 1 "17:00-08:30": range 17:00-08:30: end is not after start`},
		{"empty range", "09:00-09:00", "end is not after start"},
		{"second range bad", "08:30-12:00,13:30", `range 2 "13:30"`},
		{"overlap", "08:00-12:00,11:00-14:00", "ranges 08:00-12:00 and 11:00-14:00 overlap"},
		{"trailing comma", "08:00-12:00,", `range 2 "": want HH:MM-HH:MM`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRanges(tc.spec)
			if err == nil {
				t.Fatalf("ParseRanges(%q) = %v, want error containing %q", tc.spec, got, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseRanges(%q) error = %q, want it to contain %q", tc.spec, err, tc.want)
			}
		})
	}
}

func TestRangeStringRoundTrip(t *testing.T) {
	for _, spec := range []string{"08:30-17:00", "00:00-24:00", "07:05-09:55"} {
		rs, err := ParseRanges(spec)
		if err != nil {
			t.Fatalf("ParseRanges(%q) error: %v", spec, err)
		}
		if got, want := rs[0].String(), spec; got != want {
			t.Errorf("ParseRanges(%q)[0].String() = %q, want %q", spec, got, want)
		}
	}
}

func TestParseWeekday(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Weekday
	}{
		{"english", "monday", time.Monday},
		{"french", "samedi", time.Saturday},
		{"case and spaces", " Dimanche ", time.Sunday},
		{"english capitalised", "Friday", time.Friday},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWeekday(tc.in)
			if err != nil {
				t.Fatalf("ParseWeekday(%q) error: %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseWeekday(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
	if got, err := ParseWeekday("mon"); err == nil {
		t.Errorf("ParseWeekday(%q) = %v, want error", "mon", got)
	}
}
