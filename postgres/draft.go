package postgres

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
// is not (or no longer) a draft: of two agents approving at once, one wins,
// the other's update waiting for the row and then finding it pending.
func (db *DB) ApproveDraft(ctx context.Context, id int64, text string) error {
	err := db.updateDraft(ctx, id, `UPDATE outbox
		SET status = 'pending', text = CASE WHEN $1::text = '' THEN text ELSE $1::text END,
			next_at = $2, updated_at = $2, error = ''
		WHERE id = $3 AND status = 'draft'`, text, dbTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("approve draft %d: %w", id, err)
	}
	return nil
}

// RejectDraft drops a draft reply for good: it becomes dropped (not sent
// on purpose, nothing to retry — not failed, which means Graph refused it),
// with "rejeté par <actor>" as its error, so that it is never sent, its
// event may be purged, and `pagebot outbox` and the console still tell who
// stopped it. Returns EINVALID without an actor, ENOTFOUND for an unknown action,
// ECONFLICT for an action that is not (or no longer) a draft.
func (db *DB) RejectDraft(ctx context.Context, id int64, actor string) error {
	if actor == "" {
		return pagebot.Errorf(pagebot.EINVALID, "Rejet du brouillon %d : auteur manquant.", id)
	}
	err := db.updateDraft(ctx, id, `UPDATE outbox SET status = 'dropped', error = $1, updated_at = $2
		WHERE id = $3 AND status = 'draft'`, "rejeté par "+actor, dbTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("reject draft %d: %w", id, err)
	}
	return nil
}

// updateDraft runs query, an update of action id guarded by status =
// 'draft', and tells why it changed nothing. The update alone decides: an
// action never becomes a draft again, so the status read after a refusal
// can only explain it.
func (db *DB) updateDraft(ctx context.Context, id int64, query string, args ...any) error {
	res, err := db.db.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	var status string
	err = db.db.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return pagebot.Errorf(pagebot.ENOTFOUND, "Brouillon %d introuvable.", id)
	} else if err != nil {
		return err
	}
	return pagebot.Errorf(pagebot.ECONFLICT, "L'action %d n'est plus un brouillon (%s) : quelqu'un l'a déjà traitée.", id, status)
}
