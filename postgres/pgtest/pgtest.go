// Package pgtest gives tests a PostgreSQL schema of their own on the server
// named by PAGEBOT_TEST_POSTGRES_DSN, and skips them when it is not set, so
// that `go test ./...` passes on a machine without PostgreSQL while CI runs
// everything.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Env names the server the tests run on.
const Env = "PAGEBOT_TEST_POSTGRES_DSN"

// BaseDSN returns the test server's DSN, or skips the test.
func BaseDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s to a database the tests may create schemas in, e.g. "+
			"%s='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'", Env, Env)
	}
	return dsn
}

// Schema creates an empty schema for one test, dropped at its end, and
// returns a DSN whose search_path puts the store's tables there.
func Schema(tb testing.TB) string {
	tb.Helper()
	dsn := BaseDSN(tb)
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", Env, err)
	}
	tb.Cleanup(func() { conn.Close() })
	schema := "pagebot_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := conn.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(tb, dsn, schema)
}

// WithSearchPath sets the search_path run-time parameter of a URL or
// keyword/value DSN.
func WithSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("parse %s: %v", Env, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
