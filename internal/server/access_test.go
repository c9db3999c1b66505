package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestAPIRolesAtEveryGuardedRoute walks every API route the forms,
// imports, scoring, assignment, tracking and user services serve (and the
// settings beside them): sales is refused where it must be, marketing
// where only an admin may go, and those allowed get the answer they
// asked for. The routes state no rule themselves; the services do.
func TestAPIRolesAtEveryGuardedRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		month := time.Now().UTC().Format("2006-01")
		_, rules := f.call(t, "admin", "GET", "/api/v1/scoring/rules", "")
		rulesJSON, _ := json.Marshal(rules["rules"])

		// world is what one role's round works on, made afresh by an admin
		// so that every round can change and delete its own.
		type world struct{ form, landing, sub1, sub2, rule, user string }
		n := 0
		setup := func(role string) world {
			t.Helper()
			n++
			slug := fmt.Sprintf("r%d", n)
			status, fm := f.call(t, "admin", "POST", "/api/v1/forms", `{"slug":"`+slug+`","name":"Round","fields":[{"name":"email"}]}`)
			if status != http.StatusCreated {
				t.Fatalf("setup form: %d %v", status, fm)
			}
			status, lp := f.call(t, "admin", "POST", "/api/v1/landing-pages",
				fmt.Sprintf(`{"slug":"lp-%s","form_id":%v,"template":"split","headline":"Round"}`, slug, fm["id"]))
			if status != http.StatusCreated {
				t.Fatalf("setup landing page: %d %v", status, lp)
			}
			for range 2 { // refused by the form, kept for review
				post(t, f.srv.URL, "/f/"+slug, "application/json", `{"email":"not an address"}`)
			}
			_, subs := f.call(t, "admin", "GET", "/api/v1/submissions?status=rejected", "")
			var ids []string
			for _, s := range subs["data"].([]any) {
				if s := s.(map[string]any); s["form_id"] == fm["id"] {
					ids = append(ids, fmt.Sprint(s["id"]))
				}
			}
			if len(ids) != 2 {
				t.Fatalf("setup: %d rejected submissions, want 2", len(ids))
			}
			status, rule := f.call(t, "admin", "POST", "/api/v1/assignment/rules", `{"name":"Round `+slug+`","members":["sam@example.com"]}`)
			if status != http.StatusCreated {
				t.Fatalf("setup rule: %d %v", status, rule)
			}
			status, u := f.call(t, "admin", "POST", "/api/v1/users", `{"email":"someone-`+slug+`@example.com","password":"longenough1","role":"sales"}`)
			if status != http.StatusCreated {
				t.Fatalf("setup user: %d %v", status, u)
			}
			return world{form: fmt.Sprint(fm["id"]), landing: fmt.Sprint(lp["id"]), sub1: ids[0], sub2: ids[1], rule: fmt.Sprint(rule["id"]), user: fmt.Sprint(u["id"])}
		}

		type route struct {
			method, path, body string
			ok                 int  // the status of those allowed
			adminOnly          bool // else admin and marketing
		}
		routes := func(w world, role string) []route {
			return []route{
				{"GET", "/api/v1/forms", "", 200, false},
				{"POST", "/api/v1/forms", `{"slug":"new-` + role + `","name":"New","fields":[{"name":"email"}]}`, 201, false},
				{"GET", "/api/v1/forms/" + w.form, "", 200, false},
				{"PATCH", "/api/v1/forms/" + w.form, `{"name":"Renamed"}`, 200, false},
				{"GET", "/api/v1/landing-pages", "", 200, false},
				{"POST", "/api/v1/landing-pages", `{"slug":"new-lp-` + role + `","form_id":` + w.form + `,"template":"split","headline":"New"}`, 201, false},
				{"GET", "/api/v1/landing-pages/" + w.landing, "", 200, false},
				{"PATCH", "/api/v1/landing-pages/" + w.landing, `{"headline":"Renamed"}`, 200, false},
				{"GET", "/api/v1/submissions", "", 200, false},
				{"GET", "/api/v1/submissions/" + w.sub1, "", 200, false},
				{"POST", "/api/v1/submissions/" + w.sub1 + "/accept", `{"values":{"email":"fixed-` + role + `@example.com"}}`, 200, false},
				{"POST", "/api/v1/submissions/" + w.sub2 + "/discard", "", 200, false},
				{"DELETE", "/api/v1/landing-pages/" + w.landing, "", 204, false},
				{"DELETE", "/api/v1/forms/" + w.form, "", 204, false},
				{"PUT", "/api/v1/scoring/rules", `{"rules":` + string(rulesJSON) + `,"note":"by ` + role + `"}`, 200, false},
				{"PUT", "/api/v1/channel-spend", `{"source":"ads","month":"` + month + `","amount":10,"currency":"EUR"}`, 200, false},
				{"PUT", "/api/v1/assignment/settings", `{"sla_hours":{"hot":4}}`, 200, true},
				{"POST", "/api/v1/assignment/rules", `{"name":"New ` + role + `","members":["sam@example.com"]}`, 201, true},
				{"PUT", "/api/v1/assignment/rules/" + w.rule, `{"name":"Renamed","members":["sam@example.com"]}`, 200, true},
				{"DELETE", "/api/v1/assignment/rules/" + w.rule, "", 204, true},
				{"PUT", "/api/v1/pipeline", `{"open_stages":["Discovery","Demo","Proposal"]}`, 200, true},
				{"PUT", "/api/v1/disqualify-reasons", `{"reasons":["no fit","spam"]}`, 200, true},
				{"POST", "/api/v1/users", `{"email":"new-` + role + `@example.com","password":"longenough1","role":"sales"}`, 201, true},
				{"PATCH", "/api/v1/users/" + w.user, `{"role":"admin","disabled":true}`, 200, true},
				{"DELETE", "/api/v1/users/" + w.user, "", 204, true},
			}
		}
		for _, role := range []string{"sales", "marketing", "admin"} {
			w := setup(role)
			for _, r := range routes(w, role) {
				want := r.ok
				if role == "sales" || (role == "marketing" && r.adminOnly) {
					want = http.StatusForbidden
				}
				if status, body := f.call(t, role, r.method, r.path, r.body); status != want {
					t.Errorf("%s %s %s: %d %v, want %d", role, r.method, r.path, status, body, want)
				}
			}
			if role == "sales" { // the refusals changed nothing
				if status, fm := f.call(t, "admin", "GET", "/api/v1/forms/"+w.form, ""); status != 200 || fm["name"] != "Round" {
					t.Errorf("after sales' refusals the form is %d %v", status, fm)
				}
				if status, s := f.call(t, "admin", "GET", "/api/v1/submissions/"+w.sub1, ""); status != 200 || s["status"] != "rejected" {
					t.Errorf("after sales' refusals the submission is %d %v", status, s)
				}
				_, users := f.call(t, "admin", "GET", "/api/v1/users", "")
				for _, u := range users["data"].([]any) {
					if u := u.(map[string]any); fmt.Sprint(u["id"]) == w.user && (u["role"] != "sales" || u["disabled"] != false) {
						t.Errorf("after sales' refusals the user is %v", u)
					}
				}
			}
		}

		// Reading the rules, the assignment and who the users are needs
		// no role.
		for _, path := range []string{"/api/v1/scoring/rules", "/api/v1/scoring/versions", "/api/v1/scoring/rescore",
			"/api/v1/assignment", "/api/v1/users", "/api/v1/me", "/api/v1/me/tokens", "/api/v1/me/sessions", "/api/v1/channel-spend", "/api/v1/pipeline", "/api/v1/disqualify-reasons"} {
			if status, body := f.call(t, "sales", "GET", path, ""); status != 200 {
				t.Errorf("sales GET %s: %d %v", path, status, body)
			}
		}
	})
}

// TestWebRefusesSalesTheEditors checks the pages whose services refuse
// sales: the editors are not shown and their posts change nothing.
func TestWebRefusesSalesTheEditors(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	sales := newBrowser(t, f.srv.URL)
	sales.login("sam@example.com")
	for _, path := range []string{"/forms/new", "/scoring", "/assignment", "/users", "/settings/pipeline", "/imports", "/submissions"} {
		if status, _, _ := sales.get(path); status != http.StatusForbidden {
			t.Errorf("sales GET %s: %d", path, status)
		}
	}
	for path, form := range map[string]url.Values{
		"/scoring/origins":     {"origins": {"https://evil.example"}},
		"/forms":               {"name": {"Mine"}, "slug": {"mine"}},
		"/users":               {"email": {"eve@example.com"}, "password": {"long enough pass"}, "role": {"admin"}},
		"/assignment/settings": {"fallback_owner": {"sam@example.com"}},
		"/settings/pipeline":   {"stages": {"Mine"}},
	} {
		if status, _, _ := sales.post(path, form); status != http.StatusForbidden {
			t.Errorf("sales POST %s: %d", path, status)
		}
	}
	marketing := newBrowser(t, f.srv.URL)
	marketing.login("mia@example.com")
	for _, path := range []string{"/forms/new", "/scoring", "/imports", "/submissions"} {
		if status, _, _ := marketing.get(path); status != http.StatusOK {
			t.Errorf("marketing GET %s: %d", path, status)
		}
	}
}
