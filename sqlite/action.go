package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pagebot"
)

// AddAction queues one pending outbox action for an event already stored,
// outside CompleteEvent: an agent's decision in the console (unhiding a
// comment the moderation hid) is run by the same workers, with the same
// retries, as the engine's. EventID, Kind, Target, Text, HumanAgent and a
// future NextAt are taken from a; the store sets the rest (ID, status
// pending, no attempt, times). It returns the action as stored.
//
// Returns EINVALID for a missing event id, kind or target or a status other
// than pending, ENOTFOUND for an unknown event.
func (db *DB) AddAction(ctx context.Context, a pagebot.OutboxAction) (pagebot.OutboxAction, error) {
	switch {
	case a.EventID <= 0:
		return pagebot.OutboxAction{}, pagebot.Errorf(pagebot.EINVALID, "L'action doit se rapporter à un événement.")
	case a.Kind == "" || a.Target == "":
		return pagebot.OutboxAction{}, pagebot.Errorf(pagebot.EINVALID, "Action : type et cible obligatoires.")
	case a.Status != "" && a.Status != pagebot.OutboxPending:
		return pagebot.OutboxAction{}, pagebot.Errorf(pagebot.EINVALID, "Action : statut %q impossible à la création.", a.Status)
	}
	now := db.now()
	a.ID, a.Status, a.Attempts, a.Result, a.Error = 0, pagebot.OutboxPending, 0, "", ""
	a.CreatedAt, a.UpdatedAt = now, now
	a.NextAt = trunc(a.NextAt)
	if a.NextAt.IsZero() || a.NextAt.Before(now) {
		a.NextAt = now
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM events WHERE id = ?`, a.EventID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Événement %d introuvable.", a.EventID)
		} else if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO outbox (event_id, kind, target, text,
			human_agent, status, attempts, next_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id`,
			a.EventID, string(a.Kind), a.Target, a.Text, a.HumanAgent, string(a.Status),
			dbTime(a.NextAt), dbTime(a.CreatedAt), dbTime(a.UpdatedAt)).Scan(&a.ID)
	})
	if err != nil {
		return pagebot.OutboxAction{}, fmt.Errorf("add action: %w", err)
	}
	return a, nil
}
