package brief_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
)

// BenchmarkMatches10k is GET /api/v1/leads/{id}/matches without HTTP:
// a stored request ranked against a stored catalog of 10,000 solutions
// on SQLite, the catalog read afresh each time.
func BenchmarkMatches10k(b *testing.B) {
	db := dbtest.SQLite(b)
	ctx := context.Background()
	leads, cat := lead.NewService(db), catalog.NewService(db)
	briefs := brief.NewService(db, leads, cat)
	feats := make([]string, 60)
	for i := range feats {
		feats[i] = fmt.Sprintf("feature-%02d", i)
		if _, err := cat.SaveFeature(ctx, access.System, catalog.Feature{Key: feats[i], Name: feats[i]}); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(from []string, k int) []string {
		var out []string
		for _, i := range rng.Perm(len(from))[:k] {
			out = append(out, from[i])
		}
		return out
	}
	cats := []string{"crm", "erp", "hr", "accounting", "e-commerce", "bi"}
	rows := make([]catalog.Input, 10_000)
	for i := range rows {
		rows[i] = catalog.Input{Vendor: fmt.Sprintf("Vendor %d", i%900), Product: fmt.Sprintf("Product %d", i),
			Category: cats[rng.IntN(len(cats))], Industries: pick([]string{"retail", "software", "manufacturing", "healthcare", "logistics"}, 2),
			Deployments: pick([]string{"cloud", "desktop", "mobile", "web"}, 2), Features: pick(feats, 8+rng.IntN(20)),
			Integrations: pick([]string{"outlook", "gmail", "slack", "sap", "shopify"}, 2), Languages: pick([]string{"en", "ro", "it", "nb", "de"}, 2),
			Price: fmt.Sprint(5 + rng.IntN(100)), PricePeriod: "month", Setup: fmt.Sprint(rng.IntN(5000)), Currency: "EUR"}
	}
	if res, err := cat.Import(ctx, access.System, rows); err != nil || len(res.Rejected) > 0 {
		b.Fatalf("%v %v", err, res.Rejected)
	}
	l, err := leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "bench@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	_, err = briefs.Save(ctx, access.System, l.ID, 0, brief.Input{Industry: "retail", Category: "crm", Deployments: []string{"cloud", "web"},
		Licences: "25", Budget: "1500", Currency: "EUR", BudgetPeriod: "month", MustHave: []string{"feature-01"},
		NiceToHave: strings.Split("feature-02,feature-03,feature-04,feature-05", ","), Languages: []string{"ro", "en"}})
	if err != nil {
		b.Fatal(err)
	}
	one, _, err := cat.Solutions(ctx, catalog.Filter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	match := func(b *testing.B) {
		_, res, err := briefs.Matches(ctx, access.System, l.ID)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Ranked)), "ranked")
	}
	// The catalog unchanged since the last ranking: its parsed copy is
	// used.
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			match(b)
		}
	})
	// The first ranking of a new instance: the whole catalog is read.
	b.Run("first-on-a-new-instance", func(b *testing.B) {
		for b.Loop() {
			fresh := brief.NewService(db, leads, catalog.NewService(db))
			if _, _, err := fresh.Matches(ctx, access.System, l.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A product changed before each ranking: its row is read again, the
	// rest of the copy kept. The change itself is not timed.
	b.Run("after-a-change", func(b *testing.B) {
		in := catalog.InputOf(one[0])
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			in.Price = fmt.Sprint(10 + i%50)
			if _, err := cat.Update(ctx, access.System, one[0].ID, 0, in); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			match(b)
		}
	})
}
