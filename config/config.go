// Package config loads pagebot's settings: defaults under which `pagebot
// serve` runs with no file at all, an optional YAML file, and environment
// variables PAGEBOT_<KEY> (upper case, "." replaced by "_"). Unknown keys and
// bad values are refused at start with a message that names the key, because
// a typo in a setting of a public-facing bot must not pass silently.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// Config is every setting of pagebot. Field tags are the configuration keys.
type Config struct {
	Log        Log        `mapstructure:"log"`
	Data       Data       `mapstructure:"data"`
	KB         KB         `mapstructure:"kb"`
	Bot        Bot        `mapstructure:"bot"`
	Reply      Reply      `mapstructure:"reply"`
	HTTP       HTTP       `mapstructure:"http"`
	Facebook   Facebook   `mapstructure:"facebook"`
	Store      Store      `mapstructure:"store"`
	Worker     Worker     `mapstructure:"worker"`
	Schedule   Schedule   `mapstructure:"schedule"`
	SLA        SLA        `mapstructure:"sla"`
	Retention  Retention  `mapstructure:"retention"`
	Alert      Alert      `mapstructure:"alert"`
	Moderation Moderation `mapstructure:"moderation"`
}

// Moderation hides abusive comments and scams (never criticism).
type Moderation struct {
	// Enabled turns moderation of public comments on.
	Enabled bool `mapstructure:"enabled"`
	// Rules is an edited copy of the shipped rules (moderation/rules.yaml).
	Rules string `mapstructure:"rules"`
	// ScamWarning, when set, is replied once under a post whose scam
	// comment was hidden ("" for none).
	ScamWarning string `mapstructure:"scam_warning"`
}

// Alert sends the team a digest of escalations near or past their due time,
// through a chat's incoming webhook and/or by e-mail (none when unset).
type Alert struct {
	WebhookURL    string   `mapstructure:"webhook_url"`
	WebhookFormat string   `mapstructure:"webhook_format"` // slack, mattermost or teams
	SMTPAddr      string   `mapstructure:"smtp_addr"`      // host:port
	SMTPUsername  string   `mapstructure:"smtp_username"`
	SMTPPassword  string   `mapstructure:"smtp_password"`
	From          string   `mapstructure:"from"`
	To            []string `mapstructure:"to"`
	// Interval between digests; Near is how close to its due time a case
	// is reported.
	Interval time.Duration `mapstructure:"interval"`
	Near     time.Duration `mapstructure:"near"`
}

// Retention bounds how long masked texts and cases are kept.
type Retention struct {
	// Days after which handled events, their decisions, actions and closed
	// cases are deleted by the daily purge.
	Days int `mapstructure:"days"`
}

// Schedule is the caisse's office hours and what the bot does in and out of
// them (see package schedule).
type Schedule struct {
	TimeZone string `mapstructure:"time_zone"`
	Hours    Hours  `mapstructure:"hours"`
	// Region is "" (metropolitan France) or "alsace-moselle" (Good Friday
	// and 26 December are holidays in Bas-Rhin, Haut-Rhin and Moselle).
	Region string `mapstructure:"region"`
	// Closures are extra closed days: "2026-05-15 Pont de l'Ascension" or
	// "2026-12-24..2026-12-31 Fermeture de fin d'année".
	Closures []string `mapstructure:"closures"`
	// OfficeMode and AfterHoursMode are auto (post replies), draft (keep
	// them for an agent's approval) or off (escalate everything).
	OfficeMode     string `mapstructure:"office_mode"`
	AfterHoursMode string `mapstructure:"after_hours_mode"`
	// KillSwitch turns every reply off at once.
	KillSwitch bool `mapstructure:"kill_switch"`
}

// Hours are the opening ranges of each weekday ("08:30-12:00,13:30-17:00",
// "" for closed).
type Hours struct {
	Monday    string `mapstructure:"monday"`
	Tuesday   string `mapstructure:"tuesday"`
	Wednesday string `mapstructure:"wednesday"`
	Thursday  string `mapstructure:"thursday"`
	Friday    string `mapstructure:"friday"`
	Saturday  string `mapstructure:"saturday"`
	Sunday    string `mapstructure:"sunday"`
}

// SLA is the response-time commitment of escalations.
type SLA struct {
	// Hours of working time (office hours) within which an agent answers.
	Hours float64 `mapstructure:"hours"`
}

// Worker tunes event processing.
type Worker struct {
	// Lease is how long a worker keeps an event or a Graph action it has
	// claimed: after a crash, another worker (or the restarted process)
	// takes the work over once the lease has run out.
	Lease time.Duration `mapstructure:"lease"`
	// Batch is how many events or actions a worker claims at once.
	Batch int `mapstructure:"batch"`
	// Concurrency is how many workers a process runs. Each decides and
	// calls Graph in turn, so a Graph call taking 200 ms holds one worker
	// for that long: several workers keep answering during a burst.
	Concurrency int `mapstructure:"concurrency"`
}

// Log sets logging: level (debug, info, warn, error) and format (auto: text
// on a terminal, JSON otherwise; text; json).
type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// Data is where pagebot keeps its files (index, database).
type Data struct {
	Dir string `mapstructure:"dir"`
}

// KB selects the knowledge base.
type KB struct {
	// Organism is the caisse's organism: it selects the embedded sample FAQ
	// when File is empty, and the organism whose questions are not redirected.
	Organism string `mapstructure:"organism"`
	// File is the caisse's own FAQ (YAML or CSV) instead of the sample pack.
	File string `mapstructure:"file"`
	// Synonyms and Organisms replace the shipped synonym list and organism
	// directory when set.
	Synonyms  string `mapstructure:"synonyms"`
	Organisms string `mapstructure:"organisms"`
}

// Bot tunes the decision engine.
type Bot struct {
	// Threshold is the confidence from which a FAQ answer is posted.
	Threshold float64 `mapstructure:"threshold"`
	// Gap is the lead the best entry needs over a runner-up.
	Gap float64 `mapstructure:"gap"`
	// Candidates is how many entries are retrieved per message.
	Candidates int `mapstructure:"candidates"`
	// Courtesy answers thanks and greetings with reply.courtesy.
	Courtesy bool `mapstructure:"courtesy"`
	// Model overrides the shipped calibration (see `pagebot eval --fit`).
	Model Model `mapstructure:"model"`
}

// Model is a confidence calibration: empty weights mean the shipped one.
type Model struct {
	Bias    float64            `mapstructure:"bias"`
	Weights map[string]float64 `mapstructure:"weights"`
}

// Reply overrides the reply templates; an empty value keeps the built-in
// wording. Signature defaults to the organism's usual name.
type Reply struct {
	Signature       string `mapstructure:"signature"`
	CommentAnswer   string `mapstructure:"comment_answer"`
	MessageAnswer   string `mapstructure:"message_answer"`
	Redirect        string `mapstructure:"redirect"`
	CommentEscalate string `mapstructure:"comment_escalate"`
	MessageEscalate string `mapstructure:"message_escalate"`
	Courtesy        string `mapstructure:"courtesy"`
	Hidden          string `mapstructure:"hidden"`
}

// HTTP is the web server.
type HTTP struct {
	Listen string `mapstructure:"listen"`
	// SecureCookie marks console cookies Secure: set it when the console is
	// reached over https (directly or through a reverse proxy).
	SecureCookie bool `mapstructure:"secure_cookie"`
	// ClientIPHeader names the header in which a trusted reverse proxy puts
	// the client's address (e.g. X-Real-IP), for login rate limiting.
	ClientIPHeader string `mapstructure:"client_ip_header"`
}

// Facebook is the connection to the Page. With no page token pagebot runs in
// dry-run: Graph calls are recorded, not sent.
type Facebook struct {
	AppSecret   string `mapstructure:"app_secret"`
	VerifyToken string `mapstructure:"verify_token"`
	PageID      string `mapstructure:"page_id"`
	PageToken   string `mapstructure:"page_token"`
	GraphURL    string `mapstructure:"graph_url"`
	APIVersion  string `mapstructure:"api_version"`
}

// Store is the database: a SQLite file in data.dir by default.
type Store struct {
	DSN string `mapstructure:"dsn"`
}

// Default returns the settings used when nothing is configured: the CAF
// sample FAQ, data in ./data, dry-run towards Facebook.
func Default() Config {
	return Config{
		Log:      Log{Level: "info", Format: "auto"},
		Data:     Data{Dir: "data"},
		KB:       KB{Organism: "caf"},
		Bot:      Bot{Threshold: 0.4, Gap: 0.1, Candidates: 10},
		HTTP:     HTTP{Listen: "127.0.0.1:8080"},
		Facebook: Facebook{GraphURL: "https://graph.facebook.com", APIVersion: "v25.0"},
		Worker:   Worker{Lease: 30 * time.Second, Batch: 20, Concurrency: 4},
		Schedule: Schedule{TimeZone: "Europe/Paris", Hours: Hours{Monday: "08:30-17:00", Tuesday: "08:30-17:00",
			Wednesday: "08:30-17:00", Thursday: "08:30-17:00", Friday: "08:30-17:00"},
			OfficeMode: "auto", AfterHoursMode: "auto", Closures: []string{}},
		SLA:        SLA{Hours: 24},
		Retention:  Retention{Days: 365},
		Alert:      Alert{WebhookFormat: "slack", To: []string{}, Interval: time.Hour, Near: 2 * time.Hour},
		Moderation: Moderation{Enabled: true},
	}
}

// DryRun reports whether Graph calls are recorded instead of sent.
func (c Config) DryRun() bool { return c.Facebook.PageToken == "" }

// SearchPaths are where Load looks for a configuration file when none is
// given, in order.
var SearchPaths = []string{"pagebot.yaml", "pagebot.yml", "/etc/pagebot/pagebot.yaml"}

// Load reads the configuration: defaults, then the file (path, or
// pagebot.yaml in the current folder or /etc/pagebot/ when path is ""), then
// PAGEBOT_* environment variables. environ is the environment to read
// (os.Environ() in production).
func Load(path string, environ []string) (Config, string, error) {
	v := viper.New()
	v.SetEnvPrefix("PAGEBOT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	// No AutomaticEnv: it would read the process environment behind
	// environ's back (see the loop over keys below).
	def := Default()
	keys := Keys()
	for _, k := range keys {
		v.SetDefault(k, lookup(def, k))
	}
	env := map[string]string{}
	for _, kv := range environ {
		k, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, "PAGEBOT_") {
			env[k] = val
		}
	}
	if err := checkEnv(env, keys); err != nil {
		return Config{}, "", err
	}
	// Viper's AutomaticEnv reads the process environment; make it read
	// environ instead, so that tests and the caller decide.
	for _, k := range keys {
		name := "PAGEBOT_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		if val, ok := env[name]; ok {
			v.Set(k, val)
		}
	}
	// Look for the file by its full name: viper's own search also accepts a
	// file named just "pagebot", which is the binary itself in the folder
	// where it was built.
	if path == "" {
		for _, p := range SearchPaths {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				path = p
				break
			}
		}
	}
	used := ""
	if path != "" {
		v.SetConfigFile(path)
		if strings.HasSuffix(path, ".yml") || !strings.Contains(filepath.Base(path), ".") {
			v.SetConfigType("yaml")
		}
		if err := v.ReadInConfig(); err != nil {
			return Config{}, "", fmt.Errorf("read config %s: %w", path, err)
		}
		used = path
	}
	var c Config
	err := v.UnmarshalExact(&c, func(dc *mapstructure.DecoderConfig) {
		dc.WeaklyTypedInput = true
		dc.ErrorUnset = false
	})
	if err != nil {
		return Config{}, used, fmt.Errorf("config %s: %w", fileName(used), err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, used, err
	}
	return c, used, nil
}

func fileName(used string) string {
	if used == "" {
		return "(environment)"
	}
	return used
}

func checkEnv(env map[string]string, keys []string) error {
	known := map[string]bool{}
	for _, k := range keys {
		known["PAGEBOT_"+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = true
	}
	var unknown []string
	for k := range env {
		if !known[k] && !strings.HasPrefix(k, "PAGEBOT_TEST_") {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return fmt.Errorf("unknown environment variable %s: no such configuration key (see README, Configuration)", strings.Join(unknown, ", "))
	}
	return nil
}

// Validate checks values; each error names its key.
func (c Config) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "warning", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		bad("log.format", "%q is not one of auto, text, json", c.Log.Format)
	}
	if c.Data.Dir == "" {
		bad("data.dir", "required")
	}
	if c.KB.Organism == "" {
		bad("kb.organism", "required (caf, cpam, retraite…)")
	}
	if c.Bot.Threshold <= 0 || c.Bot.Threshold > 1 {
		bad("bot.threshold", "%v is not in (0, 1]", c.Bot.Threshold)
	}
	if c.Bot.Gap < 0 || c.Bot.Gap >= 1 {
		bad("bot.gap", "%v is not in [0, 1)", c.Bot.Gap)
	}
	if c.Bot.Candidates < 1 || c.Bot.Candidates > 100 {
		bad("bot.candidates", "%d is not in 1..100", c.Bot.Candidates)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen", "%q is not host:port", c.HTTP.Listen)
	}
	if u, err := url.Parse(c.Facebook.GraphURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("facebook.graph_url", "%q is not an http(s) URL", c.Facebook.GraphURL)
	}
	if !strings.HasPrefix(c.Facebook.APIVersion, "v") {
		bad("facebook.api_version", "%q: expected a version such as v25.0", c.Facebook.APIVersion)
	}
	if c.Facebook.PageToken != "" {
		if c.Facebook.AppSecret == "" {
			bad("facebook.app_secret", "required when facebook.page_token is set")
		}
		if c.Facebook.PageID == "" {
			bad("facebook.page_id", "required when facebook.page_token is set")
		}
	}
	if c.Worker.Lease < time.Second || c.Worker.Lease > time.Hour {
		bad("worker.lease", "%v is not between 1s and 1h", c.Worker.Lease)
	}
	for _, m := range []struct{ key, val string }{{"schedule.office_mode", c.Schedule.OfficeMode}, {"schedule.after_hours_mode", c.Schedule.AfterHoursMode}} {
		switch m.val {
		case "auto", "draft", "off":
		default:
			bad(m.key, "%q is not one of auto, draft, off", m.val)
		}
	}
	switch c.Alert.WebhookFormat {
	case "slack", "mattermost", "teams":
	default:
		bad("alert.webhook_format", "%q is not one of slack, mattermost, teams", c.Alert.WebhookFormat)
	}
	if c.Alert.SMTPAddr != "" && (c.Alert.From == "" || len(c.Alert.To) == 0) {
		bad("alert.smtp_addr", "alert.from and alert.to are required with an SMTP server")
	}
	if c.Alert.Interval < time.Minute {
		bad("alert.interval", "%v is shorter than a minute", c.Alert.Interval)
	}
	if c.Retention.Days < 1 || c.Retention.Days > 3650 {
		bad("retention.days", "%d is not in 1..3650", c.Retention.Days)
	}
	if c.SLA.Hours <= 0 || c.SLA.Hours > 24*30 {
		bad("sla.hours", "%v is not between 0 and 720 hours", c.SLA.Hours)
	}
	if c.Worker.Batch < 1 || c.Worker.Batch > 1000 {
		bad("worker.batch", "%d is not in 1..1000", c.Worker.Batch)
	}
	if c.Worker.Concurrency < 1 || c.Worker.Concurrency > 64 {
		bad("worker.concurrency", "%d is not in 1..64", c.Worker.Concurrency)
	}
	if len(errs) > 0 {
		return errors.New("invalid configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return nil
}

// Redacted returns a copy whose secrets are replaced by "<redacted>": the
// only form of the configuration that may be logged or printed.
func (c Config) Redacted() Config {
	r := c
	for _, p := range []*string{&r.Facebook.AppSecret, &r.Facebook.PageToken, &r.Facebook.VerifyToken, &r.Alert.WebhookURL, &r.Alert.SMTPPassword} {
		if *p != "" {
			*p = "<redacted>"
		}
	}
	if r.Store.DSN != "" {
		if u, err := url.Parse(r.Store.DSN); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "redacted")
				r.Store.DSN = u.String()
			}
		}
	}
	return r
}

// Keys lists every configuration key, in dotted form ("kb.organism").
func Keys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := prefix + f.Tag.Get("mapstructure")
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, name+".")
				continue
			}
			out = append(out, name)
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

// lookup returns the value of a dotted key in c.
func lookup(c Config, key string) any {
	v := reflect.ValueOf(c)
	for _, part := range strings.Split(key, ".") {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Tag.Get("mapstructure") == part {
				v = v.Field(i)
				break
			}
		}
	}
	return v.Interface()
}

// Environ is os.Environ, named for callers that pass the environment to Load.
func Environ() []string { return os.Environ() }
