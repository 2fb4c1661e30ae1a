package pagebot

import (
	"strings"
	"testing"
)

func TestValidateUser(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Name", ValidateUserName("jean-luc.m_2"), ""},
		{"NameDigitFirst", ValidateUserName("0agent"), ""},
		{"Name40", ValidateUserName(strings.Repeat("a", 40)), ""},
		{"Name41", ValidateUserName(strings.Repeat("a", 41)), EINVALID},
		{"NameUpper", ValidateUserName("Alice"), EINVALID},
		{"NamePunctFirst", ValidateUserName("-alice"), EINVALID},
		{"NameAccent", ValidateUserName("hélène"), EINVALID},
		{"NameEmpty", ValidateUserName(""), EINVALID},
		{"RoleAgent", ValidateRole("agent"), ""},
		{"RoleEditor", ValidateRole("editor"), ""},
		{"RoleAdmin", ValidateRole("admin"), ""},
		{"RoleOther", ValidateRole("Admin"), EINVALID},
		{"Password10", ValidatePassword("0123456789"), ""},
		{"Password9", ValidatePassword("012345678"), EINVALID},
		{"PasswordRunes", ValidatePassword(strings.Repeat("é", 10)), ""},
		{"PasswordFewRunes", ValidatePassword(strings.Repeat("é", 9)), EINVALID},
		{"Password72Bytes", ValidatePassword(strings.Repeat("x", 72)), ""},
		{"Password73Bytes", ValidatePassword(strings.Repeat("x", 73)), EINVALID},
	}
	for _, tc := range tests {
		if got := ErrorCode(tc.err); got != tc.want {
			t.Errorf("%s: error = %v (code %q), want code %q", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestNewAPIToken(t *testing.T) {
	token, hash := NewAPIToken()
	other, _ := NewAPIToken()
	if !strings.HasPrefix(token, "pbt_") || len(token) != len("pbt_")+26 || token == other {
		t.Errorf("NewAPIToken = %q then %q, want pbt_ and 26 random characters, different", token, other)
	}
	if hash != HashAPIToken(token) || len(hash) != 64 || strings.Contains(hash, token) {
		t.Errorf("NewAPIToken hash = %q, want HashAPIToken(token), 64 hex digits", hash)
	}
}
