package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot"

	"pagebot/sqlite"
	"pagebot/storetest"
)

var _ storetest.Store = (*sqlite.DB)(nil)

// MustOpenDB returns an opened store on a new file in a temporary folder,
// closed at the end of the test.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return mustOpen(tb, filepath.Join(tb.TempDir(), "data", "pagebot.db"))
}

func mustOpen(tb testing.TB, dsn string) *sqlite.DB {
	tb.Helper()
	db := sqlite.New(dsn)
	if err := db.Open(); err != nil {
		tb.Fatalf("Open(%q): %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpenDB(t) })
}

// TestContractMemory runs the suite on ":memory:", the DSN of quick tests
// elsewhere: it must behave like a file despite its single connection.
func TestContractMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return mustOpen(t, ":memory:") })
}

func TestOpen_DSNRequired(t *testing.T) {
	if err := sqlite.New("").Open(); err == nil {
		t.Error(`New("").Open() = nil, want an error`)
	}
}

// TestReopen checks that what one Open stored, the next Open of the same
// file sees, and that running the migrations again changes nothing.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "pagebot.db")
	db := sqlite.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	saved, err := db.SaveEvents(ctx, []pagebot.Event{event("message:1")})
	if err != nil {
		t.Fatalf("SaveEvents: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 {
		db := mustOpen(t, "file:"+dsn+"?_busy_timeout=5000")
		got, err := db.Event(ctx, saved[0].ID)
		if err != nil {
			t.Fatalf("reopen %d: Event: %v", i, err)
		}
		if diff := cmp.Diff(saved[0], *got); diff != "" {
			t.Errorf("reopen %d: Event (-saved +read):\n%s", i, diff)
		}
		if again, err := db.SaveEvents(ctx, []pagebot.Event{event("message:1")}); err != nil || len(again) != 0 {
			t.Errorf("reopen %d: SaveEvents(same key) = %v, %v; want nothing inserted", i, again, err)
		}
	}
}

// TestOpenConcurrent opens the same new file from several stores at once,
// as replicas starting together would: the migrations must run once, and
// every Open succeed.
func TestOpenConcurrent(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "pagebot.db")
	const n = 6
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			db := sqlite.New(dsn)
			if err := db.Open(); err != nil {
				errs <- err
				return
			}
			errs <- db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var applied, lockRows int
	if err := conn.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if err := conn.QueryRow(`SELECT count(*) FROM pagebot_migration_lock`).Scan(&lockRows); err != nil {
		t.Fatalf("count locks: %v", err)
	}
	if want := migrationFiles(t); applied != want || lockRows != 0 {
		t.Errorf("after %d concurrent Opens: %d migrations recorded, %d lock rows; want %d and 0", n, applied, lockRows, want)
	}
}

func migrationFiles(tb testing.TB) int {
	tb.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("migrations: %v %v", files, err)
	}
	return len(files)
}

func event(key string) pagebot.Event {
	return pagebot.Event{Key: key, PageID: "page1", Kind: pagebot.EventMessage,
		Channel: pagebot.ChannelMessage, SenderID: "psid1", Text: "Bonjour, où en est mon dossier [NUM] ?"}
}

// crashEnv names, in the child process of TestSaveEventsSurvivesKill, the
// database to write to.
const crashEnv = "PAGEBOT_SQLITE_CRASH_DB"

// TestSaveEventsSurvivesKill saves events from a child process, kills it
// with SIGKILL in the middle of its writes, and checks that every event it
// acknowledged is in the file: what the webhook answered 200 for is not lost.
func TestSaveEventsSurvivesKill(t *testing.T) {
	if dsn := os.Getenv(crashEnv); dsn != "" {
		crashChild(dsn)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dsn := filepath.Join(t.TempDir(), "pagebot.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSaveEventsSurvivesKill$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	for len(acked) < 30 && lines.Scan() {
		if key, ok := strings.CutPrefix(lines.Text(), "saved "); ok {
			acked = append(acked, key)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	_ = cmd.Wait() // killed: the error is expected
	if len(acked) < 30 {
		t.Fatalf("child acknowledged %d events before dying, want 30", len(acked))
	}

	db := mustOpen(t, dsn)
	ctx := context.Background()
	var got []string
	for {
		claimed, err := db.ClaimEvents(ctx, "check", 100, time.Hour)
		if err != nil {
			t.Fatalf("ClaimEvents: %v", err)
		}
		if len(claimed) == 0 {
			break
		}
		for _, e := range claimed {
			got = append(got, e.Key)
		}
	}
	for _, key := range acked {
		if !slices.Contains(got, key) {
			t.Errorf("event %s acknowledged before the kill is missing (%d stored, %d acknowledged)", key, len(got), len(acked))
		}
	}
}

// crashChild saves one event per transaction forever, printing each key
// once SaveEvents returned, until it is killed.
func crashChild(dsn string) {
	db := sqlite.New(dsn)
	if err := db.Open(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		key := fmt.Sprintf("message:%d", i)
		if _, err := db.SaveEvents(context.Background(), []pagebot.Event{event(key)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("saved %s\n", key)
	}
}
