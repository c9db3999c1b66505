package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

func init() {
	matrix["GET /api/v1/views"] = allowed{"any", false}
	matrix["POST /api/v1/views"] = allowed{"any", false}
	matrix["DELETE /api/v1/views/{id}"] = allowed{"any", true}
	// Views are each user's own: another's is refused to every role.
	pageMatrix["POST /views"] = pageRule{who: "any", form: url.Values{"name": {"Matrix {role}"}, "query": {"stage=mql"}}}
	pageMatrix["GET /views/{id}/delete"] = pageRule{who: "nobody", record: "others-view"}
	pageMatrix["POST /views/{id}/delete"] = pageRule{who: "nobody", record: "others-view", form: url.Values{}}
}

// viewRecords gives Sue a saved view, for the walks to find refused.
func viewRecords(t *testing.T, f *fixture, recs records, role string, ids map[string]string) {
	t.Helper()
	status, v := f.call(t, "sales2", "POST", "/api/v1/views", `{"name":"Sue's `+role+`","query":"stage=sql"}`)
	if status != http.StatusCreated {
		t.Fatalf("sue's view: %d %v", status, v)
	}
	if recs != nil {
		recs["others-view"] = fmt.Sprint(v["id"])
	}
	if ids != nil {
		ids["/api/v1/views/{id}"] = fmt.Sprint(v["id"])
	}
}

// A saved view keeps the lead list's filters and order under a name for
// its user alone: saving checks the filters and drops paging, saving a
// name again replaces the view, and another user neither sees nor
// deletes it.
func TestSavedViews(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, v := f.call(t, "sales", "POST", "/api/v1/views", `{"name":"Hot in Norway","query":"?grade=hot&country=NO&sort=-score&cursor=abc"}`)
	if status != http.StatusCreated || v["query"] != "country=NO&grade=hot&sort=-score" {
		t.Fatalf("save: %d %v", status, v)
	}
	if status, bad := f.call(t, "sales", "POST", "/api/v1/views", `{"name":"","query":"min_score=lots"}`); status != http.StatusUnprocessableEntity ||
		!strings.Contains(fmt.Sprint(bad), "name") || !strings.Contains(fmt.Sprint(bad), "query") {
		t.Errorf("a view without a name and with a bad filter: %d %v", status, bad)
	}
	if status, again := f.call(t, "sales", "POST", "/api/v1/views", `{"name":"hot in norway","query":"grade=hot&country=NO"}`); status != http.StatusCreated || again["query"] != "country=NO&grade=hot" {
		t.Errorf("saving the name again: %d %v", status, again)
	}
	_, list := f.call(t, "sales", "GET", "/api/v1/views", "")
	if data := list["data"].([]any); len(data) != 1 {
		t.Errorf("after saving a name twice: %v", data)
	}
	if _, theirs := f.call(t, "sales2", "GET", "/api/v1/views", ""); len(theirs["data"].([]any)) != 0 {
		t.Errorf("another user sees the view: %v", theirs)
	}
	id := fmt.Sprint(list["data"].([]any)[0].(map[string]any)["id"])
	if status, _ := f.call(t, "sales2", "DELETE", "/api/v1/views/"+id, ""); status != http.StatusNotFound {
		t.Errorf("another user deletes the view: %d", status)
	}
	if status, _ := f.call(t, "sales", "DELETE", "/api/v1/views/"+id, ""); status != http.StatusNoContent {
		t.Errorf("deleting one's view: %d", status)
	}
}

// In Chromium: filter the lead list, save it as a view, come back to it
// from its tab at phone width, and delete it after confirming.
func TestBrowserSavedView(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	sqlLead(t, f, "sales", `{"email":"ola@fjord.example","company":"Fjord","country":"NO"}`)
	sqlLead(t, f, "sales", `{"email":"ana@carpat.example","company":"Carpat","country":"RO"}`)
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "sam@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.SetValue(`#country`, "NO", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.filters button.primary`)
	if err := chromedp.Run(ctx, chromedp.SendKeys(`#view-name`, "Norway", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.save-view button`)
	var rows int
	var overflow bool
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(f.srv.URL+"/leads"),
		chromedp.WaitVisible(`nav.views`),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `nav.views a[href*="country=NO"]`)
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelectorAll("table.leads tbody tr").length`, &rows),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1 || overflow {
		t.Errorf("the view shows %d leads (want the one in Norway); scrolls sideways: %v", rows, overflow)
	}
	clickToNavigate(t, ctx, `nav.views a.remove-view`)
	clickToNavigate(t, ctx, `.confirm button.danger`)
	var tabs int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("nav.views a").length`, &tabs)); err != nil {
		t.Fatal(err)
	}
	if tabs != 0 {
		t.Errorf("after deleting the only view, %d view tabs remain", tabs)
	}
}
