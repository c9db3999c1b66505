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

func TestSessionsExpireAndEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db)
		clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		if _, err := s.Create(ctx, Input{Email: "Kim@Example.com", Password: "correct horse battery", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "wrong horse battery"); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("wrong password: %v", err)
		}
		if _, _, err := s.Login(ctx, "nobody@example.com", "correct horse battery"); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("unknown email: %v", err)
		}
		secret, u, err := s.Login(ctx, " KIM@example.com ", "correct horse battery")
		if err != nil || u.Email != "Kim@example.com" {
			t.Fatalf("login with other case and spaces: %v %+v", err, u)
		}
		clock = clock.Add(SessionTTL - time.Minute)
		if _, err := s.BySession(ctx, secret); err != nil {
			t.Errorf("session refused before it expires: %v", err)
		}
		clock = clock.Add(2 * time.Minute)
		if _, err := s.BySession(ctx, secret); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("expired session accepted: %v", err)
		}

		clock = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		secret, _, _ = s.Login(ctx, "kim@example.com", "correct horse battery")
		if err := s.Logout(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BySession(ctx, secret); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("session works after logout: %v", err)
		}

		tok, err := s.CreateToken(ctx, "kim@example.com", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if u, err := s.ByToken(ctx, tok); err != nil || u.Role != access.Sales {
			t.Errorf("token: %+v %v", u, err)
		}
		if _, err := s.ByToken(ctx, tok+"x"); fault.CodeOf(err) != fault.Unauthorized {
			t.Errorf("altered token accepted: %v", err)
		}
		if _, err := s.CreateToken(ctx, "ghost@example.com", ""); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("token for unknown user: %v", err)
		}
		if _, err := s.Create(ctx, Input{Email: "kim@EXAMPLE.com", Password: "correct horse battery", Role: access.Admin}); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("duplicate user: %v", err)
		}
		if err := s.SetPassword(ctx, "kim@example.com", "another long one"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "kim@example.com", "another long one"); err != nil {
			t.Errorf("new password refused: %v", err)
		}
	})
}
