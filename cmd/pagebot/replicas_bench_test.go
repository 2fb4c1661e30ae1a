package main

import (
	"bytes"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"pagebot/graph/graphtest"
	"pagebot/postgres"
	"pagebot/postgres/pgtest"
)

// TestReplicaThroughput measures, on PostgreSQL, how fast one replica and
// then two replicas acknowledge and handle a burst of comments (the figures
// in the README). It is a measurement, not a check: it runs only with
// PAGEBOT_BENCH_REPLICAS=N (events per run), e.g.
//
//	PAGEBOT_BENCH_REPLICAS=6000 go test -run TestReplicaThroughput -v ./cmd/pagebot
//
// PAGEBOT_BENCH_GRAPH_DELAY (a duration) makes the fake Graph server answer
// that late, as the real one does (tens to hundreds of milliseconds).
func TestReplicaThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PAGEBOT_BENCH_REPLICAS"))
	if n <= 0 {
		t.Skip("a measurement: set PAGEBOT_BENCH_REPLICAS to the number of events per run")
	}
	var delay time.Duration
	if d := os.Getenv("PAGEBOT_BENCH_GRAPH_DELAY"); d != "" {
		var err error
		if delay, err = time.ParseDuration(d); err != nil {
			t.Fatalf("PAGEBOT_BENCH_GRAPH_DELAY: %v", err)
		}
	}
	bin := mustBuildPagebot(t)
	for _, replicas := range []int{1, 2} {
		dsn := pgtest.Schema(t)
		dir := t.TempDir()
		g := graphtest.New(t)
		g.SetDelay(delay)
		var urls []string
		for r := range replicas {
			addr := freePort(t)
			c := startChild(t, bin, replicaEnv(dir, strconv.Itoa(r), addr, dsn, g.URL), addr)
			defer c.stop()
			urls = append(urls, "http://"+addr+"/webhook")
		}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
		start := time.Now()
		rep, err := loadTest(client, urls, graphtest.AppSecret, graphtest.PageID,
			[]string{"à quelle date est versée l'aide au logement ?", "comment faire ma déclaration trimestrielle du RSA ?"}, false, n, 32)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		rep.write(&out)
		db := postgres.New(dsn)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, db.Stats, 10*time.Minute)
		handled := time.Since(start)
		db.Close()
		t.Logf("%d replica(s), Graph delay %v: %s all %d events decided and answered at Graph in %.1f s: %.0f events/s end to end",
			replicas, delay, out.String(), n, handled.Seconds(), float64(n)/handled.Seconds())
		if rep.failed > 0 {
			t.Errorf("%d events not acknowledged", rep.failed)
		}
	}
}
