package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"pagebot/config"
)

// MustChdirTemp runs the rest of the test from an empty temporary folder, so
// that no pagebot.yaml of the developer's is picked up, and returns it.
func MustChdirTemp(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	tb.Chdir(dir)
	return dir
}

// MustWriteFile writes a configuration file in dir and returns its path.
func MustWriteFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatalf("write %s: %v", path, err)
	}
	return path
}

// equateEmpty makes a nil and an empty weight map compare equal.
var equateEmpty = cmpopts.EquateEmpty()

func TestLoadDefaults(t *testing.T) {
	MustChdirTemp(t)
	got, used, err := config.Load("", []string{"HOME=/root", "PATH=/bin"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if used != "" {
		t.Errorf("Load used file %q, want none", used)
	}
	if diff := cmp.Diff(config.Default(), got, equateEmpty); diff != "" {
		t.Errorf("Load with no file and no PAGEBOT_ variable mismatch (-want +got):\n%s", diff)
	}
	if !got.DryRun() {
		t.Errorf("DryRun() = false with no page token, want true")
	}
	if err := config.Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v, want nil", err)
	}
}

// The environment Load reads is the one it is given, not the process's.
func TestLoadIgnoresProcessEnvironment(t *testing.T) {
	MustChdirTemp(t)
	t.Setenv("PAGEBOT_KB_ORGANISM", "cpam")
	t.Setenv("PAGEBOT_BOT_THRESHOLD", "0.9")
	got, _, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.KB.Organism != "caf" || got.Bot.Threshold != 0.4 {
		t.Errorf("Load(nil environ) = organism %q, threshold %v; want caf, 0.4 (process environment must not leak in)",
			got.KB.Organism, got.Bot.Threshold)
	}
}

const sampleFile = `log:
  level: debug
  format: json
data:
  dir: /var/lib/pagebot
kb:
  organism: retraite
  file: /etc/pagebot/faq.csv
bot:
  threshold: 0.55
  gap: 0.2
  candidates: 5
  courtesy: true
  model:
    bias: -1.5
    weights:
      relative: 2
      cosine: 0.5
reply:
  signature: "L'équipe de la Carsat"
http:
  listen: ":9090"
facebook:
  app_secret: s3cret
  verify_token: v3rify
  page_id: "12345"
  page_token: EAAB
  graph_url: http://127.0.0.1:9999
  api_version: v24.0
store:
  dsn: postgres://pagebot:pw@db/pagebot
`

func sampleConfig() config.Config {
	c := config.Default()
	c.Log = config.Log{Level: "debug", Format: "json"}
	c.Data.Dir = "/var/lib/pagebot"
	c.KB.Organism = "retraite"
	c.KB.File = "/etc/pagebot/faq.csv"
	c.Bot = config.Bot{Threshold: 0.55, Gap: 0.2, Candidates: 5, Courtesy: true,
		Model: config.Model{Bias: -1.5, Weights: map[string]float64{"relative": 2, "cosine": 0.5}}}
	c.Reply.Signature = "L'équipe de la Carsat"
	c.HTTP.Listen = ":9090"
	c.Facebook = config.Facebook{AppSecret: "s3cret", VerifyToken: "v3rify", PageID: "12345", PageToken: "EAAB",
		GraphURL: "http://127.0.0.1:9999", APIVersion: "v24.0"}
	c.Store.DSN = "postgres://pagebot:pw@db/pagebot"
	return c
}

func TestLoadFile(t *testing.T) {
	dir := MustChdirTemp(t)
	path := MustWriteFile(t, dir, "custom.yaml", sampleFile)
	got, used, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if used != path {
		t.Errorf("Load used %q, want %q", used, path)
	}
	if diff := cmp.Diff(sampleConfig(), got, equateEmpty); diff != "" {
		t.Errorf("Load(file) mismatch (-want +got):\n%s", diff)
	}
	if got.DryRun() {
		t.Errorf("DryRun() = true with a page token, want false")
	}
}

func TestLoadFindsFileInCurrentFolder(t *testing.T) {
	dir := MustChdirTemp(t)
	MustWriteFile(t, dir, "pagebot.yaml", "kb:\n  organism: cpam\n")
	got, used, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if filepath.Base(used) != "pagebot.yaml" {
		t.Errorf("Load used %q, want ./pagebot.yaml", used)
	}
	if got.KB.Organism != "cpam" {
		t.Errorf("KB.Organism = %q, want %q", got.KB.Organism, "cpam")
	}
}

func TestLoadMissingFile(t *testing.T) {
	dir := MustChdirTemp(t)
	path := filepath.Join(dir, "absent.yaml")
	if _, _, err := config.Load(path, nil); err == nil {
		t.Errorf("Load(%s) = nil error for a file that does not exist, want an error", path)
	}
}

func TestLoadEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		file    string // "" for no file
		environ []string
		check   func(config.Config) (got, want any)
	}{
		{
			name:    "OrganismOverridesDefault",
			environ: []string{"PAGEBOT_KB_ORGANISM=cpam"},
			check:   func(c config.Config) (any, any) { return c.KB.Organism, "cpam" },
		},
		{
			name:    "OrganismOverridesFile",
			file:    "kb:\n  organism: retraite\n",
			environ: []string{"PAGEBOT_KB_ORGANISM=cpam"},
			check:   func(c config.Config) (any, any) { return c.KB.Organism, "cpam" },
		},
		{
			name:    "FileKeptForOtherKeys",
			file:    "kb:\n  organism: retraite\nbot:\n  threshold: 0.7\n",
			environ: []string{"PAGEBOT_KB_ORGANISM=cpam"},
			check:   func(c config.Config) (any, any) { return c.Bot.Threshold, 0.7 },
		},
		{
			name:    "Float",
			environ: []string{"PAGEBOT_BOT_THRESHOLD=0.65"},
			check:   func(c config.Config) (any, any) { return c.Bot.Threshold, 0.65 },
		},
		{
			name:    "Int",
			environ: []string{"PAGEBOT_BOT_CANDIDATES=20"},
			check:   func(c config.Config) (any, any) { return c.Bot.Candidates, 20 },
		},
		{
			name:    "Bool",
			environ: []string{"PAGEBOT_BOT_COURTESY=true"},
			check:   func(c config.Config) (any, any) { return c.Bot.Courtesy, true },
		},
		{
			name:    "UnderscoreInKey",
			environ: []string{"PAGEBOT_FACEBOOK_GRAPH_URL=http://localhost:1234"},
			check:   func(c config.Config) (any, any) { return c.Facebook.GraphURL, "http://localhost:1234" },
		},
		{
			name:    "OtherVariablesIgnored",
			environ: []string{"HOME=/root", "PAGEBOTX=1", "XPAGEBOT_KB_ORGANISM=cpam"},
			check:   func(c config.Config) (any, any) { return c.KB.Organism, "caf" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := MustChdirTemp(t)
			path := ""
			if tc.file != "" {
				path = MustWriteFile(t, dir, "pagebot.yaml", tc.file)
			}
			c, _, err := config.Load(path, tc.environ)
			if err != nil {
				t.Fatalf("Load(%q, %q): %v", path, tc.environ, err)
			}
			if got, want := tc.check(c); got != want {
				t.Errorf("Load(%q, %q): got %v, want %v", path, tc.environ, got, want)
			}
		})
	}
}

func TestLoadRefused(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		environ []string
		want    []string // substrings of the error
	}{
		{
			name: "UnknownKeyInSection",
			file: "kb:\n  organsim: cpam\n",
			want: []string{"organsim"},
		},
		{
			name: "UnknownTopLevelKey",
			file: "kb:\n  organism: cpam\nlogging:\n  level: debug\n",
			want: []string{"logging"},
		},
		{
			name:    "UnknownEnvironmentVariable",
			environ: []string{"PAGEBOT_KB_ORGANISME=cpam"},
			want:    []string{"PAGEBOT_KB_ORGANISME"},
		},
		{
			name:    "SeveralUnknownVariables",
			environ: []string{"PAGEBOT_TOKEN=x", "PAGEBOT_KB_ORGANISM=cpam", "PAGEBOT_HTTP_PORT=80"},
			want:    []string{"PAGEBOT_HTTP_PORT", "PAGEBOT_TOKEN"},
		},
		{
			name: "ThresholdTooHigh",
			file: "bot:\n  threshold: 2\n",
			want: []string{"bot.threshold"},
		},
		{
			name:    "ThresholdZeroFromEnvironment",
			environ: []string{"PAGEBOT_BOT_THRESHOLD=0"},
			want:    []string{"bot.threshold"},
		},
		{
			name: "ThresholdNotANumber",
			file: "bot:\n  threshold: beaucoup\n",
			want: []string{"bot.threshold"},
		},
		{
			name:    "ThresholdNotANumberFromEnvironment",
			environ: []string{"PAGEBOT_BOT_THRESHOLD=abc"},
			want:    []string{"bot.threshold"},
		},
		{
			name: "GapTooHigh",
			file: "bot:\n  gap: 1\n",
			want: []string{"bot.gap"},
		},
		{
			name:    "WorkerConcurrencyZero",
			environ: []string{"PAGEBOT_WORKER_CONCURRENCY=0"},
			want:    []string{"worker.concurrency"},
		},
		{
			name: "CandidatesZero",
			file: "bot:\n  candidates: 0\n",
			want: []string{"bot.candidates"},
		},
		{
			name: "ListenNotHostPort",
			file: "http:\n  listen: nope\n",
			want: []string{"http.listen"},
		},
		{
			name: "LogLevelUnknown",
			file: "log:\n  level: loud\n",
			want: []string{"log.level"},
		},
		{
			name: "LogFormatUnknown",
			file: "log:\n  format: xml\n",
			want: []string{"log.format"},
		},
		{
			name: "PageTokenWithoutAppSecret",
			file: "facebook:\n  page_token: EAAB\n  page_id: \"1\"\n",
			want: []string{"facebook.app_secret"},
		},
		{
			name: "PageTokenWithoutPageID",
			file: "facebook:\n  page_token: EAAB\n  app_secret: s\n",
			want: []string{"facebook.page_id"},
		},
		{
			name: "GraphURLNotHTTP",
			file: "facebook:\n  graph_url: graph.facebook.com\n",
			want: []string{"facebook.graph_url"},
		},
		{
			name: "APIVersion",
			file: "facebook:\n  api_version: \"25.0\"\n",
			want: []string{"facebook.api_version"},
		},
		{
			name: "EmptyOrganism",
			file: "kb:\n  organism: \"\"\n",
			want: []string{"kb.organism"},
		},
		{
			name: "EmptyDataDir",
			file: "data:\n  dir: \"\"\n",
			want: []string{"data.dir"},
		},
		{
			name: "AllProblemsAtOnce",
			file: "bot:\n  threshold: 2\nhttp:\n  listen: nope\nlog:\n  level: loud\nfacebook:\n  page_token: EAAB\n",
			want: []string{"bot.threshold", "http.listen", "log.level", "facebook.app_secret", "facebook.page_id"},
		},
		{
			name: "SectionNotAMap",
			file: "bot: 3\n",
			want: []string{"bot"},
		},
		{
			name: "YAMLSyntax",
			file: "kb:\n  organism: [cpam\n",
			want: []string{"yaml"}, // viper does not name the file here
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := MustChdirTemp(t)
			path := ""
			if tc.file != "" {
				path = MustWriteFile(t, dir, "pagebot.yaml", tc.file)
			}
			c, _, err := config.Load(path, tc.environ)
			if err == nil {
				t.Fatalf("Load(%q, %q) = %+v, nil; want an error naming %q", tc.file, tc.environ, c, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%q, %q) error = %q, want it to name %q", tc.file, tc.environ, err, w)
				}
			}
			if diff := cmp.Diff(config.Config{}, c, equateEmpty); diff != "" {
				t.Errorf("Load returned a partial Config with its error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	c := sampleConfig()
	got := c.Redacted()
	want := sampleConfig()
	want.Facebook.AppSecret = "<redacted>"
	want.Facebook.VerifyToken = "<redacted>"
	want.Facebook.PageToken = "<redacted>"
	want.Store.DSN = "postgres://pagebot:redacted@db/pagebot"
	if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
		t.Errorf("Redacted() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sampleConfig(), c, equateEmpty); diff != "" {
		t.Errorf("Redacted() modified its receiver (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"s3cret", "v3rify", "EAAB", ":pw@"} {
		if s := strings.ToLower(strings.Join([]string{got.Facebook.AppSecret, got.Facebook.VerifyToken,
			got.Facebook.PageToken, got.Store.DSN}, " ")); strings.Contains(s, strings.ToLower(secret)) {
			t.Errorf("Redacted() still shows %q", secret)
		}
	}
}

func TestRedactedEmptyAndPasswordless(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{"Empty", "", ""},
		{"SQLiteFile", "file:data/pagebot.db?_pragma=busy_timeout(5000)", "file:data/pagebot.db?_pragma=busy_timeout(5000)"},
		{"UserWithoutPassword", "postgres://pagebot@db/pagebot", "postgres://pagebot@db/pagebot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			c.Store.DSN = tc.dsn
			r := c.Redacted()
			if r.Store.DSN != tc.want {
				t.Errorf("Redacted().Store.DSN = %q, want %q", r.Store.DSN, tc.want)
			}
			if r.Facebook.AppSecret != "" || r.Facebook.PageToken != "" || r.Facebook.VerifyToken != "" {
				t.Errorf("Redacted() of empty secrets = %+v, want them left empty", r.Facebook)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	keys := config.Keys()
	for _, want := range []string{
		"log.level", "log.format", "data.dir", "kb.organism", "kb.file", "kb.synonyms", "kb.organisms",
		"bot.threshold", "bot.gap", "bot.candidates", "bot.courtesy", "bot.model.bias", "bot.model.weights",
		"reply.signature", "http.listen",
		"facebook.app_secret", "facebook.verify_token", "facebook.page_id", "facebook.page_token",
		"facebook.graph_url", "facebook.api_version", "store.dsn",
	} {
		if !slices.Contains(keys, want) {
			t.Errorf("Keys() = %q, want it to contain %q", keys, want)
		}
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("Keys() lists %q twice", k)
		}
		seen[k] = true
		if k != strings.ToLower(k) || strings.Contains(k, " ") || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") {
			t.Errorf("Keys() contains malformed key %q", k)
		}
	}
}

// TestExampleConfig keeps docs/pagebot.example.yaml valid.
func TestExampleConfig(t *testing.T) {
	c, used, err := config.Load("../docs/pagebot.example.yaml", nil)
	if err != nil {
		t.Fatalf("example configuration: %v", err)
	}
	if used == "" || c.Schedule.OfficeMode != "draft" || c.Schedule.Hours.Wednesday != "08:30-12:00,13:30-17:00" || len(c.Schedule.Closures) != 2 {
		t.Errorf("example configuration read as %+v", c.Schedule)
	}
}
