package server_test

import (
	"fmt"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// The nurturing API as an integration would use it: templates with
// versions, sequences refused with the step named, enrolment once, the
// report; and sales kept out of the settings.
func TestNurturingAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		status, tpl := f.call(t, "marketing", "POST", "/api/v1/email-templates", `{"name":"Hello","subject":"Hi {{first_name|there}}","html":"<p onclick=\"x()\">Hi</p>"}`)
		if status != 201 || tpl["html"] != "<p>Hi</p>" || tpl["version"] != float64(1) {
			t.Fatalf("create template: %d %v", status, tpl)
		}
		path := fmt.Sprintf("/api/v1/email-templates/%v", tpl["id"])
		if status, body := f.call(t, "marketing", "PATCH", path, `{"subject":"Hello {{nickname}}"}`); status != 422 || errorFields(body)["subject"] == nil {
			t.Errorf("unknown merge field: %d %v", status, body)
		}
		if status, body := f.call(t, "marketing", "PATCH", path, `{"name":"Hello again","version":1}`); status != 200 || body["version"] != float64(2) {
			t.Errorf("patch: %d %v", status, body)
		}
		if status, body := f.call(t, "admin", "PATCH", path, `{"name":"Stale","version":1}`); status != 409 {
			t.Errorf("stale patch: %d %v", status, body)
		}
		status, body := f.call(t, "marketing", "POST", "/api/v1/sequences", `{"name":"Bad","status":"active","steps":[{"kind":"email","template_id":999},{"kind":"wait"}]}`)
		if fields := errorFields(body); status != 422 || fields["steps.1.template_id"] == nil || fields["steps.2.days"] == nil {
			t.Errorf("bad sequence: %d %v", status, body)
		}
		status, seq := f.call(t, "marketing", "POST", "/api/v1/sequences",
			fmt.Sprintf(`{"name":"Welcome","status":"active","steps":[{"kind":"email","template_id":%v},{"kind":"wait","days":2}]}`, tpl["id"]))
		if status != 201 {
			t.Fatalf("sequence: %d %v", status, seq)
		}
		if status, body := f.call(t, "marketing", "DELETE", path, ""); status != 409 {
			t.Errorf("deleting a template a sequence sends: %d %v", status, body)
		}
		_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"nora@example.no","consent":true}`)
		enrol := fmt.Sprintf("/api/v1/leads/%v/enrolments", l["id"])
		body2 := fmt.Sprintf(`{"sequence_id":%v}`, seq["id"])
		if status, e := f.call(t, "marketing", "POST", enrol, body2); status != 201 || e["status"] != "active" || e["step"] != float64(1) {
			t.Errorf("enrol: %d %v", status, e)
		}
		if status, e := f.call(t, "marketing", "POST", enrol, body2); status != 200 {
			t.Errorf("second enrolment: %d %v; want 200 with the first", status, e)
		}
		if status, _ := f.call(t, "sales", "POST", enrol, body2); status != 403 {
			t.Errorf("sales enrolling: %d, want 403", status)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/sequences", ""); status != 403 {
			t.Errorf("sales listing sequences: %d, want 403", status)
		}
		status, rep := f.call(t, "marketing", "GET", fmt.Sprintf("/api/v1/sequences/%v/report", seq["id"]), "")
		steps, _ := rep["steps"].([]any)
		if status != 200 || len(steps) != 2 || rep["enrolments"].(map[string]any)["active"] != float64(1) {
			t.Errorf("report: %d %v", status, rep)
		}
	})
}
