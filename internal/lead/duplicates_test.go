package lead_test

import (
	"context"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

func TestDuplicatesAndMerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		mk := func(c lead.Changes) lead.Lead {
			r, err := svc.Intake(ctx, lead.Incoming{Changes: c, Origin: formOrigin})
			if err != nil {
				t.Fatal(err)
			}
			return r.Lead
		}
		a := mk(lead.Changes{"email": "ana.pop@orbit.io", "first_name": "Ana", "last_name": "Pop", "company": "Orbit", "country": "RO"})
		b := mk(lead.Changes{"email": "ana@gmail.com", "first_name": "ana", "last_name": "POP", "company": "orbit", "job_title": "CTO", "country": "DE"})
		c := mk(lead.Changes{"email": "x@y.io", "phone": "+40721234567"})
		d := mk(lead.Changes{"email": "z@y.io", "phone": "0721 234 567", "country": "RO"})
		mk(lead.Changes{"email": "solo@y.io", "first_name": "Ana", "last_name": "Pop", "company": "Other"})

		pairs, err := svc.ProbableDuplicates(ctx, tm.marketing, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(pairs) != 2 || pairs[0].A.ID != c.ID || pairs[0].B.ID != d.ID || pairs[0].Reason != lead.ReasonPhone ||
			pairs[1].A.ID != a.ID || pairs[1].B.ID != b.ID || pairs[1].Reason != lead.ReasonNameCompany {
			t.Fatalf("pairs %+v", pairs)
		}
		if _, err := svc.ProbableDuplicates(ctx, tm.ann, 50); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales listing duplicates: %v", err)
		}

		m, err := svc.Merge(ctx, tm.marketing, a.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Email != "ana.pop@orbit.io" || m.JobTitle != "CTO" || m.Country != "RO" {
			t.Errorf("merged lead %+v", m)
		}
		if _, err := svc.Get(ctx, tm.admin, b.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("the merged-away lead still exists: %v", err)
		}
		tl, _ := svc.Timeline(ctx, tm.admin, a.ID)
		kinds := map[string]int{}
		for _, ch := range tl {
			kinds[ch.Kind]++
		}
		// Both leads' "created" entries, the merge, and the country conflict.
		if kinds["created"] != 2 || kinds["merged"] != 1 || kinds["conflict"] != 1 {
			t.Errorf("survivor's timeline %v", kinds)
		}
		if ev, _ := svc.Events(ctx, a.ID, 10); len(ev) != 2 {
			t.Errorf("survivor has %d events, want both leads' submissions", len(ev))
		}
		if _, err := svc.Merge(ctx, tm.admin, a.ID, a.ID); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("merging a lead into itself: %v", err)
		}
		if _, err := svc.Merge(ctx, tm.ann, c.ID, d.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales merging: %v", err)
		}
	})
}
