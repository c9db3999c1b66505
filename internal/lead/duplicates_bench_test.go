package lead_test

import (
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fixture"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// BenchmarkProbableDuplicates times the first page of the review queue,
// which reads every lead's identifying fields, finds the candidate pairs
// and scores them, over LEADFLOW_BENCH_LEADS leads (default 100,000) on
// SQLite. The leads mix the Febrl data set's names, streets and cities at
// random; one in ten copies an earlier lead with a letter of the surname
// changed:
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench ProbableDuplicates -benchtime 2x -benchmem ./internal/lead
func BenchmarkProbableDuplicates(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_LEADS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := dbtest.SQLite(b)
	if err := insertPeople(ctx, b, db, n); err != nil {
		b.Fatal(err)
	}
	svc := lead.NewService(db)
	admin := access.Actor{ID: 1, Role: access.Admin}
	b.ResetTimer()
	total := 0
	for b.Loop() {
		p, err := svc.ProbableDuplicates(ctx, admin, lead.DuplicateQuery{})
		if err != nil {
			b.Fatal(err)
		}
		total = p.Total
	}
	b.ReportMetric(float64(total), "pairs")
}

// insertPeople inserts n leads straight through the driver.
func insertPeople(ctx context.Context, b *testing.B, db *sqldb.DB, n int) error {
	f, err := os.Open(fixture.Path(b, "febrl/dataset2.csv", "../identity/testdata/dataset2.csv"))
	if err != nil {
		return err
	}
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	f.Close()
	if err != nil {
		return err
	}
	rows = rows[1:]
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(col int) string {
		for {
			if v := rows[rng.IntN(len(rows))][col]; v != "" {
				return v
			}
		}
	}
	type person struct{ first, last, city, phone string }
	var made []person
	const batch = 5000
	for from := 0; from < n; from += batch {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				p := person{pick(1), pick(2), pick(6), "+61" + strconv.Itoa(400000000+rng.IntN(99999999))}
				if i > 0 && rng.IntN(10) == 0 {
					p = made[rng.IntN(len(made))]
					if l := []byte(p.last); len(l) > 2 {
						l[rng.IntN(len(l))] = byte('a' + rng.IntN(26))
						p.last = string(l)
					}
				}
				made = append(made, p)
				if _, err := tx.Exec(ctx, `INSERT INTO leads (email, first_name, last_name, city, phone, stage, score, grade, created_at, updated_at)
					VALUES ('', ?, ?, ?, ?, 'lead', 0, 'cold', 0, 0)`, p.first, p.last, p.city, p.phone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
