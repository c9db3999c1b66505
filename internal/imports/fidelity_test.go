package imports_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// TestImportWithoutEmails: a call list and a trade-show list have no email
// column. Rows identified by a phone, or a name with a company, import;
// national numbers are read in the import's default country unless the
// row names its own; an unreadable number keeps its row and is kept as an
// answer; a row with nothing that identifies anyone is refused, naming
// why; a new lead with a blank source is given "import", where it came
// from.
func TestImportWithoutEmails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		path := filepath.Join(w.dir, "calls.csv")
		text := "First Name,Last Name,Company,Phone,Mobile,Country,Lead Source\n" +
			"Ion,Popescu,,0721 234 567,,,\n" + // national number: the import's country
			"Hans,Maier,Acme GmbH,,030 901820,Germany,fair\n" + // empty Phone, filled Mobile; its own country
			"Ana,Ionescu,Orbit,12,,,\n" + // a phone that is no number, but a name and a company
			",,,,,,\n" + // nothing
			"Dan,,,,,RO,\n" // a first name alone
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		im, err := w.imp.Create(ctx, access.System, "calls.csv", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.StartIn(ctx, access.System, im.ID, im.Mapping, "Narnia"); err == nil {
			t.Error("an unknown default country was taken")
		}
		if _, err := w.imp.StartIn(ctx, access.System, im.ID, im.Mapping, "RO"); err != nil {
			t.Fatal(err)
		}
		if err := w.imp.Run(ctx, im.ID, nil); err != nil {
			t.Fatal(err)
		}
		im, _ = w.imp.Get(ctx, access.System, im.ID)
		if im.Created != 3 || im.Rejected != 2 || im.Country != "RO" {
			t.Errorf("import %+v\n%v", im, w.rejects(t, im.ID))
		}
		r := w.rejects(t, im.ID)
		if len(r) != 3 || r[2][0] != "Dan" {
			t.Errorf("rejects %v", r)
		}
		for _, row := range r[1:] {
			if row[len(row)-1] != "email is required unless the lead has a phone, or a name with a company, city, address or birth date" {
				t.Errorf("reject %v", row)
			}
		}
		byName := map[string]lead.Lead{}
		p, err := w.leads.List(ctx, admin, lead.Filter{Sort: "last_name", Limit: 10}, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Leads {
			byName[l.FirstName] = l
		}
		if l := byName["Ion"]; l.Phone != "+40721234567" || l.Email != "" || l.Source != "import" || l.Country != "" {
			t.Errorf("Ion: %+v", l)
		}
		if l := byName["Hans"]; l.Phone != "+4930901820" || l.Source != "fair" {
			t.Errorf("Hans: %+v", l)
		}
		if l := byName["Ana"]; l.Phone != "" || l.Custom["phone_unread"] != "12" || l.Company != "Orbit" {
			t.Errorf("Ana: %+v", l)
		}
	})
}

// TestImportNeedsAnIdentifyingColumn: a mapping with no column that can
// identify a lead is refused before the import starts.
func TestImportNeedsAnIdentifyingColumn(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t))
	path := filepath.Join(w.dir, "cities.csv")
	os.WriteFile(path, []byte("City,Industry\nCluj,Retail\n"), 0o600)
	im, err := w.imp.Create(context.Background(), access.System, "cities.csv", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.imp.Start(context.Background(), access.System, im.ID, im.Mapping)
	if e := fault.As(err); e == nil || e.Fields["mapping"] == "" {
		t.Errorf("start without an identifying column: %v", err)
	}
}

// A known lead that has no source keeps none: the import only fills it
// in for the leads it creates. A row's own source wins.
func TestImportGivesNewLeadsItsSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		known, err := w.leads.Create(ctx, admin, lead.Changes{lead.FEmail: "ana@carpat.ro"})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(w.dir, "list.csv")
		text := "Email,First Name,Lead Source\nana@carpat.ro,Ana,\nion@carpat.ro,Ion,\ndan@carpat.ro,Dan,referral\n"
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		im, err := w.imp.Create(ctx, access.System, "list.csv", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
			t.Fatal(err)
		}
		if err := w.imp.Run(ctx, im.ID, nil); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"ana@carpat.ro": "", "ion@carpat.ro": "import", "dan@carpat.ro": "referral"}
		p, err := w.leads.List(ctx, admin, lead.Filter{Sort: "email", Limit: 10}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Leads) != 3 {
			t.Fatalf("%d leads after the import", len(p.Leads))
		}
		for _, l := range p.Leads {
			if l.Source != want[l.Email] {
				t.Errorf("%s: source %q, want %q", l.Email, l.Source, want[l.Email])
			}
			if l.Email == known.Email && l.FirstName != "Ana" {
				t.Errorf("the known lead was not filled in: %+v", l)
			}
		}
	})
}
