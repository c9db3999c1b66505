package lead

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// The bounded walk's two queries read indexes, never every lead: the end
// of the walk from the index alone, the page by a range of the sort's
// index (or of the grade's, for one grade sorted by score or date), for
// every indexed sort, both directions, after and before a cursor.
func TestBoundedWalkReadsARangeOfTheSortIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for sort, c := range sortColumns {
		if !c.indexed {
			continue
		}
		for _, grades := range [][]Grade{nil, {"warm"}, {"warm", "hot"}} {
			for _, seenBy := range []int64{0, 7} { // everyone's leads, a sales user's
				for _, desc := range []bool{false, true} {
					var value any = "k"
					if c.numeric {
						value = int64(5)
					}
					for _, cur := range []*sortkey.Cursor{nil, {Sort: sort, Value: value, ID: 9}, {Sort: sort, Value: value, ID: 9, Before: true}} {
						f := Filter{Sort: sort, Desc: desc, Grades: grades, Stages: []Stage{MQL}, Countries: []string{"US"}, walkSortIndex: true, visibleTo: seenBy}
						name := fmt.Sprintf("sort %s desc %v grades %v seen by %d cursor %+v", sort, desc, grades, seenBy, cur)
						q, a := walkEndQuery(f, cur)
						if plan := dbtest.Plan(t, db, q, a...); !strings.Contains(plan, "COVERING INDEX") || strings.Contains(plan, "TEMP B-TREE") {
							t.Errorf("%s: end of walk:\n%s", name, plan)
						}
						q, a = pageQuery(f, cur, 51, &sortkey.Dest{Text: "m", Num: 50, ID: 20})
						plan := dbtest.Plan(t, db, q, a...)
						if !strings.Contains(plan, "SEARCH l USING INDEX") || strings.Contains(plan, "TEMP B-TREE") {
							t.Errorf("%s: bounded page:\n%s", name, plan)
						}
					}
				}
			}
		}
	}
}

// walkLead is what the pages test knows of a lead it inserted.
type walkLead struct {
	id      int64
	created int64
	score   int
	company string
	grade   string
	stage   string
	country string
	source  string
	owner   int64 // 0 for none
}

// A few-valued filter's pages are the same leads in the same order
// whichever plan serves them: dense matches from the bounded walk, rare
// ones and ones that lie only past the walk's bound from the filter's
// own index. Each filter is paged forwards to its end, back again, and
// by page number, sorted by date, score and company.
func TestFewValuedFiltersPageAlikeByEitherPlan(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	const n = 6000
	var ann, bob int64
	for _, u := range []struct {
		email string
		id    *int64
	}{{"ann@firm.example", &ann}, {"bob@firm.example", &bob}} {
		if err := db.W.QueryRow(ctx, `INSERT INTO users (email, role, password_hash, created_at) VALUES (?, 'sales', '', 0) RETURNING id`,
			u.email).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	// Every fifth lead is from the US, every 997th from Norway, the 100
	// oldest from Italy; every fourth is warm, every 50th hot. Ann owns
	// leads of the first half, Bob every third lead of the second; the
	// rest are unassigned.
	if _, err := db.W.Exec(ctx, `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		INSERT INTO leads (email, owner_id, company, company_sort, country, source, stage, score, grade, created_at, updated_at)
		SELECT 'p' || i || '@firm.example', CASE WHEN i <= 3000 AND i % 2 = 0 THEN ? WHEN i > 3000 AND i % 3 = 0 THEN ? END,
			'Firm', printf('c%05d', (i * 7919) % 6007),
			CASE WHEN i <= 100 THEN 'IT' WHEN i % 997 = 0 THEN 'NO' WHEN i % 5 = 0 THEN 'US' ELSE 'RO' END,
			CASE WHEN i % 2 = 0 THEN 'web' ELSE 'event' END,
			CASE i % 3 WHEN 0 THEN 'lead' WHEN 1 THEN 'mql' ELSE 'sql' END,
			(i * 37) % 101,
			CASE WHEN i % 50 = 0 THEN 'hot' WHEN i % 4 = 0 THEN 'warm' ELSE 'cold' END,
			1700000000000 + i * 1000, 1700000000000
		FROM s`, n, ann, bob); err != nil {
		t.Fatal(err)
	}
	if err := db.Analyze(ctx, "leads"); err != nil {
		t.Fatal(err)
	}
	var all []walkLead
	rows, err := db.R.Query(ctx, `SELECT id, created_at, score, company_sort, grade, stage, country, source, COALESCE(owner_id, 0) FROM leads`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l walkLead
		if err := rows.Scan(&l.id, &l.created, &l.score, &l.company, &l.grade, &l.stage, &l.country, &l.source, &l.owner); err != nil {
			t.Fatal(err)
		}
		all = append(all, l)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	svc := NewService(db)
	admin := access.Actor{ID: 1, Role: access.Admin}
	sales := access.Actor{ID: ann, Role: access.Sales}
	for _, c := range []struct {
		query string
		keep  func(walkLead) bool
		plan  string // of the first page: the bounded walk, a walk on past it, or the count
	}{
		{"country=US", func(l walkLead) bool { return l.country == "US" }, "walk"},
		{"grade=warm&country=US", func(l walkLead) bool { return l.grade == "warm" && l.country == "US" }, "walk"},
		{"grade=warm,hot&stage=mql", func(l walkLead) bool { return l.grade != "cold" && l.stage == "mql" }, "walk"},
		// About one lead in 50: the walk falls short, but walks on.
		{"country=US&stage=mql&source=web&grade=warm,hot", func(l walkLead) bool {
			return l.country == "US" && l.stage == "mql" && l.source == "web" && l.grade != "cold"
		}, "walk on"},
		{"country=NO", func(l walkLead) bool { return l.country == "NO" }, "count"},
		{"country=IT&stage=lead,sql", func(l walkLead) bool { return l.country == "IT" && l.stage != "mql" }, "count"},
	} {
		for _, sort := range []string{"-created_at", "-score", "company"} {
			name := c.query + "&sort=" + sort
			var want []int64
			for _, l := range sortedWalkLeads(all, sort) {
				if c.keep(l) {
					want = append(want, l.id)
				}
			}
			v, _ := url.ParseQuery(name)
			f, err := ParseFilter(v)
			if err != nil {
				t.Fatal(err)
			}
			if sort == "-created_at" { // which plan served the first page, checked for one order
				for _, a := range []access.Actor{admin, sales} {
					pf, err := svc.prepare(ctx, a, f)
					if err != nil {
						t.Fatal(err)
					}
					found, _, done, err := walkBounded(ctx, db.R, pf, nil, pf.Limit+1)
					if err != nil {
						t.Fatal(err)
					}
					plan := "count"
					if done {
						plan = "walk"
					} else if len(found)*walkOn >= pf.Limit+1 {
						plan = "walk on"
					}
					if plan != c.plan {
						t.Errorf("%s as %s: the first page's plan is %s (the bounded walk found %d), want %s", name, a.Role, plan, len(found), c.plan)
					}
				}
			}
			pageThrough(t, svc, admin, name, want)
			// Ann sees her leads and the unassigned ones, of the same order.
			var hers []int64
			for _, l := range sortedWalkLeads(all, sort) {
				if c.keep(l) && (l.owner == ann || l.owner == 0) {
					hers = append(hers, l.id)
				}
			}
			pageThrough(t, svc, sales, name, hers)
		}
	}
}

// sortedWalkLeads orders leads as the list does for sort.
func sortedWalkLeads(all []walkLead, sort string) []walkLead {
	out := slices.Clone(all)
	slices.SortFunc(out, func(a, b walkLead) int {
		switch sort {
		case "-created_at":
			return cmp.Or(cmp.Compare(b.created, a.created), cmp.Compare(b.id, a.id))
		case "-score":
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.id, a.id))
		default:
			return cmp.Or(cmp.Compare(a.company, b.company), cmp.Compare(a.id, b.id))
		}
	})
	return out
}

// pageThrough lists query's leads 50 a page to the end by next_cursor,
// back to the start by prev_cursor, and page 3 by number, checking each
// against want.
func pageThrough(t *testing.T, svc *Service, a access.Actor, query string, want []int64) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("%s as %s", query, a.Role)
	list := func(extra url.Values) Page {
		t.Helper()
		v, _ := url.ParseQuery(query)
		for k, x := range extra {
			v[k] = x
		}
		f, err := ParseFilter(v)
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.List(ctx, a, f, false)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ids := func(p Page) []int64 { return leadIDs(p.Leads) }
	var got []int64
	var pages []Page
	for p := list(nil); ; p = list(url.Values{"cursor": {p.NextCursor}}) {
		got, pages = append(got, ids(p)...), append(pages, p)
		if p.NextCursor == "" || len(pages) > len(want) {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: forwards %d leads, want %d; first %v, want %v", name, len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
	}
	for i := len(pages) - 1; i > 0; i-- {
		back := list(url.Values{"cursor": {pages[i].PrevCursor}})
		if !slices.Equal(ids(back), ids(pages[i-1])) {
			t.Fatalf("%s: back from page %d gave %v, want %v", name, i+1, ids(back), ids(pages[i-1]))
		}
	}
	if third := ids(list(url.Values{"page": {"3"}})); !slices.Equal(third, want[min(100, len(want)):min(150, len(want))]) {
		t.Errorf("%s: page 3 is %v", name, third)
	}
}

// A list's count reads no more than its filters need: on SQLite a
// stage's count comes from the stage's index alone, without the owner's
// and the model's tables; a filter on either still counts right, on
// both databases.
func TestListCountsJoinOnlyWhatTheirFiltersRead(t *testing.T) {
	db := dbtest.SQLite(t)
	q, a := countQuery(Filter{Stages: []Stage{MQL}})
	if plan := dbtest.Plan(t, db, q, a...); !strings.Contains(plan, "COVERING INDEX leads_stage") || strings.Contains(plan, " u ") {
		t.Errorf("count of a stage:\n%s", plan)
	}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var owner int64
		if err := db.W.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, role, created_at)
			VALUES ('ann@firm.example', 'Ann', '', 'sales', 0) RETURNING id`).Scan(&owner); err != nil {
			t.Fatal(err)
		}
		// Twelve leads, a third of them Ann's; every other one MQL; lead i
		// has a probability of i × 8 %.
		for i := 1; i <= 12; i++ {
			var o any
			if i%3 == 0 {
				o = owner
			}
			var id int64
			stage := "lead"
			if i%2 == 0 {
				stage = "mql"
			}
			if err := db.W.QueryRow(ctx, `INSERT INTO leads (email, stage, grade, owner_id, created_at, updated_at)
				VALUES (?, ?, 'cold', ?, ?, 0) RETURNING id`, fmt.Sprintf("p%d@firm.example", i), stage, o, i).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.W.Exec(ctx, `INSERT INTO lead_probabilities (lead_id, bp) VALUES (?, ?)`, id, i*800); err != nil {
				t.Fatal(err)
			}
		}
		svc := NewService(db)
		for query, want := range map[string]int{
			"stage=mql": 6, "owner=ann@firm.example": 4, "owner=ann@firm.example&stage=mql": 2, "owner=none": 8,
			"min_probability=50": 6, "min_probability=50&stage=mql": 3, "min_probability=50&owner=ann@firm.example": 2,
		} {
			v, _ := url.ParseQuery(query)
			f, err := ParseFilter(v)
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.List(ctx, access.Actor{ID: 1, Role: access.Admin}, f, true)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if p.Total != want || len(p.Leads) != want {
				t.Errorf("%s: %d leads listed, %d counted, want %d", query, len(p.Leads), p.Total, want)
			}
		}
	})
}
