package console

import (
	"fmt"
	"net/http"
	"pagebot"
	"slices"
	"strconv"
	"time"
)

// DayCount is pagebot.DayCount.
type DayCount = pagebot.DayCount

// Latency is pagebot.Latency.
type Latency = pagebot.Latency

// Report is pagebot.Report.
type Report = pagebot.Report

// periods are the lengths, in days, the dashboard offers, defaultDays the
// one it shows first.
var periods = []int{7, 30, 90}

const defaultDays = 30

// dashboardData is the content of the home page.
type dashboardData struct {
	Stats   Stats
	Entries int
	// Days is the length of the period shown, Periods the choices.
	Days    int
	Periods []periodChoice
	// First and Last name the period's first and last days.
	First, Last string
	Report      Report
	// BotMedian … HumanP90 are the latencies in words ("—" when none).
	BotMedian, BotP90, HumanMedian, HumanP90 string
	Hidden                                   int
	Chart                                    dayChart
	Decisions                                int
	Shares                                   []share
}

type periodChoice struct {
	Days     int
	Selected bool
}

// dayChart is the bar chart of messages per day, drawn on the server: one
// stacked bar (comments, then private messages) per day.
type dayChart struct {
	Width, Height int
	// Left, Right, Base and Top frame the plot area; Max is the value at Top.
	Left, Right, Base, Top int
	Max                    int
	Desc                   string
	Bars                   []dayBar
}

type dayBar struct {
	Label, Long               string
	Comments, Messages, Total int
	X, W, Center              string
	CommentsY, CommentsH      string
	MessagesY, MessagesH      string
	Tick                      bool
}

// share is one action's part of the decisions.
type share struct {
	Label, Class string
	Count        int
	Fraction     float64
	X, W         string
}

// dashboard shows what is waiting (open cases, events and Graph actions not
// yet handled, the size of the FAQ) and the activity of the last 7, 30 or
// 90 days (?days=): messages per day, decisions, hidden comments, response
// times and late cases.
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	days := defaultDays
	if n, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && slices.Contains(periods, n) {
		days = n
	}
	loc := h.cfg.Location
	now := h.cfg.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	from := time.Date(now.Year(), now.Month(), now.Day()+1-days, 0, 0, 0, 0, loc)

	st, err := h.store.Stats(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rep, err := h.store.Report(r.Context(), from, to, loc)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := dashboardData{Stats: st, Entries: len(h.index.FAQ().Entries), Days: days, Report: rep,
		First: longDay(from), Last: longDay(to.AddDate(0, 0, -1)),
		BotMedian: latency(rep.BotReply.Count, rep.BotReply.Median), BotP90: latency(rep.BotReply.Count, rep.BotReply.P90),
		HumanMedian: latency(rep.HumanReply.Count, rep.HumanReply.Median), HumanP90: latency(rep.HumanReply.Count, rep.HumanReply.P90),
		Hidden: rep.HiddenPersonalData + rep.HiddenModeration}
	for _, p := range periods {
		d.Periods = append(d.Periods, periodChoice{Days: p, Selected: p == days})
	}
	d.Chart = newDayChart(rep, loc)
	d.Decisions, d.Shares = shares(rep)
	h.render(w, r, http.StatusOK, "dashboard", h.page(r, "Tableau de bord", "dashboard", d))
}

// latency writes a response time in words, or "—" when nothing was measured.
func latency(count int, d time.Duration) string {
	if count == 0 {
		return "—"
	}
	return age(d)
}

var weekdays = [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}

// shortDay is "lun. 02/03", longDay "lun. 02/03/2026".
func shortDay(t time.Time) string { return weekdays[t.Weekday()] + " " + t.Format("02/01") }
func longDay(t time.Time) string  { return weekdays[t.Weekday()] + " " + t.Format("02/01/2006") }

// px writes an SVG coordinate.
func px(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// newDayChart lays out the bars of messages per day.
func newDayChart(rep Report, loc *time.Location) dayChart {
	// As much room right as left: the last date is centred under its bar
	// and would be cut at the edge.
	c := dayChart{Width: 640, Height: 220, Left: 36, Right: 604, Top: 12, Base: 196, Max: 1}
	busiest := -1
	for i, d := range rep.Days {
		if t := d.Comments + d.Messages; t > c.Max {
			c.Max = t
		}
		if busiest < 0 || d.Comments+d.Messages > rep.Days[busiest].Comments+rep.Days[busiest].Messages {
			busiest = i
		}
	}
	n := len(rep.Days)
	if n == 0 {
		c.Desc = "Aucun jour dans la période."
		return c
	}
	step := float64(c.Right-c.Left) / float64(n)
	scale := float64(c.Base-c.Top) / float64(c.Max)
	every := (n + 6) / 7 // about seven dates under the axis
	for i, d := range rep.Days {
		day := d.Day.In(loc)
		x := float64(c.Left) + float64(i)*step
		ch, mh := float64(d.Comments)*scale, float64(d.Messages)*scale
		c.Bars = append(c.Bars, dayBar{
			Label: shortDay(day), Long: longDay(day),
			Comments: d.Comments, Messages: d.Messages, Total: d.Comments + d.Messages,
			X: px(x + step*0.15), W: px(step * 0.7), Center: px(x + step/2),
			CommentsY: px(float64(c.Base) - ch), CommentsH: px(ch),
			MessagesY: px(float64(c.Base) - ch - mh), MessagesH: px(mh),
			Tick: (n-1-i)%every == 0, // the last day always has its date
		})
	}
	c.Desc = fmt.Sprintf("Du %s au %s : %d commentaire(s) public(s) et %d message(s) privé(s) reçus.",
		c.Bars[0].Long, c.Bars[n-1].Long, rep.Comments, rep.Messages)
	if b := c.Bars[busiest]; b.Total > 0 {
		c.Desc += fmt.Sprintf(" Jour le plus chargé : %s, avec %d.", b.Long, b.Total)
	}
	return c
}

// shares splits the decisions by action, for a stacked bar and its list.
func shares(rep Report) (int, []share) {
	s := []share{
		{Label: "Réponses avec la FAQ", Class: "answer", Count: rep.Answered},
		{Label: "Réorientations vers un autre organisme", Class: "redirect", Count: rep.Redirected},
		{Label: "Transmis à un conseiller", Class: "escalate", Count: rep.Escalated},
		{Label: "Sans réponse (remerciements, émojis…)", Class: "ignore", Count: rep.Ignored},
	}
	total := rep.Answered + rep.Redirected + rep.Escalated + rep.Ignored
	if total == 0 {
		return 0, s
	}
	x := 0.0
	for i := range s {
		s[i].Fraction = float64(s[i].Count) / float64(total)
		w := s[i].Fraction * 100
		s[i].X, s[i].W = px(x), px(w)
		x += w
	}
	return total, s
}
