package password_test

import (
	"testing"

	"pagebot"
	"pagebot/password"
)

func TestHashCheck(t *testing.T) {
	const pw = "mot de passe solide"
	hash, err := password.Hash(pw, password.MinCost)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if _, err := password.Hash("court", password.MinCost); pagebot.ErrorCode(err) != pagebot.EINVALID {
		t.Errorf("Hash(short) error = %v, want EINVALID", err)
	}
	tests := []struct {
		name, hash, password string
		disabled             bool
		code                 string
	}{
		{"OK", hash, pw, false, ""},
		{"Wrong", hash, pw + "!", false, pagebot.EUNAUTHORIZED},
		{"Disabled", hash, pw, true, pagebot.EUNAUTHORIZED},
		{"UnknownName", "", pw, false, pagebot.EUNAUTHORIZED},
		{"BrokenHash", "not a hash", pw, false, pagebot.EUNAUTHORIZED},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The cost is out of bcrypt's bounds: Check brings it back.
			err := password.Check(tc.hash, tc.password, tc.disabled, 0)
			if got := pagebot.ErrorCode(err); got != tc.code {
				t.Errorf("Check(%s) error = %v (code %q), want code %q", tc.name, err, got, tc.code)
			}
		})
	}
}
