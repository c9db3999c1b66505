package lead_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/accountmatch"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// seedAccounts stores n accounts, company%d with the domain
// company%d.example, in batches.
func seedAccounts(b *testing.B, db *sqldb.DB, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 500
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		for from := 0; from < n; from += batch {
			var rows []string
			var args []any
			for i := from; i < min(from+batch, n); i++ {
				name := fmt.Sprintf("Company%d GmbH", i)
				rows = append(rows, "(?, ?, ?, ?, 1, 1, ?, '')")
				args = append(args, name, accountmatch.NameKey(name), fmt.Sprintf("company%d.example", i),
					fmt.Sprintf("https://company%d.example", i), sortkey.Of(name))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO accounts (name, name_key, domain, website, created_at, updated_at, name_sort, industry_sort)
				VALUES `+strings.Join(rows, ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAccountLink measures linking a lead to its account among
// 100,000 accounts: the lookup alone, at its longest (three domains
// tried in vain before the company name finds the account), and whole
// intakes of a lead that links and of one that does not, whose
// difference is what the link adds to an intake.
func BenchmarkAccountLink(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			seedAccounts(b, db, 100_000)
			ctx := context.Background()
			svc := lead.NewService(db)
			b.Run("find", func(b *testing.B) {
				c := accountmatch.Candidate{Email: "ana@eu.sales.nomatch.example", Company: "Company77777 AG"}
				for b.Loop() {
					if _, ok, err := accountmatch.Find(ctx, db.R, c); err != nil || !ok {
						b.Fatal(ok, err)
					}
				}
			})
			// Each round takes one lead that links and one that does not,
			// so that both meet tables of the same size.
			b.Run("intake", func(b *testing.B) {
				var spent [2]time.Duration
				i := 0
				for b.Loop() {
					i++
					for k, domain := range []string{fmt.Sprintf("company%d.example", i*7919%100_000), fmt.Sprintf("other%d.example", i)} {
						start := time.Now()
						res, err := svc.Intake(ctx, lead.Incoming{
							Changes: lead.Changes{"email": fmt.Sprintf("p%d@%s", i, domain), "first_name": "Ana",
								"job_title": "CTO", "country": "RO", "employees": "120", "source": "form"},
							Origin: lead.Origin{Channel: "form", Reason: "form", EventType: "form_submit"},
						})
						spent[k] += time.Since(start)
						if err != nil || !res.Created {
							b.Fatal(res.Created, err)
						}
					}
				}
				n := float64(b.N)
				b.ReportMetric(float64(spent[0].Microseconds())/n, "linked-µs")
				b.ReportMetric(float64(spent[1].Microseconds())/n, "unlinked-µs")
				b.ReportMetric(float64((spent[0]-spent[1]).Microseconds())/n, "link-µs")
			})
		})
	}
}
