package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"pagebot"
)

// replyKinds are the outbox actions that answer someone, as an SQL list.
const replyKinds = `('reply_comment', 'private_reply', 'send_message')`

// Report computes the activity of the events received in [from, to), with
// days cut at midnight in loc (UTC when nil). Returns EINVALID when to is not
// after from or the period is longer than 400 days (pagebot.NewReport).
//
// Its queries share one snapshot (a read-only REPEATABLE READ transaction),
// so that the figures agree with one another while replicas keep writing.
func (db *DB) Report(ctx context.Context, from, to time.Time, loc *time.Location) (pagebot.Report, error) {
	r, err := pagebot.NewReport(trunc(from), trunc(to), loc)
	if err != nil {
		return r, err
	}
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	for _, step := range []func(context.Context, *sql.Tx, *pagebot.Report) error{
		db.reportDays, db.reportDecisions, db.reportBotReplies, db.reportCases,
	} {
		if err := step(ctx, tx, &r); err != nil {
			return r, fmt.Errorf("report: %w", err)
		}
	}
	return r, nil
}

// reportDays counts the messages of each day of the period: width_bucket
// numbers an instant from 1 by the day bounds it falls between.
func (db *DB) reportDays(ctx context.Context, tx *sql.Tx, r *pagebot.Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT width_bucket(e.received_at, $1::timestamptz[]) AS i,
			count(*) FILTER (WHERE e.channel = 'comment'),
			count(*) FILTER (WHERE e.channel = 'message')
		FROM events e
		WHERE e.received_at >= $2 AND e.received_at < $3 AND NOT e.from_page
			AND ((e.channel = 'comment' AND e.kind = 'comment_add')
				OR (e.channel = 'message' AND e.kind IN ('message', 'postback')))
		GROUP BY i`, r.DayBounds(), r.From, r.To)
	if err != nil {
		return fmt.Errorf("days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, comments, messages int
		if err := rows.Scan(&i, &comments, &messages); err != nil {
			return fmt.Errorf("days: %w", err)
		}
		r.CountDay(i-1, comments, messages)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("days: %w", err)
	}
	return nil
}

// reportDecisions counts the decisions and the hidden comments.
func (db *DB) reportDecisions(ctx context.Context, tx *sql.Tx, r *pagebot.Report) error {
	err := tx.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE d.action = 'answer'),
			count(*) FILTER (WHERE d.action = 'redirect'),
			count(*) FILTER (WHERE d.action = 'escalate'),
			count(*) FILTER (WHERE d.action = 'ignore'),
			count(*) FILTER (WHERE d.hide AND strpos(d.reasons::text, 'modération') = 0),
			count(*) FILTER (WHERE d.hide AND strpos(d.reasons::text, 'modération') > 0)
		FROM decisions d JOIN events e ON e.id = d.event_id
		WHERE e.received_at >= $1 AND e.received_at < $2`, r.From, r.To).
		Scan(&r.Answered, &r.Redirected, &r.Escalated, &r.Ignored, &r.HiddenPersonalData, &r.HiddenModeration)
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	return nil
}

// reportBotReplies measures the time to the bot's first reply.
func (db *DB) reportBotReplies(ctx context.Context, tx *sql.Tx, r *pagebot.Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT e.received_at, min(o.updated_at)
		FROM events e JOIN outbox o ON o.event_id = e.id
		WHERE e.received_at >= $1 AND e.received_at < $2
			AND o.status = 'done' AND NOT o.human_agent AND o.kind IN `+replyKinds+`
			AND NOT (o.kind = 'reply_comment' AND e.post_id <> '' AND o.target = e.post_id)
		GROUP BY e.id`, r.From, r.To)
	if err != nil {
		return fmt.Errorf("bot replies: %w", err)
	}
	defer rows.Close()
	var times []time.Duration
	for rows.Next() {
		var received, replied time.Time
		if err := rows.Scan(&received, &replied); err != nil {
			return fmt.Errorf("bot replies: %w", err)
		}
		times = append(times, replied.Sub(received))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bot replies: %w", err)
	}
	r.BotReply = pagebot.NewLatency(times)
	return nil
}

// reportCases counts the period's cases, those late, and measures the time
// to their first human answer.
func (db *DB) reportCases(ctx context.Context, tx *sql.Tx, r *pagebot.Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.status, c.created_at, c.due_at, c.closed_at,
			(SELECT min(o.updated_at) FROM outbox o
				WHERE o.event_id = c.event_id AND o.status = 'done' AND o.human_agent
					AND o.kind IN `+replyKinds+` AND o.updated_at >= c.created_at)
		FROM cases c JOIN events e ON e.id = c.event_id
		WHERE e.received_at >= $1 AND e.received_at < $2`, r.From, r.To)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	defer rows.Close()
	var cases []pagebot.ReportCase
	for rows.Next() {
		var (
			status                         string
			created, due, closed, answered sql.NullTime
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
