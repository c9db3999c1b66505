package imports_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// An imported lead from a company that is already an account is linked
// to it as it is stored, as one from a form is; free mail and a
// look-alike domain are not.
func TestImportLinksLeadsToAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		accounts := crm.NewService(db, w.leads)
		for _, in := range []crm.AccountInput{{Name: "Nordwind GmbH", Website: "nordwind.de"}, {Name: "Baltic Freight"}} {
			if _, err := accounts.CreateAccount(ctx, access.System, in); err != nil {
				t.Fatal(err)
			}
		}
		im := w.importText(t, "leads.csv", "Email,Company\n"+
			"ute@nordwind.de,\n"+
			"li@gmail.com,Baltic Freight Ltd\n"+
			"max@web.de,\n"+
			"eve@nordwind.de.example,Nordwind Trading\n", nil)
		if im.Created != 4 {
			t.Fatalf("import created %d leads", im.Created)
		}
		got := map[string]string{}
		for _, email := range []string{"ute@nordwind.de", "li@gmail.com", "max@web.de", "eve@nordwind.de.example"} {
			l := w.byEmail(t, email)
			link, ok, err := w.leads.AccountLink(ctx, admin, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				got[email] = link.AccountName + ": " + link.Reason()
			}
		}
		want := "map[li@gmail.com:Baltic Freight: company name “baltic freight” ute@nordwind.de:Nordwind GmbH: email domain nordwind.de]"
		if fmt.Sprint(got) != want {
			t.Errorf("links after the import:\n%v\nwant\n%s", got, want)
		}
	})
}
