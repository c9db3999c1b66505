package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
)

// syncSegments runs the membership job to the end, as the server's
// runner would: the handle a test waits on.
func syncSegments(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := segment.NewSyncer(db).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSegmentsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedLeads(t, db) // Ana (RO, MQL, unassigned), Ben (DE, Sam's), Cy (IT, customer)

		status, body := f.call(t, "marketing", "POST", "/api/v1/segments",
			`{"name":"Bad","conditions":[{"field":"stage","op":"in","values":["mql"]},{"field":"company","op":"contains"},{"field":"event","op":"at_least","event_type":"page_view","count":2,"days":0}]}`)
		fields := errorFields(body)
		if status != http.StatusUnprocessableEntity || fields["conditions.1.value"] == nil || fields["conditions.2.days"] == nil {
			t.Fatalf("a bad segment: %d %v", status, body)
		}
		if status, body := f.call(t, "sales", "POST", "/api/v1/segments", `{"name":"Mine"}`); status != http.StatusForbidden {
			t.Errorf("sales making a segment: %d %v", status, body)
		}

		status, seg := f.call(t, "marketing", "POST", "/api/v1/segments",
			`{"name":"Europe, not customers","conditions":[{"field":"country","op":"in","values":["RO","Germany"]},{"field":"stage","op":"not_in","values":["customer"]}]}`)
		if status != http.StatusCreated || seg["name"] != "Europe, not customers" {
			t.Fatalf("create: %d %v", status, seg)
		}
		id := fmt.Sprint(seg["id"])
		status, prev := f.call(t, "marketing", "POST", "/api/v1/segments/preview", `{"conditions":[{"field":"country","op":"in","values":["RO","DE"]}]}`)
		if status != http.StatusOK || fmt.Sprint(prev["count"]) != "2" {
			t.Errorf("preview: %d %v", status, prev)
		}
		syncSegments(t, db)

		_, got := f.call(t, "sales", "GET", "/api/v1/segments/"+id, "")
		if fmt.Sprint(got["members"]) != "2" || got["filled"] != true {
			t.Errorf("after the fill: %v", got)
		}
		_, page := f.call(t, "marketing", "GET", "/api/v1/segments/"+id+"/members?limit=1", "")
		first := page["data"].([]any)
		next, _ := page["next_cursor"].(string)
		if len(first) != 1 || next == "" {
			t.Fatalf("first page: %v", page)
		}
		_, page = f.call(t, "marketing", "GET", "/api/v1/segments/"+id+"/members?limit=1&cursor="+url.QueryEscape(next), "")
		second := page["data"].([]any)
		if len(second) != 1 || page["next_cursor"] != nil || first[0].(map[string]any)["email"] == second[0].(map[string]any)["email"] {
			t.Errorf("second page: %v after %v", page, first)
		}
		if status, body := f.call(t, "marketing", "GET", "/api/v1/segments/"+id+"/members?cursor=zz", ""); status != http.StatusUnprocessableEntity || errorFields(body)["cursor"] == nil {
			t.Errorf("a bad cursor: %d %v", status, body)
		}
		// Sue sees the count but not Sam's lead Ben.
		_, page = f.call(t, "sales2", "GET", "/api/v1/segments/"+id+"/members", "")
		if data := page["data"].([]any); len(data) != 1 || data[0].(map[string]any)["email"] != "ana@orbit.io" || fmt.Sprint(page["members"]) != "2" {
			t.Errorf("Sue's view of the members: %v", page)
		}

		// Cy moves to Germany: he is a customer, so stays out; Ben becomes
		// a customer and leaves.
		_, leads := f.call(t, "admin", "GET", "/api/v1/leads?q=cy@nova.it", "")
		cy := fmt.Sprint(leads["data"].([]any)[0].(map[string]any)["id"])
		if status, body := f.call(t, "admin", "PATCH", "/api/v1/leads/"+cy, `{"country":"DE"}`); status != http.StatusOK {
			t.Fatalf("move Cy: %d %v", status, body)
		}
		status, upd := f.call(t, "marketing", "PATCH", "/api/v1/segments/"+id, `{"conditions":[{"field":"country","op":"in","values":["DE"]}],"version":1}`)
		if status != http.StatusOK || fmt.Sprint(upd["version"]) != "2" {
			t.Fatalf("edit: %d %v", status, upd)
		}
		if status, body := f.call(t, "marketing", "PATCH", "/api/v1/segments/"+id, `{"name":"stale","version":1}`); status != http.StatusConflict {
			t.Errorf("a stale edit: %d %v", status, body)
		}
		syncSegments(t, db)
		_, page = f.call(t, "admin", "GET", "/api/v1/segments/"+id+"/members", "")
		var emails []string
		for _, m := range page["data"].([]any) {
			emails = append(emails, m.(map[string]any)["email"].(string))
		}
		if strings.Join(emails, " ") != "cy@nova.it ben@delta.de" && strings.Join(emails, " ") != "ben@delta.de cy@nova.it" || fmt.Sprint(page["members"]) != "2" {
			t.Errorf("Germany after the edit: %v (%v)", emails, page["members"])
		}
		if status, _ := f.call(t, "marketing", "DELETE", "/api/v1/segments/"+id, ""); status != http.StatusNoContent {
			t.Errorf("delete: %d", status)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/segments/"+id, ""); status != http.StatusNotFound {
			t.Errorf("after delete: %d", status)
		}
	})
}

func TestSegmentPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedLeads(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")

		form := url.Values{"name": {"Web leads"}, "combine": {"all"}, "c0_field": {"source"}, "c0_op": {"in"}, "c0_list": {"web"},
			"c1_field": {"score"}, "c1_op": {"between"}, "c1_min": {"ten"}, "action": {"save"}}
		status, _, page := b.post("/segments", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Lowest value must be a whole number") || !strings.Contains(page, `value="Web leads"`) {
			t.Fatalf("a bad number: %d", status)
		}
		form.Set("c1_min", "50")
		form.Set("action", "preview")
		status, _, page = b.post("/segments", form)
		if status != http.StatusOK || !strings.Contains(page, `<strong>1</strong> lead matches now`) || !strings.Contains(page, "Ana Pop") {
			t.Fatalf("preview: %d\n%s", status, page)
		}
		form.Set("action", "add")
		if _, _, page = b.post("/segments", form); !strings.Contains(page, `name="c2_field"`) || strings.Contains(page, `name="c3_field"`) {
			t.Errorf("add condition shows no third row")
		}
		form.Set("remove", "1")
		form.Set("action", "")
		if _, _, page = b.post("/segments", form); strings.Contains(page, `name="c1_min"`) && strings.Contains(page, `value="50"`) {
			t.Errorf("the removed row is still there")
		}
		form.Del("remove")
		form.Set("action", "save")
		status, loc, _ := b.post("/segments", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/segments/") {
			t.Fatalf("save: %d %q", status, loc)
		}
		syncSegments(t, db)
		_, _, page = b.get(loc)
		if !strings.Contains(page, `<strong id="segment-count">1</strong>`) || !strings.Contains(page, "Ana Pop") || !strings.Contains(page, "Score at least 50") {
			t.Errorf("segment page:\n%s", page)
		}
		_, _, page = b.get("/segments")
		if !strings.Contains(page, "Web leads") || !strings.Contains(page, `data-segment=`) {
			t.Errorf("segment list:\n%s", page)
		}

		sales := newBrowser(t, f.srv.URL)
		sales.login("sam@example.com")
		if status, _, _ := sales.get("/segments"); status != http.StatusOK {
			t.Errorf("sales viewing segments: %d", status)
		}
		if status, _, _ := sales.get(loc); status != http.StatusOK {
			t.Errorf("sales viewing a segment: %d", status)
		}
		for _, p := range []string{"/segments/new", loc + "/edit", loc + "/delete"} {
			if status, _, _ := sales.get(p); status != http.StatusForbidden {
				t.Errorf("sales opening %s: %d", p, status)
			}
		}
		if status, _, _ := sales.post("/segments", form); status != http.StatusForbidden {
			t.Errorf("sales saving a segment: %d", status)
		}
	})
}

// pastTheEdge reports whether anything on the page reaches past the
// screen's right edge.
const pastTheEdge = `Math.max(...[...document.querySelectorAll("main *")].map((e) => e.getBoundingClientRect().right)) > document.documentElement.clientWidth`

// TestBrowserBuildSegment builds a segment in the editor with the
// keyboard, counts it, saves it and sees its members, on a phone-sized
// screen.
func TestBrowserBuildSegment(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedLeads(t, db)

	var overflow bool
	var count, opShown string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/segments/new", "mia@example.com"),
		chromedp.WaitVisible(`#name`, chromedp.ByID),
		chromedp.SendKeys(`#name`, "Romania and Germany", chromedp.ByID),
		// Typing on a focused select picks the option, as a keyboard user
		// would; the script then shows the inputs that fit the field.
		chromedp.Focus(`#c0_field`, chromedp.ByID),
		chromedp.SendKeys(`#c0_field`, "Country", chromedp.ByID),
		chromedp.WaitVisible(`input[name=c0_list]`),
		chromedp.Evaluate(`document.getElementById("c0_op").selectedOptions[0].textContent`, &opShown),
		chromedp.SendKeys(`input[name=c0_list]`, "Romania, DE", chromedp.ByQuery),
		chromedp.Evaluate(pastTheEdge, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the segment editor scrolls sideways on a 390px-wide phone")
	}
	if opShown != "is one of" {
		t.Errorf("after choosing Country the test shown is %q", opShown)
	}
	screenshot(t, ctx, "segment-editor-phone")
	clickToNavigate(t, ctx, `#count-button`)
	if err := chromedp.Run(ctx, chromedp.Text(`#preview-count`, &count, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if count != "2 leads match now." {
		t.Errorf("the editor counts %q", count)
	}
	clickToNavigate(t, ctx, `button[value=save]`)
	syncSegments(t, db)
	var members string
	err = chromedp.Run(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(`#segment-count`, chromedp.ByID),
		chromedp.Text(`#segment-count`, &count, chromedp.ByID),
		chromedp.Text(`table.members tbody`, &members, chromedp.ByQuery),
		chromedp.Evaluate(pastTheEdge, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "2" || !strings.Contains(members, "Ana Pop") || !strings.Contains(members, "Ben Kurz") || strings.Contains(members, "Cy Neri") {
		t.Errorf("the segment page counts %q and lists %q", count, members)
	}
	if overflow {
		t.Error("the segment page scrolls sideways on a phone")
	}
	screenshot(t, ctx, "segment-phone")
}
