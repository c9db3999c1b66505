package invoice_test

import (
	"testing"
	"time"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/report"
	"leadflow/internal/sqldb"
)

// The dashboard's margin of a channel follows a won deal: its products'
// margin before it is invoiced, its invoice's after, less what a credit
// note gives back; the ROI on margin is worked out on it.
func TestMarginReachesTheDashboard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := setup(t, db)
		leads := lead.NewService(db)
		kpis := report.NewService(db)
		buyer, err := leads.Create(w.ctx, w.admin, lead.Changes{"email": "eva@fjordlys.example", "source": "ads", "company": "Fjordlys", "stage": "mql", "owner": "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Qualify(w.ctx, w.admin, buyer.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		conv, err := w.deals.Convert(w.ctx, w.admin, buyer.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Seats", Amount: "5000", Currency: "EUR"}})
		if err != nil {
			t.Fatal(err)
		}
		seat, err := w.products.Create(w.ctx, w.admin, product.Input{Name: "Seat", UnitPrice: "480", Currency: "EUR", UnitCost: "96", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.products.AddLine(w.ctx, w.admin, conv.OpportunityID, seat.ID, "10"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.deals.Move(w.ctx, w.admin, conv.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		period := report.Period{From: from, To: from.AddDate(0, 1, 0)}
		if _, err := kpis.SetSpend(w.ctx, w.admin, report.SpendInput{Source: "ads", Month: from.Format("2006-01"), Amount: "1000", Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		ads := func() report.Row {
			t.Helper()
			k, err := kpis.KPIs(w.ctx, period, "EUR")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range k.Channels {
				if r.Source == "ads" {
					return r
				}
			}
			t.Fatalf("no ads channel in %+v", k.Channels)
			return report.Row{}
		}
		// 10 seats at 480 costing 96: 3,840 of margin.
		if r := ads(); r.Margin != 3840 || r.MarginDeals != 1 || r.Won != 1 {
			t.Errorf("before invoicing: margin %d of %d deals", r.Margin, r.MarginDeals)
		}
		d, err := w.inv.FromDeal(w.ctx, w.ann, conv.OpportunityID)
		if err != nil {
			t.Fatal(err)
		}
		// Invoiced at a 10% discount: 4,320 less 960 of cost is 3,360.
		if d, err = w.inv.AddAllowance(w.ctx, w.ann, d.ID, invoice.AllowanceInput{Reason: "Launch discount", Amount: "480", Category: "S", Rate: "19"}); err != nil {
			t.Fatal(err)
		}
		if r := ads(); r.Margin != 3840 {
			t.Errorf("a draft changed the margin to %d", r.Margin)
		}
		i, err := w.inv.Issue(w.ctx, w.ann, d.ID, time.Now().UTC().Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		r := ads()
		if r.Margin != 3360 || r.MarginDeals != 1 {
			t.Errorf("invoiced: margin %d of %d deals", r.Margin, r.MarginDeals)
		}
		if roi, ok := r.ROIOnMargin(); !ok || roi != 2.36 {
			t.Errorf("ROI on margin %v, %v; want (3360 - 1000) / 1000", roi, ok)
		}
		// A credit note of the whole invoice gives all of it back.
		if _, err := w.inv.Void(w.ctx, w.ann, i.ID, time.Now().UTC().Format(time.DateOnly)); err != nil {
			t.Fatal(err)
		}
		if r := ads(); r.Margin != 0 || r.MarginDeals != 1 {
			t.Errorf("voided: margin %d of %d deals", r.Margin, r.MarginDeals)
		}
	})
}
