package server_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
)

// expectPage checks that page, read at path, holds every want and none
// of the English or raw codes in codes.
func expectPage(t *testing.T, path, page string, want, codes []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %s", path, w)
		}
	}
	for _, c := range codes {
		if strings.Contains(page, c) {
			t.Errorf("%s still shows %s", path, c)
		}
	}
}

// A Romanian marketer reads a sequence's steps, the stage that enrols
// leads and the day a step waits for in Romanian, and the page for a
// new sequence is titled in Romanian.
func TestSequencePageSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, tpl := f.call(t, "marketing", "POST", "/api/v1/email-templates", `{"name":"Poveste de client","subject":"Salut","text":"Salut {{first_name}}"}`)
	if status != http.StatusCreated {
		t.Fatalf("template: %d %v", status, tpl)
	}
	status, seq := f.call(t, "marketing", "POST", "/api/v1/sequences", fmt.Sprintf(`{"name":"Bun venit","status":"draft","trigger_kind":"stage","trigger_ref":"mql",
		"steps":[{"kind":"email","template_id":%v},{"kind":"wait","days":7},{"kind":"wait_until","weekday":"tue","hour":10},{"kind":"branch","if":"clicked","goto":1}]}`, tpl["id"]))
	if status != http.StatusCreated {
		t.Fatalf("sequence: %d %v", status, seq)
	}
	b := browserIn(t, f, "mia@example.com", "ro")
	path := fmt.Sprint("/nurture/sequences/", seq["id"])
	_, _, page := b.get(path)
	expectPage(t, path, page,
		[]string{`">Trimite „Poveste de client”</td>`, `">Așteaptă 7 zile</td>`,
			`">Așteaptă până în următoarea zi de marți la 10:00, ora lead-ului</td>`,
			`">Dacă s-a dat clic pe un link din ultimul e-mail, mergi la pasul 1</td>`,
			`<option value="mql" selected>MQL</option>`, `<option value="subscriber" >Abonat</option>`,
			`<option value="tue" selected>marți</option>`, `<option value="sun" >duminică</option>`},
		[]string{">Wait 7 days<", "Wait until", "go to step", "Send &#34;", ">subscriber<", ">opportunity<", ">tue<", ">mon<"})

	_, _, page = b.get("/nurture/sequences/new")
	expectPage(t, "/nurture/sequences/new", page, []string{"<title>Secvență nouă · leadflow</title>"}, []string{"New sequence"})
}

// A Norwegian seller's calendar, listed as a phone shows it, names each
// activity's kind and an all-day activity's time in Norwegian, and the
// month's columns are Norwegian weekdays.
func TestCalendarListSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, body := range []string{
		`{"kind":"call","subject":"Ring Kari","due_at":"2026-12-01T10:00:00Z","duration":15}`,
		`{"kind":"email","subject":"Skriv til Ola","due_at":"2026-12-01T12:00:00Z","duration":15}`,
		`{"kind":"task","subject":"Kvartalsgjennomgang","due_at":"2026-12-02","all_day":true}`,
	} {
		if status, act := f.call(t, "sales", "POST", "/api/v1/activities", body); status != http.StatusCreated {
			t.Fatalf("activity: %d %v", status, act)
		}
	}
	b := browserIn(t, f, "sam@example.com", "nb")
	for _, view := range []string{"agenda", "week"} {
		path := "/calendar?view=" + view + "&date=2026-11-30"
		_, _, page := b.get(path)
		expectPage(t, path, page,
			[]string{`<span class="badge kind">Samtale</span>`, `<span class="badge kind">E-post</span>`, `<span class="badge kind">Oppgave</span>`,
				`<span class="act-when">Hele dagen</span>`},
			[]string{`<span class="badge kind">call</span>`, `<span class="badge kind">email</span>`, `<span class="badge kind">task</span>`, "all day"})
	}
	path := "/calendar?view=month&date=2026-12-01"
	_, _, page := b.get(path)
	expectPage(t, path, page, []string{`<div role="columnheader">man.</div>`, `<div role="columnheader">søn.</div>`},
		[]string{`<div role="columnheader">Mon</div>`, `<div role="columnheader">Sun</div>`})
}

// The page for a new form is titled in Italian for an Italian marketer.
func TestNewFormTitleSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	_, _, page := b.get("/forms/new")
	expectPage(t, "/forms/new", page, []string{"<title>Nuovo modulo · leadflow</title>", "<h1>Nuovo modulo</h1>",
		html.EscapeString(i18n.For("it").T("fe.default_consent"))}, []string{"New form", "I agree to receive"})
}

// A Romanian admin who saves an assignment rule with no team, a country
// no one knows and a size range upside down, or settings with a
// deadline out of range, reads why in Romanian.
func TestAssignmentErrorsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "ro")
	status, _, page := b.post("/assignment/rules", url.Values{"name": {"Nord"}, "applies_to": {"new"}, "countries": {"Atlantida"},
		"min_employees": {"500"}, "max_employees": {"10"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule with no team: %d %.1000s", status, textOf(page))
	}
	expectPage(t, "/assignment/rules", page,
		[]string{"Echipă: adaugă cel puțin un utilizator, după adresa de e-mail", "Țări: „Atlantida” nu este un nume de țară sau un cod ISO",
			`<span class="error">nu poate fi sub minim</span>`},
		[]string{"name at least one user", "is not a country name", "below the minimum"})

	status, _, page = b.post("/assignment/rules", url.Values{"name": {"Nord"}, "applies_to": {"new"}, "members": {"nimeni@example.com"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule with an unknown member: %d %.1000s", status, textOf(page))
	}
	expectPage(t, "/assignment/rules", page, []string{"Echipă: niciun utilizator nu are adresa de e-mail „nimeni@example.com”"}, []string{"no user has the email"})

	status, _, page = b.post("/assignment/settings", url.Values{"fallback_owner": {"nimeni@example.com"}, "sla_hot": {"0"}, "sla_warm": {"72"}, "sla_cold": {"168"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("settings with a deadline of 0 hours: %d %.1000s", status, textOf(page))
	}
	expectPage(t, "/assignment/settings", page,
		[]string{`<span class="error">trebuie să fie un număr de ore între 1 și 8.760</span>`, `<span class="error">niciun utilizator nu are acest e-mail</span>`},
		[]string{"number of hours", "no user has this email"})
}

// The choices a form's custom question, a landing page's layout and an
// API token's scope offer read as words in the reader's language, not
// as the codes they are stored as.
func TestFormLayoutAndScopeChoicesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, fm := f.call(t, "marketing", "POST", "/api/v1/forms",
		`{"slug":"contatti","name":"Contatti","fields":[{"name":"email"},{"name":"budget","label":"Budget","type":"select","options":["Piccolo","Grande"]}]}`)
	if status != http.StatusCreated {
		t.Fatalf("form: %d %v", status, fm)
	}
	status, lp := f.call(t, "marketing", "POST", "/api/v1/landing-pages", fmt.Sprintf(`{"slug":"demo","form_id":%v,"template":"split","headline":"Demo"}`, fm["id"]))
	if status != http.StatusCreated {
		t.Fatalf("landing page: %d %v", status, lp)
	}
	formPath := fmt.Sprint("/forms/", fm["id"])
	_, _, page := browserIn(t, f, "mia@example.com", "it").get(formPath)
	expectPage(t, formPath, page,
		[]string{`<option value="select" selected>Elenco</option>`, `<option value="text" >Testo</option>`, `<option value="checkbox" >Casella di spunta</option>`},
		[]string{`>select</option>`, `>text</option>`, `>number</option>`, `>checkbox</option>`, `>date</option>`})

	landingPath := fmt.Sprint(formPath, "/landing/", lp["id"])
	nb := browserIn(t, f, "mia@example.com", "nb")
	_, _, page = nb.get(landingPath)
	expectPage(t, landingPath, page,
		[]string{`<option value="split" selected>Delt</option>`, `<option value="classic" >Klassisk</option>`, "Oppsett: klassisk (sentrert), delt"},
		[]string{`>split</option>`, `>classic</option>`, `>minimal</option>`, "classic (sentrert)"})

	ro := browserIn(t, f, "admin@example.com", "ro")
	if status, _, page := ro.post("/account/tokens", url.Values{"name": {"raport"}, "scope": {"read-only"}, "days": {"7"}}); status != http.StatusCreated {
		t.Fatalf("token: %d %.1000s", status, textOf(page))
	}
	_, _, page = ro.get("/account")
	expectPage(t, "/account", page,
		[]string{`<option value="read-write" selected>Citire și scriere</option>`, `<option value="read-only" >Doar citire</option>`,
			`<option value="admin" >Administrare</option>`, `">Doar citire</td>`, "„Doar citire” doar citește"},
		[]string{`>read-only<`, `>read-write<`, `>admin</option>`, "read-only doar"})
	_, _, page = ro.get("/users")
	expectPage(t, "/users", page, []string{`raport <span class="sub">(Doar citire;`}, []string{"(read-only;"})
}

// A page kept for other roles says why in its reader's language, as a
// sentence: a Romanian seller opening the user list, an Italian one the
// audit log, a Norwegian marketer the invoicing settings.
func TestRefusalPageSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	cases := []struct{ email, lang, path, want, english string }{
		{"sam@example.com", "ro", "/users", "<p>Doar administratorii gestionează utilizatorii.</p>", "only admins manage users"},
		{"sam@example.com", "it", "/audit", "<p>Solo gli admin leggono il registro di audit.</p>", "only admins read the audit log"},
		{"mia@example.com", "nb", "/settings/invoicing", "<p>Bare administratorer endrer fakturainnstillingene.</p>", "only admins change the invoicing settings"},
	}
	for _, c := range cases {
		b := browserIn(t, f, c.email, c.lang)
		status, _, page := b.get(c.path)
		if status != http.StatusForbidden {
			t.Errorf("%s in %s: %d, want 403", c.path, c.lang, status)
		}
		expectPage(t, c.path, page, []string{c.want}, []string{c.english})
	}
	// English reads the same refusal as the domain writes it, as a sentence.
	b := browserIn(t, f, "sam@example.com", "en")
	_, _, page := b.get("/users")
	expectPage(t, "/users", page, []string{"<p>Only admins manage users.</p>"}, nil)
}

// The error summaries of the sequence editor, the activity form, a
// landing page and the audit log's filter name each field by its label
// and give the reason in the reader's language, never a key such as
// steps.2.goto.
func TestErrorSummariesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))

	ro := browserIn(t, f, "mia@example.com", "ro")
	status, _, page := ro.post("/nurture/sequences", url.Values{"name": {"Bun venit"}, "status": {"draft"}, "trigger_kind": {"form"},
		"kind": {"wait", "branch"}, "template_id": {"0", "0"}, "days": {"500", ""}, "hours": {"", ""}, "weekday": {"", ""}, "hour": {"", ""},
		"if": {"", "opened"}, "value": {"", ""}, "goto": {"", "9"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a sequence with a wait of 500 days: %d", status)
	}
	expectPage(t, "/nurture/sequences (ro)", html.UnescapeString(page), []string{
		"<li>Înscrie trebuie să indice formularul</li>",
		"<li>Pasul 1: Zile trebuie să aștepte cel puțin o oră și cel mult 365 de zile</li>",
		"<li>Pasul 2: Mergi la pasul trebuie să fie alt pas, de la 1 la 3 (3 încheie secvența)</li>",
		`<span class="error">Mergi la pasul trebuie să fie alt pas, de la 1 la 3 (3 încheie secvența)</span>`,
	}, []string{"<li>steps.", "<li>trigger_ref", "must "})

	it := browserIn(t, f, "sam@example.com", "it")
	status, _, page = it.post("/activities", url.Values{"kind": {"call"}, "status": {"planned"}, "subject": {""},
		"due": {"2026-12-03T10:00"}, "duration": {"20000"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an activity without a subject: %d", status)
	}
	expectPage(t, "/activities (it)", html.UnescapeString(page), []string{
		"<li>Oggetto è obbligatorio, al massimo 200 caratteri</li>",
		"<li>Durata deve essere un numero intero di minuti da 0 a 10.080</li>",
	}, []string{"<li>subject", "<li>duration", "must be"})

	nb := browserIn(t, f, "admin@example.com", "nb")
	_, _, page = nb.get("/audit?subject_id=abc&from=yesterday")
	expectPage(t, "/audit (nb)", html.UnescapeString(page), []string{
		">Objekt-ID må være et positivt heltall</a>", ">Fra må være en dato (2026-11-30) eller et RFC 3339-tidspunkt</a>",
	}, []string{">subject_id ", ">from ", "must be"})

	status, form := f.call(t, "marketing", "POST", "/api/v1/forms", `{"slug":"demo","name":"Demo","fields":[{"name":"email"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("form: %d %v", status, form)
	}
	status, _, page = nb.post(fmt.Sprintf("/forms/%v/landing", form["id"]), url.Values{"slug": {"demo"}, "template": {"classic"},
		"headline": {"Se det"}, "image_url": {"javascript:alert(1)"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a landing page with a script as its image: %d", status)
	}
	expectPage(t, "/forms/…/landing (nb)", html.UnescapeString(page), []string{
		">Bildeadresse (valgfritt) må være en http(s)-adresse til et bilde, eller en sti på dette nettstedet</a>",
	}, []string{">image_url ", "must be"})
}

// A won deal's page offers its project in the reader's language, and a
// project type the form does not offer is refused in it too.
func TestDealProjectFormSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	deal := wonDealFrom(t, f, "cfo@birch.example", "Birch Timber", "paid_search", 8000)
	b := browserIn(t, f, "sam@example.com", "ro")
	_, _, page := b.get("/deals/" + deal)
	expectPage(t, "/deals/"+deal, html.UnescapeString(page), []string{
		`<label for="p-type">Tip</label>`, ">Creează proiectul</button>", "<h2>Proiect</h2>", "Proiectul preia compania, contactul, valoarea (ca buget)",
	}, []string{">Type<", "Create project", "The project takes"})
	status, _, page := b.post("/deals/"+deal+"/project", url.Values{"type": {"hosting"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a project of an unknown type: %d", status)
	}
	expectPage(t, "/deals/"+deal+"/project", html.UnescapeString(page),
		[]string{"<li>Tip trebuie să fie unul dintre tipurile de proiect oferite</li>"}, []string{"<li>type ", "must be"})
}

// A Romanian marketer's rejected rows come back with the two extra
// columns and the reasons in Romanian, and that file, fixed, imports
// again: its two extra columns map to no field, and leadflow knows the
// file as its own, so the formula it quoted comes back as typed.
func TestRejectedRowsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "ro")
	runImport := func(name, body string, mapping url.Values) (loc, done string) {
		t.Helper()
		status, loc, _ := b.upload(name, body)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/imports/") {
			t.Fatalf("upload %s: %d → %q", name, status, loc)
		}
		if status, _, _ := b.post(loc+"/start", mapping); status != http.StatusSeeOther {
			t.Fatalf("start %s: %d", name, status)
		}
		for until := time.Now().Add(time.Minute); time.Now().Before(until) && !strings.Contains(done, "rejects.csv") && !strings.Contains(done, "<dd>0</dd>"); {
			_, _, done = b.get(loc)
			time.Sleep(10 * time.Millisecond)
		}
		return loc, done
	}
	loc, _ := runImport("contacte.csv", "Nume,Email,Telefon,Companie\nAna,ana@orbit.io,+40 721 234 567,Orbit\nIon,ion-la-orbit.ro,,=1+2\n",
		url.Values{"col0": {"first_name"}, "col1": {"email"}, "col2": {"phone"}, "col3": {"company"}})
	_, _, rejects := b.get(loc + "/rejects.csv")
	rows, err := csv.NewReader(strings.NewReader(rejects)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rejects: %v %q", err, rejects)
	}
	if got := strings.Join(rows[0], ","); got != "Nume,Email,Telefon,Companie,linie,motiv" {
		t.Errorf("the rejects' header: %s", got)
	}
	if got := rows[1][5]; got != "E-mail are nevoie de un @ între nume și domeniu, ca în nume@exemplu.ro" {
		t.Errorf("the reason: %q", got)
	}
	if rows[1][3] != "'=1+2" {
		t.Errorf("the formula is not quoted in the rejects: %q", rows[1][3])
	}

	// Fixed, the file imports: the two extra columns map to nothing, and
	// the quoted formula comes back as it was typed.
	rows[1][1] = "ion@orbit.ro"
	var fixed strings.Builder
	csv.NewWriter(&fixed).WriteAll(rows)
	status, loc, _ := b.upload("contacte.rejected.csv", fixed.String())
	if status != http.StatusSeeOther {
		t.Fatalf("upload the fixed file: %d", status)
	}
	_, _, mapping := b.get(loc)
	for _, col := range []string{"col4", "col5"} {
		sel := regexp.MustCompile(`(?s)name="` + col + `".*?</select>`).FindString(mapping)
		if sel == "" || strings.Contains(sel, "selected") {
			t.Errorf("the fixed file's %s (linie, motiv) is not left out: %.300s", col, sel)
		}
	}
	runImport("contacte.rejected.csv", fixed.String(), url.Values{"col0": {"first_name"}, "col1": {"email"}, "col2": {"phone"}, "col3": {"company"}})
	_, found := f.call(t, "admin", "GET", "/api/v1/leads?q=ion%40orbit.ro", "")
	if data, _ := found["data"].([]any); len(data) != 1 || data[0].(map[string]any)["company"] != "=1+2" {
		t.Errorf("the fixed row: %v", found["data"])
	}
}

// The suggestions typed fields offer are in the reader's language: a
// deal's lost reasons, an issued invoice's payment methods.
func TestSuggestionsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	deal := wonDealFrom(t, f, "cfo@birch.example", "Birch Timber", "paid_search", 8000)
	it := browserIn(t, f, "sam@example.com", "it")
	_, _, page := it.get("/deals/" + deal)
	expectPage(t, "/deals/"+deal, page, []string{`<option value="prezzo">`, `<option value="funzionalità mancante">`},
		[]string{`<option value="price">`, `<option value="missing feature">`})

	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("settings: %d %v", status, body)
	}
	status, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Fjordlys","country":"NO"}`)
	if status != http.StatusCreated {
		t.Fatalf("account: %d %v", status, acc)
	}
	f.call(t, "sales", "PUT", fmt.Sprintf("/api/v1/accounts/%v/billing", acc["id"]), `{"legal_name":"Fjordlys AS"}`)
	status, inv := f.call(t, "sales", "POST", "/api/v1/invoices", fmt.Sprintf(`{"account_id":%v,"currency":"NOK","lines":[{"name":"Kurs","quantity":"1","unit_price":"100"}]}`, acc["id"]))
	if status != http.StatusCreated {
		t.Fatalf("invoice: %d %v", status, inv)
	}
	if status, body := f.call(t, "sales", "POST", fmt.Sprintf("/api/v1/invoices/%v/issue", inv["id"]), ""); status != http.StatusOK {
		t.Fatalf("issue: %d %v", status, body)
	}
	nb := browserIn(t, f, "sam@example.com", "nb")
	_, _, page = nb.get(fmt.Sprintf("/invoices/%v", inv["id"]))
	expectPage(t, "/invoices/…", page, []string{`<option value="bankoverføring">`, `<option value="kontant">`},
		[]string{`<option value="bank transfer">`, `<option value="cash">`})
}

// A solution's deployments read in the reader's language, in the
// catalog's list and on its page, and as the boxes of its form.
func TestDeploymentsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, s := f.call(t, "admin", "POST", "/api/v1/solutions", `{"vendor":"Fjord","product":"Fjord CRM","category":"crm","deployments":["cloud","web"],"price":"100","price_period":"month","currency":"NOK"}`)
	if status != http.StatusCreated {
		t.Fatalf("solution: %d %v", status, s)
	}
	nb := browserIn(t, f, "mia@example.com", "nb")
	_, _, page := nb.get("/solutions")
	expectPage(t, "/solutions", page, []string{">sky, nett</td>", `value="desktop" > skrivebord</label>`}, []string{">cloud, web<", "> desktop</label>"})
	seller := browserIn(t, f, "sam@example.com", "nb")
	_, _, page = seller.get(fmt.Sprint("/solutions/", s["id"]))
	expectPage(t, "/solutions/…", page, []string{"<dd>sky, nett</dd>", " / måned</dd>", "<dd>ja</dd>"}, []string{"<dd>cloud, web</dd>", "/ month", "<dd>true</dd>"})
}

// The deals board heads its columns, and the search its kinds of record
// and each lead's and deal's stage, in the reader's language.
func TestBoardAndSearchSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	mine := sqlLead(t, f, "sales", `{"email":"ola@fjordkraft.example","first_name":"Ola","last_name":"Nordmann","company":"Fjordkraft"}`)
	if status, body := f.call(t, "sales", "POST", mine+"/convert", `{"opportunity":{"name":"Fjordkraft rollout","amount":9000,"currency":"NOK"}}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	per := sqlLead(t, f, "sales", `{"email":"per@fjordfisk.example","first_name":"Per","last_name":"Fjord","company":"Fjordfisk"}`)
	if status, body := f.call(t, "admin", "PATCH", per, `{"stage":"disqualified","stage_reason":"no budget"}`); status != http.StatusOK {
		t.Fatalf("disqualify: %d %v", status, body)
	}
	b := browserIn(t, f, "sam@example.com", "it")
	_, _, board := b.get("/deals")
	expectPage(t, "/deals (it)", board, []string{`<h2 id="col-qualification">Qualificazione <span`, `<h2 id="col-won">Vinta <span`},
		[]string{`">Qualification <span`, `">Won <span`})
	_, _, page := b.get("/search?q=fjord")
	expectPage(t, "/search (it)", html.UnescapeString(page), []string{
		"<h2>Lead <span", "<h2>Contatti <span", "<h2>Aziende <span", "<h2>Trattative <span",
		"Fjordfisk · per@fjordfisk.example · Non qualificato", "Fjordkraft · Qualificazione",
	}, []string{"<h2>Leads", "<h2>Deals", "· qualification", "· disqualified"})
	// The API gives a hit's stage as its code, apart from its detail.
	_, got := f.call(t, "sales", "GET", "/api/v1/search?q=fjordfisk", "")
	if hits := got["data"].([]any)[0].(map[string]any)["hits"].([]any); len(hits) != 1 ||
		hits[0].(map[string]any)["stage"] != "disqualified" || hits[0].(map[string]any)["detail"] != "Fjordfisk · per@fjordfisk.example" {
		t.Errorf("the API's lead hit: %v", got)
	}
}

// The submissions' tabs and the events a rule scores on read in the
// reader's language.
func TestSubmissionTabsAndEventsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "nb")
	_, _, page := b.get("/submissions")
	expectPage(t, "/submissions (nb)", page, []string{">Avvist (0)</a>", ">Forkastet (0)</a>", ">Venter (0)</a>"}, []string{">Rejected (", ">Discarded ("})
	_, _, page = b.get("/scoring")
	expectPage(t, "/scoring (nb)", page, []string{">Visning av prissiden</option>"}, []string{">Pricing page view<"})
}

// A token refused on the account page keeps the page's title and gives
// its reasons in the reader's language.
func TestAccountPageRefusalSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "sam@example.com", "it")
	status, _, page := b.post("/account/tokens", url.Values{"name": {""}, "days": {""}, "scope": {"read-only"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a token without a name: %d", status)
	}
	expectPage(t, "/account (it)", html.UnescapeString(page), []string{"<title>Account · leadflow</title>", "è obbligatorio, per distinguere il token dagli altri"},
		[]string{"Azienda · leadflow", "to tell the token"})
	status, _, page = b.post("/account/tokens", url.Values{"name": {"CI"}, "days": {"12"}, "scope": {"read-only"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a token of 12 days: %d", status)
	}
	expectPage(t, "/account (it)", html.UnescapeString(page), []string{"deve essere 7, 30, 90 o 365, oppure vuoto"}, []string{"or empty for a token"})
}

// An activity names the record it is on in the reader's language, and
// the form builder's required boxes are labelled so for screen readers.
func TestActivityLinkAndRequiredBoxesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	contact, _ := contactAndMeeting(t, f)
	b := browserIn(t, f, "sam@example.com", "it")
	_, _, page := b.get("/contacts/" + contact)
	expectPage(t, "/contacts (it)", html.UnescapeString(page), []string{"sul contatto <a href=\"/contacts/" + contact + "\">Ida Berg</a>"}, []string{">contact Ida Berg</a>", "on contact"})
	admin := browserIn(t, f, "admin@example.com", "nb")
	_, _, page = admin.get("/forms/new")
	expectPage(t, "/forms/new (nb)", page, []string{`aria-label="E-post: påkrevd"`}, []string{" required\""})
}

// A lead's form answers are named by the questions the form asked, not
// by the fields' names.
func TestFormAnswersAreNamedByTheirQuestions(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	createForm(t, f, `{"slug":"programvare","name":"Programvare","fields":[{"name":"email"},
		{"name":"app_category","label":"Hvilken type program?","type":"select","options":["crm","erp"]},{"name":"budget_period","type":"text"}]}`)
	resp, body := post(t, f.srv.URL, "/f/programvare", "application/json", `{"email":"kari@fjordlys.example","app_category":"crm","budget_period":"month"}`)
	if resp.StatusCode >= 300 {
		t.Fatalf("submission: %d %s", resp.StatusCode, body)
	}
	_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=fjordlys", "")
	data, _ := list["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("leads: %v", list)
	}
	b := browserIn(t, f, "admin@example.com", "nb")
	_, _, page := b.get(fmt.Sprint("/leads/", data[0].(map[string]any)["id"]))
	expectPage(t, "a lead's form answers (nb)", html.UnescapeString(page), []string{"<dt>Hvilken type program?</dt><dd>crm</dd>"}, []string{"<dt>app_category</dt>", "<dt>budget_period</dt>"})
}
