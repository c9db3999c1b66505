package accountmatch_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// FindAll, which an import uses for a batch of leads at once, finds for
// each candidate what Find finds for it alone: the oldest account of a
// domain, a company name only when one account has it, the surest key
// first, and nothing for free mail.
func TestFindAllFindsWhatFindFinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		accounts := crm.NewService(db, lead.NewService(db))
		for _, in := range []crm.AccountInput{{Name: "Nordwind GmbH", Website: "nordwind.de"}, {Name: "Nordwind Two", Website: "nordwind.de"},
			{Name: "Baltic Freight"}, {Name: "Lumen SRL"}, {Name: "Lumen"}, {Name: "Acme", Website: "acme.example"}} {
			if _, err := accounts.CreateAccount(ctx, access.System, in); err != nil {
				t.Fatal(err)
			}
		}
		cands := []accountmatch.Candidate{{Email: "ute@nordwind.de"}, {Email: "li@gmail.com", Company: "Baltic Freight Ltd"},
			{Email: "a@lumen.example", Company: "Lumen"}, {Email: "x@web.de"}, {Website: "https://acme.example", Company: "Baltic Freight"},
			{Email: "eve@nordwind.de.example", Company: "Nordwind Trading"}, {Company: "Acme"}, {}}
		// A file names one company on many rows, past one query's list of
		// values: it is still one account, not two.
		for range 600 {
			cands = append(cands, accountmatch.Candidate{Email: "crew@gmail.com", Company: "Baltic Freight"})
		}
		all, ok, err := accountmatch.FindAll(ctx, db.R, cands)
		if err != nil {
			t.Fatal(err)
		}
		matched := 0
		for i, c := range cands {
			one, found, err := accountmatch.Find(ctx, db.R, c)
			if err != nil {
				t.Fatal(err)
			}
			if found != ok[i] || one != all[i] {
				t.Errorf("%+v: Find %v %+v, FindAll %v %+v", c, found, one, ok[i], all[i])
			}
			if found {
				matched++
			}
		}
		if matched != 604 { // nordwind.de, Baltic Freight (601 times), acme.example, Acme
			t.Errorf("%d of %d candidates found an account", matched, len(cands))
		}
	})
}

// Find reads every key of a lead in one query, each key on its index:
// the accounts table is never read whole, however many accounts there
// are.
func TestFindReadsEachKeyOnItsIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		keys := accountmatch.Keys(accountmatch.Candidate{Website: "https://shop.nordwind.de", Email: "ute@nordwind.de", Company: "Nordwind GmbH"})
		if len(keys) != 3 {
			t.Fatalf("keys %+v, want the shop's domain, the registrable one and the company", keys)
		}
		q, args := accountmatch.FindQuery(keys)
		var plan string
		if db.Dialect == sqldb.Postgres {
			plan = dbtest.PostgresPlan(t, db, q, args...)
		} else {
			plan = dbtest.Plan(t, db, q, args...)
		}
		if n := strings.Count(plan, "accounts_domain"); n != 2 || !strings.Contains(plan, "accounts_name_key") ||
			strings.Contains(plan, "SCAN a") || strings.Contains(plan, "Seq Scan on accounts") {
			t.Errorf("plan of Find's query:\n%s", plan)
		}
	})
}
