package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/product"
)

// catalog is what the demo company sells, priced in each currency its
// deals are in.
var catalog = []struct {
	name, unit, price, cost, margin string
	currency                        string
}{
	{"CRM seat (year)", "seat", "480.00", "96.00", "", "EUR"},
	{"Marketing automation add-on (year)", "", "1,200.00", "", "80", "EUR"},
	{"Onboarding day", "day", "1,150.00", "690.00", "", "EUR"},
	{"Premium support (year)", "", "2,400.00", "", "60", "EUR"},
	{"CRM seat (year, USD)", "seat", "520.00", "104.00", "", "USD"},
	{"Onboarding day (USD)", "day", "1,250.00", "750.00", "", "USD"},
	{"CRM seat (year, GBP)", "seat", "420.00", "84.00", "", "GBP"},
	{"Onboarding day (GBP)", "day", "990.00", "600.00", "", "GBP"},
	{"Legacy plan (retired)", "seat", "300.00", "90.00", "", "EUR"},
}

// seedProducts makes the catalog and prices the open deals with it: seats
// for about the deal's amount, and a few onboarding days.
func seedProducts(ctx context.Context, svc Services, rng *rand.Rand) error {
	if svc.Products == nil {
		return nil
	}
	admin := access.Actor{Role: access.Admin}
	seats, days := map[string]product.Product{}, map[string]product.Product{}
	for _, c := range catalog {
		p, err := svc.Products.Create(ctx, admin, product.Input{Name: c.name, UnitPrice: c.price, Currency: c.currency,
			UnitCost: c.cost, Margin: c.margin, Active: c.name != "Legacy plan (retired)"})
		if err != nil {
			return fmt.Errorf("demo: product %s: %w", c.name, err)
		}
		switch {
		case !p.Active:
		case c.unit == "seat":
			seats[c.currency] = p
		case c.unit == "day":
			days[c.currency] = p
		}
	}
	deals, err := svc.CRM.Opportunities(ctx, admin, crm.ListOptions{Limit: 500})
	if err != nil {
		return err
	}
	for _, o := range deals.Items {
		seat, ok := seats[o.Currency]
		if !ok || o.Amount == nil || rng.IntN(5) == 0 { // some deals are not priced yet
			continue
		}
		n := max(1, *o.Amount*100/seat.UnitPrice)
		if _, err := svc.Products.AddLine(ctx, admin, o.ID, seat.ID, fmt.Sprint(n)); err != nil {
			return fmt.Errorf("demo: price deal %d: %w", o.ID, err)
		}
		if day, ok := days[o.Currency]; ok && rng.IntN(2) == 0 {
			if _, err := svc.Products.AddLine(ctx, admin, o.ID, day.ID, fmt.Sprint(1+rng.IntN(5))); err != nil {
				return fmt.Errorf("demo: price deal %d: %w", o.ID, err)
			}
		}
	}
	return nil
}
