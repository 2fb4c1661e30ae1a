package main

import (
	"context"
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
// checks that every acknowledged event was handled exactly once and that no
// comment got two replies.
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
	addr := freePort(t)
	data := filepath.Join(dir, "data")
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"PAGEBOT_DATA_DIR=" + data, "PAGEBOT_HTTP_LISTEN=" + addr, "PAGEBOT_LOG_LEVEL=warn",
		"PAGEBOT_FACEBOOK_APP_SECRET=" + graphtest.AppSecret, "PAGEBOT_FACEBOOK_PAGE_ID=" + graphtest.PageID,
		"PAGEBOT_FACEBOOK_PAGE_TOKEN=" + graphtest.PageToken, "PAGEBOT_FACEBOOK_GRAPH_URL=" + g.URL,
		"PAGEBOT_WORKER_LEASE=3s",
	}
	// Slow Graph a little so that the kill finds work in every state.
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
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.EventsPending == 0 && st.EventsClaimed == 0 && st.ActionsPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("work left after 60 s: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	acts, err := db.Actions(ctx, sqlite.ActionFilter{Limit: 10 * n})
	if err != nil {
		t.Fatal(err)
	}
	perTarget := map[string]int{}
	setAside := 0
	for _, a := range acts {
		perTarget[string(a.Kind)+" "+a.Target]++
		if a.Status == "failed" {
			setAside++
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
	replies := map[string]int{}
	for _, c := range g.Calls() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/comments") {
			replies[strings.TrimSuffix(strings.TrimPrefix(c.Path, "/"), "/comments")]++
		}
	}
	for id, c := range replies {
		if c > 1 {
			t.Errorf("comment %s got %d replies, want at most 1", id, c)
		}
	}
	if len(replies)+setAside < n {
		t.Errorf("%d replies sent + %d set aside < %d events", len(replies), setAside, n)
	}
	t.Logf("%d events, %d replies sent, %d interrupted replies set aside for an agent, 0 duplicates", n, len(replies), setAside)
}
