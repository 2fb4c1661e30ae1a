package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/config"
	"pagebot/console"
	"pagebot/kb"
	"pagebot/postgres"
	"pagebot/sqlite"
	"pagebot/webhook"
	"pagebot/worker"
)

// store is everything the binary asks of its database, SQLite or
// PostgreSQL: what the webhook, the worker and the console declare, plus
// the administration commands.
type store interface {
	worker.Store
	console.Store
	console.Tokens
	webhook.Store

	Audit(ctx context.Context, limit int) ([]pagebot.AuditEntry, error)
	Ping(ctx context.Context) error
	Close() error
	Purge(ctx context.Context, before time.Time) (int, error)
	PurgeSender(ctx context.Context, senderID, actor string) (int, error)

	// Sessions keeps the console's web sessions.
	Sessions() scs.Store

	CreateUser(ctx context.Context, name, role, password string) (pagebot.User, error)
	SetPassword(ctx context.Context, name, password string) error
	CreateAPIToken(ctx context.Context, name, role, createdBy string) (string, error)
	APITokens(ctx context.Context) ([]apiTokenInfo, error)
	RevokeAPIToken(ctx context.Context, name string) error
}

// Both stores offer everything the binary asks.
var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// sharedFAQ is a store that keeps the FAQ for every replica (PostgreSQL):
// the index is built from it and follows its changes.
type sharedFAQ interface {
	SeedFAQ(ctx context.Context, faq *kb.FAQ) (bool, error)
	LoadFAQ(ctx context.Context) (*kb.FAQ, int64, error)
	ChangeFAQ(ctx context.Context, c kb.Change) (int64, error)
	FAQRevision(ctx context.Context) (int64, error)
	WatchFAQ(ctx context.Context, changed func()) error
}

// backend is an opened store, and the shared FAQ when the database keeps
// one (nil for SQLite, whose FAQ is a file in the data directory).
type backend struct {
	store
	faq sharedFAQ
	dsn string
}

// isPostgres reports whether a store.dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openStore opens the configured database: PostgreSQL for a postgres://
// store.dsn, else the SQLite file (store.dsn or data.dir/pagebot.db).
func openStore(c config.Config) (*backend, error) { return openStoreLog(c, nil) }

// openStoreLog is openStore for `serve`, whose store reports to log.
func openStoreLog(c config.Config, log logrus.FieldLogger) (*backend, error) {
	dsn := storeDSN(c)
	if isPostgres(dsn) {
		return openPostgres(dsn, log)
	}
	db := sqlite.New(dsn)
	if err := db.Open(); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &backend{store: db, dsn: dsn}, nil
}

// sharedKnowledge returns the FAQ kept in the database and its revision,
// storing seed first when the database has none yet (the first replica to
// start on a new database).
func sharedKnowledge(db sharedFAQ, seed *kb.FAQ) (*kb.FAQ, int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.SeedFAQ(ctx, seed); err != nil {
		return nil, 0, err
	}
	faq, rev, err := db.LoadFAQ(ctx)
	if err != nil {
		return nil, 0, err
	}
	if faq == nil {
		return nil, 0, errors.New("load faq: none stored after the seed")
	}
	return faq, rev, nil
}

// knowledgeInService is loadKnowledge for the commands that read the FAQ in
// service (ask, eval, kb export): with PostgreSQL it is the one kept in the
// database, which every replica serves. An explicit faqFile is read as is.
func knowledgeInService(c config.Config, faqFile string) (*knowledge, error) {
	k, err := loadKnowledge(c, faqFile)
	if err != nil || faqFile != "" || !isPostgres(storeDSN(c)) {
		return k, err
	}
	b, err := openStore(c)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Read only: an empty database is left for `serve` to seed; the FAQ
	// that would seed it is the one in service meanwhile.
	faq, rev, err := b.faq.LoadFAQ(ctx)
	if err != nil {
		return nil, err
	}
	if faq != nil {
		k.faq, k.source = faq, fmt.Sprintf("base de données (révision %d)", rev)
	}
	return k, nil
}

// importShared replaces the FAQ kept in the database with faq; replicas
// that are running rebuild their index from it within a second.
func importShared(ctx context.Context, db sharedFAQ, faq *kb.FAQ) (int64, error) {
	if _, err := db.SeedFAQ(ctx, faq); err != nil {
		return 0, err
	}
	cur, _, err := db.LoadFAQ(ctx)
	if err != nil {
		return 0, err
	}
	return db.ChangeFAQ(ctx, kb.Diff(cur, faq))
}
