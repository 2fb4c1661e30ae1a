package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"pagebot"
	"pagebot/password"
)

// User is pagebot.User.
type User = pagebot.User

// BcryptCost is the cost of new password hashes. Tests lower it to
// password.MinCost before opening their stores, for speed; it would be a DB
// field if sqlite.go were not shared work in progress.
var BcryptCost = password.DefaultCost

const userColumns = `id, name, role, created_at, password_changed_at, disabled`

func scanUser(s scanner) (User, string, error) {
	var (
		u                User
		hash             string
		created, changed int64
	)
	err := s.Scan(&u.ID, &u.Name, &u.Role, &created, &changed, &u.Disabled, &hash)
	u.CreatedAt, u.PasswordChangedAt = time.UnixMicro(created).UTC(), time.UnixMicro(changed).UTC()
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
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE name = ?`, name).Scan(&one)
		if err == nil {
			return pagebot.Errorf(pagebot.ECONFLICT, "L'utilisateur %q existe déjà.", name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO users (name, password_hash, role, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, name, hash, role, dbTime(now), dbTime(now)).Scan(&u.ID)
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserByName returns one account, disabled or not. Returns ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, _, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, pagebot.Errorf(pagebot.ENOTFOUND, "Utilisateur %q introuvable.", name)
	} else if err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// Users lists every account by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+`, '' FROM users ORDER BY name`)
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
	u, hash, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = ?`, name))
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
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?`,
		hash, dbTime(db.now()), name)
	if err := affectedOne(res, err, name); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// DisableUser disables (or, with disabled false, enables again) an account:
// a disabled user cannot log in and the console ends their sessions at the
// next request. Accounts are never deleted, since the audit trail names
// them. Returns ENOTFOUND.
func (db *DB) DisableUser(ctx context.Context, name string, disabled bool) error {
	res, err := db.write.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE name = ?`, disabled, name)
	if err := affectedOne(res, err, name); err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	return nil
}

// affectedOne turns an update of one user that changed nothing into
// ENOTFOUND.
func affectedOne(res sql.Result, err error, name string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return pagebot.Errorf(pagebot.ENOTFOUND, "Utilisateur %q introuvable.", name)
	}
	return nil
}

// CreateAPIToken creates a token for a script, with a role, and returns it:
// only its hash is kept, so it cannot be shown again. name labels it
// ("export-nuit"). Returns EINVALID for a bad name or role, ECONFLICT if the
// name is taken.
func (db *DB) CreateAPIToken(ctx context.Context, name, role, createdBy string) (string, error) {
	if err := errors.Join(pagebot.ValidateUserName(name), pagebot.ValidateRole(role)); err != nil {
		return "", fmt.Errorf("create api token: %w", err)
	}
	token, hash := pagebot.NewAPIToken()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_tokens WHERE name = ?`, name).Scan(&one)
		if err == nil {
			return pagebot.Errorf(pagebot.ECONFLICT, "Le jeton %q existe déjà.", name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at)
			VALUES (?, ?, ?, ?, ?)`, name, hash, role, createdBy, dbTime(db.now()))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create api token: %w", err)
	}
	return token, nil
}

// APIToken returns the name and role of a valid token. Returns
// EUNAUTHORIZED for an unknown or revoked token.
func (db *DB) APIToken(ctx context.Context, token string) (name, role string, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT name, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`,
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
	res, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`,
		dbTime(db.now()), name)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = pagebot.Errorf(pagebot.ENOTFOUND, "Jeton %q introuvable ou déjà révoqué.", name)
		}
	}
	if err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	return nil
}

// SessionStore keeps the console's web sessions in the database, so that
// they survive a restart and are shared by replicas. It implements
// scs.Store and scs.CtxStore.
type SessionStore struct {
	db *DB
	// lastPurge is when expired sessions were last deleted (Unix µs).
	lastPurge atomic.Int64
}

var _ scs.CtxStore = (*SessionStore)(nil)

// Sessions returns the session store of the console. Expiry is judged by
// DB.Now.
func (db *DB) Sessions() scs.Store {
	return &SessionStore{db: db}
}

// purgeEvery is how often a commit also deletes expired sessions.
const purgeEvery = 10 * time.Minute

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`,
		token, s.db.now().UnixMicro()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores or replaces a session, and now and then deletes the
// expired ones.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	now := s.db.now().UnixMicro()
	if _, err := s.db.write.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		token, b, trunc(expiry).UnixMicro()); err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	if last := s.lastPurge.Load(); now-last > purgeEvery.Microseconds() && s.lastPurge.CompareAndSwap(last, now) {
		if _, err := s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, now); err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
	}
	return nil
}

// DeleteCtx removes a session; an unknown token is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find is FindCtx without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// APITokens lists the API tokens, revoked ones included, by name.
func (db *DB) APITokens(ctx context.Context) ([]pagebot.APITokenInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, role, created_by, created_at, revoked_at
		FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []pagebot.APITokenInfo
	for rows.Next() {
		var (
			t                pagebot.APITokenInfo
			created, revoked sql.NullInt64
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
