// Package postgres is pagebot's durable store on PostgreSQL, for several
// replicas sharing one database: the events received from Meta, the
// decisions taken, the outbox of Graph calls, escalation cases, human
// takeovers, the audit trail, once markers, the console's accounts,
// sessions, API tokens and FAQ versions — and, unlike SQLite, the FAQ
// itself, so that every replica serves the same one (faq.go). It keeps the
// promises of the SQLite store (see storetest) with PostgreSQL's means.
//
// Where SQLite has one writer, PostgreSQL has row locks. A claim picks its
// rows with FOR UPDATE SKIP LOCKED and marks them in the same statement, so
// two workers (goroutines or replicas) never take the same row and never
// wait for each other. A completion locks its event row, checks that its
// owner still holds the lease, and writes everything in one transaction.
//
// Store-assigned times (ReceivedAt, leases, due checks) come from DB.Now, the
// replica's clock, as in the SQLite store: replicas must keep their clocks
// synchronised (NTP) to well below the lease lengths.
//
// The store trusts its callers to hand it masked text only: Event.Text,
// Case.Text and outbox replies are stored as given.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
)

// DB is the PostgreSQL store. Create it with New, set the optional fields,
// then call Open; Close releases it.
type DB struct {
	// DSN is a pgx connection string, URL ("postgres://user@host/db?
	// sslmode=disable") or keywords. A search_path parameter chooses the
	// schema of the tables (the first one listed).
	DSN string

	// Now returns the current time; tests may replace it before Open.
	// Leases, ReceivedAt and other store-assigned times come from it.
	Now func() time.Time

	// OnWatchError, when set, is told why a listening connection (WatchFAQ,
	// WatchDocuments) failed before it reconnects (for the log).
	OnWatchError func(error)

	// MaxConns bounds the connections this store opens (DefaultMaxConns
	// when 0), besides one per watcher. PostgreSQL serves a fixed number of
	// clients (100 by default) to every replica together: N replicas take
	// up to N × (MaxConns + 2).
	MaxConns int

	db       *sql.DB
	sessions *postgresstore.PostgresStore // see Sessions
}

// DefaultMaxConns is enough for a replica's workers (4 by default), its
// webhook's group commit and its console, with room for bursts.
const DefaultMaxConns = 10

// New returns a store for dsn, not yet opened.
func New(dsn string) *DB {
	return &DB{DSN: dsn, Now: time.Now}
}

// Open connects and runs the embedded migrations, holding an advisory lock
// so that replicas starting together apply them once.
func (db *DB) Open() error {
	if db.DSN == "" {
		return errors.New("open postgres: dsn required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	var err error
	if db.db, err = sql.Open("pgx", db.DSN); err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	db.db.SetConnMaxIdleTime(5 * time.Minute)
	if db.MaxConns <= 0 {
		db.MaxConns = DefaultMaxConns
	}
	db.db.SetMaxOpenConns(db.MaxConns)
	db.db.SetMaxIdleConns(db.MaxConns)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := db.db.PingContext(ctx); err != nil {
		db.db.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	if err := migrate(ctx, db.db); err != nil {
		db.db.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	db.openSessions()
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	db.closeSessions()
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close postgres: %w", err)
	}
	return nil
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// migrations are the schema versions, applied in order by goose; each runs
// in its own transaction and is recorded in goose_db_version.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate brings the schema up to date. Several replicas may start at once:
// each first takes a transaction-level advisory lock, keyed by the schema so
// that two deployments in two schemas do not wait for each other, and holds
// it while goose runs, so that the next one finds the migrations applied.
// The lock is released when its transaction ends, or when its connection
// dies with a killed replica; it never stays behind in the pool.
func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	lock, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer lock.Rollback() //nolint:errcheck // only releases the lock
	if _, err := lock.ExecContext(ctx,
		`SELECT pg_advisory_xact_lock(hashtextextended('pagebot migrate ' || current_schema(), 0))`); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// now returns the store's current time at the precision it keeps.
func (db *DB) now() time.Time { return trunc(db.Now()) }

// trunc drops what the database cannot keep (below the microsecond, the
// monotonic reading, the location), so that what a method returns equals
// what a later read gives back. PostgreSQL would round to the nearest
// microsecond; truncating first makes the stored value the returned one.
func trunc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// dbTime encodes a time for a timestamptz column, NULL when unset.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return trunc(t)
}

// goTime decodes what dbTime stored, in UTC.
func goTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// inTx runs fn in a transaction (READ COMMITTED, with row locks where it
// matters) and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// ignoreDone hides the error of a rollback that database/sql already did
// (after a cancelled context), which says nothing about the failure.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
