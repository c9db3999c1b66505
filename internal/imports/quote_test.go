package imports_test

import (
	"fmt"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestStrayQuoteRejectsOneRow: ten rows, the third opening a quote it
// never closes and the sixth quoting a cell properly. The third is
// rejected, naming its line; the nine others are imported.
func TestStrayQuoteRejectsOneRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		text := "Email,Company,Country\n"
		for i := 1; i <= 10; i++ {
			switch i {
			case 3:
				text += "row3@x.io,\"Gamma Ltd,RO\n"
			case 6:
				text += "row6@x.io,\"Zeta, Inc\",DE\n"
			default:
				text += fmt.Sprintf("row%d@x.io,Co %d,RO\n", i, i)
			}
		}
		im := w.importText(t, "stray.csv", text, nil)
		if im.RowsDone != 10 || im.Created != 9 || im.Rejected != 1 {
			t.Fatalf("import: %+v\n%v", im, w.rejects(t, im.ID))
		}
		rej := w.rejects(t, im.ID)
		if len(rej) != 2 || rej[1][0] != "row3@x.io" || rej[1][3] != "4" || !strings.Contains(rej[1][4], "line 4") {
			t.Errorf("rejects: %q", rej)
		}
		if z := w.byEmail(t, "row6@x.io"); z.Company != "Zeta, Inc" {
			t.Errorf("row 6: %+v", z)
		}
		w.byEmail(t, "row10@x.io")
	})
}
