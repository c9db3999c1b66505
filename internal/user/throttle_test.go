package user

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// A guesser gets five tries at one email and twenty from one address in
// fifteen minutes; then even the right password is refused unchecked,
// with the time until the oldest failure leaves the window. Another
// instance on the same database sees the same count.
func TestLoginThrottling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, other := NewService(db), NewService(db)
		clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		other.now = s.now
		if _, err := s.Create(ctx, access.System, Input{Email: "kim@example.com", Password: "correct horse battery", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		throttledFor := func(err error) time.Duration {
			var te *ThrottledError
			if errors.As(err, &te) {
				return te.RetryAfter
			}
			return 0
		}

		// Four failures, then a success: the count starts again.
		for i := 0; i < 4; i++ {
			if _, _, err := s.Login(ctx, "kim@example.com", "wrong horse battery", "10.0.0.1"); fault.CodeOf(err) != fault.Unauthorized {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "correct horse battery", "10.0.0.1"); err != nil {
			t.Fatalf("success after four failures: %v", err)
		}
		// Five failures a minute apart, from two addresses, in any case.
		for i := 0; i < 5; i++ {
			if _, _, err := other.Login(ctx, []string{"kim@example.com", "KIM@example.com "}[i%2], "wrong", fmt.Sprintf("10.0.1.%d", i%2)); fault.CodeOf(err) != fault.Unauthorized {
				t.Fatalf("failure %d after the success: %v", i+1, err)
			}
			clock = clock.Add(time.Minute)
		}
		_, _, err := s.Login(ctx, "kim@example.com", "correct horse battery", "10.0.2.1")
		if wait := throttledFor(err); wait != 10*time.Minute {
			t.Fatalf("sixth attempt, right password: %v, want throttled for 10m (15m after the first of the five)", err)
		}
		clock = clock.Add(10 * time.Minute) // the first of the five leaves the window
		if _, _, err := s.Login(ctx, "kim@example.com", "correct horse battery", "10.0.2.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}

		// Twenty failures from one address at any emails stop the twenty-first.
		for i := 0; i < 20; i++ {
			if _, _, err := s.Login(ctx, fmt.Sprintf("guess%d@example.com", i), "x", "10.9.9.9"); fault.CodeOf(err) != fault.Unauthorized {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if _, _, err := other.Login(ctx, "kim@example.com", "correct horse battery", "10.9.9.9"); throttledFor(err) != LoginWindow {
			t.Fatalf("21st attempt from the address: %v", err)
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "correct horse battery", "10.0.2.1"); err != nil {
			t.Fatalf("the same email from another address: %v", err)
		}

		// The hourly sweep forgets failures past the window.
		n, err := s.PurgeLoginAttempts(ctx, clock.Add(LoginWindow))
		if err != nil || n != 20 {
			t.Errorf("purge: %d %v, want the 20 guesses", n, err)
		}
	})
}
