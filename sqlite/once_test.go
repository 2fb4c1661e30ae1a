package sqlite

import (
	"context"
	"testing"
)

func TestOnce(t *testing.T) {
	db := New(t.TempDir() + "/once.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		if got, err := db.Once(ctx, "scam-warning:post1"); err != nil || got != want {
			t.Errorf("Once #%d = %v %v, want %v", i+1, got, err, want)
		}
	}
	if got, err := db.Once(ctx, "scam-warning:post2"); err != nil || !got {
		t.Errorf("Once(other key) = %v %v, want true", got, err)
	}
}
