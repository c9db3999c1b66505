package segment_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

var (
	marketing = access.Actor{ID: 0, Email: "", Role: access.Marketing}
	ctx       = context.Background()
)

func n64(n int64) *int64 { return &n }

func TestValidateNamesTheBadCondition(t *testing.T) {
	for _, tc := range []struct {
		name  string
		conds []segment.Condition
		field string
	}{
		{"unknown field", []segment.Condition{{Field: "shoe_size", Op: "equals", Value: "42"}}, "conditions.0.field"},
		{"op of another kind", []segment.Condition{{Field: "stage", Op: "in", Values: []string{"mql"}}, {Field: "stage", Op: "contains", Value: "q"}}, "conditions.1.op"},
		{"text needs a value", []segment.Condition{{Field: "company", Op: "equals"}}, "conditions.0.value"},
		{"unknown stage", []segment.Condition{{Field: "stage", Op: "in", Values: []string{"hot lead"}}}, "conditions.0.values"},
		{"unknown country", []segment.Condition{{Field: "country", Op: "in", Values: []string{"Atlantis"}}}, "conditions.0.values"},
		{"no values", []segment.Condition{{Field: "grade", Op: "not_in"}}, "conditions.0.values"},
		{"empty range", []segment.Condition{{Field: "score", Op: "between"}}, "conditions.0.min"},
		{"upside-down range", []segment.Condition{{Field: "score", Op: "between", Min: n64(50), Max: n64(10)}}, "conditions.0.max"},
		{"boolean", []segment.Condition{{Field: "consent", Op: "is", Value: "maybe"}}, "conditions.0.value"},
		{"event without type", []segment.Condition{{Field: "event", Op: "at_least", Count: 1, Days: 7}}, "conditions.0.event_type"},
		{"event window", []segment.Condition{{Field: "event", Op: "at_least", EventType: "page_view", Count: 1, Days: 0}}, "conditions.0.days"},
		{"at least none", []segment.Condition{{Field: "event", Op: "at_least", EventType: "page_view", Count: 0, Days: 7}}, "conditions.0.count"},
		{"segment unnamed", []segment.Condition{{Field: "segment", Op: "in"}}, "conditions.0.segment"},
		{"bad custom key", []segment.Condition{{Field: "custom.Budget!", Op: "equals", Value: "x"}}, "conditions.0.field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := segment.Segment{Name: "S", Conditions: tc.conds}
			err := s.Validate()
			e := fault.As(err)
			if e == nil || e.Code != fault.Invalid || e.Fields[tc.field] == "" {
				t.Fatalf("Validate = %v, want a reason for %s", err, tc.field)
			}
		})
	}
	s := segment.Segment{Name: "  Hot in Romania ", Conditions: []segment.Condition{
		{Field: "Stage", Op: "IN", Values: []string{"MQL", "mql", "sql"}},
		{Field: "country", Op: "in", Values: []string{"Romania"}},
		{Field: "consent", Op: "is", Value: "yes"},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Name != "Hot in Romania" || s.Combine != "all" || !slices.Equal(s.Conditions[0].Values, []string{"mql", "sql"}) ||
		s.Conditions[1].Values[0] != "RO" || s.Conditions[2].Value != "true" {
		t.Errorf("tidied segment: %+v", s)
	}
}

// world is a database with a few leads that differ in every way a
// condition can tell apart.
type world struct {
	db    *sqldb.DB
	leads *lead.Service
	segs  *segment.Service
	sync  *segment.Syncer
	ids   map[string]int64 // lead id by email's local part
	now   time.Time
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	w := &world{db: db, leads: lead.NewService(db), segs: segment.NewService(db), sync: segment.NewSyncer(db),
		ids: map[string]int64{}, now: time.Now().UTC()}
	ana, err := user.NewService(db).Create(ctx, access.System, user.Input{Email: "ana.owner@example.com", Password: "correct horse battery", Role: access.Sales})
	if err != nil {
		t.Fatal(err)
	}
	emp := func(n int64) *int64 { return &n }
	for _, l := range []lead.Lead{
		{Email: "ion@orbit.ro", FirstName: "Ion", Company: "Orbit SRL", JobTitle: "CTO", Country: "RO", Stage: lead.MQL, Score: 75,
			Source: "web", Consent: true, Employees: emp(120), OwnerID: ana.ID, Custom: map[string]string{"budget": "50k-100k"}},
		{Email: "eva@delta.de", FirstName: "Eva", Company: "Delta GmbH", JobTitle: "Head of Sales", Country: "DE", Stage: lead.StageLead,
			Score: 40, Source: "Referral", Employees: emp(15), Custom: map[string]string{"budget": "under 10k"}},
		{Email: "kai@nova.no", FirstName: "Kai", Company: "Nova AS", JobTitle: "", Country: "NO", Stage: lead.Customer, Score: 5,
			Source: "import", Consent: true, ExistingCustomer: true},
		{Email: "lia@orbit.ro", FirstName: "Lia", Company: "Orbit SRL", JobTitle: "Analyst", Country: "RO", Stage: lead.Nurturing,
			Score: 20, Source: "web"},
	} {
		l.CreatedAt, l.UpdatedAt = w.now, w.now
		got, err := w.leads.Insert(ctx, l, "test")
		if err != nil {
			t.Fatal(err)
		}
		w.ids[strings.Split(l.Email, "@")[0]] = got.ID
	}
	// Ion visited the pricing page three times this week, Eva once
	// twenty days ago; Kai opened an email.
	w.events(t, "ion", "page_view", "https://leadflow.example/pricing", 1, 2, 3)
	w.events(t, "eva", "page_view", "https://leadflow.example/pricing?plan=pro", 20)
	w.events(t, "kai", "email_open", "", 1)
	return w
}

// events stores one event of the lead per age in days, leaving scores
// as they are.
func (w *world) events(t *testing.T, who, typ, url string, daysAgo ...int) {
	t.Helper()
	for _, d := range daysAgo {
		if _, err := w.db.W.Exec(ctx, `INSERT INTO events (lead_id, type, url, occurred_at, source) VALUES (?, ?, ?, ?, 'test')`,
			w.ids[who], typ, url, w.now.Add(-time.Duration(d)*24*time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) create(t *testing.T, name, combine string, conds ...segment.Condition) segment.Segment {
	t.Helper()
	s, err := w.segs.Create(ctx, marketing, segment.Segment{Name: name, Combine: combine, Conditions: conds})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return s
}

func (w *world) run(t *testing.T) segment.Stats {
	t.Helper()
	st, err := w.sync.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// members returns the local parts of the emails of s's members, sorted,
// after checking the stored count agrees with the rows.
func (w *world) members(t *testing.T, id int64) string {
	t.Helper()
	p, err := w.segs.Members(ctx, marketing, id, "", segment.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range p.Members {
		names = append(names, strings.Split(m.Email, "@")[0])
	}
	slices.Sort(names)
	s, err := w.segs.Get(ctx, marketing, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Members != int64(len(names)) || !s.Filled {
		t.Errorf("segment %q says %d members (filled %v), lists %v", s.Name, s.Members, s.Filled, names)
	}
	return strings.Join(names, " ")
}

func TestEachConditionKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			cond segment.Condition
			want string
		}{
			{segment.Condition{Field: "company", Op: "equals", Value: "orbit srl"}, "ion lia"},
			{segment.Condition{Field: "company", Op: "not_equals", Value: "Orbit SRL"}, "eva kai"},
			{segment.Condition{Field: "job_title", Op: "contains", Value: "SALES"}, "eva"},
			{segment.Condition{Field: "email", Op: "not_contains", Value: "orbit"}, "eva kai"},
			{segment.Condition{Field: "job_title", Op: "empty"}, "kai"},
			{segment.Condition{Field: "job_title", Op: "not_empty"}, "eva ion lia"},
			{segment.Condition{Field: "company", Op: "contains", Value: "50%"}, ""},
			{segment.Condition{Field: "custom.budget", Op: "equals", Value: "50K-100K"}, "ion"},
			{segment.Condition{Field: "custom.budget", Op: "contains", Value: "0K"}, "eva ion"},
			{segment.Condition{Field: "custom.budget", Op: "empty"}, "kai lia"},
			{segment.Condition{Field: "stage", Op: "in", Values: []string{"mql", "customer"}}, "ion kai"},
			{segment.Condition{Field: "stage", Op: "not_in", Values: []string{"nurturing"}}, "eva ion kai"},
			{segment.Condition{Field: "grade", Op: "in", Values: []string{"hot"}}, "ion"},
			{segment.Condition{Field: "score", Op: "between", Min: n64(20), Max: n64(40)}, "eva lia"},
			{segment.Condition{Field: "score", Op: "between", Min: n64(41)}, "ion"},
			{segment.Condition{Field: "employees", Op: "between", Max: n64(100)}, "eva"},
			{segment.Condition{Field: "employees", Op: "empty"}, "kai lia"},
			{segment.Condition{Field: "owner", Op: "in", Values: []string{"ANA.owner@example.com"}}, "ion"},
			{segment.Condition{Field: "owner", Op: "in", Values: []string{"none"}}, "eva kai lia"},
			{segment.Condition{Field: "owner", Op: "not_in", Values: []string{"ana.owner@example.com"}}, "eva kai lia"},
			{segment.Condition{Field: "source", Op: "in", Values: []string{"referral"}}, "eva"},
			{segment.Condition{Field: "country", Op: "in", Values: []string{"Romania", "NO"}}, "ion kai lia"},
			{segment.Condition{Field: "country", Op: "not_in", Values: []string{"RO"}}, "eva kai"},
			{segment.Condition{Field: "consent", Op: "is", Value: "true"}, "ion kai"},
			{segment.Condition{Field: "existing_customer", Op: "is", Value: "false"}, "eva ion lia"},
			{segment.Condition{Field: "event", Op: "at_least", EventType: "page_view", URLContains: "/pricing", Count: 2, Days: 14}, "ion"},
			{segment.Condition{Field: "event", Op: "at_least", EventType: "page_view", URLContains: "/PRICING", Count: 1, Days: 30}, "eva ion"},
			{segment.Condition{Field: "event", Op: "at_least", EventType: "page_view", Count: 4, Days: 14}, ""},
			{segment.Condition{Field: "event", Op: "at_most", EventType: "page_view", Count: 0, Days: 14}, "eva kai lia"},
			{segment.Condition{Field: "event", Op: "at_most", EventType: "email_open", Count: 1, Days: 7}, "eva ion kai lia"},
		} {
			name := fmt.Sprintf("%s %s %s%v", tc.cond.Field, tc.cond.Op, tc.cond.Value, tc.cond.Values)
			p, err := w.segs.Preview(ctx, marketing, segment.Segment{Name: "preview", Conditions: []segment.Condition{tc.cond}})
			if err != nil {
				t.Fatalf("%s: preview: %v", name, err)
			}
			s := w.create(t, fmt.Sprintf("kind %s #%d", tc.cond.Field, time.Now().UnixNano()), "all", tc.cond)
			w.run(t)
			if got := w.members(t, s.ID); got != tc.want {
				t.Errorf("%s: members %q, want %q", name, got, tc.want)
			}
			if want := len(strings.Fields(tc.want)); p.Count != int64(want) || len(p.Leads) != want {
				t.Errorf("%s: preview counts %d and shows %d, want %d", name, p.Count, len(p.Leads), want)
			}
		}
	})
}

func TestCombinationsAndListMembership(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ro := w.create(t, "Romania", "all", segment.Condition{Field: "country", Op: "in", Values: []string{"RO"}})
		both := w.create(t, "Romania with consent", "all",
			segment.Condition{Field: "segment", Op: "in", Segment: ro.ID},
			segment.Condition{Field: "consent", Op: "is", Value: "true"})
		either := w.create(t, "Romania or customers", "any",
			segment.Condition{Field: "segment", Op: "in", Segment: ro.ID},
			segment.Condition{Field: "stage", Op: "in", Values: []string{"customer"}})
		outside := w.create(t, "Not in Romania", "all", segment.Condition{Field: "segment", Op: "not_in", Segment: ro.ID})
		everyone := w.create(t, "Everyone", "all")
		w.run(t)
		for _, c := range []struct {
			s    segment.Segment
			want string
		}{{ro, "ion lia"}, {both, "ion"}, {either, "ion kai lia"}, {outside, "eva kai"}, {everyone, "eva ion kai lia"}} {
			if got := w.members(t, c.s.ID); got != c.want {
				t.Errorf("%s: %q, want %q", c.s.Name, got, c.want)
			}
		}

		// Eva moves to Romania: one pass settles her in every segment,
		// the ones built on Romania included.
		if _, err := w.leads.Update(ctx, access.System, w.ids["eva"], lead.Changes{"country": "RO", "consent": "true"}); err != nil {
			t.Fatal(err)
		}
		w.run(t)
		if got := w.members(t, both.ID); got != "eva ion" {
			t.Errorf("after Eva moved, Romania with consent: %q", got)
		}
		if got := w.members(t, outside.ID); got != "kai" {
			t.Errorf("after Eva moved, Not in Romania: %q", got)
		}

		// Redefining Romania as Norway refills it, then the segments built
		// on it.
		ro.Conditions = []segment.Condition{{Field: "country", Op: "in", Values: []string{"NO"}}}
		if _, err := w.segs.Update(ctx, marketing, ro); err != nil {
			t.Fatal(err)
		}
		w.run(t)
		if got := w.members(t, either.ID); got != "kai" {
			t.Errorf("after the edit, Romania (now Norway) or customers: %q", got)
		}
		if got := w.members(t, outside.ID); got != "eva ion lia" {
			t.Errorf("after the edit, not in it: %q", got)
		}

		// A loop is refused, naming the condition; so is a missing
		// segment, and deleting a segment others use.
		ro.Conditions = append(ro.Conditions, segment.Condition{Field: "segment", Op: "in", Segment: both.ID})
		_, err := w.segs.Update(ctx, marketing, segment.Segment{ID: ro.ID, Name: ro.Name, Conditions: ro.Conditions})
		if e := fault.As(err); e == nil || e.Fields["conditions.1.segment"] == "" {
			t.Errorf("a loop: %v", err)
		}
		_, err = w.segs.Create(ctx, marketing, segment.Segment{Name: "Ghost", Conditions: []segment.Condition{{Field: "segment", Op: "in", Segment: 999}}})
		if e := fault.As(err); e == nil || e.Fields["conditions.0.segment"] == "" {
			t.Errorf("a missing segment: %v", err)
		}
		if err := w.segs.Delete(ctx, marketing, ro.ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("deleting a segment in use: %v", err)
		}
		_, err = w.segs.Create(ctx, marketing, segment.Segment{Name: "Ghost", Conditions: []segment.Condition{{Field: "owner", Op: "in", Values: []string{"nobody@example.com"}}}})
		if e := fault.As(err); e == nil || e.Fields["conditions.0.values"] == "" {
			t.Errorf("an owner who is not a user: %v", err)
		}
		_, err = w.segs.Create(ctx, marketing, segment.Segment{Name: "romania"})
		if e := fault.As(err); e == nil || e.Fields["name"] == "" {
			t.Errorf("a name taken: %v", err)
		}
		if _, err := w.segs.Create(ctx, access.Actor{ID: 9, Role: access.Sales}, segment.Segment{Name: "Mine"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales creating a segment: %v", err)
		}
	})
}

func TestMembershipFollowsLeadChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		pricing := w.create(t, "Pricing visitors", "all",
			segment.Condition{Field: "event", Op: "at_least", EventType: "page_view", URLContains: "/pricing", Count: 2, Days: 14})
		mqls := w.create(t, "MQLs", "all", segment.Condition{Field: "stage", Op: "in", Values: []string{"mql"}})
		w.run(t)
		start, err := segment.LatestCursor(ctx, db.R)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.members(t, pricing.ID) + " | " + w.members(t, mqls.ID); got != "ion | ion" {
			t.Fatalf("at first: %s", got)
		}

		// Two recent pricing visits bring Eva in; an edit moves Lia in and
		// Ion out of the MQLs; only those leads are evaluated.
		_, err = w.leads.RecordEvents(ctx, access.System, []lead.EventInput{
			{LeadID: w.ids["eva"], Type: "page_view", URL: "https://leadflow.example/pricing", OccurredAt: w.now.Add(-5 * 24 * time.Hour)},
			{LeadID: w.ids["eva"], Type: "page_view", URL: "https://leadflow.example/pricing", OccurredAt: w.now.Add(-24 * time.Hour)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.leads.Update(ctx, access.System, w.ids["lia"], lead.Changes{"stage": "mql"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.leads.Update(ctx, access.System, w.ids["ion"], lead.Changes{"stage": "nurturing", lead.FStageReason: "not ready yet"}); err != nil {
			t.Fatal(err)
		}
		st := w.run(t)
		if got := w.members(t, pricing.ID) + " | " + w.members(t, mqls.ID); got != "eva ion | lia" {
			t.Errorf("after the changes: %s", got)
		}
		if st.Entered != 2 || st.Left != 1 || st.Filled != 0 {
			t.Errorf("the pass did %+v, want 2 entries and 1 exit, no fill", st)
		}
		entries, next, err := segment.EnteredSince(ctx, db.R, pricing.ID, start, 10)
		if err != nil || len(entries) != 1 || entries[0].LeadID != w.ids["eva"] {
			t.Errorf("entered Pricing visitors since the start: %+v %v", entries, err)
		}
		if again, _, _ := segment.EnteredSince(ctx, db.R, pricing.ID, next, 10); len(again) != 0 {
			t.Errorf("nothing new after the cursor, got %+v", again)
		}

		// Ten days on, Eva's visit of 5 days ago has left the 14-day
		// window, with no write to her: she leaves. Ion's visits (1 to 3
		// days old) are still in it; four days later they are not.
		w.sync.SetClock(func() time.Time { return w.now.Add(10 * 24 * time.Hour) })
		st = w.run(t)
		if got := w.members(t, pricing.ID); got != "ion" || st.Windowed == 0 {
			t.Errorf("10 days on: %q (windowed %d), want Ion alone", got, st.Windowed)
		}
		w.sync.SetClock(func() time.Time { return w.now.Add(14 * 24 * time.Hour) })
		w.run(t)
		if got := w.members(t, pricing.ID); got != "" {
			t.Errorf("14 days on: %q, want nobody", got)
		}

		// Ion's pricing visits erased (privacy) take him out of a segment
		// of pricing visitors in the last 30 days.
		recent := w.create(t, "Pricing, a month", "all",
			segment.Condition{Field: "event", Op: "at_least", EventType: "page_view", URLContains: "/pricing", Count: 1, Days: 30})
		w.run(t)
		if got := w.members(t, recent.ID); got != "eva ion" {
			t.Fatalf("pricing in a month: %q", got)
		}
		if _, err := db.W.Exec(ctx, `DELETE FROM events WHERE lead_id = ?`, w.ids["ion"]); err != nil {
			t.Fatal(err)
		}
		w.run(t)
		if got := w.members(t, recent.ID); got != "eva" {
			t.Errorf("after Ion's events were deleted: %q", got)
		}

		// A deleted lead leaves, and the count with it.
		if err := w.leads.Delete(ctx, access.System, w.ids["lia"]); err != nil {
			t.Fatal(err)
		}
		w.run(t)
		if got := w.members(t, mqls.ID); got != "" {
			t.Errorf("after Lia's deletion the MQLs are %q", got)
		}
		var left int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM segment_changes`).Scan(&left); err != nil || left != 0 {
			t.Errorf("changes left in the feed: %d %v", left, err)
		}
	})
}

// TestFillInChunksAndNewLeads fills a segment bigger than one chunk and
// checks that leads added during the fill are counted once.
func TestFillInChunksAndNewLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		leads := lead.NewService(db)
		segs := segment.NewService(db)
		sync := segment.NewSyncer(db)
		insert := func(from, to int) {
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				for i := from; i < to; i++ {
					stage := "lead"
					if i%3 == 0 {
						stage = "mql"
					}
					if _, err := tx.Exec(ctx, `INSERT INTO leads (email, stage, grade, created_at, updated_at) VALUES (?, ?, 'cold', 0, 0)`,
						fmt.Sprintf("p%d@x.example", i), stage); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		insert(0, 12000)
		s, err := segs.Create(ctx, marketing, segment.Segment{Name: "MQL", Conditions: []segment.Condition{{Field: "stage", Op: "in", Values: []string{"mql"}}}})
		if err != nil {
			t.Fatal(err)
		}
		_ = leads
		insert(12000, 12300)
		st, err := sync.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := segs.Get(ctx, marketing, s.ID)
		if got.Members != 4100 || !got.Filled || st.Filled < 3 {
			t.Errorf("after the fill: %d members (filled %v) in %d chunks, want 4100", got.Members, got.Filled, st.Filled)
		}
		var rows int64
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM segment_members WHERE segment_id = ?`, s.ID).Scan(&rows)
		if rows != 4100 {
			t.Errorf("%d membership rows, want 4100", rows)
		}
	})
}

// TestConcurrentRunsAndWrites runs three membership jobs at once (three
// instances) while leads change under them, then checks every segment
// holds exactly the leads that pass it, with a matching count.
func TestConcurrentRunsAndWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var ids []int64
		for i := 0; i < 60; i++ {
			l, err := w.leads.Insert(ctx, lead.Lead{Email: fmt.Sprintf("c%d@x.example", i), Stage: lead.StageLead, Country: "DE",
				CreatedAt: w.now, UpdatedAt: w.now}, "test")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		mql := w.create(t, "MQL", "all", segment.Condition{Field: "stage", Op: "in", Values: []string{"mql"}})
		de := w.create(t, "MQL in Germany", "all", segment.Condition{Field: "segment", Op: "in", Segment: mql.ID},
			segment.Condition{Field: "country", Op: "in", Values: []string{"DE"}})
		runs := func() error {
			for i := 0; i < 15; i++ {
				if _, err := segment.NewSyncer(db).Run(ctx); err != nil {
					return err
				}
			}
			return nil
		}
		edits := func(from int) func() error {
			return func() error {
				for i := from; i < len(ids); i += 3 {
					if _, err := w.leads.Update(ctx, access.System, ids[i], lead.Changes{"stage": "mql"}); err != nil {
						return err
					}
				}
				return nil
			}
		}
		// Marketing redefines the Germany segment meanwhile, ending where
		// it began: each edit refills it while the runs go on.
		redefine := func() error {
			for i := 0; i < 6; i++ {
				countries := []string{"DE", "RO"}
				if i%2 == 1 {
					countries = []string{"DE"}
				}
				s := de
				s.Version = 0
				s.Conditions = []segment.Condition{s.Conditions[0], {Field: "country", Op: "in", Values: countries}}
				if _, err := w.segs.Update(ctx, marketing, s); err != nil {
					return err
				}
			}
			return nil
		}
		for _, err := range dbtest.Together(runs, runs, runs, edits(0), edits(1), edits(2), redefine) {
			if err != nil {
				t.Fatal(err)
			}
		}
		w.run(t)
		for _, c := range []struct {
			s    segment.Segment
			want int64
		}{{mql, 61}, {de, 60}} {
			got, _ := w.segs.Get(ctx, marketing, c.s.ID)
			var rows, dup int64
			db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT lead_id) FROM segment_members WHERE segment_id = ?`, c.s.ID).Scan(&rows, &dup)
			if got.Members != c.want || rows != c.want || dup != c.want {
				t.Errorf("%s: count %d, %d rows (%d distinct), want %d", c.s.Name, got.Members, rows, dup, c.want)
			}
		}
	})
}

// TestJobOnTwoInstances runs the membership job through two job runners
// sharing the database, as two instances would: both are woken for the
// same change, the change is applied once, and finished runs are
// forgotten after a while.
func TestJobOnTwoInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var runners []*job.Runner
		for i := 0; i < 2; i++ {
			r := job.NewRunner(db, job.Options{Instance: fmt.Sprintf("instance-%d", i), Poll: 20 * time.Millisecond})
			r.Handle(segment.JobKind, segment.NewSyncer(db).Handler)
			r.Start()
			t.Cleanup(func() { r.Stop(context.Background()) })
			runners = append(runners, r)
		}
		old := time.Now().Add(-time.Hour).UnixMilli()
		if _, err := db.W.Exec(ctx, `INSERT INTO jobs (kind, unique_key, state, run_at, created_at, finished_at) VALUES (?, 'old run', 'done', ?, ?, ?)`,
			segment.JobKind, old, old, old); err != nil {
			t.Fatal(err)
		}
		ro := w.create(t, "Romania", "all", segment.Condition{Field: "country", Op: "in", Values: []string{"RO"}})
		if _, err := w.leads.Update(ctx, access.System, w.ids["eva"], lead.Changes{"country": "RO"}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, err := range dbtest.Together(func() error {
			id, err := segment.Wake(ctx, runners[0])
			ids = append(ids, id)
			return err
		}, func() error {
			id, err := segment.Wake(ctx, runners[1])
			return errors.Join(err, func() error { _, err := job.Wait(ctx, db.R, id); return err }())
		}) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := job.Wait(ctx, db.R, ids[0]); err != nil {
			t.Fatal(err)
		}
		if got := w.members(t, ro.ID); got != "eva ion lia" {
			t.Errorf("Romania after the job: %q", got)
		}
		var oldRuns int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE unique_key = 'old run'`).Scan(&oldRuns)
		if oldRuns != 0 {
			t.Errorf("a run finished an hour ago is still listed")
		}
	})
}
