package lead_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
)

// TestExportIsAuditedAsAsked: the audit log keeps an export's dates as
// the user gave them, and only whether there was a search.
func TestExportIsAuditedAsAsked(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	f, err := lead.ParseFilter(url.Values{"created_from": {"2026-01-01"}, "created_to": {"2026-01-31"}, "q": {"pat.doe"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := lead.NewService(db).RecordExport(ctx, access.System, f, 7); err != nil {
		t.Fatal(err)
	}
	var detail string
	if err := db.R.QueryRow(ctx, `SELECT detail FROM audit_log WHERE action = 'lead.export'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"created_from":"2026-01-01"`, `"created_to":"2026-01-31"`, `"rows":7`, `"search":true`} {
		if !strings.Contains(detail, want) {
			t.Errorf("export detail %s lacks %s", detail, want)
		}
	}
	if strings.Contains(detail, "pat.doe") {
		t.Errorf("export detail %s keeps the search text", detail)
	}
}
