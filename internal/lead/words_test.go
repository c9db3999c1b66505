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

// Search goes by the words of a lead's name, email, company and title,
// each search word the beginning of one, accents and case aside; an edit
// moves the lead in the index and a deletion takes it out, in the same
// transaction.
func TestSearchByWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		if ready, err := svc.WordsReady(ctx); err != nil || !ready {
			t.Fatalf("a new database's word index is not ready: %v", err)
		}
		mk := func(c lead.Changes) lead.Lead {
			l, err := svc.Create(ctx, tm.marketing, c)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		ana := mk(lead.Changes{"email": "ana.pop@carpat.ro", "first_name": "Ana", "last_name": "Pop", "company": "Carpat SRL"})
		anaI := mk(lead.Changes{"email": "ana@ionescu.ro", "first_name": "Ana", "last_name": "Ionescu", "job_title": "Head of Sales"})
		jurgen := mk(lead.Changes{"email": "jm@mueller.de", "first_name": "Jürgen", "last_name": "Müller", "company": "Müller GmbH"})
		search := func(q string) []int64 {
			t.Helper()
			f, err := lead.ParseFilter(url.Values{"q": {q}, "sort": {"created_at"}})
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.List(ctx, tm.admin, f, true)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, l := range p.Leads {
				ids = append(ids, l.ID)
			}
			if p.Total != len(ids) {
				t.Errorf("%q: total %d for %d rows", q, p.Total, len(ids))
			}
			return ids
		}
		for q, want := range map[string][]int64{
			"ana":               {ana.ID, anaI.ID},
			"ana pop":           {ana.ID},
			"Pop Ana":           {ana.ID},
			"carpat.ro":         {ana.ID},
			"ana.pop@carpat.ro": {ana.ID},
			"MÜLL":              {jurgen.ID},
			"muller gmbh":       {jurgen.ID},
			"jurg":              {jurgen.ID},
			"head sal":          {anaI.ID},
			"a":                 {ana.ID, anaI.ID}, // one letter: names and emails that begin with it
			"opescu":            nil,               // not the beginning of a word
			"ana zzz":           nil,
			"ana@ionescu.ro":    {anaI.ID},
			"jm@mueller":        {jurgen.ID},
			"a pop":             {ana.ID}, // a one-letter word beside a longer one is left out
		} {
			if got := search(q); !slices.Equal(got, want) {
				t.Errorf("%q found %v, want %v", q, got, want)
			}
		}
		if _, err := svc.Update(ctx, tm.admin, ana.ID, lead.Changes{"last_name": "Popescu"}); err != nil {
			t.Fatal(err)
		}
		if got := search("popescu"); !slices.Equal(got, []int64{ana.ID}) {
			t.Errorf("after the rename, popescu found %v", got)
		}
		if got := search("pop ana"); !slices.Equal(got, []int64{ana.ID}) {
			t.Errorf("after the rename, pop (the start of popescu) found %v", got)
		}
		if err := svc.Delete(ctx, tm.admin, jurgen.ID); err != nil {
			t.Fatal(err)
		}
		var left int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_words WHERE lead_id = ?`, jurgen.ID).Scan(&left)
		if left != 0 {
			t.Errorf("a deleted lead keeps %d words", left)
		}
	})
}

// Leads stored before the word index are found by reading their text
// until the job has indexed them all, and by the index after.
func TestWordIndexBackfill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		for i := range 1203 {
			if _, err := lead.NewService(db).Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("p%d@fjord%d.no", i, i%7)}); err != nil {
				t.Fatal(err)
			}
		}
		// As a database from before the index: no words, no backfill yet.
		if _, err := db.W.Exec(ctx, `DELETE FROM lead_words`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `UPDATE settings SET value = '0' WHERE key = 'lead_words.backfill'`); err != nil {
			t.Fatal(err)
		}
		svc := lead.NewService(db)
		count := func() int {
			f, _ := lead.ParseFilter(url.Values{"q": {"fjord3"}})
			p, err := svc.List(ctx, tm.admin, f, true)
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		if ready, _ := svc.WordsReady(ctx); ready {
			t.Fatal("ready before the backfill")
		}
		if n := count(); n != 172 {
			t.Errorf("before the backfill fjord3 finds %d, want 172", n)
		}
		n, err := svc.IndexWords(ctx)
		if err != nil || n != 1203 {
			t.Fatalf("backfill: %d %v", n, err)
		}
		if ready, _ := svc.WordsReady(ctx); !ready {
			t.Fatal("not ready after the backfill")
		}
		if n := count(); n != 172 {
			t.Errorf("after the backfill fjord3 finds %d, want 172", n)
		}
		if again, err := svc.IndexWords(ctx); err != nil || again != 0 {
			t.Errorf("a second run indexed %d: %v", again, err)
		}
	})
}

// Edits that run while the job indexes the older leads leave each lead
// indexed by its last words, on PostgreSQL's concurrent writers too.
func TestWordIndexBackfillBesideEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		var ids []int64
		for i := range 600 {
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("b%d@old.example", i), "last_name": "Oldname"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		db.W.Exec(ctx, `DELETE FROM lead_words`)
		db.W.Exec(ctx, `UPDATE settings SET value = '0' WHERE key = 'lead_words.backfill'`)
		edits := func() error {
			for _, id := range ids[:100] {
				if _, err := svc.Update(ctx, tm.admin, id, lead.Changes{"last_name": "Newname"}); err != nil {
					return err
				}
			}
			return nil
		}
		index := func() error {
			_, err := lead.NewService(db).IndexWords(ctx)
			return err
		}
		for _, err := range dbtest.Together(edits, index) {
			if err != nil {
				t.Fatal(err)
			}
		}
		var stale, fresh int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_words WHERE word = 'oldname' AND lead_id <= ?`, ids[99]).Scan(&stale)
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_words WHERE word = 'newname'`).Scan(&fresh)
		if stale != 0 || fresh != 100 {
			t.Errorf("after edits beside the backfill: %d edited leads still under their old name, %d under the new (want 0, 100)", stale, fresh)
		}
	})
}

// A company form written with dots (S.p.A., S.R.L.) is found by the form
// as typed and by its letters run together; leads indexed before
// abbreviations were are found too once the job has indexed them again,
// and search keeps using the index meanwhile.
func TestSearchFindsAbbreviations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		for i, company := range []string{"Castello Foods S.p.A.", "Carpat S.R.L.", "Fjordkraft A/S", "Spaghetti Uno", "Pasta Alba"} {
			if _, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("a%d@firm%d.example", i, i), "company": company}); err != nil {
				t.Fatal(err)
			}
		}
		companies := func(q string) []string {
			f, err := lead.ParseFilter(url.Values{"q": {q}, "sort": {"company"}})
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.List(ctx, tm.admin, f, true)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, l := range p.Leads {
				out = append(out, l.Company)
			}
			return out
		}
		want := map[string][]string{
			"S.p.A.":          {"Castello Foods S.p.A."},
			"castello s.p.a.": {"Castello Foods S.p.A."},
			"spa":             {"Castello Foods S.p.A.", "Spaghetti Uno"},
			"srl":             {"Carpat S.R.L."},
			"S.R.L.":          {"Carpat S.R.L."},
			"A/S":             {"Fjordkraft A/S"},
		}
		check := func(when string) {
			t.Helper()
			for q, w := range want {
				if got := companies(q); !slices.Equal(got, w) {
					t.Errorf("%s: %q finds %q, want %q", when, q, got, w)
				}
			}
		}
		check("new leads")

		// As leads indexed before: without the words abbreviations make.
		if _, err := db.W.Exec(ctx, `DELETE FROM lead_words WHERE word IN ('spa', 'srl', 'as')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('lead_words.refresh', '0')`); err != nil {
			t.Fatal(err)
		}
		if got := companies("S.p.A."); len(got) != 0 {
			t.Fatalf("before the refresh S.p.A. finds %q: the test's old index is not old", got)
		}
		if ready, _ := svc.WordsReady(ctx); !ready {
			t.Error("a refresh stopped search from using the index")
		}
		n, err := svc.IndexWords(ctx)
		if err != nil || n != 5 {
			t.Fatalf("refresh: indexed %d: %v", n, err)
		}
		check("after the refresh")
		if again, err := svc.IndexWords(ctx); err != nil || again != 0 {
			t.Errorf("a second run indexed %d: %v", again, err)
		}
	})
}
