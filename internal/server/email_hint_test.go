package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"leadflow/internal/forms"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestEmailChecksAtIntake: an address a form should refuse is refused with
// the email field named; an international domain is kept in its ASCII
// form; a likely typo of a big provider is accepted with a hint, and the
// hint also comes with an error about another field.
func TestEmailChecksAtIntake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, bad := range []string{"a@b", "test@example", "first.last@com", "x@example.123", "foobar@192.168.0.1"} {
			status, body := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"`+bad+`"}`)
			fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
			if status != 422 || fields["email"] == nil {
				t.Errorf("%s: %d %v", bad, status, body)
			}
		}
		status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"user@bücher.de"}`)
		if status != 201 || l["email"] != "user@xn--bcher-kva.de" || l["hints"] != nil {
			t.Errorf("international domain: %d %v", status, l)
		}
		status, l = f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ann@gmial.com"}`)
		hints, _ := l["hints"].(map[string]any)
		if status != 201 || l["email"] != "ann@gmial.com" || hints["email"] != "did you mean ann@gmail.com?" {
			t.Errorf("typo: %d %v", status, l)
		}
		status, body := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"bob@hotmial.com","country":"Narnia"}`)
		e, _ := body["error"].(map[string]any)
		hints, _ = e["hints"].(map[string]any)
		if status != 422 || hints["email"] != "did you mean bob@hotmail.com?" {
			t.Errorf("typo beside an error: %d %v", status, body)
		}
	})
}

// TestFormDefaultCountry: a form for one country reads a national phone
// number typed without +code in that country; a country the visitor gives
// wins; an unknown default is refused naming the field.
func TestFormDefaultCountry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		if status, body := f.call(t, "marketing", "POST", "/api/v1/forms", `{"slug":"ro-calls","name":"RO","default_country":"Narnia","fields":[{"name":"email"},{"name":"phone"},{"name":"country"}]}`); status != 422 {
			t.Errorf("unknown default country: %d %v", status, body)
		}
		status, fm := f.call(t, "marketing", "POST", "/api/v1/forms", `{"slug":"ro-calls","name":"RO","default_country":"Romania","fields":[{"name":"email"},{"name":"phone"},{"name":"country"}]}`)
		if status != 201 || fm["default_country"] != "RO" {
			t.Fatalf("form: %d %v", status, fm)
		}
		for _, c := range []struct{ body, email, want string }{
			{`{"email":"ion@x.ro","phone":"0721 234 567"}`, "ion@x.ro", "+40721234567"},
			{`{"email":"hans@x.de","phone":"030 901820","country":"DE"}`, "hans@x.de", "+4930901820"},
		} {
			if resp, body := post(t, f.srv.URL, "/f/ro-calls", "application/json", c.body); resp.StatusCode != 200 && resp.StatusCode != 201 {
				t.Fatalf("submit %s: %d %s", c.body, resp.StatusCode, body)
			}
			_, list := f.call(t, "admin", "GET", "/api/v1/leads?q="+c.email, "")
			data, _ := list["data"].([]any)
			if len(data) != 1 || data[0].(map[string]any)["phone"] != c.want {
				t.Errorf("%s: %v", c.body, list)
			}
		}
	})
}

// TestPublicFormEmailHint: a visitor who types gmial.com is told what they
// probably meant, beside an error and after a submission, without the
// submission being refused for it.
func TestPublicFormEmailHint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		if status, fm := f.call(t, "marketing", "POST", "/api/v1/forms", `{"slug":"hint","name":"Hint","fields":[{"name":"email"},{"name":"phone"}]}`); status != 201 {
			t.Fatalf("form: %d %v", status, fm)
		}
		resp, body := post(t, f.srv.URL, "/f/hint", "application/json", `{"email":"ana@gmial.com"}`)
		if resp.StatusCode != 200 || !strings.Contains(body, `"hints":{"email":"did you mean ana@gmail.com?"}`) {
			t.Errorf("accepted with a hint: %d %s", resp.StatusCode, body)
		}
		resp, body = post(t, f.srv.URL, "/f/hint", "application/json", `{"email":"bob@hotmial.com","phone":"12"}`)
		if resp.StatusCode != 422 || !strings.Contains(body, `"hints":{"email":"did you mean bob@hotmail.com?"}`) {
			t.Errorf("refused for the phone, with the email hint: %d %s", resp.StatusCode, body)
		}
		page, err := http.Get(f.srv.URL + "/f/hint")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(page.Body)
		page.Body.Close()
		token := regexp.MustCompile(`name="_t" value="([^"]+)"`).FindStringSubmatch(string(raw))[1]
		time.Sleep(forms.MinFillTime)
		resp, body = post(t, f.srv.URL, "/f/hint", "application/x-www-form-urlencoded", url.Values{"_t": {token}, "email": {"bob@hotmial.com"}, "phone": {"12"}}.Encode())
		if resp.StatusCode != 422 || !strings.Contains(body, `<span class="lf-hint">did you mean bob@hotmail.com?</span>`) {
			t.Errorf("the form page lacks the hint: %d\n%.2000s", resp.StatusCode, body)
		}
	})
}

// TestLeadWithoutEmail: a lead needs a way to tell who it is, not an
// email: a phone alone, or a name with a company, is a lead; a first name
// alone is refused naming the email field; two leads without emails do
// not collide.
func TestLeadWithoutEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, body := range []string{`{"phone":"+40721234567"}`, `{"first_name":"Ana","company":"Orbit"}`, `{"last_name":"Pop","street":"Str. Lunga 3","postal_code":"500035"}`} {
			if status, l := f.call(t, "marketing", "POST", "/api/v1/leads", body); status != 201 || l["email"] != "" {
				t.Errorf("%s: %d %v", body, status, l)
			}
		}
		status, body := f.call(t, "marketing", "POST", "/api/v1/leads", `{"first_name":"Dan"}`)
		e, _ := body["error"].(map[string]any)
		fields, _ := e["fields"].(map[string]any)
		if status != 422 || fields["email"] != "is required unless the lead has a phone, or a name with a company, city, address or birth date" {
			t.Errorf("a first name alone: %d %v", status, body)
		}
	})
}
