package nurture_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
)

// BenchmarkEmailStep times one email step for every enrolled lead: each
// enrolment is locked, checked (stage, suppression, consent), its email
// rendered with signed links and queued in the outbox with its job, and
// the enrolment moved on. Delivery is not included (no runner). Size:
// LEADFLOW_BENCH_ENROLMENTS leads (default 10,000); run it with
//
//	LEADFLOW_BENCH_ENROLMENTS=100000 go test -run '^$' -bench EmailStep -benchtime 1x ./internal/nurture/
func BenchmarkEmailStep(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_ENROLMENTS")); err == nil && v > 0 {
		n = v
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var db *sqldb.DB
			if dialect == "sqlite" {
				db = dbtest.SQLite(b)
			} else {
				db = dbtest.Postgres(b)
			}
			benchEmailStep(b, db, n)
		})
	}
}

func benchEmailStep(b *testing.B, db *sqldb.DB, n int) {
	ctx := context.Background()
	if err := (bench.Data{Seed: 1, Now: time.Now()}).InsertLeads(ctx, db, n, 5000, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `UPDATE leads SET consent = TRUE, stage = 'lead'`); err != nil {
		b.Fatal(err)
	}
	leads := lead.NewService(db)
	svc := nurture.NewService(db, leads, mail.NewOutbox(db, mail.Config{Host: "127.0.0.1", From: "news@acme.example",
		BaseURL: "https://crm.acme.example"}), tracking.NewService(db))
	tpl, err := svc.SaveTemplate(ctx, marketer, mailtmpl.Template{Name: "News", Subject: "News for {{company}}",
		HTML: `<p>Hello {{first_name|there}}, read <a href="https://acme.example/news">the news</a>.</p>`})
	if err != nil {
		b.Fatal(err)
	}
	seq, err := svc.SaveSequence(ctx, marketer, nurture.Sequence{Name: "News", Status: nurture.Active,
		Steps: []nurture.Step{{Kind: nurture.StepEmail, TemplateID: tpl.ID}, {Kind: nurture.StepWait, Days: 7}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `INSERT INTO enrolments (sequence_id, lead_id, status, step, next_at, enrolled_at)
		SELECT ?, id, 'active', 0, 0, 0 FROM leads`, seq.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for _, q := range []string{`DELETE FROM jobs`, `DELETE FROM mail_outbox`, `UPDATE enrolments SET step = 0, next_at = 0`} {
			if _, err := db.W.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		moved, err := svc.RunDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if moved != n {
			b.Fatalf("%d enrolments moved, want %d", moved, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "enrolments/s")
}
