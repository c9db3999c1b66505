package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// A marketer writes a template, builds a one-step sequence and enrols a
// lead from its page; the email arrives over SMTP; the person opens its
// unsubscribe link on a phone and leaves for good.
func TestBrowserNurturingFromTemplateToUnsubscribe(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f, smtp := mailFixture(t, db)
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@example.it","first_name":"Giulia","company":"Trattoria","consent":true}`)
	if status != 201 {
		t.Fatalf("lead: %d %v", status, l)
	}

	var preview, report string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/nurture", "mia@example.com"),
		chromedp.WaitVisible(`//a[contains(., "New template")]`),
		chromedp.Click(`//a[contains(., "New template")]`),
		chromedp.WaitVisible(`#t-name`, chromedp.ByID),
		chromedp.SendKeys(`#t-name`, "Welcome", chromedp.ByID),
		chromedp.SetValue(`#t-subject`, "Ciao {{first_name|there}}", chromedp.ByID),
		chromedp.SetValue(`#t-html`, `<p>Hello {{first_name}} at {{company}}!</p><script>alert(1)</script>`, chromedp.ByID),
		chromedp.Click(`//button[contains(., "Save template")]`),
		chromedp.WaitVisible(`#preview-html`, chromedp.ByID),
		chromedp.Text(`#preview-html`, &preview, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preview, "Hello Ana at Orbit!") {
		t.Errorf("preview with sample values: %q", preview)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/nurture/sequences/new"),
		chromedp.WaitVisible(`#s-name`, chromedp.ByID),
		chromedp.SendKeys(`#s-name`, "Welcome series", chromedp.ByID),
		chromedp.SetValue(`#s-status`, "active", chromedp.ByID),
		// Choosing a step's kind shows the fields that kind uses.
		chromedp.SetValue(`#k1`, "email", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("k1").dispatchEvent(new Event("change"))`, nil),
		chromedp.WaitVisible(`#tp1`, chromedp.ByID),
		chromedp.SetValue(`#tp1`, "1", chromedp.ByID),
		chromedp.SetValue(`#k2`, "wait", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("k2").dispatchEvent(new Event("change"))`, nil),
		chromedp.WaitVisible(`#d2`, chromedp.ByID),
		chromedp.SendKeys(`#d2`, "3", chromedp.ByID),
		chromedp.Click(`//button[contains(., "Save sequence")]`),
		chromedp.WaitVisible(`table.report`),
		chromedp.Text(`table.report`, &report),
		chromedp.Navigate(fmt.Sprintf("%s/leads/%v", f.srv.URL, l["id"])),
		chromedp.WaitVisible(`#enrol-seq`, chromedp.ByID),
		chromedp.Click(`//button[normalize-space()="Enrol"]`),
		chromedp.WaitVisible(`ul.enrolments li`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "nurture-lead")
	chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+"/nurture/sequences/1"), chromedp.WaitVisible(`table.report`))
	screenshot(t, ctx, "nurture-sequence")
	if !strings.Contains(report, `Send "Welcome"`) || !strings.Contains(report, "Wait 3 days") {
		t.Errorf("sequence steps as shown: %q", report)
	}
	m := smtp.Wait(t, 1, 20*time.Second)[0]
	if !strings.Contains(m.HTML, "Hello Giulia at Trattoria!") || strings.Contains(m.HTML, "<script") {
		t.Errorf("email HTML: %q", m.HTML)
	}
	unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	path := unsub[strings.Index(unsub, "/u/"):]

	var done string
	var overflow bool
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(f.srv.URL+path),
		chromedp.WaitVisible(`//button[contains(., "Unsubscribe from all")]`),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.Click(`//button[contains(., "Unsubscribe from all")]`),
		chromedp.WaitVisible(`main [role="status"]`),
		chromedp.Text(`main`, &done),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the preference page scrolls sideways at 390px")
	}
	if !strings.Contains(done, "You are unsubscribed") {
		t.Errorf("after unsubscribing: %q", done)
	}
	_, enr := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v/enrolments", l["id"]), "")
	if e := enr["data"].([]any)[0].(map[string]any); e["status"] != "exited" || e["exit_reason"] != "unsubscribed" {
		t.Errorf("enrolment after unsubscribing: %v", e)
	}
}
