// Package product holds the catalog of what the team sells (name, unit
// price, currency, and unit cost or margin) and the products on an
// opportunity, with their totals and margin.
//
// Money is integer minor units of its currency (cents for EUR); a
// currency's number of decimals is ISO 4217's (JPY 0, most 2). Margins
// are basis points (1/100 of a percent).
package product

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// zeroDecimal are the currencies of the catalog's world with no minor unit.
var zeroDecimal = map[string]bool{"JPY": true, "KRW": true, "ISK": true, "CLP": true, "VND": true, "UGX": true, "XOF": true, "XAF": true}

// Decimals is how many decimals an amount in currency has.
func Decimals(currency string) int {
	if zeroDecimal[currency] {
		return 0
	}
	return 2
}

// MaxUnitPrice bounds a unit price or cost in minor units: ten billion
// euros, far above any licence, and low enough that a line (at most
// MaxQuantity units) fits in 64 bits.
const MaxUnitPrice int64 = 1_000_000_000_000

// MaxQuantity bounds a line's quantity.
const MaxQuantity int64 = 1_000_000

// ParseMoney reads an amount such as "1,234.50" in currency into minor
// units, refusing more decimals than the currency has, negatives and
// anything above MaxUnitPrice.
func ParseMoney(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	if head, rest, grouped := strings.Cut(s, ","); grouped {
		// Commas group thousands ("1,234.50"); "480,00" is a decimal
		// comma, which would read as 48000 and is refused.
		groups := strings.Split(strings.Split(rest, ".")[0], ",")
		for _, g := range groups {
			if len(g) != 3 || len(head) == 0 || len(head) > 3 {
				return 0, fmt.Errorf("must be an amount such as 1250.00, with a point before the cents")
			}
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	dec := Decimals(currency)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || strings.TrimLeft(whole, "0123456789") != "" || strings.TrimLeft(frac, "0123456789") != "" || hasFrac && frac == "" {
		return 0, fmt.Errorf("must be an amount such as 1250.00")
	}
	if len(frac) > dec {
		return 0, fmt.Errorf("has at most %d decimals in %s", dec, currency)
	}
	frac += strings.Repeat("0", dec-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > MaxUnitPrice {
		return 0, fmt.Errorf("must be at most %s", Format(MaxUnitPrice, currency))
	}
	return n, nil
}

// Format writes minor units of currency as "1,234.50 EUR".
func Format(minor int64, currency string) string {
	return FormatBig(big.NewInt(minor), currency)
}

// FormatBig writes a sum of minor units as Format does, however large.
func FormatBig(minor *big.Int, currency string) string {
	neg := minor.Sign() < 0
	digits := new(big.Int).Abs(minor).String()
	dec := Decimals(currency)
	for len(digits) <= dec {
		digits = "0" + digits
	}
	whole, frac := digits[:len(digits)-dec], digits[len(digits)-dec:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if dec > 0 {
		b.WriteString("." + frac)
	}
	return strings.TrimSpace(b.String() + " " + currency)
}

// ParseMargin reads a margin in percent ("35", "12.5") into basis
// points; it must be below 100% (a price of all margin costs nothing)
// and above -1000%.
func ParseMargin(s string) (int64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" || len(frac) > 2 || strings.TrimLeft(whole+frac, "0123456789") != "" || len(whole) > 4 {
		return 0, fmt.Errorf("must be a percentage with at most two decimals, such as 35 or 12.5")
	}
	n, _ := strconv.ParseInt(whole+frac+strings.Repeat("0", 2-len(frac)), 10, 64)
	if neg {
		n = -n
	}
	if n >= 10000 || n <= -100000 {
		return 0, fmt.Errorf("must be below 100%% and above -1000%%")
	}
	return n, nil
}

// FormatMargin writes basis points as a percentage, "35.5%".
func FormatMargin(bp int64) string {
	return strconv.FormatFloat(float64(bp)/100, 'f', -1, 64) + "%"
}

// CostOf is the unit cost a margin leaves of a price: the price less the
// margin's share of it, rounded half away from zero to the minor unit.
func CostOf(price, marginBP int64) int64 {
	return price - divRound(price*marginBP, 10000)
}

// marginOf is the margin of a price over a cost in basis points, rounded
// half away from zero; 0 for a price of 0.
func marginOf(price, cost int64) int64 {
	if price == 0 {
		return 0
	}
	return divRound((price-cost)*10000, price)
}

// divRound divides rounding half away from zero. Both products above
// stay far inside 64 bits: prices are at most 10^12 and margins 10^5.
func divRound(a, b int64) int64 {
	if (a < 0) != (b < 0) {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// Decimal writes minor units of currency as a plain decimal, "1234.50",
// as the API and forms take it back.
func Decimal(minor int64, currency string) string { return DecimalBig(big.NewInt(minor), currency) }

// DecimalBig writes a sum of minor units as Decimal does, however large.
func DecimalBig(minor *big.Int, currency string) string {
	s := strings.ReplaceAll(FormatBig(minor, currency), ",", "")
	return strings.TrimSpace(strings.TrimSuffix(s, currency))
}

// PercentOf writes basis points as a plain percentage, "35.5".
func PercentOf(bp int64) string { return strings.TrimSuffix(FormatMargin(bp), "%") }
