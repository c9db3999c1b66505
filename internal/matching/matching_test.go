package matching

import (
	"fmt"
	"strings"
	"testing"
)

// catalog is a small hand-built catalog of CRMs priced in euro cents.
func catalog() []Solution {
	return []Solution{
		{ID: 1, Vendor: "Orbit", Product: "Orbit CRM", Category: "crm", Industries: []string{"retail", "software"},
			Deployments: []string{"cloud", "web"}, Features: []string{"contacts", "pipeline", "email-sync", "reports"},
			Integrations: []string{"outlook", "mailchimp"}, Languages: []string{"en", "ro"},
			Price: 2000, PricePeriod: Month, Setup: 50000, Currency: "EUR", MinLicences: 5, MaxLicences: 500},
		{ID: 2, Vendor: "Fjord", Product: "Fjord Sales", Category: "crm", Industries: []string{"manufacturing"},
			Deployments: []string{"desktop"}, Features: []string{"contacts", "pipeline", "reports"},
			Integrations: []string{"outlook"}, Languages: []string{"en", "nb"},
			Price: 15000, PricePeriod: Year, Currency: "EUR"},
		{ID: 3, Vendor: "Ledger", Product: "Ledger Books", Category: "accounting", Industries: []string{"retail"},
			Deployments: []string{"cloud"}, Features: []string{"invoices", "reports"}, Languages: []string{"en"},
			Price: 1000, PricePeriod: Month, Currency: "EUR"},
		{ID: 4, Vendor: "Kite", Product: "Kite CRM", Category: "crm", Industries: []string{"retail"},
			Deployments: []string{"cloud", "mobile"}, Features: []string{"contacts", "pipeline", "email-sync"},
			Integrations: []string{"mailchimp"}, Languages: []string{"en", "it"},
			Price: 3000, PricePeriod: Month, Currency: "EUR", MaxLicences: 20},
	}
}

func byID(ms []Match) string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, fmt.Sprint(m.Solution.ID))
	}
	return strings.Join(ids, ",")
}

// A retail shop wants a cloud CRM with contacts and a pipeline, for 10
// people, synced with Outlook: the accounting product is the wrong
// category, Fjord is desktop only and Kite has no Outlook integration,
// and each says so.
func TestHardFiltersNameTheExcludingCriterion(t *testing.T) {
	req := Request{Industry: "retail", Category: "crm", Deployments: []string{"cloud", "web"}, Licences: 10,
		MustHave: []string{"contacts", "pipeline"}, Integrations: []string{"outlook"}}
	res := Rank(req, catalog(), DefaultConfig())
	if got := byID(res.Ranked); got != "1" {
		t.Fatalf("ranked %s, want only Orbit (1)", got)
	}
	want := map[int64]string{
		2: "Deployment: not available as cloud or web",
		3: "Category: another category",
		4: "Integrations: lacks outlook",
	}
	for _, m := range res.Excluded {
		if m.Reason() != want[m.Solution.ID] {
			t.Errorf("%s excluded for %q, want %q", m.Solution.Product, m.Reason(), want[m.Solution.ID])
		}
		delete(want, m.Solution.ID)
	}
	if len(want) != 0 {
		t.Errorf("not excluded: %v", want)
	}
}

// A must-have feature a product lacks excludes it, naming the feature.
func TestMustHaveExcludes(t *testing.T) {
	req := Request{Category: "crm", MustHave: []string{"contacts", "email-sync"}, Licences: 3}
	res := Rank(req, catalog(), DefaultConfig())
	if got := byID(res.Ranked); got != "4,1" && got != "1,4" {
		t.Fatalf("ranked %s", got)
	}
	for _, m := range res.Excluded {
		if m.Solution.ID == 2 && m.Reason() != "Must-have features: lacks email-sync" {
			t.Errorf("Fjord excluded for %q", m.Reason())
		}
	}
}

func TestCost(t *testing.T) {
	s := catalog()
	cases := []struct {
		sol            Solution
		licences, mths int
		want           int64
	}{
		{s[0], 10, 12, 50000 + 10*2000*12}, // setup + monthly
		{s[0], 2, 12, 50000 + 5*2000*12},   // raised to the minimum of 5
		{s[1], 4, 12, 4 * 15000},           // yearly, one year
		{s[1], 4, 14, 4 * 15000 * 2},       // 14 months are two paid years
	}
	for _, c := range cases {
		if got := Cost(c.sol, c.licences, c.mths); got != c.want {
			t.Errorf("%s for %d licences over %d months: %d, want %d", c.sol.Product, c.licences, c.mths, got, c.want)
		}
	}
}

// The budget criterion: full points within the budget, a share of them
// over it within the tolerance, none at the tolerance's edge and beyond.
func TestBudgetToleranceEdges(t *testing.T) {
	sol := Solution{ID: 1, Product: "P", Category: "crm", Price: 1000, PricePeriod: Month, Currency: "EUR"}
	// 10 licences × 10.00 × 12 months = 1,200.00 EUR.
	cases := []struct {
		budget int64 // monthly, cents
		points float64
		note   string
	}{
		{10000, 30, "1,200 EUR over 12 months, within the budget of 1,200"},
		{20000, 30, "within the budget of 2,400"},
		{9500, 0.0, "5% over the budget of 1,140, within the tolerance"},
		{9090, 0.0, "over the budget of"},
		{5000, 0, "100% over the budget of 600"},
	}
	for _, c := range cases {
		req := Request{Category: "crm", Licences: 10, Budget: c.budget, Currency: "EUR", BudgetPeriod: Month}
		res := Rank(req, []Solution{sol}, DefaultConfig())
		cell := res.Ranked[0].Cell(Budget)
		if !strings.Contains(cell.Note(), c.note) {
			t.Errorf("budget %d/month: note %q, want it to say %q", c.budget, cell.Note(), c.note)
		}
		switch c.budget {
		case 9500: // 1,140 against 1,200: 5.26% over of a 10% tolerance
			if cell.Points <= 0 || cell.Points >= 30 {
				t.Errorf("5%% over: %v points, want some of 30", cell.Points)
			}
		case 9090: // 1,090.80: 10.01% over, just past the tolerance
			if cell.Points != 0 {
				t.Errorf("just past the tolerance: %v points", cell.Points)
			}
		default:
			if cell.Points != c.points {
				t.Errorf("budget %d/month: %v points, want %v", c.budget, cell.Points, c.points)
			}
		}
	}
	// Exactly at the tolerance's edge: 1,200 is 20% over 1,000 with a
	// 20% tolerance, and earns nothing.
	cfg := DefaultConfig()
	cfg.Tolerance = 0.2
	req := Request{Category: "crm", Licences: 10, Budget: 100000, Currency: "EUR", BudgetPeriod: Once}
	if p := Rank(req, []Solution{sol}, cfg).Ranked[0].Cell(Budget).Points; p != 0 {
		t.Errorf("at the tolerance's edge: %v points", p)
	}
	// Another currency is not compared.
	req = Request{Category: "crm", Licences: 10, Budget: 10_000_000, Currency: "NOK", BudgetPeriod: Once}
	cell := Rank(req, []Solution{sol}, DefaultConfig()).Ranked[0].Cell(Budget)
	if cell.Points != 0 || !strings.Contains(cell.Note(), "not comparable with a budget in NOK") {
		t.Errorf("budget in NOK: %v points, %q", cell.Points, cell.Note())
	}
}

// Scores: each criterion's share of the weights; what is not asked is
// not counted.
func TestScoreFromWeights(t *testing.T) {
	req := Request{Industry: "retail", Category: "crm", Licences: 10,
		NiceToHave: []string{"email-sync", "reports"}, Languages: []string{"ro"}}
	res := Rank(req, catalog(), DefaultConfig())
	// Orbit: both nice-to-haves (35), retail (15), Romanian (10), 10 in
	// 5–500 (10): 70 of 70 asked (no budget given) = 100.
	// Kite: 1 of 2 (17.5), retail (15), no Romanian (0), 10 in 1–20
	// (10): 42.5 of 70 = 60.7 → 61.
	// Fjord: reports (17.5), no retail, no Romanian, fits (10): 27.5/70 = 39.
	if got := byID(res.Ranked); got != "1,4,2" {
		t.Fatalf("ranked %s", got)
	}
	scores := []int{res.Ranked[0].Score, res.Ranked[1].Score, res.Ranked[2].Score}
	if fmt.Sprint(scores) != "[100 61 39]" {
		t.Errorf("scores %v, want [100 61 39]", scores)
	}
	if n := res.Ranked[1].Cell(NiceToHave).Note(); n != "has 1 of 2; lacks reports" {
		t.Errorf("Kite's nice-to-haves: %q", n)
	}
	if n := res.Ranked[1].Cell(Language).Note(); n != "in none of ro" {
		t.Errorf("Kite's language: %q", n)
	}
}

// An industry's override changes the ranking: for healthcare the team
// counts language above all.
func TestIndustryOverride(t *testing.T) {
	sols := []Solution{
		{ID: 1, Product: "A", Category: "crm", Industries: []string{"healthcare"}, Languages: []string{"en"}, Price: 100, Currency: "EUR"},
		{ID: 2, Product: "B", Category: "crm", Languages: []string{"it"}, Price: 100, Currency: "EUR"},
	}
	req := Request{Industry: "Healthcare", Category: "crm", Languages: []string{"it"}}
	cfg := DefaultConfig()
	if got := byID(Rank(req, sols, cfg).Ranked); got != "1,2" {
		t.Fatalf("default weights ranked %s, want the industry's own product first", got)
	}
	cfg.Industries = map[string]Set{"healthcare": {Language: 60}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res := Rank(req, sols, cfg)
	if got := byID(res.Ranked); got != "2,1" {
		t.Errorf("with healthcare's weights ranked %s, want the Italian one first", got)
	}
	if res.Weights[Language] != 60 || res.Weights[Industry] != DefaultWeights[Industry] {
		t.Errorf("weights used %v", res.Weights)
	}
	// Another industry keeps the default.
	req.Industry = "retail"
	if w := Rank(req, sols, cfg).Weights; w[Language] != DefaultWeights[Language] {
		t.Errorf("retail got %v", w)
	}
}

// Ties go to the cheaper, then by name, whatever the catalog order.
func TestTiesAreStable(t *testing.T) {
	mk := func(id int64, name string, price int64) Solution {
		return Solution{ID: id, Product: name, Category: "crm", Price: price, PricePeriod: Month, Currency: "EUR"}
	}
	sols := []Solution{mk(1, "Zeta", 500), mk(2, "Alpha", 900), mk(3, "Beta", 500)}
	req := Request{Category: "crm", Licences: 1}
	for range 3 {
		if got := byID(Rank(req, sols, DefaultConfig()).Ranked); got != "3,1,2" {
			t.Fatalf("ranked %s, want 3,1,2 (cheapest, then by name)", got)
		}
		sols = append(sols[1:], sols[0])
	}
}

// No solution passing, or a best match under the threshold, calls for a
// custom project.
func TestNeedsCustom(t *testing.T) {
	req := Request{Category: "crm", MustHave: []string{"warehouse-scanning"}}
	if res := Rank(req, catalog(), DefaultConfig()); !res.NeedsCustom() || len(res.Ranked) != 0 {
		t.Errorf("nothing has the feature, yet NeedsCustom is %v", res.NeedsCustom())
	}
	req = Request{Industry: "energy", Category: "crm", Languages: []string{"de"}, Licences: 1000}
	res := Rank(req, catalog(), DefaultConfig())
	if len(res.Ranked) == 0 || res.Ranked[0].Score >= DefaultThreshold || !res.NeedsCustom() {
		t.Errorf("best %d under threshold %d, NeedsCustom %v", res.Ranked[0].Score, DefaultThreshold, res.NeedsCustom())
	}
	req = Request{Industry: "retail", Category: "crm"}
	if res := Rank(req, catalog(), DefaultConfig()); res.NeedsCustom() {
		t.Errorf("a fitting CRM exists, yet NeedsCustom")
	}
}

func TestConfigValidate(t *testing.T) {
	cfg := Config{Default: Set{Budget: 0}, Industries: map[string]Set{"Retail": {"colour": 5, Budget: 101}}, Threshold: 120, Tolerance: 2}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, f := range []string{"default", "industries.retail.colour", "industries.retail.budget", "threshold", "tolerance"} {
		if !strings.Contains(err.Error(), f+":") {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
}
