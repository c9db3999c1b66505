package predict

import (
	"context"
	"fmt"
	"math"
	"strconv"
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

// TestScoreAllGivesEveryLeadItsProbability: after scoring, each lead
// reads the probability the model gives it; a second model's scoring
// replaces the first's; a deleted lead takes its probability with it,
// and one deleted between reading and writing is passed over.
func TestScoreAllGivesEveryLeadItsProbability(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		var ids []int64
		for i, ind := range []string{"Software", "Retail", "Education", "Select", "Software"} {
			l, err := leads.Create(ctx, access.System, lead.Changes{"email": fmt.Sprintf("p%d@corp.example", i),
				"industry": ind, "employees": strconv.Itoa(10 * (i + 1)), "country": "RO"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		s := NewService(db, leads)
		for seed, id := range []int64{1, 2} {
			m, _, err := Train(team(3000, int64(seed+5)), now)
			if err != nil {
				t.Fatal(err)
			}
			m.Ready()
			if _, err := db.W.Exec(ctx, `INSERT INTO prediction_models (id, model, metrics, closed, conversions, auc, active, created_at)
				VALUES (?, '{}', '{}', 0, 0, 0, TRUE, 0)`, id); err != nil {
				t.Fatal(err)
			}
			if n, err := s.ScoreAll(ctx, id, m); err != nil || n != int64(len(ids)) {
				t.Fatalf("model %d scored %d leads: %v", id, n, err)
			}
			rows, err := s.readChunk(ctx, ids[0], ids[len(ids)-1]+1)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				l, err := leads.Get(ctx, access.System, r.x.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := math.Round(m.Probability(r.x, s.now())*10000) / 10000
				if l.Probability == nil || math.Abs(*l.Probability-want) > 1e-9 {
					t.Errorf("model %d: lead %d reads %v, the model gives %v", id, r.x.ID, l.Probability, want)
				}
			}
			if _, err := db.W.Exec(ctx, `UPDATE prediction_models SET active = FALSE`); err != nil {
				t.Fatal(err)
			}
		}
		if err := leads.Delete(ctx, access.System, ids[0]); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_probabilities`).Scan(&n); err != nil || n != len(ids)-1 {
			t.Errorf("%d probabilities after a lead's deletion, want %d: %v", n, len(ids)-1, err)
		}
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			return writeProbabilities(ctx, tx, []int64{ids[0], ids[1]}, []int64{4200, 4300})
		})
		if err != nil {
			t.Fatalf("writing a deleted lead's probability: %v", err)
		}
		if l, err := leads.Get(ctx, access.System, ids[1]); err != nil || l.Probability == nil || *l.Probability != 0.43 {
			t.Errorf("lead beside a deleted one: %v, %v", l.Probability, err)
		}
	})
}
