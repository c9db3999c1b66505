package lead

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// A rescore's save of many leads at once (one statement on SQLite, one a
// lead on PostgreSQL) moves each lead's score, grade and stage as far as
// the new score says, records each change on the timeline once, and
// leaves a lead written since it was read as that write left it.
func TestSavedScoresLeaveLeadsWrittenMeanwhile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := NewService(db)
		rules := scoring.Defaults()
		var ids []int64
		for i := range 4 {
			l, err := svc.Create(ctx, access.System, Changes{FEmail: fmt.Sprintf("s%d@acme.io", i)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		leads, _, err := factsOf(rules).read(ctx, db.R, 0, math.MaxInt64)
		if err != nil || len(leads) != 4 {
			t.Fatalf("read %d leads: %v", len(leads), err)
		}
		// Each kind of save: the stage too (reaches MQL), the grade too,
		// the score alone; and a lead edited after the read.
		scores := []int{rules.MQL + 20, rules.Warm + 1, leads[2].Score + 1, rules.Hot + 5}
		var batch []scored
		for i, l := range leads {
			batch = append(batch, scored{lead: l, res: scoring.Result{Score: scores[i], Grade: rules.Grade(scores[i])}})
		}
		if _, err := svc.Update(ctx, access.System, ids[3], Changes{FJobTitle: "Clerk"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var changed int64
		err = db.InTx(ctx, func(tx *sqldb.Tx) (err error) {
			changed, err = storeScores(ctx, tx, batch, rules, "rules changed", now)
			return err
		})
		if err != nil || changed != 3 {
			t.Fatalf("saved %d scores (%v), want 3", changed, err)
		}
		for i, id := range ids {
			l, err := getLead(ctx, db.R, id)
			if err != nil {
				t.Fatal(err)
			}
			wantScore, wantStage := scores[i], leads[i].Stage
			if i == 0 {
				wantStage = MQL
			}
			if i == 3 {
				wantScore = leads[3].Score
			}
			if l.Score != wantScore || l.Stage != wantStage || (i < 3 && string(l.Grade) != rules.Grade(wantScore)) {
				t.Errorf("lead %d: score %d %s %s, want %d %s", i, l.Score, l.Grade, l.Stage, wantScore, wantStage)
			}
			var entries int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_changes WHERE lead_id = ? AND reason LIKE ?`, id, "%"+"rules changed"+"%").Scan(&entries); err != nil {
				t.Fatal(err)
			}
			want := []int{1, 1, 1, 0}[i]
			var staged int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_changes WHERE lead_id = ? AND kind = ? AND at = ?`, id, KindStage, now.UnixMilli()).Scan(&staged); err != nil {
				t.Fatal(err)
			}
			if entries != want || staged != []int{1, 0, 0, 0}[i] {
				t.Errorf("lead %d: %d score entries and %d stage entries of the rescore, want %d and %d", i, entries, staged, want, []int{1, 0, 0, 0}[i])
			}
		}
	})
}
