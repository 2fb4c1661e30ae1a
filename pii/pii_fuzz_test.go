package pii

import (
	"strings"
	"testing"
)

// normalise keeps the letters and digits of s, folded, so that a value is
// recognised in a masked text whatever its separators.
func normalise(s string) string {
	var b strings.Builder
	for _, c := range []byte(foldString(s)) {
		if isAlnum(c) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzMask checks, on arbitrary input, that Mask never panics, returns
// sorted in-range non-overlapping spans, leaves none of the detected
// identifiers in the masked text and is idempotent.
func FuzzMask(f *testing.F) {
	for _, m := range mustReadLabelled(f, "testdata/labelled.jsonl") {
		f.Add(m.Text)
	}
	for _, s := range []string{
		"", "\xff", "+33 (0)6 12 34 56 78", "[IBAN masqué] 06 12 34 56 78",
		"n° allocataire [téléphone masqué] 1234567", "Cordialement, [nom masqué]",
	} {
		f.Add(s)
	}
	d := New()
	f.Fuzz(func(t *testing.T, text string) {
		r := d.Mask(text)
		checkSpans(t, text, r.Spans)
		masked := normalise(r.Masked)
		for _, s := range r.Spans {
			switch s.Kind {
			case KindName, KindAddress, KindBirthDate, KindEmail:
				continue // words may legitimately occur elsewhere in the text
			}
			v := normalise(text[s.Start:s.End])
			if len(v) >= 6 && strings.Contains(masked, v) {
				t.Errorf("Mask(%q) = %q still contains %s value %q", text, r.Masked, s.Kind, v)
			}
		}
		if again := d.Mask(r.Masked); again.Masked != r.Masked {
			t.Errorf("Mask not idempotent on %q:\n first %q\nsecond %q", text, r.Masked, again.Masked)
		}
	})
}
