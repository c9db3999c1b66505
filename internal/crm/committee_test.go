package crm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// The committee of the newest open deal: who holds which role, which
// needed roles nobody holds (a blocker is a risk, never missing), and
// who has no role yet.
func TestCommitteeOf(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	won := day
	contacts := []crm.Contact{
		{ID: 1, FirstName: "Ada", Role: crm.DecisionMaker},
		{ID: 2, FirstName: "Bo", Role: crm.Blocker},
		{ID: 3, FirstName: "Cy"},
		{ID: 4, FirstName: "Di", Role: crm.Influencer},
		{ID: 5, FirstName: "Ed", Role: crm.Influencer},
	}
	opps := []crm.Opportunity{
		{ID: 10, Name: "old, won", CreatedAt: day.Add(72 * time.Hour), ClosedAt: &won},
		{ID: 11, Name: "open", CreatedAt: day},
		{ID: 12, Name: "newer open", CreatedAt: day.Add(24 * time.Hour)},
	}
	c := crm.CommitteeOf(contacts, opps)
	if c.Opportunity == nil || c.Opportunity.ID != 12 {
		t.Errorf("opportunity %+v, want the newest open one", c.Opportunity)
	}
	var seats []string
	for _, s := range c.Seats {
		var ids []int64
		for _, p := range s.Contacts {
			ids = append(ids, p.ID)
		}
		seats = append(seats, fmt.Sprint(s.Role, ids))
	}
	if got := fmt.Sprint(seats); got != "[decision_maker[1] champion[] influencer[4 5] user[] blocker[2]]" {
		t.Errorf("seats %s", got)
	}
	if fmt.Sprint(c.Missing) != "[champion user]" || len(c.Unassigned) != 1 || c.Unassigned[0].ID != 3 {
		t.Errorf("missing %v, unassigned %v", c.Missing, c.Unassigned)
	}
	if c := crm.CommitteeOf(nil, opps[:1]); c.Opportunity != nil || len(c.Missing) != 4 {
		t.Errorf("no open deal, no contacts: %+v", c)
	}
}

// Who may see a contact sets its role; the account shows the committee
// with it; a bad role is refused naming the field; every change is on
// the audit log; two users setting roles at once both land, the last
// one winning.
func TestSetContactRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l := sqlLead(t, leads, tm, lead.Changes{"email": "cto@acme.de", "first_name": "Ada", "company": "ACME GmbH"})
		res, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "ACME – 40 seats"}})
		if err != nil {
			t.Fatal(err)
		}
		// The qualification's authority is the contact's first role.
		if c, err := svc.Contact(ctx, tm.ann, res.ContactID); err != nil || c.Role != crm.DecisionMaker {
			t.Errorf("the converted contact's role: %q (%v), want the qualification's decision_maker", c.Role, err)
		}
		if _, err := svc.SetContactRole(ctx, tm.bob, res.ContactID, "champion"); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user set Ann's contact's role: %v", err)
		}
		_, err = svc.SetContactRole(ctx, tm.ann, res.ContactID, "boss")
		if e := fault.As(err); e == nil || e.Code != fault.Invalid || e.Fields["role"] == "" {
			t.Errorf("bad role: %v", err)
		}
		errs := dbtest.Together(
			func() error { _, err := svc.SetContactRole(ctx, tm.ann, res.ContactID, "champion"); return err },
			func() error { _, err := svc.SetContactRole(ctx, tm.admin, res.ContactID, "influencer"); return err },
		)
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("roles set at once: %v", errs)
		}
		v, err := svc.Account(ctx, tm.ann, res.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		role := v.Contacts[0].Role
		if role != crm.Champion && role != crm.Influencer {
			t.Fatalf("role %q", role)
		}
		if v.Committee.Opportunity == nil || v.Committee.Opportunity.ID != res.OpportunityID || len(v.Committee.Missing) != 3 {
			t.Errorf("committee %+v", v.Committee)
		}
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'contact.role' AND subject_id = ?`, res.ContactID).Scan(&n)
		if n != 2 {
			t.Errorf("%d audit entries, want one per change (2)", n)
		}
	})
}
