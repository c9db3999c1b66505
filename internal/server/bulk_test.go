package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func init() {
	matrix["POST /api/v1/leads/bulk"] = allowed{"any", false}
	pageMatrix["POST /leads/bulk"] = pageRule{who: "any", form: url.Values{}}
}

// A bulk action does for each lead what the single change would, and no
// more: a sales user assigns their own leads to themselves and is
// refused, lead by lead, another sales user's; a stage that needs a
// reason is refused without one; enrolling and deleting are for
// marketing; the timeline of each lead changed records it.
func TestBulkActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var ids []string
		for i, owner := range []string{"", "", "sue@example.com"} {
			status, l := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"bulk%d@example.com","owner":"%s"}`, i, owner))
			if status != http.StatusCreated {
				t.Fatalf("lead: %d %v", status, l)
			}
			ids = append(ids, fmt.Sprint(l["id"]))
		}
		all := "[" + strings.Join(ids, ",") + "]"
		status, res := f.call(t, "sales", "POST", "/api/v1/leads/bulk", `{"ids":`+all+`,"action":"assign","value":"sam@example.com"}`)
		if status != http.StatusOK || len(res["done"].([]any)) != 2 || len(res["refused"].([]any)) != 1 {
			t.Fatalf("sales assigns three leads, one of them Sue's: %d %v", status, res)
		}
		if status, l := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[2], ""); status != http.StatusOK || l["owner"] != "sue@example.com" {
			t.Errorf("Sue's lead after sales' bulk assign: %v", l["owner"])
		}
		if _, l := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[0], ""); l["owner"] != "sam@example.com" {
			t.Errorf("an unassigned lead after the bulk assign: %v", l["owner"])
		}
		status, res = f.call(t, "sales", "POST", "/api/v1/leads/bulk", `{"ids":[`+ids[0]+`,`+ids[1]+`],"action":"stage","value":"disqualified"}`)
		if status != http.StatusOK || len(res["refused"].([]any)) != 2 || !strings.Contains(fmt.Sprint(res["refused"]), "reason") {
			t.Errorf("disqualified without a reason: %d %v", status, res)
		}
		status, res = f.call(t, "sales", "POST", "/api/v1/leads/bulk", `{"ids":[`+ids[0]+`,`+ids[1]+`],"action":"stage","value":"disqualified","reason":"spam"}`)
		if status != http.StatusOK || len(res["done"].([]any)) != 2 {
			t.Errorf("disqualified with a reason: %d %v", status, res)
		}
		if status, _ := f.call(t, "sales", "POST", "/api/v1/leads/bulk", `{"ids":`+all+`,"action":"delete"}`); status != http.StatusForbidden {
			t.Errorf("sales deletes in bulk: %d", status)
		}
		if status, bad := f.call(t, "sales", "POST", "/api/v1/leads/bulk", `{"ids":[],"action":"shout"}`); status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(bad), "ids") || !strings.Contains(fmt.Sprint(bad), "action") {
			t.Errorf("no leads and an unknown action: %d %v", status, bad)
		}
		status, res = f.call(t, "marketing", "POST", "/api/v1/leads/bulk", `{"ids":`+all+`,"action":"delete"}`)
		if status != http.StatusOK || len(res["done"].([]any)) != 3 {
			t.Errorf("marketing deletes three: %d %v", status, res)
		}
		if status, _ := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[2], ""); status != http.StatusNotFound {
			t.Errorf("a deleted lead answers %d", status)
		}
	})
}

// On the lead list in Chromium, a marketing user ticks every lead of the
// page, moves them to nurturing with a reason, and then deletes two
// after confirming; the list says what was done each time.
func TestBrowserBulkOnTheLeadList(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	for i := range 3 {
		if status, body := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"tick%d@example.com","company":"Tick %d"}`, i, i)); status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, body)
		}
	}
	var flash string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "mia@example.com"),
		chromedp.WaitVisible(`#bulk`, chromedp.ByID),
		chromedp.Click(`#pick-all`, chromedp.ByID),
		chromedp.SetValue(`#bulk-action`, "stage", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("bulk-action").dispatchEvent(new Event("change"))`, nil),
		chromedp.SetValue(`#bulk select[name=stage]`, "nurturing", chromedp.ByQuery),
		chromedp.SendKeys(`#bulk input[name=reason]`, "next budget year", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#bulk button[type=submit]`)
	var nurturing int
	err = chromedp.Run(ctx,
		chromedp.Text(`.flash`, &flash, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("td[data-label=Stage]")].filter(td => /nurturing/i.test(td.textContent)).length`, &nurturing),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "Moved 3 leads.") || nurturing != 3 {
		t.Errorf("after moving three: %q, %d nurturing", flash, nurturing)
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`tbody tr:nth-child(1) input[name=id]`, chromedp.ByQuery),
		chromedp.Click(`tbody tr:nth-child(2) input[name=id]`, chromedp.ByQuery),
		chromedp.SetValue(`#bulk-action`, "delete", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#bulk button[type=submit]`)
	var question string
	if err := chromedp.Run(ctx, chromedp.Text(`.confirm h1`, &question, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if question != "Delete 2 leads?" {
		t.Errorf("the confirmation asks %q", question)
	}
	clickToNavigate(t, ctx, `.confirm button.danger`)
	var rows int
	err = chromedp.Run(ctx,
		chromedp.Text(`.flash`, &flash, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("table.leads tbody tr").length`, &rows),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "Deleted 2 leads.") || rows != 1 {
		t.Errorf("after deleting two: %q, %d rows left", flash, rows)
	}
}

// Ticked leads export as a CSV file through the bulk form's own button:
// exactly those leads, nothing else on the page.
func TestBrowserBulkExportSelection(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	for i := range 3 {
		if status, body := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"pick%d@example.com","company":"Pick %d"}`, i, i)); status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, body)
		}
	}
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "mia@example.com"),
		chromedp.WaitVisible(`#bulk`, chromedp.ByID),
		chromedp.Evaluate(`[...document.querySelectorAll('input[name=id][form=bulk]')].filter(b => /pick[02]@/.test(b.closest("tr").textContent)).forEach(b => b.click())`, nil),
		chromedp.SetValue(`#bulk-action`, "export", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("bulk-action").dispatchEvent(new Event("change"))`, nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows := downloadCSV(t, ctx, `#bulk button[type=submit]`)
	var emails []string
	for _, r := range rows[1:] {
		emails = append(emails, r[slices.Index(rows[0], "email")])
	}
	slices.Sort(emails)
	if !slices.Equal(emails, []string{"pick0@example.com", "pick2@example.com"}) {
		t.Errorf("the export of two ticked leads holds %v", emails)
	}
}
