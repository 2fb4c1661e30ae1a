package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pagebot/graph/graphtest"
	"pagebot/sqlite"
)

// child is a pagebot process started from the built binary.
type child struct {
	cmd *exec.Cmd
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func startChild(t *testing.T, bin string, env []string, addr string) *child {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if !testing.Verbose() {
		cmd.Stdout, cmd.Stderr = nil, nil
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return &child{cmd: cmd}
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("pagebot did not become ready on %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCrashExactlyOnce kills pagebot (SIGKILL) while signed events are in
// flight, restarts it on the same data, redelivers what Meta would
// redeliver (unacknowledged events, and some acknowledged ones again), and
// checks that every event was handled exactly once and that every comment
// got exactly one reply: a reply interrupted by the kill is checked on
// Facebook after the restart, found done or sent then, never set aside.
func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a pagebot process; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pagebot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	g := graphtest.New(t)
	// Slow Graph a little so that the kill finds work in every state:
	// replies claimed and not sent, sent and not answered, answered and not
	// recorded.
	g.SetDelay(5 * time.Millisecond)
	addr := freePort(t)
	data := filepath.Join(dir, "data")
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"PAGEBOT_DATA_DIR=" + data, "PAGEBOT_HTTP_LISTEN=" + addr, "PAGEBOT_LOG_LEVEL=warn",
		"PAGEBOT_FACEBOOK_APP_SECRET=" + graphtest.AppSecret, "PAGEBOT_FACEBOOK_PAGE_ID=" + graphtest.PageID,
		"PAGEBOT_FACEBOOK_PAGE_TOKEN=" + graphtest.PageToken, "PAGEBOT_FACEBOOK_GRAPH_URL=" + g.URL,
		"PAGEBOT_WORKER_LEASE=3s",
	}
	questions := []string{
		"à quelle date est versée l'aide au logement ?",
		"comment faire ma déclaration trimestrielle du RSA ?",
		"ça fait 2 mois que mon dossier est bloqué, personne ne répond",
		"comment commander une nouvelle carte vitale ?",
	}
	const n = 240
	bodies := make([][]byte, n)
	start := time.Now()
	for i := range bodies {
		bodies[i] = samplePayload(graphtest.PageID, fmt.Sprintf("30000000%04d", i), "Client", questions[i%len(questions)], false, false, start, i)
	}
	url := "http://" + addr + "/webhook"
	client := &http.Client{Timeout: 5 * time.Second}
	acked := make([]bool, n)
	var mu sync.Mutex
	send := func(idx []int) {
		var wg sync.WaitGroup
		ch := make(chan int)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range ch {
					status, _, err := postSigned(client, url, graphtest.AppSecret, bodies[i])
					if err == nil && status == http.StatusOK {
						mu.Lock()
						acked[i] = true
						mu.Unlock()
					}
				}
			}()
		}
		for _, i := range idx {
			ch <- i
		}
		close(ch)
		wg.Wait()
	}

	p := startChild(t, bin, env, addr)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	killed := make(chan struct{})
	go func() {
		// Kill once about a third of the events have been acknowledged.
		for {
			mu.Lock()
			c := 0
			for _, a := range acked {
				if a {
					c++
				}
			}
			mu.Unlock()
			if c >= n/3 {
				p.cmd.Process.Signal(syscall.SIGKILL)
				p.cmd.Wait()
				close(killed)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	send(all)
	<-killed
	ackedBefore := 0
	for _, a := range acked {
		if a {
			ackedBefore++
		}
	}
	t.Logf("killed after %d of %d events acknowledged", ackedBefore, n)

	p = startChild(t, bin, env, addr)
	defer func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
	}()
	// Meta redelivers what was not acknowledged, and duplicates happen: send
	// every event again.
	send(all)
	for i, a := range acked {
		if !a {
			t.Fatalf("event %d never acknowledged after the restart", i)
		}
	}

	db := sqlite.New(filepath.Join(data, "pagebot.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	waitIdle(t, db.Stats, 60*time.Second)
	acts, err := db.Actions(ctx, sqlite.ActionFilter{Limit: 10 * n})
	if err != nil {
		t.Fatal(err)
	}
	perTarget := map[string]int{}
	for _, a := range acts {
		perTarget[string(a.Kind)+" "+a.Target]++
		if a.Status == "failed" {
			t.Errorf("action %d (%s on %s) failed: %q; want every interrupted reply checked and sent once", a.ID, a.Kind, a.Target, a.Error)
		}
	}
	for k, c := range perTarget {
		if c != 1 {
			t.Errorf("%s: %d outbox actions, want 1 (event handled twice?)", k, c)
		}
	}
	if len(perTarget) != n {
		t.Errorf("%d comments got an outbox action, want %d (every event handled)", len(perTarget), n)
	}
	// Every comment has exactly one reply on the fake Graph server. An
	// interrupted reply was checked (GET /{comment-id}/comments): found done
	// if it had gone out, sent after the check otherwise.
	checked := map[string]bool{}
	resent := map[string]bool{}
	for _, c := range g.Calls() {
		id := strings.TrimSuffix(strings.TrimPrefix(c.Path, "/"), "/comments")
		switch {
		case !strings.HasSuffix(c.Path, "/comments"):
		case c.Method == "GET":
			checked[id] = true
		case c.Method == "POST" && checked[id]:
			resent[id] = true
		}
	}
	sent := 0
	for i, body := range bodies {
		id := payloadCommentID(t, body)
		switch got := len(g.Replies(id)); got {
		case 1:
			sent++
		default:
			t.Errorf("comment %d (%s) has %d replies, want exactly 1", i, id, got)
		}
	}
	t.Logf("%d events, %d comments with exactly one reply, %d interrupted replies checked (%d found done, %d sent after the check), 0 set aside, 0 duplicates",
		n, sent, len(checked), len(checked)-len(resent), len(resent))
}

// payloadCommentID returns the comment id of a signed comment payload.
func payloadCommentID(t *testing.T, body []byte) string {
	t.Helper()
	var p struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					CommentID string `json:"comment_id"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Entry) != 1 || len(p.Entry[0].Changes) != 1 {
		t.Fatalf("payload is not one comment: %v", err)
	}
	return p.Entry[0].Changes[0].Value.CommentID
}
