package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

// migrations are the schema versions, applied in order by goose; each runs
// in its own transaction and is recorded in goose_db_version.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate brings the schema up to date. Several processes may start on the
// same file at once (a rolling restart, the CLI next to the server): a lock
// row makes them take turns, so that the second one finds the migrations
// already applied instead of applying them again.
func migrate(ctx context.Context, dsn string, write *sql.DB, memory bool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	db := write
	if !memory {
		// goose holds one connection for the migrations and takes the lock
		// through another, so it needs a pool of its own: the store's
		// writer has a single connection. An in-memory database is private
		// to its one connection, so it needs neither the pool nor the lock.
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer db.Close()
		db.SetMaxOpenConns(2)
		opts = append(opts, goose.WithLocker(&locker{owner: rand.Text(), ttl: time.Minute}))
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// locker is a goose lock.Locker for SQLite, which has no advisory locks: a
// single row in its own table. A lock older than ttl is taken over, so that
// a process killed in the middle of a migration does not block every later
// start; migrations must therefore stay well below ttl.
type locker struct {
	owner string
	ttl   time.Duration
}

// Lock waits until the lock row is free (or stale) and takes it.
func (l *locker) Lock(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS pagebot_migration_lock (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		owner TEXT NOT NULL,
		expires_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	for {
		now := time.Now()
		res, err := db.ExecContext(ctx, `INSERT INTO pagebot_migration_lock (id, owner, expires_at)
			VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE pagebot_migration_lock.expires_at < ?`,
			l.owner, now.Add(l.ttl).UnixMicro(), now.UnixMicro())
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		} else if n == 1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("migration lock: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Unlock frees the lock row if this process still holds it.
func (l *locker) Unlock(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM pagebot_migration_lock WHERE owner = ?`, l.owner); err != nil {
		return fmt.Errorf("migration unlock: %w", err)
	}
	return nil
}
