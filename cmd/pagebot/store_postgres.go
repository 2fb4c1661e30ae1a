package main

import (
	"fmt"

	"github.com/sirupsen/logrus"

	"pagebot/console"
	"pagebot/postgres"
)

// The PostgreSQL store counts failed logins for every replica (serve.go
// hands it to the console when the store is shared).
var _ console.LoginFailures = (*postgres.DB)(nil)

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
	return &backend{store: db, faq: db, dsn: dsn}, nil
}
