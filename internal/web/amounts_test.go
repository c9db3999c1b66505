package web

import (
	"testing"
	"time"

	"leadflow/internal/i18n"
	"leadflow/internal/report"
)

// The reports write amounts by currency the reader's way: whole amounts
// (pipeline, won) and budgets in cents alike.
func TestReportAmountsReadTheReadersWay(t *testing.T) {
	m := map[string]int64{"USD": 429000, "EUR": 878000}
	cents := map[string]int64{"EUR": 260050, "NOK": 5000000}
	for _, c := range []struct{ lang, amounts, budgets string }{
		{"en", "878,000 EUR, 429,000 USD", "2,600.50 EUR · 50,000 NOK"},
		{"it", "878.000\u00a0€, 429.000\u00a0USD", "2.600,50\u00a0€ · 50.000\u00a0NOK"},
	} {
		f := localFuncs(i18n.For(c.lang), time.UTC)
		if got := f["amounts"].(func(map[string]int64) string)(m); got != c.amounts {
			t.Errorf("%s: amounts %q, want %q", c.lang, got, c.amounts)
		}
		if got := f["budgets"].(func(map[string]int64) string)(cents); got != c.budgets {
			t.Errorf("%s: budgets %q, want %q", c.lang, got, c.budgets)
		}
		if got := f["amounts"].(func(map[string]int64) string)(nil); got != "—" {
			t.Errorf("%s: no amounts %q", c.lang, got)
		}
	}
}

// An invoice's lines write their unit price, quantity and rates the
// reader's way.
func TestInvoiceLineFiguresReadTheReadersWay(t *testing.T) {
	for _, c := range []struct{ lang, price, qty, pct string }{
		{"en", "1,250.00", "1.5", "5.5"},
		{"it", "1.250,00", "1,5", "5,5"},
	} {
		f := localFuncs(i18n.For(c.lang), time.UTC)
		if got := f["unitPrice"].(func(int64, string) string)(12_500_000, "EUR"); got != c.price {
			t.Errorf("%s: unit price %q, want %q", c.lang, got, c.price)
		}
		if got := f["qty"].(func(int64) string)(1500); got != c.qty {
			t.Errorf("%s: quantity %q, want %q", c.lang, got, c.qty)
		}
		if got := f["percent"].(func(int64) string)(550); got != c.pct {
			t.Errorf("%s: rate %q, want %q", c.lang, got, c.pct)
		}
	}
}

// A score's points read to a tenth, the reader's way.
func TestPointsReadTheReadersWay(t *testing.T) {
	for lang, want := range map[string]string{"en": "61.8", "it": "61,8", "nb": "61,8", "ro": "61,8"} {
		if got := localFuncs(i18n.For(lang), time.UTC)["points"].(func(float64) string)(61.83); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// A channel's return on its spend is grouped the reader's way ("3085%"
// showed in Italian and Norwegian), and a dash without spend.
func TestROIReadsTheReadersWay(t *testing.T) {
	row := report.Row{Spend: 1000, Revenue: 31850}
	for lang, want := range map[string]string{"en": "3,085%", "it": "3.085%", "nb": "3\u00a0085%"} {
		f := localFuncs(i18n.For(lang), time.UTC)
		if got := f["roi"].(func(report.Row) string)(row); got != want {
			t.Errorf("%s: ROI %q, want %q", lang, got, want)
		}
		if got := f["roi"].(func(report.Row) string)(report.Row{Revenue: 5}); got != "—" {
			t.Errorf("%s: ROI without spend %q", lang, got)
		}
	}
}
