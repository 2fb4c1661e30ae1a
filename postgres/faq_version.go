package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"pagebot"
)

// AddFAQVersion records a version of an entry, numbered after the entry's
// latest one; a zero At means now. It returns the version stored. EINVALID
// for an empty entry id or actor, an unknown action or an entry that is not
// a JSON object (see pagebot.FAQVersion.Validate).
//
// Two replicas may record versions of one entry at once: each takes a
// transaction-level advisory lock keyed by the entry before numbering, so
// the second numbers after the first's commit instead of colliding with it
// on (entry_id, version).
func (db *DB) AddFAQVersion(ctx context.Context, v pagebot.FAQVersion) (pagebot.FAQVersion, error) {
	if err := v.Validate(); err != nil {
		return pagebot.FAQVersion{}, err
	}
	v.At = trunc(v.At)
	if v.At.IsZero() {
		v.At = db.now()
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(
			hashtextextended('pagebot faq version ' || current_schema() || ' ' || $1::text, 0))`, v.EntryID); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO faq_versions (entry_id, version, actor, at, action, entry)
			SELECT $1::text, coalesce(max(version), 0) + 1, $2::text, $3::timestamptz, $4::text, $5::json
			FROM faq_versions WHERE entry_id = $1::text
			RETURNING id, version`,
			v.EntryID, v.Actor, dbTime(v.At), v.Action, string(v.Entry)).Scan(&v.ID, &v.Version)
	})
	if err != nil {
		return pagebot.FAQVersion{}, fmt.Errorf("add faq version %s: %w", v.EntryID, err)
	}
	return v, nil
}

// FAQVersions returns the versions of an entry, newest first; none for an
// entry never changed through the console.
func (db *DB) FAQVersions(ctx context.Context, entryID string) ([]pagebot.FAQVersion, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, entry_id, version, actor, at, action, entry
		FROM faq_versions WHERE entry_id = $1 ORDER BY version DESC`, entryID)
	if err != nil {
		return nil, fmt.Errorf("faq versions %s: %w", entryID, err)
	}
	defer rows.Close()
	var out []pagebot.FAQVersion
	for rows.Next() {
		var (
			v     pagebot.FAQVersion
			at    sql.NullTime
			entry string
		)
		if err := rows.Scan(&v.ID, &v.EntryID, &v.Version, &v.Actor, &at, &v.Action, &entry); err != nil {
			return nil, fmt.Errorf("faq versions %s: %w", entryID, err)
		}
		v.At, v.Entry = goTime(at), json.RawMessage(entry)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("faq versions %s: %w", entryID, err)
	}
	return out, nil
}
