package imports_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/imports"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// TestSalesIsRefusedWithoutAHandler calls the service with no handler in
// front: a sales user may neither upload, read, start nor download an
// import, and nothing is stored; marketing gets through.
func TestSalesIsRefusedWithoutAHandler(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := imports.NewService(db, lead.NewService(db))
		csv := "email,company\nada@example.com,Acme\n"
		im, err := s.Upload(ctx, access.System, "leads.csv", strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		calls := map[string]func(a access.Actor) error{
			"upload": func(a access.Actor) error {
				_, err := s.Upload(ctx, a, "more.csv", strings.NewReader(csv))
				return err
			},
			"create": func(a access.Actor) error {
				_, err := s.Create(ctx, a, "x.csv", "testdata/does-not-exist.csv")
				return err
			},
			"get":   func(a access.Actor) error { _, err := s.Get(ctx, a, im.ID); return err },
			"list":  func(a access.Actor) error { _, err := s.List(ctx, a, 10); return err },
			"start": func(a access.Actor) error { _, err := s.Start(ctx, a, -1, im.Mapping); return err },
			"write rejects": func(a access.Actor) error {
				_, err := s.WriteRejects(ctx, a, im.ID, io.Discard, i18n.For("en"))
				return err
			},
		}
		sales := usertest.Actor(t, db, "sam@example.com", access.Sales)
		for name, call := range calls {
			if err := call(sales); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("sales: %s: %v, want forbidden", name, err)
			}
		}
		if list, _ := s.List(ctx, access.System, 10); len(list) != 1 {
			t.Errorf("sales stored an import: %d of them", len(list))
		}
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		for name, call := range calls {
			if err := call(mia); fault.CodeOf(err) == fault.Forbidden {
				t.Errorf("marketing: %s: %v", name, err)
			}
		}
	})
}
