package user

import (
	"context"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	if ok, _ := CheckPassword(h, "correct horse battery"); !ok {
		t.Error("the right password was refused")
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Error("a wrong password was accepted")
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a foreign hash format was not reported")
	}
}

func TestSessionsAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		if _, err := s.Create(ctx, access.System, Input{Email: "Kim@Example.com", Password: "correct horse battery", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "wrong horse battery", ""); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("wrong password: %v", err)
		}
		if _, _, err := s.Login(ctx, "nobody@example.com", "correct horse battery", ""); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("unknown email: %v", err)
		}
		secret, u, err := s.Login(ctx, " KIM@example.com ", "correct horse battery", "")
		if err != nil || u.Email != "Kim@example.com" {
			t.Fatalf("login with other case and spaces: %v %+v", err, u)
		}
		if _, err := s.BySession(ctx, secret); err != nil {
			t.Errorf("a new session refused: %v", err)
		}

		clock = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		secret, _, _ = s.Login(ctx, "kim@example.com", "correct horse battery", "")
		if err := s.Logout(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BySession(ctx, secret); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("session works after logout: %v", err)
		}

		tok, err := s.CreateToken(ctx, access.System, "kim@example.com", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if u, err := s.ByToken(ctx, tok); err != nil || u.Role != access.Sales {
			t.Errorf("token: %+v %v", u, err)
		}
		if _, err := s.ByToken(ctx, tok+"x"); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("altered token accepted: %v", err)
		}
		if _, err := s.CreateToken(ctx, access.System, "ghost@example.com", ""); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("token for unknown user: %v", err)
		}
		if _, err := s.Create(ctx, access.System, Input{Email: "kim@EXAMPLE.com", Password: "correct horse battery", Role: access.Admin}); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("duplicate user: %v", err)
		}
		if err := s.SetPassword(ctx, access.System, "kim@example.com", "another long one"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "another long one", ""); err != nil {
			t.Errorf("new password refused: %v", err)
		}
	})
}

// TestSessionsEndWhenIdleOrOld follows three logins with a clock: one
// used every few days until its lifetime runs out, one left alone for
// longer than the idle timeout, and one used only now and then, which
// the hourly purge must keep.
func TestSessionsEndWhenIdleOrOld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		clock := start
		s.now = func() time.Time { return clock }
		if _, err := s.Create(ctx, access.System, Input{Email: "kim@example.com", Password: "correct horse battery", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		login := func() string {
			t.Helper()
			secret, _, err := s.Login(ctx, "kim@example.com", "correct horse battery", "")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		live := func(secret string) bool {
			t.Helper()
			_, err := s.BySession(ctx, secret)
			if err != nil && fault.CodeOf(err) != fault.Unauthorized {
				t.Fatal(err)
			}
			return err == nil
		}
		daily, idle := login(), login()

		// The idle login, used once, ends a week after that use; the daily
		// one, used every six days, outlives the idle timeout many times
		// over but not its lifetime.
		clock = start.Add(SessionIdle - time.Minute)
		if !live(idle) {
			t.Error("a session refused a minute before its idle timeout")
		}
		clock = start.Add(SessionIdle - time.Minute + SessionIdle + time.Minute)
		if live(idle) {
			t.Error("a session unused for longer than the idle timeout still works")
		}
		for clock = start; clock.Before(start.Add(SessionLifetime - time.Minute)); clock = clock.Add(6 * 24 * time.Hour) {
			if !live(daily) {
				t.Fatalf("a session used every six days refused %v after login", clock.Sub(start))
			}
		}
		clock = start.Add(SessionLifetime - time.Minute)
		if !live(daily) {
			t.Error("an active session refused a minute before its lifetime ends")
		}
		clock = start.Add(SessionLifetime)
		if live(daily) {
			t.Error("an active session still works at the end of its lifetime")
		}

		// Purging removes the ended sessions and keeps the live one.
		clock = start.Add(SessionLifetime + time.Hour)
		fresh := login()
		clock = clock.Add(SessionIdle / 2)
		n, err := s.PurgeExpiredSessions(ctx, clock)
		if err != nil || n != 2 {
			t.Errorf("purge removed %d sessions (%v), want the idle and the old one", n, err)
		}
		var left int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&left); err != nil || left != 1 {
			t.Errorf("%d sessions left (%v), want 1", left, err)
		}
		if !live(fresh) {
			t.Error("the purge ended a live session")
		}
		if n, _ := s.PurgeExpiredSessions(ctx, clock.Add(SessionIdle-time.Minute)); n != 0 {
			t.Errorf("purge removed a session used %v earlier", SessionIdle-time.Minute)
		}
		if n, _ := s.PurgeExpiredSessions(ctx, clock.Add(SessionIdle)); n != 1 {
			t.Errorf("purge kept a session unused for the idle timeout")
		}
	})
}

// TestOnlyAdminsManageUsers calls the service with no handler in front:
// sales and marketing may neither create users, set passwords nor mint
// tokens; an admin may.
func TestOnlyAdminsManageUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		if _, err := s.Create(ctx, access.System, Input{Email: "kim@example.com", Password: "correct horse battery", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []access.Actor{{ID: 1, Role: access.Sales}, {ID: 2, Role: access.Marketing}} {
			if _, err := s.Create(ctx, a, Input{Email: "eve@example.com", Password: "correct horse battery", Role: access.Admin}); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s created a user: %v", a.Role, err)
			}
			if err := s.SetPassword(ctx, a, "kim@example.com", "taken over at last"); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s set a password: %v", a.Role, err)
			}
			if _, err := s.CreateToken(ctx, a, "kim@example.com", "mine"); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s minted a token: %v", a.Role, err)
			}
		}
		if n, _ := s.Count(ctx); n != 1 {
			t.Errorf("%d users after refusals", n)
		}
		admin, err := s.Create(ctx, access.System, Input{Email: "ada@example.com", Password: "correct horse battery", Role: access.Admin})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, admin.Actor(), Input{Email: "lee@example.com", Password: "correct horse battery", Role: access.Marketing}); err != nil {
			t.Errorf("admin: %v", err)
		}
	})
}
