// Package sqlite is pagebot's durable store on a single SQLite file: the
// events received from Meta, the decisions taken, the outbox of Graph calls,
// escalation cases, human takeovers and the audit trail.
//
// SQLite has one writer at a time. The store leans on that instead of
// fighting it: every write goes through one connection whose transactions
// start with BEGIN IMMEDIATE, so a claim reads and marks its rows while
// holding the write lock, and two claimers (goroutines or processes sharing
// the file) never see the same free rows. Reads use a separate pool and, in
// WAL mode, never wait for the writer.
//
// The store trusts its callers to hand it masked text only: Event.Text,
// Case.Text and outbox replies are stored as given, and the raw text of a
// message must never reach this package.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is the SQLite store. Create it with New, set the optional fields, then
// call Open; Close releases it.
type DB struct {
	// DSN is a file path ("data/pagebot.db"), a "file:" URI, or ":memory:"
	// for a private in-memory database (tests). Connection parameters the
	// DSN sets itself (for example _synchronous=NORMAL) win over the
	// store's defaults.
	DSN string

	// Now returns the current time; tests may replace it before Open. Leases,
	// ReceivedAt and other store-assigned times come from it.
	Now func() time.Time

	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // readers; the same pool as write for ":memory:"
}

// New returns a store for dsn, not yet opened.
func New(dsn string) *DB {
	return &DB{DSN: dsn, Now: time.Now}
}

// defaults are the connection settings the store relies on:
//   - WAL lets readers run while the writer commits;
//   - synchronous=FULL fsyncs the WAL at every commit, so an event the
//     webhook acknowledged to Meta survives a power cut, not only a crash of
//     the process (NORMAL would only survive the latter);
//   - busy_timeout makes a second process wait for the write lock instead of
//     failing at once;
//   - foreign keys keep decisions, actions and cases tied to their event.
var defaults = [][2]string{
	{"_busy_timeout", "10000"},
	{"_journal_mode", "WAL"},
	{"_synchronous", "FULL"},
	{"_foreign_keys", "1"},
}

// Open creates the database file's folder if needed, opens the connections
// and runs the embedded migrations.
func (db *DB) Open() error {
	if db.DSN == "" {
		return errors.New("open sqlite: dsn required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	name, query, _ := strings.Cut(db.DSN, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("open sqlite: parse dsn parameters: %w", err)
	}
	for _, kv := range defaults {
		if !params.Has(kv[0]) {
			params.Set(kv[0], kv[1])
		}
	}
	memory := isMemory(name, params)
	if !memory {
		if dir := filepath.Dir(filePath(name)); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return fmt.Errorf("open sqlite: create folder: %w", err)
			}
		}
	}

	writeParams := cloneValues(params)
	writeParams.Set("_txlock", "immediate")
	if db.write, err = sql.Open("sqlite", name+"?"+writeParams.Encode()); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	// A single writer connection queues this process's writes in Go instead
	// of having them spin on SQLITE_BUSY; it is also the only way to keep a
	// private ":memory:" database, which lives and dies with its connection.
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)

	if memory {
		db.read = db.write
	} else {
		readParams := cloneValues(params)
		readParams.Set("_query_only", "1")
		if db.read, err = sql.Open("sqlite", name+"?"+readParams.Encode()); err != nil {
			db.write.Close()
			return fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	if err := migrate(ctx, name+"?"+writeParams.Encode(), db.write, memory); err != nil {
		db.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	return nil
}

// Close closes the connections. Writes already acknowledged are on disk;
// Close only checkpoints the WAL into the main file.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// isMemory reports whether the DSN names an in-memory database, which only
// one connection can see.
func isMemory(name string, params url.Values) bool {
	return name == ":memory:" || name == "file::memory:" || name == "" ||
		params.Get("mode") == "memory" || params.Get("vfs") == "memdb"
}

// filePath returns the file system path of a DSN name: the name itself, or
// the path of a "file:" URI.
func filePath(name string) string {
	if !strings.HasPrefix(name, "file:") {
		return name
	}
	u, err := url.Parse(name)
	if err != nil {
		return strings.TrimPrefix(name, "file:")
	}
	if u.Opaque != "" {
		return u.Opaque
	}
	return u.Path
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// now returns the store's current time at the precision it keeps.
func (db *DB) now() time.Time { return trunc(db.Now()) }

// trunc drops what the database cannot keep (below the microsecond, the
// monotonic reading, the location), so that what a method returns equals
// what a later read gives back.
func trunc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// dbTime encodes a time as microseconds since the epoch, or NULL when unset.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// goTime decodes what dbTime stored.
func goTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it when
// fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
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
