package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// The Export CSV button of a filtered lead list exports what the list
// shows, as a user clicking it gets it.
func TestBrowserExportButtonKeepsTheFilter(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedLeads(t, db)
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads?source=referral", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows := downloadCSV(t, ctx, `a[href^="/leads/export.csv"]`)
	if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], ","), "ben@delta.de") {
		t.Errorf("export of the referral leads: %v; want the header and Ben's row", rows)
	}
}

// A confirmation page puts the keyboard on Cancel, so Enter never does
// the irreversible thing.
func TestBrowserConfirmationFocusesCancel(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedLeads(t, db)
	var focused, url string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads/1/delete", "mia@example.com"),
		chromedp.WaitVisible(`.confirm`),
		chromedp.Evaluate(`document.activeElement.textContent.trim()`, &focused),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`#lead-stage`, chromedp.ByID),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatal(err)
	}
	if focused != "Cancel" || !strings.HasSuffix(url, "/leads/1") {
		t.Errorf("focus on %q; Enter led to %s; want Cancel, back to the lead", focused, url)
	}
	if status, _ := f.call(t, "admin", "GET", "/api/v1/leads/1", ""); status != 200 {
		t.Errorf("the lead is gone after Enter on its delete page: %d", status)
	}
}
