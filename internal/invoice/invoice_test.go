package invoice_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type world struct {
	ctx                  context.Context
	db                   *sqldb.DB
	inv                  *invoice.Service
	deals                *crm.Service
	products             *product.Service
	admin, ann, bob, mia access.Actor
	account              int64
}

// seller is a Romanian seller with every detail an e-invoice needs.
var seller = invoice.SellerInput{
	Party: invoice.Party{Name: "Nordvest", LegalName: "Nordvest Soluții SRL", VATID: "RO18547290", RegistrationNo: "J40/1234/2015",
		Street: "Strada Ștefan cel Mare 12", City: "București", PostalCode: "020121", Country: "RO", Email: "facturi@nordvest.ro"},
	IBAN: "RO49 AAAA 1B31 0075 9384 0000", BIC: "AAAAROBU", InvoicePrefix: "NV", CreditPrefix: "NVC", PaymentDays: "30", DefaultRate: "19",
}

func setup(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	ctx := context.Background()
	w := world{ctx: ctx, db: db, inv: invoice.NewService(db), deals: crm.NewService(db, lead.NewService(db)), products: product.NewService(db),
		admin: usertest.Actor(t, db, "admin@example.com", access.Admin), ann: usertest.Actor(t, db, "ann@example.com", access.Sales),
		bob: usertest.Actor(t, db, "bob@example.com", access.Sales), mia: usertest.Actor(t, db, "mia@example.com", access.Marketing)}
	if _, err := w.inv.SaveSeller(ctx, w.admin, seller); err != nil {
		t.Fatal(err)
	}
	acc, err := w.deals.CreateAccount(ctx, w.admin, crm.AccountInput{Name: "Fjordlys", Country: "NO", City: "Tromsø"})
	if err != nil {
		t.Fatal(err)
	}
	w.account = acc.ID
	if _, err := w.inv.SaveBilling(ctx, w.ann, acc.ID, invoice.Party{LegalName: "Fjordlys Håndverk AS", VATID: "NO999888777MVA",
		Street: "Storgata 5", City: "Tromsø", PostalCode: "9008", Country: "NO"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func codeOf(err error) fault.Code { return fault.CodeOf(err) }

func fieldOf(err error, name string) string {
	if e := fault.As(err); e != nil {
		return e.Fields[name]
	}
	return ""
}

// draft makes a draft for ann with the given lines.
func (w world) draft(t *testing.T, who access.Actor, lines ...invoice.LineInput) invoice.Invoice {
	t.Helper()
	i, err := w.inv.Create(w.ctx, who, invoice.New{AccountID: w.account, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if i, err = w.inv.AddLine(w.ctx, who, i.ID, l); err != nil {
			t.Fatal(err)
		}
	}
	return i
}

var consulting = invoice.LineInput{Name: "Consultanță implementare", Quantity: "3", UnitPrice: "450", Category: "S", Rate: "19"}

// A won deal becomes a draft with its products; the draft is issued
// with the next number, is then frozen, is paid in two parts, and an
// overpayment is refused naming the amount.
func TestFromDealToPaid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		seat, err := w.products.Create(w.ctx, w.admin, product.Input{Name: "CRM seat (year)", UnitPrice: "480", Currency: "EUR", UnitCost: "120", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		deal, err := w.deals.CreateOpportunity(w.ctx, w.admin, crm.OpportunityInput{AccountID: w.account, Name: "Seats for Tromsø", Owner: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.products.AddLine(w.ctx, w.ann, deal.ID, seat.ID, "10"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.inv.FromDeal(w.ctx, w.ann, deal.ID); codeOf(err) != fault.Conflict {
			t.Fatalf("an open deal invoiced: %v", err)
		}
		if _, err := w.deals.Move(w.ctx, w.ann, deal.ID, "won", ""); err != nil {
			t.Fatal(err)
		}
		d, err := w.inv.FromDeal(w.ctx, w.ann, deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 10 seats at 480 = 4,800.00, VAT 19% = 912.00; they cost 1,200.00.
		if len(d.Lines) != 1 || d.Totals.TaxExclusive != 480000 || d.Totals.VAT != 91200 || d.Totals.Cost != 120000 || d.OwnerID != w.ann.ID {
			t.Fatalf("draft from the deal: %+v", d)
		}
		if _, err := w.inv.Get(w.ctx, w.bob, d.ID); codeOf(err) != fault.Forbidden {
			t.Errorf("bob reads ann's invoice: %v", err)
		}
		if _, err := w.inv.Get(w.ctx, w.mia, d.ID); codeOf(err) != fault.Forbidden {
			t.Errorf("marketing reads an invoice: %v", err)
		}
		i, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if i.Number != "NV-2026-0001" || i.Status != invoice.Issued || i.DueDate != "2026-12-30" || i.Buyer.LegalName != "Fjordlys Håndverk AS" {
			t.Fatalf("issued: %s %s due %s to %q", i.Number, i.Status, i.DueDate, i.Buyer.LegalName)
		}
		if _, err := w.inv.AddLine(w.ctx, w.ann, i.ID, consulting); codeOf(err) != fault.Conflict {
			t.Errorf("a line added to an issued invoice: %v", err)
		}
		if err := w.inv.Delete(w.ctx, w.ann, i.ID); codeOf(err) != fault.Conflict {
			t.Errorf("an issued invoice deleted: %v", err)
		}
		// A change of the seller's details later leaves the issued one as it was.
		changed := seller
		changed.LegalName = "Nordvest Group SRL"
		if _, err := w.inv.SaveSeller(w.ctx, w.admin, changed); err != nil {
			t.Fatal(err)
		}
		if i, _ = w.inv.Get(w.ctx, w.ann, i.ID); i.Seller.LegalName != "Nordvest Soluții SRL" {
			t.Errorf("the issued invoice's seller became %q", i.Seller.LegalName)
		}
		if i.IsOverdue("2026-12-30") || !i.IsOverdue("2026-12-31") {
			t.Errorf("overdue on the due date, or not the day after")
		}
		if _, err := w.inv.RecordPayment(w.ctx, w.ann, i.ID, invoice.PaymentInput{Amount: "5712.01"}, "2026-12-01"); !strings.Contains(fieldOf(err, "amount"), "5,712.00 EUR still owed") {
			t.Errorf("an overpayment: %v", err)
		}
		if _, err := w.inv.RecordPayment(w.ctx, w.ann, i.ID, invoice.PaymentInput{Amount: "1000", PaidOn: "2027-01-01"}, "2026-12-01"); fieldOf(err, "paid_on") == "" {
			t.Errorf("a payment in the future: %v", err)
		}
		if i, err = w.inv.RecordPayment(w.ctx, w.ann, i.ID, invoice.PaymentInput{Amount: "2000", Method: "bank transfer"}, "2026-12-02"); err != nil || i.Status != invoice.Issued || i.Balance() != 371200 {
			t.Fatalf("a part payment: %v, %s, owed %d", err, i.Status, i.Balance())
		}
		if i, err = w.inv.RecordPayment(w.ctx, w.ann, i.ID, invoice.PaymentInput{Amount: "3712.00"}, "2026-12-03"); err != nil || i.Status != invoice.Paid || len(i.Payments) != 2 {
			t.Fatalf("the rest: %v, %s", err, i.Status)
		}
	})
}

// Credit notes correct an issued invoice: a partial one lowers what is
// owed, a void credits the whole and cancels it, and no credit note may
// credit more than the invoice.
func TestCreditNotesAndVoid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		d := w.draft(t, w.ann, consulting, invoice.LineInput{Name: "Licență", Quantity: "2", UnitPrice: "100", Category: "S", Rate: "19"})
		i, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		cn, err := w.inv.CreditNote(w.ctx, w.ann, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cn.Kind != invoice.KindCreditNote || cn.CreditOfNumber != i.Number || len(cn.Lines) != 2 {
			t.Fatalf("credit note draft: %+v", cn)
		}
		// Credit only the licences: 2 × 100 + 19% = 238.00.
		if cn, err = w.inv.RemoveLine(w.ctx, w.ann, cn.ID, cn.Lines[0].ID); err != nil {
			t.Fatal(err)
		}
		if cn, err = w.inv.Issue(w.ctx, w.ann, cn.ID, "2026-12-01"); err != nil || cn.Number != "NVC-2026-0001" || cn.Totals.TaxInclusive != 23800 {
			t.Fatalf("credit note issued: %v %s %d", err, cn.Number, cn.Totals.TaxInclusive)
		}
		i, _ = w.inv.Get(w.ctx, w.ann, i.ID)
		if i.Credited != 23800 || i.Balance() != i.Totals.TaxInclusive-23800 || len(i.Credits) != 1 {
			t.Errorf("after the credit note the invoice owes %d (credited %d)", i.Balance(), i.Credited)
		}
		if _, err := w.inv.Void(w.ctx, w.ann, i.ID, "2026-12-01"); codeOf(err) != fault.Conflict {
			t.Errorf("an invoice already part credited voided: %v", err)
		}
		// A second full credit note would credit more than is left.
		full, err := w.inv.CreditNote(w.ctx, w.ann, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.inv.Issue(w.ctx, w.ann, full.ID, "2026-12-01"); codeOf(err) != fault.Conflict {
			t.Errorf("a credit note above what is left: %v", err)
		}
		if err := w.inv.Delete(w.ctx, w.ann, full.ID); err != nil {
			t.Fatal(err)
		}

		other, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, consulting).ID, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		voiding, err := w.inv.Void(w.ctx, w.ann, other.ID, "2026-12-02")
		if err != nil {
			t.Fatal(err)
		}
		other, _ = w.inv.Get(w.ctx, w.ann, other.ID)
		if other.Status != invoice.Void || voiding.Number != "NVC-2026-0002" || voiding.Totals.TaxInclusive != other.Totals.TaxInclusive {
			t.Errorf("void: invoice %s, credit note %s for %d of %d", other.Status, voiding.Number, voiding.Totals.TaxInclusive, other.Totals.TaxInclusive)
		}
		if _, err := w.inv.RecordPayment(w.ctx, w.ann, other.ID, invoice.PaymentInput{Amount: "1"}, "2026-12-02"); codeOf(err) != fault.Conflict {
			t.Errorf("a payment on a void invoice: %v", err)
		}
	})
}

// A draft that lacks what the law needs is not issued, and each missing
// detail is named; no number is used up by the refusal.
func TestIssueNamesWhatIsMissing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		acc, err := w.deals.CreateAccount(w.ctx, w.admin, crm.AccountInput{Name: "Nameless"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.inv.Create(w.ctx, w.ann, invoice.New{AccountID: acc.ID, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
		if fieldOf(err, "buyer.country") == "" || fieldOf(err, "lines") == "" {
			t.Errorf("a draft without lines for an account without a country: %v", err)
		}
		if _, err := w.inv.Create(w.ctx, w.ann, invoice.New{AccountID: acc.ID, Currency: "euro"}); fieldOf(err, "currency") == "" {
			t.Errorf("a bad currency: %v", err)
		}
		if _, err := w.inv.SaveSeller(w.ctx, w.admin, invoice.SellerInput{IBAN: "RO49 AAAA 1B31 0075 9384 0001", InvoicePrefix: "A", CreditPrefix: "a", PaymentDays: "x", DefaultRate: "120", Party: invoice.Party{VATID: "18547290", Country: "Romania"}}); err == nil {
			t.Error("bad seller settings saved")
		} else {
			for _, f := range []string{"iban", "credit_note_prefix", "payment_days", "default_vat_rate", "vat_id"} {
				if fieldOf(err, f) == "" {
					t.Errorf("seller settings: %s not named in %v", f, err)
				}
			}
		}
		if _, err := w.inv.SaveSeller(w.ctx, w.ann, seller); codeOf(err) != fault.Forbidden {
			t.Errorf("a sales user changes the seller: %v", err)
		}
		ok, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, consulting).ID, "2026-11-30")
		if err != nil || ok.Number != "NV-2026-0001" {
			t.Errorf("after a refusal the first number is %q (%v)", ok.Number, err)
		}
	})
}

// Issued at once from many connections, invoices get consecutive
// numbers: no gaps, no repeats, on both databases.
func TestNumberingUnderConcurrentIssue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		const n = 16
		ids := make([]int64, n)
		for k := range ids {
			ids[k] = w.draft(t, w.ann, consulting).ID
		}
		numbers := make([]string, n)
		var fns []func() error
		for k := range ids {
			fns = append(fns, func() error {
				i, err := w.inv.Issue(w.ctx, w.ann, ids[k], "2026-11-30")
				numbers[k] = i.Number
				return err
			})
		}
		if err := errors.Join(dbtest.Together(fns...)...); err != nil {
			t.Fatal(err)
		}
		slices.Sort(numbers)
		for k, got := range numbers {
			if want := fmt.Sprintf("NV-2026-%04d", k+1); got != want {
				t.Fatalf("numbers issued at once: %v", numbers)
			}
		}
		// A new year starts its series again.
		i, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, consulting).ID, "2027-01-01")
		if err != nil || i.Number != "NV-2027-0001" {
			t.Errorf("first of 2027: %q, %v", i.Number, err)
		}
	})
}

// Payments recorded at once cannot pay more than is owed: of five
// payments of 40% each, exactly two are taken.
func TestConcurrentPaymentsNeverOverpay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		i, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, invoice.LineInput{Name: "Plan", Quantity: "1", UnitPrice: "1000", Category: "E"}).ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		var fns []func() error
		for range 5 {
			fns = append(fns, func() error {
				_, err := w.inv.RecordPayment(w.ctx, w.ann, i.ID, invoice.PaymentInput{Amount: "400"}, "2026-12-01")
				return err
			})
		}
		ok := 0
		for _, err := range dbtest.Together(fns...) {
			switch {
			case err == nil:
				ok++
			case fieldOf(err, "amount") == "":
				t.Errorf("a refused payment: %v", err)
			}
		}
		i, _ = w.inv.Get(w.ctx, w.ann, i.ID)
		if ok != 2 || i.Paid != 80000 || len(i.Payments) != 2 {
			t.Errorf("%d payments taken, %d paid", ok, i.Paid)
		}
	})
}

// A won deal without products is invoiced for its amount, in its
// currency, at the default VAT rate.
func TestDealWithoutProductsIsInvoicedForItsAmount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		deal, err := w.deals.CreateOpportunity(w.ctx, w.admin, crm.OpportunityInput{AccountID: w.account, Name: "Expansion", Amount: "12000", Currency: "USD", Owner: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.deals.Move(w.ctx, w.ann, deal.ID, "won", ""); err != nil {
			t.Fatal(err)
		}
		d, err := w.inv.FromDeal(w.ctx, w.ann, deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Currency != "USD" || len(d.Lines) != 1 || d.Lines[0].Name != "Expansion" || d.Totals.TaxExclusive != 1200000 || d.Totals.VAT != 228000 || d.Totals.CostKnown {
			t.Errorf("draft of a 12,000 USD deal: %s, %+v, %+v", d.Currency, d.Lines, d.Totals)
		}
	})
}

// A prefix changed to one the other kind of document used cannot make
// a number twice: the issue is refused, and the draft stays a draft.
func TestPrefixCollisionIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		i, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, consulting).ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.inv.Void(w.ctx, w.ann, i.ID, "2026-11-30"); err != nil { // credit note NVC-2026-0001
			t.Fatal(err)
		}
		changed := seller
		changed.InvoicePrefix, changed.CreditPrefix = "NVC", "NVX"
		if _, err := w.inv.SaveSeller(w.ctx, w.admin, changed); err != nil {
			t.Fatal(err)
		}
		// Invoices now use the credit notes' old prefix: the second
		// invoice is NVC-2026-0002, which no credit note has yet.
		d := w.draft(t, w.ann, consulting)
		got, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
		if err != nil || got.Number != "NVC-2026-0002" {
			t.Fatalf("the second invoice: %q, %v", got.Number, err)
		}
		// Swapped back, the second credit note would be NVC-2026-0002 too.
		changed.InvoicePrefix, changed.CreditPrefix = "NVX", "NVC"
		if _, err := w.inv.SaveSeller(w.ctx, w.admin, changed); err != nil {
			t.Fatal(err)
		}
		other, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, consulting).ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		cn, err := w.inv.CreditNote(w.ctx, w.ann, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.inv.Issue(w.ctx, w.ann, cn.ID, "2026-11-30"); codeOf(err) != fault.Conflict || fieldOf(err, "seller.invoice_prefix") == "" {
			t.Errorf("a credit note numbered NVC-2026-0002 again: %v", err)
		}
		if cn, _ = w.inv.Get(w.ctx, w.ann, cn.ID); cn.Status != invoice.Draft {
			t.Errorf("the refused credit note is %s", cn.Status)
		}
	})
}
