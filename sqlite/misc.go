package sqlite

import (
	"context"
	"fmt"
	"time"

	"pagebot"
)

// SetHumanActive leaves a thread to a human agent until the given time: the
// bot stays silent there meanwhile. threadKey is the PSID for Messenger or the
// comment thread id. A later call replaces the time, so a time in the past
// hands the thread back to the bot.
func (db *DB) SetHumanActive(ctx context.Context, pageID, threadKey string, until time.Time) error {
	if _, err := db.write.ExecContext(ctx, `INSERT INTO human_threads (page_id, thread_key, until)
		VALUES (?, ?, ?)
		ON CONFLICT (page_id, thread_key) DO UPDATE SET until = excluded.until`,
		pageID, threadKey, trunc(until).UnixMicro()); err != nil {
		return fmt.Errorf("set human active: %w", err)
	}
	return nil
}

// HumanActive reports whether a human agent holds the thread at now.
func (db *DB) HumanActive(ctx context.Context, pageID, threadKey string, now time.Time) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM human_threads
		WHERE page_id = ? AND thread_key = ? AND until > ?`,
		pageID, threadKey, now.UnixMicro()).Scan(&n); err != nil {
		return false, fmt.Errorf("human active: %w", err)
	}
	return n > 0, nil
}

// AddAudit records an entry of the audit trail; a zero At means now.
func (db *DB) AddAudit(ctx context.Context, e pagebot.AuditEntry) error {
	at := trunc(e.At)
	if at.IsZero() {
		at = db.now()
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail)
		VALUES (?, ?, ?, ?, ?)`, dbTime(at), e.Actor, e.Action, e.Subject, e.Detail); err != nil {
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
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail
		FROM audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var entries []pagebot.AuditEntry
	for rows.Next() {
		var e pagebot.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return entries, nil
}

// Stats counts the work waiting, for /readyz and /metrics. Like
// ActionFilter, it aliases an unnamed struct so that other packages can
// name the same type; it belongs in the root package.
type Stats = pagebot.Stats

// Stats counts events, actions and cases waiting.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	now := db.now().UnixMicro()
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM events WHERE status = 'unhandled' AND (lease_until IS NULL OR lease_until <= ?)),
		(SELECT count(*) FROM events WHERE status = 'unhandled' AND lease_until > ?),
		(SELECT count(*) FROM outbox WHERE status = 'pending'),
		(SELECT count(*) FROM cases WHERE status = 'open'),
		(SELECT count(*) FROM cases WHERE status = 'open' AND due_at IS NOT NULL AND due_at <= ?)`, now, now, now).
		Scan(&s.EventsPending, &s.EventsClaimed, &s.ActionsPending, &s.CasesOpen, &s.CasesPastDue)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}
