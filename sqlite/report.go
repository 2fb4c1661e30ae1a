package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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

// replyKinds are the outbox actions that answer someone, as an SQL list.
const replyKinds = `('reply_comment', 'private_reply', 'send_message')`

// Report computes the activity of the events received in [from, to), with
// days cut at midnight in loc (UTC when nil). Returns EINVALID when to is not
// after from or the period is longer than 400 days (pagebot.NewReport).
func (db *DB) Report(ctx context.Context, from, to time.Time, loc *time.Location) (Report, error) {
	r, err := pagebot.NewReport(trunc(from), trunc(to), loc)
	if err != nil {
		return r, err
	}
	if err := db.reportDays(ctx, &r); err != nil {
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

// reportDays counts the messages of each day of the period.
func (db *DB) reportDays(ctx context.Context, r *Report) error {
	bounds := r.DayBounds()
	values := make([]string, len(r.Days))
	args := make([]any, 0, 3*len(r.Days))
	for i := range r.Days {
		values[i] = "(?, ?, ?)"
		args = append(args, i, bounds[i].UnixMicro(), bounds[i+1].UnixMicro())
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
		r.CountDay(i, comments, messages)
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
		times = append(times, time.Duration(us)*time.Microsecond)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bot replies: %w", err)
	}
	r.BotReply = pagebot.NewLatency(times)
	return nil
}

// reportCases counts the period's cases, those late, and measures the time
// to their first human answer.
func (db *DB) reportCases(ctx context.Context, r *Report) error {
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
	var cases []pagebot.ReportCase
	for rows.Next() {
		var (
			status                         string
			created, due, closed, answered sql.NullInt64
		)
		if err := rows.Scan(&status, &created, &due, &closed, &answered); err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		cases = append(cases, pagebot.ReportCase{Status: pagebot.CaseStatus(status),
			CreatedAt: goTime(created), DueAt: goTime(due), ClosedAt: goTime(closed), AnsweredAt: goTime(answered)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	r.CountCases(cases, db.now())
	return nil
}
