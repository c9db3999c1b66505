package lead_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// TestReviewQueue: the queue pages with a cursor without skipping or
// repeating a pair, in each order; a pair said to be two people does not
// come back; a lead's empty first name does not make it one person with
// every namesake.
func TestReviewQueue(t *testing.T) {
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
		// Seven people, each entered twice with a slip.
		people := [][4]string{{"Kayla", "Harrington", "Harington", "Brasov"}, {"Lachlan", "Berry", "Bery", "Cluj"},
			{"Deakin", "Sondergeld", "Sondergled", "Iasi"}, {"Paige", "Lowe", "Lowe", "Sibiu"}, {"Jacob", "Di Chiera", "Dichiera", "Arad"},
			{"Amelia", "Ryan", "Rian", "Oradea"}, {"Joshua", "Rickett", "Ricket", "Galati"}}
		for i, p := range people {
			mk(lead.Changes{"email": fmt.Sprintf("p%d@orbit.io", i), "first_name": p[0], "last_name": p[1], "company": "Orbit", "city": p[3]})
			mk(lead.Changes{"email": fmt.Sprintf("p%d@gmail.com", i), "first_name": p[0], "last_name": p[2], "company": "Orbit SRL", "city": p[3]})
		}
		mk(lead.Changes{"email": "x1@y.io", "last_name": "Popescu"})
		mk(lead.Changes{"email": "x2@y.io", "last_name": "Popescu"})

		for _, order := range []lead.DuplicateSort{lead.SortScore, lead.SortScoreAsc, lead.SortNewest} {
			seen := map[[2]int64]bool{}
			q := lead.DuplicateQuery{Sort: order, Limit: 3}
			pages := 0
			for {
				p, err := svc.ProbableDuplicates(ctx, tm.marketing, q)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, pr := range p.Pairs {
					k := [2]int64{pr.A.ID, pr.B.ID}
					if seen[k] {
						t.Errorf("%s: pair %v twice", order, k)
					}
					seen[k] = true
					if pr.A.LastName == "Popescu" {
						t.Errorf("two leads sharing only a surname listed: %+v", pr.Fields)
					}
				}
				if p.Total != 7 {
					t.Errorf("%s: total %d, want 7", order, p.Total)
				}
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if len(seen) != 7 || pages != 3 {
				t.Errorf("%s: %d pairs over %d pages, want 7 over 3", order, len(seen), pages)
			}
		}
		if _, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{Cursor: "nonsense!", Sort: "size"}); fieldsOf(err)["cursor"] == "" || fieldsOf(err)["sort"] == "" {
			t.Errorf("a bad cursor and sort: %v", err)
		}

		first, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{Limit: 1})
		p := first.Pairs[0]
		if err := svc.Dismiss(ctx, tm.marketing, p.B.ID, p.A.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Dismiss(ctx, tm.marketing, p.A.ID, p.B.ID); err != nil {
			t.Errorf("saying it twice: %v", err)
		}
		after, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		for _, q := range after.Pairs {
			if q.A.ID == p.A.ID && q.B.ID == p.B.ID {
				t.Errorf("a dismissed pair came back")
			}
		}
		if after.Total != 6 {
			t.Errorf("after dismissing one: %d pairs", after.Total)
		}
		if err := svc.Dismiss(ctx, tm.ann, p.A.ID, p.B.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales dismissing: %v", err)
		}
	})
}

// TestMergePicksAndMany: a reviewer picks values field by field and merges
// three leads into one; every timeline entry and event of the three is on
// the survivor, and the values not picked are kept side by side.
func TestMergePicksAndMany(t *testing.T) {
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
		a := mk(lead.Changes{"email": "ana@orbit.io", "first_name": "Ana", "last_name": "Pop", "company": "Orbit", "city": "Cluj"})
		b := mk(lead.Changes{"email": "ana.pop@gmail.com", "first_name": "Ana", "last_name": "Pop", "company": "Orbit Software", "job_title": "CTO"})
		c := mk(lead.Changes{"email": "apop@orbit.io", "first_name": "Anna", "last_name": "Pop", "city": "Cluj-Napoca", "phone": "+40721234567"})
		changesBefore := 0
		for _, id := range []int64{a.ID, b.ID, c.ID} {
			tl, _ := svc.Timeline(ctx, tm.admin, id)
			changesBefore += len(tl)
		}

		if _, err := svc.MergeMany(ctx, tm.marketing, lead.MergeRequest{Keep: a.ID, Others: []int64{b.ID}, Pick: map[string]int64{"company": 999, "stage": b.ID}}); fieldsOf(err)["pick.company"] == "" || fieldsOf(err)["pick.stage"] == "" {
			t.Errorf("picks from a lead not merged, of a field not picked: %v", err)
		}
		m, err := svc.MergeMany(ctx, tm.marketing, lead.MergeRequest{Keep: a.ID, Others: []int64{b.ID, c.ID},
			Pick: map[string]int64{"company": b.ID, "city": c.ID, "email": a.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if m.Company != "Orbit Software" || m.City != "Cluj-Napoca" || m.Email != "ana@orbit.io" || m.JobTitle != "CTO" || m.Phone != "+40721234567" {
			t.Errorf("merged lead %+v", m)
		}
		for _, id := range []int64{b.ID, c.ID} {
			if _, err := svc.Get(ctx, tm.admin, id); fault.CodeOf(err) != fault.NotFound {
				t.Errorf("lead %d still exists: %v", id, err)
			}
		}
		tl, _ := svc.Timeline(ctx, tm.admin, a.ID)
		kinds := map[string]int{}
		for _, ch := range tl {
			kinds[ch.Kind]++
		}
		if len(tl) < changesBefore+2 || kinds["merged"] != 2 || kinds["created"] != 3 || kinds["conflict"] == 0 {
			t.Errorf("survivor's timeline %v, %d entries before", kinds, changesBefore)
		}
		if ev, _ := svc.Events(ctx, a.ID, 10); len(ev) != 3 {
			t.Errorf("survivor has %d events, want the three submissions", len(ev))
		}
	})
}

// TestAcceptAbove: bulk accept merges each group of pairs above the score
// into its oldest lead, once even when two reviewers press it at once.
func TestAcceptAbove(t *testing.T) {
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
		a := mk(lead.Changes{"email": "ana@orbit.io", "first_name": "Ana", "last_name": "Pop", "company": "Orbit", "phone": "+40721234567"})
		mk(lead.Changes{"email": "ana.pop@gmail.com", "first_name": "Ana", "last_name": "Pop", "company": "Orbit", "phone": "+40721234567"})
		mk(lead.Changes{"email": "a.pop@orbit.io", "first_name": "Ana", "last_name": "Pop", "company": "Orbit SRL", "phone": "0040 721 234 567"})
		low := mk(lead.Changes{"email": "dan@x.io", "first_name": "Dan", "last_name": "Marin", "city": "Iasi"})
		mk(lead.Changes{"email": "dan2@x.io", "first_name": "Dan", "last_name": "Marin"})

		if _, err := svc.AcceptAbove(ctx, tm.marketing, 2); fieldsOf(err)["min_score"] == "" {
			t.Errorf("accepting below the probable threshold: %v", err)
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = svc.AcceptAbove(ctx, tm.marketing, 18)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || counts[0]+counts[1] != 2 {
			t.Fatalf("two bulk accepts at once merged %v (%v)", counts, errs)
		}
		if _, err := svc.Get(ctx, tm.admin, a.ID); err != nil {
			t.Errorf("the oldest lead is gone: %v", err)
		}
		if _, err := svc.Get(ctx, tm.admin, low.ID); err != nil {
			t.Errorf("a pair below the score was merged: %v", err)
		}
		left, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		if left.Total != 1 {
			t.Errorf("after accepting: %d pairs left, want the Dans", left.Total)
		}
	})
}

// fieldsOf is the per-field reasons of err, or nil.
func fieldsOf(err error) map[string]string {
	if e := fault.As(err); e != nil {
		return e.Fields
	}
	return nil
}
