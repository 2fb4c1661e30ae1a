package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"pagebot"
)

// FAQ version actions (see pagebot.FAQVersion).
const (
	FAQCreate = pagebot.FAQCreate
	FAQUpdate = pagebot.FAQUpdate
	FAQDelete = pagebot.FAQDelete
)

// FAQVersion is pagebot.FAQVersion.
type FAQVersion = pagebot.FAQVersion

// AddFAQVersion records a version of an entry, numbered after the entry's
// latest one; a zero At means now. It returns the version stored. EINVALID
// for an empty entry id or actor, an unknown action or an entry that is not
// a JSON object (see pagebot.FAQVersion.Validate).
func (db *DB) AddFAQVersion(ctx context.Context, v FAQVersion) (FAQVersion, error) {
	if err := v.Validate(); err != nil {
		return FAQVersion{}, err
	}
	v.At = trunc(v.At)
	if v.At.IsZero() {
		v.At = db.now()
	}
	// One statement: the number is computed and taken atomically.
	err := db.write.QueryRowContext(ctx, `INSERT INTO faq_versions (entry_id, version, actor, at, action, entry)
		SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM faq_versions WHERE entry_id = ?
		RETURNING id, version`,
		v.EntryID, v.Actor, dbTime(v.At), v.Action, string(v.Entry), v.EntryID).Scan(&v.ID, &v.Version)
	if err != nil {
		return FAQVersion{}, fmt.Errorf("add faq version %s: %w", v.EntryID, err)
	}
	return v, nil
}

// FAQVersions returns the versions of an entry, newest first; none for an
// entry never changed through the console.
func (db *DB) FAQVersions(ctx context.Context, entryID string) ([]FAQVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, entry_id, version, actor, at, action, entry
		FROM faq_versions WHERE entry_id = ? ORDER BY version DESC`, entryID)
	if err != nil {
		return nil, fmt.Errorf("faq versions %s: %w", entryID, err)
	}
	defer rows.Close()
	var out []FAQVersion
	for rows.Next() {
		var (
			v     FAQVersion
			at    sql.NullInt64
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
