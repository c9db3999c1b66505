package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// browser is a cookie-keeping client that does not follow redirects, so
// tests see where each step leads.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, origin string) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(raw)
}

func (b *browser) get(path string) (int, string, string) { return b.do("GET", path, nil, "") }

func (b *browser) post(path string, form url.Values) (int, string, string) {
	return b.do("POST", path, form, b.base)
}

func (b *browser) login(email string) {
	b.t.Helper()
	status, loc, body := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/leads"}})
	if status != http.StatusSeeOther || loc != "/leads" {
		b.t.Fatalf("login as %s: %d → %q\n%s", email, status, loc, body)
	}
}

func seedLeads(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	svc := lead.NewService(db)
	sam, err := user.NewService(db).ByEmail(ctx, "sam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for i, l := range []lead.Lead{
		{Email: "ana@orbit.io", FirstName: "Ana", LastName: "Pop", Company: "Orbit", Country: "RO", Stage: lead.MQL, Score: 80, Source: "web"},
		{Email: "ben@delta.de", FirstName: "Ben", LastName: "Kurz", Company: "Delta", Country: "DE", Stage: lead.StageLead, Score: 45, Source: "referral", OwnerID: sam.ID},
		{Email: "cy@nova.it", FirstName: "Cy", LastName: "Neri", Company: "Nova", Country: "IT", Stage: lead.Customer, Score: 10, Source: "web"},
	} {
		l.CreatedAt, l.UpdatedAt = day.AddDate(0, 0, i), day.AddDate(0, 0, i)
		if _, err := svc.Insert(ctx, l, "test data"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWebSignInListAndFilter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedLeads(t, db)
		b := newBrowser(t, f.srv.URL)

		status, loc, _ := b.get("/leads/1")
		if status != http.StatusSeeOther || loc != "/login?next=%2Fleads%2F1" {
			t.Fatalf("signed out: %d → %q", status, loc)
		}
		status, _, body := b.post("/login", url.Values{"email": {"mia@example.com"}, "password": {"wrong password"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") || !strings.Contains(body, `value="mia@example.com"`) {
			t.Errorf("wrong password: %d, message or typed email missing", status)
		}
		b.login("mia@example.com")

		_, _, body = b.get("/leads")
		for _, want := range []string{"1–3 of 3 leads", "Ana Pop", "Ben Kurz", "Cy Neri", "mia@example.com"} {
			if !strings.Contains(body, want) {
				t.Errorf("lead list lacks %q", want)
			}
		}
		_, _, body = b.get("/leads?grade=hot&country=RO")
		if !strings.Contains(body, "Ana Pop") || strings.Contains(body, "Ben Kurz") || !strings.Contains(body, "1–1 of 1 lead") {
			t.Errorf("filter grade=hot&country=RO shows the wrong leads")
		}
		_, _, body = b.get("/leads?q=delta")
		if !strings.Contains(body, "Ben Kurz") || strings.Contains(body, "Ana Pop") {
			t.Errorf("search for delta shows the wrong leads")
		}
		_, _, body = b.get("/leads?sort=score")
		if i, j := strings.Index(body, "Cy Neri"), strings.Index(body, "Ana Pop"); i < 0 || j < 0 || i > j {
			t.Errorf("sorted by score ascending, Cy (10) should come before Ana (80)")
		}
		_, _, body = b.get("/leads?q=nobody-matches")
		if !strings.Contains(body, "No leads match these filters.") {
			t.Errorf("empty result has no empty state")
		}
		// A page number past the end (a bookmark from a longer list) says
		// so, and leads back to the first page with the filter kept.
		_, _, body = b.get("/leads?country=RO&limit=20&page=8")
		if !strings.Contains(body, "This page is past the last one.") || !strings.Contains(body, `href="/leads?country=RO&amp;limit=20"`) || strings.Contains(body, "No leads match these filters.") {
			t.Errorf("a page past the end is not said to be, with a way back to the first")
		}
		_, _, body = b.get("/leads?q=nobody-matches&page=2")
		if !strings.Contains(body, "No leads match these filters.") || strings.Contains(body, "This page is past the last one.") {
			t.Errorf("a later page of a filter nothing matches is said to be past the end, not empty")
		}
		status, _, body = b.get("/leads?min_score=lots")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a whole number") || !strings.Contains(body, `value="lots"`) {
			t.Errorf("bad filter: %d; the reason or the typed value is missing", status)
		}
	})
}

func TestWebCreateEditDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")

		bad := url.Values{"email": {"not an email"}, "first_name": {"Dana"}, "company": {"Kite Labs"}, "employees": {"-4"},
			"consent": {"false", "true"}, "stage": {"lead"}}
		status, _, body := b.post("/leads", bad)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid lead: status %d", status)
		}
		for _, want := range []string{"Please correct 2 fields", "Email needs an @ between the name and the domain", "Employees must not be negative",
			`value="Dana"`, `value="Kite Labs"`, `value="not an email"`} {
			if !strings.Contains(body, want) {
				t.Errorf("refused form lacks %q", want)
			}
		}
		if !strings.Contains(body, `name="consent" type="checkbox" value="true" checked`) {
			t.Errorf("the consent tick was lost on the refused form")
		}

		good := url.Values{"email": {"dana@kite.io"}, "first_name": {"Dana"}, "company": {"Kite Labs"}, "employees": {"40"},
			"country": {"NO"}, "consent": {"false", "true"}, "stage": {"mql"}, "owner": {"sam@example.com"}}
		status, loc, _ := b.post("/leads", good)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/leads/") {
			t.Fatalf("create: %d → %q", status, loc)
		}
		_, _, body = b.get(loc)
		for _, want := range []string{"Lead created.", "Dana", "Kite Labs", "Norway (NO)", "MQL", "sam@example.com", "Created</strong>", "Yes, given"} {
			if !strings.Contains(body, want) {
				t.Errorf("lead page lacks %q", want)
			}
		}

		status, _, body = b.post(loc, url.Values{"email": {"dana@kite.io"}, "company": {"Kite Labs AS"}, "consent": {"false"}, "stage": {"sql"}, "owner": {"sam@example.com"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "through BANT qualification") || !strings.Contains(body, `value="Kite Labs AS"`) {
			t.Errorf("MQL to SQL by editing: %d", status)
		}
		status, _, _ = b.post(loc, url.Values{"email": {"dana@kite.io"}, "company": {"Kite Labs AS"}, "consent": {"false"}, "stage": {"nurturing"},
			"stage_reason": {"budget opens in March"}, "owner": {"sam@example.com"}})
		if status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		_, _, body = b.get(loc)
		for _, want := range []string{"Changes saved.", "Kite Labs AS", "Stage changed</strong> from MQL to Nurturing", "budget opens in March", "<del>Kite Labs</del>", "<ins>Kite Labs AS</ins>"} {
			if !strings.Contains(body, want) {
				t.Errorf("after edit the lead page lacks %q", want)
			}
		}

		_, _, body = b.get(loc + "/delete")
		if !strings.Contains(body, "This cannot be undone.") {
			t.Errorf("delete asks no confirmation")
		}
		if status, _, _ := b.do("POST", loc+"/delete", url.Values{}, "https://evil.example"); status != http.StatusForbidden {
			t.Errorf("cross-site delete: %d, want 403", status)
		}
		if status, _, _ := b.post(loc+"/delete", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("delete: %d", status)
		}
		if status, _, _ := b.get(loc); status != http.StatusNotFound {
			t.Errorf("deleted lead page: %d", status)
		}
	})
}

func TestWebRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedLeads(t, db)
		sue := newBrowser(t, f.srv.URL)
		sue.login("sue@example.com")
		_, _, body := sue.get("/leads")
		if strings.Contains(body, "Ben Kurz") || !strings.Contains(body, "Ana Pop") {
			t.Errorf("sales sees another sales user's lead, or not the unassigned ones")
		}
		if status, _, _ := sue.get("/leads/2"); status != http.StatusForbidden {
			t.Errorf("sales opening another's lead: %d", status)
		}
		if status, _, _ := sue.get("/users"); status != http.StatusForbidden {
			t.Errorf("sales on the users page: %d", status)
		}
		if status, _, _ := sue.get("/leads/1/delete"); status != http.StatusForbidden {
			t.Errorf("sales on a delete page: %d", status)
		}

		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		status, _, body := admin.post("/users", url.Values{"email": {"new@example.com"}, "password": {"short"}, "role": {string(access.Sales)}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Password must be at least 10 characters") || !strings.Contains(body, `value="new@example.com"`) {
			t.Errorf("bad new user: %d", status)
		}
		if status, _, _ := admin.post("/users", url.Values{"email": {"new@example.com"}, "password": {"long enough now"}, "role": {"sales"}}); status != http.StatusSeeOther {
			t.Errorf("new user: %d", status)
		}
		newcomer := newBrowser(t, f.srv.URL)
		status, _, _ = newcomer.post("/login", url.Values{"email": {"new@example.com"}, "password": {"long enough now"}})
		if status != http.StatusSeeOther {
			t.Errorf("the new user cannot sign in: %d", status)
		}
		if status, loc, _ := newcomer.post("/logout", url.Values{}); status != http.StatusSeeOther || loc != "/login" {
			t.Errorf("logout: %d → %s", status, loc)
		}
		if status, _, _ := newcomer.get("/leads"); status != http.StatusSeeOther {
			t.Errorf("after logout the list answers %d, want a redirect to sign in", status)
		}
	})
}

func TestQualifyThroughPageAndAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"cfo@fjord.no","stage":"mql"}`)
		path := fmt.Sprintf("/api/v1/leads/%v", l["id"])
		if status, body := f.call(t, "sales", "PATCH", path, `{"stage":"sql"}`); status != 422 || errorFields(body)["stage"] == nil {
			t.Errorf("MQL to SQL by PATCH: %d %v", status, body)
		}
		status, body := f.call(t, "sales", "POST", path+"/qualify", `{"budget":-5,"authority":"king","need":"","timing":"later","outcome":"sql"}`)
		if status != 422 || len(errorFields(body)) != 5 { // budget, currency, authority, need, timing
			t.Errorf("bad BANT: %d %v", status, body)
		}
		status, body = f.call(t, "sales", "POST", path+"/qualify",
			`{"budget":25000,"budget_currency":"NOK","authority":"decision_maker","need":"One CRM for three offices","timing":"2027-Q2","outcome":"sql"}`)
		if status != 200 || body["stage"] != "sql" {
			t.Fatalf("qualify: %d %v", status, body)
		}
		if status, q := f.call(t, "sales", "GET", path+"/qualification", ""); status != 200 || q["budget"] != 25000.0 || q["decided_by"] != "sam@example.com" {
			t.Errorf("qualification: %d %v", status, q)
		}
		if status, body := f.call(t, "sales", "PATCH", path, `{"stage":"disqualified","stage_reason":"competitor"}`); status != 200 || body["stage"] != "disqualified" {
			t.Errorf("disqualify: %d %v", status, body)
		}

		// The page: an MQL offers the BANT form; refused answers come back named.
		_, m := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"it@fjord.no","stage":"mql"}`)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		page := fmt.Sprintf("/leads/%v", m["id"])
		_, _, html := b.get(page)
		if !strings.Contains(html, "Qualify with BANT") || !strings.Contains(html, `<option value="nurturing"`) {
			t.Fatalf("the MQL page has no BANT form")
		}
		// An MQL becomes an SQL through BANT, so Move offers no SQL, and
		// preselects nothing.
		move := html[strings.Index(html, `id="move-stage"`):]
		move = move[:strings.Index(move, "</select>")]
		if strings.Contains(move, `value="sql"`) || strings.Contains(move, "selected") || !strings.Contains(move, ">Nurturing<") {
			t.Errorf("Move on an MQL page:\n%s", move)
		}
		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		_, _, ahtml := admin.get(page)
		amove := ahtml[strings.Index(ahtml, `id="move-stage"`):]
		amove = amove[:strings.Index(amove, "</select>")]
		if strings.Count(amove, `value="nurturing"`) != 1 || !strings.Contains(amove, `label="Any stage (admin, with a reason)"`) ||
			!strings.Contains(amove, `value="sql"`) {
			t.Errorf("Move on an MQL page for an admin: each stage once, SQL among the admin's:\n%s", amove)
		}
		status, _, html = b.post(page+"/qualify", url.Values{"budget": {"lots"}, "authority": {"influencer"}, "need": {"Faster quotes"}, "timing": {"2027-Q3"}, "outcome": {"sql"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(html, "Budget must be a whole amount") || !strings.Contains(html, "Faster quotes") {
			t.Errorf("refused BANT form: %d", status)
		}
		status, _, _ = b.post(page+"/qualify", url.Values{"budget": {""}, "authority": {"influencer"}, "need": {"Faster quotes"},
			"timing": {"2027-Q3"}, "outcome": {"nurturing"}, "reason": {"waiting for the new CFO"}})
		if status != http.StatusSeeOther {
			t.Fatalf("BANT form: %d", status)
		}
		_, _, html = b.get(page)
		if !strings.Contains(html, "budget unknown") || !strings.Contains(html, "waiting for the new CFO") || !strings.Contains(html, ">Nurturing</span>") {
			t.Errorf("after qualifying, the page does not show the BANT outcome")
		}
		status, _, html = b.post(page+"/stage", url.Values{"stage": {"disqualified"}, "reason": {"bored"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(html, "disqualifying needs a reason") {
			t.Errorf("move without a listed reason: %d", status)
		}
		if status, _, _ := b.post(page+"/stage", url.Values{"stage": {"mql"}}); status != http.StatusSeeOther {
			t.Errorf("nurturing back to MQL: %d", status)
		}
	})
}

// A sign-in link carrying another site as where to go next, however it is
// disguised, signs the user in and lands on this site; a real path of
// this site, with its query, is kept.
func TestSignInRedirectsOnlyWithinTheSite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		_, _, body := b.get("/login?next=/%09/evil.example")
		if !strings.Contains(body, `name="next" value="/home"`) {
			t.Errorf("the sign-in page carries a hostile next on")
		}
		for _, next := range []string{"/\t/evil.example", "//evil.example", `/\evil.example`, "/\n/evil.example", "https://evil.example",
			"javascript:alert(1)"} {
			status, loc, _ := b.post("/login", url.Values{"email": {"mia@example.com"}, "password": {testPassword}, "next": {next}})
			if status != http.StatusSeeOther || loc != "/home" {
				t.Errorf("next %q: %d → %q", next, status, loc)
			}
		}
		status, loc, _ := b.post("/login", url.Values{"email": {"mia@example.com"}, "password": {testPassword}, "next": {"/leads?grade=hot&country=RO"}})
		if status != http.StatusSeeOther || loc != "/leads?grade=hot&country=RO" {
			t.Errorf("a path of the site: %d → %q", status, loc)
		}
	})
}

// TestLeadPlaceReadsAsWritten: a lead's place is its postal code, city
// and region, whichever it has, with no dash standing in for a missing
// city beside a known region.
func TestLeadPlaceReadsAsWritten(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	for body, want := range map[string]string{
		`{"email":"va@place.example","region":"VA"}`:                        "<dd>VA</dd>",
		`{"email":"oslo@place.example","city":"Oslo","postal_code":"0150"}`: "<dd>0150 Oslo</dd>",
		`{"email":"cluj@place.example","city":"Cluj-Napoca","region":"CJ"}`: "<dd>Cluj-Napoca, CJ</dd>",
		`{"email":"none@place.example"}`:                                    "<dd>—</dd>",
	} {
		status, l := f.call(t, "marketing", "POST", "/api/v1/leads", body)
		if status != http.StatusCreated {
			t.Fatalf("lead %s: %d %v", body, status, l)
		}
		_, _, page := b.get(fmt.Sprintf("/leads/%v", l["id"]))
		i := strings.Index(page, `<dt>City</dt>`)
		if i < 0 || !strings.HasPrefix(page[i+len(`<dt>City</dt>`):], want) {
			t.Errorf("lead %s: the place reads %.60q, want %q", body, page[max(i, 0)+len(`<dt>City</dt>`):], want)
		}
	}
}
