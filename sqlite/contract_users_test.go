package sqlite_test

import (
	"testing"

	"pagebot/password"
	"pagebot/sqlite"
	"pagebot/storetest"
)

var _ storetest.UserStore = (*sqlite.DB)(nil)

func init() {
	// Every store of these tests hashes at the lowest cost: the tests check
	// behaviour, not bcrypt's slowness.
	sqlite.BcryptCost = password.MinCost
}

func TestContractUsers(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserStore { return MustOpenDB(t) })
}

// TestContractUsersMemory runs the users contract on ":memory:", as
// TestContractMemory does the main one.
func TestContractUsersMemory(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserStore { return mustOpen(t, ":memory:") })
}
