package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// A reader who chose Norwegian sees grades and a lead's role in the
// buying decision (BANT authority) as Norwegian words on the lead's
// page, in the lead list, among a segment's members and on an account;
// the stored codes (cold, influencer, unknown) show nowhere as text.
func TestGradesAndBANTRolesSpeakTheReadersLanguage(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	gradeWord := map[string]string{"hot": "Het", "warm": "Varm", "cold": "Kald"}
	newLead := func(body string) (path, grade string) {
		t.Helper()
		status, l := f.call(t, "sales", "POST", "/api/v1/leads", body)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
		return fmt.Sprint("/leads/", l["id"]), fmt.Sprint(l["grade"])
	}
	qualified, grade := newLead(`{"email":"kari@fjordkraft.no","first_name":"Kari","company":"Fjordkraft","country":"NO","stage":"mql","owner":"sam@example.com"}`)
	if gradeWord[grade] == "" {
		t.Fatalf("a new lead's grade is %q", grade)
	}
	status, q := f.call(t, "sales", "POST", "/api/v1"+qualified+"/qualify",
		`{"authority":"unknown","need":"Ett CRM for tre kontorer","timing":"2027-Q2","outcome":"nurturing","reason":"venter på ny økonomisjef"}`)
	if status != http.StatusOK {
		t.Fatalf("qualify: %d %v", status, q)
	}
	unqualified, _ := newLead(`{"email":"ola@fjordkraft.no","first_name":"Ola","company":"Fjordkraft","country":"NO","stage":"mql","owner":"sam@example.com"}`)
	status, seg := f.call(t, "marketing", "POST", "/api/v1/segments", `{"name":"Norge","conditions":[{"field":"country","op":"in","values":["NO"]}]}`)
	if status != http.StatusCreated {
		t.Fatalf("segment: %d %v", status, seg)
	}
	syncSegments(t, db)
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Fjordkraft AS","website":"fjordkraft.no","employees":450,"country":"NO"}`)
	_, score := f.call(t, "sales", "GET", fmt.Sprint("/api/v1/accounts/", acc["id"], "/score"), "")
	accGrade := fmt.Sprint(score["grade"])
	if gradeWord[accGrade] == "" {
		t.Fatalf("the account's grade is %q (%v)", accGrade, score)
	}

	b := browserIn(t, f, "sam@example.com", "nb")
	pages := []struct {
		path        string
		want, codes []string
	}{
		{qualified, []string{`grade-` + grade + `">` + gradeWord[grade] + `</span>`, "myndighet Ukjent ·"},
			[]string{`">` + grade + `</span>`, "myndighet unknown"}},
		{unqualified, []string{`<option value="decision_maker" >Beslutningstaker</option>`, `<option value="influencer" >Påvirker</option>`,
			`<option value="user" >Bruker</option>`, `<option value="unknown" >Ukjent</option>`},
			[]string{">decision_maker<", ">influencer<", ">user<", ">unknown<"}},
		{"/leads", []string{`grade-` + grade + `">` + gradeWord[grade] + `</span>`}, []string{`">` + grade + `</span>`}},
		{fmt.Sprint("/segments/", seg["id"]), []string{`<span class="sub">` + gradeWord[grade] + `</span>`}, []string{`">` + grade + `</span>`}},
		{fmt.Sprint("/accounts/", acc["id"]), []string{`grade-` + accGrade + `">` + gradeWord[accGrade] + `</span>`}, []string{`">` + accGrade + `</span>`}},
	}
	for _, p := range pages {
		status, _, page := b.get(p.path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", p.path, status)
		}
		for _, want := range p.want {
			if !strings.Contains(page, want) {
				t.Errorf("%s in Norwegian lacks %q", p.path, want)
			}
		}
		for _, code := range p.codes {
			if strings.Contains(page, code) {
				t.Errorf("%s in Norwegian shows the code %q", p.path, code)
			}
		}
	}
}
