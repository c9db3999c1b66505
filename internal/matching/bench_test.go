package matching

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// synthetic makes n solutions spread over categories, features,
// deployments, industries and prices, as a large catalog would be.
func synthetic(n int) []Solution {
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []string{"crm", "erp", "hr", "accounting", "e-commerce", "bi"}
	feats := make([]string, 60)
	for i := range feats {
		feats[i] = fmt.Sprintf("feature-%02d", i)
	}
	inds := []string{"retail", "software", "manufacturing", "healthcare", "logistics", "education", "energy"}
	ints := []string{"outlook", "gmail", "slack", "sap", "shopify", "stripe", "quickbooks", "teams"}
	langs := []string{"en", "ro", "it", "nb", "de", "fr", "es"}
	pick := func(from []string, k int) []string {
		out := make([]string, 0, k)
		for _, i := range rng.Perm(len(from))[:k] {
			out = append(out, from[i])
		}
		return out
	}
	out := make([]Solution, n)
	for i := range out {
		out[i] = Solution{ID: int64(i + 1), Vendor: fmt.Sprintf("Vendor %d", i%900), Product: fmt.Sprintf("Product %d", i),
			Category: cats[rng.IntN(len(cats))], Industries: pick(inds, 1+rng.IntN(3)),
			Deployments: pick(Deployments, 1+rng.IntN(3)), Features: pick(feats, 8+rng.IntN(20)),
			Integrations: pick(ints, rng.IntN(5)), Languages: pick(langs, 1+rng.IntN(4)),
			Price: int64(500 + rng.IntN(10000)), PricePeriod: Month, Setup: int64(rng.IntN(500000)), Currency: "EUR",
			MinLicences: rng.IntN(10), MaxLicences: []int{0, 50, 500}[rng.IntN(3)]}
	}
	return out
}

// BenchmarkRank10k ranks one request with must-haves, nice-to-haves, an
// integration, a language and a budget against 10,000 solutions.
func BenchmarkRank10k(b *testing.B) {
	sols := synthetic(10_000)
	req := Request{Industry: "retail", Category: "crm", Deployments: []string{"cloud", "web"}, Licences: 25,
		Budget: 150000, Currency: "EUR", BudgetPeriod: Month, MustHave: []string{"feature-01"},
		NiceToHave: []string{"feature-02", "feature-03", "feature-04", "feature-05"}, Languages: []string{"ro", "en"}}
	cfg := DefaultConfig()
	b.ReportAllocs()
	var ranked int
	for b.Loop() {
		ranked = len(Rank(req, sols, cfg).Ranked)
	}
	b.ReportMetric(float64(ranked), "ranked")
}
