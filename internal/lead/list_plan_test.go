package lead

import (
	"context"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// The name and company sorts walk their index, also past a cursor and
// backwards, instead of sorting every lead; a cursor's page starts with a
// seek in the index.
func TestSortedListsStayOnTheirIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for sort, index := range map[string]string{"last_name": "leads_last_name", "company": "leads_company",
		"created_at": "leads_created", "score": "leads_score"} {
		for _, desc := range []bool{false, true} {
			f := Filter{Sort: sort, Desc: desc, Limit: 50}
			var value any = "k"
			if sortColumns[sort].numeric {
				value = int64(5)
			}
			for _, c := range []*sortkey.Cursor{nil, {Sort: sort, Value: value, ID: 9}, {Sort: sort, Value: value, ID: 9, Before: true}} {
				q, args := listQuery(f, c, 51)
				plan := dbtest.Plan(t, db, q, args...)
				want := "INDEX " + index
				if c != nil {
					want = "SEARCH l USING INDEX " + index // a seek to the cursor, not a walk from the start
				}
				if !strings.Contains(plan, want) || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("sort %s desc %v cursor %+v: %s", sort, desc, c, plan)
				}
			}
		}
	}
}

// A search word is a range on the word index's key, not a scan of the
// leads' text. (SQLite; PostgreSQL chooses by its statistics, which an
// empty test table does not have.)
func TestSearchUsesTheWordIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	f := Filter{Sort: "created_at", Desc: true, Limit: 50, Q: "ana pop", words: true}
	q, args := listQuery(f, nil, 51)
	plan := dbtest.Plan(t, db, q, args...)
	if !strings.Contains(plan, "SEARCH lead_words USING PRIMARY KEY (word>? AND word<?)") || strings.Contains(plan, "lower(") {
		t.Errorf("search plan:\n%s", plan)
	}
}

// Every lookup of a lead by its email (intake's merge, events named by
// email, undo's check) is a search of the email index, which leaves out
// leads without an email: on both databases a lookup that does not say
// the email is not empty reads every lead.
func TestEmailLookupsUseTheEmailIndex(t *testing.T) {
	queries := []string{leadByEmail, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE ` + emailIs,
		`SELECT id FROM leads WHERE ` + emailIs + ` AND id <> ?`}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for _, q := range queries {
			args := []any{"a@b.example", int64(1)}[:strings.Count(q, "?")]
			if plan := dbtest.Plan(t, db, q, args...); !strings.Contains(plan, "USING INDEX leads_email") {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for _, q := range queries {
			args := []any{"a@b.example", int64(1)}[:strings.Count(q, "?")]
			if plan := dbtest.PostgresPlan(t, db, q, args...); !strings.Contains(plan, "leads_email") {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
}

// The index review (migration 0155) dropped leads_owner and made
// leads_account partial: a lead's owner is found through
// leads_contact_due, whose first column it is, and the leads of an
// account still through leads_account, on both databases.
func TestOwnerAndAccountLookupsKeepAnIndex(t *testing.T) {
	queries := map[string]string{
		`SELECT id FROM leads WHERE owner_id = ?`:                                            "leads_contact_due",
		`SELECT ` + columns + fromLeads + ` WHERE l.owner_id = ? AND l.contacted_at IS NULL`: "leads_contact_due",
		accountLeads: "leads_account",
	}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for q, index := range queries {
			if plan := dbtest.Plan(t, db, q, int64(7)); !strings.Contains(plan, "INDEX "+index) {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for q, index := range queries {
			if plan := dbtest.PostgresPlan(t, db, q, int64(7)); !strings.Contains(plan, index) {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
}

// A batched score save (a rescore's, an event batch's) finds each lead by
// its id, whatever the kind of save, on both databases.
func TestBatchedScoreSavesSearchByID(t *testing.T) {
	args := []any{int64(1), 10, "warm", "mql", int64(1), int64(2), 20, "hot", "mql", int64(1)}
	two := func(kind int) string {
		head, one, tail := saveMovesSQL(kind)
		return head + one + ", " + one + tail
	}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for kind := range saveSets {
			plan := dbtest.Plan(t, db, two(kind), args...)
			if !strings.Contains(plan, "SEARCH leads USING INTEGER PRIMARY KEY (rowid=?)") || strings.Contains(plan, "SCAN leads") {
				t.Errorf("save kind %d plan:\n%s", kind, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for kind := range saveSets {
			if plan := dbtest.PostgresPlan(t, db, two(kind), args...); !strings.Contains(plan, "leads_pkey") {
				t.Errorf("save kind %d plan:\n%s", kind, plan)
			}
		}
	})
}

// On PostgreSQL a search word that begins the words of between hashFrom
// and hashUpTo leads is tested as a hashed set of their ids while the
// list walks its order; a rarer word, or a commoner one, keeps the join.
// The pages are the same either way: the leads the word finds, newest
// first, page after page, and their count.
func TestSearchOfManyLeadsHashesTheirIDs(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	const n = 25000
	// Every lead is a Common; every tenth a Zeta (2,500), every 250th a
	// Rare (100).
	if _, err := db.W.Exec(ctx, `INSERT INTO leads (email, first_name, last_name, company, job_title, employees, country, industry,
		source, stage, score, grade, created_at, updated_at, first_name_sort, last_name_sort, company_sort)
		SELECT 'p' || i || '@firm.example', CASE WHEN i % 250 = 0 THEN 'Rare' || i WHEN i % 10 = 0 THEN 'Zeta' || i ELSE 'Ana' END,
			'Common', 'Firm', '', 0, 'RO', '', 'web', 'lead', (i * 37) % 101, 'cold', 1700000000000 + (i * 7919) % 100000, 0, '', '', ''
		FROM generate_series(1, ?) AS i`, n); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `INSERT INTO lead_words (word, lead_id)
		SELECT lower(first_name), id FROM leads UNION SELECT 'common', id FROM leads`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `ANALYZE leads; ANALYZE lead_words`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    Filter
		want string
	}{
		{Filter{Q: "Zeta"}, "zeta"},
		{Filter{Q: "z zeta"}, "zeta"}, // a one-letter word beside it is left out
		{Filter{Q: "rare"}, ""},       // 100 leads: read them first
		{Filter{Q: "common"}, ""},     // every lead: the walk finds a page at once
		{Filter{Q: "zeta common"}, ""},
		{Filter{Q: "zeta@firm"}, ""},
		{Filter{Q: "zeta", Stages: []Stage{"mql"}}, ""},
		{Filter{Q: "zeta", visibleTo: 7}, ""},
	} {
		c.f.Limit = 50
		got, err := hashedWord(ctx, db.R, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("search %q (stages %v, seen by %d): hashed %q, want %q", c.f.Q, c.f.Stages, c.f.visibleTo, got, c.want)
		}
	}
	svc := NewService(db)
	admin := access.Actor{Role: access.Admin}
	f, err := svc.prepare(ctx, admin, Filter{Q: "zeta", Sort: "created_at", Desc: true, Limit: 50})
	if err != nil || f.hashWord != "zeta" {
		t.Fatalf("the list's filter hashes %q (%v)", f.hashWord, err)
	}
	q, args := listQuery(f, nil, 51)
	// The walk reads the date index alone, and only the page's rows.
	if plan := dbtest.PostgresPlan(t, db, q, args...); !strings.Contains(plan, "hashed SubPlan") ||
		!strings.Contains(plan, "Index Only Scan Backward using leads_created") {
		t.Errorf("plan of a search of 2,500 leads:\n%s", plan)
	}
	// A word of every lead keeps the join, which asks the word index
	// about each lead walked from its lead_id and word (migration 0164).
	f.Q, f.hashWord = "common", ""
	q, args = listQuery(f, nil, 51)
	if plan := dbtest.PostgresPlan(t, db, q, args...); !strings.Contains(plan, "Index Only Scan using lead_words_lead_word") {
		t.Errorf("plan of a search of every lead:\n%s", plan)
	}

	want, err := sqldb.Column[int64](ctx, db.R, `SELECT id FROM leads WHERE first_name LIKE 'Zeta%' ORDER BY created_at DESC, id DESC LIMIT 150`)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	var cursor *sortkey.Cursor
	var prev string
	for page := range 3 {
		p, err := svc.List(ctx, admin, Filter{Q: "Zeta", Sort: "created_at", Desc: true, Limit: 50, Cursor: cursor}, page == 0)
		if err != nil {
			t.Fatal(err)
		}
		if page == 0 && p.Total != n/10-n/250 {
			t.Errorf("total %d, want %d", p.Total, n/10-n/250)
		}
		for _, l := range p.Leads {
			got = append(got, l.ID)
		}
		var ok bool
		if cursor, ok = f.order().Decode(p.NextCursor); !ok {
			t.Fatalf("page %d: next cursor %q", page+1, p.NextCursor)
		}
		prev = p.PrevCursor
	}
	if !slices.Equal(got, want) {
		t.Errorf("three pages of the search: %d leads, want %d, first %v want %v", len(got), len(want), got[:min(5, len(got))], want[:5])
	}
	// Back from the third page, the second.
	back, ok := f.order().Decode(prev)
	if !ok {
		t.Fatalf("third page: previous cursor %q", prev)
	}
	p, err := svc.List(ctx, admin, Filter{Q: "Zeta", Sort: "created_at", Desc: true, Limit: 50, Cursor: back}, false)
	if err != nil {
		t.Fatal(err)
	}
	if ids := leadIDs(p.Leads); !slices.Equal(ids, want[50:100]) {
		t.Errorf("back from the third page: %v, want %v", ids[:min(5, len(ids))], want[50:55])
	}
	// Sorted by score, lowest first, on another index.
	want, err = sqldb.Column[int64](ctx, db.R, `SELECT id FROM leads WHERE first_name LIKE 'Zeta%' ORDER BY score, id LIMIT 50`)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = svc.List(ctx, admin, Filter{Q: "Zeta", Sort: "score", Limit: 50}, false); err != nil {
		t.Fatal(err)
	}
	if ids := leadIDs(p.Leads); !slices.Equal(ids, want) {
		t.Errorf("the search by score: %v, want %v", ids[:min(5, len(ids))], want[:5])
	}
}

func leadIDs(leads []Lead) []int64 {
	out := make([]int64, len(leads))
	for i, l := range leads {
		out[i] = l.ID
	}
	return out
}
