// Package password hashes the passwords of console accounts with bcrypt and
// decides login attempts, the same way in every store. It is apart from the
// root package, which imports the standard library only.
package password

import (
	"crypto/rand"
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"pagebot"
)

// Costs for the stores' BcryptCost: DefaultCost in service, MinCost in tests,
// which check behaviour and not bcrypt's slowness.
const (
	DefaultCost = bcrypt.DefaultCost
	MinCost     = bcrypt.MinCost
)

// clamp brings cost within bcrypt's bounds.
func clamp(cost int) int {
	return min(max(cost, bcrypt.MinCost), bcrypt.MaxCost)
}

// Hash returns the bcrypt hash of a new password at cost, after
// pagebot.ValidatePassword. Returns EINVALID.
func Hash(password string, cost int) (string, error) {
	if err := pagebot.ValidatePassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), clamp(cost))
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Check decides a login attempt on an account whose stored hash is hash
// ("" when no account has the name). It returns nil if password matches an
// enabled account, and otherwise one EUNAUTHORIZED error whatever failed
// (unknown name, wrong password, disabled account), in about the same time,
// so that it does not tell which names exist: an unknown name is compared
// with a random hash at cost.
func Check(hash, password string, disabled bool, cost int) error {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(clamp(cost)), []byte(password))
		return errBadLogin()
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || disabled {
		return errBadLogin()
	}
	return nil
}

// errBadLogin is the one answer to a failed login.
func errBadLogin() error {
	return pagebot.Errorf(pagebot.EUNAUTHORIZED, "Nom d'utilisateur ou mot de passe incorrect.")
}

var (
	dummyMu     sync.Mutex
	dummyHashes = map[int][]byte{}
)

// dummyHash returns a hash of a random password at cost, made once per cost.
func dummyHash(cost int) []byte {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummyHashes[cost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
	if err != nil {
		return nil
	}
	dummyHashes[cost] = h
	return h
}
