package sqlite_test

import (
	"testing"
	"time"

	"pagebot/sqlite"
	"pagebot/storetest"
)

var _ storetest.ConsoleStore = consoleDB{}

// consoleDB gives the console's contract the store's clock to set.
type consoleDB struct{ *sqlite.DB }

func (db consoleDB) SetNow(now func() time.Time) { db.Now = now }

func TestContractConsole(t *testing.T) {
	storetest.RunConsole(t, func(t *testing.T) storetest.ConsoleStore { return consoleDB{MustOpenDB(t)} })
}
