package schedule

import (
	"fmt"
	"strconv"
	"time"
)

var (
	frenchDays   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths = [...]string{"", "janvier", "février", "mars", "avril", "mai", "juin",
		"juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// FrenchOpening words an opening time for a holding reply, in t's own zone:
// "lundi 30 novembre à 8 h 30", "vendredi 1er mai à 9 h". It is absolute
// rather than relative ("demain") because a reply is read hours or days after
// it is posted. It gives "" for the zero Time, which NextOpen returns when
// there is no opening to promise.
func FrenchOpening(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	clock := fmt.Sprintf("%d h", t.Hour())
	if t.Minute() != 0 {
		clock += fmt.Sprintf(" %02d", t.Minute())
	}
	return fmt.Sprintf("%s %s %s à %s", frenchDays[t.Weekday()], day, frenchMonths[t.Month()], clock)
}
