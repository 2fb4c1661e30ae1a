package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pagebot"
)

// caseColumns are read by scanCase, in this order.
const caseColumns = `id, event_id, channel, sender_id, sender_name, text, reason, status,
	assigned_to, created_at, due_at, closed_at, close_note`

func scanCase(s scanner) (pagebot.Case, error) {
	var (
		c                      pagebot.Case
		channel, status        string
		created, due, closedAt sql.NullTime
	)
	err := s.Scan(&c.ID, &c.EventID, &channel, &c.SenderID, &c.SenderName, &c.Text, &c.Reason,
		&status, &c.AssignedTo, &created, &due, &closedAt, &c.CloseNote)
	c.Channel, c.Status = pagebot.Channel(channel), pagebot.CaseStatus(status)
	c.CreatedAt, c.DueAt, c.ClosedAt = goTime(created), goTime(due), goTime(closedAt)
	return c, err
}

// Cases lists escalation cases in status ("" for all), at most limit (100
// when limit <= 0). Open cases come most urgent first (DueAt, then ID, cases
// without a due date last), as agents work through them; any other list
// comes newest first.
func (db *DB) Cases(ctx context.Context, status pagebot.CaseStatus, limit int) ([]pagebot.Case, error) {
	if limit <= 0 {
		limit = 100
	}
	order := "id DESC"
	if status == pagebot.CaseOpen {
		order = "due_at NULLS LAST, id"
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases
		WHERE ($1::text = '' OR status = $1::text) ORDER BY `+order+` LIMIT $2`, string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	defer rows.Close()
	var cases []pagebot.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		cases = append(cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	return cases, nil
}

// Case returns one case. Returns ENOTFOUND if there is none.
func (db *DB) Case(ctx context.Context, id int64) (*pagebot.Case, error) {
	c, err := scanCase(db.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pagebot.Errorf(pagebot.ENOTFOUND, "Dossier %d introuvable.", id)
	} else if err != nil {
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	return &c, nil
}

// CloseCase closes an open case with the agent's note, and records who
// closed it in the audit trail in the same transaction (Case keeps no
// "closed by"). Of two agents closing the same case at once, the second
// waits for the first's row lock, then finds the case closed. Returns
// ENOTFOUND for an unknown case, ECONFLICT if it is already closed.
func (db *DB) CloseCase(ctx context.Context, id int64, actor, note string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'closed', closed_at = $1, close_note = $2
			WHERE id = $3 AND status = 'open'`, dbTime(now), note, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return caseMissingOrClosed(ctx, tx, id)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail)
			VALUES ($1, $2, 'case.close', $3, $4)`, dbTime(now), actor, fmt.Sprintf("case:%d", id), note)
		return err
	})
	if err != nil {
		return fmt.Errorf("close case %d: %w", id, err)
	}
	return nil
}

// AssignCase gives an open case to a user ("" to unassign). Returns
// ENOTFOUND for an unknown case, ECONFLICT if it is closed.
func (db *DB) AssignCase(ctx context.Context, id int64, user string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET assigned_to = $1 WHERE id = $2 AND status = 'open'`, user, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return caseMissingOrClosed(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("assign case %d: %w", id, err)
	}
	return nil
}

// caseMissingOrClosed tells why an update of an open case changed nothing.
func caseMissingOrClosed(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return pagebot.Errorf(pagebot.ENOTFOUND, "Dossier %d introuvable.", id)
	} else if err != nil {
		return err
	}
	return pagebot.Errorf(pagebot.ECONFLICT, "Dossier %d déjà clos.", id)
}

// OpenCase opens an escalation for an event outside CompleteEvent (a Graph
// action that failed for good must reach an agent). If the event already has
// an open case, that case is kept and its id returned in c.ID. The event row
// is locked first, so that two replicas opening a case for the same event at
// once open one. Returns EINVALID without an event, ENOTFOUND for an unknown
// one.
func (db *DB) OpenCase(ctx context.Context, c *pagebot.Case) error {
	if c.EventID == 0 {
		return pagebot.Errorf(pagebot.EINVALID, "Le dossier doit se rapporter à un événement.")
	}
	now := db.now()
	c.CreatedAt, c.DueAt = trunc(c.CreatedAt), trunc(c.DueAt)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.Status == "" {
		c.Status = pagebot.CaseOpen
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM events WHERE id = $1 FOR UPDATE`, c.EventID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Événement %d introuvable.", c.EventID)
		} else if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE event_id = $1 AND status = 'open' ORDER BY id LIMIT 1`,
			c.EventID).Scan(&c.ID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO cases (event_id, channel, sender_id,
			sender_name, text, reason, status, assigned_to, created_at, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			c.EventID, string(c.Channel), c.SenderID, c.SenderName, c.Text, c.Reason, string(c.Status),
			c.AssignedTo, dbTime(c.CreatedAt), dbTime(c.DueAt)).Scan(&c.ID)
	})
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	return nil
}
