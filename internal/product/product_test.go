package product_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func TestMoneyAndMargins(t *testing.T) {
	for _, c := range []struct {
		in, currency string
		want         int64
		bad          string
	}{
		{"1,234.50", "EUR", 123450, ""},
		{"99", "EUR", 9900, ""},
		{"0.5", "USD", 50, ""},
		{"1500", "JPY", 1500, ""},
		{"15.5", "JPY", 0, "at most 0 decimals"},
		{"1.234", "EUR", 0, "at most 2 decimals"},
		{"-5", "EUR", 0, "must be an amount"},
		{"12.", "EUR", 0, "must be an amount"},
		{"ten", "EUR", 0, "must be an amount"},
		{"480,00", "EUR", 0, "with a point before the cents"},
		{"1,2345", "EUR", 0, "with a point before the cents"},
		{"12,345,678", "EUR", 1234567800, ""},
		{"10000000001", "EUR", 0, "must be at most"},
	} {
		got, err := product.ParseMoney(c.in, c.currency)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("ParseMoney(%q, %s) = %d, %v; want an error saying %q", c.in, c.currency, got, err, c.bad)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d", c.in, c.currency, got, err, c.want)
		}
	}
	if got := product.Format(123456789, "EUR"); got != "1,234,567.89 EUR" {
		t.Errorf("Format: %s", got)
	}
	if got := product.Format(5, "EUR"); got != "0.05 EUR" {
		t.Errorf("Format of five cents: %s", got)
	}
	if got := product.Format(-150000, "JPY"); got != "-150,000 JPY" {
		t.Errorf("Format in yen: %s", got)
	}
	for in, want := range map[string]int64{"35": 3500, "12.5%": 1250, "0": 0, "-20": -2000, "99.99": 9999} {
		if got, err := product.ParseMargin(in); err != nil || got != want {
			t.Errorf("ParseMargin(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"100", "120", "12.345", "abc", "", "-1000"} {
		if _, err := product.ParseMargin(in); err == nil {
			t.Errorf("ParseMargin(%q) accepted", in)
		}
	}
}

type world struct {
	ctx               context.Context
	products          *product.Service
	deals             *crm.Service
	admin, ann, bob   access.Actor
	annDeal, bobsDeal int64
}

func setup(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	ctx := context.Background()
	leads := lead.NewService(db)
	w := world{ctx: ctx, products: product.NewService(db), deals: crm.NewService(db, leads),
		admin: usertest.Actor(t, db, "admin@example.com", access.Admin), ann: usertest.Actor(t, db, "ann@example.com", access.Sales),
		bob: usertest.Actor(t, db, "bob@example.com", access.Sales)}
	acc, err := w.deals.CreateAccount(ctx, w.admin, crm.AccountInput{Name: "Fjord AS"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		owner string
		into  *int64
	}{{"ann@example.com", &w.annDeal}, {"bob@example.com", &w.bobsDeal}} {
		o, err := w.deals.CreateOpportunity(ctx, w.admin, crm.OpportunityInput{AccountID: acc.ID, Name: "Seats", Owner: d.owner})
		if err != nil {
			t.Fatal(err)
		}
		*d.into = o.ID
	}
	return w
}

func fieldOf(err error, name string) string {
	if e := fault.As(err); e != nil {
		return e.Fields[name]
	}
	return ""
}

// An admin keeps the catalog: a product with a cost shows its margin,
// one with a margin its cost; bad values are named; a sales user may not
// change the catalog; a change from an old version is refused.
func TestCatalog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		seat, err := w.products.Create(w.ctx, w.admin, product.Input{Name: "CRM seat (year)", UnitPrice: "480", Currency: "eur", UnitCost: "120", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if seat.UnitPrice != 48000 || seat.Currency != "EUR" || seat.MarginBP != 7500 {
			t.Errorf("a seat at 480 costing 120: %+v", seat)
		}
		onboarding, err := w.products.Create(w.ctx, w.admin, product.Input{Name: "Onboarding day", UnitPrice: "1,333.33", Currency: "EUR", Margin: "35", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		// 1,333.33 less 35% of it (466.6655, rounded to 466.67) costs 866.66.
		if onboarding.UnitCost != 86666 || onboarding.MarginBP != 3500 {
			t.Errorf("onboarding at 35%%: cost %d, margin %d", onboarding.UnitCost, onboarding.MarginBP)
		}
		_, err = w.products.Create(w.ctx, w.admin, product.Input{Name: "", UnitPrice: "1.001", Currency: "euro", UnitCost: "1", Margin: "2"})
		for _, f := range []string{"name", "unit_price", "currency", "margin"} {
			if fieldOf(err, f) == "" {
				t.Errorf("a bad product: %s not named in %v", f, err)
			}
		}
		if _, err := w.products.Create(w.ctx, w.admin, product.Input{Name: "crm SEAT (year)", UnitPrice: "1", Currency: "EUR"}); fieldOf(err, "name") == "" {
			t.Errorf("a second product of the same name: %v", err)
		}
		if _, err := w.products.Create(w.ctx, w.ann, product.Input{Name: "Discount", UnitPrice: "1", Currency: "EUR"}); fault.As(err) == nil || fault.As(err).Code != fault.Forbidden {
			t.Errorf("a sales user added a product: %v", err)
		}
		up, err := w.products.Update(w.ctx, w.admin, seat.ID, product.Input{Name: seat.Name, UnitPrice: "500", Currency: "EUR", UnitCost: "120", Active: true, Version: seat.Version})
		if err != nil || up.UnitPrice != 50000 || up.MarginBP != 7600 || up.Version != 2 {
			t.Errorf("a new price: %+v, %v", up, err)
		}
		if _, err := w.products.Update(w.ctx, w.admin, seat.ID, product.Input{Name: seat.Name, UnitPrice: "1", Currency: "EUR", Version: seat.Version}); fieldOf(err, "version") == "" {
			t.Errorf("a change from version 1 after version 2: %v", err)
		}
	})
}

// Ann prices her deal with seats and onboarding: the totals and margin
// are exact; a product in another currency, an unknown or retired one and
// a bad quantity are refused by name; Bob's deal is not hers to price;
// a later change of the catalog leaves her lines as they were.
func TestOpportunityLines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		seat, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "Seat", UnitPrice: "480", Currency: "EUR", UnitCost: "120", Active: true})
		day, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "Onboarding day", UnitPrice: "1,333.33", Currency: "EUR", Margin: "35", Active: true})
		dollars, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "US support", UnitPrice: "99", Currency: "USD", Active: true})
		retired, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "Old plan", UnitPrice: "10", Currency: "EUR", Active: false})
		if _, err := w.products.AddLine(w.ctx, w.ann, w.annDeal, seat.ID, "25"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.products.AddLine(w.ctx, w.ann, w.annDeal, day.ID, "3"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			product       int64
			qty, field, s string
		}{
			{dollars.ID, "1", "product_id", "priced in USD; this opportunity is in EUR"},
			{retired.ID, "1", "product_id", "on sale"},
			{99999, "1", "product_id", "on sale"},
			{seat.ID, "0", "quantity", "from 1"},
			{seat.ID, "2.5", "quantity", "whole number"},
		} {
			if _, err := w.products.AddLine(w.ctx, w.ann, w.annDeal, c.product, c.qty); !strings.Contains(fieldOf(err, c.field), c.s) {
				t.Errorf("product %d × %s: %v, want %s saying %q", c.product, c.qty, err, c.field, c.s)
			}
		}
		if _, err := w.products.AddLine(w.ctx, w.ann, w.bobsDeal, seat.ID, "1"); fault.As(err) == nil || fault.As(err).Code != fault.Forbidden {
			t.Errorf("Ann priced Bob's deal: %v", err)
		}
		w.products.Update(w.ctx, w.admin, seat.ID, product.Input{Name: "Seat", UnitPrice: "999", Currency: "EUR", Active: true})
		lines, err := w.products.LinesOf(w.ctx, w.ann, w.annDeal)
		if err != nil {
			t.Fatal(err)
		}
		// 25 × 480.00 + 3 × 1,333.33 = 15,999.99; cost 25 × 120.00 + 3 × 866.66 = 5,599.98.
		got := fmt.Sprintf("%s | %s | %s | %s | %d lines", product.FormatBig(lines.Revenue, lines.Currency), product.FormatBig(lines.Cost, lines.Currency),
			product.FormatBig(lines.Margin, lines.Currency), product.FormatMargin(lines.MarginBP()), len(lines.Items))
		if want := "15,999.99 EUR | 5,599.98 EUR | 10,400.01 EUR | 65% | 2 lines"; got != want {
			t.Errorf("the deal's sums: %s, want %s", got, want)
		}
		if _, err := w.products.RemoveLine(w.ctx, w.bob, lines.Items[0].ID); fault.As(err) == nil || fault.As(err).Code != fault.Forbidden {
			t.Errorf("Bob removed Ann's line: %v", err)
		}
		if _, err := w.products.RemoveLine(w.ctx, w.ann, lines.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := w.products.LinesOf(w.ctx, w.ann, w.annDeal); len(l.Items) != 1 || l.Items[0].ProductName != "Onboarding day" {
			t.Errorf("after removing the seats: %+v", l.Items)
		}
	})
}

// Two people add products to a deal with no lines yet at the same
// moment, one priced in euros and one in dollars: one of them is
// refused, every time, and the deal never holds two currencies.
func TestConcurrentLinesKeepOneCurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		eur, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "Seat", UnitPrice: "480", Currency: "EUR", Active: true})
		usd, _ := w.products.Create(w.ctx, w.admin, product.Input{Name: "US seat", UnitPrice: "520", Currency: "USD", Active: true})
		acc, _ := w.deals.CreateAccount(w.ctx, w.admin, crm.AccountInput{Name: "Race Ltd"})
		mixed := 0
		for r := range 15 {
			o, err := w.deals.CreateOpportunity(w.ctx, w.admin, crm.OpportunityInput{AccountID: acc.ID, Name: fmt.Sprint("Deal ", r), Owner: "ann@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			errs := make([]error, 2)
			for i, err := range dbtest.Together(
				func() error { _, err := w.products.AddLine(w.ctx, w.ann, o.ID, eur.ID, "1"); return err },
				func() error { _, err := w.products.AddLine(w.ctx, w.admin, o.ID, usd.ID, "1"); return err },
			) {
				errs[i] = err
				if err != nil && fieldOf(err, "product_id") == "" {
					t.Fatal(err)
				}
			}
			l, _ := w.products.LinesOf(w.ctx, w.admin, o.ID)
			if len(l.Items) != 1 || (errs[0] == nil) == (errs[1] == nil) {
				mixed++
			}
		}
		if mixed > 0 {
			t.Errorf("%d of 15 deals got both currencies, or neither", mixed)
		}
	})
}
