package lead_test

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// A rescore spans several chunks and, on SQLite, several chunks a
// transaction: every lead is scored once, every change is on the
// timeline, and the stored score is the one the explanation gives.
func TestRescoreAcrossChunks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const n = 4500 // three chunks of 2,000 or fewer
		d := bench.Data{Seed: 3, Now: time.Now()}
		if err := d.InsertLeads(ctx, db, n, 1000, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.InsertEvents(ctx, db, 4*n, n, 5000, nil); err != nil {
			t.Fatal(err)
		}
		svc := lead.NewService(db)
		now := time.Now()
		svc.SetClock(func() time.Time { return now }) // the second rescore sees the same decay
		var calls int
		p, err := svc.RescoreAll(ctx, "rules changed", func(lead.RescoreProgress) { calls++ })
		if err != nil || p.Done != n || p.Total != n || p.Changed == 0 || calls == 0 {
			t.Fatalf("rescore: %+v, %d progress calls, %v", p, calls, err)
		}
		var logged int64
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_changes WHERE kind = ? AND reason = ?`, lead.KindScore, "rules changed").Scan(&logged); err != nil {
			t.Fatal(err)
		}
		if logged != p.Changed {
			t.Errorf("%d score changes on the timeline, %d scores changed", logged, p.Changed)
		}
		admin := access.Actor{Role: access.Admin}
		for _, id := range []int64{1, 2000, 2001, 4000, n} {
			l, err := svc.Get(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			exp, _, err := svc.Explain(ctx, id, now)
			if err != nil || exp.Score != l.Score {
				t.Errorf("lead %d: stored %d, explained %d (%v)", id, l.Score, exp.Score, err)
			}
		}
		again, err := svc.RescoreAll(ctx, "again", nil)
		if err != nil || again.Changed != 0 {
			t.Errorf("a second rescore changed %d scores (%v)", again.Changed, err)
		}
	})
}
