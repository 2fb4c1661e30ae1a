package sqlite_test

import (
	"testing"
	"time"
)

// TestSessionsClock checks what the contract cannot: the SQLite session
// store judges expiry by DB.Now, which tests may move.
func TestSessionsClock(t *testing.T) {
	db := MustOpenDB(t)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := db.Sessions()
	if err := s.Commit("t1", []byte("one"), now.Add(time.Hour)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if b, found, err := s.Find("t1"); err != nil || !found || string(b) != "one" {
		t.Fatalf("Find = %q, %v, %v; want \"one\", true", b, found, err)
	}
	now = now.Add(time.Hour) // expired
	if _, found, err := s.Find("t1"); err != nil || found {
		t.Errorf("Find at the expiry = found %v, %v; want not found", found, err)
	}
}
