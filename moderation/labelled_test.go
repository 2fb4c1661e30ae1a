package moderation

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
)

type labelled struct {
	Text   string  `json:"text"`
	Expect Verdict `json:"expect"`
	Kind   string  `json:"kind"`
}

func mustReadLabelled(tb testing.TB, path string) []labelled {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open labelled set: %v", err)
	}
	defer fh.Close()
	var set []labelled
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatalf("labelled set line %d: %v", line, err)
		}
		if _, ok := parseVerdict(string(l.Expect)); !ok || l.Text == "" {
			tb.Fatalf("labelled set line %d: bad expect %q or empty text", line, l.Expect)
		}
		set = append(set, l)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read labelled set: %v", err)
	}
	return set
}

func mustNew(tb testing.TB) *Moderator {
	tb.Helper()
	r, err := DefaultRules()
	if err != nil {
		tb.Fatalf("DefaultRules: %v", err)
	}
	return New(r)
}

// TestLabelledSet scores the default rules on hand-labelled comments. It
// fails if any legitimate comment (expect ok) is hidden, or if fewer than
// 90 % of abusive comments (expect review or hide) are hidden or queued.
func TestLabelledSet(t *testing.T) {
	scoreSet(t, "testdata/labelled.jsonl", 220, 80)
}

// TestIndependentSet scores a second, smaller set written after the rules
// and never used to tune them, with the same thresholds.
func TestIndependentSet(t *testing.T) {
	scoreSet(t, "testdata/independent.jsonl", 30, 10)
}

func scoreSet(t *testing.T, path string, minSize, minSide int) {
	set := mustReadLabelled(t, path)
	m := mustNew(t)
	legit, abusive := 0, 0
	for _, l := range set {
		if l.Expect == OK {
			legit++
		} else {
			abusive++
		}
	}
	if legit < minSide || abusive < minSide || len(set) < minSize {
		t.Fatalf("%s: %d comments, %d legitimate, %d abusive; want ≥%d, ≥%d, ≥%d", path, len(set), legit, abusive, minSize, minSide, minSide)
	}
	confusion := map[Verdict]map[Verdict]int{OK: {}, Review: {}, Hide: {}}
	perKind := map[string][2]int{} // kind → {caught as expected side, total}
	hiddenLegit, caught := 0, 0
	for _, l := range set {
		got := m.Check(l.Text)
		confusion[l.Expect][got.Verdict]++
		k := perKind[l.Kind]
		k[1]++
		switch {
		case l.Expect == OK && got.Verdict == Hide:
			hiddenLegit++
			t.Errorf("legitimate comment hidden: %q by %s", l.Text, got.Rule)
		case l.Expect == OK:
			k[0]++
			if got.Verdict == Review {
				t.Logf("legitimate comment queued: %q by %s", l.Text, got.Rule)
			}
		case got.Verdict != OK:
			caught++
			k[0]++
		default:
			t.Logf("missed (%s): %q", l.Kind, l.Text)
		}
		perKind[l.Kind] = k
	}
	t.Logf("confusion (rows expect, columns got):")
	t.Logf("%-8s %6s %6s %6s", "", "ok", "review", "hide")
	for _, e := range []Verdict{OK, Review, Hide} {
		t.Logf("%-8s %6d %6d %6d", e, confusion[e][OK], confusion[e][Review], confusion[e][Hide])
	}
	kinds := make([]string, 0, len(perKind))
	for k := range perKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-12s %3d/%3d handled as expected side", k, perKind[k][0], perKind[k][1])
	}
	rate := float64(caught) / float64(abusive)
	t.Logf("legitimate hidden: %d/%d; abusive hidden or queued: %d/%d (%.1f %%)", hiddenLegit, legit, caught, abusive, 100*rate)
	if hiddenLegit > 0 {
		t.Errorf("%d legitimate comments hidden, want 0", hiddenLegit)
	}
	if rate < 0.90 {
		t.Errorf("abusive hidden or queued = %s, want ≥ 90 %%", fmt.Sprintf("%.1f %%", 100*rate))
	}
}
