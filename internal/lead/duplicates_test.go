package lead_test

import (
	"context"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/identity"
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

		page, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[[2]int64]lead.Pair{}
		for _, p := range page.Pairs {
			got[[2]int64{p.A.ID, p.B.ID}] = p
		}
		phone, name := got[[2]int64{c.ID, d.ID}], got[[2]int64{a.ID, b.ID}]
		if phone.Score == 0 || name.Score == 0 {
			t.Fatalf("the same phone (+40721234567 and a national 0721 234 567) and the same name at the same company are both probable duplicates: %+v", page.Pairs)
		}
		if why := explained(phone, "phone"); why != "same" {
			t.Errorf("the phone pair is explained by the phone as %q", why)
		}
		if explained(name, "first_name") != "same" || explained(name, "company") != "same" || explained(name, "country") != "different" {
			t.Errorf("the name pair explained as %+v", name.Fields)
		}
		if _, err := svc.ProbableDuplicates(ctx, tm.ann, lead.DuplicateQuery{}); fault.CodeOf(err) != fault.Forbidden {
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

func explained(p lead.Pair, field string) identity.Level {
	for _, f := range p.Fields {
		if f.Field == field {
			return f.Level
		}
	}
	return ""
}
