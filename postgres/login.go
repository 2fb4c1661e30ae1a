package postgres

import (
	"context"
	"fmt"
	"time"
)

// loginFailureKeep is how long failed logins are kept: far longer than any
// sensible window (the console's is 15 minutes), short enough that the
// addresses they name are not kept for long.
const loginFailureKeep = 24 * time.Hour

// LoginFailures returns, for each key that has some, the times of its
// failed logins at or after since, oldest first. The console's limiter
// reads them before checking a password, on any replica.
func (db *DB) LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string][]time.Time, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT key, at FROM login_failures
		WHERE key = ANY($1) AND at >= $2 ORDER BY at`, keys, trunc(since))
	if err != nil {
		return nil, fmt.Errorf("login failures: %w", err)
	}
	defer rows.Close()
	out := map[string][]time.Time{}
	for rows.Next() {
		var (
			key string
			at  time.Time
		)
		if err := rows.Scan(&key, &at); err != nil {
			return nil, fmt.Errorf("login failures: %w", err)
		}
		out[key] = append(out[key], at.UTC())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("login failures: %w", err)
	}
	return out, nil
}

// AddLoginFailure records a failed login at at for each key.
func (db *DB) AddLoginFailure(ctx context.Context, keys []string, at time.Time) error {
	if _, err := db.db.ExecContext(ctx, `INSERT INTO login_failures (key, at)
		SELECT k, $2 FROM unnest($1::text[]) AS k`, keys, trunc(at)); err != nil {
		return fmt.Errorf("add login failure: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets the failed logins of key (after a successful
// login under that name).
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
