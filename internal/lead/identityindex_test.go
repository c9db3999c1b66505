package lead_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/identity"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// A lead that arrives looking like one already there is in the review
// queue at once; an edit that makes them two people takes the pair out,
// and a pair dismissed stays out when the leads change again.
func TestIntakeQueuesProbableMatch(t *testing.T) {
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
		total := func() int {
			p, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		a := mk(lead.Changes{"first_name": "Kayla", "last_name": "Harrington", "company": "Orbit", "city": "Brasov", "phone": "+40721000111"})
		mk(lead.Changes{"first_name": "Ion", "last_name": "Popescu", "company": "Nebula", "city": "Iasi"})
		if n := total(); n != 0 {
			t.Fatalf("%d pairs among two people", n)
		}
		b := mk(lead.Changes{"first_name": "Kayla", "last_name": "Harington", "company": "Orbit SRL", "city": "Brasov"})
		p, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		if p.Total != 1 || p.Pairs[0].A.ID != a.ID || p.Pairs[0].B.ID != b.ID || len(p.Pairs[0].Fields) == 0 {
			t.Fatalf("after the look-alike arrived: %+v", p)
		}
		if _, err := svc.Update(ctx, tm.admin, b.ID, lead.Changes{"first_name": "Marcus", "last_name": "Webb", "company": "Quasar", "city": "Arad"}); err != nil {
			t.Fatal(err)
		}
		if n := total(); n != 0 {
			t.Errorf("%d pairs after the lead was changed into another person", n)
		}
		if _, err := svc.Update(ctx, tm.admin, b.ID, lead.Changes{"first_name": "Kayla", "last_name": "Harington", "company": "Orbit SRL", "city": "Brasov"}); err != nil {
			t.Fatal(err)
		}
		if n := total(); n != 1 {
			t.Fatalf("%d pairs after it was changed back", n)
		}
		if err := svc.Dismiss(ctx, tm.marketing, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, tm.admin, b.ID, lead.Changes{"city": "Brașov"}); err != nil {
			t.Fatal(err)
		}
		if n := total(); n != 0 {
			t.Errorf("a dismissed pair came back after an edit: %d", n)
		}
		st, err := svc.RebuildPairs(ctx)
		if err != nil || st.Matches != 0 || st.Candidates == 0 {
			t.Errorf("the job: %+v %v", st, err)
		}
		if n := total(); n != 0 {
			t.Errorf("the job brought back a dismissed pair: %d", n)
		}
	})
}

// Leads that share their keys with more than identity's largest block
// are not compared with each other through that key: the check at intake
// reads a bounded number of leads. Here 70 namesakes in one city differ
// but for their phones: a 71st namesake with a phone of its own is
// compared with none of them (the name keys are too crowded), while a
// copy of the first with its phone still meets it through the phone.
func TestIntakeCheckIsBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		var ins []lead.Incoming
		for i := range 70 {
			ins = append(ins, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": "Ana", "last_name": "Pop", "city": "Cluj",
				"phone": fmt.Sprintf("+40744123%03d", i)}})
		}
		if _, errs, err := svc.IntakeBatch(ctx, ins); err != nil || errs[0] != nil {
			t.Fatal(err, errs[0])
		}
		p, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		before := p.Total
		if _, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": "Ana", "last_name": "Pop", "city": "Cluj", "phone": "+40744999999"}}); err != nil {
			t.Fatal(err)
		}
		if p, _ = svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{}); p.Total != before {
			t.Errorf("a namesake in a crowded block was compared with it: %d pairs, were %d", p.Total, before)
		}
		if _, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": "Ana", "last_name": "Popp", "city": "Cluj", "phone": "+40744123000"}}); err != nil {
			t.Fatal(err)
		}
		p, _ = svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{Limit: 200})
		found := false
		for _, pr := range p.Pairs {
			found = found || pr.B.Phone == "+40744123000" && pr.A.Phone == "+40744123000"
		}
		if !found {
			t.Errorf("the copy was not paired with its original through the phone (%d pairs before, %d after)", before, p.Total)
		}
	})
}

// A block is skipped when it holds more than MaxBlock leads, the new lead
// counted, at intake as in the full run: the 64th namesake is compared
// with the 63 before it, the 65th with none of the 64.
func TestIntakeCountsTheNewLeadInItsBlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		max := identity.Default.MaxBlock
		for _, c := range []struct {
			first, last, city string
			stored, want      int
		}{{"Ioana", "Rus", "Iasi", max - 1, max - 1}, {"Ana", "Pop", "Cluj", max, 0}} {
			var ins []lead.Incoming
			for i := range c.stored {
				ins = append(ins, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": c.first, "last_name": c.last, "city": c.city,
					"phone": fmt.Sprintf("+40744%06d", len(c.first)*1000+i)}})
			}
			if _, errs, err := svc.IntakeBatch(ctx, ins); err != nil || errs[0] != nil {
				t.Fatal(err, errs[0])
			}
			p, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
			before := p.Total
			if _, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": c.first, "last_name": c.last, "city": c.city,
				"phone": "+40755000000"}}); err != nil {
				t.Fatal(err)
			}
			if p, _ = svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{}); p.Total-before != c.want {
				t.Errorf("a namesake of %d stored leads: %d new pairs, want %d", c.stored, p.Total-before, c.want)
			}
		}
	})
}

// Look-alikes arriving at the same moment on PostgreSQL: neither intake
// fails, each pair is in the queue at once (the second waits for the
// first's keys), and the job finds no more. Two reviewers closing one
// value review at once: one does, the other is told it was reviewed.
func TestIdentityUnderConcurrentWriters(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	tm := newTeam(t, db)
	svc := lead.NewService(db)
	people := [][3]string{{"Kayla", "Harrington", "Brasov"}, {"Lachlan", "Berryman", "Cluj"}, {"Deakin", "Sondergeld", "Iasi"},
		{"Paige", "Lowenthal", "Sibiu"}, {"Jacob", "Chiera", "Arad"}, {"Amelia", "Ryanson", "Oradea"}, {"Joshua", "Rickett", "Galati"},
		{"Tori", "Keogh", "Constanta"}, {"Willow", "Bradfield", "Timisoara"}, {"Kelsey", "Halligan", "Suceava"}}
	rounds := len(people)
	for r, p := range people {
		errs := dbtest.Together(
			func() error {
				_, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": p[0], "last_name": p[1], "company": "Orbit", "city": p[2]}})
				return err
			},
			func() error {
				_, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": p[0], "last_name": p[1] + "e", "company": "Orbit SRL", "city": p[2]}})
				return err
			},
		)
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
	}
	atIntake, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
	if atIntake.Total != rounds {
		t.Errorf("%d pairs found at intake, want %d", atIntake.Total, rounds)
	}
	if _, err := svc.RebuildPairs(ctx); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
	if p.Total != rounds {
		t.Errorf("%d pairs after the job, want %d (intake had found %d)", p.Total, rounds, atIntake.Total)
	}

	if _, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"email": "ana@orbit.io", "company": "Orbit"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"email": "ana@orbit.io", "company": "Nebula"}}); err != nil {
		t.Fatal(err)
	}
	vr, _ := svc.ValueReviews(ctx, tm.marketing, "", 0)
	id := vr.Reviews[0].ID
	errs := dbtest.Together(
		func() error {
			_, err := svc.ResolveValues(ctx, tm.marketing, id, map[string]string{"company": lead.Take})
			return err
		},
		func() error {
			_, err := svc.ResolveValues(ctx, tm.admin, id, map[string]string{"company": lead.Keep})
			return err
		},
	)
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case fault.CodeOf(err) != fault.Conflict:
			t.Errorf("a reviewer got %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d reviewers closed one review", ok)
	}
}

// The nightly pairs job checks again only the leads changed since its
// last run (one written behind the service's back is found), and finds
// every pair again weekly or when identity's weights changed.
func TestPairsJobRechecksChangedLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc, tm, clock := clockedPairs(t, db)
		var ids []int64
		for _, c := range []lead.Changes{
			{"first_name": "Kayla", "last_name": "Harrington", "company": "Orbit", "city": "Brasov", "phone": "+40721000111"},
			{"first_name": "Ion", "last_name": "Popescu", "company": "Nebula", "city": "Iasi"},
			{"first_name": "Marcus", "last_name": "Webb", "company": "Quasar", "city": "Arad"},
		} {
			r, err := svc.Intake(ctx, lead.Incoming{Changes: c, Origin: formOrigin})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.Lead.ID)
		}
		run := func(after time.Duration) lead.PairStats {
			t.Helper()
			*clock = clock.Add(after)
			st, err := svc.RefreshPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		if st := run(time.Hour); !st.Full {
			t.Errorf("the first run on this database was not a full one: %+v", st)
		}
		if st := run(time.Hour); st.Full || st.Rechecked != 0 {
			t.Errorf("a night without changes: %+v", st)
		}
		// Written straight to the table: no check at intake saw it.
		if _, err := db.W.Exec(ctx, `UPDATE leads SET first_name = 'Kayla', last_name = 'Harington', company = 'Orbit SRL',
			city = 'Brasov', updated_at = ? WHERE id = ?`, clock.Add(time.Minute).UnixMilli(), ids[2]); err != nil {
			t.Fatal(err)
		}
		if st := run(time.Hour); st.Full || st.Rechecked != 1 {
			t.Errorf("the night after one change: %+v", st)
		}
		p, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
		if err != nil || p.Total != 1 || p.Pairs[0].A.ID != ids[0] || p.Pairs[0].B.ID != ids[2] {
			t.Fatalf("the changed lead's look-alike: %+v %v", p, err)
		}
		if st := run(7 * 24 * time.Hour); !st.Full || st.Matches != 1 {
			t.Errorf("a week on: %+v", st)
		}
		// Scored by other weights an hour ago: the weights alone ask for it.
		old := fmt.Sprintf(`{"version":0,"full_at":%d,"run_at":%[1]d}`, clock.UnixMilli())
		if _, err := db.W.Exec(ctx, `UPDATE settings SET value = ? WHERE key = 'identity.pairs'`, old); err != nil {
			t.Fatal(err)
		}
		if st := run(time.Hour); !st.Full {
			t.Errorf("after the weights changed: %+v", st)
		}
	})
}

// A batch (an import's) is not compared with its look-alikes as it is
// written: the pairs job does it after, and stores what a full run finds.
// A few new leads are compared one at a time; more than a fiftieth of all
// leads (and over a thousand) make it find every pair again, which at
// that size is faster.
func TestPairsJobAfterBatches(t *testing.T) {
	// In turn: it takes the temporary directory away from the process.
	dbtest.EachInTurn(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc, tm, clock := clockedPairs(t, db)
		batch := func(n, from int) {
			t.Helper()
			// People of a few names, each twice, the copy with its company
			// cut short; the phone tells the twins from the namesakes.
			firsts := []string{"Ana", "Ioana", "Marcus", "Kayla", "Ion"}
			lasts := []string{"Pop", "Marinescu", "Webb", "Harrington", "Popescu", "Lindqvist", "Rossi"}
			var ins []lead.Incoming
			for i := from; i < from+n; i += 2 {
				c := lead.Changes{"first_name": firsts[i/2%len(firsts)], "last_name": lasts[i/2%len(lasts)], "company": "Orbit Software",
					"city": "Cluj", "phone": fmt.Sprintf("+4074412%04d", i)}
				ins = append(ins, lead.Incoming{Origin: lead.Origin{Channel: "import"}, Changes: c})
				copied := maps.Clone(c)
				copied["company"] = "Orbit"
				ins = append(ins, lead.Incoming{Origin: lead.Origin{Channel: "import"}, Changes: copied})
			}
			if _, errs, err := svc.IntakeBatch(ctx, ins); err != nil || errs[0] != nil {
				t.Fatal(err, errs[0])
			}
		}
		pairs := func() int {
			t.Helper()
			p, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		run := func() lead.PairStats {
			t.Helper()
			*clock = clock.Add(time.Hour)
			st, err := svc.RefreshPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		// What finding every pair again stores, which must be what the
		// job stored already.
		full := func(after int) {
			t.Helper()
			st, err := svc.RebuildPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Matches != after || after == 0 {
				t.Errorf("the job stored %d pairs, a full run finds %d", after, st.Matches)
			}
		}
		// One run at a time: a run that finds another going waits its turn.
		unlock, ok, err := db.TryLock(ctx, lead.PairsJob)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := svc.RunPairsJob(ctx, job.Job{}); err == nil || !strings.Contains(err.Error(), "waiting its turn") {
			t.Errorf("a pairs job beside another: %v", err)
		}
		unlock()
		if st := run(); !st.Full {
			t.Fatalf("the first run on this database was not a full one: %+v", st)
		}
		// Leads that give no key (a first name and a street) have no look-alike
		// to compare with: however many, they make no full run.
		var keyless []lead.Incoming
		for range 1100 {
			keyless = append(keyless, lead.Incoming{Origin: lead.Origin{Channel: "import"}, Changes: lead.Changes{"first_name": "Kim", "street": "Strada Lungă 1"}})
		}
		if _, errs, err := svc.IntakeBatch(ctx, keyless); err != nil || errs[0] != nil {
			t.Fatal(err, errs[0])
		}
		if st := run(); st.Full || st.Keyed != 0 {
			t.Errorf("after 1,100 leads without keys: %+v", st)
		}
		batch(20, 0)
		if n := pairs(); n != 0 {
			t.Errorf("the batch was paired as it was written: %d pairs", n)
		}
		if st := run(); st.Full || st.Keyed != 20 {
			t.Errorf("after 20 leads: %+v, want them keyed and compared one at a time", st)
		}
		full(pairs())
		batch(1200, 20)
		// A full run that stops after keying them (here it cannot write
		// its files) leaves the next run a full one: finding them keyed,
		// it would otherwise compare them with no one.
		svc.PairsMemory = 1
		tmp := os.TempDir()
		t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
		*clock = clock.Add(time.Hour)
		if _, err := svc.RefreshPairs(ctx); err == nil {
			t.Fatal("a full run without its temporary directory did not fail")
		}
		svc.PairsMemory = lead.DefaultPairsMemory
		t.Setenv("TMPDIR", tmp)
		st := run()
		if !st.Full {
			t.Errorf("after 1,200 more and a full run stopped half way: %+v, want every pair found again", st)
		}
		if n := pairs(); n != st.Matches {
			t.Errorf("%d pairs stored, the run found %d", n, st.Matches)
		}
		full(pairs())
	})
}

// A full run keeps the pairs stored shortly before it began, which it may
// not have seen: a write stamps its pairs with the time it took before it
// waited for its transaction. Older pairs it did not find go.
func TestFullRunKeepsPairsFoundJustBefore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc, tm, clock := clockedPairs(t, db)
		var ids []int64
		for _, company := range []string{"Orbit Software", "Orbit"} {
			r, err := svc.Intake(ctx, lead.Incoming{Origin: formOrigin, Changes: lead.Changes{"first_name": "Kayla", "last_name": "Harrington",
				"company": company, "city": "Brasov", "phone": "+40721000111"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.Lead.ID)
		}
		total := func() int {
			t.Helper()
			p, err := svc.ProbableDuplicates(ctx, tm.marketing, lead.DuplicateQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		if n := total(); n != 1 {
			t.Fatalf("%d pairs at intake", n)
		}
		// Changed behind leadflow's back into another person, and dated
		// before: a full run no longer finds the pair, nor checks the lead
		// again as one written while it ran.
		if _, err := db.W.Exec(ctx, `UPDATE leads SET first_name = 'Marcus', last_name = 'Webb', company = 'Quasar', city = 'Arad',
			phone = '+40744999888' WHERE id = ?`, ids[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `UPDATE leads SET updated_at = ?`, clock.Add(-time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		*clock = clock.Add(5 * time.Minute)
		if _, err := svc.RebuildPairs(ctx); err != nil {
			t.Fatal(err)
		}
		if n := total(); n != 1 {
			t.Errorf("a pair found 5 minutes before the run: %d pairs, want it kept", n)
		}
		*clock = clock.Add(6 * time.Minute)
		if _, err := svc.RebuildPairs(ctx); err != nil {
			t.Fatal(err)
		}
		if n := total(); n != 0 {
			t.Errorf("a pair found 11 minutes before the run: %d pairs, want it gone", n)
		}
	})
}

// clockedPairs is a lead service on db whose clock stands still until a
// test moves *clock, and the team that reads its review queue.
func clockedPairs(t *testing.T, db *sqldb.DB) (*lead.Service, team, *time.Time) {
	t.Helper()
	clock := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	svc := lead.NewService(db)
	svc.SetClock(func() time.Time { return clock })
	return svc, newTeam(t, db), &clock
}
