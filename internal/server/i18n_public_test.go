package server_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// A visitor whose browser asks for Italian reads a hosted form in
// Italian, its refusals included; the form's own texts stay as written.
func TestBrowserHostedFormSpeaksTheVisitorsLanguage(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	createForm(t, f, contactForm)

	var lang, email, choose, button, errText string
	err := chromedp.Run(ctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}),
		chromedp.Navigate(f.srv.URL+"/f/contact"),
		chromedp.WaitVisible(`#lf-email`, chromedp.ByID),
		chromedp.AttributeValue(`html`, "lang", &lang, nil, chromedp.ByQuery),
		chromedp.Text(`label[for=lf-email]`, &email, chromedp.ByQuery),
		chromedp.TextContent(`#lf-country option[value=""]`, &choose, chromedp.ByQuery),
		chromedp.Text(`form.lf-form button[type=submit]`, &button, chromedp.ByQuery),
		chromedp.SendKeys(`#lf-email`, "visitatore@esempio.it", chromedp.ByID),
		chromedp.Sleep(2100*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lang != "it" || !strings.HasPrefix(email, "Email di lavoro") || choose != "Scegli…" || button != "Invia" {
		t.Errorf("the form reads lang=%q, email label %q, %q, button %q; want Italian", lang, email, choose, button)
	}
	// The form comes back refused (422), its reasons under the fields.
	err = chromedp.Run(ctx,
		chromedp.Click(`form.lf-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#lf-first_name-err`, chromedp.ByID),
		chromedp.Text(`#lf-first_name-err`, &errText, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if errText != "è obbligatorio" {
		t.Errorf("the missing first name is refused with %q, want Italian", errText)
	}
	screenshot(t, ctx, "hosted-form-it")
}

// A form set to Bokmål speaks Bokmål whatever the visitor's browser
// asks; one left to the browser follows Accept-Language, to the thank-you
// message of its JSON answer.
func TestWebFormLanguageOverridesTheBrowsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, strings.Replace(contactForm, `"slug":"contact",`, `"slug":"kontakt","language":"nb",`, 1))
		createForm(t, f, `{"slug":"demo","name":"Demo","fields":[{"name":"email"}]}`)

		get := func(path, accept string) (*http.Response, string) {
			req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
			req.Header.Set("Accept-Language", accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp, string(body)
		}
		resp, body := get("/f/kontakt", "it-IT,it;q=0.9")
		for _, want := range []string{`<html lang="nb">`, "Jobb-e-post", ">Tyskland<", ">Send<"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Bokmål form lacks %q", want)
			}
		}
		if strings.Contains(body, "Email di lavoro") || resp.Header.Get("Content-Language") != "nb" {
			t.Errorf("the Bokmål form follows the browser (Content-Language %q)", resp.Header.Get("Content-Language"))
		}
		if _, body = get("/f/demo", "ro-RO,ro"); !strings.Contains(body, "E-mail de serviciu") || !strings.Contains(body, `<html lang="ro">`) {
			t.Error("a form left to the browser does not speak Romanian to a Romanian browser")
		}
		if _, body = get("/f/demo", "de-DE,de"); !strings.Contains(body, "Work email") {
			t.Error("a German browser does not get English, the default")
		}

		req, _ := http.NewRequest("POST", f.srv.URL+"/f/demo", strings.NewReader(`{"email":"kari@fjord.no"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "nb-NO,nb;q=0.9,no;q=0.8")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var answer struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&answer)
		if resp.StatusCode != 200 || answer.Message != "Takk! Vi har mottatt opplysningene dine og tar snart kontakt." {
			t.Errorf("JSON answer %d %q, want the thank-you in Bokmål", resp.StatusCode, answer.Message)
		}
	})
}

// A double opt-in form set to Italian asks for confirmation in an
// Italian email, and its link opens an Italian page for an Italian
// browser.
func TestConfirmationEmailSpeaksTheFormsLanguage(t *testing.T) {
	f, smtp := mailFixture(t, dbtest.SQLite(t))
	createForm(t, f, strings.Replace(optInForm, `"slug":"news",`, `"slug":"notizie","language":"it",`, 1))
	resp, body := post(t, f.srv.URL, "/f/notizie", "application/json", `{"email":"giulia@esempio.it","first_name":"Giulia","consent":"on"}`)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ti abbiamo inviato un'email") {
		t.Fatalf("submission: %d %s", resp.StatusCode, body)
	}
	m := smtp.Wait(t, 1, 10*time.Second)[0]
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Conferma la tua iscrizione" {
		t.Errorf("subject %q, want Italian", subject)
	}
	for _, want := range []string{"Ciao Giulia,", "nel nostro modulo «Newsletter»", "Cosa hai accettato:", "monthly newsletter", "valido per 7 giorni"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the email lacks %q:\n%s", want, m.Text)
		}
	}
	req, _ := http.NewRequest("GET", f.srv.URL+linkIn(t, m), nil)
	req.Header.Set("Accept-Language", "it")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if page := readAll(t, r); !strings.Contains(page, "Sì, confermo") {
		t.Errorf("the link's page is not Italian: %s", page)
	}
}

// The email preference page a lead opens from an email speaks their
// browser's language, its refusal of a broken link included.
func TestPreferencePageSpeaksTheVisitorsLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	req, _ := http.NewRequest("GET", f.srv.URL+"/u/not-a-token", nil)
	req.Header.Set("Accept-Language", "ro-RO,ro;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != 404 || !strings.Contains(page, `<html lang="ro">`) || !strings.Contains(page, "Acest link nu este valid") {
		t.Errorf("broken link for a Romanian browser: %d %s", resp.StatusCode, page)
	}
}
