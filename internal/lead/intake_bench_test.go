package lead_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
)

// BenchmarkIntake takes in new leads one at a time, as form submissions
// arrive, on SQLite: validation, de-duplication, the lead, its timeline
// entry and event, scoring and assignment.
func BenchmarkIntake(b *testing.B) {
	svc := lead.NewService(dbtest.SQLite(b))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := svc.Intake(ctx, lead.Incoming{
			Changes: lead.Changes{"email": fmt.Sprintf("p%d@corp.example", i), "first_name": "Ana", "company": "Corp",
				"job_title": "CTO", "country": "RO", "employees": "120", "source": "form"},
			Origin: lead.Origin{Channel: "form", Reason: "form", EventType: "form_submit", URL: "https://corp.example/demo"},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}
