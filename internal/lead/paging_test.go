package lead_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// awkwardNames are last names that folding to lower case in SQL alone
// sorts wrongly or inconsistently: accents, letters without a lower-case
// ASCII form, case-only differences, repeats and empty names.
var awkwardNames = []string{"Élodie", "Émile", "Östlund", "Ømann", "Zoë", "ßtraße", "van Dijk", "Van Dijk",
	"Smith", "Smith", "", "", "adams", "Zeta", "emile", "Eli"}

// walk pages through the list one lead a page, following next_cursor,
// and returns the last names seen and the ids, in order.
func walk(t *testing.T, ctx context.Context, svc *lead.Service, tm team, sort string, between func(page int)) ([]string, []int64) {
	t.Helper()
	var names []string
	var ids []int64
	cursor := ""
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("sort %s: the cursor never ends", sort)
		}
		v := url.Values{"sort": {sort}, "limit": {"1"}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		f, err := lead.ParseFilter(v)
		if err != nil {
			t.Fatalf("sort %s, page %d: %v", sort, page, err)
		}
		p, err := svc.List(ctx, tm.admin, f, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Leads {
			names = append(names, l.LastName)
			ids = append(ids, l.ID)
		}
		if p.NextCursor == "" {
			return names, ids
		}
		cursor = p.NextCursor
		if between != nil {
			between(page)
		}
	}
}

func TestPagingByNameSeesEveryLeadOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		var all []int64
		for i, name := range awkwardNames {
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("p%d@example.com", i), "last_name": name,
				"company": name})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, l.ID)
		}
		for _, sort := range []string{"last_name", "-last_name", "company", "-company"} {
			names, ids := walk(t, ctx, svc, tm, sort, nil)
			if got := slices.Sorted(slices.Values(ids)); !slices.Equal(got, all) {
				t.Errorf("sort %s: one a page saw %d leads %v, want each of %d once", sort, len(ids), names, len(all))
			}
			// The same order as one page of all of them.
			f, _ := lead.ParseFilter(url.Values{"sort": {sort}, "limit": {"100"}})
			p, err := svc.List(ctx, tm.admin, f, false)
			if err != nil {
				t.Fatal(err)
			}
			var whole []int64
			for _, l := range p.Leads {
				whole = append(whole, l.ID)
			}
			if !slices.Equal(ids, whole) {
				t.Errorf("sort %s: paged order %v differs from the one-page order", sort, names)
			}
		}

		// A natural order: accents and case do not move a name away from
		// its letter, on either database.
		names, _ := walk(t, ctx, svc, tm, "last_name", nil)
		want := []string{"", "", "adams", "Eli", "Élodie", "emile", "Émile", "Östlund", "Smith", "Smith", "ßtraße",
			"Van Dijk", "van Dijk", "Zeta", "Zoë", "Ømann"}
		if !slices.Equal(names, want) {
			t.Errorf("last name order\n got %q\nwant %q", names, want)
		}
	})
}

func TestPagingWhileLeadsArrive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		existing := map[int64]bool{}
		for i, name := range awkwardNames {
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("p%d@example.com", i), "last_name": name})
			if err != nil {
				t.Fatal(err)
			}
			existing[l.ID] = true
		}
		for _, sort := range []string{"last_name", "-last_name"} {
			n := 0
			// Between the first page reads, leads arrive whose names sort
			// before, among and after the ones already there.
			_, ids := walk(t, ctx, svc, tm, sort, func(page int) {
				if page >= 6 {
					return
				}
				for _, name := range []string{"Aaron", "Émile", "Mann", "Østby", "zz"} {
					n++
					if _, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("new-%s-%d@example.com", sort, n),
						"last_name": name}); err != nil {
						t.Fatal(err)
					}
				}
			})
			seen := map[int64]int{}
			for _, id := range ids {
				seen[id]++
			}
			for id := range existing {
				if seen[id] != 1 {
					t.Errorf("sort %s: existing lead %d seen %d times", sort, id, seen[id])
				}
			}
			for id, c := range seen {
				if c > 1 {
					t.Errorf("sort %s: lead %d seen %d times", sort, id, c)
				}
			}
		}
	})
}

// A numbered page shows the rows that many pages down, the same as
// following Next that many times; its cursors go on from there; and a
// page past MaxPage is refused by name.
func TestNumberedPagesMatchTheCursors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		for i, name := range awkwardNames {
			if _, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("n%d@example.com", i), "last_name": name}); err != nil {
				t.Fatal(err)
			}
		}
		_, walked := walk(t, ctx, svc, tm, "last_name", nil)
		list := func(v url.Values) lead.Page {
			t.Helper()
			f, err := lead.ParseFilter(v)
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.List(ctx, tm.admin, f, true)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		ids := func(p lead.Page) (out []int64) {
			for _, l := range p.Leads {
				out = append(out, l.ID)
			}
			return out
		}
		third := list(url.Values{"sort": {"last_name"}, "limit": {"5"}, "page": {"3"}})
		if third.From != 10 || !slices.Equal(ids(third), walked[10:15]) {
			t.Errorf("page 3 of 5 starts at row %d with %v, want row 10 with %v", third.From, ids(third), walked[10:15])
		}
		next := list(url.Values{"sort": {"last_name"}, "limit": {"5"}, "cursor": {third.NextCursor}})
		if next.From != 15 || !slices.Equal(ids(next), walked[15:]) {
			t.Errorf("after page 3: row %d, %v; want row 15, %v", next.From, ids(next), walked[15:])
		}
		prev := list(url.Values{"sort": {"last_name"}, "limit": {"5"}, "cursor": {third.PrevCursor}})
		if prev.From != 5 || !slices.Equal(ids(prev), walked[5:10]) {
			t.Errorf("before page 3: row %d, %v; want row 5, %v", prev.From, ids(prev), walked[5:10])
		}
		if _, err := lead.ParseFilter(url.Values{"page": {fmt.Sprint(lead.MaxPage + 1)}}); err == nil {
			t.Error("a page past MaxPage was taken")
		}
	})
}
