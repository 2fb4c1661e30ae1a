package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenPragmas checks the settings durability depends on, on both pools,
// and that a DSN can override them.
func TestOpenPragmas(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want map[string]string // pragma → value on the write pool
	}{
		{"file", "pagebot.db", map[string]string{
			"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"}},
		{"uri override", "file:pagebot.db?_synchronous=NORMAL", map[string]string{
			"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1"}},
		{"memory", ":memory:", map[string]string{
			"journal_mode": "memory", "synchronous": "2", "foreign_keys": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dsn := tc.dsn
			if dsn != ":memory:" {
				dir := filepath.Join(t.TempDir(), "sub")
				if name, ok := strings.CutPrefix(dsn, "file:"); ok {
					dsn = "file:" + filepath.Join(dir, name)
				} else {
					dsn = filepath.Join(dir, dsn)
				}
			}
			db := New(dsn)
			if err := db.Open(); err != nil {
				t.Fatalf("Open(%q): %v", dsn, err)
			}
			defer db.Close()
			for pragma, want := range tc.want {
				var got string
				if err := db.write.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", pragma, err)
				}
				if got != want {
					t.Errorf("Open(%q): PRAGMA %s = %s, want %s", tc.dsn, pragma, got, want)
				}
			}
			var readOnly string
			if err := db.read.QueryRow("PRAGMA query_only").Scan(&readOnly); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: "0", false: "1"}[db.read == db.write]; readOnly != want {
				t.Errorf("Open(%q): reader query_only = %s, want %s", tc.dsn, readOnly, want)
			}
		})
	}
}
