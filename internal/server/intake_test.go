package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// contactForm is the form most tests submit to.
const contactForm = `{"slug":"contact","name":"Contact us","source":"web","campaign":"evergreen",
	"consent_text":"Send me product news","thank_you":"Thanks, we will call you.",
	"fields":[{"name":"email"},{"name":"first_name","required":true},{"name":"company"},{"name":"phone"},{"name":"country"},
		{"name":"budget","type":"select","options":["<10k","10k-50k",">50k"],"required":true},
		{"name":"start","label":"Start date","type":"date"}]}`

func createForm(t *testing.T, f *fixture, body string) map[string]any {
	t.Helper()
	status, form := f.call(t, "marketing", "POST", "/api/v1/forms", body)
	if status != 201 {
		t.Fatalf("create form: %d %v", status, form)
	}
	return form
}

// post sends a public submission without any credentials.
func post(t *testing.T, base, path, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func TestPublicFormSubmissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, contactForm)

		// The hosted page renders the form with its traps and the visit's UTM.
		resp, err := http.Get(f.srv.URL + "/f/contact?utm_source=newsletter&utm_medium=email")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`name="_hp"`, `name="_t"`, `name="utm_source" value="newsletter"`, "Send me product news", `<option>10k-50k</option>`} {
			if !strings.Contains(string(page), want) {
				t.Errorf("hosted form lacks %s", want)
			}
		}
		if resp.Header.Get("X-Frame-Options") != "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors *") {
			t.Errorf("hosted form cannot be embedded: %v", resp.Header)
		}

		// A browser post, URL-encoded, with the fill-time token of the form
		// shown, after the time a person takes to fill it in.
		token := regexp.MustCompile(`name="_t" value="([^"]+)"`).FindStringSubmatch(string(page))[1]
		time.Sleep(forms.MinFillTime)
		form := url.Values{"_t": {token}, "email": {"Ana@Orbit.io"}, "first_name": {"Ana"}, "company": {"Orbit"}, "phone": {"0721 234 567"},
			"country": {"RO"}, "budget": {"10k-50k"}, "consent": {"false", "true"}, "utm_source": {"newsletter"}, "_page": {"https://orbit.example/pricing"}}
		resp, body := post(t, f.srv.URL, "/f/contact", "application/x-www-form-urlencoded", form.Encode())
		if resp.StatusCode != 200 || !strings.Contains(body, "Thanks, we will call you.") {
			t.Fatalf("urlencoded submission: %d %s", resp.StatusCode, body)
		}
		_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=orbit.io", "")
		leads := list["data"].([]any)
		if len(leads) != 1 {
			t.Fatalf("%d leads after the submission", len(leads))
		}
		l := leads[0].(map[string]any)
		custom := l["custom"].(map[string]any)
		if l["email"] != "Ana@orbit.io" || l["phone"] != "+40721234567" || l["consent"] != true || l["source"] != "web" ||
			l["utm_source"] != "newsletter" || l["utm_campaign"] != "evergreen" || custom["budget"] != "10k-50k" {
			t.Errorf("lead from the form: %v", l)
		}

		// The same person again, as JSON, known email: the same answer.
		resp, body = post(t, f.srv.URL, "/f/contact", "application/json",
			`{"email":"ana@ORBIT.io","first_name":"Anna","budget":">50k","start":"2027-01-15"}`)
		var ok map[string]string
		json.Unmarshal([]byte(body), &ok)
		if resp.StatusCode != 200 || ok["status"] != "received" || ok["message"] != "Thanks, we will call you." {
			t.Fatalf("JSON resubmission: %d %s", resp.StatusCode, body)
		}
		_, again := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v", l["id"]), "")
		if again["first_name"] != "Ana" || again["custom"].(map[string]any)["start"] != "2027-01-15" {
			t.Errorf("resubmission overwrote or failed to fill: %v", again)
		}
		_, tl := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v/timeline", l["id"]), "")
		if !strings.Contains(fmt.Sprint(tl), "conflict") {
			t.Errorf("the first-name conflict is not on the timeline: %v", tl)
		}

		// Invalid answers: HTML re-renders with messages and values; JSON names fields.
		bad := url.Values{"_t": {token}, "email": {"ana(at)orbit"}, "first_name": {"Bo"}, "budget": {"a lot"}, "start": {"soon"}}
		resp, body = post(t, f.srv.URL, "/f/contact", "application/x-www-form-urlencoded", bad.Encode())
		if resp.StatusCode != 422 || !strings.Contains(body, "must be one of the choices offered") || !strings.Contains(body, `value="Bo"`) {
			t.Errorf("invalid HTML submission: %d", resp.StatusCode)
		}
		resp, body = post(t, f.srv.URL, "/f/contact", "application/json", `{"email":"x@y.co"}`)
		if resp.StatusCode != 422 || !strings.Contains(body, `"first_name":"is required"`) || !strings.Contains(body, `"budget":"is required"`) {
			t.Errorf("invalid JSON submission: %d %s", resp.StatusCode, body)
		}
		resp, _ = post(t, f.srv.URL, "/f/contact", "application/json", `{"email":{"nested":true}}`)
		if resp.StatusCode != 400 {
			t.Errorf("nested JSON: %d", resp.StatusCode)
		}
		if resp, _ := post(t, f.srv.URL, "/f/nope", "application/json", `{}`); resp.StatusCode != 404 {
			t.Errorf("unknown form: %d", resp.StatusCode)
		}

		// Both refused submissions wait for review; one is fixed and accepted.
		_, subs := f.call(t, "marketing", "GET", "/api/v1/submissions?status=rejected", "")
		rejected := subs["data"].([]any)
		if len(rejected) != 2 {
			t.Fatalf("%d rejected submissions stored, want 2", len(rejected))
		}
		first := rejected[1].(map[string]any) // oldest last
		if first["values"].(map[string]any)["email"] != "ana(at)orbit" || first["reasons"].(map[string]any)["budget"] == nil {
			t.Errorf("stored rejected submission %v", first)
		}
		status, fixed := f.call(t, "marketing", "POST", fmt.Sprintf("/api/v1/submissions/%v/accept", first["id"]),
			`{"values":{"email":"bo@orbit.io","budget":"<10k","start":""}}`)
		if status != 200 || fixed["status"] != "accepted" || fixed["lead_id"] == nil {
			t.Errorf("accept fixed submission: %d %v", status, fixed)
		}
		second := rejected[0].(map[string]any)
		if status, d := f.call(t, "marketing", "POST", fmt.Sprintf("/api/v1/submissions/%v/discard", second["id"]), ""); status != 200 || d["status"] != "discarded" {
			t.Errorf("discard: %d %v", status, d)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/submissions", ""); status != 403 {
			t.Errorf("sales reading submissions: %d", status)
		}
	})
}

func TestPublicBotTrapsAndSecrecy(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"}]}`)

	// A filled honeypot is thanked like anyone, and creates no lead.
	resp, body := post(t, f.srv.URL, "/f/news", "application/x-www-form-urlencoded", "email=bot%40spam.io&_hp=http%3A%2F%2Fspam")
	if resp.StatusCode != 200 || !strings.Contains(body, "Thank you!") {
		t.Errorf("honeypot: %d", resp.StatusCode)
	}
	// A form sent a moment after it was shown is thanked too, and kept as spam.
	page, _ := http.Get(f.srv.URL + "/f/news")
	raw, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := regexp.MustCompile(`name="_t" value="([^"]+)"`).FindStringSubmatch(string(raw))[1]
	resp, _ = post(t, f.srv.URL, "/f/news", "application/x-www-form-urlencoded", url.Values{"email": {"fast@bot.io"}, "_t": {token}}.Encode())
	if resp.StatusCode != 200 {
		t.Errorf("too fast: %d", resp.StatusCode)
	}
	_, spam := f.call(t, "admin", "GET", "/api/v1/submissions?status=spam", "")
	_, leads := f.call(t, "admin", "GET", "/api/v1/leads", "")
	if len(spam["data"].([]any)) != 2 || len(leads["data"].([]any)) != 0 {
		t.Errorf("%d spam submissions and %d leads, want 2 and 0", len(spam["data"].([]any)), len(leads["data"].([]any)))
	}

	// New and known emails get byte-identical answers.
	_, first := post(t, f.srv.URL, "/f/news", "application/json", `{"email":"same@x.io"}`)
	_, second := post(t, f.srv.URL, "/f/news", "application/json", `{"email":"same@x.io"}`)
	if first != second {
		t.Errorf("the answer tells a known email apart:\n%s\n%s", first, second)
	}
}

// limitedServer serves a newsletter form with public limits of 6 requests
// a minute in bursts of 3, for the rate-limit tests.
func limitedServer(t *testing.T) *httptest.Server {
	t.Helper()
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"}]}`)
	h, err := server.New(server.Config{DB: db, Background: t.Context(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicPerMinute: 6, PublicBurst: 3})
	if err != nil {
		t.Fatal(err)
	}
	limited := httptest.NewServer(h)
	t.Cleanup(limited.Close)
	return limited
}

func TestPublicRateLimit(t *testing.T) {
	limited := limitedServer(t)
	var statuses []int
	var retry string
	start := time.Now()
	for i := 0; i < 5; i++ {
		resp, _ := post(t, limited.URL, "/f/news", "application/json", fmt.Sprintf(`{"email":"r%d@x.io"}`, i))
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 {
			retry = resp.Header.Get("Retry-After")
		}
	}
	// A token comes back every 10 s, less the time the posts took: a
	// loaded machine can take a second or more over them.
	wait, err := strconv.Atoi(retry)
	least := 10 - int(math.Ceil(time.Since(start).Seconds()))
	if fmt.Sprint(statuses) != "[200 200 200 429 429]" || err != nil || wait < least || wait > 10 {
		t.Errorf("statuses %v, Retry-After %q; want three through, then 429 with a wait of %d to 10 s", statuses, retry, least)
	}
	// Scripts and tracking have buckets of their own: a visitor over the
	// form limit still loads the embed script, and one whose browsing
	// used up the tracking bucket (below) still posts a form elsewhere.
	for i := 0; i < 5; i++ {
		resp, err := http.Get(limited.URL + "/embed.js")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i < 3 && resp.StatusCode != 200 {
			t.Errorf("embed.js after the form bucket ran out: %d", resp.StatusCode)
		}
	}
}

func TestTrackingDoesNotUseUpTheFormLimit(t *testing.T) {
	limited := limitedServer(t)
	for i := 0; i < 10; i++ { // page views: the tracking bucket runs out
		resp, _ := post(t, limited.URL, "/t/collect", "application/json", `{"visitor_id":"v1","type":"page_view"}`)
		if i >= 3 && resp.StatusCode != 429 {
			t.Fatalf("tracking post %d: %d, want 429 past its burst", i+1, resp.StatusCode)
		}
	}
	if resp, _ := post(t, limited.URL, "/f/news", "application/json", `{"email":"after@x.io"}`); resp.StatusCode != 200 {
		t.Errorf("the form post after ten page views: %d, want 200", resp.StatusCode)
	}
}

// TestConcurrentPublicSubmissions sends one new email from many clients at
// once over real HTTP: exactly one lead comes of it.
func TestConcurrentPublicSubmissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		h, err := server.New(server.Config{DB: db, Background: t.Context(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicPerMinute: 6000, PublicBurst: 100})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		f := newFixture(t, db)
		createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"},{"name":"company"}]}`)
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				resp, body := post(t, srv.URL, "/f/news", "application/json", fmt.Sprintf(`{"email":"crowd@x.io","company":"C%d"}`, i%3))
				if resp.StatusCode != 200 {
					t.Errorf("submission %d: %d %s", i, resp.StatusCode, body)
				}
			}(i)
		}
		wg.Wait()
		_, leads := f.call(t, "admin", "GET", "/api/v1/leads?q=crowd", "")
		_, accepted := f.call(t, "admin", "GET", "/api/v1/submissions?status=accepted&limit=100", "")
		if n := len(leads["data"].([]any)); n != 1 {
			t.Errorf("%d leads from 30 simultaneous submissions of one email", n)
		}
		if n := len(accepted["data"].([]any)); n != 30 {
			t.Errorf("%d accepted submissions stored, want all 30", n)
		}
	})
}

func TestWebImportExportAndDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")

		// Upload a HubSpot-style file through the page.
		status, loc, _ := b.upload("contacts.csv", "First Name,Last Name,Email,Company Name,Phone Number,Country/Region\n"+
			"Ana,Pop,ana@orbit.io,Orbit,+40 721 234 567,Romania\n"+
			"Ana,Pop,ana.pop@gmail.com,Orbit,,Romania\n"+
			"Bad,Row,not-an-email,X,,\n")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/imports/") {
			t.Fatalf("upload: %d → %q", status, loc)
		}
		_, _, page := b.get(loc)
		if !strings.Contains(page, `<option value="company" selected>`) || !strings.Contains(page, "Start import") {
			t.Fatalf("mapping page does not propose Company Name → company")
		}
		mapping := url.Values{"col0": {"first_name"}, "col1": {"last_name"}, "col2": {"email"}, "col3": {"company"}, "col4": {"phone"}, "col5": {"country"}}
		if status, _, _ := b.post(loc+"/start", mapping); status != http.StatusSeeOther {
			t.Fatalf("start: %d", status)
		}
		done := b.importDone(loc, "en", time.Minute)
		if !strings.Contains(done, "<dt>Leads created</dt><dd>2</dd>") || !strings.Contains(done, "rejects.csv") {
			t.Fatalf("import result page:\n%s", done)
		}
		_, _, rejects := b.get(loc + "/rejects.csv")
		if !strings.Contains(rejects, "not-an-email") || !strings.Contains(rejects, "email needs an @") {
			t.Errorf("rejects download: %s", rejects)
		}

		// Export with a filter.
		_, _, csvText := b.get("/leads/export.csv?q=gmail")
		if lines := strings.Split(strings.TrimSpace(csvText), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "ana.pop@gmail.com") {
			t.Errorf("filtered export: %q", csvText)
		}

		// The two Anas are probable duplicates; merge after confirming.
		// An import compares its leads in a job after it is done, so the
		// pair shows within moments, as a user reloading the page sees.
		var dup string
		for until := time.Now().Add(time.Minute); time.Now().Before(until) && !strings.Contains(dup, "Not a duplicate"); {
			_, _, dup = b.get("/duplicates")
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(dup, "probable duplicate") || !strings.Contains(dup, "Not a duplicate") {
			t.Fatalf("duplicates page lacks the pair")
		}
		m := regexp.MustCompile(`/duplicates/merge\?keep=(\d+)&amp;other=(\d+)`).FindStringSubmatch(dup)
		confirmURL := "/duplicates/merge?keep=" + m[1] + "&other=" + m[2]
		_, _, confirm := b.get(confirmURL)
		if !strings.Contains(confirm, "other leads are deleted") || !strings.Contains(confirm, `type="radio"`) {
			t.Errorf("merge asks no confirmation")
		}
		status, merged, _ := b.post(confirmURL, url.Values{})
		if status != http.StatusSeeOther || merged != "/leads/"+m[1] {
			t.Errorf("merge: %d → %s", status, merged)
		}
		_, _, after := b.get("/duplicates")
		if !strings.Contains(after, "No probable duplicates found.") {
			t.Errorf("the pair is still listed after merging")
		}

		sales := newBrowser(t, f.srv.URL)
		sales.login("sam@example.com")
		for _, path := range []string{"/forms", "/imports", "/submissions", "/duplicates"} {
			if status, _, _ := sales.get(path); status != http.StatusForbidden {
				t.Errorf("sales on %s: %d", path, status)
			}
		}
	})
}

func TestWebFormBuilder(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	_, _, page := b.get("/forms/new")
	if !strings.Contains(page, `name="std_company" value="1" checked`) {
		t.Fatalf("the new form does not start with sensible fields")
	}
	bad := url.Values{"name": {"Demo request"}, "slug": {"Demo Request!"}, "std_company": {"1"},
		"c0_name": {"team size"}, "c0_type": {"number"}, "c1_name": {"plan"}, "c1_type": {"select"}, "c1_options": {""}, "c2_name": {""}}
	status, _, page := b.post("/forms", bad)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Address must be 1 to 60 lower-case letters") ||
		!strings.Contains(page, `<li>Field “plan”: `) || !strings.Contains(page, `value="Demo request"`) {
		t.Errorf("refused builder: %d\n%s", status, page)
	}
	good := url.Values{"name": {"Demo request"}, "slug": {"demo"}, "std_company": {"1"}, "req_company": {"1"},
		"consent_text": {"News please"}, "c0_name": {"team_size"}, "c0_label": {"Team size"}, "c0_type": {"number"}, "c1_name": {""}}
	status, loc, _ := b.post("/forms", good)
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d", status)
	}
	_, _, page = b.get(loc)
	if !strings.Contains(page, `data-leadflow-form="demo"`) || !strings.Contains(page, "/embed.js") || !strings.Contains(page, "/f/demo?embed=1") {
		t.Errorf("form page lacks the embed snippets")
	}
	status, _, _ = b.post(loc+"/landing", url.Values{"slug": {"demo-offer"}, "template": {"split"}, "headline": {"See it live"}, "body": {"One.\n\nTwo."}})
	if status != http.StatusSeeOther {
		t.Fatalf("landing page: %d", status)
	}
	resp, err := http.Get(f.srv.URL + "/p/demo-offer")
	if err != nil {
		t.Fatal(err)
	}
	landing, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"<h1>See it live</h1>", "<p>One.</p>", "<p>Two.</p>", `action="/f/demo"`, "Team size", "News please", "lf-split"} {
		if !strings.Contains(string(landing), want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	_ = context.Background
}
