package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func init() {
	matrix["GET /api/v1/search"] = allowed{"any", false}
	pageMatrix["GET /search"] = pageRule{who: "any"}
}

// One search finds leads, contacts, accounts and deals by name, email,
// company or domain, as far as the user may see them: a sales user
// finds their own and not another sales user's; a search of one letter
// is refused naming q.
func TestSearchEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		mine := sqlLead(t, f, "sales", `{"email":"ola@fjordkraft.example","first_name":"Ola","last_name":"Nordmann","company":"Fjordkraft"}`)
		if status, body := f.call(t, "sales", "POST", mine+"/convert", `{"opportunity":{"name":"Fjordkraft rollout","amount":9000,"currency":"NOK"}}`); status != 201 {
			t.Fatalf("convert: %d %v", status, body)
		}
		sqlLead(t, f, "sales2", `{"email":"kari@fjordfisk.example","first_name":"Kari","last_name":"Fjord","company":"Fjordfisk","owner":"sue@example.com"}`)
		status, got := f.call(t, "sales", "GET", "/api/v1/search?q=fjord", "")
		if status != http.StatusOK {
			t.Fatalf("search: %d %v", status, got)
		}
		found := map[string][]string{}
		for _, g := range got["data"].([]any) {
			g := g.(map[string]any)
			for _, h := range g["hits"].([]any) {
				found[fmt.Sprint(g["kind"])] = append(found[fmt.Sprint(g["kind"])], fmt.Sprint(h.(map[string]any)["title"]))
			}
		}
		want := map[string]string{"lead": "Ola Nordmann", "contact": "Ola Nordmann", "account": "Fjordkraft", "opportunity": "Fjordkraft rollout"}
		for kind, title := range want {
			if len(found[kind]) != 1 || found[kind][0] != title {
				t.Errorf("%s found %v, want only %q", kind, found[kind], title)
			}
		}
		if strings.Contains(fmt.Sprint(found), "Kari") {
			t.Errorf("a sales user finds another's lead: %v", found)
		}
		if status, got := f.call(t, "marketing", "GET", "/api/v1/search?q=kari@fjordfisk", ""); status != http.StatusOK || !strings.Contains(fmt.Sprint(got), "Kari Fjord") {
			t.Errorf("marketing searching by email: %d %v", status, got)
		}
		status, bad := f.call(t, "sales", "GET", "/api/v1/search?q=f", "")
		if fields, _ := bad["error"].(map[string]any)["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["q"] == nil {
			t.Errorf("a one-letter search: %d %v", status, bad)
		}
	})
}

// The search in the header, at phone width: typed and sent with Enter,
// it lands on the results, and a result opens its record.
func TestBrowserSearchFromTheHeader(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"ola@fjordkraft.example","first_name":"Ola","last_name":"Nordmann","company":"Fjordkraft"}`)
	var overflow bool
	var heading string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/home", "sam@example.com"),
		chromedp.WaitVisible(`#top-q`, chromedp.ByID),
		chromedp.SendKeys(`#top-q`, "nordmann\n", chromedp.ByID),
		chromedp.WaitVisible(`#found-lead`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the search results scroll sideways at 390 px")
	}
	screenshot(t, ctx, "search-phone")
	clickToNavigate(t, ctx, `#found-lead a.lead-name`)
	if err := chromedp.Run(ctx, chromedp.Text(`h1`, &heading, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var at string
	chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &at))
	if at != strings.TrimPrefix(path, "/api/v1") {
		t.Errorf("the result opened %s (%q), want %s", at, heading, path)
	}
}
