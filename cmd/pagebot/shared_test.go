package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot/config"
	"pagebot/postgres/pgtest"
)

// With a PostgreSQL store the command line works on the database the
// replicas share: `kb import` replaces the FAQ there and a running replica
// serves it within a second; `kb export` and `ask` read it; accounts and
// tokens are created there.
func TestCommandsOnSharedStore(t *testing.T) {
	dsn := pgtest.Schema(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pagebot.yaml"), []byte("store:\n  dsn: \""+dsn+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A replica already running on the database, seeded with the pack.
	c, _, err := config.Load(filepath.Join(dir, "pagebot.yaml"), []string{})
	if err != nil {
		t.Fatal(err)
	}
	c.Data.Dir = filepath.Join(dir, "replica")
	log := logrus.New()
	log.SetOutput(io.Discard)
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, "127.0.0.1:0") }()
	<-s.addr
	t.Cleanup(func() { cancel(); <-done; s.Close() })
	if s.index.DocCount() < 100 {
		t.Fatalf("replica serves %d entries, want the caf pack", s.index.DocCount())
	}

	csv := filepath.Join(dir, "faq.csv")
	if err := os.WriteFile(csv, []byte("id;question;variants;answer;links;tags\n"+
		"horaires;Quels sont vos horaires ?;heures d'ouverture|ouvert quand;Nous sommes ouverts de 8 h 30 à 17 h.;https://www.caf.fr;contact|horaires\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := MustRun(t, dir, "", "kb", "import", csv)
	if err != nil || !strings.Contains(out, "base de données") {
		t.Fatalf("kb import = %v\n%s", err, out)
	}
	start := time.Now()
	for s.index.DocCount() != 1 {
		if time.Since(start) > time.Second {
			t.Fatalf("running replica still serves %d entries 1 s after the import", s.index.DocCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("import served by the running replica after %v", time.Since(start))
	out, _, err = MustRun(t, dir, "", "kb", "export", "--format", "csv")
	if err != nil || !strings.Contains(out, "horaires,Quels sont vos horaires ?") || strings.Contains(out, "apl-date-versement") {
		t.Errorf("kb export after import = %v\n%s", err, out)
	}
	out, _, err = MustRun(t, dir, "", "ask", "--json", "vous êtes ouverts à quelle heure")
	if err != nil || !strings.Contains(out, `"faq_id":"horaires"`) {
		t.Errorf("ask after import = %v %s, want the imported entry", err, out)
	}

	if out, _, err := MustRun(t, dir, "motdepasse-tres-long\n", "user", "add", "marie.dupont", "--role", "editor"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	if _, err := s.store.CheckPassword(context.Background(), "marie.dupont", "motdepasse-tres-long"); err != nil {
		t.Errorf("the account created by the command is not in the replica's store: %v", err)
	}
	token, _, err := MustRun(t, dir, "", "token", "create", "--role", "agent", "--name", "tableau")
	if err != nil {
		t.Fatal(err)
	}
	if name, role, err := s.store.APIToken(context.Background(), strings.TrimSpace(token)); err != nil || name != "tableau" || role != "agent" {
		t.Errorf("token from the command in the replica's store: %q %q %v", name, role, err)
	}
}
