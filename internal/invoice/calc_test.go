package invoice

import (
	"strings"
	"testing"
)

func line(qty, price string, discount, cat, rate string) Line {
	in := LineInput{Name: "x", Quantity: qty, UnitPrice: price, Discount: discount, Category: cat, Rate: rate}
	l, bad := in.parse()
	if len(bad) != 0 {
		panic(bad.Err())
	}
	return l
}

// Awkward cases of the arithmetic, each worked out by hand.
func TestComputeRoundsAsStated(t *testing.T) {
	for _, c := range []struct {
		name       string
		lines      []Line
		allowances []Allowance
		currency   string
		net, vat   int64
		total      int64
	}{
		// 3 × 0.335 = 1.005: half a cent rounds away from zero, to 1.01.
		{"half a cent", []Line{line("3", "0.335", "", "S", "19")}, nil, "EUR", 101, 19, 120},
		// VAT on the sum, not per line: 3 lines of 0.10 at 19% are 0.06, not 3 × 0.02.
		{"VAT once per rate", []Line{line("1", "0.10", "", "S", "19"), line("1", "0.10", "", "S", "19"), line("1", "0.10", "", "S", "19")}, nil, "EUR", 30, 6, 36},
		// 12.5% off 99.99 is 12.49875, 12.50; net 87.49; 9% of it 7.8741, 7.87.
		{"discount", []Line{line("1", "99.99", "12.5", "S", "9")}, nil, "EUR", 8749, 787, 9536},
		// Two rates and an allowance in the 19% group: 19% of (200 - 20.50) = 34.105, 34.11; 5% of 50 = 2.50.
		{"two rates and an allowance", []Line{line("2", "100", "", "S", "19"), line("1", "50", "", "S", "5")},
			[]Allowance{{Reason: "Loyalty", Amount: 2050, Category: "S", RateBP: 1900}}, "EUR", 22950, 3411 + 250, 22950 + 3661},
		// A return: -6 × 18.33 = -109.98 beside 200 of sales.
		{"a return", []Line{line("1", "200", "", "S", "6"), line("-6", "18.33", "", "S", "6")}, nil, "EUR", 9002, 540, 9542},
		// Fractions of a unit and a price below a cent: 100 × 0.1212 = 12.12; 25% = 3.03.
		{"sub-cent price", []Line{line("100.000", "0.1212", "", "S", "25")}, nil, "EUR", 1212, 303, 1515},
		// Exempt and zero rated lines carry no VAT.
		{"exempt", []Line{line("1", "100.11", "", "E", ""), line("2", "5", "", "Z", "0")}, nil, "EUR", 11011, 0, 11011},
		// Yen have no minor unit: 3 × 333.5 = 1000.5, 1001; 10% = 100.1, 100.
		{"yen", []Line{line("3", "333.5", "", "S", "10")}, nil, "JPY", 1001, 100, 1101},
	} {
		got := Compute(c.lines, c.allowances, c.currency)
		if got.Lines-got.Allowances != c.net || got.VAT != c.vat || got.TaxInclusive != c.total {
			t.Errorf("%s: net %d, VAT %d, total %d; want %d, %d, %d", c.name, got.TaxExclusive, got.VAT, got.TaxInclusive, c.net, c.vat, c.total)
		}
	}
}

func TestLineInputNamesEachBadField(t *testing.T) {
	for _, c := range []struct {
		in    LineInput
		field string
		says  string
	}{
		{LineInput{Name: "", Quantity: "1", UnitPrice: "1", Category: "S", Rate: "19"}, "name", "required"},
		{LineInput{Name: "a", Quantity: "0", UnitPrice: "1", Category: "S", Rate: "19"}, "quantity", "must not be 0"},
		{LineInput{Name: "a", Quantity: "1.2345", UnitPrice: "1", Category: "S", Rate: "19"}, "quantity", "at most 3 decimals"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "-5", Category: "S", Rate: "19"}, "unit_price", "never negative"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "1.00001", Category: "S", Rate: "19"}, "unit_price", "at most 4 decimals"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "1", Discount: "120", Category: "S", Rate: "19"}, "discount", "from 0 to 100"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "1", Category: "S", Rate: "0"}, "vat_rate", "above 0"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "1", Category: "E", Rate: "19"}, "vat_rate", "must be 0"},
		{LineInput{Name: "a", Quantity: "1", UnitPrice: "1", Category: "X", Rate: "19"}, "category", "one of"},
	} {
		_, bad := c.in.parse()
		if !strings.Contains(bad[c.field], c.says) {
			t.Errorf("%+v: %s says %q; want %q", c.in, c.field, bad[c.field], c.says)
		}
	}
	l, bad := LineInput{Name: "Audit", Quantity: "1", UnitPrice: "10", Category: "ae"}.parse()
	if len(bad) != 0 || l.Category != ReverseCharge || l.Reason != "Reverse charge" {
		t.Errorf("a reverse-charge line without a reason: %+v, %v", l, bad)
	}
}

func TestIBAN(t *testing.T) {
	for iban, ok := range map[string]bool{
		"RO49 AAAA 1B31 0075 9384 0000": true,
		"NO93 8601 1117 947":            true,
		"IT60X0542811101000000123456":   true,
		"NL57 RABO 0107 3075 10":        true,
		"NL58 RABO 0107 3075 10":        false,
		"RO49 AAAA 1B31 0075 9384 0001": false,
		"XX00":                          false,
	} {
		if ValidIBAN(iban) != ok {
			t.Errorf("ValidIBAN(%q) = %v", iban, !ok)
		}
	}
}
