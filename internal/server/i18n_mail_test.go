package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
)

// A nurturing email's footer speaks the language the lead's form spoke
// to it (Italian here); a lead from the API, which came through no
// form, gets the team's language (Bokmål, as the admin set it).
func TestNurturingFooterSpeaksTheLeadsLanguage(t *testing.T) {
	f, smtp := mailFixture(t, dbtest.SQLite(t))
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	if status, _, body := admin.post("/users/language", url.Values{"team_language": {"nb"}}); status != http.StatusSeeOther {
		t.Fatalf("team language: %d %.300s", status, body)
	}
	createForm(t, f, `{"slug":"notizie","name":"Notizie","language":"it","consent_text":"Mandatemi le notizie.","fields":[{"name":"email"},{"name":"first_name"}]}`)
	if resp, body := post(t, f.srv.URL, "/f/notizie", "application/json", `{"email":"giulia@esempio.it","first_name":"Giulia","consent":"on"}`); resp.StatusCode != 200 {
		t.Fatalf("submission: %d %s", resp.StatusCode, body)
	}
	_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=giulia%40esempio.it", "")
	giulia := list["data"].([]any)[0].(map[string]any)
	_, kari := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"kari@fjord.no","first_name":"Kari","consent":true}`)
	_, tpl := f.call(t, "marketing", "POST", "/api/v1/email-templates", `{"name":"Hello","subject":"Hi","text":"Hello {{first_name}}"}`)
	status, seq := f.call(t, "marketing", "POST", "/api/v1/sequences", fmt.Sprintf(`{"name":"Welcome","status":"active","steps":[{"kind":"email","template_id":%v}]}`, tpl["id"]))
	if status != http.StatusCreated {
		t.Fatalf("sequence: %d %v", status, seq)
	}
	// One after the other: an enrolment asks for a run at once, and
	// asks made in the same second make one run, which may have come
	// before the second enrolment; so the second waits for the next
	// second rather than for the minute's run.
	for i, l := range []map[string]any{giulia, kari} {
		if i > 0 {
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		}
		if status, e := f.call(t, "marketing", "POST", fmt.Sprintf("/api/v1/leads/%v/enrolments", l["id"]), fmt.Sprintf(`{"sequence_id":%v}`, seq["id"])); status != http.StatusCreated {
			t.Fatalf("enrol %v: %d %v", l["email"], status, e)
		}
		smtp.Wait(t, i+1, 75*time.Second)
	}
	ms := smtp.Wait(t, 2, time.Second)
	sort.Slice(ms, func(i, j int) bool { return strings.Contains(ms[i].Text, "Giulia") })
	for i, want := range []struct{ who, footer, english string }{
		{"Giulia", "Ricevi questa e-mail perché ci hai chiesto di tenerti aggiornato. Annulla l'iscrizione o scegli cosa ricevere:", "You get this email"},
		{"Kari", "Du får denne e-posten fordi du ba om nyheter fra oss. Meld deg av eller velg hva du får:", "You get this email"},
	} {
		m := ms[i]
		if !strings.Contains(m.Text, "Hello "+want.who) || !strings.Contains(m.Text, want.footer) || strings.Contains(m.Text, want.english) {
			t.Errorf("%s's email:\n%s", want.who, m.Text)
		}
	}
}

// A brief's PDF downloaded from its page speaks the reader's language
// (Romanian here), and the hand-off email to a vendor the team's
// (Italian, as the admin set it): greeting, headings, labels, plurals.
func TestBriefPDFAndHandOffEmailInTheirLanguages(t *testing.T) {
	f, smtp := mailFixture(t, dbtest.SQLite(t))
	ids := matchCatalog(t, f)
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	if status, _, body := admin.post("/users/language", url.Values{"team_language": {"it"}}); status != http.StatusSeeOther {
		t.Fatalf("team language: %d %.300s", status, body)
	}
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"pat.doe@example.com","first_name":"Pat","company":"Doe Shop","owner":"sam@example.com","stage":"sql"}`)
	if status != http.StatusCreated {
		t.Fatal(status, l)
	}
	id := fmt.Sprint(l["id"])
	if status, got := f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", `{"category":"crm","licences":3,"timeline":"3m","must_have":["contacts"]}`); status != http.StatusOK {
		t.Fatalf("request: %d %v", status, got)
	}
	b := romanianBrowser(t, f)
	status, _, doc := b.get("/leads/" + id + "/brief.pdf")
	if status != http.StatusOK {
		t.Fatalf("brief.pdf: %d", status)
	}
	text := strings.Join(strings.Fields(pdfToText(t, []byte(doc))), " ")
	for _, want := range []string{"Brief: crm pentru Doe Shop", "Client Companie Doe Shop", "Nevoie", "Utilizatori 3 licențe", "Termen În 3 luni", "Funcționalități", "Obligatoriu"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Romanian PDF lacks %q: %s", want, text)
		}
	}
	if status, got := f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/handoffs", `{"solution_ids":[`+ids["Carpa CRM"]+`]}`); status >= 300 {
		t.Fatalf("hand-off: %d %v", status, got)
	}
	m := smtp.Wait(t, 1, 20*time.Second)[0]
	for _, want := range []string{"Un cliente cerca un software come", "Brief: crm per Doe Shop", "ESIGENZA", "3 licenze", "Entro 3 mesi", "FUNZIONALITÀ"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the hand-off email lacks %q:\n%s", want, m.Text)
		}
	}
}
