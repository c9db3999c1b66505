package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// Sales teams: every role reads them, admins change them; a hand-over is
// seen by its SDR, its AE, their qualifying team and those who see every
// lead, and answered by its AE or an admin; the team report is
// aggregates, for everyone.
var teamMatrix = map[string]allowed{
	"GET /api/v1/teams":                  {"any", false},
	"POST /api/v1/teams":                 {"admin", false},
	"GET /api/v1/teams/{id}":             {"any", false},
	"PUT /api/v1/teams/{id}":             {"admin", false},
	"DELETE /api/v1/teams/{id}":          {"admin", false},
	"GET /api/v1/handovers":              {"any", false},
	"GET /api/v1/handovers/{id}":         {"any", true},
	"POST /api/v1/handovers/{id}/accept": {"billing", true},
	"POST /api/v1/handovers/{id}/reject": {"billing", true},
	"GET /api/v1/reports/teams":          {"any", false},
}

// The pages: "handover" is one handed to the signed-in sales user (Sam);
// "team" a team made for the walk.
var teamPages = map[string]pageRule{
	"GET /settings/teams":              {who: "admin"},
	"POST /settings/teams":             {who: "admin", form: url.Values{"name": {"Walk {role}"}, "role": {"closing"}}},
	"POST /settings/teams/{id}":        {who: "admin", record: "team", form: url.Values{"name": {"Walked {role}"}, "role": {"closing"}}},
	"POST /settings/teams/{id}/delete": {who: "admin", record: "team", form: url.Values{}},
	"GET /handovers":                   {who: "any"},
	"GET /handovers/{id}":              {who: "any", record: "handover"},
	"POST /handovers/{id}/accept":      {who: "billing", record: "handover", form: url.Values{}},
	"POST /handovers/{id}/reject":      {who: "billing", record: "handover", form: url.Values{"reason": {"no_budget"}}},
	"GET /reports/teams":               {who: "any"},
}

// closersOf keeps each fixture's closing team, made with its SDR.
var closersOf sync.Map // *fixture → the team's id

func init() {
	for rt, who := range teamMatrix {
		matrix[rt] = who
	}
	for rt, rule := range teamPages {
		pageMatrix[rt] = rule
	}
}

// handedOver makes, once per fixture, an SDR (with a token as "sdr") in
// a qualifying team that hands over to a closing team of ae alone, and
// then a lead the SDR qualifies and converts through the API: it is
// handed to ae. It returns the hand-over's and the closing team's ids.
func handedOver(t *testing.T, f *fixture, db *sqldb.DB, ae, company string) (handover, team string) {
	t.Helper()
	ctx := context.Background()
	if _, ok := f.tokens["sdr"]; !ok {
		users := user.NewService(db)
		if _, err := users.Create(ctx, access.System, user.Input{Email: "sdr@example.com", Password: testPassword, Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		tok, err := users.CreateToken(ctx, access.System, "sdr@example.com", "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens["sdr"] = tok
		status, closers := f.call(t, "admin", "POST", "/api/v1/teams", `{"name":"Closers","role":"closing","members":["`+ae+`"]}`)
		if status != http.StatusCreated {
			t.Fatalf("closing team: %d %v", status, closers)
		}
		closersOf.Store(f, fmt.Sprint(closers["id"]))
		status, sdrs := f.call(t, "admin", "POST", "/api/v1/teams", `{"name":"SDRs","role":"qualifying","members":["sdr@example.com"],"hands_to":`+fmt.Sprint(closers["id"])+`}`)
		if status != http.StatusCreated {
			t.Fatalf("qualifying team: %d %v", status, sdrs)
		}
	}
	status, l := f.call(t, "sdr", "POST", "/api/v1/leads", `{"email":"buyer@`+company+`.example","company":"`+company+`","owner":"sdr@example.com","stage":"mql"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	lead := fmt.Sprint(l["id"])
	if status, q := f.call(t, "sdr", "POST", "/api/v1/leads/"+lead+"/qualify", `{"authority":"decision_maker","need":"a CRM","timing":"2027-Q1","outcome":"sql"}`); status != http.StatusOK {
		t.Fatalf("qualify: %d %v", status, q)
	}
	status, conv := f.call(t, "sdr", "POST", "/api/v1/leads/"+lead+"/convert", `{"handover_note":"Ready to buy","opportunity":{"name":"`+company+` deal","amount":500,"currency":"EUR"}}`)
	if status != http.StatusCreated || conv["handover_id"] == nil {
		t.Fatalf("convert: %d %v", status, conv)
	}
	closers, _ := closersOf.Load(f)
	return fmt.Sprint(conv["handover_id"]), closers.(string)
}

// teamRecords names a hand-over to Sue, the second sales user, and a
// team, for the API routes.
func teamRecords(t *testing.T, f *fixture, db *sqldb.DB, ids map[string]string) {
	t.Helper()
	h, team := handedOver(t, f, db, "sue@example.com", "matrixcorp")
	ids["/api/v1/teams/{id}"] = team
	for _, p := range []string{"", "/accept", "/reject"} {
		ids["/api/v1/handovers/{id}"+p] = h
	}
}

// teamPageRecords makes, for one role's walk, a hand-over to Sam, the
// sales user, and a team to change and delete.
func teamPageRecords(t *testing.T, f *fixture, db *sqldb.DB, recs records, role string) {
	t.Helper()
	recs["handover"], _ = handedOver(t, f, db, "sam@example.com", "walk"+role)
	status, team := f.call(t, "admin", "POST", "/api/v1/teams", `{"name":"Walk team `+role+`","role":"closing"}`)
	if status != http.StatusCreated {
		t.Fatalf("team: %d %v", status, team)
	}
	recs["team"] = fmt.Sprint(team["id"])
}
