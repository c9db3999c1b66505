package server_test

import (
	"fmt"
	"net/http"
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

func init() {
	for rt, who := range projectMatrix {
		matrix[rt] = who
	}
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
