package lead_test

import (
	"context"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// The same email arrives with another company and another birth date: the
// lead keeps its values, both sets wait side by side for a reviewer, who
// takes the new company and keeps the birth date.
func TestDifferingValuesWaitForReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		in := func(c lead.Changes) lead.IntakeResult {
			r, err := svc.Intake(ctx, lead.Incoming{Changes: c, Origin: formOrigin})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		first := in(lead.Changes{"email": "ana@orbit.io", "first_name": "Ana", "company": "Orbit", "custom.birth_date": "1990-04-01"})
		in(lead.Changes{"email": "ANA@orbit.io", "first_name": "Ana", "company": "Nebula Labs", "custom.birth_date": "1991-04-01", "city": "Cluj", "utm_campaign": "spring"})
		in(lead.Changes{"email": "ana@orbit.io", "utm_campaign": "autumn"}) // another visit: for the timeline, not for review
		in(lead.Changes{"email": "bo@orbit.io", "first_name": "Bo"})
		in(lead.Changes{"email": "bo@orbit.io", "first_name": "Bob"})

		if _, err := svc.ValueReviews(ctx, tm.ann, "", 0); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales reads the value reviews: %v", err)
		}
		p, err := svc.ValueReviews(ctx, tm.marketing, "", 1)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 2 || len(p.Reviews) != 1 || p.Next == "" {
			t.Fatalf("first page: %+v", p)
		}
		r := p.Reviews[0]
		if r.Lead.ID != first.Lead.ID || r.Values["company"] != [2]string{"Orbit", "Nebula Labs"} ||
			r.Values["custom.birth_date"] != [2]string{"1990-04-01", "1991-04-01"} || len(r.Values) != 2 || r.Reason != formOrigin.Reason {
			t.Errorf("review %+v", r)
		}
		if r.Lead.Company != "Orbit" || r.Lead.City != "Cluj" {
			t.Errorf("before review the lead has %q, %q: it kept its company and filled the empty city", r.Lead.Company, r.Lead.City)
		}
		p2, _ := svc.ValueReviews(ctx, tm.marketing, p.Next, 1)
		if len(p2.Reviews) != 1 || p2.Reviews[0].Values["first_name"] != [2]string{"Bo", "Bob"} || p2.Next != "" {
			t.Errorf("second page %+v", p2)
		}

		if _, err := svc.ResolveValues(ctx, tm.marketing, r.ID, map[string]string{"company": "both", "phone": "offered"}); fieldsOf(err)["pick.company"] == "" || fieldsOf(err)["pick.phone"] == "" {
			t.Errorf("a bad choice and a field not in the review: %v", err)
		}
		l, err := svc.ResolveValues(ctx, tm.marketing, r.ID, map[string]string{"company": lead.Take, "custom.birth_date": lead.Keep})
		if err != nil {
			t.Fatal(err)
		}
		if l.Company != "Nebula Labs" || l.Custom["birth_date"] != "1990-04-01" {
			t.Errorf("after review: %q %q", l.Company, l.Custom["birth_date"])
		}
		if _, err := svc.ResolveValues(ctx, tm.marketing, r.ID, nil); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("reviewed twice: %v", err)
		}
		if p, _ := svc.ValueReviews(ctx, tm.marketing, "", 0); p.Total != 1 {
			t.Errorf("%d reviews left, want 1", p.Total)
		}
	})
}
