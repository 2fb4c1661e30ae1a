package graphtest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	fb "github.com/huandu/facebook/v2"

	"pagebot/graph/graphtest"
)

// session returns a huandu/facebook session on s, signing with secret.
func session(s *graphtest.Server, token, secret string) *fb.Session {
	app := fb.New("", secret)
	app.EnableAppsecretProof = secret != ""
	sess := app.Session(token)
	sess.Version = "v25.0"
	sess.BaseURL = s.URL + "/"
	sess.HttpClient = http.DefaultClient
	return sess
}

// TestWireFormat checks the fake against what huandu/facebook really sends.
func TestWireFormat(t *testing.T) {
	tests := []struct {
		name   string
		method fb.Method
		path   string
		params fb.Params
		want   graphtest.Call
		body   string // a key the answer must have
	}{
		{
			name: "POST form with JSON map", method: fb.POST, path: "/1/messages",
			params: fb.Params{"recipient": map[string]string{"id": "24"}, "message": map[string]string{"text": "é"}},
			want: graphtest.Call{Method: "POST", Path: "/1/messages", Params: url.Values{
				"recipient": {`{"id":"24"}`}, "message": {`{"text":"é"}`}}},
			body: "message_id",
		},
		{
			name: "GET query", method: fb.GET, path: "/1_2", params: fb.Params{"fields": "is_hidden"},
			want: graphtest.Call{Method: "GET", Path: "/1_2", Params: url.Values{"fields": {"is_hidden"}}},
			body: "is_hidden",
		},
		{
			name: "DELETE sent as POST method=DELETE", method: fb.DELETE, path: "/1_2",
			want: graphtest.Call{Method: "DELETE", Path: "/1_2", Params: url.Values{}},
			body: "success",
		},
		{
			name: "reply", method: fb.POST, path: "/1_2/comments", params: fb.Params{"message": "ok"},
			want: graphtest.Call{Method: "POST", Path: "/1_2/comments", Params: url.Values{"message": {"ok"}}},
			body: "id",
		},
		{
			name: "list replies", method: fb.GET, path: "/1_2/comments", params: fb.Params{"fields": "id,from", "limit": 100},
			want: graphtest.Call{Method: "GET", Path: "/1_2/comments", Params: url.Values{"fields": {"id,from"}, "limit": {"100"}}},
			body: "data",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			res, err := session(s, graphtest.PageToken, graphtest.AppSecret).Api(tc.path, tc.method, tc.params)
			if err != nil {
				t.Fatalf("Api: %v", err)
			}
			if res[tc.body] == nil {
				t.Errorf("answer %v has no %q", res, tc.body)
			}
			want := tc.want
			want.Version, want.Token, want.HasProof = "v25.0", graphtest.PageToken, true
			if diff := cmp.Diff([]graphtest.Call{want}, s.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	tests := []struct {
		name      string
		token     string
		secret    string
		wantCode  int
		wantProof bool
	}{
		{name: "good token and proof", token: graphtest.PageToken, secret: graphtest.AppSecret, wantProof: true},
		{name: "proof with the wrong secret", token: graphtest.PageToken, secret: "other", wantCode: 100},
		{name: "no proof", token: graphtest.PageToken, secret: "", wantCode: 100},
		{name: "wrong token, proof matching it", token: "other-token", secret: graphtest.AppSecret, wantCode: 190, wantProof: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.New(t)
			_, err := session(s, tc.token, tc.secret).Post("/1_2", fb.Params{"is_hidden": true})
			var fe *fb.Error
			switch {
			case tc.wantCode == 0 && err != nil:
				t.Errorf("Post error = %v, want nil", err)
			case tc.wantCode != 0 && (!errors.As(err, &fe) || fe.Code != tc.wantCode):
				t.Errorf("Post error = %v, want Graph code %d", err, tc.wantCode)
			}
			calls := s.Calls()
			if len(calls) != 1 {
				t.Fatalf("got %d calls, want 1", len(calls))
			}
			if got := calls[0].HasProof; got != tc.wantProof {
				t.Errorf("HasProof = %v, want %v", got, tc.wantProof)
			}
		})
	}
}

func TestFail(t *testing.T) {
	s := graphtest.New(t)
	s.Fail("POST /comments", graphtest.Error(2, 0), graphtest.HTML(http.StatusBadGateway))
	s.Fail("/messages", graphtest.Error(10, 2018278))
	sess := session(s, graphtest.PageToken, graphtest.AppSecret)

	steps := []struct {
		name     string
		method   fb.Method
		path     string
		wantCode int  // Graph error code, 0 for none
		wantHTML bool // *fb.UnmarshalError
	}{
		{"GET does not match a POST queue", fb.GET, "/1/comments", 0, false},
		{"first queued", fb.POST, "/1/comments", 2, false},
		{"other path queue", fb.POST, "/9/messages", 10, false},
		{"second queued", fb.POST, "/1/comments", 0, true},
		{"drained: default success", fb.POST, "/1/comments", 0, false},
		{"other queue drained", fb.POST, "/9/messages", 0, false},
	}
	for _, st := range steps {
		_, err := sess.Api(st.path, st.method, fb.Params{"message": "ok", "recipient": map[string]string{"id": "1"}})
		var fe *fb.Error
		var ue *fb.UnmarshalError
		switch {
		case st.wantCode != 0:
			if !errors.As(err, &fe) || fe.Code != st.wantCode {
				t.Errorf("%s: error = %v, want Graph code %d", st.name, err, st.wantCode)
			}
		case st.wantHTML:
			if !errors.As(err, &ue) {
				t.Errorf("%s: error = %v, want *fb.UnmarshalError", st.name, err)
			}
		case err != nil:
			t.Errorf("%s: error = %v, want nil", st.name, err)
		}
	}
	if got, want := len(s.Calls()), len(steps); got != want {
		t.Errorf("recorded %d calls, want %d", got, want)
	}
}

func TestObjectState(t *testing.T) {
	s := graphtest.New(t)
	sess := session(s, graphtest.PageToken, graphtest.AppSecret)
	get := func() fb.Result {
		t.Helper()
		res, err := sess.Get("/1_2", fb.Params{"fields": "is_hidden,can_reply_privately"})
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		return res
	}
	if res := get(); res["is_hidden"] != false || res["can_reply_privately"] != true {
		t.Errorf("new comment = %v, want visible and open to a private reply", res)
	}
	if _, err := sess.Post("/1_2", fb.Params{"is_hidden": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Post("/1/messages", fb.Params{"recipient": map[string]string{"comment_id": "1_2"}}); err != nil {
		t.Fatal(err)
	}
	if res := get(); res["is_hidden"] != true || res["can_reply_privately"] != false {
		t.Errorf("comment = %v, want hidden and closed to private replies", res)
	}
	if _, err := sess.Delete("/1_2", nil); err != nil {
		t.Fatal(err)
	}
	_, err := sess.Get("/1_2", nil)
	var fe *fb.Error
	if !errors.As(err, &fe) || fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("Get deleted comment error = %v, want code 100 subcode 33", err)
	}
	if _, ok := s.Object("1_2"); ok {
		t.Errorf("Object(deleted) ok = true, want false")
	}
}

func TestCallsConcurrent(t *testing.T) {
	s := graphtest.New(t)
	sess := session(s, graphtest.PageToken, graphtest.AppSecret)
	sess.AppsecretProof() // computed once, before sharing the session
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := sess.Post("/1_2", fb.Params{"is_hidden": true}); err != nil {
				t.Error(err)
			}
			_ = s.Calls()
		})
	}
	wg.Wait()
	if got := len(s.Calls()); got != 20 {
		t.Errorf("recorded %d calls, want 20", got)
	}
}

// TestReplies checks that GET /{id}/comments lists the replies posted by
// successful calls and by AddReply, in Graph's shape, with order, limit,
// cursors and fields.
func TestReplies(t *testing.T) {
	s := graphtest.New(t)
	sess := session(s, graphtest.PageToken, graphtest.AppSecret)
	s.Fail("POST /1_2/comments", graphtest.Error(2, 0)) // failed: no reply
	for _, msg := range []string{"not posted", "first"} {
		_, _ = sess.Post("/1_2/comments", fb.Params{"message": msg})
	}
	user := s.AddReply("1_2", "777", "moi aussi")
	if _, err := sess.Post("/1_2/comments", fb.Params{"message": "second"}); err != nil {
		t.Fatal(err)
	}
	s.AddReply("3_4", "777", "ailleurs")

	var got []string
	for _, r := range s.Replies("1_2") {
		got = append(got, r.FromID+":"+r.Message)
	}
	want := []string{graphtest.PageID + ":first", "777:moi aussi", graphtest.PageID + ":second"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Replies (-want +got):\n%s", diff)
	}

	type page struct {
		Data []struct {
			ID, Message string
			From        struct{ ID string }
		}
		Paging struct {
			Next    string
			Cursors struct{ After string }
		}
	}
	read := func(p fb.Params) page {
		t.Helper()
		res, err := sess.Get("/1_2/comments", p)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		var pg page
		if err := res.Decode(&pg); err != nil {
			t.Fatal(err)
		}
		return pg
	}
	first := read(fb.Params{"order": "reverse_chronological", "limit": 2, "fields": "id,from"})
	if len(first.Data) != 2 || first.Data[0].From.ID != graphtest.PageID || first.Data[1].ID != user {
		t.Fatalf("first page = %+v, want the newest two replies, the Page's second one first", first)
	}
	if first.Data[0].Message != "" {
		t.Errorf("message = %q, want none (not asked for)", first.Data[0].Message)
	}
	if first.Paging.Next == "" || first.Paging.Cursors.After == "" {
		t.Fatalf("paging = %+v, want a next link and an after cursor", first.Paging)
	}
	last := read(fb.Params{"order": "reverse_chronological", "limit": 2, "after": first.Paging.Cursors.After})
	if len(last.Data) != 1 || last.Data[0].Message != "first" || last.Paging.Next != "" {
		t.Errorf("last page = %+v, want the oldest reply and no next link", last)
	}
	if all := read(nil); len(all.Data) != 3 || all.Data[0].Message != "first" {
		t.Errorf("default = %+v, want the three replies, oldest first", all)
	}
	if _, err := sess.Delete("/1_2", nil); err != nil {
		t.Fatal(err)
	}
	var fe *fb.Error
	if _, err := sess.Get("/1_2/comments", nil); !errors.As(err, &fe) || fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("replies of a deleted comment: error = %v, want code 100 subcode 33", err)
	}
}

// TestApplied checks that a queued response marked Applied lets the call take
// effect although the client gets the queued answer.
func TestApplied(t *testing.T) {
	s := graphtest.New(t)
	lost := graphtest.HTML(http.StatusBadGateway)
	lost.Applied = true
	s.Fail("POST /comments", lost, graphtest.HTML(http.StatusBadGateway))
	sess := session(s, graphtest.PageToken, graphtest.AppSecret)
	var ue *fb.UnmarshalError
	for i := range 2 {
		if _, err := sess.Post("/1_2/comments", fb.Params{"message": fmt.Sprint("try ", i)}); !errors.As(err, &ue) {
			t.Errorf("try %d: error = %v, want the HTML page", i, err)
		}
	}
	if got := s.Replies("1_2"); len(got) != 1 || got[0].Message != "try 0" {
		t.Errorf("replies = %+v, want only the first try's (applied, answer lost)", got)
	}
}

func TestSetDelay(t *testing.T) {
	s := graphtest.New(t)
	s.SetDelay(50 * time.Millisecond)
	start := time.Now()
	if _, err := session(s, graphtest.PageToken, graphtest.AppSecret).Post("/1_2/comments", fb.Params{"message": "ok"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answer came after %s, want at least 50ms", d)
	}
	if got := len(s.Replies("1_2")); got != 1 {
		t.Errorf("replies = %d, want 1", got)
	}
}
