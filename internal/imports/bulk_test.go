package imports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/assign"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
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

// bulkRows are n rows of new people, with, mixed in: a bad email every
// 11th row and a row without an email every 13th; and, past the first
// plain rows, a repeat of an earlier row's email (other case, a title it
// lacked) every 7th row and an email of a lead stored before the import
// every 17th. Those two go one by one, so the plain rows before them make
// one large bulk write.
func bulkRows(n, plain int, stored []string) []bulkRow {
	titles := []string{"CEO", "Engineer", "Head of Sales", "Analyst", ""}
	countries := []string{"RO", "DE", "IT", "FR"}
	var rows []bulkRow
	for i := 0; i < n; i++ {
		r := bulkRow{first: fmt.Sprintf("Ana%d", i), last: fmt.Sprintf("Pop%d", i), email: fmt.Sprintf("p%d@firm%d.example", i, i%5),
			company: fmt.Sprintf("Firm %d", i%5), title: titles[i%len(titles)], country: countries[i%len(countries)],
			employees: fmt.Sprint(10 + i*37%400)}
		switch {
		case i >= plain && i%7 == 6:
			prev := rows[i*37%plain]
			r = prev
			r.email = strings.ToUpper(prev.email)
			if r.title == "" {
				r.title = "Founder"
			}
		case i%11 == 10:
			r.email = fmt.Sprintf("not-an-email-%d", i)
		case i%13 == 12:
			r.email = ""
		case i >= plain && i%17 == 16 && len(stored) > 0:
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
		w := staffed(t, db)
		// The first 900 rows make one bulk write of over 800 new leads:
		// more than every chunk the bulk path reads or writes in (500
		// emails, 250 leads paired, 200 blocks), than one statement's
		// parameters allow for leads (SQLite), with five companies
		// repeated across all of them. The rest repeat earlier rows, in the
		// first batch and across.
		w.imp.BatchSize = 1000
		var stored []string
		for i := 0; i < 5; i++ {
			e := fmt.Sprintf("stored%d@old.example", i)
			if _, err := w.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: e, lead.FFirstName: "Old"},
				Origin: lead.Origin{Channel: "api"}}); err != nil {
				t.Fatal(err)
			}
			stored = append(stored, e)
		}
		rows := bulkRows(1200, 900, stored)
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
		// Every lead has its words, and, once the pairs job has run, its
		// identity keys.
		without := func(table string) int {
			t.Helper()
			var missing int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.lead_id = l.id)`).Scan(&missing); err != nil {
				t.Fatal(err)
			}
			return missing
		}
		if n := without("lead_words"); n != 0 {
			t.Errorf("%d leads without their words", n)
		}
		found, err := w.leads.List(ctx, admin, lead.Filter{Q: "Marinescu", Sort: "created_at", Limit: 5}, false)
		if err != nil || len(found.Leads) != 2 {
			t.Fatalf("search Marinescu: %v %v", found.Leads, err)
		}
		// The import compares its leads with their look-alikes through the
		// pairs job it queued as it finished, not row by row.
		lookalikes := func() int {
			t.Helper()
			var n int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM duplicate_pairs WHERE lead_a = ? AND lead_b = ?`,
				min(found.Leads[0].ID, found.Leads[1].ID), max(found.Leads[0].ID, found.Leads[1].ID)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := lookalikes(); n != 0 {
			t.Errorf("the look-alikes were paired %d times before the pairs job ran", n)
		}
		w.runPairsJob(t, im)
		if n := lookalikes(); n != 1 {
			t.Errorf("the look-alikes are %d pairs in the review queue", n)
		}
		if n := without("lead_keys"); n != 0 {
			t.Errorf("%d leads without identity keys after the pairs job", n)
		}
		dbtest.CountsMatchLeads(t, db)

		// The same rows one at a time, in a database of their own, end in
		// the same leads, with the same owners, account links and
		// timelines.
		one := staffed(t, dbtest.SQLite(t))
		for _, e := range stored {
			if _, err := one.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: e, lead.FFirstName: "Old"},
				Origin: lead.Origin{Channel: "api"}}); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range rows {
			c := lead.Changes{lead.FFirstName: r.first, lead.FLastName: r.last, lead.FEmail: r.email, lead.FCompany: r.company,
				lead.FJobTitle: r.title, lead.FCountry: r.country, lead.FEmployees: r.employees}
			for k, v := range c {
				if v == "" {
					delete(c, k)
				}
			}
			_, err := one.leads.Intake(ctx, lead.Incoming{Changes: c, Origin: lead.Origin{Channel: "import"}})
			if isBad := slices.Contains(bad, i+2); isBad != (err != nil) {
				t.Fatalf("row %d one by one: %v", i+2, err)
			}
		}
		// One by one, each lead met the look-alikes stored before it while
		// their blocks were still small; the weekly run, which the import's
		// pairs job made here, finds what identity finds over all of them.
		if _, err := one.leads.RebuildPairs(ctx); err != nil {
			t.Fatal(err)
		}
		var bulkPairs, onePairs int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM duplicate_pairs`).Scan(&bulkPairs); err != nil {
			t.Fatal(err)
		}
		if err := one.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM duplicate_pairs`).Scan(&onePairs); err != nil {
			t.Fatal(err)
		}
		if bulkPairs != onePairs || onePairs == 0 {
			t.Errorf("%d probable duplicates after the import and its pairs job, %d one by one and a full run", bulkPairs, onePairs)
		}
		a, b := w.everyLead(t), one.everyLead(t)
		if len(a) != len(b) {
			t.Fatalf("bulk made %d leads, one by one %d", len(a), len(b))
		}
		owned, linked := 0, 0
		for k, la := range a {
			lb, ok := b[k]
			if !ok {
				t.Errorf("%s: only in bulk", k)
				continue
			}
			if la.Score != lb.Score || la.Grade != lb.Grade || la.Stage != lb.Stage || la.JobTitle != lb.JobTitle || la.Company != lb.Company ||
				la.OwnerEmail != lb.OwnerEmail || la.account != lb.account {
				t.Errorf("%s: bulk %d %s %s %q owner %q account %q, one by one %d %s %s %q owner %q account %q", k,
					la.Score, la.Grade, la.Stage, la.JobTitle, la.OwnerEmail, la.account, lb.Score, lb.Grade, lb.Stage, lb.JobTitle, lb.OwnerEmail, lb.account)
			}
			if ka, kb := timelineKinds(t, w.leads, la.ID), timelineKinds(t, one.leads, lb.ID); !slices.Equal(ka, kb) {
				t.Errorf("%s: timeline bulk %v, one by one %v", k, ka, kb)
			}
			if la.OwnerEmail != "" {
				owned++
			}
			if la.account != "" {
				linked++
			}
		}
		// Not a comparison of two empty columns.
		if owned < len(a)/2 || linked < len(a)/2 {
			t.Errorf("of %d leads %d have an owner and %d an account", len(a), owned, linked)
		}
	})
}

// staffed is a world with two sales people sharing leads from RO, DE and
// IT by round robin, and an account for each company of bulkRows: found
// by its website's domain for Firm 0 to 2, by its name for Firm 3 and 4.
func staffed(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, db)
	for _, email := range []string{"ann@example.com", "bob@example.com"} {
		usertest.Actor(t, db, email, access.Sales)
	}
	if _, err := w.leads.Assignment().Save(ctx, access.System, 0, assign.Input{Name: "South and centre",
		Countries: "RO, DE, IT", Members: "ann@example.com, bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	accounts := crm.NewService(db, w.leads)
	for i := range 5 {
		in := crm.AccountInput{Name: fmt.Sprintf("Firm %d", i)}
		if i < 3 {
			in = crm.AccountInput{Name: fmt.Sprintf("Firm Holding %d", i), Website: fmt.Sprintf("firm%d.example", i)}
		}
		if _, err := accounts.CreateAccount(ctx, access.System, in); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// linkedLead is a lead with the name of the account it is linked to.
type linkedLead struct {
	lead.Lead
	account string
}

// everyLead returns every lead of w, by its email in lower case, or by
// its name and title when it has none (and, for a name and title made
// twice, the order they were made in).
func (w world) everyLead(t *testing.T) map[string]linkedLead {
	t.Helper()
	ctx := context.Background()
	ids, err := sqldb.Column[int64](ctx, w.db.R, `SELECT id FROM leads ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]linkedLead{}
	for _, id := range ids {
		l, err := w.leads.Get(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		link, ok, err := w.leads.AccountLink(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		k := strings.ToLower(l.Email)
		if k == "" {
			k = l.FirstName + " " + l.LastName + " " + l.JobTitle
		}
		for n := 2; out[k].ID != 0; n++ {
			k = fmt.Sprintf("%s %s %s #%d", l.FirstName, l.LastName, l.JobTitle, n)
		}
		ll := linkedLead{Lead: l}
		if ok && link.UndoneAt == nil {
			ll.account = link.AccountName
		}
		out[k] = ll
	}
	return out
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
	dbtest.CountsMatchLeads(t, db)
}

// A row whose email another writer stores after the batch looked for it,
// but before the batch writes it (PostgreSQL), is not a second lead: the
// write skips it and the row merges into the other writer's lead. The
// other writer holds its transaction open until the import is seen
// waiting on it in its insert of the batch's leads, so the row cannot
// take any other way.
func TestBulkImportMergesIntoALeadStoredMeanwhile(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, db)
	w.imp.BatchSize = 100
	const n, meanwhile = 200, 50
	var text strings.Builder
	text.WriteString(bulkHeader)
	for i := range n {
		text.WriteString(fmt.Sprintf("Ana%d,Pop%d,late%d@firm.example,Firm,,RO,50\n", i, i, i))
	}
	email := fmt.Sprintf("LATE%d@firm.example", meanwhile)

	pid, release, held := make(chan int64, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, verr, err := w.leads.IntakeIn(ctx, tx, lead.Incoming{Changes: lead.Changes{lead.FEmail: email, lead.FPhone: "+40721000050"},
				Origin: lead.Origin{Channel: "api"}}); err != nil || verr != nil {
				return fmt.Errorf("intake: %v %v", err, verr)
			}
			var p int64
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&p); err != nil {
				return err
			}
			pid <- p
			<-release
			return nil
		})
	}()
	var other int64
	select {
	case other = <-pid:
	case err := <-held:
		t.Fatal(err)
	}

	path := filepath.Join(w.dir, "late.csv")
	if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	im, err := w.imp.Create(ctx, access.System, "late.csv", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- w.imp.Run(ctx, im.ID, nil) }()

	// The import's insert of its first batch waits for the other writer.
	deadline := time.Now().Add(time.Minute)
	for waiting := 0; waiting == 0; {
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE CAST(? AS INTEGER) = ANY(pg_blocking_pids(pid)) AND query LIKE 'INSERT INTO leads (%'`, other).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-ran:
			close(release)
			t.Fatalf("the import ended (%v) without waiting for the other writer's lead", err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the import never waited for the other writer's lead")
		}
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}

	im, err = w.imp.Get(ctx, access.System, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != "done" || im.RowsDone != n || im.Created != n-1 || im.Updated != 1 || im.Rejected != 0 {
		t.Fatalf("import %+v; want %d created and the row of %s merged", im, n-1, email)
	}
	var leads int
	if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads`).Scan(&leads); err != nil || leads != n {
		t.Fatalf("%d leads, want %d (%v)", leads, n, err)
	}
	l := w.byEmail(t, email)
	if l.Phone != "+40721000050" || l.FirstName != fmt.Sprint("Ana", meanwhile) || l.Company != "Firm" {
		t.Errorf("the lead stored meanwhile: %+v", l)
	}
	dbtest.CountsMatchLeads(t, db)
}

// An import whose rows merge into stored leads, in the reverse of their
// ids' order, runs while a rescore after a change of explicit points
// rewrites every lead's score (on PostgreSQL truly at once): both end
// without an error and no transaction is run again as a deadlock victim;
// every row is in its lead; and a second rescore finds no score left to
// change, whichever of the two wrote a lead last.
func TestImportBesideRescore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.imp.BatchSize = 40
		const n = 240
		for i := range n {
			if _, err := w.leads.Intake(ctx, lead.Incoming{Changes: lead.Changes{lead.FEmail: fmt.Sprintf("kept%d@firm.example", i),
				lead.FCountry: "RO"}, Origin: lead.Origin{Channel: "api"}}); err != nil {
				t.Fatal(err)
			}
		}
		var text strings.Builder
		text.WriteString(bulkHeader)
		for i := n - 1; i >= 0; i-- {
			text.WriteString(fmt.Sprintf("Ana%d,Pop%d,KEPT%d@firm.example,Firm,CEO,RO,50\n", i, i, i))
			text.WriteString(fmt.Sprintf("Ion%d,Pop%d,new%d@firm.example,Firm,,IT,50\n", i, i, i))
		}
		path := filepath.Join(w.dir, "beside.csv")
		if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		im, err := w.imp.Create(ctx, access.System, "beside.csv", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
			t.Fatal(err)
		}
		rs, err := w.leads.Rules().Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rules := rs.Rules
		rules.Explicit[3].Points += 5 // the core market: every stored lead's score moves
		if _, err := w.leads.Rules().Save(ctx, access.Actor{Role: access.Admin}, rules, "a bigger core market"); err != nil {
			t.Fatal(err)
		}
		var p lead.RescoreProgress
		for _, err := range dbtest.Together(
			func() (err error) { p, err = w.leads.RescoreAll(ctx, "rules changed", nil); return err },
			func() error { return w.imp.Run(ctx, im.ID, nil) },
		) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if p.Changed == 0 {
			t.Fatal("the rescore changed no score: the test shows nothing")
		}
		if n := db.Retried(); n != 0 {
			t.Errorf("%d transactions were run again as deadlock victims", n)
		}
		if im, err = w.imp.Get(ctx, access.System, im.ID); err != nil {
			t.Fatal(err)
		}
		if im.Rejected != 0 || im.Created != n || im.Updated != n {
			t.Errorf("import: %d created, %d updated, %d rejected; want %d, %d, 0", im.Created, im.Updated, im.Rejected, n, n)
		}
		var leads, ceos int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN job_title = 'CEO' THEN 1 END) FROM leads`).Scan(&leads, &ceos); err != nil || leads != 2*n || ceos != n {
			t.Errorf("%d leads, %d with the imported title; want %d and %d (%v)", leads, ceos, 2*n, n, err)
		}
		again, err := w.leads.RescoreAll(ctx, "check", nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Changed != 0 {
			t.Errorf("a second rescore changed %d scores: some lead kept a score the rules do not give", again.Changed)
		}
		dbtest.CountsMatchLeads(t, db)
	})
}
