package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"pagebot/bot"
	"pagebot/config"
	"pagebot/kb"
)

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Lance le service (webhook, console, /healthz)",
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
				"organism": c.KB.Organism, "dry_run": c.DryRun(), "version": version,
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
	cfg    config.Config
	log    logrus.FieldLogger
	index  *kb.Index
	engine *bot.Engine
	source string
	addr   chan string // receives the listening address once bound
}

func openServer(c config.Config, log logrus.FieldLogger) (*server, error) {
	k, err := loadKnowledge(c, "")
	if err != nil {
		return nil, err
	}
	e, idx, err := newEngine(c, k, filepath.Join(c.Data.Dir, "index"))
	if err != nil {
		return nil, err
	}
	return &server{cfg: c, log: log, index: idx, engine: e, source: k.source, addr: make(chan string, 1)}, nil
}

// Close releases the index.
func (s *server) Close() error { return s.index.Close() }

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if s.index.DocCount() == 0 {
			http.Error(w, "index vide", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok: %d entrées\n", s.index.DocCount())
	})
	return mux
}

// Run serves HTTP on addr until ctx is done, then shuts down gracefully.
func (s *server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.addr <- ln.Addr().String()
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.WithField("addr", ln.Addr().String()).Info("listening")
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
