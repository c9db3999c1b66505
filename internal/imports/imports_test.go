package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/fixture"
	"leadflow/internal/i18n"
	"leadflow/internal/imports"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/leadcsv"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

var admin = access.Actor{Role: access.Admin}

type world struct {
	db    *sqldb.DB
	leads *lead.Service
	imp   *imports.Service
	dir   string
}

func newWorld(t *testing.T, db *sqldb.DB) world {
	dir := t.TempDir()
	leads := lead.NewService(db)
	return world{db: db, leads: leads, imp: imports.NewService(db, leads), dir: dir}
}

// importText writes text to a file and imports it with the detected
// mapping (plus overrides), returning the finished import.
func (w world) importText(t *testing.T, name, text string, overrides map[string]string) imports.Import {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return w.importFile(t, path, overrides)
}

// runPairsJob checks that im queued the pairs job as it finished, and
// does that job's work (RefreshPairs, without its lock), returning what
// it did.
func (w world) runPairsJob(t *testing.T, im imports.Import) lead.PairStats {
	t.Helper()
	ctx := context.Background()
	var queued int
	if err := w.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND unique_key = ?`,
		lead.PairsJob, fmt.Sprintf("%s@import:%d", lead.PairsJob, im.ID)).Scan(&queued); err != nil || queued != 1 {
		t.Fatalf("import %d queued %d pairs jobs (%v)", im.ID, queued, err)
	}
	st, err := w.leads.RefreshPairs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (w world) importFile(t *testing.T, path string, overrides map[string]string) imports.Import {
	t.Helper()
	ctx := context.Background()
	im, err := w.imp.Create(ctx, access.System, filepath.Base(path), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Mapping.Override(im.Header, overrides); err != nil {
		t.Fatal(err)
	}
	if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
		t.Fatal(err)
	}
	if err := w.imp.Run(ctx, im.ID, nil); err != nil {
		t.Fatal(err)
	}
	im, err = w.imp.Get(ctx, access.System, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func (w world) byEmail(t *testing.T, email string) lead.Lead {
	t.Helper()
	p, err := w.leads.List(context.Background(), admin, lead.Filter{Q: email, Sort: "email", Limit: 2}, false)
	if err != nil || len(p.Leads) != 1 {
		t.Fatalf("lead %s: %v (%d found)", email, err, len(p.Leads))
	}
	return p.Leads[0]
}

func (w world) rejects(t *testing.T, id int64) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := w.imp.WriteRejects(context.Background(), access.System, id, &buf, i18n.For("en")); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// salesforceCSV builds a Salesforce Lead report from the public sample
// records, with the headers Salesforce puts on a report export.
func salesforceCSV(t *testing.T) string {
	path := fixture.Path(t, "salesforce_sample/Lead.json", "testdata/salesforce_Lead.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"First Name", "Last Name", "Title", "Company", "Email", "Phone", "Lead Source", "Lead Status", "Country", "State/Province"})
	for _, r := range doc.Records {
		cell := func(k string) string {
			if v, ok := r[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		w.Write([]string{cell("FirstName"), cell("LastName"), cell("Title"), cell("Company"), cell("Email"), cell("Phone"),
			cell("LeadSource"), cell("Status"), cell("Country"), cell("State")})
	}
	w.Flush()
	return buf.String()
}

func TestSalesforceShapedImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		im := w.importText(t, "salesforce.csv", salesforceCSV(t), nil)
		if im.Status != imports.Done || im.RowsDone != 22 || im.Created != 22 || im.Rejected != 0 {
			t.Fatalf("import: %+v\nrejects: %v", im, w.rejects(t, im.ID))
		}
		if i := slices.Index(im.Header, "Title"); i < 0 || im.Mapping[i] != lead.FJobTitle {
			t.Errorf("Salesforce's Title column (job titles) is mapped to %q", im.Mapping[max(i, 0)])
		}
		l := w.byEmail(t, "kakin@athenahome.com")
		if l.FirstName != "Kristen" || l.JobTitle != "Director, Warehouse Mgmt" || l.Country != "US" ||
			l.Phone != "+14343693100" || l.Source != "partner referral" || l.Stage != lead.SQL {
			t.Errorf("Kristen Akin imported as %+v", l)
		}
		tl, _ := w.leads.Timeline(context.Background(), admin, l.ID)
		created := tl[len(tl)-1]
		if created.Kind != "created" || created.Reason != fmt.Sprintf("import %d (salesforce.csv)", im.ID) {
			t.Errorf("timeline %+v", tl)
		}
		if l.Score != 20 || tl[0].Kind != "score" {
			t.Errorf("a director scores 20 by the default rules: %d, %+v", l.Score, tl[0])
		}

		again := w.importText(t, "salesforce-again.csv", salesforceCSV(t), nil)
		p, _ := w.leads.List(context.Background(), admin, lead.Filter{Sort: "email", Limit: 100}, true)
		if again.Created != 0 || again.Unchanged != 22 || p.Total != 22 {
			t.Errorf("re-import: %+v, %d leads", again, p.Total)
		}
	})
}

func TestHubSpotShapedImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		text := "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Lifecycle Stage,Lead Status,Original Source,Website URL,Country/Region,City,Number of Employees,Create Date\n" +
			"101,Maja,Nowak,maja@kraft.pl,12 345 67 89,Kraft Sp. z o.o.,CTO,marketingqualifiedlead,,ORGANIC_SEARCH,kraft.pl,Poland,Kraków,250,2025-03-04 10:00\n" +
			"102,Tom,Berg,tom@berg.no,,Berg AS,,salesqualifiedlead,IN_PROGRESS,PAID_SOCIAL,,Norway,Oslo,12,2025-03-05 11:00\n" +
			"103,Eve,Stone,eve(at)stone.com,,Stone,,lead,,DIRECT_TRAFFIC,,Atlantis,,many,2025-03-06 12:00\n"
		im := w.importText(t, "hubspot.csv", text, nil)
		if im.Created != 2 || im.Rejected != 1 {
			t.Fatalf("import %+v", im)
		}
		maja := w.byEmail(t, "maja@kraft.pl")
		if maja.Stage != lead.MQL || maja.Country != "PL" || maja.Phone != "+48123456789" || *maja.Employees != 250 ||
			maja.Website != "https://kraft.pl" || maja.Source != "organic_search" {
			t.Errorf("maja: %+v", maja)
		}
		if tom := w.byEmail(t, "tom@berg.no"); tom.Stage != lead.SQL {
			t.Errorf("tom's stage %s", tom.Stage)
		}
		rej := w.rejects(t, im.ID)
		header, row := rej[0], rej[1]
		if header[len(header)-1] != "reason" || row[3] != "eve(at)stone.com" || row[len(row)-2] != "4" {
			t.Errorf("rejects file %q", rej)
		}
		reason := row[len(row)-1]
		for _, want := range []string{"country must be a country name", "email needs an @", "employees must be a whole number"} {
			if !strings.Contains(reason, want) {
				t.Errorf("reason %q lacks %q", reason, want)
			}
		}

		// Fix the rejected row in the downloaded file and import it again.
		fixed := strings.NewReplacer("eve(at)stone.com", "eve@stone.com", "Atlantis", "Greece", ",many,", ",8,").Replace(csvText(rej))
		im2 := w.importText(t, "hubspot.rejected.csv", fixed, nil)
		if im2.Created != 1 || im2.Rejected != 0 {
			t.Errorf("re-import of the fixed rejects: %+v %v", im2, w.rejects(t, im2.ID))
		}
	})
}

func csvText(rows [][]string) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	return buf.String()
}

// TestMauticExport imports Mautic's fake contact fixture: local phone
// numbers from five countries and countries spelled out.
func TestMauticExport(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t))
	path := fixture.Path(t, "mautic/fakeleaddata.csv", "testdata/mautic_fakeleaddata.csv")
	im := w.importFile(t, path, nil)
	// Four rows of the fixture have no email, name or phone at all.
	if im.RowsDone != 54 || im.Created != 50 || im.Rejected != 4 {
		t.Errorf("mautic import: %+v\n%v", im, w.rejects(t, im.ID))
	}
	// The mapping proposed showed title as the job title, though its
	// cells are Mr. and Mrs., which fill the salutation.
	if i := slices.Index(im.Header, "title"); i < 0 || im.Mapping[i] != lead.FSalutation {
		t.Errorf("Mautic's title column is mapped to %q", im.Mapping[max(i, 0)])
	}
	penny := w.byEmail(t, "PennyKMoore@dayrep.com")
	if penny.Country != "GB" || penny.Phone != "+447070860753" || penny.Website != "https://wikifire.co.uk" ||
		penny.JobTitle != "" || penny.Salutation != "Mrs." || penny.Street != "88 Clasper Way" || penny.PostalCode != "GL15 1XD" {
		t.Errorf("penny: %+v", penny)
	}
	for _, r := range w.rejects(t, im.ID)[1:] {
		if r[len(r)-1] != "email is required unless the lead has a phone, or a name with a company, city, address or birth date" {
			t.Errorf("rejected row with reason %q: %v", r[len(r)-1], r)
		}
	}
}

func TestOwnExportReimportsLosslessly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		src := newWorld(t, db)
		users := user.NewService(db)
		if _, err := users.Create(ctx, access.System, user.Input{Email: "sam@example.com", Password: "long password", Role: access.Sales}); err != nil {
			t.Fatal(err)
		}
		src.importText(t, "seed.csv", "email,first_name,phone,country,employees,consent,stage,owner,custom,company\n"+
			"a@x.io,Ann,+40721234567,RO,12,true,mql,sam@example.com,\"{\"\"budget\"\":\"\"5k\"\"}\",\"Quote \"\"Co\"\", Ltd\"\n"+
			"b@x.io,Bob,,DE,,false,customer,,,Beta\n", nil)
		var export bytes.Buffer
		n, err := leadcsv.Export(ctx, &export, src.leads, admin, lead.Filter{Sort: "email"})
		if err != nil || n != 2 {
			t.Fatalf("export %d: %v", n, err)
		}

		dst := newWorld(t, dbtest.SQLite(t))
		user.NewService(dst.db).Create(ctx, access.System, user.Input{Email: "sam@example.com", Password: "long password", Role: access.Sales})
		im := dst.importText(t, "export.csv", export.String(), nil)
		if im.Created != 2 || im.Rejected != 0 {
			t.Fatalf("import of the export: %+v %v", im, dst.rejects(t, im.ID))
		}
		for _, email := range []string{"a@x.io", "b@x.io"} {
			a, b := src.byEmail(t, email), dst.byEmail(t, email)
			ra, rb := leadcsv.Record(a), leadcsv.Record(b)
			// id and updated_at are the new database's own.
			ra[0], rb[0], ra[24], rb[24] = "", "", "", ""
			if !reflect.DeepEqual(ra, rb) {
				t.Errorf("%s changed on the way:\n%q\n%q", email, ra, rb)
			}
		}
		if again := src.importText(t, "export-again.csv", export.String(), nil); again.Unchanged != 2 || again.Created != 0 {
			t.Errorf("re-importing the export into its source: %+v", again)
		}
	})
}

func TestMalformedFiles(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, dbtest.SQLite(t))
	huge := strings.Repeat("y", 1<<20)
	im := w.importText(t, "broken.csv", "Email,Company,Notes\n"+
		"ok@x.io,Fine,\n"+
		"quote@x.io,Bad \"quote,\n"+
		"huge@x.io,Huge,"+huge+"\n"+
		"short@x.io\n"+
		"extra@x.io,Extra,,and,more\n", map[string]string{"Notes": "custom.notes"})
	if im.RowsDone != 5 || im.Created != 3 || im.Rejected != 2 {
		t.Errorf("import %+v", im)
	}
	rej := w.rejects(t, im.ID)
	if len(rej) != 3 || !strings.Contains(rej[1][len(rej[1])-1], "not valid CSV") || !strings.Contains(rej[2][len(rej[2])-1], "longer than") {
		t.Errorf("rejects %q", rej)
	}

	im = w.importText(t, "empty-rows.csv", "email,company\n", nil)
	if im.Status != imports.Done || im.RowsDone != 0 {
		t.Errorf("header-only file: %+v", im)
	}
	path := filepath.Join(w.dir, "empty.csv")
	os.WriteFile(path, nil, 0o600)
	if _, err := w.imp.Create(ctx, access.System, "empty.csv", path); fault.CodeOf(err) != fault.Invalid {
		t.Errorf("empty file: %v", err)
	}
	path = filepath.Join(w.dir, "noemail.csv")
	os.WriteFile(path, []byte("name,company\nAnn,X\n"), 0o600)
	created, _ := w.imp.Create(ctx, access.System, "noemail.csv", path)
	if _, err := w.imp.Start(ctx, access.System, created.ID, created.Mapping); fault.As(err) == nil || fault.As(err).Fields["mapping"] == "" {
		t.Errorf("a file without an email column started: %v", err)
	}
}

// TestInterruptedImportResumes stops an import after its first batch, as
// a server stop would, and runs it again.
func TestInterruptedImportResumes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		w.imp.BatchSize = 10
		path := filepath.Join(w.dir, "big.csv")
		os.WriteFile(path, []byte(emailsCSV("p", 35)), 0o600)
		im, _ := w.imp.Create(context.Background(), access.System, "big.csv", path)
		jobID, err := w.imp.Start(context.Background(), access.System, im.ID, im.Mapping)
		if err != nil {
			t.Fatal(err)
		}

		ctx, stop := context.WithCancel(context.Background())
		err = w.imp.Run(ctx, im.ID, func(p imports.Import) {
			if p.RowsDone >= 10 {
				stop()
			}
		})
		if err == nil {
			t.Fatal("the interrupted run reported success")
		}
		mid, _ := w.imp.Get(context.Background(), access.System, im.ID)
		if mid.Status != imports.Running || mid.RowsDone != 10 {
			t.Fatalf("after the stop: %+v", mid)
		}
		// The job the import queued is still waiting: a runner (here, or
		// on another instance) takes it and goes on from row 10.
		runner := job.NewRunner(db, job.Options{Poll: 10 * time.Millisecond})
		runner.Handle(imports.JobKind, w.imp.Handler(nil))
		runner.Start()
		defer runner.Stop(context.Background())
		wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := job.Wait(wait, db.R, jobID); err != nil {
			t.Fatal(err)
		}
		cur, _ := w.imp.Get(context.Background(), access.System, im.ID)
		p, _ := w.leads.List(context.Background(), admin, lead.Filter{Sort: "email", Limit: 100}, true)
		if cur.Status != imports.Done || cur.RowsDone != 35 || cur.Created != 35 || p.Total != 35 {
			t.Errorf("after resuming: %s, %d rows, %d created, %d leads; want done, 35, 35, 35", cur.Status, cur.RowsDone, cur.Created, p.Total)
		}
		var chunks int
		db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM import_chunks WHERE import_id = ?`, im.ID).Scan(&chunks)
		if chunks != 0 {
			t.Errorf("%d chunks of the upload left after the import finished", chunks)
		}
	})
}

// TestOverlappingRunsCountOnce runs one import twice at once, as when an
// instance stalls past its lease and another takes the job over: every
// row is imported and counted once.
func TestOverlappingRunsCountOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		w.imp.BatchSize = 7
		ctx := context.Background()
		im, err := w.imp.Upload(ctx, access.System, "twice.csv", strings.NewReader(emailsCSV("o", 60)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() { errs <- w.imp.Run(ctx, im.ID, nil) }()
		}
		for range 2 {
			if err := <-errs; err != nil && !strings.Contains(err.Error(), "another run") {
				t.Errorf("run: %v", err)
			}
		}
		// Whichever run lost a race stopped; finishing is the job's retry.
		if err := w.imp.Run(ctx, im.ID, nil); err != nil {
			t.Fatal(err)
		}
		cur, _ := w.imp.Get(ctx, access.System, im.ID)
		p, _ := w.leads.List(ctx, admin, lead.Filter{Sort: "email", Limit: 100}, true)
		if cur.Status != imports.Done || cur.RowsDone != 60 || cur.Created != 60 || cur.Updated+cur.Unchanged+cur.Rejected != 0 || p.Total != 60 {
			t.Errorf("after two runs at once: %s, rows %d, created %d, updated %d, unchanged %d, rejected %d, %d leads",
				cur.Status, cur.RowsDone, cur.Created, cur.Updated, cur.Unchanged, cur.Rejected, p.Total)
		}
	})
}

// emailsCSV is a file of n new leads whose emails start with prefix.
func emailsCSV(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("email,company\n")
	for i := range n {
		fmt.Fprintf(&b, "%s%d@x.io,Co %d\n", prefix, i, i)
	}
	return b.String()
}
