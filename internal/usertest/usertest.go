// Package usertest makes users for tests of the packages that act on
// their behalf.
package usertest

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// Password is every test user's password.
const Password = "correct horse battery"

// Actor creates a user with email and role in db and returns it as the
// actor requests run as.
func Actor(t testing.TB, db *sqldb.DB, email string, role access.Role) access.Actor {
	t.Helper()
	u, err := user.NewService(db).Create(context.Background(), access.System, user.Input{Email: email, Password: Password, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}
