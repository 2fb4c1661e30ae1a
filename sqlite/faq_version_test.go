package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"pagebot"
)

func TestFAQVersions(t *testing.T) {
	db := New(t.TempDir() + "/faq.db")
	now := time.Date(2026, 11, 27, 10, 0, 0, 123456789, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	add := func(entryID, actor, action, entry string) FAQVersion {
		t.Helper()
		v, err := db.AddFAQVersion(ctx, FAQVersion{EntryID: entryID, Actor: actor, Action: action, Entry: json.RawMessage(entry)})
		if err != nil {
			t.Fatalf("AddFAQVersion(%s, %s): %v", entryID, action, err)
		}
		return v
	}
	v1 := add("rsa-demande", "eddie", FAQCreate, `{"id":"rsa-demande","question":"Q1"}`)
	add("apl-date", "eddie", FAQCreate, `{"id":"apl-date","question":"A1"}`)
	now = now.Add(time.Hour)
	v2 := add("rsa-demande", "ada", FAQUpdate, `{"id":"rsa-demande","question":"Q2"}`)
	v3 := add("rsa-demande", "ada", FAQDelete, `{"id":"rsa-demande","question":"Q2"}`)
	if v1.Version != 1 || v2.Version != 2 || v3.Version != 3 {
		t.Errorf("versions = %d, %d, %d; want 1, 2, 3", v1.Version, v2.Version, v3.Version)
	}
	if !v1.At.Equal(trunc(now.Add(-time.Hour))) || v1.ID == 0 {
		t.Errorf("first version = %+v, want an id and the time of the call", v1)
	}

	got, err := db.FAQVersions(ctx, "rsa-demande")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("FAQVersions = %d versions, want 3: %+v", len(got), got)
	}
	want := []struct {
		version       int
		actor, action string
		question      string
		at            time.Time
	}{
		{3, "ada", FAQDelete, "Q2", trunc(now)},
		{2, "ada", FAQUpdate, "Q2", trunc(now)},
		{1, "eddie", FAQCreate, "Q1", trunc(now.Add(-time.Hour))},
	}
	for i, w := range want {
		g := got[i]
		var e struct{ Question string }
		if err := json.Unmarshal(g.Entry, &e); err != nil {
			t.Fatalf("version %d: entry %s: %v", g.Version, g.Entry, err)
		}
		if g.Version != w.version || g.Actor != w.actor || g.Action != w.action || e.Question != w.question ||
			!g.At.Equal(w.at) || g.EntryID != "rsa-demande" {
			t.Errorf("version #%d = %+v (question %q), want %+v", i, g, e.Question, w)
		}
	}
	if other, err := db.FAQVersions(ctx, "apl-date"); err != nil || len(other) != 1 || other[0].Version != 1 {
		t.Errorf("FAQVersions(apl-date) = %+v, %v; want its one version", other, err)
	}
	if none, err := db.FAQVersions(ctx, "inconnue"); err != nil || len(none) != 0 {
		t.Errorf("FAQVersions(unknown) = %+v, %v; want none", none, err)
	}
}

func TestAddFAQVersionInvalid(t *testing.T) {
	db := New(":memory:")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ok := FAQVersion{EntryID: "rsa-demande", Actor: "eddie", Action: FAQUpdate, Entry: json.RawMessage(`{"id":"rsa-demande"}`)}
	for name, change := range map[string]func(*FAQVersion){
		"NoEntryID":  func(v *FAQVersion) { v.EntryID = "" },
		"NoActor":    func(v *FAQVersion) { v.Actor = "" },
		"BadAction":  func(v *FAQVersion) { v.Action = "rename" },
		"NotJSON":    func(v *FAQVersion) { v.Entry = json.RawMessage(`{`) },
		"NotAnEntry": func(v *FAQVersion) { v.Entry = json.RawMessage(`null`) },
	} {
		v := ok
		change(&v)
		if _, err := db.AddFAQVersion(ctx, v); pagebot.ErrorCode(err) != pagebot.EINVALID {
			t.Errorf("%s: AddFAQVersion = %v, want EINVALID", name, err)
		}
	}
	if vs, err := db.FAQVersions(ctx, "rsa-demande"); err != nil || len(vs) != 0 {
		t.Errorf("invalid versions were stored: %+v, %v", vs, err)
	}
}
