package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// The lead list's pager has page numbers: clicking one shows that page,
// marked as the current one, and Next goes on from it.
func TestBrowserNumberedPages(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	for i := range 70 {
		if status, body := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"page%02d@example.com"}`, i)); status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, body)
		}
	}
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`, chromedp.ByQuery),
		chromedp.Navigate(f.srv.URL+"/leads?limit=20&sort=email"),
		chromedp.WaitVisible(`.pager .numbers`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `.pager a[aria-label="Page 3"]`)
	var count, current, first string
	if err := chromedp.Run(ctx, chromedp.Text(`#count`, &count, chromedp.ByID),
		chromedp.Text(`.pager [aria-current=page]`, &current, chromedp.ByQuery),
		chromedp.Text(`table.leads tbody tr td[data-label=Name]`, &first, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(count, "41–60 of 70") || current != "3" || !strings.Contains(first, "page40@") {
		t.Errorf("page 3: %q, current %q, first row %q", count, current, first)
	}
	clickToNavigate(t, ctx, `.pager a[rel=next]`)
	if err := chromedp.Run(ctx, chromedp.Text(`#count`, &count, chromedp.ByID), chromedp.Text(`.pager [aria-current=page]`, &current, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(count, "61–70 of 70") || current != "4" {
		t.Errorf("after Next from page 3: %q, current %q", count, current)
	}
}
