package imports_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// bulkRow is one row of the files below, kept to say what the import
// must have made of it.
type bulkRow struct {
	first, last, email, company, title, country, employees string
}

func (r bulkRow) csv() string {
	return strings.Join([]string{r.first, r.last, r.email, r.company, r.title, r.country, r.employees}, ",")
}

const bulkHeader = "First Name,Last Name,Email,Company,Title,Country,No. of Employees\n"

// bulkRows are n rows of new people, with, mixed in: a repeat of an
// earlier row's email (other case, a title it lacked) every 7th row, a
// bad email every 11th, a row without an email every 13th, and an email
// of a lead stored before the import every 17th.
func bulkRows(n int, stored []string) []bulkRow {
	titles := []string{"CEO", "Engineer", "Head of Sales", "Analyst", ""}
	countries := []string{"RO", "DE", "IT", "FR"}
	var rows []bulkRow
	for i := 0; i < n; i++ {
		r := bulkRow{first: fmt.Sprintf("Ana%d", i), last: fmt.Sprintf("Pop%d", i), email: fmt.Sprintf("p%d@firm%d.example", i, i%5),
			company: fmt.Sprintf("Firm %d", i%5), title: titles[i%len(titles)], country: countries[i%len(countries)],
			employees: fmt.Sprint(10 + i*37%400)}
		switch {
		case i%7 == 6:
			prev := rows[i-3]
			r = prev
			r.email = strings.ToUpper(prev.email)
			if r.title == "" {
				r.title = "Founder"
			}
		case i%11 == 10:
			r.email = fmt.Sprintf("not-an-email-%d", i)
		case i%13 == 12:
			r.email = ""
		case i%17 == 16 && len(stored) > 0:
			r.email = stored[i%len(stored)]
			r.company = "Filled In"
		}
		rows = append(rows, r)
	}
	return rows
}

// A file imported in batches loses no row and makes no lead twice: each
// email is one lead, however many rows carry it and in whatever case,
// within a batch or across; rows of stored emails merge into them; a bad
// row is refused with its line and field; a look-alike without an email
// waits in the review queue; every new lead is scored, findable by its
// words, and counted on the dashboard; and each lead ends as it would
// had its rows arrived one at a time.
func TestBulkImportLosesNothingAndDuplicatesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.imp.BatchSize = 40
		var stored []string
		for i := 0; i < 5; i++ {
			e := fmt.Sprintf("stored%d@old.example", i)
			if _, err := w.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: e, lead.FFirstName: "Old"},
				Origin: lead.Origin{Channel: "api"}}); err != nil {
				t.Fatal(err)
			}
			stored = append(stored, e)
		}
		rows := bulkRows(300, stored)
		// Two look-alikes without an email: one person, twice.
		rows = append(rows, bulkRow{first: "Ioana", last: "Marinescu", company: "Lumen SRL", country: "RO"},
			bulkRow{first: "Ioana", last: "Marinescu", company: "Lumen SRL", country: "RO", title: "CEO"})
		var text strings.Builder
		text.WriteString(bulkHeader)
		for _, r := range rows {
			text.WriteString(r.csv() + "\n")
		}
		im := w.importText(t, "bulk.csv", text.String(), nil)

		// What the rows must make, worked out from the rows alone.
		emails := map[string]bulkRow{} // lower-case email -> the merged row
		var bad []int
		noEmail := 0
		for i, r := range rows {
			switch {
			case strings.HasPrefix(strings.ToLower(r.email), "not-an-email"):
				bad = append(bad, i+2) // the line, after the header
			case r.email == "":
				noEmail++
			default:
				key := strings.ToLower(r.email)
				if prev, ok := emails[key]; ok && prev.title == "" {
					prev.title = r.title
					emails[key] = prev
				} else if !ok {
					emails[key] = r
				}
			}
		}
		newEmails := 0
		for e := range emails {
			if !slices.Contains(stored, e) {
				newEmails++
			}
		}
		if im.Status != "done" || im.RowsDone != int64(len(rows)) || im.Rejected != int64(len(bad)) ||
			im.Created != int64(newEmails+noEmail) || im.Created+im.Updated+im.Unchanged+im.Rejected != int64(len(rows)) {
			t.Fatalf("import %+v; want %d rows, %d created, %d rejected", im, len(rows), newEmails+noEmail, len(bad))
		}
		var total int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads`).Scan(&total); err != nil || total != len(stored)+newEmails+noEmail {
			t.Errorf("%d leads, want %d (%v)", total, len(stored)+newEmails+noEmail, err)
		}
		var twice int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT lower(email) FROM leads WHERE email <> '' GROUP BY lower(email) HAVING COUNT(*) > 1) d`).Scan(&twice); err != nil || twice != 0 {
			t.Errorf("%d emails on more than one lead (%v)", twice, err)
		}
		for e, r := range emails {
			l := w.byEmail(t, e)
			if slices.Contains(stored, e) {
				if l.FirstName != "Old" || l.Company != "Filled In" {
					t.Errorf("stored %s: %+v", e, l)
				}
				continue
			}
			if l.FirstName != r.first || l.Company != r.company || l.JobTitle != r.title {
				t.Errorf("%s: %s %s %s, want %+v", e, l.FirstName, l.Company, l.JobTitle, r)
			}
		}
		rej := w.rejects(t, im.ID)
		if len(rej) != len(bad)+1 {
			t.Fatalf("rejects: %v", rej)
		}
		for i, line := range bad {
			got := rej[i+1]
			if got[len(got)-2] != fmt.Sprint(line) || !strings.Contains(got[len(got)-1], "email") {
				t.Errorf("reject %d: %v, want line %d naming the email", i, got, line)
			}
		}
		// Every lead has its words and its identity keys.
		for _, table := range []string{"lead_words", "lead_keys"} {
			var missing int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.lead_id = l.id)`).Scan(&missing); err != nil || missing != 0 {
				t.Errorf("%d leads without %s (%v)", missing, table, err)
			}
		}
		found, err := w.leads.List(ctx, admin, lead.Filter{Q: "Marinescu", Sort: "created_at", Limit: 5}, false)
		if err != nil || len(found.Leads) != 2 {
			t.Fatalf("search Marinescu: %v %v", found.Leads, err)
		}
		var pairs int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM duplicate_pairs WHERE lead_a = ? AND lead_b = ?`,
			min(found.Leads[0].ID, found.Leads[1].ID), max(found.Leads[0].ID, found.Leads[1].ID)).Scan(&pairs); err != nil || pairs != 1 {
			t.Errorf("the look-alikes are %d pairs in the review queue (%v)", pairs, err)
		}
		assertCountsMatchLeads(t, db)

		// The same rows one at a time, in a database of their own, end in
		// the same leads with the same timelines.
		one := newWorld(t, dbtest.SQLite(t))
		for _, e := range stored {
			one.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: e, lead.FFirstName: "Old"}, Origin: lead.Origin{Channel: "api"}})
		}
		for _, r := range rows {
			c := lead.Changes{lead.FFirstName: r.first, lead.FLastName: r.last, lead.FEmail: r.email, lead.FCompany: r.company,
				lead.FJobTitle: r.title, lead.FCountry: r.country, lead.FEmployees: r.employees}
			for k, v := range c {
				if v == "" {
					delete(c, k)
				}
			}
			one.leads.Intake(ctx, lead.Incoming{Changes: c, Origin: lead.Origin{Channel: "import"}})
		}
		for e := range emails {
			a, b := w.byEmail(t, e), one.byEmail(t, e)
			if a.Score != b.Score || a.Grade != b.Grade || a.Stage != b.Stage || a.JobTitle != b.JobTitle || a.Company != b.Company {
				t.Errorf("%s: bulk %d %s %s %q, one by one %d %s %s %q", e, a.Score, a.Grade, a.Stage, a.JobTitle, b.Score, b.Grade, b.Stage, b.JobTitle)
			}
			if ka, kb := timelineKinds(t, w.leads, a.ID), timelineKinds(t, one.leads, b.ID); !slices.Equal(ka, kb) {
				t.Errorf("%s: timeline bulk %v, one by one %v", e, ka, kb)
			}
		}
	})
}

func timelineKinds(t *testing.T, s *lead.Service, id int64) []string {
	t.Helper()
	cs, err := s.Timeline(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		d := ""
		if s, ok := c.Detail["score"]; ok {
			d = " " + s[0] + "->" + s[1]
		}
		out = append(out, c.Kind+d)
	}
	slices.Sort(out) // entries of one moment come in no set order
	return out
}

// An import and intakes through other channels creating the same new
// emails at the same moment (PostgreSQL, many writers) end with one lead
// per email, and no row of either is lost.
func TestBulkImportRacesIntakeWithoutDuplicates(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, db)
	w.imp.BatchSize = 100
	var text strings.Builder
	text.WriteString(bulkHeader)
	const n = 400
	for i := 0; i < n; i++ {
		text.WriteString(fmt.Sprintf("Ana%d,Pop%d,race%d@firm.example,Firm,,RO,50\n", i, i, i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for k := 0; k < 4; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += 4 {
				_, err := w.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: fmt.Sprintf("RACE%d@firm.example", i),
					lead.FPhone: fmt.Sprintf("+4072100%04d", i)}, Origin: lead.Origin{Channel: "api"}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	im := w.importText(t, "race.csv", text.String(), nil)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if im.Rejected != 0 || im.RowsDone != n || im.Created+im.Updated+im.Unchanged != n {
		t.Fatalf("import %+v", im)
	}
	var leads, emails int
	if err := db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT lower(email)) FROM leads`).Scan(&leads, &emails); err != nil || leads != n || emails != n {
		t.Fatalf("%d leads, %d emails, want %d (%v)", leads, emails, n, err)
	}
	// Both sides' fields are on each lead, whichever came first.
	var whole int
	if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE first_name <> '' AND phone <> ''`).Scan(&whole); err != nil || whole != n {
		t.Errorf("%d of %d leads hold both the import's name and the intake's phone (%v)", whole, n, err)
	}
	assertCountsMatchLeads(t, db)
}

func assertCountsMatchLeads(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) map[[2]string]int64 {
		rows, err := db.R.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[[2]string]int64{}
		for rows.Next() {
			var k [2]string
			var n int64
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[k] = n
			}
		}
		return out
	}
	kept := read(`SELECT source, stage, SUM(n) FROM lead_counts_now GROUP BY source, stage`)
	counted := read(`SELECT source, stage, COUNT(*) FROM leads GROUP BY source, stage`)
	if len(kept) != len(counted) {
		t.Errorf("dashboard counts %v, leads %v", kept, counted)
	}
	for k, n := range counted {
		if kept[k] != n {
			t.Errorf("%v: dashboard counts %d, leads %d", k, kept[k], n)
		}
	}
}
