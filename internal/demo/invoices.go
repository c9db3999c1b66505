package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/invoice"
)

// seller is the demo company as its invoices state it.
var seller = invoice.SellerInput{
	Party: invoice.Party{Name: "Aurora CRM", LegalName: "Aurora Soft SRL", VATID: "RO18547290", RegistrationNo: "J40/12345/2019",
		Street: "Strada Ștefan cel Mare 12", City: "București", PostalCode: "020121", Country: "RO", Email: "facturi@aurora-crm.test"},
	IBAN: "RO49 AAAA 1B31 0075 9384 0000", BIC: "AAAAROBU", InvoicePrefix: "AUR", CreditPrefix: "AURC", PaymentDays: "14", DefaultRate: "21",
}

// seedInvoices bills the won deals as a team would have over the past
// months: most paid, a few part paid or overdue, the newest still a
// draft, and one corrected by a credit note.
func seedInvoices(ctx context.Context, svc Services, rng *rand.Rand, now time.Time) error {
	if svc.Invoices == nil {
		return nil
	}
	admin := access.Actor{Role: access.Admin}
	if _, err := svc.Invoices.SaveSeller(ctx, admin, seller); err != nil {
		return fmt.Errorf("demo: invoicing settings: %w", err)
	}
	page, err := svc.CRM.Opportunities(ctx, admin, crm.ListOptions{Stage: crm.Won, Limit: 500})
	if err != nil {
		return err
	}
	won := page.Items
	slices.SortFunc(won, func(a, b crm.Opportunity) int { return int(a.ID - b.ID) })
	for k, o := range won {
		if err := seedBilling(ctx, svc, admin, o); err != nil {
			return err
		}
		d, err := svc.Invoices.FromDeal(ctx, admin, o.ID)
		if err != nil {
			return fmt.Errorf("demo: invoice deal %d: %w", o.ID, err)
		}
		if k == len(won)-1 {
			break // the newest win is still being checked
		}
		// Oldest first, so numbers follow dates: the first some months ago.
		issued := now.AddDate(0, 0, -7*(len(won)-1-k)-3)
		i, err := svc.Invoices.Issue(ctx, admin, d.ID, issued.Format(time.DateOnly))
		if err != nil {
			return fmt.Errorf("demo: issue invoice of deal %d: %w", o.ID, err)
		}
		if err := seedPayments(ctx, svc, admin, rng, i, issued, now, k); err != nil {
			return err
		}
	}
	return nil
}

// seedBilling gives a won deal's account the legal details invoices need.
func seedBilling(ctx context.Context, svc Services, admin access.Actor, o crm.Opportunity) error {
	acc, err := svc.CRM.Account(ctx, admin, o.AccountID)
	if err != nil {
		return err
	}
	country := acc.Country
	if country == "" {
		country = "RO"
	}
	vat := fmt.Sprintf("%s%09d", strings.ToUpper(country), 100000000+o.AccountID*7919%900000000)
	if country == "GR" {
		vat = "EL" + vat[2:]
	}
	_, err = svc.Invoices.SaveBilling(ctx, admin, o.AccountID, invoice.Party{LegalName: acc.Name, VATID: vat,
		Street: fmt.Sprintf("%d Market Street", 1+o.AccountID%90), City: acc.City, PostalCode: fmt.Sprint(10000 + o.AccountID*37%89999), Country: country})
	return err
}

// seedPayments pays invoice i as its customer would have: in full a week
// or two after it was issued, sometimes in two parts, sometimes not yet.
func seedPayments(ctx context.Context, svc Services, admin access.Actor, rng *rand.Rand, i invoice.Invoice, issued, now time.Time, k int) error {
	today := now.Format(time.DateOnly)
	pay := func(amount int64, on time.Time) error {
		if on.After(now) {
			return nil
		}
		_, err := svc.Invoices.RecordPayment(ctx, admin, i.ID, invoice.PaymentInput{Amount: invoice.Amount(amount, i.Currency),
			PaidOn: on.Format(time.DateOnly), Method: "bank transfer", Reference: i.Number}, today)
		return err
	}
	switch {
	case k == 1: // a mistake on the bill, corrected by a credit note
		cn, err := svc.Invoices.CreditNote(ctx, admin, i.ID)
		if err == nil && len(cn.Lines) > 1 {
			cn, err = svc.Invoices.RemoveLine(ctx, admin, cn.ID, cn.Lines[0].ID)
		}
		if err == nil {
			_, err = svc.Invoices.Issue(ctx, admin, cn.ID, issued.AddDate(0, 0, 2).Format(time.DateOnly))
		}
		return err
	case rng.IntN(5) == 0: // not paid yet: overdue once its terms have run out
		return nil
	case rng.IntN(4) == 0: // half now, the rest later
		half := i.Totals.TaxInclusive / 2
		if err := pay(half, issued.AddDate(0, 0, 5)); err != nil {
			return err
		}
		return pay(i.Totals.TaxInclusive-half, issued.AddDate(0, 0, 40))
	}
	return pay(i.Totals.TaxInclusive, issued.AddDate(0, 0, 3+rng.IntN(12)))
}
