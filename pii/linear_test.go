package pii

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestMaskLinearTime guards against inputs that make Mask super-linear: the
// fuzzer once stalled on text dense with trigger words of several cue sets,
// whose windows were sorted by insertion. Each 64 KiB input must take well
// under a second; linear code takes a few tens of milliseconds.
func TestMaskLinearTime(t *testing.T) {
	const size = 64 << 10
	limit := 500 * time.Millisecond
	if raceEnabled {
		limit *= 10
	}
	var phones strings.Builder
	for i := 0; phones.Len() < size; i++ {
		fmt.Fprintf(&phones, "06 %02d %02d %02d %02d ", i/1000%100, i/100%10*10, i/10%10*10, i%10*10)
	}
	tests := []struct{ name, unit string }{
		{"phone groups", "06 "},
		{"phones", "06 12 34 56 78 "},
		{"distinct phones", phones.String()},
		{"digits", "1"},
		{"spaced digits", "1 "},
		{"dotted digits", "12."},
		{"plus", "+33 "},
		{"trunk zero", "06 1(0)"},
		{"capitalised words", "Jean "},
		{"streets", "rue "},
		{"addresses", "12 rue Paix 75002 Paris "},
		{"born", "né le "},
		{"at signs", "@"},
		{"emails", "a.a@a"},
		{"cue words", "secu iban allocataire fiscal passeport cni "},
		{"birth triggers", "naissne "},
		{"civility triggers", "mrm."},
		{"weak triggers", "tutMme "},
		{"signature and birth", "bonne nee"},
		{"name labels", "nom : "},
		{"placeholders", "[IBAN masqué] "},
		{"cards", "4111 1111 1111 1111 exp 09/27 "},
		{"tax numbers", "Mme Jean fiscal 0123456789211 "},
	}
	d := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Repeat(tc.unit, size/len(tc.unit)+1)[:size]
			start := time.Now()
			r := d.Mask(text)
			if took := time.Since(start); took > limit {
				t.Errorf("Mask(%d bytes of %q) took %v, want < %v", len(text), tc.unit, took, limit)
			}
			checkSpans(t, text, r.Spans)
		})
	}
}

func TestMaskRepeatedValue(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"inside a longer number", "0480538311 10480538311", "[téléphone masqué] [téléphone masqué]"},
		{"regrouped", "tel 06 12 34 56 78 ou 0612 345678", "tel [téléphone masqué] ou [téléphone masqué]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testDetector.Mask(tc.text).Masked; got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
