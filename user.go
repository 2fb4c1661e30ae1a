package pagebot

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"time"
)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// maxPasswordBytes is bcrypt's limit: it ignores anything longer.
const maxPasswordBytes = 72

var userNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// ValidateUserName checks the name of a user or of an API token: it appears
// in URLs, audit entries and command lines, so it is kept plain. Returns
// EINVALID.
func ValidateUserName(name string) error {
	if !userNamePattern.MatchString(name) {
		return Errorf(EINVALID, "Nom d'utilisateur %q invalide : lettres minuscules, chiffres, point, tiret et soulignement, 40 caractères au plus.", name)
	}
	return nil
}

// ValidateRole checks that role is one of the three console roles, agent,
// editor or admin. Returns EINVALID.
func ValidateRole(role string) error {
	if role != "agent" && role != "editor" && role != "admin" {
		return Errorf(EINVALID, "Rôle %q inconnu : attendu agent, editor ou admin.", role)
	}
	return nil
}

// ValidatePassword checks a new password: MinPasswordLen characters at
// least, and no more bytes than bcrypt reads. Returns EINVALID.
func ValidatePassword(password string) error {
	if n := len([]rune(password)); n < MinPasswordLen {
		return Errorf(EINVALID, "Le mot de passe doit compter au moins %d caractères (%d donnés).", MinPasswordLen, n)
	}
	if len(password) > maxPasswordBytes {
		return Errorf(EINVALID, "Le mot de passe est trop long (%d octets au plus).", maxPasswordBytes)
	}
	return nil
}

// APITokenInfo describes an API token, never its secret.
type APITokenInfo struct {
	ID        int64
	Name      string
	Role      string
	CreatedBy string
	CreatedAt time.Time
	// RevokedAt is zero for a token in use.
	RevokedAt time.Time
}

// apiTokenPrefix marks pagebot tokens, so that secret scanners and people
// recognise one.
const apiTokenPrefix = "pbt_"

// NewAPIToken returns a new random API token, to be shown once, and the hash
// that a store keeps in its place.
func NewAPIToken() (token, hash string) {
	token = apiTokenPrefix + rand.Text()
	return token, HashAPIToken(token)
}

// HashAPIToken returns the hash under which a store finds a token: its
// SHA-256 in hex. A random 130-bit token needs no slow hash.
func HashAPIToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
