package schedule

import (
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/fr"
)

// Regions whose public holidays differ. Metropolitan France is the empty
// string so that the zero Config means the common case.
const (
	RegionMetropole     = ""
	RegionAlsaceMoselle = "alsace-moselle"
)

// The two extra public holidays of Alsace-Moselle (Bas-Rhin, Haut-Rhin,
// Moselle; article L3134-13 of the code du travail). rickar/cal/v2/fr v2.1.13
// lists only the 11 national holidays, so they are built here from the
// generic Good Friday and 26 December definitions.
var (
	vendrediSaint = aa.GoodFriday.Clone(&cal.Holiday{Name: "Vendredi saint", Type: cal.ObservancePublic})
	saintEtienne  = aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Saint-Étienne", Type: cal.ObservancePublic})
)

// holidays returns the public holidays in force for region. Two names from
// rickar/cal/v2/fr are respelt ("Nouvel an", "Fête Nationale") because the
// name can appear in a public holding reply and should follow French usage.
// The caller has already checked the region.
func holidays(region string) *cal.Calendar {
	c := &cal.Calendar{Name: "France"}
	for _, h := range fr.Holidays {
		switch h {
		case fr.NouvelAn:
			h = h.Clone(&cal.Holiday{Name: "Jour de l'An"})
		case fr.FêteNationale:
			h = h.Clone(&cal.Holiday{Name: "Fête nationale"})
		}
		c.AddHoliday(h)
	}
	if region == RegionAlsaceMoselle {
		c.Name = "France (Alsace-Moselle)"
		c.AddHoliday(vendrediSaint, saintEtienne)
	}
	// Cacheable stays false: the cache is an unguarded map, and a Schedule
	// is shared between goroutines. A lookup costs a dozen date sums.
	return c
}
