package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// romanianBrowser is a browser signed in as Sam, who set Romanian.
func romanianBrowser(t *testing.T, f *fixture) *browser {
	t.Helper()
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	if status, _, body := b.post("/account/language", url.Values{"language": {"ro"}}); status != http.StatusSeeOther {
		t.Fatalf("language: %d %.300s", status, body)
	}
	return b
}

// A Romanian reader sees the buying committee's roles, and what a lead's
// link to an account was made on, in Romanian: on the account, the
// contact and the lead's pages.
func TestRomanianReaderSeesRolesAndWhatALinkWasMadeOn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		status, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ioana@carpathia.ro","first_name":"Ioana","company":"Carpathia","website":"https://carpathia.ro","stage":"sql","owner":"sam@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
		status, conv := f.call(t, "sales", "POST", fmt.Sprint("/api/v1/leads/", l["id"], "/convert"), `{"opportunity":{"name":"Carpathia CRM","amount":1000,"currency":"EUR"}}`)
		if status != http.StatusCreated {
			t.Fatalf("convert: %d %v", status, conv)
		}
		contact := fmt.Sprint(conv["contact_id"])
		if status, body := f.call(t, "sales", "PUT", "/api/v1/contacts/"+contact+"/role", `{"role":"champion"}`); status != http.StatusOK {
			t.Fatalf("role: %d %v", status, body)
		}
		status, jo := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"mihai@carpathia.ro","first_name":"Mihai","owner":"sam@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, jo)
		}
		b := romanianBrowser(t, f)
		_, _, page := b.get("/accounts/" + fmt.Sprint(conv["account_id"]))
		for _, want := range []string{">Susținător intern</span>", ">Factor de decizie</span>", `<option value="influencer" >Influențator</option>`, "potrivit după domeniul e-mailului carpathia.ro"} {
			if !strings.Contains(page, want) {
				t.Errorf("the account's page lacks %q", want)
			}
		}
		for _, english := range []string{"Decision maker", "Champion", "email domain"} {
			if strings.Contains(page, english) {
				t.Errorf("the Romanian account page says %q", english)
			}
		}
		_, _, page = b.get("/contacts/" + contact)
		if !strings.Contains(page, `<span id="contact-role">Susținător intern</span>`) {
			t.Errorf("the contact's role reads:\n%s", textOf(page))
		}
		_, _, page = b.get(fmt.Sprint("/leads/", jo["id"]))
		if !strings.Contains(page, "o companie existentă: potrivit după domeniul e-mailului carpathia.ro.") {
			t.Errorf("the lead's link to its account reads:\n%s", textOf(page))
		}
	})
}

// The messages a page shows after a change speak the reader's language:
// fixed ones (an account created) and those that name what changed (a
// lead's new stage, a segment, a user).
func TestRomanianReaderGetsRomanianFlashes(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ana@carpathia.ro","owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	b := romanianBrowser(t, f)
	flashAfter := func(path string, form url.Values) string {
		t.Helper()
		status, loc, body := b.post(path, form)
		if status != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", path, status, textOf(body))
		}
		_, _, page := b.get(loc)
		return page
	}
	for _, c := range []struct {
		path string
		form url.Values
		want string
	}{
		{fmt.Sprint("/leads/", l["id"], "/stage"), url.Values{"stage": {"nurturing"}, "reason": {"mai târziu"}}, "Etapa a fost schimbată în Nurturing."},
		{"/accounts", url.Values{"name": {"Carpathia SRL"}}, "Compania a fost creată."},
	} {
		if page := flashAfter(c.path, c.form); !strings.Contains(page, c.want) {
			t.Errorf("after %s the page lacks %q:\n%s", c.path, c.want, textOf(page))
		}
	}
}

// The activity form offers an activity's statuses, in the reader's
// language: two template functions of one name once gave it a custom
// project's statuses (analysis, estimate sent...).
func TestActivityFormOffersActivityStatuses(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, act := f.call(t, "sales", "POST", "/api/v1/activities", `{"kind":"call","subject":"Sună-l pe Mihai","due_at":"2026-12-01T10:00:00Z","duration":15}`)
	if status != http.StatusCreated {
		t.Fatalf("activity: %d %v", status, act)
	}
	b := romanianBrowser(t, f)
	_, _, page := b.get(fmt.Sprint("/activities/", act["id"]))
	for _, want := range []string{`<option value="planned" selected>`, `<option value="done" >`, `<option value="cancelled" >`} {
		if !strings.Contains(page, want) {
			t.Errorf("the activity's status choices lack %s", want)
		}
	}
	if strings.Contains(page, `value="estimate_sent"`) || strings.Contains(page, `value="analysis"`) {
		t.Errorf("the activity form offers a project's statuses")
	}
}
