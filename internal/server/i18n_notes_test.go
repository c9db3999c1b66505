package server_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// browserIn is a browser signed in as email, who set lang.
func browserIn(t *testing.T, f *fixture, email, lang string) *browser {
	t.Helper()
	b := newBrowser(t, f.srv.URL)
	b.login(email)
	if status, _, body := b.post("/account/language", url.Values{"language": {lang}}); status != http.StatusSeeOther {
		t.Fatalf("language: %d %.300s", status, body)
	}
	return b
}

var flashRE = regexp.MustCompile(`<p class="flash" role="status">([^<]*)</p>`)

// noteAfter posts form to path as b and answers the note the next page
// shows, as its reader reads it.
func noteAfter(t *testing.T, b *browser, path string, form url.Values) string {
	t.Helper()
	status, loc, body := b.post(path, form)
	if status != http.StatusSeeOther {
		t.Fatalf("%s: %d %.2000s", path, status, textOf(body))
	}
	loc, _, _ = strings.Cut(loc, "#")
	_, _, page := b.get(loc)
	m := flashRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("after %s, %s shows no note:\n%.2000s", path, loc, textOf(page))
	}
	return html.UnescapeString(m[1])
}

// The notes a project's page shows after a move, a task, a milestone
// and time logged read in Romanian for a Romanian user, the hours as
// Romanian writes them and with their plural.
func TestProjectNotesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Carpathia SRL","owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatalf("account: %d %v", status, acc)
	}
	status, p := f.call(t, "admin", "POST", "/api/v1/projects", fmt.Sprintf(`{"title":"Implementare CRM","type":"implementation","account_id":%v,"owner":"sam@example.com"}`, acc["id"]))
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	id := fmt.Sprint(p["id"])
	status, m := f.call(t, "admin", "POST", "/api/v1/projects/"+id+"/milestones", `{"name":"Predare","due_on":"2026-12-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("milestone: %d %v", status, m)
	}
	_, stages := f.call(t, "admin", "GET", "/api/v1/project-stages?type=implementation", "")
	stage := stages["stages"].([]any)[1].(map[string]any)
	b := romanianBrowser(t, f)
	for _, c := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/projects/" + id + "/move", url.Values{"stage_id": {fmt.Sprint(stage["id"])}}, fmt.Sprintf("Implementare CRM a fost mutat în etapa %s.", stage["name"])},
		{"/projects/" + id + "/tasks", url.Values{"subject": {"Instruirea echipei"}, "due_on": {"2026-12-10"}}, "Sarcină planificată: Instruirea echipei."},
		{"/projects/" + id + "/milestones/" + fmt.Sprint(m["id"]), url.Values{"done": {"1"}}, "Reper atins: Predare."},
		{"/projects/" + id + "/time", url.Values{"hours": {"1.5"}, "worked_on": {"2026-11-30"}}, "1,5 ore înregistrate."},
		{"/projects/" + id + "/time", url.Values{"hours": {"20"}, "worked_on": {"2026-11-30"}}, "20 de ore înregistrate."},
		{"/projects/" + id + "/time", url.Values{"hours": {"1"}, "worked_on": {"2026-11-30"}}, "1 oră înregistrată."},
	} {
		if got := noteAfter(t, b, c.path, c.form); got != c.want {
			t.Errorf("after %s the note reads %q, want %q", c.path, got, c.want)
		}
	}
}

// A conversion that hands the deal to an account executive says so in
// Italian to an Italian SDR, with no English left in the note.
func TestConversionNoteSpeaksItalian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	leadID := sdrTeams(t, f)
	sue := browserIn(t, f, "sue@example.com", "it")
	got := noteAfter(t, sue, "/leads/"+leadID+"/convert", url.Values{"account_name": {"Fjordkraft Solar AS"}, "open_deal": {"1"},
		"deal_name": {"Fjordkraft – 60 postazioni"}, "amount": {"42000"}, "currency": {"NOK"}, "handover_note": {"Budget firmato"}})
	if want := "Convertito: creata una nuova azienda. Passato a un account executive."; got != want {
		t.Errorf("the note reads %q, want %q", got, want)
	}
}

// An erasure, read by an admin who set Romanian: the page that asks
// first and the note after it hold no English, and say what went.
func TestErasureSpeaksRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ioana.popa@carpathia.ro","first_name":"Ioana","company":"Carpathia"}`); status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	admin := browserIn(t, f, "admin@example.com", "ro")
	status, _, page := admin.get("/privacy/erase?email=ioana.popa%40carpathia.ro")
	if status != http.StatusOK {
		t.Fatalf("erase page: %d %.2000s", status, textOf(page))
	}
	for _, hit := range englishIn(page) {
		t.Errorf("the erase page: %s", hit)
	}
	for _, want := range []string{"Ștergi ioana.popa@carpathia.ro peste tot?", "<td data-label=\"Ce\">Lead-uri</td>", "Intrări în cronologie"} {
		if !strings.Contains(page, want) {
			t.Errorf("the erase page lacks %q:\n%s", want, textOf(page))
		}
	}
	got := noteAfter(t, admin, "/privacy/erase", url.Values{"email": {"ioana.popa@carpathia.ro"}})
	if !strings.HasPrefix(got, "Șters. Lead-uri: 1; Intrări în cronologie: ") || len(englishIn(`<p>`+html.EscapeString(got)+`</p>`)) > 0 {
		t.Errorf("the note after the erasure reads %q", got)
	}
	_, _, page = admin.get("/privacy")
	if !strings.Contains(page, ">Lead-uri: 1; ") {
		t.Errorf("the erasures list does not name what went in Romanian:\n%s", textOf(page))
	}
	for _, hit := range englishIn(page) {
		t.Errorf("the privacy page after an erasure: %s", hit)
	}
	got = noteAfter(t, admin, "/privacy/erase", url.Values{"email": {"ioana.popa@carpathia.ro"}})
	if want := "Șters. Nimic nu conținea datele acestei persoane; cererea a fost înregistrată."; got != want {
		t.Errorf("the note after erasing no one reads %q, want %q", got, want)
	}
}

// Why an enrolment ended, why a webhook is off, why a merge cannot be
// undone, why a stage move is refused and why a lead is not one's own
// read in the reader's language, while the API answers them in English
// as stored.
func TestReasonsOnPagesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"mihai@carpathia.ro","first_name":"Mihai","consent":true,"owner":"sam@example.com"}`)
	lead := fmt.Sprint(l["id"])
	_, tpl := f.call(t, "marketing", "POST", "/api/v1/email-templates", `{"name":"Salut","subject":"Salut","text":"Salut {{first_name}}"}`)
	status, seq := f.call(t, "marketing", "POST", "/api/v1/sequences", fmt.Sprintf(`{"name":"Bun venit","status":"active","steps":[{"kind":"email","template_id":%v}]}`, tpl["id"]))
	if status != http.StatusCreated {
		t.Fatalf("sequence: %d %v", status, seq)
	}
	status, enr := f.call(t, "marketing", "POST", "/api/v1/leads/"+lead+"/enrolments", fmt.Sprintf(`{"sequence_id":%v}`, seq["id"]))
	if status != http.StatusCreated {
		t.Fatalf("enrol: %d %v", status, enr)
	}
	sam := romanianBrowser(t, f)
	if status, _, body := sam.post(fmt.Sprint("/enrolments/", enr["id"], "/exit"), url.Values{"reason": {"replied"}}); status != http.StatusSeeOther {
		t.Fatalf("exit: %d %.1000s", status, textOf(body))
	}
	_, _, page := sam.get("/leads/" + lead)
	if !strings.Contains(page, "Ieșit: a răspuns") || strings.Contains(page, ": replied") {
		t.Errorf("the lead's enrolment does not say in Romanian why it ended:\n%s", textOf(page))
	}
	_, list := f.call(t, "sales", "GET", "/api/v1/leads/"+lead+"/enrolments", "")
	if got := fmt.Sprint(list["data"].([]any)[0].(map[string]any)["exit_reason"]); got != "replied" {
		t.Errorf("the API's exit reason: %q", got)
	}

	// A lead can go from lead to customer only by an admin's hand.
	status, _, page = sam.post("/leads/"+lead+"/stage", url.Values{"stage": {"customer"}})
	if want := "nu se poate muta din Lead în Client (permise: "; status != http.StatusUnprocessableEntity || !strings.Contains(page, want) {
		t.Errorf("a refused move: %d, want %q in:\n%s", status, want, textOf(page))
	}

	// Another's lead, on the error page.
	_, sues := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@carpathia.ro","owner":"sue@example.com"}`)
	status, _, page = sam.get(fmt.Sprint("/leads/", sues["id"]))
	if want := fmt.Sprint("Lead ", sues["id"], " aparține altui utilizator de vânzări."); status != http.StatusForbidden || !strings.Contains(page, want) {
		t.Errorf("another's lead: %d, want %q in:\n%s", status, want, textOf(page))
	}
	if status, body := f.call(t, "sales", "GET", fmt.Sprint("/api/v1/leads/", sues["id"]), ""); !strings.Contains(fmt.Sprint(body), "belongs to another sales user") {
		t.Errorf("the API's refusal is not in English: %d %v", status, body)
	}

	// A merge undone twice.
	_, a := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"tess1@twins.ro","first_name":"Tess","last_name":"Twin","company":"Twins"}`)
	_, c := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"tess2@twins.ro","first_name":"Tess","last_name":"Twin","company":"Twins"}`)
	if status, out := f.call(t, "admin", "POST", fmt.Sprint("/api/v1/leads/", a["id"], "/merge"), fmt.Sprintf(`{"other_id":%v}`, c["id"])); status != http.StatusOK {
		t.Fatalf("merge: %d %v", status, out)
	}
	_, merges := f.call(t, "admin", "GET", fmt.Sprint("/api/v1/leads/", a["id"], "/merges"), "")
	merge := fmt.Sprint(merges["data"].([]any)[0].(map[string]any)["id"])
	if status, out := f.call(t, "admin", "POST", "/api/v1/merges/"+merge+"/undo", ""); status != http.StatusOK {
		t.Fatalf("undo: %d %v", status, out)
	}
	admin := browserIn(t, f, "admin@example.com", "ro")
	got := noteAfter(t, admin, "/duplicates/undo", url.Values{"merge": {merge}, "lead": {fmt.Sprint(a["id"])}})
	if want := "Această unire nu poate fi anulată: a fost anulată deja."; got != want {
		t.Errorf("the undo refused reads %q, want %q", got, want)
	}

	// A webhook an admin turned off, on its page and the list, in Italian.
	status, hook := f.call(t, "admin", "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.invalid/in","events":["lead.created"]}`)
	if status != http.StatusCreated {
		t.Fatalf("webhook: %d %v", status, hook)
	}
	if status, out := f.call(t, "admin", "PATCH", fmt.Sprint("/api/v1/webhooks/", hook["id"]), `{"active":false}`); status != http.StatusOK {
		t.Fatalf("disable: %d %v", status, out)
	}
	itAdmin := browserIn(t, f, "admin@example.com", "it")
	_, _, page = itAdmin.get(fmt.Sprint("/settings/webhooks/", hook["id"]))
	if !strings.Contains(page, "Questo webhook è disattivato: disattivato da admin@example.com") {
		t.Errorf("the webhook's page does not say in Italian why it is off:\n%s", textOf(page))
	}
	_, _, page = itAdmin.get("/settings/webhooks")
	if !strings.Contains(page, "è disattivato: disattivato da admin@example.com") {
		t.Errorf("the webhooks list does not say in Italian why it is off:\n%s", textOf(page))
	}
	if _, out := f.call(t, "admin", "GET", fmt.Sprint("/api/v1/webhooks/", hook["id"]), ""); out["disabled_reason"] != "disabled by admin@example.com" {
		t.Errorf("the API's reason: %v", out["disabled_reason"])
	}
}

// A meeting dragged on the calendar, and one saved from a form older
// than it, say so in Romanian to a Romanian user.
func TestActivityNotesSpeakRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, meeting := contactAndMeeting(t, f)
	b := romanianBrowser(t, f)
	drag := func(version string) (int, string) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/activities/"+meeting+"/move",
			strings.NewReader(url.Values{"due": {"2026-12-05T14:00"}, "version": {version}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Requested-With", "fetch")
		req.Header.Set("Origin", f.srv.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := drag("1"); status != http.StatusOK || !strings.HasPrefix(body, "Demo a fost mutat pe ") || len(englishIn("<p>"+body+"</p>")) > 0 {
		t.Errorf("a drag: %d %q", status, body)
	}
	if status, body := drag("1"); status != http.StatusConflict || body != "Altcineva a modificat între timp această activitate; calendarul este afișat din nou așa cum este acum." {
		t.Errorf("a stale drag: %d %q", status, body)
	}
	status, _, page := b.post("/activities/"+meeting, url.Values{"kind": {"meeting"}, "subject": {"Demo"}, "due": {"2026-12-06T10:00"},
		"duration": {"45"}, "status": {"planned"}, "version": {"1"}})
	if want := "Altcineva a modificat această activitate în timp ce o editai."; status != http.StatusConflict || !strings.Contains(page, want) || !strings.Contains(page, ", planificată.") {
		t.Errorf("a stale save: %d, want %q in:\n%s", status, want, textOf(page))
	}
	for _, hit := range englishIn(page) {
		t.Errorf("the refused save: %s", hit)
	}
}

// A visitor whose browser asks for Romanian reads why sign-in is held
// back, and how long for, in Romanian; a signed-in Romanian user reads a
// missing page's note in Romanian.
func TestSignInWaitAndMissingPageSpeakRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	attempt := func() (int, string) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(url.Values{"email": {"mia@example.com"}, "password": {"parolă greșită"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.srv.URL)
		req.Header.Set("Accept-Language", "ro-RO,ro;q=0.9")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for i := 0; i < 5; i++ {
		if status, _ := attempt(); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	status, page := attempt()
	got := regexp.MustCompile(`<p class="error-summary" role="alert">([^<]*)</p>`).FindStringSubmatch(page)
	if status != http.StatusTooManyRequests || got == nil || !regexp.MustCompile(`^Prea multe autentificări eșuate\. Încearcă din nou peste 1[45] minute\.$`).MatchString(html.UnescapeString(got[1])) {
		t.Errorf("the sixth attempt: %d %q", status, got)
	}
	sam := romanianBrowser(t, f)
	status, _, page = sam.get("/nicio-pagina")
	if want := "Nu există nicio pagină la /nicio-pagina."; status != http.StatusNotFound || !strings.Contains(page, want) {
		t.Errorf("a missing page: %d, want %q in:\n%s", status, want, textOf(page))
	}
	for _, hit := range englishIn(page) {
		t.Errorf("the missing page: %s", hit)
	}
}
