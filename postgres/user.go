package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"

	"pagebot"
	"pagebot/password"
)

// User is pagebot.User.
type User = pagebot.User

// BcryptCost is the cost of new password hashes. Tests lower it to
// password.MinCost before opening their stores, for speed, as with
// sqlite.BcryptCost.
var BcryptCost = password.DefaultCost

// userColumns are the columns scanUser reads, before password_hash.
const userColumns = `id, name, role, created_at, password_changed_at, disabled`

func scanUser(s scanner) (User, string, error) {
	var (
		u                User
		hash             string
		created, changed sql.NullTime
	)
	err := s.Scan(&u.ID, &u.Name, &u.Role, &created, &changed, &u.Disabled, &hash)
	u.CreatedAt, u.PasswordChangedAt = goTime(created), goTime(changed)
	return u, hash, err
}

// CreateUser adds a staff account with a bcrypt hash of pw. Returns
// EINVALID for a bad name, role or password (pagebot.ValidatePassword),
// ECONFLICT if the name is taken.
func (db *DB) CreateUser(ctx context.Context, name, role, pw string) (User, error) {
	if err := errors.Join(pagebot.ValidateUserName(name), pagebot.ValidateRole(role)); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	hash, err := password.Hash(pw, BcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	now := db.now()
	u := User{Name: name, Role: role, CreatedAt: now, PasswordChangedAt: now}
	err = db.db.QueryRowContext(ctx, `INSERT INTO users (name, password_hash, role, created_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO NOTHING RETURNING id`, name, hash, role, now).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = pagebot.Errorf(pagebot.ECONFLICT, "L'utilisateur %q existe déjà.", name)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserByName returns one account, disabled or not. Returns ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, _, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errUserNotFound(name)
	} else if err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

func errUserNotFound(name string) error {
	return pagebot.Errorf(pagebot.ENOTFOUND, "Utilisateur %q introuvable.", name)
}

// Users lists every account by name, in byte order (COLLATE "C") as in the
// SQLite store, whatever the database's collation.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+`, '' FROM users ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return users, nil
}

// CheckPassword returns the enabled account name whose password is pw. An
// unknown name, a wrong password and a disabled account all return the same
// EUNAUTHORIZED error, in about the same time.
func (db *DB) CheckPassword(ctx context.Context, name, pw string) (User, error) {
	u, hash, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = $1`, name))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("check password: %w", err)
	}
	if err := password.Check(hash, pw, u.Disabled, BcryptCost); err != nil {
		return User{}, err
	}
	return u, nil
}

// SetPassword replaces a user's password and records when, so that the
// console can end the sessions opened before. Returns EINVALID for a too
// short password, ENOTFOUND for an unknown user.
func (db *DB) SetPassword(ctx context.Context, name, pw string) error {
	hash, err := password.Hash(pw, BcryptCost)
	if err == nil {
		err = db.updateUser(ctx, name, `UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE name = $1`,
			hash, db.now())
	}
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// DisableUser disables (or, with disabled false, enables again) an account:
// a disabled user cannot log in and the console ends their sessions at the
// next request. Accounts are never deleted, since the audit trail names
// them. Returns ENOTFOUND.
func (db *DB) DisableUser(ctx context.Context, name string, disabled bool) error {
	if err := db.updateUser(ctx, name, `UPDATE users SET disabled = $2 WHERE name = $1`, disabled); err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	return nil
}

// updateUser runs an UPDATE of the user name ($1), followed by args ($2…),
// and returns ENOTFOUND if no user has that name.
func (db *DB) updateUser(ctx context.Context, name, update string, args ...any) error {
	var id int64
	err := db.db.QueryRowContext(ctx, update+` RETURNING id`, append([]any{name}, args...)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errUserNotFound(name)
	}
	return err
}

// CreateAPIToken creates a token for a script, with a role, and returns it:
// only its hash is kept, so it cannot be shown again. name labels it
// ("export-nuit"). Returns EINVALID for a bad name or role, ECONFLICT if the
// name is taken, even by a revoked token.
func (db *DB) CreateAPIToken(ctx context.Context, name, role, createdBy string) (string, error) {
	if err := errors.Join(pagebot.ValidateUserName(name), pagebot.ValidateRole(role)); err != nil {
		return "", fmt.Errorf("create api token: %w", err)
	}
	token, hash := pagebot.NewAPIToken()
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id`,
		name, hash, role, createdBy, db.now()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = pagebot.Errorf(pagebot.ECONFLICT, "Le jeton %q existe déjà.", name)
	}
	if err != nil {
		return "", fmt.Errorf("create api token: %w", err)
	}
	return token, nil
}

// APIToken returns the name and role of a valid token. Returns
// EUNAUTHORIZED for an unknown or revoked token.
func (db *DB) APIToken(ctx context.Context, token string) (name, role string, err error) {
	err = db.db.QueryRowContext(ctx, `SELECT name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		pagebot.HashAPIToken(token)).Scan(&name, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", pagebot.Errorf(pagebot.EUNAUTHORIZED, "Jeton d'accès inconnu ou révoqué.")
	} else if err != nil {
		return "", "", fmt.Errorf("api token: %w", err)
	}
	return name, role, nil
}

// RevokeAPIToken revokes a token by name. Returns ENOTFOUND for an unknown
// or already revoked token.
func (db *DB) RevokeAPIToken(ctx context.Context, name string) error {
	var id int64
	err := db.db.QueryRowContext(ctx, `UPDATE api_tokens SET revoked_at = $1
		WHERE name = $2 AND revoked_at IS NULL RETURNING id`, db.now(), name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = pagebot.Errorf(pagebot.ENOTFOUND, "Jeton %q introuvable ou déjà révoqué.", name)
	}
	if err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	return nil
}

// APITokens lists the API tokens, revoked ones included, by name in byte
// order.
func (db *DB) APITokens(ctx context.Context) ([]pagebot.APITokenInfo, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, name, role, created_by, created_at, revoked_at
		FROM api_tokens ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []pagebot.APITokenInfo
	for rows.Next() {
		var (
			t                pagebot.APITokenInfo
			created, revoked sql.NullTime
		)
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &t.CreatedBy, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list api tokens: %w", err)
		}
		t.CreatedAt, t.RevokedAt = goTime(created), goTime(revoked)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	return out, nil
}

// sessionCleanup is how often the session store deletes expired sessions.
const sessionCleanup = 10 * time.Minute

// Sessions returns the session store of the console, shared by the replicas
// (scs's postgresstore on the sessions table). Expiry is judged by the
// database's clock, not DB.Now. The store is made by Open, and Close stops
// its cleanup goroutine.
func (db *DB) Sessions() scs.Store {
	return db.sessions
}

// openSessions makes the session store and starts its cleanup goroutine.
func (db *DB) openSessions() {
	db.sessions = postgresstore.NewWithCleanupInterval(db.db, sessionCleanup)
}

// closeSessions stops the cleanup goroutine, once: a second StopCleanup
// would wait forever.
func (db *DB) closeSessions() {
	if db.sessions != nil {
		db.sessions.StopCleanup()
		db.sessions = nil
	}
}
