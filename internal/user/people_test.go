package user

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

const pw = "correct horse battery"

func mustCreate(t *testing.T, s *Service, email string, role access.Role) User {
	t.Helper()
	u, err := s.Create(context.Background(), access.System, Input{Email: email, Password: pw, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustLogin(t *testing.T, s *Service, email string) string {
	t.Helper()
	secret, _, err := s.Login(context.Background(), email, pw, "")
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return secret
}

func ptr[T any](v T) *T { return &v }

// Given an admin and a sales user signed in with a token: disabling the
// sales user stops the session, the token and signing in at once;
// enabling lets them sign in and use the token again.
func TestDisableEnableAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		ann := mustCreate(t, s, "ann@example.com", access.Admin)
		sam := mustCreate(t, s, "sam@example.com", access.Sales)
		session := mustLogin(t, s, "sam@example.com")
		_, token, err := s.CreateOwnToken(ctx, sam.Actor(), "laptop")
		if err != nil {
			t.Fatal(err)
		}

		if _, err := s.Update(ctx, sam.Actor(), ann.ID, Change{Disabled: ptr(true)}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales disabled an admin: %v", err)
		}
		u, err := s.Update(ctx, ann.Actor(), sam.ID, Change{Disabled: ptr(true)})
		if err != nil || !u.Disabled() {
			t.Fatalf("disable: %v %+v", err, u)
		}
		if _, err := s.BySession(ctx, session); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("a disabled user's session works: %v", err)
		}
		if _, err := s.ByToken(ctx, token); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("a disabled user's token works: %v", err)
		}
		if _, _, err := s.Login(ctx, "sam@example.com", pw, ""); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("a disabled user signed in: %v", err)
		}
		if got, _ := s.ByID(ctx, sam.ID); !got.Disabled() {
			t.Errorf("stored as enabled: %+v", got)
		}

		if u, err = s.Update(ctx, ann.Actor(), sam.ID, Change{Disabled: ptr(false), Role: ptr(access.Marketing)}); err != nil || u.Disabled() || u.Role != access.Marketing {
			t.Fatalf("enable and promote: %v %+v", err, u)
		}
		if _, err := s.ByToken(ctx, token); err != nil {
			t.Errorf("the token of a user enabled again: %v", err)
		}
		if _, err := s.BySession(ctx, session); err == nil {
			t.Error("a session ended by disabling came back")
		}
		mustLogin(t, s, "sam@example.com")

		// The last admin stays: not disabled, demoted or deleted, by
		// themselves or by the program.
		if _, err := s.Update(ctx, ann.Actor(), ann.ID, Change{Disabled: ptr(true)}); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("an admin disabled themselves: %v", err)
		}
		if _, err := s.Update(ctx, ann.Actor(), ann.ID, Change{Role: ptr(access.Sales)}); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("the last admin demoted themselves: %v", err)
		}
		if _, err := s.Update(ctx, access.System, ann.ID, Change{Disabled: ptr(true)}); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("the last admin was disabled: %v", err)
		}
		if err := s.Delete(ctx, access.System, ann.ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("the last admin was deleted: %v", err)
		}
		if err := s.Delete(ctx, ann.Actor(), ann.ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("an admin deleted themselves: %v", err)
		}
		if _, err := s.Update(ctx, ann.Actor(), sam.ID, Change{Role: ptr(access.Role("boss"))}); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("unknown role: %v", err)
		}
		// With a second admin, the first may step down.
		if _, err := s.Update(ctx, ann.Actor(), sam.ID, Change{Role: ptr(access.Admin)}); err != nil {
			t.Fatal(err)
		}
		if u, err := s.Update(ctx, ann.Actor(), ann.ID, Change{Role: ptr(access.Sales)}); err != nil || u.Role != access.Sales {
			t.Errorf("an admin stepping down beside another: %v %+v", err, u)
		}
	})
}

// Two admins disabling each other at once leave one of them an admin.
func TestConcurrentDisableKeepsAnAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		a := mustCreate(t, s, "a@example.com", access.Admin)
		b := mustCreate(t, s, "b@example.com", access.Admin)
		errs := dbtest.Together(
			func() error { _, err := s.Update(ctx, a.Actor(), b.ID, Change{Disabled: ptr(true)}); return err },
			func() error { _, err := s.Update(ctx, b.Actor(), a.ID, Change{Disabled: ptr(true)}); return err },
		)
		var n int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d enabled admins left (%v), want 1; errors %v", n, err, errs)
		}
	})
}

func TestDeleteUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		ann := mustCreate(t, s, "ann@example.com", access.Admin)
		sam := mustCreate(t, s, "sam@example.com", access.Sales)
		session := mustLogin(t, s, "sam@example.com")
		_, token, _ := s.CreateOwnToken(ctx, sam.Actor(), "ci")
		if err := s.Delete(ctx, sam.Actor(), ann.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales deleted a user: %v", err)
		}
		if err := s.Delete(ctx, ann.Actor(), sam.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ByID(ctx, sam.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("deleted user found: %v", err)
		}
		if _, err := s.BySession(ctx, session); err == nil {
			t.Error("a deleted user's session works")
		}
		if _, err := s.ByToken(ctx, token); err == nil {
			t.Error("a deleted user's token works")
		}
		if err := s.Delete(ctx, ann.Actor(), sam.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("deleted twice: %v", err)
		}
	})
}

// A user changes their password with the current one; the browser they
// changed it in stays signed in, every other one is signed out.
func TestChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		kim := mustCreate(t, s, "kim@example.com", access.Sales)
		here, other := mustLogin(t, s, "kim@example.com"), mustLogin(t, s, "kim@example.com")
		if err := s.ChangePassword(ctx, kim.Actor(), "wrong horse battery", "a new long password", here); fault.As(err) == nil || fault.As(err).Fields["current_password"] == "" {
			t.Errorf("wrong current password: %v", err)
		}
		if err := s.ChangePassword(ctx, kim.Actor(), pw, "short", here); fault.As(err) == nil || fault.As(err).Fields["password"] == "" {
			t.Errorf("short password: %v", err)
		}
		if _, err := s.BySession(ctx, other); err != nil {
			t.Fatalf("a refused change ended a session: %v", err)
		}
		if err := s.ChangePassword(ctx, kim.Actor(), pw, "a new long password", here); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BySession(ctx, here); err != nil {
			t.Errorf("the session that changed the password ended: %v", err)
		}
		if _, err := s.BySession(ctx, other); err == nil {
			t.Error("another session survived the change")
		}
		if _, _, err := s.Login(ctx, "kim@example.com", pw, ""); err == nil {
			t.Error("the old password still works")
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "a new long password", ""); err != nil {
			t.Errorf("the new password: %v", err)
		}
	})
}

func TestOwnSessionsAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		ann := mustCreate(t, s, "ann@example.com", access.Admin)
		kim := mustCreate(t, s, "kim@example.com", access.Sales)
		lee := mustCreate(t, s, "lee@example.com", access.Sales)
		first := mustLogin(t, s, "kim@example.com")
		clock = clock.Add(time.Hour)
		second := mustLogin(t, s, "kim@example.com")
		leeSession := mustLogin(t, s, "lee@example.com")

		got, err := s.Sessions(ctx, kim.Actor(), second)
		if err != nil || len(got) != 2 || !got[0].Current || got[1].Current || !got[0].CreatedAt.Equal(clock) {
			t.Fatalf("sessions: %v %+v", err, got)
		}
		leeSessions, _ := s.Sessions(ctx, lee.Actor(), leeSession)
		if err := s.RevokeSession(ctx, kim.Actor(), leeSessions[0].ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("revoked another user's session: %v", err)
		}
		if err := s.RevokeSession(ctx, kim.Actor(), "'; DROP TABLE users"); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("a malformed id: %v", err)
		}
		if err := s.RevokeSession(ctx, kim.Actor(), got[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BySession(ctx, first); err == nil {
			t.Error("a revoked session works")
		}
		if _, err := s.BySession(ctx, second); err != nil {
			t.Errorf("the other session ended: %v", err)
		}

		if _, _, err := s.CreateOwnToken(ctx, kim.Actor(), "  "); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("a token without a name: %v", err)
		}
		tok, secret, err := s.CreateOwnToken(ctx, kim.Actor(), "zapier")
		if err != nil || tok.ID == 0 || len(secret) < 40 {
			t.Fatalf("create token: %v %+v", err, tok)
		}
		clock = clock.Add(time.Minute)
		if u, err := s.ByToken(ctx, secret); err != nil || u.ID != kim.ID {
			t.Fatalf("the new token: %v %+v", err, u)
		}
		list, err := s.Tokens(ctx, kim.Actor(), kim.ID)
		if err != nil || len(list) != 1 || list[0].Name != "zapier" || !list[0].LastUsedAt.Equal(clock) {
			t.Fatalf("tokens: %v %+v", err, list)
		}
		if _, err := s.Tokens(ctx, lee.Actor(), kim.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales listed another's tokens: %v", err)
		}
		if err := s.RevokeToken(ctx, lee.Actor(), kim.ID, tok.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales revoked another's token: %v", err)
		}
		if err := s.RevokeToken(ctx, lee.Actor(), lee.ID, tok.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("a token named as one's own: %v", err)
		}
		if all, err := s.AllTokens(ctx, ann.Actor()); err != nil || len(all) != 1 {
			t.Errorf("all tokens: %v %+v", err, all)
		}
		if err := s.RevokeToken(ctx, ann.Actor(), kim.ID, tok.ID); err != nil {
			t.Fatalf("an admin revoking a token: %v", err)
		}
		if _, err := s.ByToken(ctx, secret); err == nil {
			t.Error("a revoked token works")
		}
	})
}
