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
// its owner (a form sends every field; an empty name keeps the name):
// both changes are kept, every time. Two moves at once are both
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
					_, err := svc.UpdateOpportunity(ctx, tm.admin, o.ID, crm.OpportunityInput{Name: name, Amount: "100", Currency: "EUR"})
					return err
				},
				func() error {
					_, err := svc.UpdateOpportunity(ctx, tm.admin, o.ID, crm.OpportunityInput{Amount: "100", Currency: "EUR", Owner: "bob@example.com"})
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
