package crm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Bob, in sales, opens a deal on the account he shares with Ann, naming
// Ann's contact: he is refused, by the field. A deal he does hold with a
// contact (or leads) he may not change cannot be won by him either, since
// winning would make them customers in his name.
func TestSalesCannotReachAnotherOwnersContactThroughADeal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l := sqlLead(t, leads, tm, lead.Changes{"email": "cto@initech.com", "company": "Initech"})
		conv, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{})
		if err != nil {
			t.Fatal(err)
		}

		_, err = svc.CreateOpportunity(ctx, tm.bob, crm.OpportunityInput{AccountID: conv.AccountID, ContactID: conv.ContactID, Name: "Stolen"})
		if e := fault.As(err); e == nil || e.Code != fault.Forbidden || e.Fields["contact_id"] == "" {
			t.Fatalf("bob opened a deal with ann's contact: %v", err)
		}
		if p, _ := svc.Opportunities(ctx, tm.admin, crm.ListOptions{}); p.Total != 0 {
			t.Errorf("%d deals after a refused one", p.Total)
		}

		// An admin gives bob a deal with ann's contact; bob wins it.
		o, err := svc.CreateOpportunity(ctx, tm.admin, crm.OpportunityInput{AccountID: conv.AccountID, ContactID: conv.ContactID,
			Name: "Handed over", Owner: "bob@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Move(ctx, tm.bob, o.ID, "won", "signed"); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("bob won a deal whose contact is ann's: %v", err)
		}
		c, _ := svc.Contact(ctx, tm.admin, conv.ContactID)
		got, _ := leads.Get(ctx, tm.admin, l.ID)
		if c.Stage == lead.Customer || got.Stage == lead.Customer {
			t.Errorf("after bob's refused win: contact %s, lead %s", c.Stage, got.Stage)
		}
		if v, _ := svc.Opportunity(ctx, tm.admin, o.ID); v.Stage == "won" {
			t.Error("the refused win moved the deal")
		}

		// Ann's own deal with her contact, whose lead now belongs to bob:
		// winning it would change bob's lead, so she is refused too.
		own, err := svc.CreateOpportunity(ctx, tm.ann, crm.OpportunityInput{AccountID: conv.AccountID, ContactID: conv.ContactID, Name: "Ann's"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Update(ctx, tm.admin, l.ID, lead.Changes{"owner": "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Move(ctx, tm.ann, own.ID, "won", "signed")
		if fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann's win made bob's lead a customer: %v", err)
		}
		// The refusal does not tell her the id of a lead she may not see.
		if strings.Contains(err.Error(), fmt.Sprintf("lead %d", l.ID)) {
			t.Errorf("the refusal names bob's lead: %v", err)
		}
		if got, _ := leads.Get(ctx, tm.admin, l.ID); got.Stage == lead.Customer {
			t.Errorf("bob's lead is a %s", got.Stage)
		}
		// The admin may: the contact and the lead become customers.
		if _, err := svc.Move(ctx, tm.admin, own.ID, "won", "signed"); err != nil {
			t.Fatal(err)
		}
		c, _ = svc.Contact(ctx, tm.admin, conv.ContactID)
		got, _ = leads.Get(ctx, tm.admin, l.ID)
		if c.Stage != lead.Customer || got.Stage != lead.Customer {
			t.Errorf("after the admin's win: contact %s, lead %s", c.Stage, got.Stage)
		}
	})
}

// Accounts are shared, but their owner is not for sales to hand out: Ann
// may own or release an account that is hers or nobody's, not give it to
// Bob nor take Bob's, while she may still edit Bob's account otherwise.
func TestSalesCannotSetAnAccountsOwnerToSomeoneElse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, svc, tm := setup(t, db)
		if _, err := svc.CreateAccount(ctx, tm.ann, crm.AccountInput{Name: "Globex", Owner: "bob@example.com"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann created an account for bob: %v", err)
		}
		mine, err := svc.CreateAccount(ctx, tm.ann, crm.AccountInput{Name: "Hooli"})
		if err != nil || mine.OwnerEmail != "ann@example.com" {
			t.Fatalf("ann's account %+v %v", mine, err)
		}
		if _, err := svc.UpdateAccount(ctx, tm.ann, mine.ID, crm.AccountInput{Name: "Hooli", Owner: "bob@example.com"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann handed her account to bob: %v", err)
		}
		bobs, err := svc.CreateAccount(ctx, tm.bob, crm.AccountInput{Name: "Umbrella"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateAccount(ctx, tm.ann, bobs.ID, crm.AccountInput{Name: "Umbrella", Owner: "ann@example.com"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann took bob's account: %v", err)
		}
		if _, err := svc.UpdateAccount(ctx, tm.ann, bobs.ID, crm.AccountInput{Name: "Umbrella"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann released bob's account: %v", err)
		}
		if acc, _ := svc.Account(ctx, tm.admin, bobs.ID); acc.OwnerEmail != "bob@example.com" {
			t.Errorf("bob's account is owned by %q", acc.OwnerEmail)
		}
		// Editing a shared account, owner unchanged, stays open to all.
		acc, err := svc.UpdateAccount(ctx, tm.ann, bobs.ID, crm.AccountInput{Name: "Umbrella Corp", City: "Raccoon City", Owner: "bob@example.com"})
		if err != nil || acc.City != "Raccoon City" || acc.OwnerEmail != "bob@example.com" {
			t.Errorf("ann's edit of bob's account: %+v %v", acc, err)
		}
		// Her own may be released; an admin hands accounts to anyone.
		if acc, err := svc.UpdateAccount(ctx, tm.ann, mine.ID, crm.AccountInput{Name: "Hooli"}); err != nil || acc.OwnerID != 0 {
			t.Errorf("ann released her account: %+v %v", acc, err)
		}
		if acc, err := svc.UpdateAccount(ctx, tm.admin, mine.ID, crm.AccountInput{Name: "Hooli", Owner: "bob@example.com"}); err != nil || acc.OwnerEmail != "bob@example.com" {
			t.Errorf("the admin handed an account to bob: %+v %v", acc, err)
		}
	})
}
