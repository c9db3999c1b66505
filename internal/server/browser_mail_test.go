package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// A visitor ticks the consent box of a double opt-in form, confirms from
// the email with the button, and the marketer sees the proof on the
// lead's page; all at phone width.
func TestBrowserDoubleOptInFromFormToConfirmation(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f, smtp := mailFixture(t, db)
	createForm(t, f, optInForm)

	var thanks, done, history string
	var overflow bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(f.srv.URL+"/f/news"),
		chromedp.WaitVisible(`#lf-email`, chromedp.ByID),
		chromedp.SendKeys(`#lf-email`, "sigrid@example.no", chromedp.ByID),
		chromedp.SendKeys(`#lf-first_name`, "Sigrid", chromedp.ByID),
		chromedp.Click(`#lf-consent`, chromedp.ByID),
		chromedp.Sleep(2100*time.Millisecond), // a person's fill time
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible(`.lf-thanks`),
		chromedp.Text(`.lf-thanks`, &thanks),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(thanks, "confirm your subscription") {
		t.Errorf("thank-you page: %q", thanks)
	}
	link := linkIn(t, smtp.Wait(t, 1, 10*time.Second)[0])
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+link),
		chromedp.WaitVisible(`button[type="submit"]`),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible(`main [role="status"]`),
		chromedp.Text(`main`, &done),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "consent-confirmed-phone")
	if overflow {
		t.Error("the confirmation page scrolls sideways at 390px")
	}
	if !strings.Contains(done, "Your subscription is confirmed") {
		t.Errorf("after the button: %q", done)
	}
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		signIn(f.srv.URL+"/leads", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Click(`//a[contains(., "sigrid@example.no") or contains(., "Sigrid")]`),
		chromedp.WaitVisible(`#consent`, chromedp.ByID),
		chromedp.Text(`#consent`, &history, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Confirmed from the email", "Confirmation asked by email", "monthly newsletter", "127.0.0.1"} {
		if !strings.Contains(history, want) {
			t.Errorf("consent history lacks %q:\n%s", want, history)
		}
	}
}

// An admin invites a colleague from the users page; the colleague opens
// the emailed link, chooses a password, and is signed in.
func TestBrowserInvitation(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f, smtp := mailFixture(t, db)

	var note string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/users", "admin@example.com"),
		chromedp.WaitVisible(`#inv-email`, chromedp.ByID),
		chromedp.SendKeys(`#inv-email`, "alessia@example.it", chromedp.ByID),
		chromedp.SendKeys(`#inv-name`, "Alessia Conti", chromedp.ByID),
		chromedp.SetValue(`#inv-role`, "sales", chromedp.ByID),
		chromedp.Click(`//button[contains(., "Send invitation")]`),
		chromedp.WaitVisible(`#invitations .flash`),
		chromedp.Text(`#invitations .flash`, &note),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "users-invited")
	if !strings.Contains(note, "on its way to alessia@example.it") {
		t.Errorf("after inviting: %q", note)
	}
	m := smtp.Wait(t, 1, 10*time.Second)[0]
	got := inviteLink.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no link in %q", m.Text)
	}
	guest := chromium(t)
	var heading, who string
	var overflow bool
	err = chromedp.Run(guest,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(f.srv.URL+got[1]),
		chromedp.WaitVisible(`#i-password`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.ActionFunc(func(context.Context) error { screenshot(t, guest, "invitation-phone"); return nil }),
		chromedp.SendKeys(`#i-password`, "una password lunga", chromedp.ByID),
		chromedp.SendKeys(`#i-password2`, "una password lunga\n", chromedp.ByID),
		chromedp.WaitNotPresent(`#i-password`, chromedp.ByID),
		chromedp.Text(`h1`, &heading),
		chromedp.Navigate(f.srv.URL+"/account"),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.Text(`main`, &who, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the invitation page scrolls sideways at 390px")
	}
	if !strings.Contains(who, "alessia@example.it") {
		t.Errorf("not signed in as the invited user: %q (landed on %q)", who, heading)
	}
}
