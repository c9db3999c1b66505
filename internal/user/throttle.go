package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/fault"
)

// Sign-in throttling: after this many failures within LoginWindow for one
// email, or from one client address, further attempts are refused before
// the password is checked, so a guesser costs no argon2 work either. The
// address limit is higher because an office shares one.
const (
	MaxFailuresPerEmail  = 5
	MaxFailuresPerClient = 20
	LoginWindow          = 15 * time.Minute
)

// ThrottledError refuses a sign-in attempt made too soon after too many
// failures; RetryAfter is when the oldest of them leaves the window.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %s", e.RetryAfter.Round(time.Second))
}

// attemptKey is how an email is counted: as typed, without case and
// surrounding space, and bounded, since anything may be typed there.
func attemptKey(email string) string {
	k := strings.ToLower(strings.TrimSpace(email))
	if len(k) > 320 {
		k = strings.ToValidUTF8(k[:320], "")
	}
	return k
}

// throttled returns a ThrottledError when email or client has had too
// many failures within the window. Concurrent attempts may each pass the
// check before any is recorded, so a burst can overshoot by the number
// of attempts under way at once; the limit holds from then on.
func (s *Service) throttled(ctx context.Context, email, client string) error {
	now := s.now()
	since := now.Add(-LoginWindow).UnixMilli()
	var wait time.Duration
	for _, c := range []struct {
		column, value string
		max           int
	}{{"email", email, MaxFailuresPerEmail}, {"client", client, MaxFailuresPerClient}} {
		if c.value == "" {
			continue
		}
		// The max-th most recent failure: while it is in the window, so
		// are max failures.
		var at int64
		err := s.db.R.QueryRow(ctx, `SELECT at FROM login_attempts WHERE `+c.column+` = ? AND at > ?
			ORDER BY at DESC LIMIT 1 OFFSET ?`, c.value, since, c.max-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("user store: count failed sign-ins: %w", err)
		}
		wait = max(wait, time.UnixMilli(at).Add(LoginWindow).Sub(now))
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// failed records a failed attempt and returns the error to answer it
// with.
func (s *Service) failed(ctx context.Context, email, client string) error {
	_, err := s.db.W.Exec(ctx, `INSERT INTO login_attempts (email, client, at) VALUES (?, ?, ?)`, email, client, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("user store: record failed sign-in: %w", err)
	}
	return fault.Errorf(fault.Unauthorized, "wrong email or password")
}

// succeeded forgets the email's failures. The client's stay: one valid
// account must not reset the count of guesses at others.
func (s *Service) succeeded(ctx context.Context, email string) error {
	if _, err := s.db.W.Exec(ctx, `DELETE FROM login_attempts WHERE email = ?`, email); err != nil {
		return fmt.Errorf("user store: clear failed sign-ins: %w", err)
	}
	return nil
}

// PurgeLoginAttempts deletes failures past the window, and says how many.
func (s *Service) PurgeLoginAttempts(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.W.Exec(ctx, `DELETE FROM login_attempts WHERE at <= ?`, now.Add(-LoginWindow).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("user store: purge failed sign-ins: %w", err)
	}
	return res.RowsAffected()
}
