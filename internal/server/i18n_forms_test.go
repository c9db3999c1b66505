package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
	"leadflow/internal/invoice"
)

// The forms people fill most, refused in Romanian, name each field by
// its label and give each reason in Romanian: an email with a space in
// it, a phone that is not one, a product priced with a comma, a user
// without a password, a webhook without an address.
func TestRefusedFormsSpeakRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	admin := browserIn(t, f, "admin@example.com", "ro")
	cases := []struct {
		name, path string
		form       url.Values
		want       []string
		english    []string
	}{
		{"a lead", "/leads", url.Values{"email": {"ana pop@orbit.ro"}, "phone": {"12"}, "country": {"RO"}},
			[]string{"are un caracter nepermis înainte de @: ' '", "nu este un număr de telefon"},
			[]string{"not allowed before the @", "is not a phone number", "is not a valid phone number"}},
		{"a product", "/products", url.Values{"name": {"Licență"}, "unit_price": {"480,00,00"}, "currency": {"EUR"}, "active": {"on"}},
			[]string{"Preț unitar trebuie să fie o sumă, de exemplu 1250,00"},
			[]string{"unit_price ", "must be an amount"}},
		{"a user", "/users", url.Values{"email": {"ion@example.com"}, "password": {"scurt"}, "role": {"sales"}},
			[]string{"Parolă trebuie să aibă cel puțin 10 caractere"},
			[]string{">password ", "must be at least"}},
		{"a webhook", "/settings/webhooks", url.Values{"url": {"ftp://example.com/x"}, "events": {"lead.created"}},
			[]string{"URL trebuie să fie o adresă http:// sau https://"},
			[]string{"<li>url ", "must be an http"}},
		{"a channel's spend", "/reports/spend", url.Values{"source": {""}, "month": {"2026-13"}, "amount": {"mult"}, "currency": {"EUR"}},
			[]string{"indică canalul așa cum îl numește sursa lead-urilor", "trebuie să fie o lună în forma AAAA-LL", "trebuie să fie o sumă întreagă, 0 sau mai mult"},
			[]string{"give the channel", "must be a month", "must be a whole amount"}},
		// The API's reason names RFC 3339; the page asks for what its field takes.
		{"an activity", "/activities", url.Values{"kind": {"call"}, "subject": {"Sună clientul"}, "due": {"2026-02-30T10:00"}, "status": {"planned"}},
			[]string{"trebuie să fie o dată și o oră în forma AAAA-LL-ZZ HH:MM", `value="Sună clientul"`},
			[]string{"RFC 3339", "must be a date", "ZZTHH"}},
	}
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ana@orbit.ro","company":"Orbit","stage":"sql"}`)
	cases = append(cases, struct {
		name, path string
		form       url.Values
		want       []string
		english    []string
	}{"a conversion", fmt.Sprint("/leads/", l["id"], "/convert"),
		url.Values{"account_name": {"Orbit"}, "open_deal": {"on"}, "deal_name": {""}, "amount": {"mult"}, "currency": {"EUR"}},
		[]string{"<li>Nume nu poate lipsi", "<li>Valoare trebuie să fie"}, []string{"<li>deal_name ", "<li>amount ", "is required"}})
	// The list's filters are named by their labels, not their parameters.
	_, _, page := admin.get("/leads?min_probability=150&min_score=abc")
	expectPage(t, "/leads (ro)", html.UnescapeString(page), []string{"<li>Punctaj minim trebuie să fie", "<li>Șansă minimă, % trebuie să fie"},
		[]string{"<li>min_score", "<li>min_probability"})
	if _, _, page := admin.get("/search?q=a"); !strings.Contains(html.UnescapeString(page), "Căutarea trebuie să aibă între 2 și 100 de caractere.") {
		t.Errorf("a search of one letter is not refused in Romanian:\n%s", textOf(page))
	}
	for _, c := range cases {
		status, _, page := admin.post(c.path, c.form)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", c.name, status)
		}
		expectPage(t, c.name, html.UnescapeString(page), c.want, c.english)
	}
}

// A segment's refused condition names its field in the reader's
// language, in the summary and under the condition.
func TestRefusedSegmentConditionSpeaksItalian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	status, _, page := b.post("/segments", url.Values{"name": {"Caldi"}, "combine": {"all"},
		"c0_field": {"score"}, "c0_op": {"between"}, "c0_min": {"50"}, "c0_max": {"10"}, "action": {"save"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a range upside down: %d", status)
	}
	expectPage(t, "/segments (it)", html.UnescapeString(page), []string{
		"<li>Condizione 1: Valore massimo non può essere inferiore al valore minimo</li>",
		"Valore massimo non può essere inferiore al valore minimo. </p>",
	}, []string{"max must not", ": max ", "must not be below"})
}

// Whole numbers typed the Romanian way: a company's head count with a
// decimal comma and its revenue with cents are refused by name (they
// were cut to 3 and 2500 unsaid), and a qualification's budget of
// 25.000 is twenty-five thousand.
func TestWholeNumbersReadTheRomanianWay(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "sam@example.com", "ro")
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Orbit","employees":40}`)
	path := fmt.Sprint("/accounts/", acc["id"])
	status, _, page := b.post(path, url.Values{"name": {"Orbit"}, "employees": {"3,7"}, "revenue": {"2.500,75"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a head count of 3,7 and a revenue with cents: %d, want 422", status)
	}
	expectPage(t, path, html.UnescapeString(page), []string{"Angajați trebuie să fie", "Venit anual trebuie să fie"}, []string{"must be a whole"})
	if _, got := f.call(t, "sales", "GET", "/api/v1"+path, ""); got["employees"] != 40.0 {
		t.Errorf("after the refused edit, employees %v, want 40 as it was", got["employees"])
	}

	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ana@orbit.ro","company":"Orbit","stage":"mql"}`)
	lead := fmt.Sprint("/leads/", l["id"])
	status, _, page = b.post(lead+"/qualify", url.Values{"budget": {"25.000"}, "budget_currency": {"EUR"}, "authority": {"decision_maker"},
		"need": {"Un CRM"}, "timing": {"2027-Q2"}, "outcome": {"sql"}})
	if status != http.StatusSeeOther {
		t.Fatalf("a budget of 25.000: %d %s", status, textOf(page))
	}
	if _, q := f.call(t, "sales", "GET", "/api/v1"+lead+"/qualification", ""); q["budget"] != 25000.0 {
		t.Errorf("the budget of 25.000 was stored as %v", q["budget"])
	}
	// The timeline tells the qualification, and the conversion into the
	// company there already, in Romanian too.
	if status, c := f.call(t, "sales", "POST", "/api/v1"+lead+"/convert", `{}`); status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, c)
	}
	_, _, page = b.get(lead)
	expectPage(t, lead, html.UnescapeString(page), []string{"calificare BANT trecută", "<li>Autoritate: ", "<li>Rezultat: <span class=\"muted\">gol</span> → <ins>SQL</ins>", "<li>Nevoie: ",
		"Orbit (existentă)", "<li>Buget: <span class=\"muted\">gol</span> → <ins>25.000\u00a0EUR</ins>"},
		[]string{"passed BANT", "<li>authority:", "<li>outcome:", "<li>need:", "(existing)", "25000 EUR"})
}

// Billing details refused for their country mark that field in the
// billing form only, not the account's own form beside it.
func TestRefusedBillingMarksItsOwnForm(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "ro")
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Orbit","country":"RO"}`)
	status, _, page := b.post(fmt.Sprint("/accounts/", acc["id"], "/billing"), url.Values{"legal_name": {"Orbit SRL"}, "country": {"Atlantida"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="b-country-error"`) {
		t.Fatalf("billing with a country that is none: %d, the billing form names no country fault", status)
	}
	if m := regexp.MustCompile(`<input id="a-country"[^>]*>`).FindString(page); m == "" || strings.Contains(m, "aria-invalid") {
		t.Errorf("the account's own country field: %q", m)
	}
}

// A segment with its name left empty and a number mistyped is refused
// for both at once, so one more try is enough; the condition is not
// told it lacks the number it was refused for.
func TestRefusedSegmentNamesEveryFault(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	status, _, page := b.post("/segments", url.Values{"name": {" "}, "combine": {"all"},
		"c0_field": {"score"}, "c0_op": {"between"}, "c0_min": {"cinquanta"}, "action": {"save"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an empty name and a number in words: %d", status)
	}
	page = html.UnescapeString(page)
	expectPage(t, "/segments (it)", page, []string{"<li>Nome è obbligatorio</li>", "<li>Condizione 1: Valore minimo deve essere un numero intero</li>"},
		[]string{"is required", "must be a whole number"})
	if n := strings.Count(page, "<li>Condizione 1"); n != 1 {
		t.Errorf("the condition is named %d times in the summary, want once", n)
	}
}

// A number the segment editor refused comes back as it was typed, in
// its own condition's row, where it came back empty.
func TestRefusedSegmentKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "ro")
	status, _, page := b.post("/segments", url.Values{"name": {"Calzi"}, "combine": {"all"},
		"c0_field": {"stage"}, "c0_op": {"in"}, "c0_stage": {"mql"},
		"c1_field": {"score"}, "c1_op": {"between"}, "c1_min": {"2.5"}, "c1_max": {"90"},
		"c2_field": {"event"}, "c2_op": {"at_least"}, "c2_event_type": {"page_view"}, "c2_count": {"1.5"}, "c2_days": {"14"}, "action": {"save"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a score from 2.5: %d", status)
	}
	for name, want := range map[string]string{"c1_min": "2.5", "c1_max": "90", "c2_count": "1.5", "c2_days": "14"} {
		if got := formFields(page).Get(name); got != want {
			t.Errorf("%s comes back as %q, want %q", name, got, want)
		}
	}
	// So does one not yet read, when a row is added.
	_, _, page = b.post("/segments", url.Values{"name": {"Calzi"}, "combine": {"all"},
		"c0_field": {"score"}, "c0_op": {"between"}, "c0_min": {"2.5"}, "action": {"add"}})
	if got := formFields(page).Get("c0_min"); got != "2.5" {
		t.Errorf("after adding a row, c0_min comes back as %q", got)
	}
}

// A qualification whose budget is refused names its other faults in the
// same try: it named the budget alone, then the need on the next.
func TestRefusedQualificationNamesEveryFault(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ana@carpat.ro","stage":"mql"}`)
	b := browserIn(t, f, "sam@example.com", "ro")
	status, _, page := b.post(fmt.Sprint("/leads/", l["id"], "/qualify"), url.Values{"budget": {"mult"}, "budget_currency": {"€"},
		"authority": {"decision_maker"}, "need": {""}, "timing": {"2027-Q2"}, "outcome": {"sql"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a budget in words and no need: %d", status)
	}
	for _, field := range []string{"budget", "currency", "need"} {
		if !regexp.MustCompile(`id="b-` + field + `"[^>]*aria-invalid="true"`).MatchString(page) {
			t.Errorf("the refused qualification does not mark its %s", field)
		}
	}
}

// A segment's preview counts its leads with the verb agreeing: one lead
// "corrisponde", not "corrispondono"; and it counts a segment not yet
// named (a name was asked for first).
func TestSegmentPreviewCountsInTheReadersGrammar(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ana@carpat.ro","stage":"mql"}`)
	b := browserIn(t, f, "mia@example.com", "it")
	for stages, want := range map[string]string{"mql": "<strong>1</strong> lead corrisponde ora.", "sql": "<strong>0</strong> lead corrispondono ora."} {
		// Counting comes before naming: no name is asked for.
		_, _, page := b.post("/segments", url.Values{"name": {""}, "combine": {"all"},
			"c0_field": {"stage"}, "c0_op": {"in"}, "c0_stage": {stages}, "action": {"preview"}})
		if !strings.Contains(page, want) {
			t.Errorf("the preview of %s does not say %q", stages, want)
		}
	}
}

// A refused scoring rule is named by its number and column, in the
// reader's language.
func TestRefusedScoringRuleSpeaksItalian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	status, _, page := b.post("/scoring", url.Values{"hot": {"80"}, "warm": {"50"}, "mql": {"60"}, "half_life_days": {"30"},
		"e0_field": {"job_title"}, "e0_op": {"contains"}, "e0_values": {"chief"}, "e0_points": {"molti"},
		"b0_event": {"page_view"}, "b0_points": {"2"}, "b0_cap": {"30"}, "b0_window": {"90"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule's points in words: %d", status)
	}
	expectPage(t, "/scoring (it)", html.UnescapeString(page), []string{"<li>Regola esplicita 1: Punti deve essere un numero intero</li>"},
		[]string{"<li>e0_points", "explicit rule", "must be a whole number"})
}

// Rules refused come back as typed: a threshold typed the Italian way, a
// rule's points in words (in the row the rule is shown in, the empty row
// above it gone), and an emptied threshold is asked for; all three
// showed 0.
func TestRefusedScoringKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	status, _, page := b.post("/scoring", url.Values{"hot": {"70,5"}, "warm": {""}, "mql": {"60"}, "half_life_days": {"30"},
		"e0_field": {""}, "e0_points": {""},
		"e1_field": {"job_title"}, "e1_op": {"contains"}, "e1_values": {"chief"}, "e1_points": {"venti"},
		"b0_event": {"page_view"}, "b0_points": {"2"}, "b0_cap": {"trenta"}, "b0_window": {"90"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("rules in words: %d", status)
	}
	for name, want := range map[string]string{"hot": "70,5", "warm": "", "mql": "60", "e0_points": "venti", "b0_points": "2", "b0_cap": "trenta"} {
		if got := formFields(page).Get(name); got != want {
			t.Errorf("%s comes back as %q, want %q", name, got, want)
		}
	}
	it := i18n.For("it")
	expectPage(t, "/scoring (it)", html.UnescapeString(page), []string{
		"<li>Regola esplicita 1: Punti " + it.T("why.whole_number"),
		it.T("sc.warm_from") + " " + it.T("why.required"),
	}, []string{"Regola esplicita 2"})
}

// A refused software request gives its reasons in the reader's language.
func TestRefusedSoftwareRequestSpeaksNorwegian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	id := salesLead(t, f)
	b := browserIn(t, f, "sam@example.com", "nb")
	status, _, page := b.post("/leads/"+id+"/software", url.Values{"category": {""}, "licences": {"ti"},
		"budget": {"mye"}, "horizon_months": {"500"}, "languages": {"klingon"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a request without a category: %d", status)
	}
	expectPage(t, "/leads/…/software (nb)", html.UnescapeString(page), []string{
		"er påkrevd: typen program, for eksempel", "må være et heltall fra 1 til 1\u00a0000\u00a0000",
		"må være et beløp på 0 eller mer", "må være et helt antall måneder fra 1 til 120",
	}, []string{"is required", "must be an amount", "must be a whole number of months", "must be two-letter"})
}

// A bulk action's note after the list says in the reader's language what
// was refused and why, and what to do when nothing was ticked.
func TestBulkNoteSpeaksRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@orbit.ro","stage":"subscriber"}`)
	b := browserIn(t, f, "admin@example.com", "ro")
	b.post("/leads/bulk", url.Values{"id": {fmt.Sprint(l["id"])}, "action": {"stage"}, "stage": {"customer"}, "back": {"/leads"}})
	_, _, page := b.get("/leads")
	expectPage(t, "/leads (ro)", html.UnescapeString(page), []string{fmt.Sprint("lead-ul ", l["id"], ", Etapă ")},
		[]string{"skips the lifecycle", ", stage "})
	b.post("/leads/bulk", url.Values{"action": {"stage"}, "stage": {"mql"}, "back": {"/leads"}})
	_, _, page = b.get("/leads")
	expectPage(t, "/leads (ro)", html.UnescapeString(page), []string{"Bifează mai întâi lead-urile cu care lucrezi."}, []string{"Tick the leads"})
}

// A refused form builder names each question by its field's name and
// the column at fault, in the reader's language.
func TestRefusedFormBuilderSpeaksRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "ro")
	status, _, page := b.post("/forms", url.Values{"name": {"Cerere demo"}, "slug": {"demo"}, "std_company": {"1"},
		"c0_name": {"plan"}, "c0_type": {"select"}, "c0_options": {""}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a list without options: %d", status)
	}
	expectPage(t, "/forms (ro)", html.UnescapeString(page),
		[]string{"<li>Câmpul „plan”: Opțiuni (listă) o listă de opțiuni are nevoie de cel puțin o opțiune</li>"},
		[]string{`field "plan"`, "a select needs"})
}

// Refused matching weights name each industry and criterion in the
// reader's language, a line that does not parse by its number, and keep
// every line typed.
func TestRefusedMatchingWeightsSpeakItalian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "it")
	lines := "healthcare: language=500, budget=20\nretail budget"
	status, _, page := b.post("/settings/matching", url.Values{"nice_to_have": {"30"}, "industry": {"20"}, "language": {"10"},
		"licences": {"10"}, "budget": {"molto"}, "threshold": {"55"}, "tolerance": {"150"}, "industries": {lines}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad weights: %d", status)
	}
	expectPage(t, "/settings/matching (it)", html.UnescapeString(page), []string{
		">" + lines + "</textarea>", `value="molto" aria-invalid="true"`, `value="150" aria-invalid="true"`,
		"Budget deve essere un numero intero da 0 a 100",
		"Tolleranza deve essere una percentuale da 0 a 100",
		"la riga 2 deve essere come healthcare: language=50, budget=20",
	}, []string{"industries:", "industries.", "must read like", "must be a"})
	// A line that parses but weighs too much is named by its industry.
	status, _, page = b.post("/settings/matching", url.Values{"nice_to_have": {"30"}, "industry": {"20"}, "language": {"10"},
		"licences": {"10"}, "budget": {"30"}, "threshold": {"55"}, "tolerance": {"15"}, "industries": {"healthcare: language=500"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a weight of 500: %d", status)
	}
	expectPage(t, "/settings/matching (it)", html.UnescapeString(page), []string{"healthcare, Lingua: deve essere un numero intero da 0 a 100"},
		[]string{"industries.healthcare"})
}

// Project settings name a rate or task line that does not parse by its
// number and say how to write it, in the reader's language.
func TestRefusedProjectSettingsSpeakNorwegian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "nb")
	_, _, page := b.get("/settings/projects")
	form := formFields(page)
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("rates", "role:sales 60")
	form.Set("templates.implementation", "task | 5")
	status, _, page := b.post("/settings/projects", form)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad lines: %d", status)
	}
	expectPage(t, "/settings/projects (nb)", html.UnescapeString(page), []string{
		"linje 1: skriv user:<e-post> = 60 eller role:sales = 50",
		"linje 1: skriv type | dager fra start | navn, for eksempel task | 5 | Samle inn krav",
		">role:sales 60</textarea>",
	}, []string{"line 1: write", "::"})
	// Lines that read but hold a bad value are named by type and line,
	// blank lines counted as the reader counts them.
	form.Set("rates", "role:sales = mye")
	form.Set("templates.implementation", "task | 5 | Oppstart\n\ntask | i morgen | Krav")
	status, _, page = b.post("/settings/projects", form)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad values: %d", status)
	}
	expectPage(t, "/settings/projects (nb)", html.UnescapeString(page), []string{
		"<li>Timepriser, role:sales: må være et beløp per time, for eksempel 65 eller 72,50</li>",
		"<li>Mal (Implementering), linje 3: Dager fra start må være et helt antall dager, 0 til 3650</li>",
	}, []string{"<li>templates", "<li>rates", "must be"})
}

// A catalog imported from the solutions page names each refused row's
// fields by the labels of the solution form and gives the reasons in the
// reader's language, as it does for a file refused whole.
func TestRefusedCatalogImportSpeaksItalian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	csv := "vendor,product,category,deployments,features,languages,price,price_period,currency\n" +
		"Ledger,Ledger Books,accounting,cloud,,en,120,year,EUR\n" +
		"Bad,Bad One,crm,fax,,en,,week,EURO\n"
	status, _, page := b.uploadTo("/solutions/import", "catalog.csv", csv)
	if status != http.StatusOK {
		t.Fatalf("import: %d", status)
	}
	expectPage(t, "/solutions/import (it)", html.UnescapeString(page), []string{
		"Prezzo: è obbligatorio: il prezzo di una licenza, ad esempio 12.50",
		"Per: deve essere month o year",
		"Valuta: deve essere un codice ISO 4217 di tre lettere, ad esempio EUR",
		"deve essere tra cloud, desktop, mobile, web; fax non lo è",
	}, []string{"price_period:", "is required", "must be"})
	status, _, page = b.uploadTo("/solutions/import", "catalog.csv", "vendor,name\nA,B\n")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a file without the needed columns: %d", status)
	}
	expectPage(t, "/solutions/import (it)", html.UnescapeString(page), []string{"l'intestazione non ha la colonna"}, []string{"the header has no"})
}

// Numbers typed the reader's way are taken as the pages write them: an
// Italian deal's amount with a thousands point, a Norwegian price with a
// decimal comma and a space between thousands, a Romanian price with a
// decimal comma; an English reader's thousands commas still read as
// thousands. An Italian price of "1.125" (eleven hundred, or one and an
// eighth?) is refused rather than guessed.
func TestNumbersReadTheReadersWay(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, c := range []struct {
		lang, typed, want string
	}{{"nb", "12 500,50", "12500.50"}, {"it", "1.250,5", "1250.50"}, {"ro", "480,00", "480.00"}, {"en", "1,250.75", "1250.75"}} {
		admin := browserIn(t, f, "admin@example.com", c.lang)
		name := "Licence " + c.lang
		if status, _, page := admin.post("/products", url.Values{"name": {name}, "unit_price": {c.typed}, "currency": {"EUR"}, "active": {"on"}}); status != http.StatusSeeOther {
			t.Errorf("%s: a price typed %q refused: %d\n%.600s", c.lang, c.typed, status, textOf(page))
			continue
		}
		_, list := f.call(t, "admin", "GET", "/api/v1/products", "")
		saved := ""
		for _, p := range list["data"].([]any) {
			if p := p.(map[string]any); p["name"] == name {
				saved = fmt.Sprint(p["unit_price"])
			}
		}
		if saved != c.want {
			t.Errorf("%s: a price typed %q saved as %q, want %s", c.lang, c.typed, saved, c.want)
		}
	}
	// A deal's amount with Italian thousands points.
	sam := browserIn(t, f, "sam@example.com", "it")
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
	if status, _, page := sam.post("/deals", url.Values{"account_id": {fmt.Sprint(acc["id"])}, "deal_name": {"Rinnovo"}, "amount": {"112.000"}, "currency": {"EUR"}}); status != http.StatusSeeOther {
		t.Fatalf("a deal of 112.000: %d\n%.600s", status, textOf(page))
	}
	if _, deals := f.call(t, "sales", "GET", "/api/v1/opportunities", ""); !strings.Contains(fmt.Sprint(deals), "amount:112000") {
		t.Errorf("the deal of 112.000 EUR: %v", deals)
	}
	admin := browserIn(t, f, "admin@example.com", "it")
	if status, _, _ := admin.post("/products", url.Values{"name": {"Ambiguo"}, "unit_price": {"1.125"}, "currency": {"EUR"}, "active": {"on"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("a price of 1.125 in Italian: %d, want it refused", status)
	}
}

// A project task due "ieri" and a milestone on 31 February are told
// they must be dates, not that a date is required; hours typed with a
// decimal comma are taken.
func TestProjectDatesAndHoursReadTheReadersWay(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Lumen SpA","owner":"sam@example.com"}`)
	status, p := f.call(t, "admin", "POST", "/api/v1/projects", fmt.Sprintf(`{"title":"Implementazione CRM","type":"implementation","account_id":%v,"owner":"sam@example.com"}`, acc["id"]))
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	path := fmt.Sprint("/projects/", p["id"])
	b := browserIn(t, f, "sam@example.com", "it")
	for _, c := range []struct{ action string }{{"/tasks"}, {"/milestones"}} {
		form := url.Values{"subject": {"Formazione"}, "name": {"Consegna"}, "due_on": {"ieri"}}
		if c.action == "/milestones" {
			form.Set("due_on", "2026-02-31")
		}
		status, _, page := b.post(path+c.action, form)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s due %q: %d", c.action, form.Get("due_on"), status)
			continue
		}
		expectPage(t, path+c.action+" (it)", html.UnescapeString(page), []string{"deve essere una data"}, []string{"è obbligatorio: una data"})
	}
	if status, _, page := b.post(path+"/time", url.Values{"hours": {"1,5"}, "worked_on": {"2026-11-30"}}); status != http.StatusSeeOther {
		t.Errorf("1,5 hours: %d\n%.600s", status, textOf(page))
	}
	// The page writes the day and the hours the Italian way.
	_, _, page := b.get(path)
	it := i18n.For("it")
	expectPage(t, path+" (it)", page, []string{"<tr><td>" + it.Day("2026-11-30") + "</td>", "<td>1,5</td>"}, []string{"<td>2026-11-30</td>", "<td>1.5</td>"})
}

// A submission waiting for review names its answers by the form's
// questions and the fields' labels in the reader's language, not by
// their keys.
func TestSubmissionReviewNamesItsQuestions(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	createForm(t, f, `{"slug":"cerere","name":"Cerere","fields":[{"name":"email"},{"name":"first_name","required":true},
		{"name":"use_case","label":"Cazul de utilizare","type":"text","required":true}]}`)
	if resp, body := post(t, f.srv.URL, "/f/cerere", "application/json", `{"email":"ion@carpati.example"}`); resp.StatusCode != 422 {
		t.Fatalf("a submission without its required answers: %d %s", resp.StatusCode, body)
	}
	_, subs := f.call(t, "marketing", "GET", "/api/v1/submissions?status=rejected", "")
	list, _ := subs["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("rejected submissions: %v", subs)
	}
	b := browserIn(t, f, "mia@example.com", "ro")
	_, _, page := b.get(fmt.Sprint("/submissions/", list[0].(map[string]any)["id"]))
	expectPage(t, "/submissions (ro)", html.UnescapeString(page),
		[]string{`<label for="v_first_name">Prenume</label>`, `<label for="v_use_case">Cazul de utilizare</label>`, `<a href="#v_use_case">Cazul de utilizare nu poate lipsi`},
		[]string{`">first_name</label>`, `">use_case</label>`, `">use_case `})
}

// The reasons leadflow ships for disqualifying a lead are offered, taken
// and refused in the reader's language, and stored as the team's list
// has them.
func TestDisqualifyReasonsInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "sam@example.com", "ro")
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ion@carpati.example","stage":"lead","owner":"sam@example.com"}`)
	path := fmt.Sprint("/leads/", l["id"])
	_, _, page := b.get(path)
	expectPage(t, path, page, []string{`<option value="fără buget">`, `<option value="moment nepotrivit">`}, []string{`<option value="no budget">`})
	status, _, page := b.post(path+"/stage", url.Values{"stage": {"disqualified"}, "reason": {"plictisit"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a reason not in the list: %d", status)
	}
	expectPage(t, path, html.UnescapeString(page), []string{"unul dintre: fără buget, fără autoritate de decizie"}, []string{"no budget, no authority"})
	if status, _, _ := b.post(path+"/stage", url.Values{"stage": {"disqualified"}, "reason": {"Fără buget"}}); status != http.StatusSeeOther {
		t.Fatalf("a reason in Romanian: %d", status)
	}
	_, tl := f.call(t, "sales", "GET", "/api/v1"+path+"/timeline", "")
	if got := fmt.Sprint(tl); !strings.Contains(got, "no budget") {
		t.Errorf("the reason is not stored as the list has it: %s", got)
	}
	// The timeline tells it in the reader's language.
	_, _, page = b.get(path)
	expectPage(t, path, html.UnescapeString(page), []string{"— fără buget"}, []string{"— no budget"})
}

// So does the BANT form when it disqualifies: the reason refused is
// named with the list in the reader's language (it was in English), and
// the qualification's summary tells the reason stored in it.
func TestBANTDisqualifyReasonInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "sam@example.com", "ro")
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ion@carpati.example","stage":"mql","owner":"sam@example.com"}`)
	path := fmt.Sprint("/leads/", l["id"])
	bant := url.Values{"budget": {""}, "authority": {"unknown"}, "outcome": {"disqualified"}, "reason": {"plictisit"}}
	status, _, page := b.post(path+"/qualify", bant)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a reason not in the list: %d", status)
	}
	expectPage(t, path, html.UnescapeString(page), []string{"unul dintre: fără buget, fără autoritate de decizie"}, []string{"no budget, no authority", "must be one of"})
	bant.Set("reason", "fără buget")
	if status, _, page := b.post(path+"/qualify", bant); status != http.StatusSeeOther {
		t.Fatalf("a reason in Romanian: %d %.500s", status, textOf(page))
	}
	_, _, page = b.get(path)
	expectPage(t, path, html.UnescapeString(page), []string{" · fără buget</p>"}, []string{" · no budget</p>"})
}

// A number a form shows again is written as its reader types one: an
// Italian price refused for want of a name comes back "1250,50" (it came
// back "1250.50", as the server read it), and an Italian payment's amount,
// filled in with what is owed, reads "600,00" and is taken as sent.
func TestNumbersShownAgainTheReadersWay(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	admin := browserIn(t, f, "admin@example.com", "it")
	status, _, page := admin.post("/products", url.Values{"name": {""}, "unit_price": {"1.250,50"}, "currency": {"EUR"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a product without a name: %d, want it refused", status)
	}
	if got := formFields(page).Get("unit_price"); got != "1250,50" {
		t.Errorf("the refused price typed 1.250,50 shows %q, want 1250,50", got)
	}
	d := overdueInvoice(t, f, db, "Lumen SpA", "EUR", invoice.LineInput{Name: "Licenza", Quantity: "1", UnitPrice: "480", Category: "S", Rate: "25"})
	sam := browserIn(t, f, "sam@example.com", "it")
	path := fmt.Sprint("/invoices/", d.ID)
	_, _, page = sam.get(path)
	owed := regexp.MustCompile(`id="p-amount"[^>]*value="([^"]*)"`).FindStringSubmatch(page)
	if owed == nil || owed[1] != "600,00" {
		t.Fatalf("the payment's amount filled in as %v, want 600,00", owed)
	}
	if status, _, page := sam.post(path+"/payments", url.Values{"amount": {owed[1]}, "paid_on": {"2026-02-01"}, "method": {"bank"}}); status != http.StatusSeeOther {
		t.Fatalf("the payment as filled in: %d\n%.600s", status, textOf(page))
	}
	if _, inv := f.call(t, "admin", "GET", "/api/v1/invoices/"+fmt.Sprint(d.ID), ""); inv["status"] != "paid" {
		t.Errorf("after paying 600,00 of 600,00 the invoice is %v, want paid", inv["status"])
	}
	// The payment's day reads the Italian way.
	_, _, page = sam.get(path)
	if day := i18n.For("it").Day("2026-02-01"); !strings.Contains(page, "<li>"+day+" <strong>") {
		t.Errorf("the payment's day is not written %s", day)
	}
	// So does a month of channel spend.
	if status, body := f.call(t, "admin", "PUT", "/api/v1/channel-spend", `{"source":"event","month":"2026-11","amount":"1500","currency":"EUR"}`); status != http.StatusOK {
		t.Fatalf("spend: %d %v", status, body)
	}
	if _, _, page := admin.get("/reports"); !strings.Contains(page, `<th scope="row">novembre 2026</th>`) {
		t.Errorf("the spend's month is not named novembre 2026")
	}
	// The default VAT rate and a project's person-days take a decimal
	// comma too, and show it again.
	_, _, page = admin.get("/settings/invoicing")
	settings := formFields(page)
	settings.Set("default_vat_rate", "12,5")
	if status, _, page := admin.post("/settings/invoicing", settings); status != http.StatusSeeOther {
		t.Fatalf("a VAT rate of 12,5: %d\n%.600s", status, textOf(page))
	}
	if _, _, page = admin.get("/settings/invoicing"); formFields(page).Get("default_vat_rate") != "12,5" {
		t.Errorf("the VAT rate saved as 12,5 shows %q", formFields(page).Get("default_vat_rate"))
	}
	seedVocabulary(t, f, "contacts")
	id := salesLead(t, f)
	if status, _, _ := sam.post("/leads/"+id+"/software", url.Values{"category": {"crm"}, "licences": {"5"}, "f.contacts": {"must"}}); status != http.StatusSeeOther {
		t.Fatalf("the software request: %d", status)
	}
	_, ps := f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/projects", "")
	path = fmt.Sprintf("/projects/%v", ps["data"].([]any)[0].(map[string]any)["id"])
	_, _, page = sam.get(path)
	edit := formFields(page)
	edit.Set("features.0.days_low", "2,5")
	edit.Set("features.0.days_high", "3,5")
	edit.Set("day_rate", "450")
	edit.Set("currency", "EUR")
	if status, _, page := sam.post(path, edit); status != http.StatusSeeOther {
		t.Fatalf("features of 2,5 to 3,5 days: %d\n%s", status, textOf(page))
	}
	_, _, page = sam.get(path)
	if got := formFields(page); got.Get("features.0.days_low") != "2,5" || got.Get("features.0.days_high") != "3,5" {
		t.Errorf("the feature's days saved as 2,5 to 3,5 show %q to %q", got.Get("features.0.days_low"), got.Get("features.0.days_high"))
	}
}

// A lead's source shows on its form by name, in the reader's language,
// and a known source typed or kept by its name is stored as its code
// rather than as a new source ("Ricerca a pagamento" became a source of
// its own beside paid_search).
func TestLeadFormNamesItsSource(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","source":"paid_search"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	path := fmt.Sprint("/leads/", l["id"])
	admin := browserIn(t, f, "admin@example.com", "it")
	_, _, page := admin.get(path + "/edit")
	if !strings.Contains(page, `name="source" list="known-sources" value="Ricerca a pagamento"`) || !strings.Contains(page, `<option value="Segnalazione">`) {
		t.Fatalf("the form does not name the source or offer the others:\n%s", page)
	}
	// The way back names the lead, not its number.
	if !strings.Contains(page, `<a href="`+path+`">giulia@lumen.example</a> /`) {
		t.Errorf("the edit form's way back does not name the lead")
	}
	sourceAfter := func(typed string) any {
		t.Helper()
		_, _, page := admin.get(path + "/edit")
		form := formFields(page)
		form.Set("source", typed)
		if status, _, page := admin.post(path, form); status != http.StatusSeeOther {
			t.Fatalf("saving the source %q: %d\n%s", typed, status, textOf(page))
		}
		_, got := f.call(t, "admin", "GET", "/api/v1"+path, "")
		return got["source"]
	}
	for _, c := range []struct{ typed, want string }{
		{"Ricerca a pagamento", "paid_search"}, {"segnalazione", "referral"}, {"Paid social", "paid_social"}, {"Fiera di Milano", "fiera di milano"},
	} {
		if got := sourceAfter(c.typed); got != c.want {
			t.Errorf("the source typed %q is stored as %v, want %s", c.typed, got, c.want)
		}
	}
}

// A colleague is offered by name where the team has given one: the lead
// form's and the list's owners, the calendar's people, the assignment
// rules' fallback and members (each of which listed emails alone).
func TestSelectsNamePeople(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	if _, err := db.W.Exec(context.Background(), `UPDATE users SET name = 'Sam Rossi' WHERE email = 'sam@example.com'`); err != nil {
		t.Fatal(err)
	}
	admin := browserIn(t, f, "admin@example.com", "it")
	named := regexp.MustCompile(`<option value="(sam@example.com|user:\d+)"[^>]*>Sam Rossi</option>|value="sam@example.com" > Sam Rossi <span class="sub">Vendite</span>`)
	for _, path := range []string{"/leads/new", "/leads", "/calendar", "/assignment", "/segments/new"} {
		if _, _, page := admin.get(path); !named.MatchString(page) {
			t.Errorf("%s does not name Sam Rossi:\n%s", path, page)
		}
	}
	// The fields that take a colleague's email offer the team by name.
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Lumen SpA"}`)
	for _, c := range []struct{ path, field string }{{"/activities/new", "f-owner"}, {"/accounts", "a-owner"}, {fmt.Sprint("/accounts/", acc["id"]), "a-owner"}} {
		_, _, page := admin.get(c.path)
		if !strings.Contains(page, `<option value="sam@example.com">Sam Rossi</option>`) || !regexp.MustCompile(`id="`+c.field+`"[^>]*list="team"`).MatchString(page) {
			t.Errorf("%s: the field %s does not offer the team by name:\n%s", c.path, c.field, page)
		}
	}
	// A sales user, who owns only their own work, is offered only themselves.
	sue := browserIn(t, f, "sue@example.com", "it")
	if _, _, page := sue.get("/activities/new"); strings.Contains(page, "Sam Rossi") || !strings.Contains(page, `<option value="sue@example.com">`) {
		t.Errorf("a sales user's team list:\n%s", page)
	}
}

// A phone number reads in groups with its country code on the lead's
// page and its timeline, and still dials as stored.
func TestPhonesReadInGroups(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","phone":"+39 02 1234 5678"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	path := fmt.Sprint("/api/v1/leads/", l["id"])
	if status, body := f.call(t, "admin", "PATCH", path, `{"phone":"+40 721 234 567 ext. 12"}`); status != http.StatusOK {
		t.Fatalf("phone: %d %v", status, body)
	}
	admin := browserIn(t, f, "admin@example.com", "it")
	_, _, page := admin.get(fmt.Sprint("/leads/", l["id"]))
	expectPage(t, "the lead's page", html.UnescapeString(page), []string{`<a href="tel:+40721234567;ext=12">+40 721 234 567 ext. 12</a>`, "+39 02 1234 5678"},
		[]string{">+40721234567;ext=12<", ">+390212345678<"})
}

// An activity refused from a lead's quick-add form names the lead it is
// for, as the new-activity form opened from the lead does.
func TestRefusedActivityNamesItsLead(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","first_name":"Giulia","last_name":"Bianchi","owner":"sam@example.com"}`)
	sam := browserIn(t, f, "sam@example.com", "it")
	id := fmt.Sprint(l["id"])
	status, _, page := sam.post("/activities", url.Values{"kind": {"call"}, "subject": {""}, "due": {"2026-12-04 09:00"}, "link_type": {"lead"}, "link_id": {id}, "next": {"/leads/" + id}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an activity without a subject: %d", status)
	}
	want := `<p class="sub" id="activity-for">sul lead <a href="/leads/` + id + `">Giulia Bianchi</a></p>`
	if !strings.Contains(page, want) {
		t.Errorf("the refused activity does not name its lead:\n%s", page)
	}
	if _, _, page := sam.get("/activities/new?link_type=lead&link_id=" + id); !strings.Contains(page, want) {
		t.Errorf("the new activity's form does not name its lead:\n%s", page)
	}
	// Another sales user's lead is not named to someone who may not see it.
	sue := browserIn(t, f, "sue@example.com", "it")
	if _, _, page := sue.get("/activities/new?link_type=lead&link_id=" + id); strings.Contains(page, "Giulia") {
		t.Errorf("another sales user's lead is named to sue")
	}
}

// The consent history says where a consent came from in the reader's
// language ("changed by hand" showed on an Italian page).
func TestConsentHistoryInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example"}`)
	path := fmt.Sprint("/api/v1/leads/", l["id"])
	if status, body := f.call(t, "admin", "PATCH", path, `{"consent":true}`); status != http.StatusOK {
		t.Fatalf("consent: %d %v", status, body)
	}
	admin := browserIn(t, f, "admin@example.com", "it")
	_, _, page := admin.get(fmt.Sprint("/leads/", l["id"]))
	expectPage(t, "the lead's consent history", page, []string{"modificato a mano"}, []string{"changed by hand"})
}

// The scoring rules leadflow ships are named in the reader's language
// where a lead's score is explained ("Decision maker" showed on an
// Italian page); a rule a team names reads as typed.
func TestShippedRulesReadInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","job_title":"CEO","country":"IT"}`)
	admin := browserIn(t, f, "admin@example.com", "it")
	_, _, page := admin.get(fmt.Sprint("/leads/", l["id"]))
	expectPage(t, "the lead's score", page, []string{`<td data-label="Regola">Decisore</td>`, `<td data-label="Regola">Mercato principale</td>`},
		[]string{">Decision maker<", ">Core market<"})
}

// The lowest score to merge from is written and typed the reader's way
// ("12,5" was read as 125 by a number box), its refusal reads in the
// reader's language, and the confirmation says how many pairs it merges.
func TestMergeAllReadsTheReadersNumbers(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	twins(t, f, 3)
	admin := browserIn(t, f, "admin@example.com", "nb")
	_, _, page := admin.get("/duplicates")
	box := regexp.MustCompile(`<input id="min-score"[^>]*>`).FindString(page)
	if strings.Contains(box, `type="number"`) || !strings.Contains(box, `inputmode="decimal"`) {
		t.Errorf("the lowest score's box: %s", box)
	}
	_, _, page = admin.get("/duplicates/accept?min_score=" + url.QueryEscape("8,5"))
	expectPage(t, "the merge's confirmation", html.UnescapeString(page), []string{"Slå sammen de 3 parene med poengsum 8,5 eller mer?"}, nil)
	// No pair that high: nothing to confirm.
	if status, loc, _ := admin.get("/duplicates/accept?min_score=99"); status != http.StatusSeeOther || loc != "/duplicates" {
		t.Errorf("merging from a score no pair has: %d → %s", status, loc)
	}
	_, _, page = admin.get("/duplicates/accept?min_score=5")
	expectPage(t, "a score too low", html.UnescapeString(page), []string{"Laveste poengsum må være et tall på minst"}, []string{"The lowest score"})
}

// A source typed by the name the pages show is that source: in a segment's
// condition ("Anbefaling, Nett" matched nothing) and as a channel's spend
// (it made a second channel beside referral).
func TestSourcesTypedByTheirNames(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, src := range []string{"referral", "web", "event"} {
		f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"%s@lumen.example","source":%q}`, src, src))
	}
	mia := browserIn(t, f, "mia@example.com", "nb")
	status, _, page := mia.post("/segments", url.Values{"name": {"Anbefalt"}, "combine": {"all"},
		"c0_field": {"source"}, "c0_op": {"in"}, "c0_list": {"Anbefaling, Nett"}, "action": {"preview"}})
	if status != http.StatusOK || !strings.Contains(page, "<strong>2</strong> leads passer nå.") {
		t.Errorf("a segment of the sources Anbefaling and Nett: %d\n%s", status, textOf(page))
	}
	if got := formFields(page).Get("c0_list"); got != "Anbefaling, Nett" {
		t.Errorf("the sources show again as %q", got)
	}
	if status, _, page := mia.post("/reports/spend", url.Values{"source": {"Anbefaling"}, "month": {"2026-11"}, "amount": {"1 500"}, "currency": {"NOK"}}); status != http.StatusSeeOther {
		t.Fatalf("spend on Anbefaling: %d\n%s", status, textOf(page))
	}
	_, spend := f.call(t, "admin", "GET", "/api/v1/channel-spend", "")
	if got := fmt.Sprint(spend["spend"]); !strings.Contains(got, "source:referral") {
		t.Errorf("the spend on Anbefaling is stored as %s, want source referral", got)
	}
	// A channel with spend but no leads is offered by name, and its name
	// is that channel (it made a second one, "linkedin ads").
	f.call(t, "admin", "PUT", "/api/v1/channel-spend", `{"source":"linkedin_ads","month":"2026-10","amount":"900","currency":"NOK"}`)
	if _, _, page := mia.get("/reports"); !strings.Contains(page, `<option value="Linkedin ads">`) {
		t.Errorf("the spend form does not offer Linkedin ads")
	}
	mia.post("/reports/spend", url.Values{"source": {"Linkedin ads"}, "month": {"2026-11"}, "amount": {"100"}, "currency": {"NOK"}})
	_, spend = f.call(t, "admin", "GET", "/api/v1/channel-spend", "")
	if got := fmt.Sprint(spend["spend"]); strings.Contains(got, "source:Linkedin ads") || strings.Count(got, "source:linkedin_ads") != 2 {
		t.Errorf("the spend on Linkedin ads is stored as %s", got)
	}
}

// A lead edited without touching its source keeps it, where its name is
// also that of a source typed as free text ("paid search" beside
// paid_search made every edit of a paid_search lead move it over).
func TestEditKeepsTheSourceShown(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","source":"paid_search"}`)
	f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ola@fjord.example"}`)
	if _, err := db.W.Exec(context.Background(), `UPDATE leads SET source = 'paid search' WHERE email = 'ola@fjord.example'`); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprint("/leads/", l["id"])
	admin := browserIn(t, f, "admin@example.com", "en")
	_, _, page := admin.get(path + "/edit")
	form := formFields(page)
	form.Set("city", "Milano")
	if status, _, page := admin.post(path, form); status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", status, textOf(page))
	}
	if _, got := f.call(t, "admin", "GET", "/api/v1"+path, ""); got["source"] != "paid_search" || got["city"] != "Milano" {
		t.Errorf("after editing the city, the lead's source is %v (city %v)", got["source"], got["city"])
	}
}

// A qualification's timing is taken as the reader writes a day or a
// quarter (31.03.2027 and T1 2027 in Romanian were refused), and the
// lead's page writes the day back the same way.
func TestQualificationTimingTheReadersWay(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "sam@example.com", "ro")
	for _, c := range []struct{ typed, stored string }{{"31.03.2027", "2027-03-31"}, {"T1 2027", "2027-Q1"}} {
		_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"`+strings.ReplaceAll(c.stored, "-", "")+`@carpat.ro","stage":"mql"}`)
		path := fmt.Sprint("/leads/", l["id"])
		status, _, page := b.post(path+"/qualify", url.Values{"budget": {"25000"}, "budget_currency": {"EUR"},
			"authority": {"decision_maker"}, "need": {"CRM"}, "timing": {c.typed}, "outcome": {"sql"}})
		if status != http.StatusSeeOther {
			t.Errorf("a timing of %s: %d\n%s", c.typed, status, textOf(page))
			continue
		}
		if _, _, page := b.get(path); !strings.Contains(page, " "+i18n.For("ro").Day(c.stored)) {
			t.Errorf("the qualification's timing %s is not shown as %s", c.typed, i18n.For("ro").Day(c.stored))
		}
	}
}

// A conversion carries the qualification over: its budget is the deal's
// first amount, and its authority the new contact's part in the buying
// decision ("Decision maker" was asked again as missing).
func TestConversionCarriesTheQualification(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ana@carpat.ro","company":"Carpat","stage":"mql","owner":"sam@example.com"}`)
	path := fmt.Sprint("/leads/", l["id"])
	b := browserIn(t, f, "sam@example.com", "ro")
	if status, _, page := b.post(path+"/qualify", url.Values{"budget": {"25000"}, "budget_currency": {"EUR"},
		"authority": {"decision_maker"}, "need": {"CRM"}, "timing": {"2027-Q1"}, "outcome": {"sql"}}); status != http.StatusSeeOther {
		t.Fatalf("qualify: %d\n%s", status, textOf(page))
	}
	_, _, page := b.get(path + "/convert")
	if got := formFields(page); got.Get("amount") != "25000" || got.Get("currency") != "EUR" {
		t.Errorf("the deal is offered at %q %q, want the budget 25000 EUR", got.Get("amount"), got.Get("currency"))
	}
	status, conv := f.call(t, "sales", "POST", "/api/v1"+path+"/convert", `{"opportunity":{"name":"Carpat CRM","amount":25000,"currency":"EUR"}}`)
	if status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	if _, c := f.call(t, "sales", "GET", fmt.Sprint("/api/v1/contacts/", conv["contact_id"]), ""); c["deal_role"] != "decision_maker" {
		t.Errorf("the contact's buying role: %v, want decision_maker", c["deal_role"])
	}
}

// The timeline names colleagues as the rest of the page does, by name
// where the team gave one, not by their sign-in emails.
func TestTimelineNamesColleagues(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	if _, err := db.W.Exec(context.Background(), `UPDATE users SET name = CASE email WHEN 'sam@example.com' THEN 'Sam Rossi' WHEN 'sue@example.com' THEN 'Sue Berg' ELSE 'Ada Admin' END`); err != nil {
		t.Fatal(err)
	}
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"giulia@lumen.example","owner":"sam@example.com"}`)
	path := fmt.Sprint("/api/v1/leads/", l["id"])
	if status, body := f.call(t, "admin", "PATCH", path, `{"owner":"sue@example.com"}`); status != http.StatusOK {
		t.Fatalf("owner: %d %v", status, body)
	}
	admin := browserIn(t, f, "admin@example.com", "it")
	_, _, page := admin.get(fmt.Sprint("/leads/", l["id"]))
	expectPage(t, "the lead's timeline", html.UnescapeString(page), []string{"Sam Rossi", "Sue Berg", "Ada Admin"}, []string{"da sam@example.com", "a sue@example.com"})
}

// An issued invoice's delete and void pages, reached by their address,
// say at once why they cannot be done, and name the way that is open: a
// part-paid invoice is corrected with a credit note, not voided.
func TestInvoiceConfirmationsRefuseWhatCannotBeDone(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	d := overdueInvoice(t, f, db, "Lumen SpA", "EUR", invoice.LineInput{Name: "Licenza", Quantity: "1", UnitPrice: "480", Category: "S", Rate: "25"})
	sam := browserIn(t, f, "sam@example.com", "en")
	path := fmt.Sprint("/invoices/", d.ID)
	if status, _, page := sam.get(path + "/delete"); status != http.StatusConflict || !strings.Contains(page, "void it or correct it with a credit note") ||
		strings.Contains(page, `action="`+path+`/delete"`) {
		t.Errorf("deleting an issued invoice: %d\n%s", status, textOf(page))
	}
	if status, _, page := sam.post(path+"/payments", url.Values{"amount": {"100"}, "paid_on": {"2026-02-01"}}); status != http.StatusSeeOther {
		t.Fatalf("payment: %d\n%s", status, textOf(page))
	}
	for _, action := range []string{"/delete", "/void"} {
		status, _, page := sam.get(path + action)
		if status != http.StatusConflict || !strings.Contains(page, "credit note") || strings.Contains(page, "void it") ||
			strings.Contains(page, `action="`+path+action+`"`) {
			t.Errorf("%s of a part-paid invoice: %d\n%s", action, status, textOf(page))
		}
	}
	// A void invoice is kept, with nothing more to do.
	other := overdueInvoice(t, f, db, "Lumen SpA", "EUR", invoice.LineInput{Name: "Licenza", Quantity: "1", UnitPrice: "90", Category: "S", Rate: "25"})
	otherPath := fmt.Sprint("/invoices/", other.ID)
	if status, _, page := sam.post(otherPath+"/void", nil); status != http.StatusSeeOther {
		t.Fatalf("void: %d\n%s", status, textOf(page))
	}
	if status, _, page := sam.get(otherPath + "/delete"); status != http.StatusConflict || !strings.Contains(page, "an issued document is never deleted") {
		t.Errorf("deleting a void invoice: %d\n%s", status, textOf(page))
	}
}

// A refused scoring editor names every fault in one try: a rule's points
// not read and a hot threshold below the warm one (the second showed only
// on the next try), but not a check of a number it could not read.
func TestRefusedScoringNamesEveryFault(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "en")
	status, _, page := b.post("/scoring", url.Values{"hot": {"30"}, "warm": {"40"}, "mql": {"60"}, "half_life_days": {"30"},
		"e0_field": {"job_title"}, "e0_op": {"contains"}, "e0_values": {"chief"}, "e0_points": {"2,5"},
		"e1_field": {"country"}, "e1_op": {"in"}, "e1_values": {"RO"}, "e1_points": {"5000"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("rules with faults: %d", status)
	}
	expectPage(t, "/scoring", html.UnescapeString(page), []string{"must be a whole number", "must not be above the hot threshold", "must be from -1,000 to 1,000"}, nil)
	// Hot not read: no check of warm against a hot of 0.
	_, _, page = b.post("/scoring", url.Values{"hot": {"high"}, "warm": {"40"}, "mql": {"60"}, "half_life_days": {"30"}})
	expectPage(t, "/scoring", html.UnescapeString(page), []string{"must be a whole number"}, []string{"must not be above the hot threshold"})
}

// The audit log's kinds of record and a sequence's trigger read as words
// in the reader's language ("landing_page", "nurture" showed).
func TestAuditAndSequencesNameTheirCodes(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, body := f.call(t, "admin", "POST", "/api/v1/sequences", `{"name":"Tilbake","trigger_kind":"stage","trigger_ref":"nurturing"}`); status != http.StatusCreated {
		t.Fatalf("sequence: %d %v", status, body)
	}
	admin := browserIn(t, f, "admin@example.com", "nb")
	_, _, page := admin.get("/audit")
	expectPage(t, "/audit", page, []string{">Landingsside</option>", ">Kostnad per kanal</option>"}, []string{">landing_page<", ">channel_spend<"})
	_, _, page = admin.get("/nurture")
	expectPage(t, "/nurture", page, []string{"leads som når en fase: Oppfølging"}, []string{">stage: nurturing<"})
}

// An open deal whose expected close date has passed is marked overdue on
// its owner's desk, as on the board.
func TestDeskMarksLateDeals(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen SpA"}`)
	for _, c := range []struct{ name, close string }{{"Late deal", "2026-01-15"}, {"Later deal", "2099-01-15"}} {
		if status, d := f.call(t, "sales", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":%q,"amount":1000,"currency":"EUR","close_date":%q}`, acc["id"], c.name, c.close)); status != http.StatusCreated {
			t.Fatalf("deal: %d %v", status, d)
		}
	}
	sam := browserIn(t, f, "sam@example.com", "en")
	_, _, page := sam.get("/home")
	marked := func(name string) bool { // the deal's line holds the badge
		return strings.Contains(regexp.MustCompile(`(?s)>`+name+`</a>.*?</li>`).FindString(page), "badge overdue")
	}
	late, later := marked("Late deal"), marked("Later deal")
	if !late || later {
		t.Errorf("the desk marks the late deal %v and the later one %v\n%s", late, later, textOf(page))
	}
}

// A submission refused for an answer not among a question's choices is
// fixed by picking one: the review offers the choices, the answer sent
// kept among them (it was a free box that took only what it refused).
func TestSubmissionReviewOffersTheChoices(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	createForm(t, f, `{"slug":"cerere","name":"Cerere","fields":[{"name":"email"},
		{"name":"use_case","label":"Cazul de utilizare","type":"select","options":["CRM","ERP"],"required":true}]}`)
	if resp, body := post(t, f.srv.URL, "/f/cerere", "application/json", `{"email":"ion@carpati.example","use_case":"Altceva"}`); resp.StatusCode != 422 {
		t.Fatalf("an answer not among the choices: %d %s", resp.StatusCode, body)
	}
	_, subs := f.call(t, "marketing", "GET", "/api/v1/submissions?status=rejected", "")
	list, _ := subs["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("rejected submissions: %v", subs)
	}
	path := fmt.Sprint("/submissions/", list[0].(map[string]any)["id"])
	b := browserIn(t, f, "mia@example.com", "ro")
	// The list names the problem's question, not its key.
	if _, _, page := b.get("/submissions"); !strings.Contains(page, "<div>Cazul de utilizare ") || strings.Contains(page, "<div>use_case ") {
		t.Errorf("the list does not name the question:\n%s", textOf(page))
	}
	_, _, page := b.get(path)
	sel := regexp.MustCompile(`(?s)<select id="v_use_case".*?</select>`).FindString(page)
	if !strings.Contains(sel, `<option value="Altceva" selected>`) || !strings.Contains(sel, `<option value="ERP" >`) {
		t.Fatalf("the review does not offer the choices: %s", sel)
	}
	form := formFields(page)
	form.Set("v_use_case", "ERP")
	if status, _, page := b.post(path+"/accept", form); status != http.StatusSeeOther {
		t.Errorf("accepting with ERP picked: %d\n%s", status, textOf(page))
	}
}
