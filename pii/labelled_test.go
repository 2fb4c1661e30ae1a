package pii

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type labelledPII struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

type labelledMessage struct {
	Text string        `json:"text"`
	PII  []labelledPII `json:"pii"`
}

func mustReadLabelled(tb testing.TB, path string) []labelledMessage {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open labelled set: %v", err)
	}
	defer fh.Close()
	var msgs []labelledMessage
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var m labelledMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatalf("labelled set line %d: %v", line, err)
		}
		for _, p := range m.PII {
			if !strings.Contains(m.Text, p.Value) {
				tb.Fatalf("labelled set line %d: value %q not in text", line, p.Value)
			}
		}
		msgs = append(msgs, m)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read labelled set: %v", err)
	}
	return msgs
}

// TestLabelledSet scores the detector on hand-labelled messages: per-kind
// recall (a labelled value is found when one detected span covers it) and
// the share of clean messages that Mask alters.
func TestLabelledSet(t *testing.T) {
	msgs := mustReadLabelled(t, "testdata/labelled.jsonl")
	if len(msgs) < 330 {
		t.Fatalf("labelled set has %d messages, want at least 330", len(msgs))
	}
	sc := scoreLabelled(t, New(), msgs)
	total, found, clean, altered := sc.total, sc.found, sc.clean, sc.altered
	strict := map[Kind]bool{KindNIR: true, KindIBAN: true, KindCardNumber: true, KindEmail: true, KindPhone: true}
	for _, k := range Kinds {
		if total[k] == 0 {
			t.Errorf("labelled set has no %s value", k)
			continue
		}
		got := float64(found[k]) / float64(total[k])
		want := 0.95
		if strict[k] {
			want = 1
		}
		t.Logf("recall %-12s %3d/%3d = %.1f%%", k, found[k], total[k], 100*got)
		if got < want {
			t.Errorf("recall for %s = %.3f, want >= %.2f", k, got, want)
		}
	}
	fp := float64(altered) / float64(clean)
	t.Logf("clean messages altered: %d/%d = %.2f%%", altered, clean, 100*fp)
	if fp > 0.01 {
		t.Errorf("clean messages altered = %.3f, want <= 0.01", fp)
	}
}

// labelledScore is the outcome of running a detector over a labelled set.
type labelledScore struct {
	total, found   map[Kind]int // labelled values, and those covered by a span
	clean, altered int          // messages without personal data, and those Detect flags
}

// scoreLabelled runs d over msgs: a labelled value counts as found when one
// detected span covers it, and a clean message counts as altered when Detect
// returns any span for it. Misses and false positives are logged.
func scoreLabelled(t *testing.T, d *Detector, msgs []labelledMessage) labelledScore {
	t.Helper()
	total := map[Kind]int{}
	found := map[Kind]int{}
	clean, altered := 0, 0
	for _, m := range msgs {
		spans := d.Detect(m.Text)
		if len(m.PII) == 0 {
			clean++
			if len(spans) > 0 {
				altered++
				t.Logf("false positive: %q -> %q", m.Text, d.Mask(m.Text).Masked)
			}
			continue
		}
		from := 0
		for _, p := range m.PII {
			total[p.Kind]++
			i := strings.Index(m.Text[from:], p.Value)
			if i < 0 {
				i = strings.Index(m.Text, p.Value)
			} else {
				i += from
			}
			start, end := i, i+len(p.Value)
			ok := false
			for _, s := range spans {
				if s.Start <= start && s.End >= end {
					ok = true
				}
			}
			if ok {
				found[p.Kind]++
			} else {
				t.Logf("missed %s %q in %q -> %q", p.Kind, p.Value, m.Text, d.Mask(m.Text).Masked)
			}
		}
	}
	return labelledScore{total: total, found: found, clean: clean, altered: altered}
}
