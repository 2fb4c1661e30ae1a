package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot"
	"pagebot/config"
	"pagebot/console"
	"pagebot/kb"
	"pagebot/sqlite"
)

// MustRunToken runs `pagebot token ARGS…` in dir with an empty environment.
// It builds the command itself, so that it does not depend on the root
// command registering it.
func MustRunToken(tb testing.TB, dir string, args ...string) (string, string, error) {
	tb.Helper()
	tb.Chdir(dir)
	var out, errb bytes.Buffer
	g := &globals{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, environ: []string{}}
	cmd := newTokenCmd(g)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// mustOpenDirStore opens the store the commands use in dir (the current
// directory, set by MustRunToken).
func mustOpenDirStore(tb testing.TB) *backend {
	tb.Helper()
	c, _, err := config.Load("", []string{})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := openStore(c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestTokenCreateListRevoke(t *testing.T) {
	dir := t.TempDir()
	out, stderr, err := MustRunToken(t, dir, "create", "--role", "editor", "--name", "synchro-cms")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, stderr)
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "pbt_") || strings.Contains(token, "\n") {
		t.Fatalf("token create printed %q, want one pbt_ token alone", out)
	}
	if !strings.Contains(stderr, "synchro-cms") || !strings.Contains(stderr, "plus affiché") {
		t.Errorf("token create: stderr %q, want the name and that it is shown once", stderr)
	}
	out, _, err = MustRunToken(t, dir, "create", "--role", "agent")
	if err != nil {
		t.Fatalf("token create without --name: %v", err)
	}
	unnamed := strings.TrimSpace(out)

	db := mustOpenDirStore(t)
	ctx := context.Background()
	if name, role, err := db.APIToken(ctx, token); err != nil || name != "synchro-cms" || role != "editor" {
		t.Errorf("APIToken(created) = %q, %q, %v; want synchro-cms, editor", name, role, err)
	}
	name, role, err := db.APIToken(ctx, unnamed)
	if err != nil || !strings.HasPrefix(name, "jeton-") || role != "agent" {
		t.Errorf("APIToken(unnamed) = %q, %q, %v; want jeton-…, agent", name, role, err)
	}

	out, _, err = MustRunToken(t, dir, "list")
	if err != nil {
		t.Errorf("token list: %v", err)
	} else {
		for _, want := range []string{"synchro-cms\teditor\tactif", name + "\tagent\tactif"} {
			if !strings.Contains(out, want) {
				t.Errorf("token list:\n%s\nwant a line with %q", out, want)
			}
		}
		if strings.Contains(out, token) || strings.Contains(out, "pbt_") {
			t.Errorf("token list shows a token:\n%s", out)
		}
	}

	if _, _, err := MustRunToken(t, dir, "revoke", "synchro-cms"); err != nil {
		t.Fatalf("token revoke: %v", err)
	}
	if _, _, err := db.APIToken(ctx, token); pagebot.ErrorCode(err) != pagebot.EUNAUTHORIZED {
		t.Errorf("APIToken(revoked) error = %v, want EUNAUTHORIZED", err)
	}
	if _, _, err := db.APIToken(ctx, unnamed); err != nil {
		t.Errorf("revoking one token revoked another: %v", err)
	}
	if out, _, err := MustRunToken(t, dir, "list"); err == nil && !strings.Contains(out, "synchro-cms\teditor\trévoqué le ") {
		t.Errorf("token list after revoke:\n%s\nwant synchro-cms revoked", out)
	}

	audit, err := db.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range audit {
		got = append(got, e.Actor+" "+e.Action+" "+e.Subject)
	}
	for _, want := range []string{"cli token.create token:synchro-cms", "cli token.create token:" + name, "cli token.revoke token:synchro-cms"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("audit %q lacks %q", got, want)
		}
	}
}

func TestTokenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := MustRunToken(t, dir, "create", "--role", "editor", "--name", "robot"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no role", []string{"create"}, "--role requis"},
		{"unknown role", []string{"create", "--role", "chef"}, "Rôle \"chef\" inconnu"},
		{"bad name", []string{"create", "--role", "agent", "--name", "Mon Robot"}, "invalide"},
		{"name taken", []string{"create", "--role", "agent", "--name", "robot"}, "existe déjà"},
		{"revoke unknown", []string{"revoke", "fantome"}, "introuvable"},
		{"revoke without name", []string{"revoke"}, "arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := MustRunToken(t, dir, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("token %v: error %v, want one containing %q", tc.args, err, tc.want)
			}
			if strings.Contains(out, "pbt_") {
				t.Errorf("token %v printed a token although it failed: %q", tc.args, out)
			}
		})
	}
	if _, _, err := MustRunToken(t, dir, "revoke", "robot"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := MustRunToken(t, dir, "revoke", "robot"); err == nil || !strings.Contains(err.Error(), "déjà révoqué") {
		t.Errorf("second revoke: error %v, want already revoked", err)
	}
}

// TestAPIAskMatchesAskJSON checks that POST /api/ask answers, for the same
// engine and message, exactly the line `pagebot ask --json` writes.
func TestAPIAskMatchesAskJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	c, _, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := loadKnowledge(c, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, idx, err := newEngine(c, k, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	db := sqlite.New(":memory:")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	token, err := db.CreateAPIToken(context.Background(), "test", "agent", "test")
	if err != nil {
		t.Fatal(err)
	}
	log, _ := logtest.NewNullLogger()
	api, err := console.NewAPI(console.Config{}, console.Deps{Store: db, Sessions: db.Sessions(), Index: idx,
		Saver: discardSaver{}, Decider: eng, Log: log}, db)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		`{"text": "c quand que l'apl est versée ?", "channel": "comment"}`,
		`{"text": "merci !", "channel": "comment"}`,
		`{"text": "mon numéro de sécu c'est 1 85 05 78 006 084 91, pourquoi mon rsa est suspendu ?", "channel": "message"}`,
		`{"text": "mon tel 06 12 34 56 78 rappelez moi pour mon dossier", "channel": "comment"}`,
		`{"text": "j'ai perdu ma carte vitale <b>", "channel": "comment"}`,
	}
	for _, line := range inputs {
		in, err := parseJSONInput(line, pagebot.ChannelComment)
		if err != nil {
			t.Fatal(err)
		}
		d, err := eng.Decide(in)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := writeJSONDecision(&want, d, false); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/ask", strings.NewReader(line))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("POST /api/ask %s: status %d\n%s", line, rec.Code, rec.Body)
		}
		if diff := cmp.Diff(want.String(), rec.Body.String()); diff != "" {
			t.Errorf("POST /api/ask %s (-ask --json +api):\n%s", line, diff)
		}
	}
	// Field names, independently of any one decision's values.
	keys := func(v any) []string {
		b, _ := json.Marshal(v)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return slices.Sorted(maps.Keys(m))
	}
	if diff := cmp.Diff(keys(jsonDecision{}), keys(console.AskResponse{})); diff != "" {
		t.Errorf("fields of ask --json and /api/ask differ (-ask +api):\n%s", diff)
	}
}

// discardSaver saves nothing: the test above edits no entry.
type discardSaver struct{}

func (discardSaver) SaveFAQ(*kb.FAQ) error { return nil }
