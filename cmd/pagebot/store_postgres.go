package main

import (
	"fmt"

	"github.com/sirupsen/logrus"

	"pagebot/postgres"
)

// openPostgres opens the PostgreSQL store shared by replicas: migrations
// run once under an advisory lock, whichever replica starts first.
func openPostgres(dsn string, log logrus.FieldLogger) (*backend, error) {
	db := postgres.New(dsn)
	if log != nil {
		db.OnWatchError = func(err error) {
			log.WithError(err).Warn("listener lost its connection; reconnecting")
		}
	}
	if err := db.Open(); err != nil {
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	return &backend{store: db, sessions: db.Sessions(), faq: db, dsn: dsn}, nil
}
