package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// sdrTeams makes, through the API, a closing team of Sam and a
// qualifying team of Sue that hands over to it, and an MQL of Sue's that
// she qualifies into an SQL; it returns the lead's id.
func sdrTeams(t *testing.T, f *fixture) string {
	t.Helper()
	status, closers := f.call(t, "admin", "POST", "/api/v1/teams", `{"name":"Closers","role":"closing","members":["sam@example.com"]}`)
	if status != http.StatusCreated {
		t.Fatalf("closing team: %d %v", status, closers)
	}
	status, sdrs := f.call(t, "admin", "POST", "/api/v1/teams", fmt.Sprintf(`{"name":"Inbound SDRs","role":"qualifying","members":["sue@example.com"],"hands_to":%v}`, closers["id"]))
	if status != http.StatusCreated || sdrs["hands_to"] != closers["id"] {
		t.Fatalf("qualifying team: %d %v", status, sdrs)
	}
	status, l := f.call(t, "sales2", "POST", "/api/v1/leads", `{"email":"ingrid.dahl@fjordkraft-solar.no","first_name":"Ingrid","last_name":"Dahl","company":"Fjordkraft Solar AS","owner":"sue@example.com","stage":"mql"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	id := fmt.Sprint(l["id"])
	if status, q := f.call(t, "sales2", "POST", "/api/v1/leads/"+id+"/qualify", `{"authority":"decision_maker","need":"Field service app for 60 installers","timing":"2027-Q2","outcome":"sql"}`); status != http.StatusOK {
		t.Fatalf("qualify: %d %v", status, q)
	}
	return id
}

// Through the API, on both databases: the teams as an admin makes them
// (a second qualifying team for Sue is refused, naming the field), a
// conversion by Sue that hands the deal to Sam with her note, Sam's
// list and his rejection with a reason, the deal back with Sue, and the
// team report with each part counted.
func TestHandoverThroughTheAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		leadID := sdrTeams(t, f)
		status, bad := f.call(t, "admin", "POST", "/api/v1/teams", `{"name":"Outbound","role":"qualifying","members":["sue@example.com"]}`)
		if fields, _ := bad["error"].(map[string]any)["fields"].(map[string]any); status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(fields["members"]), "Inbound SDRs") {
			t.Errorf("Sue in two qualifying teams: %d %v", status, bad)
		}
		// A lead the admin qualified, not an SDR: its note for an AE is
		// refused, on the page with everything typed kept.
		_, other := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ola@nordlys.no","first_name":"Ola","company":"Nordlys AS","stage":"mql"}`)
		otherID := fmt.Sprint(other["id"])
		if status, q := f.call(t, "admin", "POST", "/api/v1/leads/"+otherID+"/qualify", `{"authority":"decision_maker","need":"n","timing":"2027-Q2","outcome":"sql"}`); status != http.StatusOK {
			t.Fatalf("qualify: %d %v", status, q)
		}
		status, e := f.call(t, "admin", "POST", "/api/v1/leads/"+otherID+"/convert", `{"handover_note":"Call Ola first"}`)
		if errBody, _ := e["error"].(map[string]any); status != http.StatusUnprocessableEntity || errBody["fields"] == nil ||
			errBody["fields"].(map[string]any)["handover_note"] == nil {
			t.Errorf("a note with no hand-over: %d %v", status, e)
		}
		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		// The form asks for a note only where someone will read it.
		if _, _, page := admin.get("/leads/" + otherID + "/convert"); strings.Contains(page, `name="handover_note"`) {
			t.Error("the convert form of a lead no SDR qualified asks for a note for an account executive")
		}
		if _, _, page := admin.get("/leads/" + leadID + "/convert"); !strings.Contains(page, `name="handover_note"`) {
			t.Error("the convert form of a lead an SDR qualified asks for no note")
		}
		ro := browserIn(t, f, "sam@example.com", "ro")
		if _, _, page := ro.get("/leads/" + otherID + "/convert"); !strings.Contains(page, `value="Nordlys AS – afacere nouă"`) {
			t.Errorf("the deal a conversion offers is not named in Romanian:\n%s", textOf(page))
		}
		status, _, body := admin.post("/leads/"+otherID+"/convert", url.Values{"account_name": {"Nordlys Solar"}, "deal_name": {"Nordlys – 5 seats"},
			"handover_note": {"Call Ola first"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, ">Call Ola first</textarea>") || !strings.Contains(body, `value="Nordlys Solar"`) ||
			!strings.Contains(body, "hands nothing over to an account executive") {
			t.Errorf("the convert form with a note and no hand-over: %d\n%s", status, body)
		}
		status, conv := f.call(t, "sales2", "POST", "/api/v1/leads/"+leadID+"/convert",
			`{"handover_note":"Signed budget, wants a demo in May","opportunity":{"name":"Fjordkraft – 60 seats","amount":42000,"currency":"NOK"}}`)
		if status != http.StatusCreated || conv["handover_id"] == nil {
			t.Fatalf("convert: %d %v", status, conv)
		}
		if owner := conv["lead"].(map[string]any)["owner"]; owner != "sam@example.com" {
			t.Errorf("the converted lead's owner: %v", owner)
		}
		hid, deal := fmt.Sprint(conv["handover_id"]), fmt.Sprint(conv["opportunity_id"])
		status, list := f.call(t, "sales", "GET", "/api/v1/handovers?mine=true&status=pending", "")
		items, _ := list["data"].([]any)
		if status != http.StatusOK || len(items) != 1 {
			t.Fatalf("Sam's pending: %d %v", status, list)
		}
		if status, one := f.call(t, "sales", "GET", "/api/v1/handovers?mine=1&status=pending", ""); status != http.StatusOK || fmt.Sprint(one["data"]) != fmt.Sprint(items) {
			t.Errorf("mine=1: %d %v", status, one)
		}
		status, e = f.call(t, "sales", "GET", "/api/v1/handovers?mine=yes", "")
		if errBody, _ := e["error"].(map[string]any); status != http.StatusUnprocessableEntity || errBody["fields"] == nil ||
			errBody["fields"].(map[string]any)["mine"] == nil {
			t.Errorf("mine=yes: %d %v", status, e)
		}
		if h := items[0].(map[string]any); h["note"] != "Signed budget, wants a demo in May" || h["sdr"] != "sue@example.com" || h["sdr_team"] != "Inbound SDRs" ||
			h["ae_team"] != "Closers" || h["lead"] != "Ingrid Dahl" {
			t.Errorf("the hand-over: %v", h)
		}
		if status, o := f.call(t, "sales", "GET", "/api/v1/opportunities/"+deal, ""); status != http.StatusOK || o["owner"] != "sam@example.com" {
			t.Errorf("the deal as Sam: %d %v", status, o["owner"])
		}
		if status, _ := f.call(t, "marketing", "POST", "/api/v1/handovers/"+hid+"/accept", ""); status != http.StatusForbidden {
			t.Errorf("marketing accepted: %d", status)
		}
		status, e = f.call(t, "sales", "POST", "/api/v1/handovers/"+hid+"/reject", `{"reason":"other"}`)
		if fields, _ := e["error"].(map[string]any)["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["reason_text"] == nil {
			t.Errorf("other without a text: %d %v", status, e)
		}
		// On the page, in Romanian: the refusals read in the language,
		// not as the reasons' codes.
		sam := browserIn(t, f, "sam@example.com", "ro")
		for _, c := range []struct{ reason, want string }{
			{"other", "nu poate lipsi când motivul este „Alt motiv”"},
			{"", "trebuie să fie una dintre variantele oferite"},
		} {
			status, _, page := sam.post("/handovers/"+hid+"/reject", url.Values{"reason": {c.reason}})
			if status != http.StatusUnprocessableEntity {
				t.Errorf("a rejection with the reason %q: %d", c.reason, status)
			}
			expectPage(t, "/handovers (ro)", html.UnescapeString(page), []string{c.want, ">Acceptă</button>"}, []string{"one of not_qualified", "is required", ">Accept</button>"})
		}
		status, h := f.call(t, "sales", "POST", "/api/v1/handovers/"+hid+"/reject", `{"reason":"bad_timing","reason_text":"Budget only from Q3"}`)
		if status != http.StatusOK || h["status"] != "rejected" || h["reason"] != "bad_timing" || h["answered_by"] != "sam@example.com" {
			t.Fatalf("reject: %d %v", status, h)
		}
		if status, _ := f.call(t, "sales", "POST", "/api/v1/handovers/"+hid+"/accept", ""); status != http.StatusConflict {
			t.Errorf("accept after reject: %d", status)
		}
		if status, o := f.call(t, "sales2", "GET", "/api/v1/opportunities/"+deal, ""); status != http.StatusOK || o["owner"] != "sue@example.com" {
			t.Errorf("the deal back with Sue: %d %v", status, o["owner"])
		}
		_, notes := f.call(t, "sales2", "GET", "/api/v1/notifications", "")
		if n, _ := notes["data"].([]any); len(n) == 0 || !strings.Contains(fmt.Sprint(n[0]), "Rejected by sam@example.com: Ingrid Dahl — bad timing: Budget only from Q3") {
			t.Errorf("Sue's notifications: %v", notes)
		}
		// A team form whose hands_to is not a team's id is refused next to
		// the field, with what was typed kept.
		status, _, body = admin.post("/settings/teams", url.Values{"name": {"Outbound"}, "role": {"qualifying"}, "hands_to": {"closers"},
			"members": {"mia@example.com"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a closing team") || !strings.Contains(body, `value="Outbound"`) ||
			!strings.Contains(body, ">mia@example.com</textarea>") {
			t.Errorf("hands_to=closers: %d\n%s", status, body)
		}
		status, _, body = admin.get("/reports/teams?days=a+week")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `value="a week"`) || !strings.Contains(body, "must be a number of days from 1 to 3,650") ||
			!strings.Contains(body, "Inbound SDRs") {
			t.Errorf("days=a week: %d\n%s", status, body)
		}
		status, rep := f.call(t, "marketing", "GET", "/api/v1/reports/teams?days=7", "")
		if status != http.StatusOK {
			t.Fatalf("report: %d %v", status, rep)
		}
		got := map[string]string{}
		for _, tm := range rep["teams"].([]any) {
			tm := tm.(map[string]any)
			tot := tm["total"].(map[string]any)
			got[fmt.Sprint(tm["name"])] = fmt.Sprintf("qualified %v handed %v accepted %v rejected %v %v", tot["qualified"], tot["handed_over"], tot["accepted"], tot["rejected"], tot["rejected_by"])
		}
		if got["Inbound SDRs"] != "qualified 1 handed 1 accepted 0 rejected 1 map[bad_timing:1]" || got["Closers"] != "qualified <nil> handed 1 accepted 0 rejected 1 map[bad_timing:1]" {
			t.Errorf("report: %v", got)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/reports/teams?days=0", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("days=0: %d", status)
		}
	})
}

// The hand-over clicked through in Chromium: Sue, an SDR, converts her
// qualified lead with a note for the AE; the account page shows the
// note; Sam, the AE, finds it among his hand-overs, reads it and
// rejects it with a reason; Sue finds it back on the lead's timeline,
// and the team report counts it, on a phone.
func TestBrowserHandover(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	leadID := sdrTeams(t, f)
	if err := chromedp.Run(ctx, signIn(f.srv.URL+"/leads/"+leadID+"/convert", "sue@example.com"), chromedp.WaitVisible(`#c-note`, chromedp.ByID),
		// "Open an opportunity" is ticked already.
		chromedp.SetValue(`#c-deal`, "Fjordkraft – 60 seats", chromedp.ByID),
		chromedp.SetValue(`#c-amount`, "42000", chromedp.ByID),
		chromedp.SetValue(`#c-currency`, "NOK", chromedp.ByID),
		chromedp.SendKeys(`#c-note`, "Signed budget; wants a demo in May", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form[action$="/convert"] button.primary`)
	var flash, card string
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`#handovers-card`, chromedp.ByID),
		chromedp.Text(`.flash`, &flash), chromedp.Text(`#handovers-card`, &card, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "Handed over to an account executive") || !strings.Contains(card, "Signed budget; wants a demo in May") ||
		!strings.Contains(card, "from sue@example.com to sam@example.com") {
		t.Errorf("after converting: flash %q, card %q", flash, card)
	}
	if _, list := f.call(t, "admin", "GET", "/api/v1/handovers", ""); len(list["data"].([]any)) != 1 ||
		list["data"].([]any)[0].(map[string]any)["opportunity"] != "Fjordkraft – 60 seats" {
		t.Errorf("the hand-over made: %v", list)
	}

	var note, status, answer string
	if err := chromedp.Run(ctx, network.ClearBrowserCookies(), signIn(f.srv.URL+"/handovers?mine=1&status=pending", "sam@example.com"),
		chromedp.WaitVisible(`#handovers`, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#handovers tbody a`)
	if err := chromedp.Run(ctx, chromedp.Text(`#handover-note`, &note, chromedp.ByID),
		chromedp.SetValue(`#h-reason`, "bad_timing", chromedp.ByID),
		chromedp.SendKeys(`#h-text`, "Budget only from Q3", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if note != "Signed budget; wants a demo in May" {
		t.Errorf("Sam reads the note %q", note)
	}
	screenshot(t, ctx, "handover")
	clickToNavigate(t, ctx, `#reject`)
	if err := chromedp.Run(ctx, chromedp.Text(`#handover-status`, &status, chromedp.ByID), chromedp.Text(`#handover-answer`, &answer, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if status != "Rejected" || !strings.Contains(answer, "Bad timing — Budget only from Q3") {
		t.Errorf("after rejecting: %q, %q", status, answer)
	}

	var timeline, report string
	var overflow bool
	if err := chromedp.Run(ctx, network.ClearBrowserCookies(),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/leads/"+leadID, "sue@example.com"),
		chromedp.WaitVisible(`#timeline`, chromedp.ByID), chromedp.Text(`#timeline`, &timeline, chromedp.ByID),
		chromedp.Navigate(f.srv.URL+"/reports/teams"), chromedp.WaitVisible(`.team-report`),
		chromedp.Text(`main`, &report),
		chromedp.Evaluate(`document.documentElement.scrollWidth > screen.width ||
			[...document.querySelectorAll("table.team-report")].some(e => e.getBoundingClientRect().right > screen.width)`, &overflow),
	); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hand-over rejected, back to the SDR", "bad timing: Budget only from Q3", "Handed over to an account executive", "Signed budget; wants a demo in May"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("Sue's lead timeline lacks %q:\n%s", want, timeline)
		}
	}
	if !strings.Contains(report, "Inbound SDRs") || !strings.Contains(report, "Bad timing: 1") {
		t.Errorf("the team report reads:\n%s", report)
	}
	if overflow {
		t.Error("the team report scrolls sideways on a phone")
	}
	screenshot(t, ctx, "team-report-phone")
}
