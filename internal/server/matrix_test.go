package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leadflow/internal/api"
	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// allowed is who may call an API route, by role, and whether the record
// its {id} names in this test belongs to another sales user.
type allowed struct {
	role  string // "any", "marketing" (and admin), "billing" (admin and sales), "admin"
	other bool
}

// matrix is every API route that needs a token. A route missing here
// fails TestAuthorizationMatrix: adding an endpoint means saying who may
// call it.
var matrix = map[string]allowed{
	"GET /api/v1/leads/{id}/account-link":          {"any", true},
	"DELETE /api/v1/leads/{id}/account-link":       {"any", true},
	"GET /api/v1/leads":                            {"any", false},
	"POST /api/v1/leads":                           {"any", false},
	"GET /api/v1/leads/{id}":                       {"any", true},
	"PATCH /api/v1/leads/{id}":                     {"any", true},
	"DELETE /api/v1/leads/{id}":                    {"marketing", true},
	"GET /api/v1/leads/{id}/timeline":              {"any", true},
	"GET /api/v1/leads/{id}/consent":               {"any", true},
	"GET /api/v1/leads/{id}/enrolments":            {"any", true},
	"POST /api/v1/leads/{id}/enrolments":           {"marketing", true},
	"POST /api/v1/enrolments/{id}/exit":            {"any", true},
	"GET /api/v1/email-templates":                  {"marketing", false},
	"POST /api/v1/email-templates":                 {"marketing", false},
	"GET /api/v1/email-templates/{id}":             {"marketing", false},
	"PATCH /api/v1/email-templates/{id}":           {"marketing", false},
	"DELETE /api/v1/email-templates/{id}":          {"marketing", false},
	"GET /api/v1/sequences":                        {"marketing", false},
	"POST /api/v1/sequences":                       {"marketing", false},
	"GET /api/v1/sequences/{id}":                   {"marketing", false},
	"PATCH /api/v1/sequences/{id}":                 {"marketing", false},
	"DELETE /api/v1/sequences/{id}":                {"marketing", false},
	"GET /api/v1/sequences/{id}/report":            {"marketing", false},
	"GET /api/v1/outbox":                           {"admin", false},
	"POST /api/v1/leads/{id}/merge":                {"marketing", true},
	"GET /api/v1/leads/{id}/score":                 {"any", true},
	"POST /api/v1/leads/{id}/qualify":              {"any", true},
	"GET /api/v1/leads/{id}/qualification":         {"any", true},
	"POST /api/v1/leads/{id}/contacted":            {"any", true},
	"POST /api/v1/leads/{id}/convert":              {"any", true},
	"GET /api/v1/accounts":                         {"any", false},
	"POST /api/v1/accounts":                        {"any", false},
	"GET /api/v1/accounts/{id}":                    {"any", false}, // accounts are shared
	"PATCH /api/v1/accounts/{id}":                  {"any", false},
	"GET /api/v1/accounts/{id}/score":              {"any", false},
	"PUT /api/v1/accounts/{id}/tier":               {"any", false},
	"GET /api/v1/accounts/{id}/timeline":           {"any", false},
	"GET /api/v1/account-scoring":                  {"any", false},
	"PUT /api/v1/account-scoring":                  {"marketing", false},
	"GET /api/v1/mailboxes":                        {"admin", false},
	"POST /api/v1/mailboxes":                       {"admin", false},
	"PUT /api/v1/mailboxes/{id}":                   {"admin", false},
	"DELETE /api/v1/mailboxes/{id}":                {"admin", false},
	"POST /api/v1/mailboxes/{id}/fetch":            {"admin", false},
	"GET /api/v1/contacts":                         {"any", false},
	"GET /api/v1/contacts/{id}":                    {"any", true},
	"PUT /api/v1/contacts/{id}/role":               {"any", true},
	"GET /api/v1/opportunities":                    {"any", false},
	"POST /api/v1/opportunities":                   {"any", false},
	"GET /api/v1/opportunities/{id}":               {"any", true},
	"PATCH /api/v1/opportunities/{id}":             {"any", true},
	"GET /api/v1/pipeline":                         {"any", false},
	"PUT /api/v1/pipeline":                         {"admin", false},
	"GET /api/v1/assignment":                       {"any", false},
	"PUT /api/v1/assignment/settings":              {"admin", false},
	"POST /api/v1/assignment/rules":                {"admin", false},
	"PUT /api/v1/assignment/rules/{id}":            {"admin", false},
	"DELETE /api/v1/assignment/rules/{id}":         {"admin", false},
	"GET /api/v1/disqualify-reasons":               {"any", false},
	"PUT /api/v1/disqualify-reasons":               {"admin", false},
	"POST /api/v1/events":                          {"any", false},
	"GET /api/v1/kpis":                             {"any", false},
	"GET /api/v1/reports/accounts":                 {"any", false},
	"POST /api/v1/target-enrolments":               {"marketing", false},
	"GET /api/v1/channel-spend":                    {"any", false},
	"PUT /api/v1/channel-spend":                    {"marketing", false},
	"GET /api/v1/scoring/rules":                    {"any", false},
	"PUT /api/v1/scoring/rules":                    {"marketing", false},
	"GET /api/v1/scoring/versions":                 {"any", false},
	"GET /api/v1/scoring/rescore":                  {"any", false},
	"POST /api/v1/scoring/whatif":                  {"marketing", false},
	"POST /api/v1/predictions/train":               {"marketing", false},
	"GET /api/v1/predictions/models":               {"marketing", false},
	"POST /api/v1/predictions/models/{id}/restore": {"marketing", false},
	"GET /api/v1/leads/{id}/prediction":            {"any", true},
	"GET /api/v1/duplicates":                       {"marketing", false},
	"POST /api/v1/duplicates/dismiss":              {"marketing", false},
	"POST /api/v1/duplicates/merge":                {"marketing", false},
	"POST /api/v1/duplicates/accept":               {"marketing", false},
	"GET /api/v1/leads/{id}/merges":                {"any", true},
	"POST /api/v1/merges/{id}/undo":                {"marketing", false},
	"GET /api/v1/duplicates/values":                {"marketing", false},
	"POST /api/v1/duplicates/values/{id}":          {"marketing", false},
	"GET /api/v1/forms":                            {"marketing", false},
	"POST /api/v1/forms":                           {"marketing", false},
	"GET /api/v1/forms/{id}":                       {"marketing", false},
	"PATCH /api/v1/forms/{id}":                     {"marketing", false},
	"DELETE /api/v1/forms/{id}":                    {"marketing", false},
	"GET /api/v1/landing-pages":                    {"marketing", false},
	"POST /api/v1/landing-pages":                   {"marketing", false},
	"GET /api/v1/landing-pages/{id}":               {"marketing", false},
	"PATCH /api/v1/landing-pages/{id}":             {"marketing", false},
	"DELETE /api/v1/landing-pages/{id}":            {"marketing", false},
	"GET /api/v1/submissions":                      {"marketing", false},
	"GET /api/v1/submissions/{id}":                 {"marketing", false},
	"POST /api/v1/submissions/{id}/accept":         {"marketing", false},
	"POST /api/v1/submissions/{id}/discard":        {"marketing", false},
	"GET /api/v1/users":                            {"any", false},
	"POST /api/v1/users":                           {"admin", false},
	"GET /api/v1/invitations":                      {"admin", false},
	"POST /api/v1/invitations":                     {"admin", false},
	"DELETE /api/v1/invitations/{id}":              {"admin", false},
	"PATCH /api/v1/users/{id}":                     {"admin", false},
	"DELETE /api/v1/users/{id}":                    {"admin", false},
	"GET /api/v1/me":                               {"any", false},
	"PUT /api/v1/me/password":                      {"any", false},
	"GET /api/v1/me/tokens":                        {"any", false},
	"POST /api/v1/me/tokens":                       {"any", false},
	"DELETE /api/v1/me/tokens/{id}":                {"any", true},
	"GET /api/v1/me/sessions":                      {"any", false},
	"DELETE /api/v1/me/sessions/{id}":              {"any", true},
	"GET /api/v1/jobs":                             {"admin", false},
	"POST /api/v1/jobs/{id}/retry":                 {"admin", false},
	"GET /api/v1/privacy/export":                   {"admin", false},
	"POST /api/v1/privacy/erase":                   {"admin", false},
	"GET /api/v1/audit":                            {"admin", false},
	"GET /api/v1/segments":                         {"any", false},
	"POST /api/v1/segments":                        {"marketing", false},
	"POST /api/v1/segments/preview":                {"marketing", false},
	"GET /api/v1/segments/{id}":                    {"any", false},
	"PATCH /api/v1/segments/{id}":                  {"marketing", false},
	"DELETE /api/v1/segments/{id}":                 {"marketing", false},
	"GET /api/v1/segments/{id}/members":            {"any", false},
	"GET /api/v1/solutions":                        {"any", false},
	"POST /api/v1/solutions":                       {"marketing", false},
	"POST /api/v1/solutions/import":                {"marketing", false},
	"GET /api/v1/solutions/{id}":                   {"any", false},
	"PATCH /api/v1/solutions/{id}":                 {"marketing", false},
	"DELETE /api/v1/solutions/{id}":                {"marketing", false},
	"GET /api/v1/features":                         {"any", false},
	"PUT /api/v1/features/{key}":                   {"marketing", false},
	"DELETE /api/v1/features/{key}":                {"marketing", false},
	"GET /api/v1/matching/config":                  {"any", false},
	"PUT /api/v1/matching/config":                  {"admin", false},
	"GET /api/v1/leads/{id}/request":               {"any", true},
	"PUT /api/v1/leads/{id}/request":               {"any", true},
	"GET /api/v1/leads/{id}/matches":               {"any", true},
	"GET /api/v1/leads/{id}/brief.pdf":             {"any", true},
	"GET /api/v1/leads/{id}/projects":              {"any", true},
	"POST /api/v1/leads/{id}/projects":             {"any", true},
	"GET /api/v1/projects/{id}":                    {"any", true},
	"PATCH /api/v1/projects/{id}":                  {"any", true},
	"GET /api/v1/leads/{id}/handoffs":              {"any", true},
	"GET /api/v1/kpis/software":                    {"any", false},
	"POST /api/v1/leads/{id}/handoffs":             {"any", true},
	"POST /api/v1/handoffs/{id}/answer":            {"any", true},
}

// Activities and calendar settings (kept apart from the block above).
// Each user's calendar settings are their own; a sales user sees and
// changes only its own activities.
var activityMatrix = map[string]allowed{
	"GET /api/v1/activities":          {"any", false},
	"POST /api/v1/activities":         {"any", false},
	"GET /api/v1/activities/{id}":     {"any", true},
	"PATCH /api/v1/activities/{id}":   {"any", true},
	"DELETE /api/v1/activities/{id}":  {"any", true},
	"GET /api/v1/me/calendar":         {"any", false},
	"PUT /api/v1/me/calendar":         {"any", false},
	"POST /api/v1/me/calendar/feed":   {"any", false},
	"DELETE /api/v1/me/calendar/feed": {"any", false},
	// Products: admins keep the catalog; a deal's products are its owner's.
	"GET /api/v1/products":                     {"any", false},
	"POST /api/v1/products":                    {"admin", false},
	"GET /api/v1/products/{id}":                {"any", false},
	"PATCH /api/v1/products/{id}":              {"admin", false},
	"GET /api/v1/opportunities/{id}/products":  {"any", true},
	"POST /api/v1/opportunities/{id}/products": {"any", true},
	"DELETE /api/v1/opportunity-products/{id}": {"any", true},
}

func init() {
	for rt, who := range activityMatrix {
		matrix[rt] = who
	}
}

// activityRecords makes an activity of the second sales user on their
// lead, and a product on their deal, for the routes of activities and
// products.
func activityRecords(t *testing.T, f *fixture, leadID string, ids map[string]string) {
	t.Helper()
	status, act := f.call(t, "sales2", "POST", "/api/v1/activities",
		`{"kind":"call","subject":"Sue's call","due_at":"2026-12-01T10:00:00Z","link_type":"lead","link_id":`+leadID+`}`)
	if status != http.StatusCreated {
		t.Fatalf("activity: %d %v", status, act)
	}
	ids["/api/v1/activities/{id}"] = fmt.Sprint(act["id"])
	status, prod := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"Seat","unit_price":"480.00","currency":"EUR"}`)
	if status != http.StatusCreated {
		t.Fatalf("product: %d %v", status, prod)
	}
	deal := ids["/api/v1/opportunities/{id}"]
	status, line := f.call(t, "admin", "POST", "/api/v1/opportunities/"+deal+"/products", fmt.Sprintf(`{"product_id":%v,"quantity":2}`, prod["id"]))
	if status != http.StatusCreated {
		t.Fatalf("line: %d %v", status, line)
	}
	ids["/api/v1/products/{id}"] = fmt.Sprint(prod["id"])
	ids["/api/v1/opportunities/{id}/products"] = deal
	ids["/api/v1/opportunity-products/{id}"] = fmt.Sprint(line["id"])
}

// TestAuthorizationMatrix walks every API route the router serves: with
// no token each answers 401; a sales user gets no success on a route for
// marketing or admins, nor on another sales user's lead, contact, deal,
// token or session; marketing gets none on an admin's route; and no call
// answers a server error. Afterwards the other user's records are as
// they were.
func TestAuthorizationMatrix(t *testing.T) {
	routes := api.Routes()
	for _, rt := range routes {
		if _, ok := matrix[rt]; !ok {
			t.Errorf("route %q has no entry in the authorization matrix: say who may call it", rt)
		}
	}
	if len(matrix) != len(routes) {
		t.Errorf("the matrix has %d entries for %d routes: remove the routes that are gone", len(matrix), len(routes))
	}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ids := otherUsersRecords(t, f, db)
		// call sends rt as role with the test's ids in its path.
		call := func(role, rt string) (string, string, int, map[string]any) {
			method, path, _ := strings.Cut(rt, " ")
			path = strings.ReplaceAll(path, "{id}", ids[path])
			body := ""
			if method != "GET" && method != "DELETE" {
				body = `{}`
			}
			status, answer := f.call(t, role, method, path, body)
			return method, path, status, answer
		}
		for _, rt := range routes {
			if method, path, status, _ := call("", rt); status != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d, want 401", method, path, status)
			}
		}
		// Sales first, and then Sue's records must be as they were;
		// marketing may then change them, as it may every lead.
		for _, role := range []string{"sales", "marketing"} {
			for _, rt := range routes {
				want := matrix[rt]
				refused := want.role == "admin" || want.role == "marketing" && role == "sales" || want.other && role == "sales" ||
					want.role == "billing" && role == "marketing"
				method, path, status, answer := call(role, rt)
				switch {
				case status >= 500:
					t.Errorf("%s %s as %s: %d %v", method, path, role, status, answer)
				case refused && status < 300:
					t.Errorf("%s %s as %s: %d, want it refused", method, path, role, status)
				}
			}
			if role != "sales" {
				continue
			}
			for _, p := range []string{"/api/v1/leads/" + ids["/api/v1/leads/{id}"], "/api/v1/opportunities/" + ids["/api/v1/opportunities/{id}"]} {
				if status, got := f.call(t, "admin", "GET", p, ""); status != http.StatusOK || fmt.Sprint(got["owner"]) != "sue@example.com" {
					t.Errorf("after sales' walk %s: %d, owner %v", p, status, got["owner"])
				}
			}
		}
	})
}

// otherUsersRecords makes a lead, its contact and deal, a token of the
// second sales user, and a form, landing page, submission, rule and job,
// and returns the id each route path's {id} is to name.
func otherUsersRecords(t *testing.T, f *fixture, db *sqldb.DB) map[string]string {
	t.Helper()
	id := func(m map[string]any, key string) string { return fmt.Sprint(m[key]) }
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"sues@lead.example","company":"Sue's Co","owner":"sue@example.com","stage":"sql"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	status, conv := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l, "id")+"/convert", `{"opportunity":{"name":"Sue's deal","amount":1000,"currency":"EUR"}}`)
	if status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	_, tok := f.call(t, "sales2", "POST", "/api/v1/me/tokens", `{"name":"sue's"}`)
	fm := createForm(t, f, `{"slug":"matrix","name":"Matrix","fields":[{"name":"email"}]}`)
	_, lp := f.call(t, "admin", "POST", "/api/v1/landing-pages", `{"slug":"lp-matrix","form_id":`+id(fm, "id")+`,"template":"split","headline":"M"}`)
	post(t, f.srv.URL, "/f/matrix", "application/json", `{"email":"not an address"}`)
	_, subs := f.call(t, "admin", "GET", "/api/v1/submissions", "")
	sub := "0"
	if data, _ := subs["data"].([]any); len(data) > 0 {
		sub = id(data[0].(map[string]any), "id")
	}
	_, rule := f.call(t, "admin", "POST", "/api/v1/assignment/rules", `{"name":"Matrix","members":["sam@example.com"]}`)
	_, inv := f.call(t, "admin", "POST", "/api/v1/invitations", `{"email":"matrix.invitee@example.com","role":"sales"}`)
	_, seg := f.call(t, "admin", "POST", "/api/v1/segments", `{"name":"Matrix","conditions":[{"field":"stage","op":"in","values":["sql"]}]}`)
	_, tpl := f.call(t, "admin", "POST", "/api/v1/email-templates", `{"name":"Matrix","subject":"Hi","text":"Hello"}`)
	_, seq := f.call(t, "admin", "POST", "/api/v1/sequences", `{"name":"Matrix","steps":[{"kind":"wait","days":1}]}`)
	_, enr := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l, "id")+"/enrolments", `{"sequence_id":`+id(seq, "id")+`}`)
	_, users := f.call(t, "admin", "GET", "/api/v1/users", "")
	_, mbx := f.call(t, "admin", "POST", "/api/v1/mailboxes", `{"name":"Matrix","address":"127.0.0.1:1","security":"none","username":"m","password":"p"}`)
	_, proj := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l, "id")+"/projects", `{"title":"Sue's project"}`)
	_, sol := f.call(t, "admin", "POST", "/api/v1/solutions", `{"vendor":"V","product":"P","category":"crm","deployments":["cloud"],"price":1,"price_period":"month","currency":"EUR","contact_email":"v@vendor.example"}`)
	f.call(t, "admin", "PUT", "/api/v1/leads/"+id(l, "id")+"/request", `{"category":"crm","licences":1}`)
	_, sent := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l, "id")+"/handoffs", `{"solution_ids":[`+id(sol, "id")+`]}`)
	handoff := "0"
	if s, _ := sent["sent"].([]any); len(s) == 1 {
		handoff = id(s[0].(map[string]any), "id")
	}
	sue := "0"
	for _, u := range users["data"].([]any) {
		if u := u.(map[string]any); u["email"] == "sue@example.com" {
			sue = id(u, "id")
		}
	}
	ids := map[string]string{
		"/api/v1/leads/{id}":                      id(l, "id"),
		"/api/v1/leads/{id}/timeline":             id(l, "id"),
		"/api/v1/leads/{id}/consent":              id(l, "id"),
		"/api/v1/leads/{id}/merge":                id(l, "id"),
		"/api/v1/leads/{id}/merges":               id(l, "id"),
		"/api/v1/merges/{id}/undo":                "0",
		"/api/v1/duplicates/values/{id}":          "0",
		"/api/v1/leads/{id}/score":                id(l, "id"),
		"/api/v1/leads/{id}/prediction":           id(l, "id"),
		"/api/v1/predictions/models/{id}/restore": "1",
		"/api/v1/leads/{id}/qualify":              id(l, "id"),
		"/api/v1/leads/{id}/qualification":        id(l, "id"),
		"/api/v1/leads/{id}/contacted":            id(l, "id"),
		"/api/v1/leads/{id}/account-link":         id(l, "id"),
		"/api/v1/leads/{id}/convert":              id(l, "id"),
		"/api/v1/accounts/{id}":                   id(conv, "account_id"),
		"/api/v1/accounts/{id}/score":             id(conv, "account_id"),
		"/api/v1/accounts/{id}/tier":              id(conv, "account_id"),
		"/api/v1/accounts/{id}/timeline":          id(conv, "account_id"),
		"/api/v1/mailboxes/{id}":                  id(mbx, "id"),
		"/api/v1/mailboxes/{id}/fetch":            id(mbx, "id"),
		"/api/v1/contacts/{id}":                   id(conv, "contact_id"),
		"/api/v1/contacts/{id}/role":              id(conv, "contact_id"),
		"/api/v1/opportunities/{id}":              id(conv, "opportunity_id"),
		"/api/v1/assignment/rules/{id}":           id(rule, "id"),
		"/api/v1/forms/{id}":                      id(fm, "id"),
		"/api/v1/landing-pages/{id}":              id(lp, "id"),
		"/api/v1/submissions/{id}":                sub,
		"/api/v1/submissions/{id}/accept":         sub,
		"/api/v1/submissions/{id}/discard":        sub,
		"/api/v1/users/{id}":                      sue,
		"/api/v1/invitations/{id}":                id(inv, "id"),
		"/api/v1/leads/{id}/enrolments":           id(l, "id"),
		"/api/v1/enrolments/{id}/exit":            id(enr, "id"),
		"/api/v1/email-templates/{id}":            id(tpl, "id"),
		"/api/v1/sequences/{id}":                  id(seq, "id"),
		"/api/v1/sequences/{id}/report":           id(seq, "id"),
		"/api/v1/me/tokens/{id}":                  id(tok, "id"),
		"/api/v1/me/sessions/{id}":                "0123456789abcdef0123",
		"/api/v1/jobs/{id}/retry":                 "1",
		"/api/v1/segments/{id}":                   id(seg, "id"),
		"/api/v1/segments/{id}/members":           id(seg, "id"),
		"/api/v1/solutions/{id}":                  id(sol, "id"),
		"/api/v1/leads/{id}/request":              id(l, "id"),
		"/api/v1/leads/{id}/matches":              id(l, "id"),
		"/api/v1/leads/{id}/brief.pdf":            id(l, "id"),
		"/api/v1/leads/{id}/projects":             id(l, "id"),
		"/api/v1/projects/{id}":                   id(proj, "id"),
		"/api/v1/leads/{id}/handoffs":             id(l, "id"),
		"/api/v1/handoffs/{id}/answer":            handoff,
	}
	activityRecords(t, f, id(l, "id"), ids)
	invoiceRecords(t, f, db, id(conv, "account_id"), ids)
	viewRecords(t, f, nil, "api", ids)
	noticeRecords(t, db, nil, ids)
	webhookRecords(t, f, ids)
	projectRecords(t, f, id(conv, "account_id"), ids)
	teamRecords(t, f, db, ids)
	return ids
}
