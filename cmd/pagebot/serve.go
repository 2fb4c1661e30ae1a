package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"pagebot/alert"
	"pagebot/bot"
	"pagebot/config"
	"pagebot/console"
	"pagebot/faqsync"
	"pagebot/graph"
	"pagebot/kb"
	"pagebot/metrics"
	"pagebot/schedule"
	"pagebot/webhook"
	"pagebot/worker"
)

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Lance le service : webhook, traitement des événements, appels Graph (ou leur simulation), /healthz",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, used, err := g.load()
			if err != nil {
				return err
			}
			log := g.logger(c)
			s, err := openServer(c, log)
			if err != nil {
				return err
			}
			defer s.Close()
			log.WithFields(logrus.Fields{
				"config": fileOrDefaults(used), "faq": s.source, "entries": s.index.DocCount(),
				"organism": c.KB.Organism, "dry_run": c.DryRun(), "store": redactDSN(s.store.dsn), "version": version,
			}).Info("pagebot ready")
			return s.Run(cmd.Context(), c.HTTP.Listen)
		},
	}
}

func fileOrDefaults(used string) string {
	if used == "" {
		return "(défauts et environnement)"
	}
	return used
}

// server is a running pagebot: what `serve` starts and e2e tests drive.
type server struct {
	cfg     config.Config
	log     logrus.FieldLogger
	index   *kb.Index
	engine  *bot.Engine
	store   *backend
	faqSync *faqsync.Syncer // nil unless the store shares the FAQ (PostgreSQL)
	workers []*worker.Worker
	// nextWorker is the worker notifyWorker wakes next.
	nextWorker atomic.Uint64
	webhook    *webhook.Handler
	commit     *webhook.GroupCommit
	console    http.Handler
	api        http.Handler
	metrics    *metrics.Metrics
	schedule   *schedule.Schedule
	moderation *liveModeration // nil when moderation is off
	source     string
	addr       chan string // receives the listening address once bound
}

// storeDSN is store.dsn, or the SQLite file in the data directory.
func storeDSN(c config.Config) string {
	if c.Store.DSN != "" {
		return c.Store.DSN
	}
	return filepath.Join(c.Data.Dir, "pagebot.db")
}

func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "@"); i >= 0 {
		if j := strings.Index(dsn, "://"); j >= 0 && j < i {
			return dsn[:j+3] + "<redacted>" + dsn[i:]
		}
	}
	return dsn
}

// newGraph returns the Graph client, or a dry-run recorder when no page
// token is configured: every call is then recorded in the outbox, not sent.
func newGraph(c config.Config) (worker.Graph, error) {
	if c.DryRun() {
		return graph.NewDryRun(c.Facebook.PageID), nil
	}
	return graph.New(graph.Config{
		AppSecret: c.Facebook.AppSecret, PageID: c.Facebook.PageID, PageToken: c.Facebook.PageToken,
		BaseURL: c.Facebook.GraphURL, APIVersion: c.Facebook.APIVersion, Timeout: 10 * time.Second,
	}, graph.WithRetry(graph.RetryPolicy{Attempts: 3, Delay: 500 * time.Millisecond, MaxDelay: 4 * time.Second,
		RateLimitDelay: 5 * time.Second, MaxRateLimitWait: 10 * time.Second}))
}

func openServer(c config.Config, log logrus.FieldLogger) (*server, error) {
	k, err := loadKnowledge(c, "")
	if err != nil {
		return nil, err
	}
	st, err := openStoreLog(c, log.WithField("component", "store"))
	if err != nil {
		return nil, err
	}
	var rev int64
	if st.faq != nil {
		// Every replica serves the FAQ kept in the database; the file or
		// pack only seeds an empty database.
		if k.faq, rev, err = sharedKnowledge(st.faq, k.faq); err != nil {
			st.Close()
			return nil, err
		}
		k.source = fmt.Sprintf("base de données (révision %d)", rev)
	}
	e, idx, err := newEngine(c, k, filepath.Join(c.Data.Dir, "index"))
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &server{cfg: c, log: log, index: idx, engine: e, store: st, source: k.source, addr: make(chan string, 1)}
	var (
		faqIndex console.FAQIndex = idx
		saver    console.FAQSaver = faqSaver{c}
	)
	if st.faq != nil {
		s.faqSync = faqsync.New(st.faq, idx, k.faq, rev, log.WithField("component", "faqsync"))
		faqIndex, saver = s.faqSync, s.faqSync
	}
	s.metrics = metrics.New(func(ctx context.Context) (int, int, int, int, int, error) {
		st, err := s.store.Stats(ctx)
		return st.EventsPending, st.EventsClaimed, st.ActionsPending, st.CasesOpen, st.CasesPastDue, err
	})
	g, err := newGraph(c)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("graph client: %w", err)
	}
	sched, err := buildSchedule(c)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.schedule = sched
	var (
		rep  worker.Repeats
		live *liveModeration
	)
	if c.Moderation.Enabled {
		// One set of rules in service for the engine, the console and the
		// repeat counter: an edit in the console is live at once.
		// With PostgreSQL the edited rules are kept in the database for
		// every replica; with SQLite, in data.dir.
		docs, _ := st.store.(sharedRules)
		if live, err = newSharedModeration(c, docs, log.WithField("component", "moderation")); err != nil {
			s.Close()
			return nil, err
		}
		s.moderation = live
		s.engine = e.WithModerator(live)
		e = s.engine
		rep = newRepeats(st, live.RepeatLimits, log.WithField("component", "repeats"))
	}
	host, _ := os.Hostname()
	process := fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%1e6)
	for i := range c.Worker.Concurrency {
		// One owner per worker: a worker that gives its claims back at
		// shutdown gives back its own only.
		s.workers = append(s.workers, worker.New(worker.Config{Owner: fmt.Sprintf("%s-w%d", process, i),
			Lease: c.Worker.Lease, Batch: c.Worker.Batch,
			Due: func(t time.Time) time.Time {
				return sched.Due(t, time.Duration(c.SLA.Hours*float64(time.Hour)))
			},
			When:        func(t time.Time) string { return whenPhrase(sched, t) },
			Mode:        func(t time.Time) string { return string(sched.ModeAt(t)) },
			Metrics:     s.metrics,
			Repeats:     rep,
			ScamWarning: c.Moderation.ScamWarning,
			Mask:        maskText,
		},
			s.store, e, g, log.WithField("component", "worker")))
	}
	secret := c.Facebook.AppSecret
	if secret == "" {
		// Dry-run without an app: accept events signed with the development
		// secret, so that `pagebot simulate` works on a fresh machine.
		secret = devAppSecret
		log.Warn("facebook.app_secret is not set: the webhook accepts only events signed with the development secret (pagebot simulate)")
	}
	var pages []string
	if c.Facebook.PageID != "" {
		pages = []string{c.Facebook.PageID}
	}
	deps := console.Deps{Store: s.store, Sessions: s.store.Sessions(), Index: faqIndex, Saver: saver, Decider: e,
		Log: log.WithField("component", "console")}
	if live != nil {
		deps.Moderation = live
	}
	if lf, ok := st.store.(console.LoginFailures); ok && st.faq != nil {
		// Replicas count failed logins together (PostgreSQL).
		deps.LoginFailures = lf
	}
	s.console, err = console.New(console.Config{SecureCookie: c.HTTP.SecureCookie, ClientIPHeader: c.HTTP.ClientIPHeader}, deps)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("console: %w", err)
	}
	s.api, err = console.NewAPI(console.Config{ClientIPHeader: c.HTTP.ClientIPHeader},
		console.Deps{Store: s.store, Sessions: s.store.Sessions(), Index: faqIndex, Saver: saver, Decider: e,
			Log: log.WithField("component", "api")}, s.store)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("api: %w", err)
	}
	s.commit = webhook.NewGroupCommit(s.store.store, 500)
	s.webhook, err = webhook.New(webhook.Config{AppSecret: secret, VerifyToken: c.Facebook.VerifyToken, PageIDs: pages},
		s.commit, newMasker(), log.WithField("component", "webhook"), webhook.WithNotify(s.notifyWorker), webhook.WithMetrics(s.metrics))
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// notifyWorker wakes one worker, the next in turn, when the webhook has
// stored events: during a burst every worker is woken in turn, while a
// single event does not send them all to claim it at once. The others
// still poll.
func (s *server) notifyWorker() {
	n := s.nextWorker.Add(1)
	s.workers[int(n%uint64(len(s.workers)))].Notify()
}

// Close releases the store and the index.
func (s *server) Close() error {
	var errs []error
	if s.commit != nil {
		s.commit.Close()
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	errs = append(errs, s.index.Close())
	return errors.Join(errs...)
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+webhook.Path, s.webhook)
	mux.Handle("POST "+webhook.Path, s.metrics.InstrumentWebhook(s.webhook))
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle(console.Prefix+"/", s.console)
	mux.Handle(console.APIPrefix+"/", s.api)
	mux.Handle("GET /{$}", http.RedirectHandler(console.Prefix+"/", http.StatusFound))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.store.Ping(r.Context()); err != nil {
			http.Error(w, "base de données indisponible", http.StatusServiceUnavailable)
			return
		}
		if s.index.DocCount() == 0 {
			http.Error(w, "index vide", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok: %d entrées\n", s.index.DocCount())
	})
	return mux
}

// retention purges, once a minute after start and then daily, what is older
// than retention.days, until ctx is done.
func (s *server) retention(ctx context.Context) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = 24 * time.Hour
		before := time.Now().Add(-time.Duration(s.cfg.Retention.Days) * 24 * time.Hour)
		n, err := s.store.Purge(ctx, before)
		if err != nil {
			if ctx.Err() == nil {
				s.log.WithError(err).Error("retention purge")
			}
			continue
		}
		s.log.WithFields(logrus.Fields{"deleted_events": n, "retention_days": s.cfg.Retention.Days}).Info("retention purge")
	}
}

// notifiers returns the configured alert channels.
func notifiers(c config.Config) []alert.Notifier {
	var ns []alert.Notifier
	if c.Alert.WebhookURL != "" {
		ns = append(ns, alert.Webhook{URL: c.Alert.WebhookURL, Format: c.Alert.WebhookFormat})
	}
	if c.Alert.SMTPAddr != "" {
		ns = append(ns, alert.Mail{Addr: c.Alert.SMTPAddr, Username: c.Alert.SMTPUsername, Password: c.Alert.SMTPPassword,
			From: c.Alert.From, To: c.Alert.To})
	}
	return ns
}

// alerts sends, every alert.interval while the office is open, a digest of
// the cases near or past their due time.
func (s *server) alerts(ctx context.Context, ns []alert.Notifier) {
	t := time.NewTicker(s.cfg.Alert.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.alert(ctx, ns, time.Now()); err != nil && ctx.Err() == nil {
			s.log.WithError(err).Error("alert")
		}
	}
}

// alert sends the digest due at now, if the office is open, a case needs
// attention, and no replica has sent the digest of this interval yet: with
// several replicas on one database, staff get one digest, not one each.
func (s *server) alert(ctx context.Context, ns []alert.Notifier, now time.Time) (bool, error) {
	if !s.schedule.IsOpen(now) {
		return false, nil
	}
	cases, err := s.store.Cases(ctx, "open", 500)
	if err != nil {
		return false, fmt.Errorf("list cases: %w", err)
	}
	subject, body := alert.Digest(cases, now, s.cfg.Alert.Near, s.schedule.Location())
	if subject == "" {
		return false, nil
	}
	first, err := s.store.Once(ctx, "alert:"+now.Truncate(s.cfg.Alert.Interval).UTC().Format(time.RFC3339))
	if err != nil || !first {
		return false, err
	}
	var errs []error
	for _, n := range ns {
		if err := n.Notify(ctx, subject, body); err != nil {
			errs = append(errs, fmt.Errorf("notify: %w", err))
		}
	}
	return true, errors.Join(errs...)
}

// Run serves HTTP on addr and runs the worker until ctx is done, then shuts
// down gracefully: stop accepting, let in-flight requests finish, give back
// unfinished claims.
func (s *server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.addr <- ln.Addr().String()
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 1+len(s.workers))
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("serve: %w", err)
			cancel()
		}
	}()
	for _, w := range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(ctx); err != nil {
				errc <- fmt.Errorf("worker: %w", err)
				cancel()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.retention(ctx)
	}()
	if s.faqSync != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Notifications bring edits within a second; the poll is a
			// safety net should one be lost.
			s.faqSync.Run(ctx, s.store.faq.WatchFAQ, 30*time.Second)
		}()
	}
	if s.moderation != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.moderation.Run(ctx, 30*time.Second) // returns at once unless the rules are shared
		}()
	}
	if ns := notifiers(s.cfg); len(ns) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.alerts(ctx, ns)
		}()
	}
	s.log.WithField("addr", ln.Addr().String()).Info("listening")
	<-ctx.Done()
	s.log.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	shutErr := srv.Shutdown(sctx)
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	if shutErr != nil {
		errs = append(errs, fmt.Errorf("shutdown: %w", shutErr))
	}
	return errors.Join(errs...)
}
