package moderation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRepeatSum(t *testing.T) {
	want, ok := RepeatSum("a", "Rendez moi mon argent")
	if !ok {
		t.Fatal(`RepeatSum("a", "Rendez moi mon argent") not counted`)
	}
	tests := []struct {
		name, author, text string
		same, ok           bool
	}{
		{"other spelling", "a", "RENDEZ-MOI mon argent !!", true, true},
		{"other author", "b", "rendez moi mon argent", true, true},
		{"other text", "a", "autre chose", false, true},
		{"empty author", "", "rendez moi mon argent", false, false},
		{"empty text", "a", "", false, false},
		{"nothing once normalised", "a", "?? ...", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, ok := RepeatSum(tc.author, tc.text)
			if ok != tc.ok || (sum == want) != tc.same {
				t.Errorf("RepeatSum(%q, %q) = %#x, %v; want same sum as the first: %v, counted: %v",
					tc.author, tc.text, sum, ok, tc.same, tc.ok)
			}
			if !ok && sum != 0 {
				t.Errorf("RepeatSum(%q, %q) = %#x for a comment not counted, want 0", tc.author, tc.text, sum)
			}
		})
	}
}

func TestRepeatResult(t *testing.T) {
	const sum = 0x0123456789abcdef
	tests := []struct {
		name     string
		n, limit int
		rule     string // "" for OK
	}{
		{"below the limit", 2, 3, ""},
		{"at the limit", 3, 3, "repeat:3x/10m0s#cdef"},
		{"past the limit", 7, 3, "repeat:7x/10m0s#cdef"},
		{"limit raised to 2", 1, 1, ""},
		{"limit raised to 2, second copy", 2, 0, "repeat:2x/10m0s#cdef"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RepeatResult(tc.n, tc.limit, 10*time.Minute, sum)
			want := Result{Verdict: OK}
			if tc.rule != "" {
				want = Result{Verdict: Review, Rule: tc.rule, Category: CategoryRepeat, Reasons: []string{tc.rule}}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("RepeatResult(%d, %d, 10m, %#x) (-want +got):\n%s", tc.n, tc.limit, uint64(sum), diff)
			}
		})
	}
}

// A counter built on RepeatSum and RepeatResult gives what Note gives.
func TestRepeatsNoteIsSumAndResult(t *testing.T) {
	r := NewRepeats(10*time.Minute, 3)
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	texts := []string{"Rendez moi mon argent", "rendez-moi mon argent !!", "RENDEZ MOI MON ARGENT", "Rendez moi mon argent."}
	sum, _ := RepeatSum("a", texts[0])
	for i, text := range texts {
		got := r.Note("a", text, t0.Add(time.Duration(i)*time.Minute))
		if diff := cmp.Diff(RepeatResult(i+1, 3, 10*time.Minute, sum), got); diff != "" {
			t.Errorf("copy %d: Note differs from RepeatResult(%d, 3, 10m, sum) (-want +got):\n%s", i+1, i+1, diff)
		}
	}
}
