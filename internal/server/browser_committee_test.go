package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// The account page with its buying committee, as a seller uses it on a
// desktop and on a phone: the roles covered and missing for the open
// deal, a role set from the contact list, and the lead linked to the
// account at intake (the converted ones are listed apart).
func TestBrowserAccountCommittee(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Nordwind Logistics GmbH","website":"nordwind-logistics.de","owner":"sam@example.com"}`)
	accID := fmt.Sprint(acc["id"])
	var contacts []string
	for i, p := range []string{"Ada Lind", "Bo Krag", "Cyrille Vandenberghe-Oosterhuis"} {
		first, last, _ := strings.Cut(p, " ")
		status, l := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"p%d@nordwind-logistics.de","first_name":%q,"last_name":%q,"owner":"sam@example.com","stage":"sql"}`, i, first, last))
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
		body := `{"account_id":` + accID + `}`
		if i == 0 {
			body = `{"account_id":` + accID + `,"opportunity":{"name":"Fleet telematics, 120 trucks","amount":96000,"currency":"EUR"}}`
		}
		status, conv := f.call(t, "sales", "POST", fmt.Sprintf("/api/v1/leads/%v/convert", l["id"]), body)
		if status != http.StatusCreated {
			t.Fatalf("convert: %d %v", status, conv)
		}
		contacts = append(contacts, fmt.Sprint(conv["contact_id"]))
	}
	for i, role := range []string{"decision_maker", "blocker"} {
		if status, c := f.call(t, "sales", "PUT", "/api/v1/contacts/"+contacts[i]+"/role", `{"role":"`+role+`"}`); status != http.StatusOK || c["deal_role"] != role {
			t.Fatalf("role: %d %v", status, c)
		}
	}
	f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"new.buyer@nordwind-logistics.de","first_name":"Nia","owner":"sam@example.com"}`)

	var missing, champion, linked string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/accounts/"+accID, "sam@example.com"),
		chromedp.WaitVisible(`#committee`, chromedp.ByID),
		chromedp.Text(`#committee-missing`, &missing, chromedp.ByID),
		chromedp.Text(`#linked-leads`, &linked, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if missing != "Missing: Champion Influencer User" {
		t.Errorf("missing roles read %q", missing)
	}
	if !strings.Contains(linked, "Nia") || !strings.Contains(linked, "email domain nordwind-logistics.de") || strings.Contains(linked, "Ada Lind") {
		t.Errorf("the linked leads read %q", linked)
	}
	screenshot(t, ctx, "account-committee")
	sel := `select[aria-label="Role of Cyrille Vandenberghe-Oosterhuis in the deal"]`
	if err := chromedp.Run(ctx, chromedp.SetValue(sel, "champion")); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#contacts li:nth-child(3) form.role-form button`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#committee`, chromedp.ByID),
		chromedp.Text(`#committee-missing`, &missing, chromedp.ByID),
		chromedp.Text(`#committee .seat.champion`, &champion),
	)
	if err != nil {
		t.Fatal(err)
	}
	if missing != "Missing: Influencer User" || !strings.Contains(champion, "Cyrille Vandenberghe-Oosterhuis") {
		t.Errorf("after setting the champion: %q, champion seat %q", missing, champion)
	}

	for _, width := range []int64{1280, 390} {
		var overflow, seatsFit bool
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
			chromedp.Navigate(f.srv.URL+"/accounts/"+accID),
			chromedp.WaitVisible(`#committee`, chromedp.ByID),
			chromedp.Evaluate(widerThanScreen, &overflow),
			chromedp.Evaluate(`[...document.querySelectorAll("#committee .seat, #contacts .role-form")].every(e => {
				const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth })`, &seatsFit),
		)
		if err != nil {
			t.Fatal(err)
		}
		if overflow || !seatsFit {
			t.Errorf("at %d px the account page scrolls sideways (%v) or a seat or role form leaves the screen (fit %v)", width, overflow, seatsFit)
		}
		screenshot(t, ctx, fmt.Sprintf("account-committee-%d", width))
	}
}
