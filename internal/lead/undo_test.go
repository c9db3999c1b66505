package lead_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// A merge taken back: both leads are as they were, each with its own
// events and timeline, and the survivor has its own values again.
func TestUndoMergeRestoresBothLeads(t *testing.T) {
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
		keep := mk(lead.Changes{"email": "ana@orbit.io", "first_name": "Ana", "last_name": "Pop", "company": "Orbit"})
		other := mk(lead.Changes{"email": "ana.pop@gmail.com", "first_name": "Anna", "last_name": "Pop", "phone": "+40721000111", "city": "Cluj"})
		mk(lead.Changes{"email": "ana.pop@gmail.com", "job_title": "CTO"}) // a second event and a conflict-free fill
		count := func(id int64) (events, changes int) {
			ev, err := svc.Events(ctx, id, 1000)
			if err != nil {
				t.Fatal(err)
			}
			tl, err := svc.Timeline(ctx, tm.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			return len(ev), len(tl)
		}
		keepEv, keepTl := count(keep.ID)
		otherEv, otherTl := count(other.ID)
		other, _ = svc.Get(ctx, tm.admin, other.ID)

		merged, err := svc.MergeMany(ctx, tm.marketing, lead.MergeRequest{Keep: keep.ID, Others: []int64{other.ID}, Pick: map[string]int64{"first_name": other.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if merged.FirstName != "Anna" || merged.Phone != "+40721000111" {
			t.Fatalf("merged: %+v", merged)
		}
		ms, err := svc.Merges(ctx, tm.admin, keep.ID)
		if err != nil || len(ms) != 1 || ms[0].Absorbed[0] != other.ID {
			t.Fatalf("merges of the survivor: %+v %v", ms, err)
		}
		if _, err := svc.UndoMerge(ctx, tm.ann, ms[0].ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("a sales user undid a merge: %v", err)
		}
		res, err := svc.UndoMerge(ctx, tm.marketing, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Restored) != 1 {
			t.Fatalf("restored %d leads", len(res.Restored))
		}
		back := res.Restored[0]
		if back.Email != other.Email || back.FirstName != "Anna" || back.Phone != other.Phone || back.JobTitle != "CTO" || !back.CreatedAt.Equal(other.CreatedAt) {
			t.Errorf("restored lead %+v, want %+v", back, other)
		}
		if res.Lead.FirstName != "Ana" || res.Lead.Phone != "" || res.Lead.City != "" || !res.Lead.CreatedAt.Equal(keep.CreatedAt) {
			t.Errorf("survivor after undo: %+v", res.Lead)
		}
		if ev, tl := count(keep.ID); ev != keepEv || tl < keepTl {
			t.Errorf("survivor has %d events, %d timeline entries; had %d, %d", ev, tl, keepEv, keepTl)
		}
		if ev, tl := count(back.ID); ev != otherEv || tl < otherTl {
			t.Errorf("restored lead has %d events, %d timeline entries; had %d, %d", ev, tl, otherEv, otherTl)
		}
		if _, err := svc.UndoMerge(ctx, tm.marketing, ms[0].ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("a second undo: %v", err)
		}
		if found, err := svc.List(ctx, tm.admin, lead.Filter{Q: "ana.pop@gmail.com"}, false); err != nil || len(found.Leads) != 1 || found.Leads[0].ID != back.ID {
			t.Errorf("search for the restored lead's email: %+v %v", found.Leads, err)
		}

		// Edited since: the undo would overwrite the edit, so it refuses and
		// names the field.
		if _, err := svc.Merge(ctx, tm.marketing, keep.ID, back.ID); err != nil {
			t.Fatal(err)
		}
		ms, _ = svc.Merges(ctx, tm.admin, keep.ID)
		if _, err := svc.Update(ctx, tm.admin, keep.ID, lead.Changes{"phone": "+40721999999"}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.UndoMerge(ctx, tm.marketing, ms[0].ID)
		if fault.CodeOf(err) != fault.Conflict || fieldsOf(err)["phone"] == "" {
			t.Errorf("undo after the survivor's phone was edited: %v", err)
		}
		// Merged again since: the survivor is gone.
		third := mk(lead.Changes{"email": "a.pop@orbit.io", "first_name": "Ana", "last_name": "Pop"})
		if _, err := svc.Merge(ctx, tm.marketing, third.ID, keep.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UndoMerge(ctx, tm.marketing, ms[0].ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("undo after the survivor was merged away: %v", err)
		}
		if _, err := svc.UndoMerge(ctx, tm.marketing, 99999); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("undo of no merge: %v", err)
		}
	})
}

// An undo and a second merge of the survivor at the same moment on
// PostgreSQL: one wins, the other either follows it or refuses, and no
// event is lost or left on a lead that does not exist.
func TestUndoMergeRacesSecondMerge(t *testing.T) {
	db := dbtest.Postgres(t)
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
	outcomes := map[string]int{}
	for r := 0; r < 12; r++ {
		a := mk(lead.Changes{"email": fmt.Sprintf("a%d@orbit.io", r), "last_name": "Pop"})
		b := mk(lead.Changes{"email": fmt.Sprintf("b%d@orbit.io", r), "last_name": "Pop"})
		c := mk(lead.Changes{"email": fmt.Sprintf("c%d@orbit.io", r), "last_name": "Pop"})
		if _, err := svc.Merge(ctx, tm.marketing, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		ms, _ := svc.Merges(ctx, tm.admin, a.ID)
		var undo lead.UndoResult
		errs := dbtest.Together(
			func() (err error) { undo, err = svc.UndoMerge(ctx, tm.marketing, ms[0].ID); return err },
			func() error { _, err := svc.Merge(ctx, tm.admin, c.ID, a.ID); return err },
			func() error { _, err := svc.UndoMerge(ctx, tm.admin, ms[0].ID); return err },
		)
		if errs[1] != nil {
			t.Fatalf("round %d: the second merge failed: %v", r, errs[1])
		}
		undone := 0
		for _, err := range []error{errs[0], errs[2]} {
			switch {
			case err == nil:
				undone++
			case fault.CodeOf(err) != fault.Conflict:
				t.Fatalf("round %d: undo failed otherwise than by refusing: %v", r, err)
			}
		}
		if undone > 1 {
			t.Fatalf("round %d: the merge was undone twice", r)
		}
		cEv, _ := svc.Events(ctx, c.ID, 100)
		if undone == 1 {
			outcomes["undo first"]++
			bEv, _ := svc.Events(ctx, b.ID, 100)
			if _, err := svc.Get(ctx, tm.admin, b.ID); err != nil || len(bEv) != 1 || len(cEv) != 2 {
				t.Errorf("round %d: after undo then merge: b %v with %d events, c with %d (want 1, 2)", r, err, len(bEv), len(cEv))
			}
			_ = undo
		} else {
			outcomes["merge first"]++
			if len(cEv) != 3 {
				t.Errorf("round %d: the merge won, c has %d events, want 3", r, len(cEv))
			}
		}
		var orphans int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM events e WHERE lead_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = e.lead_id)`).Scan(&orphans); err != nil || orphans != 0 {
			t.Fatalf("round %d: %d events of leads that do not exist (%v)", r, orphans, err)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// A merge taken back gives an absorbed lead its account link again, as it
// was: in force, or undone by a user (so a later arrival of the lead does
// not link it once more), and the account page lists it again.
func TestUndoMergeRestoresAccountLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		accounts := accountsOf(t, db, svc, tm)
		mk := func(c lead.Changes) lead.Lead {
			r, err := svc.Intake(ctx, lead.Incoming{Changes: c, Origin: formOrigin})
			if err != nil {
				t.Fatal(err)
			}
			return r.Lead
		}
		keep := mk(lead.Changes{"email": "ola@gmail.com", "first_name": "Ola", "last_name": "Nordmann"})
		linked := mk(lead.Changes{"email": "ola@fjord.no", "first_name": "Ola", "last_name": "Nordmann"})
		unlinked := mk(lead.Changes{"email": "kari@acme.com", "first_name": "Kari", "last_name": "Nordmann"})
		if _, err := svc.UnlinkAccount(ctx, tm.admin, unlinked.ID); err != nil {
			t.Fatal(err)
		}
		before, _, err := svc.AccountLink(ctx, tm.admin, unlinked.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MergeMany(ctx, tm.marketing, lead.MergeRequest{Keep: keep.ID, Others: []int64{linked.ID, unlinked.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := svc.AccountLink(ctx, tm.admin, keep.ID); ok {
			t.Error("the survivor took an absorbed lead's account link")
		}
		ms, err := svc.Merges(ctx, tm.admin, keep.ID)
		if err != nil || len(ms) != 1 {
			t.Fatalf("merges: %+v %v", ms, err)
		}
		res, err := svc.UndoMerge(ctx, tm.marketing, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		byEmail := map[string]int64{}
		for _, l := range res.Restored {
			byEmail[l.Email] = l.ID
		}
		link, ok, err := svc.AccountLink(ctx, tm.admin, byEmail["ola@fjord.no"])
		if err != nil || !ok || link.AccountID != accounts["Fjord AS"] || link.UndoneAt != nil || link.By != "email_domain" {
			t.Errorf("restored link of ola@fjord.no: %+v ok=%v %v", link, ok, err)
		}
		link, ok, err = svc.AccountLink(ctx, tm.admin, byEmail["kari@acme.com"])
		if err != nil || !ok || link.UndoneAt == nil || !link.UndoneAt.Equal(*before.UndoneAt) || link.UndoneBy != "admin@example.com" {
			t.Errorf("restored undone link of kari@acme.com: %+v ok=%v %v", link, ok, err)
		}
		v, err := crm.NewService(db, svc).Account(ctx, tm.admin, accounts["Fjord AS"])
		if err != nil || len(v.Linked) != 1 || v.Linked[0].LeadID != byEmail["ola@fjord.no"] {
			t.Errorf("Fjord's page lists %+v %v", v.Linked, err)
		}
	})
}

// An absorbed lead whose account was deleted while it was merged comes
// back without a link: the link would have gone with the account.
func TestUndoMergeSkipsLinkOfDeletedAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		accounts := accountsOf(t, db, svc, tm)
		keep, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "ola@gmail.com"}, Origin: formOrigin})
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "ola@fjord.no"}, Origin: formOrigin})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Merge(ctx, tm.marketing, keep.Lead.ID, other.Lead.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `DELETE FROM accounts WHERE id = ?`, accounts["Fjord AS"]); err != nil {
			t.Fatal(err)
		}
		ms, _ := svc.Merges(ctx, tm.admin, keep.Lead.ID)
		res, err := svc.UndoMerge(ctx, tm.marketing, ms[0].ID)
		if err != nil || len(res.Restored) != 1 {
			t.Fatalf("undo: %+v %v", res, err)
		}
		if _, ok, err := svc.AccountLink(ctx, tm.admin, res.Restored[0].ID); ok || err != nil {
			t.Errorf("a link to a deleted account came back: %v", err)
		}
	})
}
