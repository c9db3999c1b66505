package invoice

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"leadflow/internal/product"
)

// Scales of the fixed-point numbers on a line: quantities in
// thousandths, unit prices in ten-thousandths of the currency's unit (an
// e-invoice may price a screw at 0.1212 EUR), percentages in basis
// points. Amounts are minor units of the currency (cents).
const (
	quantityScale = 3
	priceScale    = 4
	percentScale  = 2
)

// Bounds that keep every sum exact and every document sensible.
const (
	MaxQuantity  = 1_000_000_000 // a billion units, in thousandths: 10^12
	MaxUnitPrice = 10_000_000    // ten million per unit, in ten-thousandths: 10^11
	MaxLines     = 500
)

// VAT categories of EN 16931 (UNTDID 5305) that leadflow writes.
const (
	Standard       = "S"  // standard or reduced rate
	ZeroRated      = "Z"  // zero rated goods
	Exempt         = "E"  // exempt from VAT
	ReverseCharge  = "AE" // VAT reverse charge: the buyer pays it
	IntraCommunity = "K"  // intra-community supply, VAT exempt
	Export         = "G"  // export outside the EU, VAT exempt
	NotSubject     = "O"  // services outside the scope of VAT
)

// Categories lists the VAT categories in the order forms offer them,
// with what each means.
var Categories = []struct{ Code, Name string }{
	{Standard, "Standard rate"},
	{ZeroRated, "Zero rated"},
	{Exempt, "Exempt"},
	{ReverseCharge, "Reverse charge"},
	{IntraCommunity, "Intra-community supply"},
	{Export, "Export outside the EU"},
	{NotSubject, "Not subject to VAT"},
}

// categoryOrder is where category c comes in Categories.
func categoryOrder(c string) int {
	for i, k := range Categories {
		if k.Code == c {
			return i
		}
	}
	return len(Categories)
}

// defaultReasons are the exemption reasons written when a line of a
// category without VAT gives none; EN 16931 wants one for each.
var defaultReasons = map[string]string{
	Exempt:         "Exempt from VAT",
	ReverseCharge:  "Reverse charge",
	IntraCommunity: "Intra-community supply",
	Export:         "Export outside the EU",
	NotSubject:     "Not subject to VAT",
}

// Line is one line of an invoice: what is sold, how many, at what price,
// with its discount and VAT.
type Line struct {
	ID         int64
	ProductID  int64 // 0 for a line written by hand
	Name       string
	Quantity   int64 // thousandths; negative for a return
	UnitPrice  int64 // ten-thousandths of the currency unit, never negative
	DiscountBP int64 // the line's discount, basis points of its gross amount
	Category   string
	RateBP     int64  // VAT rate, basis points
	Reason     string // why there is no VAT, for the categories without it
	UnitCost   int64  // ten-thousandths; what one unit costs the seller
	HasCost    bool
	Gross      int64 // minor units, worked out by Compute
	Discount   int64
	Net        int64
}

// Allowance is a discount on the whole document (EN 16931 BG-20), in the
// VAT category and rate it reduces.
type Allowance struct {
	ID       int64
	Reason   string
	Amount   int64 // minor units, positive
	Category string
	RateBP   int64
}

// VATGroup is one line of the VAT breakdown: a category and rate with
// its taxable amount and tax.
type VATGroup struct {
	Category string
	RateBP   int64
	Reason   string
	Taxable  int64
	Tax      int64
}

// Totals are the document's sums (EN 16931 BG-22), minor units.
type Totals struct {
	Lines        int64 // sum of the lines' net amounts (BT-106)
	Allowances   int64 // BT-107
	TaxExclusive int64 // BT-109
	VAT          int64 // BT-110
	TaxInclusive int64 // BT-112
	Breakdown    []VATGroup
	Cost         int64 // what the lines cost the seller, where known
	CostKnown    bool  // every line has its cost, so Margin means something
}

// Margin is the document's net amount less its cost.
func (t Totals) Margin() int64 { return t.TaxExclusive - t.Cost }

// scaleDown divides n by 10^digits, rounding half away from zero.
func scaleDown(n *big.Int, digits int) *big.Int {
	if digits <= 0 {
		return new(big.Int).Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-digits)), nil))
	}
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	half := new(big.Int).Quo(d, big.NewInt(2))
	m := new(big.Int).Abs(n)
	m.Add(m, half).Quo(m, d)
	if n.Sign() < 0 {
		m.Neg(m)
	}
	return m
}

// percentOf is amount × bp / 10000, rounded half away from zero.
func percentOf(amount, bp int64) int64 {
	return scaleDown(new(big.Int).Mul(big.NewInt(amount), big.NewInt(bp)), 4).Int64()
}

// Compute works out each line's amounts and the document's totals in
// currency. The rounding rule, the same everywhere: a line's gross
// amount is quantity × unit price rounded half away from zero to the
// minor unit; its discount is that amount × the discount rate, rounded
// the same way; VAT is worked out once per category and rate on the sum
// of its lines less its allowances, rounded the same way (EN 16931
// BR-CO-17), never line by line.
func Compute(lines []Line, allowances []Allowance, currency string) Totals {
	dec := product.Decimals(currency)
	var t Totals
	t.CostKnown = len(lines) > 0
	groups := map[[2]string]*VATGroup{}
	group := func(cat string, rate int64) *VATGroup {
		k := [2]string{cat, strconv.FormatInt(rate, 10)}
		if groups[k] == nil {
			groups[k] = &VATGroup{Category: cat, RateBP: rate}
		}
		return groups[k]
	}
	for i := range lines {
		l := &lines[i]
		l.Gross = scaleDown(new(big.Int).Mul(big.NewInt(l.Quantity), big.NewInt(l.UnitPrice)), quantityScale+priceScale-dec).Int64()
		l.Discount = percentOf(l.Gross, l.DiscountBP)
		l.Net = l.Gross - l.Discount
		t.Lines += l.Net
		g := group(l.Category, l.RateBP)
		g.Taxable += l.Net
		if g.Reason == "" {
			g.Reason = l.Reason
		}
		if l.HasCost {
			t.Cost += scaleDown(new(big.Int).Mul(big.NewInt(l.Quantity), big.NewInt(l.UnitCost)), quantityScale+priceScale-dec).Int64()
		} else {
			t.CostKnown = false
		}
	}
	for _, a := range allowances {
		t.Allowances += a.Amount
		group(a.Category, a.RateBP).Taxable -= a.Amount
	}
	t.TaxExclusive = t.Lines - t.Allowances
	for _, g := range groups {
		g.Tax = percentOf(g.Taxable, g.RateBP)
		if g.Reason == "" {
			g.Reason = defaultReasons[g.Category]
		}
		if g.Category == Standard || g.Category == ZeroRated {
			g.Reason = ""
		}
		t.VAT += g.Tax
		t.Breakdown = append(t.Breakdown, *g)
	}
	sort.Slice(t.Breakdown, func(i, j int) bool {
		a, b := t.Breakdown[i], t.Breakdown[j]
		if a.Category != b.Category {
			return categoryOrder(a.Category) < categoryOrder(b.Category)
		}
		return a.RateBP < b.RateBP
	})
	t.TaxInclusive = t.TaxExclusive + t.VAT
	return t
}

// parseFixed reads a decimal such as "-12.5" into an integer scaled by
// 10^scale, refusing more decimals than scale and anything but digits,
// one point and (when signed) a leading minus.
func parseFixed(s string, scale int, signed bool) (int64, error) {
	s = strings.TrimSpace(s)
	neg := signed && strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && frac == "" || strings.TrimLeft(whole, "0123456789") != "" || strings.TrimLeft(frac, "0123456789") != "" || hasFrac && frac == "" {
		return 0, fmt.Errorf("must be a number such as 12.5")
	}
	if len(frac) > scale {
		return 0, fmt.Errorf("has at most %d decimals", scale)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 12 {
		return 0, fmt.Errorf("is too large")
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", scale-len(frac))+"0", 10, 64)
	if err != nil {
		return 0, fmt.Errorf("is too large")
	}
	n /= 10
	if neg {
		n = -n
	}
	return n, nil
}

// formatFixed writes n scaled by 10^scale as a plain decimal with at
// least min decimals and no trailing zeros beyond them: "0.1212", "2".
func formatFixed(n int64, scale, min int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := strconv.FormatInt(n, 10)
	for len(digits) <= scale {
		digits = "0" + digits
	}
	whole, frac := digits[:len(digits)-scale], digits[len(digits)-scale:]
	for len(frac) > min && strings.HasSuffix(frac, "0") {
		frac = frac[:len(frac)-1]
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Quantity writes a quantity in thousandths as people write it: "2", "1.5".
func Quantity(q int64) string { return formatFixed(q, quantityScale, 0) }

// Price writes a unit price in ten-thousandths with the currency's
// decimals at least: "9.95", "0.1212", "1500" (JPY).
func Price(p int64, currency string) string {
	return formatFixed(p, priceScale, product.Decimals(currency))
}

// Percent writes basis points as a percentage without its sign: "21", "5.5".
func Percent(bp int64) string { return formatFixed(bp, percentScale, 0) }

// Amount writes minor units of currency as a plain decimal, "1234.50".
func Amount(minor int64, currency string) string { return product.Decimal(minor, currency) }

// Money writes minor units of currency for people, "1,234.50 EUR".
func Money(minor int64, currency string) string { return product.Format(minor, currency) }
