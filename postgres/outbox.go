package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"pagebot"
)

// ActionFilter selects outbox actions (see pagebot.ActionFilter).
type ActionFilter = pagebot.ActionFilter

// actionColumns are read by scanAction, in this order.
const actionColumns = `id, event_id, kind, target, text, human_agent, status, attempts,
	next_at, result, error, created_at, updated_at`

func scanAction(s scanner) (pagebot.OutboxAction, error) {
	var (
		a                        pagebot.OutboxAction
		kind, status             string
		nextAt, created, updated sql.NullTime
	)
	err := s.Scan(&a.ID, &a.EventID, &kind, &a.Target, &a.Text, &a.HumanAgent, &status, &a.Attempts,
		&nextAt, &a.Result, &a.Error, &created, &updated)
	a.Kind, a.Status = pagebot.OutboxKind(kind), pagebot.OutboxStatus(status)
	a.NextAt, a.CreatedAt, a.UpdatedAt = goTime(nextAt), goTime(created), goTime(updated)
	return a, err
}

// ClaimActions leases up to max pending actions that are due (NextAt <= now)
// to owner until now+lease, longest due first, and counts one more attempt
// for each in the same statement, before any Graph call. So a worker that
// dies between its Graph call and FinishAction leaves a trace: a claimer that
// finds Attempts > 1 knows an earlier attempt ran and may have reached Graph.
// Rows being claimed by someone else at this moment are skipped (SKIP
// LOCKED).
//
// Error is the outcome of the last attempt that ended (RetryAction). An
// attempt whose lease ran out never told its outcome, so claiming after it
// clears Error: Attempts > 1 with an empty Error means "interrupted, outcome
// unknown".
func (db *DB) ClaimActions(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.OutboxAction, error) {
	if owner == "" || max <= 0 || lease <= 0 {
		return nil, pagebot.Errorf(pagebot.EINVALID, "Réservation invalide.")
	}
	now := db.now()
	rows, err := db.db.QueryContext(ctx, `WITH picked AS MATERIALIZED (
			SELECT id FROM outbox
			WHERE status = 'pending' AND next_at <= $3
			AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY next_at, id
			LIMIT $4
			FOR UPDATE SKIP LOCKED)
		UPDATE outbox
		SET claimed_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3,
			error = CASE WHEN claimed_by IS NULL THEN error ELSE '' END
		WHERE id IN (SELECT id FROM picked)
		RETURNING `+actionColumns,
		owner, now.Add(lease), now, max)
	if err != nil {
		return nil, fmt.Errorf("claim actions: %w", err)
	}
	defer rows.Close()
	var actions []pagebot.OutboxAction
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("claim actions: %w", err)
		}
		actions = append(actions, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim actions: %w", err)
	}
	sort.Slice(actions, func(i, j int) bool {
		if !actions[i].NextAt.Equal(actions[j].NextAt) {
			return actions[i].NextAt.Before(actions[j].NextAt)
		}
		return actions[i].ID < actions[j].ID
	})
	return actions, nil
}

// FinishAction ends an action claimed by owner: done (with Graph's id in
// result), failed (permanent error) or dropped (nothing to retry). Returns
// EINVALID for another status, ECONFLICT when owner no longer holds the
// action, ENOTFOUND for an unknown action.
func (db *DB) FinishAction(ctx context.Context, owner string, id int64, status pagebot.OutboxStatus, result, errText string) error {
	switch status {
	case pagebot.OutboxDone, pagebot.OutboxFailed, pagebot.OutboxDropped:
	default:
		return pagebot.Errorf(pagebot.EINVALID, "Statut final %q invalide.", status)
	}
	err := db.updateClaimed(ctx, owner, id, `UPDATE outbox
		SET status = $1, result = $2, error = $3, claimed_by = NULL, lease_until = NULL, updated_at = $4
		WHERE id = $5`, string(status), result, errText, dbTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("finish action %d: %w", id, err)
	}
	return nil
}

// RetryAction puts an action claimed by owner back to pending, due at
// nextAt, with the error that made it fail. Returns ECONFLICT when owner no
// longer holds the action, ENOTFOUND for an unknown action.
func (db *DB) RetryAction(ctx context.Context, owner string, id int64, nextAt time.Time, errText string) error {
	err := db.updateClaimed(ctx, owner, id, `UPDATE outbox
		SET status = 'pending', next_at = $1, error = $2, claimed_by = NULL, lease_until = NULL, updated_at = $3
		WHERE id = $4`, dbTime(trunc(nextAt)), errText, dbTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("retry action %d: %w", id, err)
	}
	return nil
}

// updateClaimed runs query (an update of action id) if owner holds the
// pending action, with the row locked between the check and the update.
func (db *DB) updateClaimed(ctx context.Context, owner string, id int64, query string, args ...any) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var claimedBy sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT status, claimed_by FROM outbox WHERE id = $1 FOR UPDATE`, id).
			Scan(&status, &claimedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Action %d introuvable.", id)
		} else if err != nil {
			return err
		}
		if status != string(pagebot.OutboxPending) || claimedBy.String != owner {
			return pagebot.Errorf(pagebot.ECONFLICT, "Action %d : réservation perdue.", id)
		}
		_, err = tx.ExecContext(ctx, query, args...)
		return err
	})
}

// ReleaseActions gives back the pending actions leased to owner, on graceful
// shutdown. Their attempts stay counted.
func (db *DB) ReleaseActions(ctx context.Context, owner string) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE outbox SET claimed_by = NULL, lease_until = NULL
		WHERE claimed_by = $1 AND status = 'pending'`, owner); err != nil {
		return fmt.Errorf("release actions: %w", err)
	}
	return nil
}

// Actions lists outbox actions, newest first.
func (db *DB) Actions(ctx context.Context, f ActionFilter) ([]pagebot.OutboxAction, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+actionColumns+` FROM outbox
		WHERE ($1::text = '' OR status = $1::text) AND ($2::bigint = 0 OR event_id = $2::bigint)
		ORDER BY id DESC LIMIT $3`,
		string(f.Status), f.EventID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	defer rows.Close()
	var actions []pagebot.OutboxAction
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("actions: %w", err)
		}
		actions = append(actions, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	return actions, nil
}

// Action returns one outbox action. Returns ENOTFOUND if there is none.
func (db *DB) Action(ctx context.Context, id int64) (*pagebot.OutboxAction, error) {
	a, err := scanAction(db.db.QueryRowContext(ctx, `SELECT `+actionColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pagebot.Errorf(pagebot.ENOTFOUND, "Action %d introuvable.", id)
	} else if err != nil {
		return nil, fmt.Errorf("action %d: %w", id, err)
	}
	return &a, nil
}

// ActionByResult reports whether an outbox action created the Graph object
// id result: the webhook also delivers pagebot's own comment replies, and the
// worker must not answer itself.
func (db *DB) ActionByResult(ctx context.Context, result string) (bool, error) {
	if result == "" {
		return false, nil
	}
	var found bool
	if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE result = $1)`, result).Scan(&found); err != nil {
		return false, fmt.Errorf("action by result: %w", err)
	}
	return found, nil
}

// AddAction queues one pending outbox action for an event already stored,
// outside CompleteEvent (an agent's decision in the console). EventID, Kind,
// Target, Text, HumanAgent and a future NextAt are taken from a; the store
// sets the rest. It returns the action as stored.
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
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM events WHERE id = $1 FOR KEY SHARE`, a.EventID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Événement %d introuvable.", a.EventID)
		} else if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO outbox (event_id, kind, target, text,
			human_agent, status, attempts, next_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9) RETURNING id`,
			a.EventID, string(a.Kind), a.Target, a.Text, a.HumanAgent, string(a.Status),
			dbTime(a.NextAt), dbTime(a.CreatedAt), dbTime(a.UpdatedAt)).Scan(&a.ID)
	})
	if err != nil {
		return pagebot.OutboxAction{}, fmt.Errorf("add action: %w", err)
	}
	return a, nil
}

// PageEchoed looks for the echo of a message the Page sent to psid with
// this (masked) text at or after since, and returns its message id (see
// the SQLite store).
func (db *DB) PageEchoed(ctx context.Context, pageID, psid, text string, since time.Time) (string, bool, error) {
	var mid string
	err := db.db.QueryRowContext(ctx, `SELECT object_id FROM events
		WHERE sender_id = $1 AND from_page AND kind IN ('echo', 'standby') AND page_id = $2 AND text = $3 AND created_at >= $4
		ORDER BY created_at, id LIMIT 1`, psid, pageID, text, trunc(since)).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("page echoed: %w", err)
	}
	return mid, true, nil
}
