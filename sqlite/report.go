package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"pagebot"
)

// DayCount is pagebot.DayCount.
type DayCount = pagebot.DayCount

// Latency is pagebot.Latency.
type Latency = pagebot.Latency

// Report is pagebot.Report.
type Report = pagebot.Report

// maxReportDays bounds a report's period (one parameter pair per day).
const maxReportDays = 400

// replyKinds are the outbox actions that answer someone, as an SQL list.
const replyKinds = `('reply_comment', 'private_reply', 'send_message')`

// Report computes the activity of the events received in [from, to), with
// days cut at midnight in loc (UTC when nil). Returns EINVALID when to is not
// after from or the period is longer than 400 days.
func (db *DB) Report(ctx context.Context, from, to time.Time, loc *time.Location) (Report, error) {
	if loc == nil {
		loc = time.UTC
	}
	from, to = trunc(from), trunc(to)
	r := Report{From: from, To: to}
	if !to.After(from) {
		return r, pagebot.Errorf(pagebot.EINVALID, "Période vide : la fin doit suivre le début.")
	}
	if to.Sub(from) > maxReportDays*24*time.Hour {
		return r, pagebot.Errorf(pagebot.EINVALID, "Période trop longue : %d jours au plus.", maxReportDays)
	}
	if err := db.reportDays(ctx, &r, loc); err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	if err := db.reportDecisions(ctx, &r); err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	if err := db.reportBotReplies(ctx, &r); err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	if err := db.reportCases(ctx, &r); err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	return r, nil
}

// reportDays counts the messages of each local day of the period.
func (db *DB) reportDays(ctx context.Context, r *Report, loc *time.Location) error {
	var (
		values []string
		args   []any
	)
	local := r.From.In(loc)
	for day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc); day.Before(r.To); {
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		lo, hi := day, next
		if lo.Before(r.From) {
			lo = r.From
		}
		if hi.After(r.To) {
			hi = r.To
		}
		values = append(values, "(?, ?, ?)")
		args = append(args, len(r.Days), lo.UnixMicro(), hi.UnixMicro())
		r.Days = append(r.Days, DayCount{Day: day})
		day = next
	}
	rows, err := db.read.QueryContext(ctx, `WITH days (i, lo, hi) AS (VALUES `+strings.Join(values, ", ")+`)
		SELECT d.i, sum(e.channel = 'comment'), sum(e.channel = 'message')
		FROM days d JOIN events e ON e.received_at >= d.lo AND e.received_at < d.hi
		WHERE e.from_page = 0
			AND ((e.channel = 'comment' AND e.kind = 'comment_add')
				OR (e.channel = 'message' AND e.kind IN ('message', 'postback')))
		GROUP BY d.i`, args...)
	if err != nil {
		return fmt.Errorf("days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, comments, messages int
		if err := rows.Scan(&i, &comments, &messages); err != nil {
			return fmt.Errorf("days: %w", err)
		}
		r.Days[i].Comments, r.Days[i].Messages = comments, messages
		r.Comments += comments
		r.Messages += messages
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("days: %w", err)
	}
	return nil
}

// reportDecisions counts the decisions and the hidden comments.
func (db *DB) reportDecisions(ctx context.Context, r *Report) error {
	err := db.read.QueryRowContext(ctx, `SELECT
			coalesce(sum(d.action = 'answer'), 0),
			coalesce(sum(d.action = 'redirect'), 0),
			coalesce(sum(d.action = 'escalate'), 0),
			coalesce(sum(d.action = 'ignore'), 0),
			coalesce(sum(d.hide = 1 AND instr(d.reasons, 'modération') = 0), 0),
			coalesce(sum(d.hide = 1 AND instr(d.reasons, 'modération') > 0), 0)
		FROM decisions d JOIN events e ON e.id = d.event_id
		WHERE e.received_at >= ? AND e.received_at < ?`, r.From.UnixMicro(), r.To.UnixMicro()).
		Scan(&r.Answered, &r.Redirected, &r.Escalated, &r.Ignored, &r.HiddenPersonalData, &r.HiddenModeration)
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	return nil
}

// reportBotReplies measures the time to the bot's first reply.
func (db *DB) reportBotReplies(ctx context.Context, r *Report) error {
	rows, err := db.read.QueryContext(ctx, `SELECT min(o.updated_at) - e.received_at
		FROM events e JOIN outbox o ON o.event_id = e.id
		WHERE e.received_at >= ? AND e.received_at < ?
			AND o.status = 'done' AND o.human_agent = 0 AND o.kind IN `+replyKinds+`
			AND NOT (o.kind = 'reply_comment' AND e.post_id != '' AND o.target = e.post_id)
		GROUP BY e.id`, r.From.UnixMicro(), r.To.UnixMicro())
	if err != nil {
		return fmt.Errorf("bot replies: %w", err)
	}
	defer rows.Close()
	var times []time.Duration
	for rows.Next() {
		var us int64
		if err := rows.Scan(&us); err != nil {
			return fmt.Errorf("bot replies: %w", err)
		}
		times = append(times, max(0, time.Duration(us)*time.Microsecond))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bot replies: %w", err)
	}
	r.BotReply = latency(times)
	return nil
}

// reportCases counts the period's cases, those late, and measures the time
// to their first human answer.
func (db *DB) reportCases(ctx context.Context, r *Report) error {
	now := db.now()
	rows, err := db.read.QueryContext(ctx, `SELECT c.status, c.created_at, c.due_at, c.closed_at,
			(SELECT min(o.updated_at) FROM outbox o
				WHERE o.event_id = c.event_id AND o.status = 'done' AND o.human_agent = 1
					AND o.kind IN `+replyKinds+` AND o.updated_at >= c.created_at)
		FROM cases c JOIN events e ON e.id = c.event_id
		WHERE e.received_at >= ? AND e.received_at < ?`, r.From.UnixMicro(), r.To.UnixMicro())
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	defer rows.Close()
	var times []time.Duration
	for rows.Next() {
		var (
			status                         string
			created, due, closed, answered sql.NullInt64
		)
		if err := rows.Scan(&status, &created, &due, &closed, &answered); err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		r.CasesOpened++
		switch pagebot.CaseStatus(status) {
		case pagebot.CaseClosed:
			r.CasesClosed++
			if due.Valid && closed.Valid && closed.Int64 > due.Int64 {
				r.CasesClosedLate++
			}
		case pagebot.CaseOpen:
			if due.Valid && due.Int64 < now.UnixMicro() {
				r.CasesOpenPastDue++
			}
		}
		if closed.Valid && (!answered.Valid || closed.Int64 < answered.Int64) {
			answered = closed
		}
		if answered.Valid && created.Valid {
			times = append(times, max(0, time.Duration(answered.Int64-created.Int64)*time.Microsecond))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	r.HumanReply = latency(times)
	return nil
}

// latency sums up response times with nearest-rank percentiles.
func latency(times []time.Duration) Latency {
	l := Latency{Count: len(times)}
	if len(times) == 0 {
		return l
	}
	slices.Sort(times)
	rank := func(pct int) time.Duration {
		k := (len(times)*pct + 99) / 100 // ceil(n·pct/100), at least 1
		return times[k-1]
	}
	l.Median, l.P90 = rank(50), rank(90)
	return l
}
