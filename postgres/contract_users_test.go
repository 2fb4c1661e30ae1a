package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"pagebot"
	"pagebot/password"
	"pagebot/postgres"
	"pagebot/storetest"
)

var _ storetest.UserStore = (*postgres.DB)(nil)

func init() {
	// Every store of these tests hashes at the lowest cost: the tests check
	// behaviour, not bcrypt's slowness.
	postgres.BcryptCost = password.MinCost
}

func TestContractUsers(t *testing.T) {
	baseDSN(t)
	storetest.RunUsers(t, func(t *testing.T) storetest.UserStore { return MustOpenDB(t) })
}

// TestUsersStoredHashed reads the tables behind the store: a password is kept
// as a bcrypt hash and a token as its SHA-256, never in clear.
func TestUsersStoredHashed(t *testing.T) {
	ctx := context.Background()
	dsn := MustSchema(t)
	db := mustOpen(t, dsn)
	const pw = "mot de passe solide"
	if _, err := db.CreateUser(ctx, "alice", "agent", pw); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	token, err := db.CreateAPIToken(ctx, "export", "agent", "alice")
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var hash, tokenHash string
	if err := conn.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE name = 'alice'`).Scan(&hash); err != nil {
		t.Fatalf("read users: %v", err)
	}
	if !strings.HasPrefix(hash, "$2a$") || strings.Contains(hash, pw) {
		t.Errorf("password_hash = %q, want a bcrypt hash", hash)
	}
	if err := conn.QueryRowContext(ctx, `SELECT token_hash FROM api_tokens WHERE name = 'export'`).Scan(&tokenHash); err != nil {
		t.Fatalf("read api_tokens: %v", err)
	}
	if tokenHash != pagebot.HashAPIToken(token) {
		t.Errorf("token_hash = %q, want HashAPIToken(token) %q", tokenHash, pagebot.HashAPIToken(token))
	}
}

// TestSessionsShared has two stores on one schema, as two replicas: a session
// one commits, the other finds and deletes.
func TestSessionsShared(t *testing.T) {
	dsn := MustSchema(t)
	a, b := mustOpen(t, dsn).Sessions(), mustOpen(t, dsn).Sessions()
	if err := a.Commit("tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got, found, err := b.Find("tok"); err != nil || !found || string(got) != "data" {
		t.Errorf("Find on the other replica = %q, %v, %v; want \"data\", true", got, found, err)
	}
	if err := b.Delete("tok"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, err := a.Find("tok"); err != nil || found {
		t.Errorf("Find after the other replica's Delete = found %v, %v; want not found", found, err)
	}
}
