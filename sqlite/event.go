package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"pagebot"
)

// eventColumns are read by scanEvent, in this order.
const eventColumns = `id, key, page_id, kind, channel, object_id, post_id, parent_id,
	sender_id, sender_name, text, pii, from_page, app_id, created_at, received_at`

func scanEvent(s scanner) (pagebot.Event, error) {
	var (
		e                   pagebot.Event
		pii                 string
		created, received   sql.NullInt64
		kind, channel, page string
	)
	if err := s.Scan(&e.ID, &e.Key, &page, &kind, &channel, &e.ObjectID, &e.PostID, &e.ParentID,
		&e.SenderID, &e.SenderName, &e.Text, &pii, &e.FromPage, &e.AppID, &created, &received); err != nil {
		return e, err
	}
	e.PageID, e.Kind, e.Channel = page, pagebot.EventKind(kind), pagebot.Channel(channel)
	e.CreatedAt, e.ReceivedAt = goTime(created), goTime(received)
	var err error
	if e.PII, err = decodeList(pii); err != nil {
		return e, fmt.Errorf("event %d pii: %w", e.ID, err)
	}
	return e, nil
}

// SaveEvents stores new events in one transaction and returns those actually
// inserted, with ID and ReceivedAt set. An event whose Key is already stored,
// or repeated in the batch, is skipped: Meta delivers the same event several
// times. A zero CreatedAt becomes ReceivedAt. Text must already be masked.
// When SaveEvents returns nil the events are on disk and the webhook may
// answer 200. Returns EINVALID for an event without a key.
func (db *DB) SaveEvents(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error) {
	for i, e := range events {
		if e.Key == "" {
			return nil, pagebot.Errorf(pagebot.EINVALID, "Événement %d sans clé.", i)
		}
	}
	var inserted []pagebot.Event
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		inserted = inserted[:0]
		now := db.now()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (key, page_id, kind, channel,
			object_id, post_id, parent_id, sender_id, sender_name, text, pii, from_page, app_id,
			created_at, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO NOTHING RETURNING id`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			e.ReceivedAt = now
			if len(e.PII) == 0 {
				e.PII = nil // what a read gives back
			}
			e.CreatedAt = trunc(e.CreatedAt)
			if e.CreatedAt.IsZero() {
				e.CreatedAt = now
			}
			pii, err := json.Marshal(nonNil(e.PII))
			if err != nil {
				return err
			}
			err = stmt.QueryRowContext(ctx, e.Key, e.PageID, string(e.Kind), string(e.Channel),
				e.ObjectID, e.PostID, e.ParentID, e.SenderID, e.SenderName, e.Text, string(pii),
				e.FromPage, e.AppID, dbTime(e.CreatedAt), dbTime(e.ReceivedAt)).Scan(&e.ID)
			if errors.Is(err, sql.ErrNoRows) {
				continue // already stored
			} else if err != nil {
				return err
			}
			inserted = append(inserted, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save events: %w", err)
	}
	return inserted, nil
}

// ClaimEvents leases up to max unhandled events to owner until now+lease,
// oldest first (CreatedAt, then ID). Events leased to another owner are
// skipped until that lease expires, which is how the events of a dead worker
// come back. owner must be unique to one worker (one goroutine).
func (db *DB) ClaimEvents(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.Event, error) {
	if owner == "" || max <= 0 || lease <= 0 {
		return nil, pagebot.Errorf(pagebot.EINVALID, "Réservation invalide.")
	}
	var events []pagebot.Event
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		// One statement under the write lock: the rows chosen by the
		// subquery cannot be claimed by anyone else before they are marked.
		rows, err := tx.QueryContext(ctx, `UPDATE events SET claimed_by = ?, lease_until = ?
			WHERE id IN (SELECT id FROM events
				WHERE status = 'unhandled' AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY created_at, id LIMIT ?)
			RETURNING `+eventColumns,
			owner, now.Add(lease).UnixMicro(), now.UnixMicro(), max)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
			}
			events = append(events, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim events: %w", err)
	}
	// RETURNING gives no order.
	sort.Slice(events, func(i, j int) bool {
		if !events[i].CreatedAt.Equal(events[j].CreatedAt) {
			return events[i].CreatedAt.Before(events[j].CreatedAt)
		}
		return events[i].ID < events[j].ID
	})
	return events, nil
}

// ReleaseEvents gives back the unhandled events leased to owner, on graceful
// shutdown, so that another worker takes them without waiting for the lease.
func (db *DB) ReleaseEvents(ctx context.Context, owner string) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE events SET claimed_by = NULL, lease_until = NULL
		WHERE claimed_by = ? AND status = 'unhandled'`, owner); err != nil {
		return fmt.Errorf("release events: %w", err)
	}
	return nil
}

// CompleteEvent records, in one transaction, what was done with an event
// claimed by owner: its decision (nil when none is needed), the outbox
// actions to run (status pending, the default, or draft), the escalation
// case (nil if none; its ID is set on success) and the event's handled mark.
// It returns the actions with their IDs.
//
// Returns ECONFLICT when the event is no longer claimed by owner (another
// worker took it after the lease expired, or it was released) or is already
// handled, so that a worker that lost its lease never handles an event twice;
// ENOTFOUND for an unknown event; EINVALID for an action or case that cannot
// be stored. Nothing is stored when it returns an error.
func (db *DB) CompleteEvent(ctx context.Context, owner string, eventID int64, d *pagebot.Decision,
	actions []pagebot.OutboxAction, c *pagebot.Case) ([]pagebot.OutboxAction, error) {
	now := db.now()
	prep, err := pagebot.PrepareCompletion(eventID, now, trunc, d, actions, c)
	if err != nil {
		return nil, err
	}
	out := prep.Actions
	var kase pagebot.Case
	if prep.Case != nil {
		kase = *prep.Case
	}

	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var claimedBy sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT status, claimed_by FROM events WHERE id = ?`, eventID).
			Scan(&status, &claimedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Événement %d introuvable.", eventID)
		} else if err != nil {
			return err
		}
		if status != "unhandled" {
			return pagebot.Errorf(pagebot.ECONFLICT, "Événement %d déjà traité.", eventID)
		}
		if claimedBy.String != owner {
			return pagebot.Errorf(pagebot.ECONFLICT, "Événement %d : réservation perdue.", eventID)
		}

		if d != nil {
			reasons, err := json.Marshal(nonNil(d.Reasons))
			if err != nil {
				return err
			}
			created := trunc(d.CreatedAt)
			if created.IsZero() {
				created = now
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (event_id, action, faq_id,
				redirect_to, confidence, hide, reply, reasons, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				eventID, string(d.Action), d.FAQID, d.RedirectTo, d.Confidence, d.Hide, d.Reply,
				string(reasons), dbTime(created)); err != nil {
				return fmt.Errorf("insert decision: %w", err)
			}
		}
		for i := range out {
			a := &out[i]
			if err := tx.QueryRowContext(ctx, `INSERT INTO outbox (event_id, kind, target, text,
				human_agent, status, attempts, next_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id`,
				eventID, string(a.Kind), a.Target, a.Text, a.HumanAgent, string(a.Status),
				dbTime(a.NextAt), dbTime(a.CreatedAt), dbTime(a.UpdatedAt)).Scan(&a.ID); err != nil {
				return fmt.Errorf("insert action: %w", err)
			}
		}
		if c != nil {
			if err := tx.QueryRowContext(ctx, `INSERT INTO cases (event_id, channel, sender_id,
				sender_name, text, reason, status, assigned_to, created_at, due_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				eventID, string(kase.Channel), kase.SenderID, kase.SenderName, kase.Text,
				kase.Reason, string(kase.Status), kase.AssignedTo, dbTime(kase.CreatedAt),
				dbTime(kase.DueAt)).Scan(&kase.ID); err != nil {
				return fmt.Errorf("insert case: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE events
			SET status = 'handled', handled_at = ?, claimed_by = NULL, lease_until = NULL
			WHERE id = ?`, dbTime(now), eventID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("complete event %d: %w", eventID, err)
	}
	if c != nil {
		*c = kase
	}
	return out, nil
}

// Event returns one stored event. Returns ENOTFOUND if there is none.
func (db *DB) Event(ctx context.Context, id int64) (*pagebot.Event, error) {
	e, err := scanEvent(db.read.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pagebot.Errorf(pagebot.ENOTFOUND, "Événement %d introuvable.", id)
	} else if err != nil {
		return nil, fmt.Errorf("event %d: %w", id, err)
	}
	return &e, nil
}

// Decision returns the decision stored for an event. Returns ENOTFOUND if
// the event has none (not handled yet, or handled without a decision).
func (db *DB) Decision(ctx context.Context, eventID int64) (*pagebot.Decision, error) {
	var (
		d       pagebot.Decision
		action  string
		reasons string
		created sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx, `SELECT event_id, action, faq_id, redirect_to, confidence,
		hide, reply, reasons, created_at FROM decisions WHERE event_id = ?`, eventID).
		Scan(&d.EventID, &action, &d.FAQID, &d.RedirectTo, &d.Confidence, &d.Hide, &d.Reply,
			&reasons, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pagebot.Errorf(pagebot.ENOTFOUND, "Pas de décision pour l'événement %d.", eventID)
	} else if err != nil {
		return nil, fmt.Errorf("decision %d: %w", eventID, err)
	}
	d.Action, d.CreatedAt = pagebot.Action(action), goTime(created)
	if d.Reasons, err = decodeList(reasons); err != nil {
		return nil, fmt.Errorf("decision %d reasons: %w", eventID, err)
	}
	return &d, nil
}

// decodeList reads a JSON list stored by the store; an empty list reads as
// nil, as it was most likely given.
func decodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// nonNil makes a nil list store as "[]" rather than "null".
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
