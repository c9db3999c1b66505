package sqldb

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// A transaction is run again for a deadlock, a serialization failure or a
// kept statement whose table changed, and not for any other error,
// however it is wrapped.
func TestWhichFailuresAreRunAgain(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "40P01", Message: "deadlock detected"}, true},
		{fmt.Errorf("commit: %w", &pgconn.PgError{Code: "40001"}), true},
		{&pgconn.PgError{Code: "0A000", Message: "cached plan must not change result type"}, true},
		{&pgconn.PgError{Code: "0A000", Message: "cannot use column reference in DEFAULT expression"}, false},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}, false},
		{fmt.Errorf("lead store: insert: %w", fmt.Errorf("connection reset")), false},
	}
	for _, c := range cases {
		if got := isRetryable(c.err); got != c.want {
			t.Errorf("%v: run again %v, want %v", c.err, got, c.want)
		}
	}
}
