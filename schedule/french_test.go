package schedule

import (
	"testing"
	"time"
)

func TestFrenchOpening(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"half past", time.Date(2026, 11, 30, 8, 30, 0, 0, paris), "lundi 30 novembre à 8 h 30"},
		{"on the hour", time.Date(2026, 11, 30, 9, 0, 0, 0, paris), "lundi 30 novembre à 9 h"},
		{"first of month", time.Date(2026, 6, 1, 8, 30, 0, 0, paris), "lundi 1er juin à 8 h 30"},
		{"leading zero minutes", time.Date(2026, 8, 17, 14, 5, 0, 0, paris), "lundi 17 août à 14 h 05"},
		{"accented month", time.Date(2026, 2, 3, 13, 30, 0, 0, paris), "mardi 3 février à 13 h 30"},
		{"december", time.Date(2026, 12, 28, 8, 30, 0, 0, paris), "lundi 28 décembre à 8 h 30"},
		{"own zone", time.Date(2026, 3, 30, 6, 30, 0, 0, utc), "lundi 30 mars à 6 h 30"},
		{"zone converted", time.Date(2026, 3, 30, 6, 30, 0, 0, utc).In(paris), "lundi 30 mars à 8 h 30"},
		{"zero time", time.Time{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FrenchOpening(tc.t); got != tc.want {
				t.Errorf("FrenchOpening(%v) = %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}
