package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/accountscore"
	"leadflow/internal/dbtest"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// settleAccounts runs the account score job, then the membership job,
// to the end, as the server's runner would.
func settleAccounts(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := accountscore.NewService(db, scoring.NewStore(db)).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	syncSegments(t, db)
}

// accountsFor makes the accounts of the ABM stories over the API and
// returns their ids by name.
func accountsFor(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, a := range []struct{ body, tier string }{
		{`{"name":"Nordwind Logistics","website":"nordwind.example","employees":1500,"country":"NO","owner":"sam@example.com"}`, "1"},
		{`{"name":"Fjord Fisk","website":"fjordfisk.example","employees":40,"country":"NO"}`, ""},
		{`{"name":"Acme Romania","website":"acme.example","employees":300,"revenue":80000000,"country":"RO"}`, "2"},
		{`{"name":"Globex Italia","website":"globex.example","country":"IT"}`, "3"},
	} {
		status, acc := f.call(t, "admin", "POST", "/api/v1/accounts", a.body)
		if status != http.StatusCreated {
			t.Fatalf("account: %d %v", status, acc)
		}
		id := fmt.Sprint(acc["id"])
		ids[fmt.Sprint(acc["name"])] = id
		if a.tier != "" {
			if status, body := f.call(t, "admin", "PUT", "/api/v1/accounts/"+id+"/tier", `{"tier":`+a.tier+`}`); status != http.StatusOK {
				t.Fatalf("tier: %d %v", status, body)
			}
		}
	}
	return ids
}

// Account segments over the API: made with a kind, refused with a lead
// field or a lead segment inside, listed by kind, previewed, their
// accounts listed through the accounts list sorted by the stored score,
// and their people enrolled in a sequence; on both databases.
func TestAccountSegmentsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ids := accountsFor(t, f)
		status, body := f.call(t, "marketing", "POST", "/api/v1/segments", `{"kind":"accounts","name":"Bad","conditions":[{"field":"stage","op":"in","values":["mql"]}]}`)
		if status != http.StatusUnprocessableEntity || errorFields(body)["conditions.0.field"] == nil {
			t.Errorf("an account segment on a lead field: %d %v", status, body)
		}
		if status, body := f.call(t, "marketing", "POST", "/api/v1/segments", `{"kind":"contacts","name":"Bad"}`); status != http.StatusUnprocessableEntity || errorFields(body)["kind"] == nil {
			t.Errorf("a segment of contacts: %d %v", status, body)
		}
		status, seg := f.call(t, "marketing", "POST", "/api/v1/segments",
			`{"kind":"accounts","name":"Nordic targets","conditions":[{"field":"country","op":"in","values":["Norway"]}]}`)
		if status != http.StatusCreated || seg["kind"] != "accounts" {
			t.Fatalf("create: %d %v", status, seg)
		}
		id := fmt.Sprint(seg["id"])
		f.call(t, "marketing", "POST", "/api/v1/segments", `{"name":"Leads in Norway","conditions":[{"field":"country","op":"in","values":["NO"]}]}`)
		_, list := f.call(t, "sales", "GET", "/api/v1/segments?kind=accounts", "")
		if data := list["data"].([]any); len(data) != 1 || data[0].(map[string]any)["name"] != "Nordic targets" {
			t.Errorf("account segments: %v", list)
		}
		if status, body := f.call(t, "sales", "GET", "/api/v1/segments?kind=people", ""); status != http.StatusUnprocessableEntity || errorFields(body)["kind"] == nil {
			t.Errorf("a bad kind: %d %v", status, body)
		}
		status, prev := f.call(t, "marketing", "POST", "/api/v1/segments/preview", `{"kind":"accounts","conditions":[{"field":"tier","op":"in","values":["1","2"]}]}`)
		if status != http.StatusOK || fmt.Sprint(prev["count"]) != "2" || len(prev["accounts"].([]any)) != 2 {
			t.Errorf("preview: %d %v", status, prev)
		}
		settleAccounts(t, db)

		_, page := f.call(t, "sales", "GET", "/api/v1/accounts?segment="+id+"&sort=-score", "")
		data := page["data"].([]any)
		var got []string
		for _, a := range data {
			m := a.(map[string]any)
			got = append(got, fmt.Sprintf("%v:%v:%v", m["name"], m["score"], m["grade"]))
			if m["scored_at"] == nil {
				t.Errorf("%v has no scored_at", m["name"])
			}
		}
		if fmt.Sprint(got) != "[Nordwind Logistics:40:warm Fjord Fisk:10:cold]" {
			t.Errorf("the segment's accounts by score: %v", got)
		}
		if status, body := f.call(t, "sales", "GET", "/api/v1/accounts?segment=x", ""); status != http.StatusUnprocessableEntity || errorFields(body)["segment"] == nil {
			t.Errorf("a bad segment filter: %d %v", status, body)
		}
		if status, body := f.call(t, "sales", "GET", "/api/v1/accounts?grade=tepid", ""); status != http.StatusUnprocessableEntity || errorFields(body)["grade"] == nil {
			t.Errorf("a bad grade filter: %d %v", status, body)
		}
		_, page = f.call(t, "sales", "GET", "/api/v1/accounts?sort=tier", "")
		var tiers []string
		for _, a := range page["data"].([]any) {
			tiers = append(tiers, fmt.Sprint(a.(map[string]any)["tier"]))
		}
		if fmt.Sprint(tiers) != "[1 2 3 <nil>]" {
			t.Errorf("accounts by tier: %v", tiers)
		}
		if status, body := f.call(t, "marketing", "GET", "/api/v1/segments/"+id+"/members", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("lead members of an account segment: %d %v", status, body)
		}

		// A person of Fjord Fisk, linked at intake, is enrolled through the
		// segment.
		f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"kari@fjordfisk.example","consent":true}`)
		_, tpl := f.call(t, "marketing", "POST", "/api/v1/email-templates", `{"name":"ABM","subject":"Hello","text":"Hi"}`)
		if tpl["id"] == nil {
			t.Fatalf("template: %v", tpl)
		}
		status, sq := f.call(t, "marketing", "POST", "/api/v1/sequences", fmt.Sprintf(`{"name":"Nordic play","status":"active","steps":[{"kind":"email","template_id":%v}]}`, tpl["id"]))
		if status != http.StatusCreated {
			t.Fatalf("sequence: %d %v", status, sq)
		}
		status, en := f.call(t, "marketing", "POST", "/api/v1/target-enrolments", fmt.Sprintf(`{"sequence_id":%v,"segment_id":%s}`, sq["id"], id))
		if status != http.StatusOK || fmt.Sprint(en["enrolled"]) != "1" {
			t.Errorf("enrol the segment's people: %d %v", status, en)
		}
		_ = ids
	})
}

// An account segment made in the editor and the accounts list sorted by
// score from its column header, in Chromium, at 1280 and 390 px.
func TestBrowserAccountSegment(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	accountsFor(t, f)
	settleAccounts(t, db)

	var url string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/segments/new?kind=accounts", "mia@example.com"),
		chromedp.WaitVisible(`#segment-form`, chromedp.ByID),
		chromedp.SetValue(`#name`, "Nordic accounts", chromedp.ByID),
		chromedp.SetValue(`#c0_field`, "country", chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("#c0_field").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.SetValue(`input[name="c0_list"]`, "NO"),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `button[name="action"][value="save"]`)
	if err := chromedp.Run(ctx, chromedp.Location(&url)); err != nil {
		t.Fatal(err)
	}
	id := url[strings.LastIndex(url, "/")+1:]
	settleAccounts(t, db)

	var members string
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/segments/"+id),
		chromedp.WaitVisible(`#segment-accounts`, chromedp.ByID),
		chromedp.Text(`#segment-accounts tbody`, &members, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(members, "Nordwind Logistics") || !strings.Contains(members, "Fjord Fisk") || strings.Contains(members, "Acme") {
		t.Errorf("the segment page lists %q", members)
	}
	screenshot(t, ctx, "account-segment")

	for _, width := range []int64{1280, 390} {
		var names []string
		var overflow bool
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
			chromedp.Navigate(f.srv.URL+"/accounts"),
			chromedp.WaitVisible(`table.leads`, chromedp.ByQuery),
		)
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			// Score's header sorts lowest first, then again highest first.
			clickToNavigate(t, ctx, `th a[href*="sort=score"]`)
			clickToNavigate(t, ctx, `th a[href*="sort=-score"]`)
		} else {
			// On a phone the headers are off screen; the sort menu does it.
			err = chromedp.Run(ctx, chromedp.SetValue(`#sort`, "-score", chromedp.ByID), chromedp.Submit(`#sort`, chromedp.ByID),
				chromedp.WaitVisible(`#count`, chromedp.ByID))
			if err != nil {
				t.Fatal(err)
			}
		}
		err = chromedp.Run(ctx,
			chromedp.Evaluate(`[...document.querySelectorAll("table.leads tbody tr a.lead-name")].map(a => a.textContent)`, &names),
			chromedp.Evaluate(widerThanScreen, &overflow),
		)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names) != "[Acme Romania Nordwind Logistics Globex Italia Fjord Fisk]" {
			t.Errorf("at %d px, accounts by score, highest first: %v", width, names)
		}
		if overflow {
			t.Errorf("at %d px the sorted accounts list scrolls sideways", width)
		}
		screenshot(t, ctx, fmt.Sprintf("accounts-by-score-%d", width))
		// Filtered by the segment from the list's own filter.
		err = chromedp.Run(ctx,
			chromedp.SetValue(`#segment`, id, chromedp.ByID),
			chromedp.Submit(`#segment`, chromedp.ByID),
			chromedp.WaitVisible(`#count`, chromedp.ByID),
			chromedp.Evaluate(`[...document.querySelectorAll("table.leads tbody tr a.lead-name")].map(a => a.textContent)`, &names),
			chromedp.Evaluate(widerThanScreen, &overflow),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The filter keeps the sort: Nordwind (40) before Fjord (10).
		if fmt.Sprint(names) != "[Nordwind Logistics Fjord Fisk]" || overflow {
			t.Errorf("at %d px, the segment's accounts: %v (sideways scroll %v)", width, names, overflow)
		}
	}
}
