package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// wordyList is a list page and the element it waits for.
type wordyList struct{ name, path, table string }

// wordyLists makes the wordy leads over the API, each qualified and
// converted into an account, a contact and a deal named after the
// company, and a segment of every lead and one of every account; it
// returns the lists that show them.
func wordyLists(t *testing.T, f *fixture, db *sqldb.DB) []wordyList {
	t.Helper()
	for _, l := range wordyLeads {
		body, _ := json.Marshal(map[string]string{"first_name": l.First, "last_name": l.Last, "email": l.Email,
			"company": l.Company, "job_title": l.Title, "stage": "sql", "owner": "sam@example.com"})
		status, out := f.call(t, "sales", "POST", "/api/v1/leads", string(body))
		if status != http.StatusCreated {
			t.Fatalf("create %s: %d %v", l.Email, status, out)
		}
		body, _ = json.Marshal(map[string]any{"opportunity": map[string]any{"name": l.Company + " renewal 2027", "amount": 12000, "currency": "EUR"}})
		status, conv := f.call(t, "sales", "POST", fmt.Sprintf("/api/v1/leads/%v/convert", out["id"]), string(body))
		if status != http.StatusCreated {
			t.Fatalf("convert %s: %d %v", l.Email, status, conv)
		}
		body, _ = json.Marshal(map[string]any{"title": l.Company + " rollout", "type": "implementation", "account_id": conv["account_id"]})
		if status, p := f.call(t, "sales", "POST", "/api/v1/projects", string(body)); status != http.StatusCreated {
			t.Fatalf("project of %s: %d %v", l.Company, status, p)
		}
		body, _ = json.Marshal(map[string]any{"vendor": l.Last, "product": l.Company + " Suite", "category": "crm",
			"deployments": []string{"cloud"}, "price": "100", "price_period": "month", "currency": "EUR"})
		if status, s := f.call(t, "admin", "POST", "/api/v1/solutions", string(body)); status != http.StatusCreated {
			t.Fatalf("solution of %s: %d %v", l.Company, status, s)
		}
	}
	segment := func(body string) string {
		status, seg := f.call(t, "marketing", "POST", "/api/v1/segments", body)
		if status != http.StatusCreated {
			t.Fatalf("segment %s: %d %v", body, status, seg)
		}
		return fmt.Sprint("/segments/", seg["id"])
	}
	leads := segment(`{"name":"Every lead"}`)
	accounts := segment(`{"kind":"accounts","name":"Every account"}`)
	settleAccounts(t, db)
	return []wordyList{
		{"accounts", "/accounts", "table.leads"},
		{"contacts", "/contacts", "table.leads"},
		{"deals", "/deals?view=list", "table.leads"},
		{"a lead segment's members", leads, "table.members"},
		{"an account segment's members", accounts, "#segment-accounts"},
		{"projects", "/projects?view=list", "#project-list"},
		{"solutions", "/solutions", "table.solutions"},
	}
}

// A salesperson reads the accounts, contacts, deals, a segment's members,
// the projects and the catalog's solutions on a 390 px phone: as on the lead list, each row is a card, no
// name, email, company, account or job title is broken inside a word,
// a word longer than the line ends in an ellipsis, and no page scrolls
// sideways.
func TestBrowserPhoneListsKeepWordsWhole(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	lists := wordyLists(t, f, db)
	if err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/accounts", "admin@example.com"),
		chromedp.WaitVisible(`table.leads`),
	); err != nil {
		t.Fatal(err)
	}
	for _, list := range lists {
		var rows int
		var broken []string
		var overflow bool
		err := chromedp.Run(ctx,
			chromedp.Navigate(f.srv.URL+list.path),
			chromedp.WaitVisible(list.table),
			chromedp.Evaluate(`document.querySelectorAll("table.leads tbody a.lead-name").length`, &rows),
			chromedp.Evaluate(brokenWords, &broken),
			chromedp.Evaluate(widerThanScreen, &overflow),
		)
		if err != nil {
			t.Fatalf("%s: %v", list.name, err)
		}
		screenshot(t, ctx, "phone-words-"+strings.ReplaceAll(list.name, " ", "-"))
		if rows != len(wordyLeads) {
			t.Errorf("%s (%s) shows %d rows, want %d", list.name, list.path, rows, len(wordyLeads))
		}
		if len(broken) > 0 {
			t.Errorf("on a 390 px phone %s breaks or cuts off words:\n%s", list.name, strings.Join(broken, "\n"))
		}
		if overflow {
			t.Errorf("%s scrolls sideways on a 390 px phone", list.name)
		}
	}
}

// cutEmail tells how the list draws an email: whether it is shown, cut
// short of its full width, ends in an ellipsis, and what title (a
// tooltip) its element or a parent gives in full.
const cutEmail = `((email) => {
	const el = [...document.querySelectorAll("table tbody *")].filter((e) => e.textContent.trim() === email).pop();
	if (!el) return {shown: false};
	const r = document.createRange();
	r.selectNodeContents(el);
	const holder = el.closest("[title]");
	return {
		shown: true,
		cut: r.getBoundingClientRect().width > el.getBoundingClientRect().width + 1,
		ellipsis: getComputedStyle(el).textOverflow === "ellipsis",
		title: holder ? holder.title : "",
	};
})`

// On a 1280 px desktop a lead whose email runs to 71 characters, beside
// a surname and a company of one long word, does not widen the lead list
// past the window (it was 1564 px wide and the page scrolled sideways):
// the email is cut with an ellipsis and shown whole in its tooltip. Nor
// does any other list of them grow wider than the window.
func TestBrowserDesktopListsFitLongEmails(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	lists := wordyLists(t, f, db)
	long := ""
	for _, l := range wordyLeads {
		if len(l.Email) > len(long) {
			long = l.Email
		}
	}
	if err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		signIn(f.srv.URL+"/accounts", "admin@example.com"),
		chromedp.WaitVisible(`table.leads`),
	); err != nil {
		t.Fatal(err)
	}
	for _, list := range append([]wordyList{{"the lead list", "/leads", "table.leads"}}, lists...) {
		var width, window int
		var email struct {
			Shown, Cut, Ellipsis bool
			Title                string
		}
		var broken []string
		err := chromedp.Run(ctx,
			chromedp.Navigate(f.srv.URL+list.path),
			chromedp.WaitVisible(list.table),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
			chromedp.Evaluate(`window.innerWidth`, &window),
			chromedp.Evaluate(fmt.Sprintf("%s(%q)", cutEmail, long), &email),
			chromedp.Evaluate(brokenWords, &broken),
		)
		if err != nil {
			t.Fatalf("%s: %v", list.name, err)
		}
		screenshot(t, ctx, "desktop-words-"+strings.ReplaceAll(list.name, " ", "-"))
		if width > window {
			t.Errorf("at 1280 px %s is %d px wide: the page scrolls sideways", list.name, width)
		}
		if len(broken) > 0 {
			t.Errorf("at 1280 px %s breaks or cuts off words:\n%s", list.name, strings.Join(broken, "\n"))
		}
		if email.Shown && (email.Cut && !email.Ellipsis || email.Title != long) {
			t.Errorf("at 1280 px %s shows %s cut %v, with an ellipsis %v, in full in its title %q", list.name, long, email.Cut, email.Ellipsis, email.Title)
		}
		if list.path == "/leads" && !email.Shown {
			t.Errorf("the lead list does not show %s", long)
		}
	}
}
