package privacy_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/privacy"
	"leadflow/internal/sqldb"
)

// Rui is known by phone only (a call list) and, by name at his company,
// from a trade show with his email and phone: asked by phone, the export
// finds both leads; asked by name and company, the trade-show lead only
// (a phone is not followed further: an office line is many people's);
// erased by phone, both go, and his namesake at another company stays.
func TestFindAPersonByPhoneOrNameAndCompany(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		svc := privacy.NewService(db)
		mk := func(c lead.Changes) int64 {
			l, err := leads.Create(ctx, access.System, c)
			if err != nil {
				t.Fatal(err)
			}
			return l.ID
		}
		byPhone := mk(lead.Changes{"phone": "+40721234567", "first_name": "Rui", "last_name": "Costa"})
		byName := mk(lead.Changes{"email": "rui@orbit.io", "first_name": "Rui", "last_name": "Costa", "company": "Orbit", "phone": "+40721234567"})
		other := mk(lead.Changes{"email": "rui.costa@nebula.io", "first_name": "Rui", "last_name": "Costa", "company": "Nebula"})
		admin := access.Actor{ID: 0, Role: access.Admin}

		ex, err := svc.ExportPerson(ctx, admin, privacy.Person{Phone: "+40 721 234 567"})
		if err != nil {
			t.Fatal(err)
		}
		if got := leadIDs(ex); len(got) != 2 || got[0] != byPhone || got[1] != byName || ex.Email != "rui@orbit.io" {
			t.Errorf("by phone: leads %v, address %q", got, ex.Email)
		}
		ex, err = svc.ExportPerson(ctx, admin, privacy.Person{LastName: "COSTA", Company: "orbit"})
		if err != nil {
			t.Fatal(err)
		}
		if got := leadIDs(ex); len(got) != 1 || got[0] != byName {
			t.Errorf("by name and company: leads %v", got)
		}
		// A lead written before sort keys were filled in is found too.
		if _, err := db.W.Exec(ctx, `UPDATE leads SET last_name_sort = NULL WHERE id = ?`, byName); err != nil {
			t.Fatal(err)
		}
		if ex, _ = svc.ExportPerson(ctx, admin, privacy.Person{LastName: "costa", Company: "ORBIT"}); len(leadIDs(ex)) != 1 || leadIDs(ex)[0] != byName {
			t.Errorf("by name and company, with no sort key: leads %v", leadIDs(ex))
		}
		if ex, _ = svc.ExportPerson(ctx, admin, privacy.Person{FirstName: "Ana", LastName: "Costa", Company: "Orbit"}); len(ex.Leads) != 0 {
			t.Errorf("another first name found %v", leadIDs(ex))
		}

		for _, c := range []struct {
			p     privacy.Person
			field string
		}{
			{privacy.Person{}, "email"},
			{privacy.Person{LastName: "Costa"}, "company"},
			{privacy.Person{Company: "Orbit"}, "last_name"},
			{privacy.Person{Phone: "0721 234 567"}, "phone"},
			{privacy.Person{Email: "rui"}, "email"},
		} {
			_, err := svc.ExportPerson(ctx, admin, c.p)
			if e := fault.As(err); e == nil || e.Code != fault.Invalid || e.Fields[c.field] == "" {
				t.Errorf("%+v: %v, want 422 naming %s", c.p, err, c.field)
			}
		}

		er, err := svc.ErasePerson(ctx, admin, privacy.Person{Phone: "+40721234567"})
		if err != nil {
			t.Fatal(err)
		}
		if er.Counts["leads"] != 2 || er.EmailSHA256 != privacy.Hash("rui@orbit.io") {
			t.Errorf("erasure %+v", er)
		}
		for id, want := range map[int64]bool{byPhone: false, byName: false, other: true} {
			_, err := leads.Get(ctx, admin, id)
			if (err == nil) != want {
				t.Errorf("lead %d after the erasure: %v, want kept %v", id, err, want)
			}
		}
		if was, _ := svc.WasErased(ctx, "rui@orbit.io"); !was {
			t.Error("the address is not recorded as erased")
		}
	})
}

func leadIDs(ex privacy.Export) []int64 {
	var out []int64
	for _, l := range ex.Leads {
		out = append(out, l["id"].(int64))
	}
	return out
}
