package webhook_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/webhook"
)

// benchDBs runs fn on SQLite and, when configured, PostgreSQL.
func benchDBs(b *testing.B, fn func(b *testing.B, db *sqldb.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

// BenchmarkIntakeWithWebhook is lead intake (as BenchmarkIntake in
// internal/lead) with no subscription, where the triggers write nothing,
// and with one active subscription, where each intake also writes its
// webhook_events rows: the cost a change pays for webhooks.
func BenchmarkIntakeWithWebhook(b *testing.B) {
	for _, subscribed := range []bool{false, true} {
		b.Run(fmt.Sprintf("subscribed=%v", subscribed), func(b *testing.B) {
			benchDBs(b, func(b *testing.B, db *sqldb.DB) {
				ctx := context.Background()
				leads := lead.NewService(db)
				if subscribed {
					url := "https://hooks.example.invalid/"
					if _, err := webhook.NewService(db, leads).Create(ctx, access.System, webhook.Patch{URL: &url, Events: []string{"lead.created"}}); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					_, err := leads.Intake(ctx, lead.Incoming{
						Changes: lead.Changes{"email": fmt.Sprintf("p%d@corp.example", i), "first_name": "Ana", "company": "Corp",
							"job_title": "CTO", "country": "RO", "employees": "120", "source": "form"},
						Origin: lead.Origin{Channel: "form", Reason: "form", EventType: "form_submit", URL: "https://corp.example/demo"},
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
			})
		})
	}
}

// BenchmarkDispatch turns waiting lead.created events into deliveries
// (payload with the lead, delivery row, delivery job) for one
// subscription: events/s is the dispatch job's rate.
func BenchmarkDispatch(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		hooks := webhook.NewService(db, leads)
		url := "https://hooks.example.invalid/"
		if _, err := hooks.Create(ctx, access.System, webhook.Patch{URL: &url, Events: []string{"lead.created"}}); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if _, err := leads.Create(ctx, access.System, lead.Changes{lead.FEmail: fmt.Sprintf("d%d@corp.example", i), lead.FCompany: "Corp"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		if err := hooks.Dispatch(ctx, job.Job{}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
