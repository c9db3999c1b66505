package crm_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Two people change one deal at the same moment, one its name, the other
// its owner, each edit made to the deal as it is when locked: both
// changes are kept, every time. Two moves at once are both
// recorded, the second from where the first left the deal.
func TestConcurrentDealChangesKeepAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l := sqlLead(t, leads, tm, lead.Changes{"email": "cto@acme.de", "company": "ACME GmbH"})
		conv, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{})
		if err != nil {
			t.Fatal(err)
		}
		const rounds = 20
		lost, forked := 0, 0
		for r := 0; r < rounds; r++ {
			o, err := svc.CreateOpportunity(ctx, tm.admin, crm.OpportunityInput{AccountID: conv.AccountID, Name: "Deal", Amount: "100",
				Currency: "EUR", Owner: "ann@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("Deal %d", r)
			errs := dbtest.Together(
				func() error {
					_, err := svc.UpdateOpportunity(ctx, tm.admin, o.ID, func(cur crm.Opportunity) (crm.OpportunityInput, error) {
						in := crm.OpportunityInputOf(cur)
						in.Name = name
						return in, nil
					})
					return err
				},
				func() error {
					_, err := svc.UpdateOpportunity(ctx, tm.admin, o.ID, func(cur crm.Opportunity) (crm.OpportunityInput, error) {
						in := crm.OpportunityInputOf(cur)
						in.Owner = "bob@example.com"
						return in, nil
					})
					return err
				},
			)
			errs = append(errs, dbtest.Together(
				func() error { _, err := svc.Move(ctx, tm.admin, o.ID, "proposal", ""); return err },
				func() error { _, err := svc.Move(ctx, tm.admin, o.ID, "negotiation", ""); return err },
			)...)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			v, err := svc.Opportunity(ctx, tm.admin, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Name != name || v.OwnerEmail != "bob@example.com" {
				lost++
			}
			// Newest first: the later move starts where the earlier ended.
			if h := v.History; len(h) != 3 || h[0].From != h[1].To || h[0].To != v.Stage {
				forked++
			}
			if v.Version != o.Version+4 {
				t.Errorf("round %d: version %d after four writes of version %d", r, v.Version, o.Version)
			}
		}
		if lost > 0 || forked > 0 {
			t.Errorf("of %d rounds, %d lost an update and %d recorded two moves from the same stage", rounds, lost, forked)
		}
	})
}

// Ten people of one new company, some by their work address and some
// from free-mail with only the company's name, are converted at the same
// moment: they share one account, on either database.
func TestConcurrentConversionsOfOneCompanyMakeOneAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		const n = 10
		var convs []func() error
		for i := range n {
			c := lead.Changes{"email": fmt.Sprintf("p%d@fabrikam.com", i), "company": "Fabrikam Ltd"}
			if i%3 == 2 {
				c = lead.Changes{"email": fmt.Sprintf("fabrikam.p%d@gmail.com", i), "company": "Fabrikam"}
			}
			l := sqlLead(t, leads, tm, c)
			convs = append(convs, func() error { _, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{}); return err })
		}
		for _, err := range dbtest.Together(convs...) {
			if err != nil {
				t.Error(err)
			}
		}
		accs, err := svc.Accounts(ctx, tm.admin, crm.ListOptions{})
		if err != nil || accs.Total != 1 {
			t.Fatalf("%d accounts, want 1 (%v)", accs.Total, err)
		}
		if acc, _ := svc.Account(ctx, tm.admin, accs.Items[0].ID); len(acc.Contacts) != n {
			t.Errorf("the account has %d contacts, want %d", len(acc.Contacts), n)
		}
	})
}
