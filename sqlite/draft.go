package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pagebot"
)

// ApproveDraft lets a draft reply go (draft mode): the action becomes
// pending, due now, so that the workers send it like any other. A non-empty
// text replaces the proposed one (an agent's correction); an empty one keeps
// it. Returns ENOTFOUND for an unknown action, ECONFLICT for an action that
// is not (or no longer) a draft: of two agents approving at once, one wins.
func (db *DB) ApproveDraft(ctx context.Context, id int64, text string) error {
	now := dbTime(db.now())
	err := db.updateDraft(ctx, id, `UPDATE outbox
		SET status = 'pending', text = CASE WHEN ? = '' THEN text ELSE ? END,
			next_at = ?, updated_at = ?, error = ''
		WHERE id = ? AND status = 'draft'`, text, text, now, now, id)
	if err != nil {
		return fmt.Errorf("approve draft %d: %w", id, err)
	}
	return nil
}

// RejectDraft drops a draft reply for good: it becomes dropped (not sent
// on purpose, nothing to retry — not failed, which means Graph refused it),
// with "rejeté par <actor>" as its error, so that it is never sent, its
// event may be purged, and `pagebot outbox` and the console still tell who
// stopped it. Returns ENOTFOUND for an unknown action, ECONFLICT for an action that
// is not (or no longer) a draft.
func (db *DB) RejectDraft(ctx context.Context, id int64, actor string) error {
	if actor == "" {
		return pagebot.Errorf(pagebot.EINVALID, "Rejet du brouillon %d : auteur manquant.", id)
	}
	err := db.updateDraft(ctx, id, `UPDATE outbox SET status = 'dropped', error = ?, updated_at = ?
		WHERE id = ? AND status = 'draft'`, "rejeté par "+actor, dbTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("reject draft %d: %w", id, err)
	}
	return nil
}

// updateDraft runs query, an update of action id guarded by status =
// 'draft', and tells why it changed nothing.
func (db *DB) updateDraft(ctx context.Context, id int64, query string, args ...any) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n > 0 {
			return nil
		}
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Brouillon %d introuvable.", id)
		} else if err != nil {
			return err
		}
		return pagebot.Errorf(pagebot.ECONFLICT, "L'action %d n'est plus un brouillon (%s) : quelqu'un l'a déjà traitée.", id, status)
	})
}
