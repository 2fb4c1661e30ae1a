package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"pagebot/config"
	"pagebot/schedule"
)

// buildSchedule turns the schedule.* settings into a Schedule; errors name
// the configuration key.
func buildSchedule(c config.Config) (*schedule.Schedule, error) {
	sc := schedule.Config{
		TimeZone:       c.Schedule.TimeZone,
		Region:         c.Schedule.Region,
		OfficeMode:     schedule.Mode(c.Schedule.OfficeMode),
		AfterHoursMode: schedule.Mode(c.Schedule.AfterHoursMode),
		KillSwitch:     c.Schedule.KillSwitch,
		Hours:          map[time.Weekday][]schedule.Range{},
	}
	h := c.Schedule.Hours
	for _, d := range []struct {
		day  time.Weekday
		name string
		spec string
	}{
		{time.Monday, "monday", h.Monday}, {time.Tuesday, "tuesday", h.Tuesday}, {time.Wednesday, "wednesday", h.Wednesday},
		{time.Thursday, "thursday", h.Thursday}, {time.Friday, "friday", h.Friday}, {time.Saturday, "saturday", h.Saturday},
		{time.Sunday, "sunday", h.Sunday},
	} {
		rs, err := schedule.ParseRanges(d.spec)
		if err != nil {
			return nil, fmt.Errorf("schedule.hours.%s: %w", d.name, err)
		}
		if len(rs) > 0 {
			sc.Hours[d.day] = rs
		}
	}
	for i, cl := range c.Schedule.Closures {
		dates, label, _ := strings.Cut(strings.TrimSpace(cl), " ")
		from, to, _ := strings.Cut(dates, "..")
		if from == "" {
			return nil, fmt.Errorf("schedule.closures[%d]: %q: expected \"YYYY-MM-DD[..YYYY-MM-DD] label\"", i, cl)
		}
		sc.Closures = append(sc.Closures, schedule.Closure{From: from, To: to, Label: strings.TrimSpace(label)})
	}
	s, err := schedule.New(sc)
	if err != nil {
		return nil, fmt.Errorf("schedule.%w", err)
	}
	return s, nil
}

// whenPhrase words, for a holding reply, when an agent will answer: empty
// during office hours.
func whenPhrase(s *schedule.Schedule, now time.Time) string {
	if s.IsOpen(now) {
		return ""
	}
	next := s.NextOpen(now)
	if next.IsZero() {
		return ""
	}
	return "à partir du " + schedule.FrenchOpening(next.In(s.Location()))
}

func newScheduleCmd(g *globals) *cobra.Command {
	var (
		at     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "schedule [--at RFC3339] [--json]",
		Short: "Dit si l'accueil est ouvert à un instant, le mode en vigueur et la prochaine ouverture",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			s, err := buildSchedule(c)
			if err != nil {
				return err
			}
			t := time.Now()
			if at != "" {
				if t, err = time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at %q : date RFC 3339 attendue, par exemple 2026-12-24T18:00:00+01:00", at)
				}
			}
			st := s.StatusAt(t)
			if asJSON {
				return json.NewEncoder(g.stdout).Encode(struct {
					Open     bool   `json:"open"`
					Mode     string `json:"mode"`
					NextOpen string `json:"next_open"`
					Holiday  string `json:"holiday,omitempty"`
				}{st.Open, string(st.Mode), st.NextOpen.In(s.Location()).Format(time.RFC3339), st.Holiday})
			}
			state := "fermé"
			if st.Open {
				state = "ouvert"
			}
			fmt.Fprintf(g.stdout, "%s : %s, mode %s\n", t.In(s.Location()).Format("2006-01-02 15:04 MST"), state, st.Mode)
			if st.Holiday != "" {
				fmt.Fprintf(g.stdout, "jour férié ou fermeture : %s\n", st.Holiday)
			}
			if !st.Open {
				fmt.Fprintf(g.stdout, "prochaine ouverture : %s\n", schedule.FrenchOpening(st.NextOpen.In(s.Location())))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "instant à examiner (RFC 3339), défaut : maintenant")
	cmd.Flags().BoolVar(&asJSON, "json", false, `sortie JSON {"open": bool, "mode": "...", "next_open": "RFC3339"}`)
	return cmd
}
