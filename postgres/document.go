package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DocumentsChannel is the channel a saved document is notified on
// (LISTEN/NOTIFY); the payload is its name.
const DocumentsChannel = "pagebot_documents"

// LoadDocument returns the body of the named document and its revision;
// nil and 0 when none is stored under that name.
func (db *DB) LoadDocument(ctx context.Context, name string) ([]byte, int64, error) {
	var (
		body []byte
		rev  int64
	)
	err := db.db.QueryRowContext(ctx, `SELECT body, revision FROM documents WHERE name = $1`, name).Scan(&body, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load document %q: %w", name, err)
	}
	if body == nil {
		body = []byte{} // stored empty, not missing
	}
	return body, rev, nil
}

// SaveDocument stores body under name, replacing what was there, and
// returns its new revision: 1 for the first save, then one more at each.
// Every replica listening (WatchDocuments) is notified once it is
// committed. The store does not look inside: callers validate first.
func (db *DB) SaveDocument(ctx context.Context, name string, body []byte) (int64, error) {
	if name == "" {
		return 0, errors.New("save document: name required")
	}
	if body == nil {
		body = []byte{}
	}
	var rev int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// The upsert locks the row: concurrent saves of one name are
		// serialised, so revisions are gapless and notifications ordered.
		if err := tx.QueryRowContext(ctx, `INSERT INTO documents (name, body, revision, updated_at)
			VALUES ($1, $2, 1, $3)
			ON CONFLICT (name) DO UPDATE SET body = excluded.body, revision = documents.revision + 1,
				updated_at = excluded.updated_at
			RETURNING revision`, name, body, db.now()).Scan(&rev); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, DocumentsChannel, name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save document %q: %w", name, err)
	}
	return rev, nil
}

// WatchDocuments calls changed each time a document may have changed, until
// ctx is done: after each notification on DocumentsChannel, and after each
// (re)connection of its listening connection, since notifications sent
// while it was down are lost. It holds one connection of its own and
// reconnects as WatchFAQ does. changed is called from one goroutine at a
// time and should compare revisions (LoadDocument): a notification may be
// about another document, or come from another schema of the same database.
func (db *DB) WatchDocuments(ctx context.Context, changed func()) error {
	return db.watch(ctx, DocumentsChannel, "documents listener", changed)
}
