package schedule_test

import (
	"fmt"
	"time"

	"pagebot/schedule"
)

// An escalation received on Friday at 16:00 with a commitment of 24 hours of
// working time, under the default hours (Monday to Friday, 08:30-17:00).
func Example() {
	s, err := schedule.New(schedule.DefaultConfig())
	if err != nil {
		panic(err)
	}
	received := time.Date(2026, 11, 27, 16, 0, 0, 0, s.Location())
	fmt.Println("réponse avant le", schedule.FrenchOpening(s.Due(received, 24*time.Hour)))
	fmt.Println("ou, en jours ouvrés, le", schedule.FrenchOpening(s.DueWorkingDays(received, 3)))

	night := time.Date(2026, 11, 27, 20, 0, 0, 0, s.Location())
	fmt.Println("réouverture", schedule.FrenchOpening(s.NextOpen(night)))
	// Output:
	// réponse avant le mercredi 2 décembre à 14 h 30
	// ou, en jours ouvrés, le mercredi 2 décembre à 17 h
	// réouverture lundi 30 novembre à 8 h 30
}
