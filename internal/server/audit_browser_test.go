package server_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// TestBrowserAuditPage: in Chromium, a sales user who opens /audit gets
// the refusal and no link to it; an admin sees the team's entries,
// narrows them by clicking the filters (actor, then subject), follows an
// entry to its subject, clears the filter, filters by action, and the
// Download CSV link saves exactly the entries the page shows, in its
// order.
func TestBrowserAuditPage(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	for _, c := range []struct{ role, method, path, body string }{
		{"marketing", "POST", "/api/v1/leads", `{"email":"ana@orbit.example","first_name":"Ana","company":"Orbit"}`},
		{"marketing", "POST", "/api/v1/forms", `{"slug":"demo","name":"Demo","fields":[{"name":"email"}]}`},
		{"marketing", "PUT", "/api/v1/channel-spend", `{"source":"ads","month":"2026-10","amount":"100","currency":"EUR"}`},
		{"sales", "POST", "/api/v1/accounts", `{"name":"Orbit"}`},
		{"sales", "POST", "/api/v1/leads", `{"email":"ben@delta.example"}`},
		{"admin", "PUT", "/api/v1/pipeline", `{"open_stages":["Discovery","Demo","Proposal"]}`},
	} {
		if status, out := f.call(t, c.role, c.method, c.path, c.body); status >= 300 {
			t.Fatalf("%s %s as %s: %d %v", c.method, c.path, c.role, status, out)
		}
	}

	// Sales is refused, and offered no link.
	var heading, links string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads", "sam@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Evaluate(`[...document.querySelectorAll('a')].map(a => a.getAttribute('href')).join(' ')`, &links),
		chromedp.Navigate(f.srv.URL+"/audit"),
		chromedp.WaitVisible(`section.card h1`),
		chromedp.Text(`section.card h1`, &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Forbidden" || strings.Contains(links, "/audit") {
		t.Errorf("sales at /audit: %q; links %s", heading, links)
	}

	// The admin sees every entry.
	err = chromedp.Run(ctx,
		network.ClearBrowserCookies(),
		signIn(f.srv.URL+"/audit", "admin@example.com"),
		chromedp.WaitVisible(`table.audit`),
	)
	if err != nil {
		t.Fatal(err)
	}
	all := auditRows(t, ctx)
	for _, want := range []string{
		"mia@example.com lead.create Lead", "mia@example.com form.create Form", "mia@example.com spend.set Channel spend",
		"sam@example.com account.create Account", "sam@example.com lead.create Lead", "admin@example.com settings.pipeline Settings",
	} {
		if !slices.ContainsFunc(all, func(r string) bool { return strings.HasPrefix(r, want) }) {
			t.Errorf("the log lacks %q: %q", want, all)
		}
	}
	screenshot(t, ctx, "audit")

	// Filters, by clicking.
	err = chromedp.Run(ctx, chromedp.SendKeys(`#a-actor`, "mia@example.com", chromedp.ByID))
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.inline-form button[type=submit]`)
	mia := auditRows(t, ctx)
	if len(mia) != 3 || slices.ContainsFunc(mia, func(r string) bool { return !strings.HasPrefix(r, "mia@example.com ") }) {
		t.Errorf("filtered by mia: %q", mia)
	}
	if err := chromedp.Run(ctx, chromedp.SetValue(`#a-subject_type`, "lead", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.inline-form button[type=submit]`)
	miasLeads := auditRows(t, ctx)
	if len(miasLeads) != 1 || !strings.HasPrefix(miasLeads[0], "mia@example.com lead.create Lead ") {
		t.Errorf("mia's lead entries: %q", miasLeads)
	}
	// Its subject links to the lead.
	var filtered string
	if err := chromedp.Run(ctx, chromedp.Location(&filtered)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `table.audit td[data-label=Subject] a`)
	var title string
	if err := chromedp.Run(ctx, chromedp.Title(&title)); err != nil || !strings.Contains(title, "Ana") {
		t.Errorf("the entry's subject opened %q (%v)", title, err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(filtered), chromedp.WaitVisible(`table.audit`)); err != nil {
		t.Fatal(err)
	}
	// Clear, then an action prefix typed.
	clickToNavigate(t, ctx, `form.inline-form a[href="/audit"]`)
	if again := auditRows(t, ctx); !slices.Equal(again, all) {
		t.Errorf("after Clear: %q, want %q", again, all)
	}
	if err := chromedp.Run(ctx, chromedp.SendKeys(`#a-action`, "lead.", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.inline-form button[type=submit]`)
	leads := auditRows(t, ctx)
	if len(leads) != 2 || slices.ContainsFunc(leads, func(r string) bool { return !strings.Contains(r, " lead.create Lead ") }) {
		t.Errorf("action lead.: %q", leads)
	}

	// The download is what the page shows, the kind of record by its code,
	// which the page names as its filter does.
	var kinds map[string]string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('#a-subject_type option')].map(o => [o.value, o.text]))`, &kinds)); err != nil {
		t.Fatal(err)
	}
	got := downloadCSV(t, ctx, `a[download]`)
	if len(got) < 1 || got[0][3] != "actor" {
		t.Fatalf("the CSV: %q", got)
	}
	var fromCSV []string
	for _, r := range got[1:] {
		fromCSV = append(fromCSV, r[3]+" "+r[4]+" "+kinds[r[5]]+" "+r[6])
	}
	if !slices.Equal(fromCSV, leads) {
		t.Errorf("the CSV holds %q, the page shows %q", fromCSV, leads)
	}

	status, _ := f.call(t, "sales", "GET", "/api/v1/audit", "")
	if status != http.StatusForbidden {
		t.Errorf("sales through the API: %d", status)
	}
}

// auditRows reads the audit table as shown: "actor action subject" a row.
func auditRows(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var rows []string
	err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('table.audit tbody tr')].map(r =>
		[1, 2, 3].map(i => r.cells[i].innerText.trim()).join(' '))`, &rows))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// downloadCSV clicks the link sel, lets Chromium save what it downloads,
// and reads the saved file as CSV.
func downloadCSV(t *testing.T, ctx context.Context, sel string) [][]string {
	t.Helper()
	dir := t.TempDir()
	done := make(chan string, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	})
	err := chromedp.Run(ctx,
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dir).WithEventsEnabled(true).
			WithBrowserContextID(browserContext(ctx)),
		chromedp.Click(sel),
	)
	if err != nil {
		t.Fatal(err)
	}
	var guid string
	select {
	case guid = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("no download completed")
	}
	raw, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatalf("the download is not CSV: %v\n%s", err, raw)
	}
	return rows
}
