package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"pagebot"
)

// SetHumanActive leaves a thread to a human agent until the given time: the
// bot stays silent there meanwhile. threadKey is the PSID for Messenger or the
// comment thread id. A later call replaces the time, so a time in the past
// hands the thread back to the bot.
func (db *DB) SetHumanActive(ctx context.Context, pageID, threadKey string, until time.Time) error {
	if _, err := db.db.ExecContext(ctx, `INSERT INTO human_threads (page_id, thread_key, until)
		VALUES ($1, $2, $3)
		ON CONFLICT (page_id, thread_key) DO UPDATE SET until = excluded.until`,
		pageID, threadKey, trunc(until)); err != nil {
		return fmt.Errorf("set human active: %w", err)
	}
	return nil
}

// HumanActive reports whether a human agent holds the thread at now.
func (db *DB) HumanActive(ctx context.Context, pageID, threadKey string, now time.Time) (bool, error) {
	var found bool
	if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM human_threads
		WHERE page_id = $1 AND thread_key = $2 AND until > $3)`,
		pageID, threadKey, trunc(now)).Scan(&found); err != nil {
		return false, fmt.Errorf("human active: %w", err)
	}
	return found, nil
}

// AddAudit records an entry of the audit trail; a zero At means now.
func (db *DB) AddAudit(ctx context.Context, e pagebot.AuditEntry) error {
	at := trunc(e.At)
	if at.IsZero() {
		at = db.now()
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail)
		VALUES ($1, $2, $3, $4, $5)`, at, e.Actor, e.Action, e.Subject, e.Detail); err != nil {
		return fmt.Errorf("add audit: %w", err)
	}
	return nil
}

// Audit returns the latest entries of the audit trail, newest first, at most
// limit (100 when limit <= 0).
func (db *DB) Audit(ctx context.Context, limit int) ([]pagebot.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail
		FROM audit ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var entries []pagebot.AuditEntry
	for rows.Next() {
		var e pagebot.AuditEntry
		var at sql.NullTime
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = goTime(at)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return entries, nil
}

// Stats counts the work waiting, for /readyz and /metrics (see
// pagebot.Stats).
type Stats = pagebot.Stats

// Stats counts events, actions and cases waiting.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	now := db.now()
	err := db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM events WHERE status = 'unhandled' AND (lease_until IS NULL OR lease_until <= $1)),
		(SELECT count(*) FROM events WHERE status = 'unhandled' AND lease_until > $1),
		(SELECT count(*) FROM outbox WHERE status = 'pending'),
		(SELECT count(*) FROM cases WHERE status = 'open'),
		(SELECT count(*) FROM cases WHERE status = 'open' AND due_at IS NOT NULL AND due_at <= $1)`, now).
		Scan(&s.EventsPending, &s.EventsClaimed, &s.ActionsPending, &s.CasesOpen, &s.CasesPastDue)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}

// Once records key and reports whether this is the first time: it lets
// pagebot do something at most once (one scam warning per post), even with
// several replicas.
func (db *DB) Once(ctx context.Context, key string) (bool, error) {
	res, err := db.db.ExecContext(ctx, `INSERT INTO once_markers (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, db.now())
	if err != nil {
		return false, fmt.Errorf("once %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("once %q: %w", key, err)
	}
	return n == 1, nil
}
