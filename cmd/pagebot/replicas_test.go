package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pagebot"
	"pagebot/graph/graphtest"
	"pagebot/postgres"
	"pagebot/postgres/pgtest"
)

// mustBuildPagebot builds the binary under test into a temporary folder.
func mustBuildPagebot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pagebot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// replicaEnv is the environment of one replica: its own data folder and
// port, the shared database and the fake Graph server.
func replicaEnv(dir, name, addr, dsn, graphURL string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"PAGEBOT_DATA_DIR=" + filepath.Join(dir, name), "PAGEBOT_HTTP_LISTEN=" + addr, "PAGEBOT_LOG_LEVEL=warn",
		"PAGEBOT_STORE_DSN=" + dsn,
		"PAGEBOT_FACEBOOK_APP_SECRET=" + graphtest.AppSecret, "PAGEBOT_FACEBOOK_PAGE_ID=" + graphtest.PageID,
		"PAGEBOT_FACEBOOK_PAGE_TOKEN=" + graphtest.PageToken, "PAGEBOT_FACEBOOK_GRAPH_URL=" + graphURL,
		"PAGEBOT_WORKER_LEASE=3s",
	}
	if c := os.Getenv("PAGEBOT_WORKER_CONCURRENCY"); c != "" { // for TestReplicaThroughput
		env = append(env, "PAGEBOT_WORKER_CONCURRENCY="+c)
	}
	return env
}

func (c *child) stop() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}
}

// TestReplicasExactlyOnce runs two pagebot processes on one PostgreSQL
// database. A FAQ entry created through one replica's API is served by the
// other within a second. Then signed comments are delivered to both, with
// duplicates spread across them; one replica is killed (SIGKILL) a third of
// the way; Meta's redeliveries go to the survivor. Every comment must get
// exactly one reply at the fake Graph server, and nothing may be left
// unhandled or set aside.
func TestReplicasExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills pagebot processes; skipped with -short")
	}
	dsn := pgtest.Schema(t)
	bin := mustBuildPagebot(t)
	dir := t.TempDir()
	g := graphtest.New(t)
	addrA, addrB := freePort(t), freePort(t)
	envA := replicaEnv(dir, "a", addrA, dsn, g.URL)
	envB := replicaEnv(dir, "b", addrB, dsn, g.URL)
	// Both start at once: the migrations and the FAQ seed happen once.
	var a, b *child
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = startChild(t, bin, envA, addrA) }()
	go func() { defer wg.Done(); b = startChild(t, bin, envB, addrB) }()
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow()
	}
	defer a.stop()
	defer b.stop()

	t.Run("faq edit reaches the other replica", func(t *testing.T) {
		token := mustToken(t, bin, envA)
		entry := `{"id": "test-replicas", "question": "Où suivre la prime zorglub ?", "answer": "Dans votre espace personnel."}`
		status, body := apiCall(t, "POST", "http://"+addrA+"/api/faq", token, entry)
		if status != http.StatusCreated {
			t.Fatalf("POST /api/faq on A: %d %s", status, body)
		}
		start := time.Now()
		for {
			status, _ := apiCall(t, "GET", "http://"+addrB+"/api/faq/test-replicas", token, "")
			if status == http.StatusOK {
				break
			}
			if time.Since(start) > time.Second {
				t.Fatalf("the entry created through A is not served by B after %v (last status %d)", time.Since(start), status)
			}
			time.Sleep(10 * time.Millisecond)
		}
		took := time.Since(start)
		status, body = apiCall(t, "POST", "http://"+addrB+"/api/ask", token, `{"text": "ou suivre la prime zorglub", "channel": "comment"}`)
		if status != http.StatusOK || !strings.Contains(body, `"faq_id":"test-replicas"`) {
			t.Fatalf("B does not answer with the new entry: %d %s", status, body)
		}
		t.Logf("entry created through A served and found by B after %v", took)
	})

	questions := []string{
		"à quelle date est versée l'aide au logement ?",
		"comment faire ma déclaration trimestrielle du RSA ?",
		"ça fait 2 mois que mon dossier est bloqué, personne ne répond",
		"comment commander une nouvelle carte vitale ?",
	}
	const n = 300
	start := time.Now()
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = samplePayload(graphtest.PageID, fmt.Sprintf("31000000%04d", i), "Client", questions[i%len(questions)], false, false, start, i)
	}
	urls := []string{"http://" + addrA + "/webhook", "http://" + addrB + "/webhook"}
	client := &http.Client{Timeout: 5 * time.Second}
	var (
		mu     sync.Mutex
		acked  = make([]bool, n)
		nacked atomic.Int64
	)
	// deliver sends event i to replica r; Meta may deliver an event twice,
	// to either replica behind the load balancer.
	deliver := func(i, r int) {
		status, _, err := postSigned(client, urls[r], graphtest.AppSecret, bodies[i])
		if err == nil && status == http.StatusOK {
			mu.Lock()
			if !acked[i] {
				nacked.Add(1)
			}
			acked[i] = true
			mu.Unlock()
		}
	}
	type delivery struct{ i, r int }
	var plan []delivery
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		r := rng.IntN(2)
		plan = append(plan, delivery{i, r})
		if rng.IntN(3) == 0 { // a third delivered twice, to the other replica
			plan = append(plan, delivery{i, 1 - r})
		}
	}
	rng.Shuffle(len(plan), func(x, y int) { plan[x], plan[y] = plan[y], plan[x] })
	// send delivers at most one event per pace, as a steady stream of
	// comments would arrive, with up to 8 deliveries in flight.
	send := func(plan []delivery, pace time.Duration) {
		var wg sync.WaitGroup
		ch := make(chan delivery)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for d := range ch {
					deliver(d.i, d.r)
				}
			}()
		}
		for _, d := range plan {
			ch <- d
			time.Sleep(pace)
		}
		close(ch)
		wg.Wait()
	}
	// Graph answers in 5 ms, so that A dies with calls in flight.
	g.SetDelay(5 * time.Millisecond)
	killed := make(chan struct{})
	decidedByA := 0
	go func() {
		defer close(killed)
		// Kill A once it has done part of the work and a third of the
		// events are acknowledged.
		for nacked.Load() < n/3 || decidedByA < 30 {
			time.Sleep(5 * time.Millisecond)
			decidedByA = scrapeCounter(t, "http://"+addrA+"/metrics", "pagebot_decisions_total")
		}
		a.cmd.Process.Signal(syscall.SIGKILL)
		a.cmd.Wait()
	}()
	send(plan, 2*time.Millisecond)
	<-killed
	t.Logf("replica A killed (SIGKILL) after deciding %d events, with %d of %d events acknowledged", decidedByA, nacked.Load(), n)
	// Meta redelivers what was not acknowledged, and duplicates happen:
	// every event again, to the survivor.
	var again []delivery
	for i := range n {
		again = append(again, delivery{i, 1})
	}
	send(again, 0)
	for i, ok := range acked {
		if !ok {
			t.Fatalf("event %d never acknowledged", i)
		}
	}

	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	waitIdle(t, db.Stats, 90*time.Second)
	acts, err := db.Actions(ctx, pagebot.ActionFilter{Limit: 20 * n})
	if err != nil {
		t.Fatal(err)
	}
	perTarget := map[string]int{}
	for _, act := range acts {
		if act.Kind != pagebot.OutboxReplyComment {
			continue
		}
		perTarget[act.Target]++
		if act.Status != pagebot.OutboxDone {
			t.Errorf("reply to %s is %s (%s), want done", act.Target, act.Status, act.Error)
		}
	}
	if len(perTarget) != n {
		t.Errorf("%d comments have a reply in the outbox, want %d", len(perTarget), n)
	}
	for target, c := range perTarget {
		if c != 1 {
			t.Errorf("comment %s: %d replies in the outbox, want 1 (event handled twice)", target, c)
		}
	}
	replies, checks := map[string]int{}, 0
	for _, c := range g.Calls() {
		if !strings.HasSuffix(c.Path, "/comments") {
			continue
		}
		switch c.Method {
		case http.MethodPost:
			replies[strings.TrimSuffix(strings.TrimPrefix(c.Path, "/"), "/comments")]++
		case http.MethodGet:
			checks++ // an interrupted reply verified before being redone
		}
	}
	for i := range n {
		id := commentID(bodies[i])
		if replies[id] != 1 {
			t.Errorf("comment %s got %d replies at Graph, want exactly 1", id, replies[id])
		}
	}
	decidedByB := scrapeCounter(t, "http://"+addrB+"/metrics", "pagebot_decisions_total")
	t.Logf("%d comments, %d deliveries while A lived and %d after; %d replies at Graph, each comment exactly once; "+
		"%d interrupted replies checked on Graph before being redone; A decided %d events before dying, B %d",
		n, len(plan), len(again), len(replies), checks, decidedByA, decidedByB)
}

// waitIdle waits until nothing is pending or claimed in the store: every
// event decided, every action finished.
func waitIdle(t *testing.T, stats func(context.Context) (pagebot.Stats, error), within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.EventsPending == 0 && st.EventsClaimed == 0 && st.ActionsPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("work left after %v: %+v", within, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// commentID is the comment id inside a samplePayload body.
func commentID(body []byte) string {
	var p struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					CommentID string `json:"comment_id"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Entry) == 0 || len(p.Entry[0].Changes) == 0 {
		return ""
	}
	return p.Entry[0].Changes[0].Value.CommentID
}

// mustToken creates an editor API token with the replica's configuration.
func mustToken(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin, "token", "create", "--role", "editor", "--name", "replicas-test")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func apiCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// scrapeCounter sums the samples of a counter on a Prometheus endpoint.
func scrapeCounter(t *testing.T, url, name string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	total := 0.0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			total += v
		}
	}
	return int(total)
}
