package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// userID finds a user's id by email through the API.
func userID(t *testing.T, f *fixture, email string) string {
	t.Helper()
	_, users := f.call(t, "admin", "GET", "/api/v1/users", "")
	for _, u := range users["data"].([]any) {
		if u := u.(map[string]any); u["email"] == email {
			return fmt.Sprint(u["id"])
		}
	}
	t.Fatalf("no user %s", email)
	return ""
}

// ownTokenID is the id of the one token role holds.
func ownTokenID(t *testing.T, f *fixture, role string) string {
	t.Helper()
	status, list := f.call(t, role, "GET", "/api/v1/me/tokens", "")
	data, _ := list["data"].([]any)
	if status != 200 || len(data) != 1 {
		t.Fatalf("%s's tokens: %d %v", role, status, list)
	}
	return fmt.Sprint(data[0].(map[string]any)["id"])
}

// An admin disables a sales user: their token and browser stop at once,
// they cannot sign in, their lead stays theirs; enabled again, the token
// works. Deleted, their lead is unassigned. The last admin stays.
func TestAPIDisableAndDeleteUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		sam := userID(t, f, "sam@example.com")
		admin := userID(t, f, "admin@example.com")
		status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"owned@example.com","owner":"sam@example.com"}`)
		if status != 201 {
			t.Fatalf("lead: %d %v", status, l)
		}
		leadPath := fmt.Sprintf("/api/v1/leads/%v", l["id"])
		browser := newBrowser(t, f.srv.URL)
		browser.login("sam@example.com")

		for _, c := range []struct {
			role, path, body string
			want             int
			field            string
		}{
			{"marketing", "/api/v1/users/" + sam, `{"disabled":true}`, 403, ""},
			{"sales", "/api/v1/users/" + sam, `{"role":"admin"}`, 403, ""},
			{"admin", "/api/v1/users/" + admin, `{"disabled":true}`, 409, "disabled"},
			{"admin", "/api/v1/users/" + admin, `{"role":"sales"}`, 409, ""},
			{"admin", "/api/v1/users/" + sam, `{"role":"boss"}`, 422, "role"},
			{"admin", "/api/v1/users/" + sam, `{"disabled":"yes"}`, 422, "disabled"},
			{"admin", "/api/v1/users/" + sam, `{"email":"x@example.com"}`, 422, "email"},
			{"admin", "/api/v1/users/999999", `{"disabled":true}`, 404, ""},
		} {
			status, body := f.call(t, c.role, "PATCH", c.path, c.body)
			if status != c.want || (c.field != "" && errorFields(body)[c.field] == nil) {
				t.Errorf("%s PATCH %s %s: %d %v, want %d naming %q", c.role, c.path, c.body, status, body, c.want, c.field)
			}
		}

		status, u := f.call(t, "admin", "PATCH", "/api/v1/users/"+sam, `{"disabled":true}`)
		if status != 200 || u["disabled"] != true || u["role"] != "sales" {
			t.Fatalf("disable: %d %v", status, u)
		}
		if d, s := keysOf(openAPISchema(t, f, "User")), keysOf(u); fmt.Sprint(d) != fmt.Sprint(s) {
			t.Errorf("User schema lists %v but the API answers with %v", d, s)
		}
		if status, body := f.call(t, "sales", "GET", "/api/v1/me", ""); status != 401 {
			t.Errorf("a disabled user's token: %d %v", status, body)
		}
		if status, loc, _ := browser.get("/leads"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("a disabled user's browser: %d %s", status, loc)
		}
		if status, _, _ := browser.post("/login", url.Values{"email": {"sam@example.com"}, "password": {testPassword}}); status != http.StatusUnauthorized {
			t.Errorf("a disabled user signing in: %d", status)
		}
		if _, got := f.call(t, "admin", "GET", leadPath, ""); got["owner"] != "sam@example.com" {
			t.Errorf("the disabled user's lead: owner %v", got["owner"])
		}

		if status, u := f.call(t, "admin", "PATCH", "/api/v1/users/"+sam, `{"disabled":false,"role":"marketing"}`); status != 200 || u["disabled"] != false || u["role"] != "marketing" {
			t.Errorf("enable and change role: %d %v", status, u)
		}
		if status, me := f.call(t, "sales", "GET", "/api/v1/me", ""); status != 200 || me["role"] != "marketing" {
			t.Errorf("the token after enabling: %d %v", status, me)
		}

		if status, body := f.call(t, "marketing", "DELETE", "/api/v1/users/"+sam, ""); status != 403 {
			t.Errorf("marketing deleted a user: %d %v", status, body)
		}
		if status, body := f.call(t, "admin", "DELETE", "/api/v1/users/"+admin, ""); status != 409 {
			t.Errorf("an admin deleted themselves: %d %v", status, body)
		}
		if status, body := f.call(t, "admin", "DELETE", "/api/v1/users/"+sam, ""); status != 204 {
			t.Fatalf("delete: %d %v", status, body)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/me", ""); status != 401 {
			t.Errorf("a deleted user's token: %d", status)
		}
		if status, got := f.call(t, "admin", "GET", leadPath, ""); status != 200 || got["owner"] != nil {
			t.Errorf("the deleted user's lead: %d owner %v", status, got["owner"])
		}
		if status, _ := f.call(t, "admin", "DELETE", "/api/v1/users/"+sam, ""); status != 404 {
			t.Errorf("deleted twice: %d", status)
		}
	})
}

// Every user changes their password, and lists and revokes their own
// sessions and tokens, through the API.
func TestAPIOwnCredentials(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		browser := newBrowser(t, f.srv.URL)
		browser.login("mia@example.com")

		status, list := f.call(t, "marketing", "GET", "/api/v1/me/sessions", "")
		sessions, _ := list["data"].([]any)
		if status != 200 || len(sessions) != 1 {
			t.Fatalf("sessions: %d %v", status, list)
		}
		session := sessions[0].(map[string]any)
		if d, s := keysOf(openAPISchema(t, f, "Session")), keysOf(session); fmt.Sprint(d) != fmt.Sprint(s) {
			t.Errorf("Session schema lists %v but the API answers with %v", d, s)
		}
		if status, _ := f.call(t, "sales", "DELETE", fmt.Sprintf("/api/v1/me/sessions/%v", session["id"]), ""); status != 404 {
			t.Errorf("sales revoked mia's session: %d", status)
		}
		if status, body := f.call(t, "marketing", "DELETE", fmt.Sprintf("/api/v1/me/sessions/%v", session["id"]), ""); status != 204 {
			t.Errorf("revoke session: %d %v", status, body)
		}
		if status, loc, _ := browser.get("/leads"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("a revoked session: %d %s", status, loc)
		}

		status, tok := f.call(t, "marketing", "POST", "/api/v1/me/tokens", `{"name":"zapier"}`)
		secret, _ := tok["secret"].(string)
		if status != 201 || !strings.HasPrefix(secret, "lf_") || tok["last_used_at"] != nil {
			t.Fatalf("create token: %d %v", status, tok)
		}
		if status, body := f.call(t, "marketing", "POST", "/api/v1/me/tokens", `{"name":""}`); status != 422 || errorFields(body)["name"] == nil {
			t.Errorf("a token without a name: %d %v", status, body)
		}
		if status, me := f.call(t, secret, "GET", "/api/v1/me", ""); status != 200 || me["email"] != "mia@example.com" {
			t.Errorf("the new token: %d %v", status, me)
		}
		_, list = f.call(t, "marketing", "GET", "/api/v1/me/tokens", "")
		tokens, _ := list["data"].([]any)
		if len(tokens) != 2 {
			t.Fatalf("tokens: %v", list)
		}
		newest := tokens[0].(map[string]any)
		if newest["name"] != "zapier" || newest["last_used_at"] == nil || newest["secret"] != nil {
			t.Errorf("the listed token: %v", newest)
		}
		if d, s := keysOf(openAPISchema(t, f, "Token")), keysOf(newest); fmt.Sprint(d) != fmt.Sprint(s) {
			t.Errorf("Token schema lists %v but the API answers with %v", d, s)
		}
		if status, _ := f.call(t, "sales", "DELETE", fmt.Sprintf("/api/v1/me/tokens/%v", newest["id"]), ""); status != 404 {
			t.Errorf("sales revoked mia's token: %d", status)
		}
		if status, _ := f.call(t, "marketing", "DELETE", fmt.Sprintf("/api/v1/me/tokens/%v", newest["id"]), ""); status != 204 {
			t.Errorf("revoke token: %d", status)
		}
		if status, _ := f.call(t, secret, "GET", "/api/v1/me", ""); status != 401 {
			t.Errorf("a revoked token: %d", status)
		}

		browser.login("mia@example.com")
		for body, field := range map[string]string{
			`{"current_password":"wrong password!","password":"a brand new one"}`: "current_password",
			`{"current_password":"` + testPassword + `","password":"short"}`:      "password",
		} {
			if status, got := f.call(t, "marketing", "PUT", "/api/v1/me/password", body); status != 422 || errorFields(got)[field] == nil {
				t.Errorf("password %s: %d %v", body, status, got)
			}
		}
		if status, body := f.call(t, "marketing", "PUT", "/api/v1/me/password", `{"current_password":"`+testPassword+`","password":"a brand new one"}`); status != 204 {
			t.Fatalf("change password: %d %v", status, body)
		}
		if status, _, _ := browser.get("/leads"); status != http.StatusSeeOther {
			t.Errorf("a session survived the password change: %d", status)
		}
		if status, _ := f.call(t, "marketing", "GET", "/api/v1/me", ""); status != 200 {
			t.Errorf("the token after the password change: %d", status)
		}
		if status, _, _ := browser.post("/login", url.Values{"email": {"mia@example.com"}, "password": {"a brand new one"}}); status != http.StatusSeeOther {
			t.Errorf("signing in with the new password: %d", status)
		}
	})
}

var secretOnPage = regexp.MustCompile(`value="(lf_[A-Za-z0-9_-]+)"`)

// The pages: an admin disables, enables and deletes a user and revokes
// their token from /users; a user changes their password, creates and
// revokes a token and signs out another browser on /account.
func TestWebPeopleAndAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		sam, sue := userID(t, f, "sam@example.com"), userID(t, f, "sue@example.com")
		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		sales := newBrowser(t, f.srv.URL)
		sales.login("sam@example.com")

		status, _, page := admin.get("/users")
		if status != 200 || !strings.Contains(page, `action="/users/`+sam+`/disable"`) || !strings.Contains(page, `href="/users/`+sam+`/delete"`) {
			t.Fatalf("users page: %d\n%s", status, page)
		}
		for _, path := range []string{"/users/" + sue + "/disable", "/users/" + sue + "/delete", "/users/" + sue + "/role"} {
			if status, _, _ := sales.post(path, url.Values{"role": {"admin"}}); status != http.StatusForbidden {
				t.Errorf("sales POST %s: %d", path, status)
			}
		}
		if status, _, _ := sales.get("/users/" + sue + "/delete"); status != http.StatusForbidden {
			t.Errorf("sales GET the delete page: %d", status)
		}

		if status, loc, _ := admin.post("/users/"+sam+"/disable", url.Values{}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/users") {
			t.Errorf("disable: %d %s", status, loc)
		}
		if status, loc, _ := sales.get("/leads"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("the disabled user's browser: %d %s", status, loc)
		}
		if _, _, page := admin.get("/users"); !strings.Contains(page, `action="/users/`+sam+`/enable"`) {
			t.Error("no Enable for the disabled user")
		}
		admin.post("/users/"+sam+"/enable", url.Values{})
		sales.login("sam@example.com")
		if status, _, _ := admin.post("/users/"+sam+"/role", url.Values{"role": {"boss"}}); status != http.StatusUnprocessableEntity {
			t.Errorf("unknown role: %d", status)
		}
		admin.post("/users/"+sam+"/role", url.Values{"role": {"marketing"}})
		if status, _, _ := sales.get("/forms/new"); status != 200 {
			t.Errorf("promoted to marketing, the forms editor: %d", status)
		}

		// The admin revokes sue's token from the users page.
		tid := ownTokenID(t, f, "sales2")
		if _, _, page := admin.get("/users"); !strings.Contains(page, `action="/users/`+sue+`/tokens/`+tid+`/revoke"`) {
			t.Error("sue's token is not on the users page")
		}
		if status, _, _ := admin.post("/users/"+sam+"/tokens/"+tid+"/revoke", url.Values{}); status != http.StatusNotFound {
			t.Errorf("sue's token revoked as sam's: %d", status)
		}
		if status, _, _ := admin.post("/users/"+sue+"/tokens/"+tid+"/revoke", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("revoke sue's token: %d", status)
		}
		if status, _ := f.call(t, "sales2", "GET", "/api/v1/me", ""); status != 401 {
			t.Errorf("sue's revoked token: %d", status)
		}

		if status, _, page := admin.get("/users/" + sam + "/delete"); status != 200 || !strings.Contains(page, "become unassigned") {
			t.Errorf("confirm delete: %d", status)
		}
		if status, _, _ := admin.post("/users/"+sam+"/delete", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("delete: %d", status)
		}
		if _, _, page := admin.get("/users"); strings.Contains(page, `id="user-`+sam+`"`) {
			t.Error("the deleted user is listed")
		}
		if status, _, _ := admin.post("/users/"+userID(t, f, "admin@example.com")+"/delete", url.Values{}); status != http.StatusConflict {
			t.Errorf("the admin deleted themselves: %d", status)
		}

		// Account: sessions, tokens, password.
		mia, other := newBrowser(t, f.srv.URL), newBrowser(t, f.srv.URL)
		mia.login("mia@example.com")
		other.login("mia@example.com")
		status, _, page = mia.get("/account")
		if status != 200 || strings.Count(page, "/revoke\"") < 3 || !strings.Contains(page, "(this session)") {
			t.Fatalf("account page: %d\n%s", status, page)
		}
		status, _, page = mia.post("/account/tokens", url.Values{"name": {"laptop"}})
		m := secretOnPage.FindStringSubmatch(page)
		if status != http.StatusCreated || m == nil {
			t.Fatalf("create token: %d\n%s", status, page)
		}
		if st, me := f.call(t, m[1], "GET", "/api/v1/me", ""); st != 200 || me["email"] != "mia@example.com" {
			t.Errorf("the token made on the page: %d %v", st, me)
		}
		if _, _, page := mia.get("/account"); strings.Contains(page, m[1]) || !strings.Contains(page, "laptop") {
			t.Error("the secret is shown again, or the token not listed")
		}
		if status, _, page := mia.post("/account/tokens", url.Values{"name": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Name is required") {
			t.Errorf("a token without a name: %d", status)
		}
		status, _, page = mia.post("/account/password", url.Values{"current_password": {"not it at all"}, "password": {"a brand new one"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Current password is wrong") {
			t.Errorf("wrong current password: %d", status)
		}
		if status, loc, _ := mia.post("/account/password", url.Values{"current_password": {testPassword}, "password": {"a brand new one"}}); status != http.StatusSeeOther || loc != "/account" {
			t.Errorf("change password: %d %s", status, loc)
		}
		if status, _, _ := mia.get("/account"); status != 200 {
			t.Errorf("the browser that changed the password was signed out: %d", status)
		}
		if status, _, _ := other.get("/account"); status != http.StatusSeeOther {
			t.Errorf("the other browser stayed signed in: %d", status)
		}
		if st, _ := f.call(t, m[1], "GET", "/api/v1/me", ""); st != 200 {
			t.Errorf("a token after the password change: %d", st)
		}
		// Revoking the token made on the page, then this very session.
		_, _, page = mia.get("/account")
		for _, kind := range []string{"tokens", "sessions"} {
			for _, action := range regexp.MustCompile(`action="(/account/`+kind+`/[^"]+/revoke)"`).FindAllStringSubmatch(page, -1) {
				if status, loc, _ := mia.post(action[1], url.Values{}); status != http.StatusSeeOther || (kind == "tokens") != (loc == "/account") {
					t.Errorf("POST %s: %d %s", action[1], status, loc)
				}
			}
		}
		if st, _ := f.call(t, m[1], "GET", "/api/v1/me", ""); st != 401 {
			t.Errorf("a token revoked on the page: %d", st)
		}
		if status, loc, _ := mia.get("/account"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out here, the page: %d %s", status, loc)
		}
	})
}
