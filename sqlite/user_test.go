package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"pagebot"
	"pagebot/sqlite"
)

func init() {
	// Every store of these tests hashes at the lowest cost: the tests check
	// behaviour, not bcrypt's slowness.
	sqlite.BcryptCost = bcrypt.MinCost
}

const goodPassword = "correct horse battery"

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, ":memory:")
	u, err := db.CreateUser(ctx, "alice", "editor", goodPassword)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 || u.Name != "alice" || u.Role != "editor" || u.CreatedAt.IsZero() || u.Disabled {
		t.Errorf("CreateUser = %+v, want id set, alice, editor, created, enabled", u)
	}
	got, err := db.UserByName(ctx, "alice")
	if err != nil {
		t.Fatalf("UserByName: %v", err)
	}
	if got != u {
		t.Errorf("UserByName = %+v, want %+v", got, u)
	}

	tests := []struct {
		name, user, role, password string
		code                       string
	}{
		{"Duplicate", "alice", "agent", goodPassword, pagebot.ECONFLICT},
		{"ShortPassword", "bob", "agent", "123456789", pagebot.EINVALID},
		{"LongPassword", "bob", "agent", strings.Repeat("x", 73), pagebot.EINVALID},
		{"BadRole", "bob", "root", goodPassword, pagebot.EINVALID},
		{"BadName", "Bob Smith", "agent", goodPassword, pagebot.EINVALID},
		{"EmptyName", "", "agent", goodPassword, pagebot.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.CreateUser(ctx, tc.user, tc.role, tc.password)
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Errorf("CreateUser(%q, %q) error = %v (code %q), want code %q", tc.user, tc.role, err, got, tc.code)
			}
		})
	}
	users, err := db.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if len(users) != 1 {
		t.Errorf("Users = %+v, want only alice", users)
	}
}

func TestCheckPassword(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, ":memory:")
	if _, err := db.CreateUser(ctx, "alice", "agent", goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "bob", "agent", goodPassword); err != nil {
		t.Fatal(err)
	}
	if err := db.DisableUser(ctx, "bob", true); err != nil {
		t.Fatalf("DisableUser: %v", err)
	}
	tests := []struct {
		name, user, password string
		code                 string
	}{
		{"OK", "alice", goodPassword, ""},
		{"WrongPassword", "alice", goodPassword + "!", pagebot.EUNAUTHORIZED},
		{"UnknownUser", "carol", goodPassword, pagebot.EUNAUTHORIZED},
		{"Disabled", "bob", goodPassword, pagebot.EUNAUTHORIZED},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := db.CheckPassword(ctx, tc.user, tc.password)
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Fatalf("CheckPassword(%q) error = %v, want code %q", tc.user, err, tc.code)
			}
			if err == nil && u.Name != tc.user {
				t.Errorf("CheckPassword(%q).Name = %q", tc.user, u.Name)
			}
		})
	}
	// Enabling again lets bob in.
	if err := db.DisableUser(ctx, "bob", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckPassword(ctx, "bob", goodPassword); err != nil {
		t.Errorf("CheckPassword(bob) after enabling: %v", err)
	}
	if err := db.DisableUser(ctx, "nobody", true); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Errorf("DisableUser(nobody) = %v, want ENOTFOUND", err)
	}
}

func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, ":memory:")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := db.CreateUser(ctx, "alice", "agent", goodPassword); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := db.SetPassword(ctx, "alice", "short"); pagebot.ErrorCode(err) != pagebot.EINVALID {
		t.Errorf("SetPassword(short) = %v, want EINVALID", err)
	}
	if err := db.SetPassword(ctx, "alice", "another long secret"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, err := db.CheckPassword(ctx, "alice", goodPassword); err == nil {
		t.Error("the old password still works")
	}
	u, err := db.CheckPassword(ctx, "alice", "another long secret")
	if err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
	if !u.PasswordChangedAt.Equal(now) {
		t.Errorf("PasswordChangedAt = %v, want %v", u.PasswordChangedAt, now)
	}
	if err := db.SetPassword(ctx, "nobody", goodPassword); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Errorf("SetPassword(nobody) = %v, want ENOTFOUND", err)
	}
}

func TestSessionStore(t *testing.T) {
	db := MustOpenDB(t)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := db.Sessions()
	if _, found, err := s.Find("t1"); err != nil || found {
		t.Fatalf("Find(unknown) = found %v, %v; want not found", found, err)
	}
	if err := s.Commit("t1", []byte("one"), now.Add(time.Hour)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.Commit("t1", []byte("two"), now.Add(2*time.Hour)); err != nil {
		t.Fatalf("Commit again: %v", err)
	}
	b, found, err := s.Find("t1")
	if err != nil || !found || string(b) != "two" {
		t.Fatalf("Find = %q, %v, %v; want \"two\", true", b, found, err)
	}
	now = now.Add(2 * time.Hour) // expired
	if _, found, err := s.Find("t1"); err != nil || found {
		t.Errorf("Find(expired) = found %v, %v; want not found", found, err)
	}
	if err := s.Commit("t2", []byte("x"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("t2"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, _ := s.Find("t2"); found {
		t.Error("Find after Delete found the session")
	}
	if err := s.Delete("t2"); err != nil {
		t.Errorf("Delete(unknown) = %v, want nil", err)
	}
}

func TestAPIToken(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, ":memory:")
	tok, err := db.CreateAPIToken(ctx, "export", "agent", "alice")
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if !strings.HasPrefix(tok, "pbt_") || len(tok) < 20 {
		t.Errorf("token = %q, want pbt_ and a long random part", tok)
	}
	if _, err := db.CreateAPIToken(ctx, "export", "agent", "alice"); pagebot.ErrorCode(err) != pagebot.ECONFLICT {
		t.Errorf("CreateAPIToken(duplicate) = %v, want ECONFLICT", err)
	}
	name, role, err := db.APIToken(ctx, tok)
	if err != nil || name != "export" || role != "agent" {
		t.Errorf("APIToken = %q, %q, %v; want export, agent", name, role, err)
	}
	if _, _, err := db.APIToken(ctx, tok+"x"); pagebot.ErrorCode(err) != pagebot.EUNAUTHORIZED {
		t.Errorf("APIToken(wrong) = %v, want EUNAUTHORIZED", err)
	}
	if err := db.RevokeAPIToken(ctx, "export"); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	if _, _, err := db.APIToken(ctx, tok); pagebot.ErrorCode(err) != pagebot.EUNAUTHORIZED {
		t.Errorf("APIToken(revoked) = %v, want EUNAUTHORIZED", err)
	}
	if err := db.RevokeAPIToken(ctx, "export"); pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
		t.Errorf("RevokeAPIToken(again) = %v, want ENOTFOUND", err)
	}
}
