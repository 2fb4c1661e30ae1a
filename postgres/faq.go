package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"pagebot"
	"pagebot/kb"
)

// FAQChannel is the channel a FAQ change is notified on (LISTEN/NOTIFY);
// the payload is the new revision.
const FAQChannel = "pagebot_faq"

// FAQRevision returns the revision of the stored FAQ: 0 when none is
// stored yet, then one more at each change.
func (db *DB) FAQRevision(ctx context.Context) (int64, error) {
	var rev int64
	err := db.db.QueryRowContext(ctx, `SELECT revision FROM faq_meta`).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("faq revision: %w", err)
	}
	return rev, nil
}

// LoadFAQ returns the stored FAQ and its revision, read in one snapshot;
// revision 0 and a nil FAQ when none is stored yet.
func (db *DB) LoadFAQ(ctx context.Context) (*kb.FAQ, int64, error) {
	var (
		faq *kb.FAQ
		rev int64
	)
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		f := &kb.FAQ{}
		err := tx.QueryRowContext(ctx, `SELECT organism, reviewed, revision FROM faq_meta`).Scan(&f.Organism, &f.Reviewed, &rev)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT body FROM faq_entries ORDER BY position, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body []byte
			if err := rows.Scan(&body); err != nil {
				return err
			}
			var e kb.Entry
			if err := json.Unmarshal(body, &e); err != nil {
				return fmt.Errorf("decode entry: %w", err)
			}
			f.Entries = append(f.Entries, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		faq = f
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("load faq: %w", err)
	}
	return faq, rev, nil
}

// SeedFAQ stores faq as revision 1 when no FAQ is stored yet, and reports
// whether it did. Replicas starting together on an empty database all call
// it with their file or sample pack: one stores it, the others find it
// stored and load it.
func (db *DB) SeedFAQ(ctx context.Context, faq *kb.FAQ) (bool, error) {
	seeded := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// The insert of the metadata row is the lock: a concurrent seed
		// waits on it, then finds the row and does nothing.
		res, err := tx.ExecContext(ctx, `INSERT INTO faq_meta (organism, reviewed, revision, updated_at)
			VALUES ($1, $2, 1, $3) ON CONFLICT (singleton) DO NOTHING`, faq.Organism, faq.Reviewed, trunc(db.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for i, e := range faq.Entries {
			if err := putEntry(ctx, tx, e, int64(i), 1); err != nil {
				return err
			}
		}
		seeded = true
		return notifyFAQ(ctx, tx, 1)
	})
	if err != nil {
		return false, fmt.Errorf("seed faq: %w", err)
	}
	return seeded, nil
}

// ChangeFAQ applies a change to the stored FAQ in one transaction and
// returns the new revision; every replica listening is notified once it is
// committed. Each put or delete names the version it replaces: when the
// stored entry is no longer that one (a colleague changed it through
// another replica meanwhile), nothing is stored and the error is
// ECONFLICT. ENOTFOUND when no FAQ is stored yet (see SeedFAQ).
func (db *DB) ChangeFAQ(ctx context.Context, c kb.Change) (int64, error) {
	var rev int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// Locking the metadata row serialises changes, so revisions are
		// gapless and notifications ordered.
		err := tx.QueryRowContext(ctx, `SELECT revision FROM faq_meta FOR UPDATE`).Scan(&rev)
		if errors.Is(err, sql.ErrNoRows) {
			return pagebot.Errorf(pagebot.ENOTFOUND, "Aucune FAQ n'est enregistrée dans la base.")
		}
		if err != nil {
			return err
		}
		stored, err := storedEntries(ctx, tx)
		if err != nil {
			return err
		}
		rev++
		next := int64(0) // position of the next new entry: after the others
		for _, s := range stored {
			next = max(next, s.position+1)
		}
		for _, p := range c.Puts {
			cur, ok := stored[p.New.ID]
			switch {
			case p.Old == nil && ok:
				return pagebot.Errorf(pagebot.ECONFLICT, "La fiche %q vient d'être créée par ailleurs ; rechargez la page.", p.New.ID)
			case p.Old != nil && !ok:
				return pagebot.Errorf(pagebot.ECONFLICT, "La fiche %q vient d'être supprimée par ailleurs ; rechargez la page.", p.New.ID)
			case p.Old != nil && !kb.SameEntry(*p.Old, cur.entry):
				return pagebot.Errorf(pagebot.ECONFLICT, "La fiche %q vient d'être modifiée par ailleurs ; rechargez la page.", p.New.ID)
			}
			pos := cur.position
			if !ok {
				pos = next
				next++
			}
			if err := putEntry(ctx, tx, p.New, pos, rev); err != nil {
				return err
			}
		}
		for _, d := range c.Deletes {
			cur, ok := stored[d.ID]
			if !ok {
				continue // already deleted: the wanted state
			}
			if !kb.SameEntry(d, cur.entry) {
				return pagebot.Errorf(pagebot.ECONFLICT, "La fiche %q vient d'être modifiée par ailleurs ; rechargez la page.", d.ID)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM faq_entries WHERE id = $1`, d.ID); err != nil {
				return err
			}
		}
		for i, id := range c.Order {
			if _, err := tx.ExecContext(ctx, `UPDATE faq_entries SET position = $2 WHERE id = $1 AND position <> $2`, id, int64(i)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE faq_meta SET organism = $1, reviewed = $2, revision = $3, updated_at = $4`,
			c.Organism, c.Reviewed, rev, trunc(db.Now())); err != nil {
			return err
		}
		return notifyFAQ(ctx, tx, rev)
	})
	if err != nil {
		if pagebot.ErrorCode(err) != "" && pagebot.ErrorCode(err) != pagebot.EINTERNAL {
			return 0, err
		}
		return 0, fmt.Errorf("change faq: %w", err)
	}
	return rev, nil
}

type storedEntry struct {
	entry    kb.Entry
	position int64
}

func storedEntries(ctx context.Context, tx *sql.Tx) (map[string]storedEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT body, position FROM faq_entries`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]storedEntry)
	for rows.Next() {
		var (
			body []byte
			s    storedEntry
		)
		if err := rows.Scan(&body, &s.position); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &s.entry); err != nil {
			return nil, fmt.Errorf("decode entry: %w", err)
		}
		out[s.entry.ID] = s
	}
	return out, rows.Err()
}

func putEntry(ctx context.Context, tx *sql.Tx, e kb.Entry, pos, rev int64) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO faq_entries (id, position, body, revision) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, revision = excluded.revision`, e.ID, pos, body, rev)
	return err
}

// notifyFAQ queues the notification of a new revision; PostgreSQL sends it
// when the transaction commits, and not at all if it rolls back.
func notifyFAQ(ctx context.Context, tx *sql.Tx, rev int64) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, FAQChannel, strconv.FormatInt(rev, 10))
	return err
}

// inReadTx runs fn in a read-only REPEATABLE READ transaction: one
// snapshot for several queries.
func (db *DB) inReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// WatchFAQ calls changed each time the FAQ may have changed, until ctx is
// done: after each notification on FAQChannel, and after each (re)connection
// of its listening connection, since notifications sent while it was down
// are lost. It holds one connection of its own and reconnects after an
// error, waiting up to 5 s between tries. changed is called from one
// goroutine at a time and should compare revisions (FAQRevision): a
// notification may come from another schema of the same database.
func (db *DB) WatchFAQ(ctx context.Context, changed func()) error {
	return db.watch(ctx, FAQChannel, "faq listener", changed)
}

// watch listens on channel until ctx is done, calling changed after each
// notification and after each (re)connection, and reconnecting after an
// error (told to OnWatchError, prefixed with what) with a backoff of up to
// 5 s. It returns nil once ctx is done.
func (db *DB) watch(ctx context.Context, channel, what string, changed func()) error {
	wait := 100 * time.Millisecond
	for {
		err := db.listen(ctx, channel, changed)
		if ctx.Err() != nil {
			return nil
		}
		if db.OnWatchError != nil {
			db.OnWatchError(fmt.Errorf("%s: %w", what, err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (db *DB) listen(ctx context.Context, channel string, changed func()) error {
	conn, err := pgx.Connect(ctx, db.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	changed()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
