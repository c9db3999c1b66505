package lead_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Two people save different fields of one lead at the same moment: both
// changes are kept, every time.
func TestConcurrentEditsOfDifferentFieldsKeepBoth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		const rounds = 40
		lost := 0
		for r := 0; r < rounds; r++ {
			l, err := svc.Create(ctx, tm.admin, lead.Changes{"email": fmt.Sprintf("both%d@acme.io", r), "first_name": "Old", "city": "Old"})
			if err != nil {
				t.Fatal(err)
			}
			name, city := fmt.Sprintf("Ada %d", r), fmt.Sprintf("Oslo %d", r)
			var saved [2]lead.Lead
			errs := dbtest.Together(
				func() (err error) {
					saved[0], err = svc.Update(ctx, tm.admin, l.ID, lead.Changes{"first_name": name})
					return err
				},
				func() (err error) {
					saved[1], err = svc.Update(ctx, tm.marketing, l.ID, lead.Changes{"city": city})
					return err
				},
			)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			got, err := svc.Get(ctx, tm.admin, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.FirstName != name || got.City != city {
				lost++
			}
			if last := max(saved[0].Version, saved[1].Version); got.Version != last || saved[0].Version == saved[1].Version {
				t.Errorf("round %d: the edits answered versions %d and %d, the lead is at %d", r, saved[0].Version, saved[1].Version, got.Version)
			}
		}
		if lost > 0 {
			t.Errorf("an edit was lost in %d of %d rounds", lost, rounds)
		}
	})
}

// Two people edit the same field from the same version of a lead at the
// same moment: one edit lands, the other is refused as a conflict naming
// the field and its new value, through a form (three-way) and through
// the API (version only).
func TestConflictOfStaleEditsOfOneField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		for r := 0; r < 10; r++ {
			l, err := svc.Create(ctx, tm.admin, lead.Changes{"email": fmt.Sprintf("same%d@acme.io", r), "job_title": "Engineer"})
			if err != nil {
				t.Fatal(err)
			}
			shown := l.Values()
			if r%2 == 1 {
				shown = nil // as the API sends it
			}
			edit := func(title string) func() error {
				return func() error {
					_, err := svc.Edit(ctx, tm.admin, l.ID, lead.Edit{Changes: lead.Changes{"job_title": title}, Version: l.Version, Shown: shown})
					return err
				}
			}
			errs := dbtest.Together(edit("CTO"), edit("CEO"))
			var conflicts []*fault.Error
			for _, err := range errs {
				if e := fault.As(err); e != nil && e.Code == fault.Conflict {
					conflicts = append(conflicts, e)
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if len(conflicts) != 1 {
				t.Fatalf("round %d: %d of two stale edits refused, want 1 (%v)", r, len(conflicts), errs)
			}
			got, _ := svc.Get(ctx, tm.admin, l.ID)
			want := "version"
			if shown != nil {
				want = "job_title"
			}
			if why := conflicts[0].Fields[want]; why == "" || (shown != nil && why != fmt.Sprintf("was changed meanwhile to %q", got.JobTitle)) {
				t.Errorf("round %d: conflict %v, want it on %s naming %q", r, conflicts[0], want, got.JobTitle)
			}
		}
	})
}

// Two people save forms they opened at the same time, each changing a
// different field: both changes land, and neither form's stale copy of
// the other field undoes the other's change.
func TestStaleFormsOfDifferentFieldsBothLand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		l, err := svc.Create(ctx, tm.admin, lead.Changes{"email": "forms@acme.io", "first_name": "Old", "city": "Old"})
		if err != nil {
			t.Fatal(err)
		}
		form := func(field, value string) func() error {
			typed := l.Values()
			typed[field] = value
			return func() error {
				_, err := svc.Edit(ctx, tm.admin, l.ID, lead.Edit{Changes: typed, Version: l.Version, Shown: l.Values()})
				return err
			}
		}
		for _, err := range dbtest.Together(form("first_name", "Ada"), form("city", "Oslo")) {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, _ := svc.Get(ctx, tm.admin, l.ID)
		if got.FirstName != "Ada" || got.City != "Oslo" {
			t.Errorf("after two forms: first name %q, city %q; want Ada, Oslo", got.FirstName, got.City)
		}
		// A third form, opened before both, that sets the city to what
		// it is now is no conflict either.
		if err := form("city", "Oslo")(); err != nil {
			t.Errorf("a stale form agreeing with the change made meanwhile: %v", err)
		}
	})
}

// The hourly decay sweep runs on two instances at once over 300 leads
// whose events aged: each lead's decay is saved once (its version moves
// by one), the two runs' counts add up to the leads that moved, and the
// timeline gets an entry only where the grade or the MQL threshold was
// crossed, once per lead.
func TestConcurrentRescoresRecordEachChangeOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const n = 300
		now := time.Now()
		d := bench.Data{Seed: 7, Now: now}
		if err := d.InsertLeads(ctx, db, n, n, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.InsertEvents(ctx, db, 10*n, n, 1000, nil); err != nil {
			t.Fatal(err)
		}
		svc := lead.NewService(db)
		svc.SetClock(func() time.Time { return now })
		if _, err := svc.RescoreAll(ctx, "first", nil); err != nil {
			t.Fatal(err)
		}
		versions := func() map[int64]int64 {
			rows, err := db.R.Query(ctx, `SELECT id, version FROM leads`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[int64]int64{}
			for rows.Next() {
				var id, v int64
				if err := rows.Scan(&id, &v); err != nil {
					t.Fatal(err)
				}
				out[id] = v
			}
			return out
		}
		before := versions()
		later := now.Add(45 * 24 * time.Hour)
		svc.SetClock(func() time.Time { return later })
		var ps [2]lead.RescoreProgress
		errs := dbtest.Together(
			func() (err error) { ps[0], err = svc.RescoreAll(ctx, lead.ReasonDecay, nil); return err },
			func() (err error) { ps[1], err = svc.RescoreAll(ctx, lead.ReasonDecay, nil); return err },
		)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var moved, twice int64
		for id, v := range versions() {
			switch v - before[id] {
			case 0:
			case 1:
				moved++
			default:
				twice++
			}
		}
		if moved < n/2 {
			t.Fatalf("only %d of %d leads decayed: the test shows nothing", moved, n)
		}
		if twice != 0 {
			t.Errorf("%d leads saved more than once", twice)
		}
		if changed := ps[0].Changed + ps[1].Changed; changed != moved {
			t.Errorf("the two rescores report %d changes, %d leads moved", changed, moved)
		}
		var entries, leads int64
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT lead_id) FROM lead_changes WHERE kind = ? AND reason LIKE 'decay%'`,
			lead.KindScore).Scan(&entries, &leads); err != nil {
			t.Fatal(err)
		}
		if entries != leads || entries == 0 || entries >= moved {
			t.Errorf("%d decay entries for %d leads, of %d that moved: want one per lead whose grade or MQL side changed", entries, leads, moved)
		}
	})
}
