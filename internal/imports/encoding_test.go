package imports_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/leadcsv"
	"leadflow/internal/sqldb"
)

// TestCentralEuropeanFile: a Romanian list saved by Excel in
// Windows-1250 imports letter for letter, a German one in Windows-1252
// stays right, and a file whose guess the user corrects is read again in
// the encoding chosen, header and all.
func TestCentralEuropeanFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ro, err := charmap.Windows1250.NewEncoder().String("Email;Prenume;Nume;Companie;Oraş\n" +
			"stefan@x.ro;Ştefan;Ţurcanu;Fabrica de Pâine;Brăila\n")
		if err != nil {
			t.Fatal(err)
		}
		im := w.importText(t, "romania.csv", ro, map[string]string{"Prenume": "first_name", "Nume": "last_name", "Companie": "company", "Oraş": "city"})
		if im.Encoding != leadcsv.Windows1250 || im.Created != 1 {
			t.Fatalf("import: %+v %v", im, w.rejects(t, im.ID))
		}
		if l := w.byEmail(t, "stefan@x.ro"); l.FirstName != "Ştefan" || l.LastName != "Ţurcanu" || l.City != "Brăila" || l.Company != "Fabrica de Pâine" {
			t.Errorf("romanian lead: %q %q %q %q", l.FirstName, l.LastName, l.City, l.Company)
		}

		de, _ := charmap.Windows1252.NewEncoder().String("email,last_name,city,company\nm@x.de,Müller,Zürich,Façade GmbH\n")
		im = w.importText(t, "germany.csv", de, nil)
		if l := w.byEmail(t, "m@x.de"); im.Encoding != leadcsv.Windows1252 || l.LastName != "Müller" || l.City != "Zürich" || l.Company != "Façade GmbH" {
			t.Errorf("%s: %q %q %q", im.Encoding, l.LastName, l.City, l.Company)
		}

		// Polish in ISO-8859-2 where only one word tells: the user says.
		pl, _ := charmap.ISO8859_2.NewEncoder().String("email,Miasto\np@x.pl,Łódź\n")
		up, err := w.imp.Upload(ctx, access.System, "pl.csv", strings.NewReader(pl))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.SetEncoding(ctx, access.System, up.ID, "ebcdic"); err == nil {
			t.Error("an unknown encoding was accepted")
		}
		up, err = w.imp.SetEncoding(ctx, access.System, up.ID, leadcsv.ISO88592)
		if err != nil || up.Encoding != leadcsv.ISO88592 {
			t.Fatalf("set encoding: %+v %v", up, err)
		}
		if err := up.Mapping.Override(up.Header, map[string]string{"Miasto": "city"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.imp.Start(ctx, access.System, up.ID, up.Mapping); err != nil {
			t.Fatal(err)
		}
		if err := w.imp.Run(ctx, up.ID, nil); err != nil {
			t.Fatal(err)
		}
		if l := w.byEmail(t, "p@x.pl"); l.City != "Łódź" {
			t.Errorf("polish city %q", l.City)
		}
		if _, err := w.imp.SetEncoding(ctx, access.System, up.ID, leadcsv.UTF8); err == nil {
			t.Error("the encoding of a finished import changed")
		}
	})
}
