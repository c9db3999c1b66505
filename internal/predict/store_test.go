package predict

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// TestReadsWhatScoringReads: the model reads a lead's fields as the
// scoring rules do (lead.Values), though it reads a million of them with
// a narrower query.
func TestReadsWhatScoringReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		l, err := leads.Create(ctx, access.System, lead.Changes{"email": "ana@gmail.com", "company": "Orbit", "job_title": "CTO",
			"employees": "120", "industry": "Software", "country": "RO", "city": "Cluj", "website": "https://orbit.example",
			"existing_customer": "true", "consent": "true", "source": "web", "utm_source": "google", "utm_medium": "cpc",
			"utm_campaign": "spring", "custom.budget": "10k-50k", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		s := NewService(db, leads)
		rows, err := s.readChunk(ctx, l.ID, l.ID+1)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		want := l.Values()
		for _, f := range append(append([]string{"custom.budget", "email", "stage"}, Fields...), scoring.Fields...) {
			if f == "free_email" || f == "email_domain" {
				continue // derived from the email by scoring
			}
			if got := rows[0].x.Facts[f]; got != want[f] {
				t.Errorf("%s: model reads %q, scoring %q", f, got, want[f])
			}
		}
		if rows[0].stage != lead.MQL || !rows[0].x.CreatedAt.Equal(l.CreatedAt) {
			t.Errorf("stage %s, created %s", rows[0].stage, rows[0].x.CreatedAt)
		}
	})
}

// TestScheduledTrainingWaits: the daily job on too little history is
// not a failure (nothing to learn yet), while a person asking is told
// how much there is.
func TestScheduledTrainingWaits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := NewService(db, lead.NewService(db))
		if err := s.RunJob(ctx, job.Job{Kind: TrainJob}); err != nil {
			t.Errorf("scheduled training without history: %v", err)
		}
		_, err := s.Train(ctx, access.Actor{ID: 1, Email: "mia@example.com", Role: access.Marketing})
		if e := fault.As(err); e == nil || e.Code != fault.Invalid || !strings.Contains(e.Message, "there are 0 closed leads") {
			t.Errorf("training without history: %v", err)
		}
		if _, err := s.Train(ctx, access.Actor{ID: 2, Role: access.Sales}); fault.As(err) == nil || fault.As(err).Code != fault.Forbidden {
			t.Errorf("sales training: %v", err)
		}
		if _, err := s.Active(ctx); err != ErrNoModel {
			t.Errorf("active model before any: %v", err)
		}
	})
}
