package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/go-cmp/cmp"

	"pagebot"
)

// UserStore is what the console, the API and the CLI ask of a store for
// staff accounts, web sessions and API tokens. Passwords are kept as bcrypt
// hashes and tokens as pagebot.HashAPIToken; neither is ever returned.
type UserStore interface {
	// CreateUser adds an account. EINVALID for a bad name, role or password
	// (pagebot.ValidateUserName, ValidateRole, ValidatePassword); ECONFLICT
	// if the name is taken.
	CreateUser(ctx context.Context, name, role, password string) (pagebot.User, error)
	// SetPassword replaces a password and sets PasswordChangedAt to now.
	// EINVALID; ENOTFOUND.
	SetPassword(ctx context.Context, name, password string) error
	// DisableUser disables or enables an account again. ENOTFOUND.
	DisableUser(ctx context.Context, name string, disabled bool) error
	// UserByName returns an account, disabled or not. ENOTFOUND.
	UserByName(ctx context.Context, name string) (pagebot.User, error)
	// Users lists every account by name, in byte order.
	Users(ctx context.Context) ([]pagebot.User, error)
	// CheckPassword returns the enabled account with that name and
	// password. EUNAUTHORIZED, the same for every failure.
	CheckPassword(ctx context.Context, name, password string) (pagebot.User, error)
	// Sessions returns the store of the console's web sessions.
	Sessions() scs.Store

	// CreateAPIToken creates a token and returns its only copy. EINVALID
	// for a bad name or role; ECONFLICT if the name is taken, even by a
	// revoked token.
	CreateAPIToken(ctx context.Context, name, role, createdBy string) (string, error)
	// APIToken returns the name and role of a token in use. EUNAUTHORIZED.
	APIToken(ctx context.Context, token string) (name, role string, err error)
	// APITokens lists every token, revoked ones included, by name in byte
	// order.
	APITokens(ctx context.Context) ([]pagebot.APITokenInfo, error)
	// RevokeAPIToken revokes a token in use. ENOTFOUND for an unknown or
	// revoked one.
	RevokeAPIToken(ctx context.Context, name string) error
}

// RunUsers runs the contract tests of UserStore as parallel subtests of t,
// each on a fresh store returned by open (which should register its own
// cleanup, and make password hashing cheap). They use real time, since a
// store may judge session expiry by its database's clock.
func RunUsers(t *testing.T, open func(t *testing.T) UserStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s UserStore)
	}{
		{"CreateUser", testCreateUser},
		{"CreateUser/Invalid", testCreateUserInvalid},
		{"Users/Order", testUsersOrder},
		{"CheckPassword", testCheckPassword},
		{"SetPassword", testSetPassword},
		{"Sessions", testSessions},
		{"APIToken", testAPIToken},
		{"APIToken/Invalid", testAPITokenInvalid},
		{"APITokens", testAPITokens},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// goodPassword is long enough for pagebot.ValidatePassword.
const goodPassword = "correct horse battery"

// window is the span of real time around a store call, at the store's
// precision, in which the times it sets must fall.
type window struct{ from, to time.Time }

func startWindow() window {
	return window{from: time.Now().Truncate(time.Microsecond)}
}

// end closes the window; call it after the store call.
func (w *window) end() { w.to = time.Now() }

func (w window) check(tb testing.TB, what string, got time.Time) {
	tb.Helper()
	if got.Before(w.from) || got.After(w.to) || got.Location() != time.UTC {
		tb.Errorf("%s = %v, want a UTC time between %v and %v", what, got, w.from, w.to)
	}
}

func mustCreateUser(tb testing.TB, s UserStore, name, role string) pagebot.User {
	tb.Helper()
	u, err := s.CreateUser(context.Background(), name, role, goodPassword)
	if err != nil {
		tb.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

func testCreateUser(t *testing.T, s UserStore) {
	ctx := context.Background()
	w := startWindow()
	u := mustCreateUser(t, s, "alice", "editor")
	w.end()
	if u.ID == 0 || u.Name != "alice" || u.Role != "editor" || u.Disabled {
		t.Errorf("CreateUser = %+v, want an ID, alice, editor, enabled", u)
	}
	w.check(t, "CreatedAt", u.CreatedAt)
	if !u.PasswordChangedAt.Equal(u.CreatedAt) {
		t.Errorf("PasswordChangedAt = %v, want CreatedAt %v", u.PasswordChangedAt, u.CreatedAt)
	}
	got, err := s.UserByName(ctx, "alice")
	if err != nil {
		t.Fatalf("UserByName: %v", err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("UserByName after CreateUser (-created +read):\n%s", diff)
	}
	_, err = s.UserByName(ctx, "bob")
	wantCode(t, "UserByName(unknown)", err, pagebot.ENOTFOUND)
}

func testCreateUserInvalid(t *testing.T, s UserStore) {
	ctx := context.Background()
	alice := mustCreateUser(t, s, "alice", "agent")
	tests := []struct {
		name, user, role, password string
		code                       string
	}{
		{"Duplicate", "alice", "agent", goodPassword, pagebot.ECONFLICT},
		{"DuplicateOtherRole", "alice", "admin", goodPassword, pagebot.ECONFLICT},
		{"ShortPassword", "bob", "agent", "123456789", pagebot.EINVALID},
		{"ShortPasswordMultibyte", "bob", "agent", "ééééé", pagebot.EINVALID},
		{"LongPassword", "bob", "agent", strings.Repeat("x", 73), pagebot.EINVALID},
		{"BadRole", "bob", "root", goodPassword, pagebot.EINVALID},
		{"EmptyRole", "bob", "", goodPassword, pagebot.EINVALID},
		{"BadName", "Bob Smith", "agent", goodPassword, pagebot.EINVALID},
		{"EmptyName", "", "agent", goodPassword, pagebot.EINVALID},
		{"LongName", strings.Repeat("b", 41), "agent", goodPassword, pagebot.EINVALID},
		{"LeadingDot", ".bob", "agent", goodPassword, pagebot.EINVALID},
	}
	for _, tc := range tests {
		_, err := s.CreateUser(ctx, tc.user, tc.role, tc.password)
		wantCode(t, "CreateUser("+tc.name+")", err, tc.code)
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if diff := cmp.Diff([]pagebot.User{alice}, users); diff != "" {
		t.Errorf("Users after refused creations (-want +got):\n%s", diff)
	}
}

// testUsersOrder lists names that a linguistic collation would sort
// otherwise (ignoring punctuation).
func testUsersOrder(t *testing.T, s UserStore) {
	names := []string{"marie", "jean_yves", "jeanne", "jean.paul", "jean-luc", "0agent", strings.Repeat("z", 40)}
	var want []pagebot.User
	for _, n := range names {
		want = append(want, mustCreateUser(t, s, n, "agent"))
	}
	slices.SortFunc(want, func(a, b pagebot.User) int { return strings.Compare(a.Name, b.Name) })
	users, err := s.Users(context.Background())
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if diff := cmp.Diff(want, users); diff != "" {
		t.Errorf("Users, by name in byte order (-want +got):\n%s", diff)
	}
}

func testCheckPassword(t *testing.T, s UserStore) {
	ctx := context.Background()
	alice := mustCreateUser(t, s, "alice", "agent")
	mustCreateUser(t, s, "bob", "admin")
	if err := s.DisableUser(ctx, "bob", true); err != nil {
		t.Fatalf("DisableUser: %v", err)
	}
	tests := []struct {
		name, user, password string
		code                 string
	}{
		{"OK", "alice", goodPassword, ""},
		{"WrongPassword", "alice", goodPassword + "!", pagebot.EUNAUTHORIZED},
		{"EmptyPassword", "alice", "", pagebot.EUNAUTHORIZED},
		{"OtherCase", "Alice", goodPassword, pagebot.EUNAUTHORIZED},
		{"UnknownUser", "carol", goodPassword, pagebot.EUNAUTHORIZED},
		{"Disabled", "bob", goodPassword, pagebot.EUNAUTHORIZED},
	}
	for _, tc := range tests {
		u, err := s.CheckPassword(ctx, tc.user, tc.password)
		wantCode(t, "CheckPassword("+tc.name+")", err, tc.code)
		if err == nil {
			if diff := cmp.Diff(alice, u); diff != "" {
				t.Errorf("CheckPassword(%s) (-created +got):\n%s", tc.name, diff)
			}
		}
	}
	_, errUnknown := s.CheckPassword(ctx, "carol", goodPassword)
	_, errWrong := s.CheckPassword(ctx, "alice", "mauvais mot de passe")
	if a, b := pagebot.ErrorMessage(errUnknown), pagebot.ErrorMessage(errWrong); a != b {
		t.Errorf("CheckPassword messages differ for an unknown name (%q) and a wrong password (%q)", a, b)
	}

	got, err := s.UserByName(ctx, "bob")
	if err != nil || !got.Disabled {
		t.Errorf("UserByName(disabled bob) = %+v, %v; want Disabled", got, err)
	}
	if err := s.DisableUser(ctx, "bob", false); err != nil {
		t.Fatalf("DisableUser(bob, false): %v", err)
	}
	if u, err := s.CheckPassword(ctx, "bob", goodPassword); err != nil || u.Disabled {
		t.Errorf("CheckPassword(bob) after enabling = %+v, %v; want enabled bob", u, err)
	}
	wantCode(t, "DisableUser(unknown)", s.DisableUser(ctx, "nobody", true), pagebot.ENOTFOUND)
}

func testSetPassword(t *testing.T, s UserStore) {
	ctx := context.Background()
	created := mustCreateUser(t, s, "alice", "agent")
	const newPassword = "another long secret"
	wantCode(t, "SetPassword(short)", s.SetPassword(ctx, "alice", "short"), pagebot.EINVALID)
	wantCode(t, "SetPassword(unknown)", s.SetPassword(ctx, "nobody", newPassword), pagebot.ENOTFOUND)
	if _, err := s.CheckPassword(ctx, "alice", goodPassword); err != nil {
		t.Fatalf("a refused SetPassword changed the password: %v", err)
	}
	w := startWindow()
	if err := s.SetPassword(ctx, "alice", newPassword); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	w.end()
	_, err := s.CheckPassword(ctx, "alice", goodPassword)
	wantCode(t, "CheckPassword(old password)", err, pagebot.EUNAUTHORIZED)
	u, err := s.CheckPassword(ctx, "alice", newPassword)
	if err != nil {
		t.Fatalf("CheckPassword(new password): %v", err)
	}
	w.check(t, "PasswordChangedAt", u.PasswordChangedAt)
	if !u.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("CreatedAt after SetPassword = %v, want %v", u.CreatedAt, created.CreatedAt)
	}
}

// testSessions commits, finds, replaces, expires and deletes sessions, as
// the console's session manager does. Two calls of Sessions share the data.
func testSessions(t *testing.T, s UserStore) {
	store, other := s.Sessions(), s.Sessions()
	find := func(what string, st scs.Store, token, want string) {
		t.Helper()
		b, found, err := st.Find(token)
		if err != nil {
			t.Fatalf("Find(%s): %v", what, err)
		}
		if got := string(b); found != (want != "") || got != want {
			t.Errorf("Find(%s) = %q, found %v; want %q", what, got, found, want)
		}
	}
	find("unknown", store, "t1", "")
	now := time.Now()
	if err := store.Commit("t1", []byte("one"), now.Add(time.Hour)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	find("committed", store, "t1", "one")
	find("from another Sessions()", other, "t1", "one")
	if err := store.Commit("t1", []byte("two"), now.Add(2*time.Hour)); err != nil {
		t.Fatalf("Commit again: %v", err)
	}
	find("replaced", store, "t1", "two")

	if err := store.Commit("t2", []byte("short"), time.Now().Add(100*time.Millisecond)); err != nil {
		t.Fatalf("Commit(t2): %v", err)
	}
	if err := store.Commit("t3", []byte("past"), now.Add(-time.Minute)); err != nil {
		t.Fatalf("Commit(t3): %v", err)
	}
	find("already expired", store, "t3", "")
	time.Sleep(200 * time.Millisecond)
	find("expired", store, "t2", "")
	find("unexpired", store, "t1", "two")
	if err := store.Commit("t2", []byte("back"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Commit(expired t2): %v", err)
	}
	find("committed again after expiry", store, "t2", "back")

	if err := store.Delete("t1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	find("deleted", store, "t1", "")
	find("another after Delete", store, "t2", "back")
	if err := store.Delete("t1"); err != nil {
		t.Errorf("Delete(unknown) = %v, want nil", err)
	}
}

func testAPIToken(t *testing.T, s UserStore) {
	ctx := context.Background()
	tok, err := s.CreateAPIToken(ctx, "export", "agent", "alice")
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if !strings.HasPrefix(tok, "pbt_") || len(tok) < 30 {
		t.Errorf("token = %q, want pbt_ and a long random part", tok)
	}
	other, err := s.CreateAPIToken(ctx, "sync", "editor", "cli")
	if err != nil {
		t.Fatalf("CreateAPIToken(sync): %v", err)
	}
	if other == tok {
		t.Errorf("two tokens are both %q", tok)
	}
	check := func(what, token, wantName, wantRole, code string) {
		t.Helper()
		name, role, err := s.APIToken(ctx, token)
		wantCode(t, "APIToken("+what+")", err, code)
		if name != wantName || role != wantRole {
			t.Errorf("APIToken(%s) = %q, %q; want %q, %q", what, name, role, wantName, wantRole)
		}
	}
	check("export", tok, "export", "agent", "")
	check("sync", other, "sync", "editor", "")
	check("altered", tok+"x", "", "", pagebot.EUNAUTHORIZED)
	check("empty", "", "", "", pagebot.EUNAUTHORIZED)
	check("its hash", pagebot.HashAPIToken(tok), "", "", pagebot.EUNAUTHORIZED)

	if err := s.RevokeAPIToken(ctx, "export"); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	check("revoked", tok, "", "", pagebot.EUNAUTHORIZED)
	check("other after revoking one", other, "sync", "editor", "")
	wantCode(t, "RevokeAPIToken(again)", s.RevokeAPIToken(ctx, "export"), pagebot.ENOTFOUND)
	wantCode(t, "RevokeAPIToken(unknown)", s.RevokeAPIToken(ctx, "nothing"), pagebot.ENOTFOUND)
	_, err = s.CreateAPIToken(ctx, "export", "agent", "alice")
	wantCode(t, "CreateAPIToken(name of a revoked token)", err, pagebot.ECONFLICT)
}

func testAPITokenInvalid(t *testing.T, s UserStore) {
	ctx := context.Background()
	if _, err := s.CreateAPIToken(ctx, "export", "agent", "alice"); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	// Token names and account names are apart.
	mustCreateUser(t, s, "alice", "agent")
	if _, err := s.CreateAPIToken(ctx, "alice", "agent", "alice"); err != nil {
		t.Errorf("CreateAPIToken(name of a user): %v", err)
	}
	tests := []struct {
		name, token, role string
		code              string
	}{
		{"Duplicate", "export", "agent", pagebot.ECONFLICT},
		{"DuplicateOtherRole", "export", "admin", pagebot.ECONFLICT},
		{"BadRole", "cron", "root", pagebot.EINVALID},
		{"BadName", "Export Nuit", "agent", pagebot.EINVALID},
		{"EmptyName", "", "agent", pagebot.EINVALID},
	}
	for _, tc := range tests {
		tok, err := s.CreateAPIToken(ctx, tc.token, tc.role, "alice")
		wantCode(t, "CreateAPIToken("+tc.name+")", err, tc.code)
		if tok != "" {
			t.Errorf("CreateAPIToken(%s) returned the token %q with an error", tc.name, tok)
		}
	}
}

func testAPITokens(t *testing.T, s UserStore) {
	ctx := context.Background()
	if ts, err := s.APITokens(ctx); err != nil || len(ts) != 0 {
		t.Fatalf("APITokens(empty store) = %v, %v; want none", ts, err)
	}
	w := startWindow()
	for _, n := range []string{"sync", "export-nuit", "export.jour", "export"} {
		if _, err := s.CreateAPIToken(ctx, n, "agent", "cli"); err != nil {
			t.Fatalf("CreateAPIToken(%q): %v", n, err)
		}
	}
	w.end()
	rw := startWindow()
	if err := s.RevokeAPIToken(ctx, "export-nuit"); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	rw.end()
	ts, err := s.APITokens(ctx)
	if err != nil {
		t.Fatalf("APITokens: %v", err)
	}
	var names []string
	ids := map[int64]bool{}
	for _, tk := range ts {
		names = append(names, tk.Name)
		ids[tk.ID] = true
		if tk.Role != "agent" || tk.CreatedBy != "cli" {
			t.Errorf("token %q: role %q by %q, want agent by cli", tk.Name, tk.Role, tk.CreatedBy)
		}
		w.check(t, tk.Name+".CreatedAt", tk.CreatedAt)
		if tk.Name == "export-nuit" {
			rw.check(t, tk.Name+".RevokedAt", tk.RevokedAt)
		} else if !tk.RevokedAt.IsZero() {
			t.Errorf("token %q: RevokedAt = %v, want zero (in use)", tk.Name, tk.RevokedAt)
		}
	}
	if diff := cmp.Diff([]string{"export", "export-nuit", "export.jour", "sync"}, names); diff != "" {
		t.Errorf("APITokens names in byte order (-want +got):\n%s", diff)
	}
	if len(ids) != len(ts) || ids[0] {
		t.Errorf("APITokens IDs = %v, want distinct and set", ids)
	}
}
