package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Projects: a sales user works on the projects of their accounts (and
// those they own or are on the team of); admins keep the stages, the
// templates, the rates and the settings; the report is aggregates, for
// everyone.
var projectMatrix = map[string]allowed{
	"GET /api/v1/projects":                     {"any", false},
	"POST /api/v1/projects":                    {"any", false},
	"POST /api/v1/projects/{id}/stage":         {"any", true},
	"GET /api/v1/projects/{id}/stages":         {"any", true},
	"GET /api/v1/projects/{id}/tasks":          {"any", true},
	"POST /api/v1/projects/{id}/tasks":         {"any", true},
	"GET /api/v1/projects/{id}/milestones":     {"any", true},
	"POST /api/v1/projects/{id}/milestones":    {"any", true},
	"PATCH /api/v1/project-milestones/{id}":    {"any", true},
	"GET /api/v1/projects/{id}/time-entries":   {"any", true},
	"POST /api/v1/projects/{id}/time-entries":  {"any", true},
	"POST /api/v1/projects/{id}/status-link":   {"any", true},
	"DELETE /api/v1/projects/{id}/status-link": {"any", true},
	"GET /api/v1/project-stages":               {"any", false},
	"PUT /api/v1/project-stages":               {"admin", false},
	"GET /api/v1/settings/projects":            {"admin", false},
	"PUT /api/v1/settings/projects":            {"admin", false},
	"GET /api/v1/kpis/projects":                {"any", false},
}

// The project pages: "delivery" is a project in delivery of the
// signed-in sales user's account; a deal's project is made from the
// deal, which the walk has won by then.
var projectPages = map[string]pageRule{
	"GET /projects":                          {who: "any"},
	"POST /projects":                         {who: "any", form: url.Values{"title": {"Walk {role}"}, "type": {"implementation"}, "account_id": {"{projectaccount}"}}},
	"POST /projects/{id}/move":               {who: "any", record: "delivery", form: url.Values{"stage_id": {"{projectstage}"}}},
	"POST /projects/{id}/delivery":           {who: "any", record: "delivery", form: url.Values{"title": {"Walked"}, "status": {"active"}, "client_language": {"it"}}},
	"POST /projects/{id}/tasks":              {who: "any", record: "delivery", form: url.Values{"subject": {"Walk task"}, "due_on": {"2026-12-01"}}},
	"POST /projects/{id}/milestones":         {who: "any", record: "delivery", form: url.Values{"name": {"Walk milestone"}, "due_on": {"2026-12-02"}}},
	"POST /projects/{id}/milestones/{mid}":   {who: "any", record: "delivery", form: url.Values{"done": {"1"}}},
	"POST /projects/{id}/time":               {who: "any", record: "delivery", form: url.Values{"hours": {"1.5"}}},
	"POST /projects/{id}/status-link":        {who: "any", record: "delivery", form: url.Values{}},
	"POST /projects/{id}/status-link/revoke": {who: "any", record: "delivery", form: url.Values{}},
	"POST /deals/{id}/project":               {who: "any", record: "deal", form: url.Values{"type": {"implementation"}}},
	"GET /settings/projects":                 {who: "admin"},
	"POST /settings/projects":                {who: "admin", form: url.Values{"warn_at": {"75"}, "default_type": {"implementation"}, "rates": {"role:sales = 60"}, "stages.implementation": {strings.Join(defaultStages["implementation"], "\n")}, "stages.custom_development": {strings.Join(defaultStages["custom_development"], "\n")}, "templates.implementation": {"task | 0 | Kickoff"}, "templates.custom_development": {"milestone | 30 | Go-live"}}},
	"GET /reports/projects":                  {who: "any"},
	"GET /status/{token}":                    {who: "public"},
}

var defaultStages = map[string][]string{
	"implementation":     {"Kickoff", "Requirements", "Configuration", "Data migration", "Training", "Go-live", "Support"},
	"custom_development": {"Business analysis", "Specification", "Design", "Development", "Testing", "Deployment", "Warranty"},
}

func init() {
	for rt, who := range projectMatrix {
		matrix[rt] = who
	}
	for rt, rule := range projectPages {
		pageMatrix[rt] = rule
	}
}

// projectPageRecords makes a project in delivery on the sales user's own
// account, with a milestone, for the project pages' walk.
func projectPageRecords(t *testing.T, f *fixture, recs records, role string) {
	t.Helper()
	account := recs["account:own"]
	status, p := f.call(t, "admin", "POST", "/api/v1/projects",
		`{"title":"Walk `+role+`","type":"implementation","account_id":`+account+`,"owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	id := fmt.Sprint(p["id"])
	status, m := f.call(t, "admin", "POST", "/api/v1/projects/"+id+"/milestones", `{"name":"Walk sign-off","due_on":"2026-12-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("milestone: %d %v", status, m)
	}
	_, stages := f.call(t, "admin", "GET", "/api/v1/project-stages?type=implementation", "")
	recs["delivery"], recs["{mid}"], recs["{projectaccount}"] = id, fmt.Sprint(m["id"]), account
	recs["{projectstage}"] = fmt.Sprint(stages["stages"].([]any)[1].(map[string]any)["id"])
}

// projectRecords makes a project in delivery owned by the second sales
// user on account, with a milestone, for the project routes.
func projectRecords(t *testing.T, f *fixture, account string, ids map[string]string) {
	t.Helper()
	status, p := f.call(t, "admin", "POST", "/api/v1/projects",
		`{"title":"Sue's rollout","type":"implementation","account_id":`+account+`,"owner":"sue@example.com","budget":"9000","currency":"EUR"}`)
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	id := fmt.Sprint(p["id"])
	status, m := f.call(t, "admin", "POST", "/api/v1/projects/"+id+"/milestones", `{"name":"Sign-off","due_on":"2026-12-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("milestone: %d %v", status, m)
	}
	for _, path := range []string{"stage", "stages", "tasks", "milestones", "time-entries", "status-link"} {
		ids["/api/v1/projects/{id}/"+path] = id
	}
	ids["/api/v1/project-milestones/{id}"] = fmt.Sprint(m["id"])
}
