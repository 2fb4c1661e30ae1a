package pii

import "testing"

// TestIndependentSet scores the detector on testdata/independent.jsonl, a
// set written without reading the detectors, in the messy style of real
// comments (SMS spelling, capitals, odd groupings, values inside long
// complaints), with checksummed numbers not taken from labelled.jsonl. It
// guards against the labelled set's template bias: checksummed kinds,
// e-mails and phones must all be found, contextual kinds at least 90 %, and
// at most 2 % of its clean, number-heavy messages may be altered.
func TestIndependentSet(t *testing.T) {
	msgs := mustReadLabelled(t, "testdata/independent.jsonl")
	if len(msgs) < 150 {
		t.Fatalf("independent set has %d messages, want at least 150", len(msgs))
	}
	sc := scoreLabelled(t, New(), msgs)
	strict := map[Kind]bool{KindNIR: true, KindIBAN: true, KindCardNumber: true, KindEmail: true, KindPhone: true}
	for _, k := range Kinds {
		if sc.total[k] == 0 {
			t.Errorf("independent set has no %s value", k)
			continue
		}
		got := float64(sc.found[k]) / float64(sc.total[k])
		want := 0.90
		if strict[k] {
			want = 1
		}
		t.Logf("recall %-12s %3d/%3d = %.1f%%", k, sc.found[k], sc.total[k], 100*got)
		if got < want {
			t.Errorf("recall for %s = %.3f, want >= %.2f", k, got, want)
		}
	}
	if sc.clean == 0 {
		t.Fatal("independent set has no clean message")
	}
	fp := float64(sc.altered) / float64(sc.clean)
	t.Logf("clean messages altered: %d/%d = %.2f%%", sc.altered, sc.clean, 100*fp)
	if fp > 0.02 {
		t.Errorf("clean messages altered = %.3f, want <= 0.02", fp)
	}
}
