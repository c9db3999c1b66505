package server_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/mail"
	"leadflow/internal/mailtest"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

const optInForm = `{"slug":"news","name":"Newsletter","double_opt_in":true,
	"consent_text":"Send me the monthly newsletter. I can unsubscribe at any time.",
	"fields":[{"name":"email"},{"name":"first_name"},{"name":"company"}]}`

// mailFixture is a server that sends email through a loopback SMTP server.
func mailFixture(t *testing.T, db *sqldb.DB) (*fixture, *mailtest.Server) {
	s := mailtest.Start(t)
	cfg := mail.Config{Host: s.Host, Port: s.Port, Username: mailtest.User, Password: mailtest.Password, Security: mail.StartTLS,
		From: "Acme <hello@acme.example>", BaseURL: "https://crm.acme.example", TLS: &tls.Config{RootCAs: s.RootCAs, ServerName: "127.0.0.1"}}
	return newFixtureWith(t, db, server.Config{Mail: cfg}), s
}

var confirmLink = regexp.MustCompile(`https://crm\.acme\.example(/c/[A-Za-z0-9_-]+)`)

// linkIn returns the confirmation link's path in a message, for the
// test server (the message names the configured public address).
func linkIn(t *testing.T, m mailtest.Message) string {
	t.Helper()
	got := confirmLink.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no confirmation link in %q", m.Text)
	}
	return got[1]
}

func consentOf(t *testing.T, f *fixture, email string) (bool, []any) {
	t.Helper()
	_, list := f.call(t, "admin", "GET", "/api/v1/leads?q="+url.QueryEscape(email), "")
	leads := list["data"].([]any)
	if len(leads) != 1 {
		t.Fatalf("%d leads for %s", len(leads), email)
	}
	l := leads[0].(map[string]any)
	_, hist := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v/consent", l["id"]), "")
	return l["consent"] == true, hist["data"].([]any)
}

func actions(hist []any) string {
	var out []string
	for i := len(hist) - 1; i >= 0; i-- {
		out = append(out, hist[i].(map[string]any)["action"].(string))
	}
	return strings.Join(out, ",")
}

func TestDoubleOptInConsentCountsOnlyOnceConfirmed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, smtp := mailFixture(t, db)
		createForm(t, f, optInForm)
		resp, body := post(t, f.srv.URL, "/f/news", "application/json",
			`{"email":"stefan@example.ro","first_name":"Ștefan","consent":"on"}`)
		if resp.StatusCode != 200 || !strings.Contains(body, "confirm your subscription") {
			t.Fatalf("submission: %d %s", resp.StatusCode, body)
		}
		given, hist := consentOf(t, f, "stefan@example.ro")
		if given || actions(hist) != "requested" {
			t.Fatalf("before confirming: consent %v, history %s; want no consent and one request", given, actions(hist))
		}
		req := hist[0].(map[string]any)
		if !strings.Contains(req["wording"].(string), "monthly newsletter") || req["ip"] != "127.0.0.1" || req["source"] != `form "Newsletter"` {
			t.Errorf("request proof: %v", req)
		}

		m := smtp.Wait(t, 1, 10*time.Second)[0]
		if m.To[0] != "stefan@example.ro" || !strings.Contains(m.Text, "Hello Ștefan") || !strings.Contains(m.Text, "monthly newsletter") {
			t.Errorf("confirmation email to %v: %q", m.To, m.Text)
		}
		link := linkIn(t, m)

		// Opening the link (as a mail scanner does) confirms nothing.
		r, err := http.Get(f.srv.URL + link)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, r)
		if r.StatusCode != 200 || !strings.Contains(page, "Yes, I confirm") || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("link page: %d %s", r.StatusCode, page)
		}
		if given, _ := consentOf(t, f, "stefan@example.ro"); given {
			t.Fatal("opening the link gave consent")
		}

		// The button does.
		resp, page = post(t, f.srv.URL, link, "application/x-www-form-urlencoded", "")
		if resp.StatusCode != 200 || !strings.Contains(page, "Your subscription is confirmed") {
			t.Fatalf("confirm: %d %s", resp.StatusCode, page)
		}
		given, hist = consentOf(t, f, "stefan@example.ro")
		if !given || actions(hist) != "requested,confirmed" {
			t.Fatalf("after confirming: consent %v, history %s", given, actions(hist))
		}
		conf := hist[0].(map[string]any)
		if conf["source"] != "confirmation link" || conf["ip"] != "127.0.0.1" || !strings.Contains(conf["wording"].(string), "monthly newsletter") {
			t.Errorf("confirmation proof: %v", conf)
		}

		// A second use is harmless and says so.
		resp, page = post(t, f.srv.URL, link, "application/x-www-form-urlencoded", "")
		if resp.StatusCode != 200 || !strings.Contains(page, "confirmed") {
			t.Errorf("second use: %d %s", resp.StatusCode, page)
		}
		if _, hist = consentOf(t, f, "stefan@example.ro"); actions(hist) != "requested,confirmed" {
			t.Errorf("second use changed the history: %s", actions(hist))
		}
		// A made-up link is refused.
		resp, _ = post(t, f.srv.URL, "/c/not-a-real-token", "application/x-www-form-urlencoded", "")
		if resp.StatusCode != 404 {
			t.Errorf("unknown link: %d, want 404", resp.StatusCode)
		}
	})
}

// An anonymous post cannot give consent for someone else's address: the
// owner of the address is asked by email, and the lead changes only
// when they confirm. The answer to the post is the same as ever.
func TestAnonymousPostAsksTheKnownPersonInsteadOfGivingConsent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, smtp := mailFixture(t, db)
		createForm(t, f, contactForm)
		if status, body := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ana@orbit.io","first_name":"Ana"}`); status != 201 {
			t.Fatalf("create lead: %d %v", status, body)
		}
		resp, body := post(t, f.srv.URL, "/f/contact", "application/json",
			`{"email":"ANA@orbit.io","first_name":"Someone","budget":"<10k","company":"Orbit","consent":"true"}`)
		if resp.StatusCode != 200 || strings.Contains(body, "confirm") {
			t.Fatalf("post: %d %s (must not differ from any other post)", resp.StatusCode, body)
		}
		given, hist := consentOf(t, f, "ana@orbit.io")
		if given || actions(hist) != "requested" {
			t.Fatalf("consent %v with history %s; want none given and one request", given, actions(hist))
		}
		m := smtp.Wait(t, 1, 10*time.Second)[0]
		if m.To[0] != "ana@orbit.io" {
			t.Errorf("confirmation went to %v", m.To)
		}
		resp, _ = post(t, f.srv.URL, linkIn(t, m), "application/x-www-form-urlencoded", "")
		if given, hist = consentOf(t, f, "ana@orbit.io"); resp.StatusCode != 200 || !given || actions(hist) != "requested,confirmed" {
			t.Errorf("after the owner confirmed: %d, consent %v, history %s", resp.StatusCode, given, actions(hist))
		}

		// Consent given through the API by a signed-in integration, and
		// withdrawn by hand, are recorded with their source.
		_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=ana%40orbit.io", "")
		id := list["data"].([]any)[0].(map[string]any)["id"]
		if status, body := f.call(t, "sales", "PATCH", fmt.Sprintf("/api/v1/leads/%v", id), `{"consent":false}`); status != 200 {
			t.Fatalf("withdraw: %d %v", status, body)
		}
		if _, hist = consentOf(t, f, "ana@orbit.io"); actions(hist) != "requested,confirmed,withdrawn" || hist[0].(map[string]any)["actor"] != "sam@example.com" {
			t.Errorf("withdrawal: %s by %v", actions(hist), hist[0].(map[string]any)["actor"])
		}
	})
}

func TestWithoutEmailConsentWaitsAndThePagesSaySo(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	createForm(t, f, optInForm)
	resp, _ := post(t, f.srv.URL, "/f/news", "application/json", `{"email":"eva@example.no","consent":"yes"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	given, hist := consentOf(t, f, "eva@example.no")
	if given || actions(hist) != "requested" || !strings.Contains(hist[0].(map[string]any)["note"].(string), "email is not configured") {
		t.Fatalf("consent %v, history %v", given, hist)
	}
	var n int
	db.R.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox`).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages queued with email off", n)
	}
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	_, _, page := b.get("/forms/1")
	if !strings.Contains(page, "Email is not configured") {
		t.Error("the form editor does not say that no confirmation email can be sent")
	}
}

// Two clicks on one link at once (a double click, two devices) confirm
// once.
func TestConfirmingTwiceAtOnceRecordsOneConfirmation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, smtp := mailFixture(t, db)
		createForm(t, f, optInForm)
		post(t, f.srv.URL, "/f/news", "application/json", `{"email":"kari@example.no","consent":"on"}`)
		link := linkIn(t, smtp.Wait(t, 1, 10*time.Second)[0])
		var wg sync.WaitGroup
		codes := make([]int, 8)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Post(f.srv.URL+link, "application/x-www-form-urlencoded", nil)
				if err == nil {
					codes[i] = resp.StatusCode
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		for _, c := range codes {
			if c != 200 {
				t.Errorf("answers %v; want 200 for each", codes)
				break
			}
		}
		if given, hist := consentOf(t, f, "kari@example.no"); !given || actions(hist) != "requested,confirmed" {
			t.Errorf("consent %v, history %s; want one confirmation", given, actions(hist))
		}
	})
}

func readAll(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, r.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
