package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	logtest "github.com/sirupsen/logrus/hooks/test"

	"pagebot/config"
)

// MustRun runs a pagebot command line in dir with an empty environment and
// returns its standard output, standard error and error.
func MustRun(tb testing.TB, dir, stdin string, args ...string) (string, string, error) {
	tb.Helper()
	tb.Chdir(dir)
	var out, errb bytes.Buffer
	// An explicit, empty environment: the developer's PAGEBOT_* variables
	// must not change test results.
	environOverride = []string{}
	defer func() { environOverride = nil }()
	root := newRootCmd(strings.NewReader(stdin), &out, &errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestAskJSONStreams(t *testing.T) {
	in := strings.Join([]string{
		`{"text": "c quand que l'apl est versée ?", "channel": "comment"}`,
		`merci !`,
		`{"text": "mon numéro de sécu c'est 1 85 05 78 006 084 91, pourquoi mon rsa est suspendu ?", "channel": "message"}`,
		``,
		`{"text": "mon tel 06 12 34 56 78 rappelez moi pour mon dossier", "channel": "comment"}`,
	}, "\n")
	out, _, err := MustRun(t, t.TempDir(), in, "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("ask --json wrote %d lines for 5 inputs:\n%s", len(lines), out)
	}
	type line struct {
		Action     string   `json:"action"`
		FAQID      string   `json:"faq_id"`
		RedirectTo *string  `json:"redirect_to"`
		Confidence *float64 `json:"confidence"`
		Reply      *string  `json:"reply"`
		Hide       bool     `json:"hide"`
		PII        []string `json:"pii"`
		Masked     string   `json:"masked"`
	}
	var got []line
	for i, l := range lines {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if v.RedirectTo == nil || v.Confidence == nil || v.Reply == nil || v.PII == nil {
			t.Errorf("line %d %q misses a required field", i+1, l)
		}
		got = append(got, v)
	}
	if got[0].Action != "answer" || got[0].FAQID != "apl-date-versement" {
		t.Errorf("line 1 = %s %s, want answer apl-date-versement", got[0].Action, got[0].FAQID)
	}
	if got[1].Action != "ignore" {
		t.Errorf("line 2 = %s, want ignore", got[1].Action)
	}
	if got[2].Action != "escalate" || got[2].Hide || strings.Contains(got[2].Masked, "006 084") || len(got[2].PII) == 0 || got[2].PII[0] != "nir" {
		t.Errorf("line 3 = %+v, want escalate, not hidden (private message), NIR masked", got[2])
	}
	if got[3].Action != "ignore" {
		t.Errorf("line 4 (empty) = %s, want ignore", got[3].Action)
	}
	if !got[4].Hide || strings.Contains(got[4].Masked, "56 78") {
		t.Errorf("line 5 = %+v, want a hidden comment with the phone masked", got[4])
	}
}

func TestAskArgsAndBadJSON(t *testing.T) {
	out, _, err := MustRun(t, t.TempDir(), "", "ask", "--organism", "cpam", "j'ai perdu ma carte vitale, comment en avoir une autre ?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "carte-vitale") {
		t.Errorf("ask --organism cpam: %q, want a carte Vitale entry", out)
	}
	_, _, err = MustRun(t, t.TempDir(), "{\"text\": \n", "ask", "--json")
	if err == nil || !strings.Contains(err.Error(), "ligne 1") {
		t.Errorf("bad JSON: err = %v, want an error naming line 1", err)
	}
}

func TestEvalExitCode(t *testing.T) {
	dir := t.TempDir()
	cases := filepath.Join(dir, "cases.jsonl")
	lines := `{"text": "quand est versée l'aide au logement", "expect": {"action": "answer", "faq_id": "apl-date-versement"}}
{"text": "merci", "expect": {"action": "ignore"}}
{"text": "comment commander une carte vitale", "expect": {"action": "answer", "faq_id": "rsa-montant"}}
`
	if err := os.WriteFile(cases, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := MustRun(t, dir, "", "eval", "--cases", cases)
	if err != nil {
		t.Fatalf("eval without limits: %v\n%s", err, out)
	}
	if !strings.Contains(out, "cas : 3") || !strings.Contains(out, "pires erreurs") {
		t.Errorf("eval output lacks the summary or the mistakes:\n%s", out)
	}
	out, _, err = MustRun(t, dir, "", "eval", "--cases", cases, "--min-accuracy", "0.9", "--min-answer-rate", "0.9")
	if code, ok := err.(exitError); !ok || code != 1 {
		t.Errorf("eval under its limits: err = %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(out, "SOUS LE SEUIL") {
		t.Errorf("eval under its limits does not say which:\n%s", out)
	}
}

func TestKBCheckImportExport(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`organism: caf
entries:
  - id: a
    question: "Question ?"
    answer: "Réponse."
  - id: a
    question: ""
    answer: "Réponse."
    colour: red
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := MustRun(t, dir, "", "kb", "check", bad)
	if code, ok := err.(exitError); !ok || code != 1 {
		t.Fatalf("kb check bad file: err = %v, want exit 1", err)
	}
	for _, want := range []string{"ligne 6", "double", "question vide", "ligne 9", "colour"} {
		if !strings.Contains(out, want) {
			t.Errorf("kb check output lacks %q:\n%s", want, out)
		}
	}

	csv := filepath.Join(dir, "faq.csv")
	if err := os.WriteFile(csv, []byte("id;question;variants;answer;links;tags\n"+
		"horaires;Quels sont vos horaires ?;heures d'ouverture|ouvert quand;Nous sommes ouverts de 8 h 30 à 17 h.;https://www.caf.fr;contact|horaires\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = MustRun(t, dir, "", "kb", "import", csv)
	if err != nil {
		t.Fatalf("kb import: %v\n%s", err, out)
	}
	out, _, err = MustRun(t, dir, "", "kb", "export", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "horaires,Quels sont vos horaires ?,heures d'ouverture|ouvert quand") {
		t.Errorf("export after import:\n%s", out)
	}
	out, _, err = MustRun(t, dir, "", "ask", "--json", "vous êtes ouverts à quelle heure")
	if err != nil || !strings.Contains(out, `"faq_id":"horaires"`) {
		t.Errorf("ask after import = %v %s, want the imported entry", err, out)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pagebot.yaml"), []byte("kb:\n  organisme: caf\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := MustRun(t, dir, "", "ask", "bonjour")
	if err == nil || !strings.Contains(err.Error(), "organisme") {
		t.Errorf("unknown key: err = %v, want it named", err)
	}
}

func TestServeHealthz(t *testing.T) {
	dir := t.TempDir()
	c := config.Default()
	c.Data.Dir = filepath.Join(dir, "data")
	log, _ := logtest.NewNullLogger()
	s, err := openServer(c, log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, "127.0.0.1:0") }()
	addr := <-s.addr
	// `pagebot health`, the container's health check, reads /readyz.
	out, _, err := MustRun(t, dir, "", "health", "--url", "http://"+addr+"/readyz")
	if err != nil || !strings.HasPrefix(out, "200 ok: ") {
		t.Errorf("pagebot health = %v %q, want exit 0 and 200", err, out)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", path, res.StatusCode, body)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not shut down")
	}
	if _, _, err := MustRun(t, dir, "", "health", "--url", "http://"+addr+"/readyz"); err == nil {
		t.Error("pagebot health exits 0 with pagebot stopped")
	}
	// The index was written under data.dir and is reused on restart.
	if _, err := os.Stat(filepath.Join(c.Data.Dir, "index", "CURRENT")); err != nil {
		t.Errorf("index not persisted: %v", err)
	}
}

func TestScheduleAndPurgeCommands(t *testing.T) {
	dir := t.TempDir()
	out, _, err := MustRun(t, dir, "", "schedule", "--json", "--at", "2026-12-24T18:30:00+01:00")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"open":false,"mode":"auto","next_open":"2026-12-28T08:30:00+01:00"}`; strings.TrimSpace(out) != want {
		t.Errorf("schedule = %s, want %s", out, want)
	}
	out, _, err = MustRun(t, dir, "", "schedule", "--at", "2026-04-03T10:00:00+02:00")
	if err != nil || !strings.Contains(out, ": ouvert, mode auto") {
		t.Errorf("Good Friday outside Alsace-Moselle = %q %v, want open", out, err)
	}
	if _, _, err := MustRun(t, dir, "", "purge"); err == nil {
		t.Error("purge without a target succeeded")
	}
	out, _, err = MustRun(t, dir, "", "purge", "--sender", "123")
	if err != nil || !strings.Contains(out, "0 événement") {
		t.Errorf("purge --sender = %q %v", out, err)
	}
}

func TestWhenPhrase(t *testing.T) {
	s, err := buildSchedule(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 18, 0, 0, 0, paris), "à partir du lundi 30 novembre à 8 h 30"},
		{time.Date(2026, 12, 24, 20, 0, 0, 0, paris), "à partir du lundi 28 décembre à 8 h 30"},
		{time.Date(2026, 11, 26, 10, 0, 0, 0, paris), ""},
	}
	for _, tc := range tests {
		if got := whenPhrase(s, tc.at); got != tc.want {
			t.Errorf("whenPhrase(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
	bad := config.Default()
	bad.Schedule.Hours.Monday = "25:00-26:00"
	if _, err := buildSchedule(bad); err == nil || !strings.Contains(err.Error(), "schedule.hours.monday") {
		t.Errorf("bad hours: err = %v, want one naming schedule.hours.monday", err)
	}
}

func TestLocalAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080": "127.0.0.1:8080", "[::]:8080": "127.0.0.1:8080", ":8080": "127.0.0.1:8080",
		"127.0.0.1:8080": "127.0.0.1:8080", "10.0.0.5:9000": "10.0.0.5:9000", "pagebot:8080": "pagebot:8080",
	} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
