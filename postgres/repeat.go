package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// repeatKeep is how long Purge keeps the sightings NoteRepeat records: far
// longer than a repeat window is meant to be (rules.yaml: 10 minutes). A
// window longer than this counts only what the last purge left.
const repeatKeep = 24 * time.Hour

// NoteRepeat records that author posted, at time at, a comment whose
// normalised text hashes to sum (moderation.RepeatSum), and returns how many
// comments of that author hashing to sum were posted within window before
// at, this one included — noted by any replica, not only this one. As in
// moderation.Repeats, a sighting counts when its time is at most window
// before at; one with a later time (noted first, out of order) counts too.
//
// Concurrent notes of one author are serialised by a transaction-level
// advisory lock keyed by the author. READ COMMITTED alone is not enough:
// two transactions that insert and then count each see their own row, and
// the other's only once it is committed; if both count before either
// commits, both miss the other, and two replicas noting the 2nd and 3rd
// copies at the same moment would both answer 2. With the lock the second
// note waits until the first commits; its next statement then starts after
// that commit, and READ COMMITTED takes each statement's snapshot when the
// statement starts, so its count includes the first's row. n concurrent
// notes of one author thus get the counts 1 to n, once each. Notes of
// different authors wait for each other only when their lock keys (64-bit
// hashes) collide.
func (db *DB) NoteRepeat(ctx context.Context, author string, sum uint64, at time.Time, window time.Duration) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`SELECT pg_advisory_xact_lock(hashtextextended('pagebot repeat ' || current_schema() || ' ' || $1, 0))`,
			author); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		// The count cannot see the row its own WITH inserts (sub-statements
		// share one snapshot), hence the + 1.
		return tx.QueryRowContext(ctx, `WITH sighting AS (
				INSERT INTO repeats (author, sum, at) VALUES ($1, $2, $3)
			)
			SELECT count(*) + 1 FROM repeats WHERE author = $1 AND sum = $2 AND at >= $4`,
			author, int64(sum), trunc(at), trunc(at.Add(-window))).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("note repeat: %w", err)
	}
	return n, nil
}
