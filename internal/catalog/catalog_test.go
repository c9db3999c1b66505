package catalog_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/catalog"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func vocabulary(t *testing.T, svc *catalog.Service, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := svc.SaveFeature(context.Background(), access.System, catalog.Feature{Key: k, Name: strings.ToUpper(k[:1]) + k[1:]}); err != nil {
			t.Fatal(err)
		}
	}
}

func orbit() catalog.Input {
	return catalog.Input{Vendor: "Orbit Soft", Product: "Orbit CRM", Category: "CRM", Industries: []string{"Retail", " software"},
		Deployments: []string{"cloud", "web"}, Features: []string{"contacts", "pipeline"}, Integrations: []string{"Outlook"},
		Languages: []string{"en", "RO"}, Price: "19.90", PricePeriod: "month", Setup: "500", Currency: "eur",
		MinLicences: "5", MaxLicences: "500", ContactName: "Ioana Pop", ContactEmail: "ioana@orbit.example"}
}

// A marketing user adds a product; it is stored normalised and read
// back as given; sales may read the catalog but not change it.
func TestCreateAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := catalog.NewService(db)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		vocabulary(t, svc, "contacts", "pipeline")
		sol, err := svc.Create(ctx, mia, orbit())
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, sol.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Category != "crm" || fmt.Sprint(got.Industries) != "[retail software]" || got.Price != 1990 ||
			got.Setup != 50000 || got.Currency != "EUR" || fmt.Sprint(got.Languages) != "[en ro]" || !got.Active ||
			got.MinLicences != 5 || got.MaxLicences != 500 || got.ContactEmail != "ioana@orbit.example" {
			t.Errorf("stored %+v", got)
		}
		if in := catalog.InputOf(got); in.Price != "19.90" || in.Setup != "500" {
			t.Errorf("read back price %q setup %q", in.Price, in.Setup)
		}
		if _, err := svc.Create(ctx, sam, orbit()); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales created a solution: %v", err)
		}
		if _, err := svc.Create(ctx, mia, orbit()); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("the same product twice: %v", err)
		}
		// A stale edit is refused.
		in := orbit()
		in.Price = "21"
		if _, err := svc.Update(ctx, mia, sol.ID, got.Version, in); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, mia, sol.ID, got.Version, orbit()); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("an edit from a stale version: %v", err)
		}
	})
}

// Every bad field is named, and a feature outside the vocabulary too.
func TestValidationNamesFields(t *testing.T) {
	db := dbtest.SQLite(t)
	svc := catalog.NewService(db)
	vocabulary(t, svc, "contacts")
	in := catalog.Input{Vendor: " ", Product: "X", Category: "C R M!", Deployments: []string{"fax"}, Features: []string{"contacts", "teleport"},
		Languages: []string{"english"}, Price: "12.345", PricePeriod: "week", Setup: "-5", Currency: "euro",
		MinLicences: "10", MaxLicences: "5", Active: "maybe", ContactEmail: "nobody"}
	_, err := svc.Create(context.Background(), access.System, in)
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{"vendor", "category", "deployments", "features", "languages", "price", "price_period",
		"setup", "currency", "max_licences", "active", "contact_email"} {
		if e.Fields[f] == "" {
			t.Errorf("%s not named: %v", f, e.Fields)
		}
	}
	if !strings.Contains(e.Fields["features"], "teleport") || strings.Contains(e.Fields["features"], "contacts") {
		t.Errorf("features: %q", e.Fields["features"])
	}
}

// A CSV import takes the good rows, replaces a product it already has,
// and returns the bad ones with their reasons.
func TestImportCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := catalog.NewService(db)
		vocabulary(t, svc, "contacts", "pipeline", "invoices")
		csv := "vendor,product,category,deployments,features,languages,price,price_period,currency\n" +
			"Orbit Soft,Orbit CRM,crm,cloud;web,contacts;pipeline,en;ro,19.90,month,EUR\n" +
			"Ledger,Ledger Books,accounting,cloud,invoices,en,120,year,EUR\n" +
			"Bad,Bad One,crm,cloud,telepathy,en,abc,month,EUR\n"
		rows, err := catalog.ParseCSV([]byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Import(ctx, access.System, rows)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 2 || res.Updated != 0 || len(res.Rejected) != 1 {
			t.Fatalf("result %+v", res)
		}
		r := res.Rejected[0]
		if r.Row != 3 || r.Product != "Bad One" || r.Fields["features"] == "" || r.Fields["price"] == "" {
			t.Errorf("rejected %+v", r)
		}
		// Again with a new price: replaced, not doubled.
		rows, _ = catalog.ParseCSV([]byte(strings.Replace(csv, "19.90", "24", 1)))
		if res, err = svc.Import(ctx, access.System, rows); err != nil || res.Created != 0 || res.Updated != 2 {
			t.Fatalf("second import %+v %v", res, err)
		}
		all, _, err := svc.Solutions(ctx, catalog.Filter{})
		if err != nil || len(all) != 2 || all[0].Price != 2400 {
			t.Errorf("catalog after two imports: %d solutions, %v", len(all), err)
		}
		if _, err := catalog.ParseCSV([]byte("name,price\nx,1\n")); fault.As(err) == nil || fault.As(err).Fields["file"] == "" {
			t.Errorf("a file without vendor and product columns: %v", err)
		}
	})
}

// Concurrent imports of the same product make one product, on both
// databases.
func TestConcurrentImports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := catalog.NewService(db)
		vocabulary(t, svc, "contacts", "pipeline")
		var fns []func() error
		for i := range 6 {
			in := orbit()
			in.Price = fmt.Sprint(10 + i)
			fns = append(fns, func() error { _, err := svc.Import(ctx, access.System, []catalog.Input{in}); return err })
		}
		for _, err := range dbtest.Together(fns...) {
			if err != nil {
				t.Error(err)
			}
		}
		all, _, err := svc.Solutions(ctx, catalog.Filter{})
		if err != nil || len(all) != 1 || all[0].Version != 6 {
			t.Errorf("after 6 concurrent imports: %d solutions, version %d, %v", len(all), all[0].Version, err)
		}
	})
}

func TestJSONImportAndFeatures(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	svc := catalog.NewService(db)
	vocabulary(t, svc, "contacts")
	rows, err := catalog.ParseJSON([]byte(`[{"vendor":"Kite","product":"Kite CRM","category":"crm","deployments":["cloud"],
		"features":"contacts","languages":["it"],"price":30,"price_period":"month","currency":"EUR","max_licences":20,"active":false}]`))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Import(ctx, access.System, rows); err != nil || res.Created != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	all, _, _ := svc.Solutions(ctx, catalog.Filter{})
	if len(all) != 1 || all[0].Active || all[0].Price != 3000 || all[0].MaxLicences != 20 {
		t.Errorf("imported %+v", all)
	}
	if act, _ := svc.ForMatching(ctx); len(act) != 0 {
		t.Errorf("an inactive product is matched")
	}
	if err := svc.DeleteFeature(ctx, access.System, "contacts"); fault.CodeOf(err) != fault.Conflict {
		t.Errorf("deleting a feature in use: %v", err)
	}
	if _, err := svc.SaveFeature(ctx, access.System, catalog.Feature{Key: "contacts", Name: "Contact management"}); err != nil {
		t.Fatal(err)
	}
	names, _ := svc.FeatureNames(ctx)
	if names["contacts"] != "Contact management" {
		t.Errorf("renamed feature: %v", names)
	}
}

// Two instances on one database: a change made through one is matched
// by the other at its next ranking, though each keeps a parsed copy.
func TestForMatchingSeesOtherInstancesChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		one, two := catalog.NewService(db), catalog.NewService(db)
		vocabulary(t, one, "contacts", "pipeline")
		if sols, err := two.ForMatching(ctx); err != nil || len(sols) != 0 {
			t.Fatalf("empty catalog: %v %v", sols, err)
		}
		sol, err := one.Create(ctx, access.System, orbit())
		if err != nil {
			t.Fatal(err)
		}
		if sols, _ := two.ForMatching(ctx); len(sols) != 1 || sols[0].Price != 1990 {
			t.Fatalf("after a create on the other instance: %v", sols)
		}
		in := orbit()
		in.Price = "25"
		if _, err := one.Update(ctx, access.System, sol.ID, 0, in); err != nil {
			t.Fatal(err)
		}
		if sols, _ := two.ForMatching(ctx); len(sols) != 1 || sols[0].Price != 2500 {
			t.Errorf("after an update on the other instance: %v", sols)
		}
		if err := one.Delete(ctx, access.System, sol.ID); err != nil {
			t.Fatal(err)
		}
		if sols, _ := two.ForMatching(ctx); len(sols) != 0 {
			t.Errorf("after a delete on the other instance: %v", sols)
		}
		rows, _ := catalog.ParseCSV([]byte("vendor,product,category,deployments,price,price_period,currency\nK,Kite,crm,cloud,3,month,EUR\n"))
		if _, err := one.Import(ctx, access.System, rows); err != nil {
			t.Fatal(err)
		}
		if sols, _ := two.ForMatching(ctx); len(sols) != 1 {
			t.Errorf("after an import on the other instance: %v", sols)
		}
	})
}

// After changes of every kind, the copy updated row by row is the
// catalog a fresh read gives.
func TestForMatchingUpdatesOnlyWhatChanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := catalog.NewService(db)
		var csv strings.Builder
		csv.WriteString("vendor,product,category,deployments,price,price_period,currency\n")
		for i := range 30 {
			fmt.Fprintf(&csv, "V%d,P%d,crm,cloud,%d,month,EUR\n", i, i, 10+i)
		}
		rows, _ := catalog.ParseCSV([]byte(csv.String()))
		if _, err := svc.Import(ctx, access.System, rows); err != nil {
			t.Fatal(err)
		}
		if sols, err := svc.ForMatching(ctx); err != nil || len(sols) != 30 {
			t.Fatalf("%d solutions, %v", len(sols), err)
		}
		all, _, _ := svc.Solutions(ctx, catalog.Filter{})
		in := catalog.InputOf(all[3])
		in.Price = "99"
		svc.Update(ctx, access.System, all[3].ID, 0, in)
		in = catalog.InputOf(all[5])
		in.Active = "false"
		svc.Update(ctx, access.System, all[5].ID, 0, in)
		svc.Delete(ctx, access.System, all[7].ID)
		rows, _ = catalog.ParseCSV([]byte("vendor,product,category,deployments,price,price_period,currency\nNew,One,erp,web,1,year,EUR\nV9,P9,crm,desktop,5,month,EUR\n"))
		svc.Import(ctx, access.System, rows)
		got, err := svc.ForMatching(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := catalog.NewService(db).ForMatching(ctx)
		if !reflect.DeepEqual(got, want) || len(got) != 29 {
			t.Errorf("updated copy has %d solutions, a fresh read %d; equal: %v", len(got), len(want), reflect.DeepEqual(got, want))
		}
		// Made active again, it is back.
		in.Active = "true"
		svc.Update(ctx, access.System, all[5].ID, 0, in)
		if got, _ := svc.ForMatching(ctx); len(got) != 30 {
			t.Errorf("after reactivation: %d", len(got))
		}
	})
}
