package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"pagebot"
)

// Purge deletes what is older than before: handled events received before
// it, with their decisions, finished outbox actions and closed cases, and
// expired human takeovers; and the comments NoteRepeat saw more than a day
// ago, whatever before is. Work still in progress (an open case, a pending
// or draft action) keeps its event. It returns the number of events deleted.
// It is the retention job: masked texts are not kept longer than the caisse
// needs them.
func (db *DB) Purge(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		sel := `SELECT id FROM events e WHERE e.status = 'handled' AND e.received_at < $1
			AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.event_id = e.id AND c.status = 'open')
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id AND o.status IN ('pending', 'draft'))`
		var err error
		n, err = deleteEvents(ctx, tx, sel, trunc(before))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM human_threads WHERE until < $1`, db.now()); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM repeats WHERE at < $1`, db.now().Add(-repeatKeep)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, db.now().Add(-loginFailureKeep))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	return n, nil
}

// PurgeSender deletes everything kept about one person — their events
// (handled or not), decisions, outbox actions, cases, human takeovers and
// the comments NoteRepeat saw — for a data-protection request. The audit
// log records that a purge ran and how much it deleted, not whom it was
// about.
func (db *DB) PurgeSender(ctx context.Context, senderID, actor string) (int, error) {
	if senderID == "" {
		return 0, pagebot.Errorf(pagebot.EINVALID, "Identifiant de la personne manquant.")
	}
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = deleteEvents(ctx, tx, `SELECT id FROM events WHERE sender_id = $1`, senderID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE target = $1`, senderID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE sender_id = $1`, senderID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM human_threads WHERE thread_key = $1`, "psid:"+senderID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM repeats WHERE author = $1`, senderID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)`,
			db.now(), actor, "purge_sender", "", fmt.Sprintf("%d événement(s) supprimé(s)", n))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge sender: %w", err)
	}
	return n, nil
}

// deleteEvents deletes the events selected by query and everything that
// refers to them; it returns how many events went.
func deleteEvents(ctx context.Context, tx *sql.Tx, query string, args ...any) (int, error) {
	for _, table := range []string{"decisions", "outbox", "cases"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE event_id IN (`+query+`)`, args...); err != nil {
			return 0, fmt.Errorf("delete %s: %w", table, err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id IN (`+query+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
