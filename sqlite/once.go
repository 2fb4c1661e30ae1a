package sqlite

import (
	"context"
	"fmt"
)

// Once records key and reports whether this is the first time: it lets
// pagebot do something at most once (one scam warning per post), even with
// several workers.
func (db *DB) Once(ctx context.Context, key string) (bool, error) {
	res, err := db.write.ExecContext(ctx, `INSERT INTO once_markers (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, dbTime(db.now()))
	if err != nil {
		return false, fmt.Errorf("once %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("once %q: %w", key, err)
	}
	return n == 1, nil
}
