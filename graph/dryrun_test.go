package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pagebot/graph"
	"pagebot/graph/graphtest"
)

// script makes one of each call, as a worker would.
func script(ctx context.Context, tb testing.TB, api graph.API) (ids []string) {
	tb.Helper()
	must := func(id string, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("call: %v", err)
		}
		ids = append(ids, id)
	}
	must(api.ReplyComment(ctx, "123_456", "Bonjour, voici la réponse."))
	must("", api.HideComment(ctx, "123_456", true))
	must(api.PrivateReply(ctx, "123_456", "Voici le détail."))
	must(api.SendMessage(ctx, "24", "Merci !", graph.SendOptions{Metadata: "outbox:42"}))
	must(api.SendMessage(ctx, "24", "Une conseillère répond.", graph.SendOptions{HumanAgent: true}))
	must("", api.MarkSeen(ctx, "24"))
	must("", api.PassThreadToInbox(ctx, "24", "escalade"))
	info, err := api.Comment(ctx, "123_456")
	must(info.ID, err)
	replies, err := api.PageReplies(ctx, "123_456")
	must(strings.Join(replies, ","), err)
	return ids
}

// TestDryRunRecordsWhatClientSends runs the same calls through a DryRun and
// through a Client against the fake server, and compares what each recorded.
func TestDryRunRecordsWhatClientSends(t *testing.T) {
	s := graphtest.New(t)
	script(t.Context(), t, MustClient(t, s))
	var want []graph.Call
	for _, c := range s.Calls() {
		want = append(want, graph.Call{Method: c.Method, Path: c.Path, Params: c.Params})
	}

	d := graph.NewDryRun(graphtest.PageID)
	ids := script(t.Context(), t, d)
	if diff := cmp.Diff(want, d.Calls()); diff != "" {
		t.Errorf("DryRun calls differ from what the client sent (-client +dry run):\n%s", diff)
	}
	if got, want := len(d.Calls()), 9; got != want {
		t.Errorf("recorded %d calls, want %d", got, want)
	}
	wantIDs := []string{"dryrun-1", "", "dryrun-3", "dryrun-4", "dryrun-5", "", "", "123_456", "dryrun-1"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("returned ids (-want +got):\n%s", diff)
	}
}

func TestDryRunCommentState(t *testing.T) {
	tests := []struct {
		name string
		do   func(context.Context, *graph.DryRun) error
		want graph.CommentInfo
	}{
		{
			name: "untouched",
			do:   func(context.Context, *graph.DryRun) error { return nil },
			want: graph.CommentInfo{ID: "1_2", CanReplyPrivately: true},
		},
		{
			name: "hidden",
			do:   func(ctx context.Context, d *graph.DryRun) error { return d.HideComment(ctx, "1_2", true) },
			want: graph.CommentInfo{ID: "1_2", IsHidden: true, CanReplyPrivately: true},
		},
		{
			name: "hidden then unhidden",
			do: func(ctx context.Context, d *graph.DryRun) error {
				if err := d.HideComment(ctx, "1_2", true); err != nil {
					return err
				}
				return d.HideComment(ctx, "1_2", false)
			},
			want: graph.CommentInfo{ID: "1_2", CanReplyPrivately: true},
		},
		{
			name: "answered privately",
			do: func(ctx context.Context, d *graph.DryRun) error {
				_, err := d.PrivateReply(ctx, "1_2", "ok")
				return err
			},
			want: graph.CommentInfo{ID: "1_2", CanReplyPrivately: false},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := graph.NewDryRun("1")
			if err := tc.do(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			got, err := d.Comment(t.Context(), "1_2")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Comment (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDryRunPageReplies checks that PageReplies lists the replies the dry
// run recorded under that comment, newest first, and no other.
func TestDryRunPageReplies(t *testing.T) {
	d := graph.NewDryRun("1")
	ctx := t.Context()
	if ids, err := d.PageReplies(ctx, "1_2"); err != nil || len(ids) != 0 {
		t.Fatalf("PageReplies(no reply) = %v, %v; want none", ids, err)
	}
	var want []string
	for _, text := range []string{"Bonjour", "Précision"} {
		id, err := d.ReplyComment(ctx, "1_2", text)
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{id}, want...)
	}
	if _, err := d.ReplyComment(ctx, "1_3", "Ailleurs"); err != nil {
		t.Fatal(err)
	}
	got, err := d.PageReplies(ctx, "1_2")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PageReplies (-want +got):\n%s", diff)
	}
}

func TestDryRunValidates(t *testing.T) {
	d := graph.NewDryRun("1")
	if _, err := d.ReplyComment(t.Context(), "", "ok"); graph.Classify(err) != graph.Permanent {
		t.Errorf("ReplyComment(empty id) error = %v, want a Permanent error", err)
	}
	if got := len(d.Calls()); got != 0 {
		t.Errorf("recorded %d calls, want 0", got)
	}
}
