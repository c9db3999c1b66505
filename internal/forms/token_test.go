package forms_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/lead"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

// TestFillTimeTokensAcrossInstances runs two form services on one
// database, as two instances behind a load balancer: a form shown by one
// is checked by the other, a token leadflow did not sign is refused as a
// bot, and a key rotation leaves forms shown just before it working.
func TestFillTimeTokensAcrossInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		instance := func() *forms.Service {
			s := forms.NewService(db, lead.NewService(db))
			s.SetClock(func() time.Time { return clock })
			return s
		}
		a, b := instance(), instance()
		f, err := a.Create(ctx, access.System, forms.Form{Slug: "news", Name: "Newsletter", Fields: []forms.Field{{Name: "email"}}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		send := func(s *forms.Service, token string) bool {
			t.Helper()
			n++
			res, err := s.Submit(ctx, f, map[string]string{"email": fmt.Sprintf("v%d@example.com", n), forms.TokenField: token}, forms.Meta{})
			if err != nil {
				t.Fatalf("submission %d: %v", n, err)
			}
			return res.Spam
		}
		issue := func(s *forms.Service) string {
			t.Helper()
			tok, err := s.IssueToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}

		shownByA := issue(a)
		clock = clock.Add(500 * time.Millisecond)
		if !send(b, shownByA) {
			t.Error("B let through a form A showed half a second earlier: B cannot read A's tokens")
		}
		shownByB := issue(b)
		clock = clock.Add(5 * time.Second)
		if send(a, shownByB) {
			t.Error("A refused a form B showed five seconds earlier")
		}
		if send(b, "") {
			t.Error("a submission without a token (an API client) was refused")
		}

		ts, sig, _ := strings.Cut(issue(a), ".")
		clock = clock.Add(5 * time.Second)
		backdated := fmt.Sprint(clock.Add(-time.Hour).UnixMilli())
		for name, forged := range map[string]string{
			"made-up signature":   ts + ".AAAAAAAAAAAAAAAA",
			"backdated time":      backdated + "." + sig,
			"no signature":        ts,
			"not a token at all":  "hello",
			"signature elsewhere": "." + sig,
		} {
			if !send(b, forged) {
				t.Errorf("forged token (%s) accepted", name)
			}
		}

		// B rotates the key; A still holds the old one in its cache.
		shownBefore := issue(a)
		if _, err := b.Secrets().Rotate(ctx, secret.FormToken); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(10 * time.Second)
		if send(a, shownBefore) || send(b, shownBefore) {
			t.Error("a form shown just before the rotation was refused")
		}
		shownByB, shownByA = issue(b), issue(a)
		clock = clock.Add(5 * time.Second)
		if send(a, shownByB) {
			t.Error("A refused a token signed with the key B rotated in")
		}
		if send(b, shownByA) {
			t.Error("a token A signed after the rotation was refused")
		}
		clock = clock.Add(secret.DefaultGrace)
		if !send(a, shownBefore) {
			t.Error("a token signed with the old key was accepted after the grace period")
		}
	})
}
