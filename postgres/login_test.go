package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoginFailures(t *testing.T) {
	dsn := MustSchema(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn) // two replicas
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := a.AddLoginFailure(ctx, []string{"ip:192.0.2.1", "name:marie"}, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddLoginFailure(ctx, []string{"ip:192.0.2.9", "name:marie"}, t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := b.LoginFailures(ctx, []string{"ip:192.0.2.1", "name:marie", "name:paul"}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]time.Time{
		"ip:192.0.2.1": {t0.Add(time.Minute), t0.Add(2 * time.Minute)},
		"name:marie":   {t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("failures seen by the other replica (-want +got):\n%s", diff)
	}
	if err := a.ClearLoginFailures(ctx, "name:marie"); err != nil {
		t.Fatal(err)
	}
	got, err = b.LoginFailures(ctx, []string{"name:marie", "ip:192.0.2.1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got["name:marie"]) != 0 || len(got["ip:192.0.2.1"]) != 3 {
		t.Fatalf("after clearing name:marie: %v; want no name:marie, 3 for the address", got)
	}
	// The retention purge forgets failures older than a day.
	a.Now = func() time.Time { return t0.Add(25 * time.Hour) }
	if _, err := a.Purge(ctx, t0.Add(-365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := b.LoginFailures(ctx, []string{"ip:192.0.2.1", "ip:192.0.2.9"}, time.Time{}); err != nil || len(got) != 0 {
		t.Fatalf("after the purge: %v, %v; want nothing", got, err)
	}
}
