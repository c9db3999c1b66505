package server_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
)

// A Romanian team's export, headers and countries in Romanian, maps
// itself on the import's page and lands with the countries read: the
// mapping proposed every column, where it knew only "E-mail", and
// "Germania" was refused as no country.
func TestImportOfARomanianExport(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "ro")
	// Consent and stage, which the import reads in English words only,
	// are left out rather than refuse the rows.
	status, loc, page := b.upload("contacte.csv", "Prenume,Nume,E-mail,Telefon,Companie,Funcție,Țară,Oraș,Consimțământ,Etapă\n"+
		"Ion,Popescu,ion@carpat.ro,0721 234 567,Carpat SRL,Director vânzări,România,Brașov,Da,Client\n"+
		"Hans,Müller,hans@alpen.de,,Alpen GmbH,CTO,Germania,München,Nu,Lead\n"+
		"Kari,Nordmann,kari@fjord.no,,Fjord AS,CEO,Norvegia,Oslo,Da,Oportunitate\n")
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", status, page)
	}
	_, _, page = b.get(loc)
	mapping := formFields(page)
	for col, want := range map[string]string{"col0": "first_name", "col1": "last_name", "col2": "email", "col3": "phone",
		"col4": "company", "col5": "job_title", "col6": "country", "col7": "city", "col8": "", "col9": ""} {
		if got := mapping.Get(col); got != want {
			t.Errorf("the mapping proposes %q for %s, want %q", got, col, want)
		}
	}
	// A select with nothing chosen sends its first option: ignore.
	mapping.Set("col8", "-")
	mapping.Set("col9", "-")
	if status, _, page := b.post(loc+"/start", mapping); status != http.StatusSeeOther {
		t.Fatalf("start %v: %d %.1000s", mapping, status, page)
	}
	done := b.importDone(loc, "ro", time.Minute)
	if strings.Contains(done, "rejects.csv") {
		t.Errorf("rows of the export were refused:\n%s", textOf(done))
	}
	var got []string
	rows, err := f.db.R.Query(t.Context(), `SELECT email || ' ' || coalesce(country, '') || ' ' || coalesce(job_title, '') FROM leads ORDER BY email`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	if want := "hans@alpen.de DE CTO|ion@carpat.ro RO Director vânzări|kari@fjord.no NO CEO"; strings.Join(got, "|") != want {
		t.Errorf("leads stored: %q, want %q", strings.Join(got, "|"), want)
	}
	// The API reads a lead's country in Norwegian, an account's in Italian.
	if status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ola@fjord.no","country":"Tyskland"}`); status != http.StatusCreated || l["country"] != "DE" {
		t.Errorf("a lead from Tyskland: %d %v", status, l)
	}
	if status, a := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Alpi SpA","country":"Svizzera"}`); status != http.StatusCreated || a["country"] != "CH" {
		t.Errorf("an account in Svizzera: %d %v", status, a)
	}
}

// A lead's timeline names a country it changed to by its name in the
// reader's language, and tells a change made by editing the lead in it
// ("Paese: NO" and "lead edited" showed); its head count is grouped the
// reader's way (1250 showed).
func TestTimelineNamesCountriesInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"kari@fjord.no","country":"IT"}`)
	if status, body := f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"country":"NO","employees":1250}`); status != http.StatusOK {
		t.Fatalf("edit: %d %v", status, body)
	}
	_, _, page := browserIn(t, f, "mia@example.com", "it").get(fmt.Sprint("/leads/", l["id"]))
	it := i18n.For("it")
	expectPage(t, "the lead's page (it)", html.UnescapeString(page),
		[]string{"<del>Italia</del> → <ins>Norvegia</ins>", it.ChangeReason("lead edited"), "<dd>1.250</dd>"},
		[]string{"<ins>NO</ins>", "lead edited"})
	// Its web events and its tasks are two sections of two names (both
	// were "Attività").
	if n := strings.Count(page, "<h2>"+it.T("act.activities")+"</h2>"); n != 1 || !strings.Contains(page, "<h2>"+it.T("sc.what_the_lead_does")+"</h2>") {
		t.Errorf("the lead's page has %d sections headed %q, and none %q", n, it.T("act.activities"), it.T("sc.what_the_lead_does"))
	}
}
