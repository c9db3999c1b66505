package lead_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/identity"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// The full pairs run, reading the keys a block at a time, finds the same
// candidate pairs and the same probable duplicates with the same scores as
// identity finds on the same records in memory: a pair that shares
// several keys is compared once, a key shared by more than MaxBlock leads
// brings no pair, a pair a reviewer dismissed is not stored again, and
// the pairs stored by the last run are brought up to date, read a few at
// a time, the new ones stored a few at a time among them. So does the run
// over its memory budget, through files it leaves none of.
func TestRebuildFindsWhatIdentityFinds(t *testing.T) {
	t.Cleanup(lead.SetStoredPairsPage(7))
	t.Cleanup(lead.SetNewPairsBatch(3))
	t.Run("in memory", func(t *testing.T) { testRebuildFindsWhatIdentityFinds(t, 0) })
	t.Run("through files", func(t *testing.T) { testRebuildFindsWhatIdentityFinds(t, 1) })
}

func testRebuildFindsWhatIdentityFinds(t *testing.T, budget int64) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() {
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("the runs left %d files in the temporary directory", len(left))
		}
	})
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		if err := insertPeople(ctx, t, db, 3000); err != nil {
			t.Fatal(err)
		}
		// 70 namesakes: their names' key is shared too widely to say
		// anything; two in one city still meet through the city's key.
		for i := range 70 {
			if _, err := db.W.Exec(ctx, `INSERT INTO leads (email, first_name, last_name, city, phone, stage, score, grade, created_at, updated_at)
				VALUES ('', 'Zoltan', 'Quiggly', ?, '', 'lead', 0, 'cold', 0, 0)`, fmt.Sprint("Town ", i%69)); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := records(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		want := identity.Default.Find(recs)
		candidates := len(identity.CandidatePairs(recs, identity.Default.MaxBlock))

		svc := lead.NewService(db)
		svc.PairsMemory = budget
		st, err := svc.RebuildPairs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if spilled := st.Parts > 1; spilled != (budget > 0) {
			t.Fatalf("budget %d bytes: the run went through %d files", budget, st.Parts)
		}
		if st.Candidates != candidates || st.Matches != len(want) || len(want) < 100 {
			t.Fatalf("the run compared %d pairs and stored %d; identity compares %d and finds %d", st.Candidates, st.Matches, candidates, len(want))
		}
		if got := storedPairs(ctx, t, db); !slices.Equal(got, triples(want)) {
			t.Fatalf("stored pairs differ from identity's: %d stored, %d found", len(got), len(want))
		}
		if err := svc.Dismiss(ctx, tm.marketing, want[0].A, want[0].B); err != nil {
			t.Fatal(err)
		}
		if st, err = svc.RebuildPairs(ctx); err != nil || st.Matches != len(want)-1 {
			t.Fatalf("after one dismissal: %+v %v", st, err)
		}
		if got := storedPairs(ctx, t, db); !slices.Equal(got, triples(want[1:])) {
			t.Errorf("after one dismissal, %d pairs stored; want the %d others", len(got), len(want)-1)
		}

		// Written behind the service's back (the keys unchanged): first
		// names that sound the same but score otherwise, look-alikes in two
		// countries, and a stored score gone wrong. The next run stores what identity finds now.
		for _, m := range want[1:20] {
			if _, err := db.W.Exec(ctx, `UPDATE leads SET first_name = first_name || 'eau' WHERE id = ?`, m.B); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range want[len(want)-5:] { // the lowest scores: no longer pairs in two countries
			if _, err := db.W.Exec(ctx, `UPDATE leads SET country = CASE WHEN id = ? THEN 'RO' ELSE 'AU' END WHERE id IN (?, ?)`, m.A, m.A, m.B); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.W.Exec(ctx, `UPDATE duplicate_pairs SET score = 0.5 WHERE lead_a = ? AND lead_b = ?`, want[30].A, want[30].B); err != nil {
			t.Fatal(err)
		}
		// A third of the pairs lost: the run finds them anew between the
		// stored ones, and stores them a few at a time as it walks those.
		if _, err := db.W.Exec(ctx, `DELETE FROM duplicate_pairs WHERE (lead_a + lead_b) % 3 = 0`); err != nil {
			t.Fatal(err)
		}
		if recs, err = records(ctx, db); err != nil {
			t.Fatal(err)
		}
		now := slices.DeleteFunc(identity.Default.Find(recs), func(m identity.Match) bool { return m.A == want[0].A && m.B == want[0].B })
		if slices.Equal(triples(now), triples(want[1:])) {
			t.Fatal("the changes changed no pair")
		}
		// An hour on: a run keeps the pairs found in the minutes before
		// it began, which it may not have seen.
		svc.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
		if st, err = svc.RebuildPairs(ctx); err != nil || st.Matches != len(now) {
			t.Fatalf("after the changes: %+v %v, want %d pairs", st, err, len(now))
		}
		if got := storedPairs(ctx, t, db); !slices.Equal(got, triples(now)) {
			t.Errorf("after the changes, %d pairs stored; identity finds %d", len(got), len(now))
		}
	})
}

// The README's promise for --pairs-memory: the default holds some
// 165,000 leads (four keys each, as the bench's leads have) in memory at
// once, and a run over more goes through files.
func TestDefaultPairsBudget(t *testing.T) {
	if !lead.DefaultBudgetHolds(160_000, 4*160_000) {
		t.Error("160,000 leads do not fit in the default budget")
	}
	if lead.DefaultBudgetHolds(200_000, 4*200_000) {
		t.Error("200,000 leads fit in the default budget")
	}
}

func records(ctx context.Context, db *sqldb.DB) ([]identity.Record, error) {
	rows, err := db.R.Query(ctx, `SELECT id, first_name, last_name, city, phone, country FROM leads ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Record
	for rows.Next() {
		var r identity.Record
		if err := rows.Scan(&r.ID, &r.FirstName, &r.LastName, &r.City, &r.Phone, &r.Country); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

type triple struct {
	a, b  int64
	score float64
}

func triples(ms []identity.Match) []triple {
	out := make([]triple, len(ms))
	for i, m := range ms {
		out[i] = triple{m.A, m.B, m.Score}
	}
	slices.SortFunc(out, func(x, y triple) int { return int(x.a-y.a)*1e6 + int(x.b-y.b) })
	return out
}

func storedPairs(ctx context.Context, t *testing.T, db *sqldb.DB) []triple {
	rows, err := db.R.Query(ctx, `SELECT lead_a, lead_b, score FROM duplicate_pairs ORDER BY lead_a, lead_b`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []triple
	for rows.Next() {
		var p triple
		if err := rows.Scan(&p.a, &p.b, &p.score); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}
