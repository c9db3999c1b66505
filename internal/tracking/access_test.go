package tracking_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/usertest"
)

// TestSalesCannotSetTrackingSites calls the service with no handler in
// front: a sales user may neither read nor change the sites allowed to
// send tracking; marketing may, and the public check sees the change.
func TestSalesCannotSetTrackingSites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := tracking.NewService(db)
		sales := usertest.Actor(t, db, "sam@example.com", access.Sales)
		if err := s.SetOrigins(ctx, sales, "https://evil.example"); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales set the origins: %v", err)
		}
		if _, err := s.Origins(ctx, sales); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales read the origins: %v", err)
		}
		if s.Allowed(ctx, "https://evil.example") {
			t.Errorf("a refused change took effect")
		}
		if err := s.SetOrigins(ctx, usertest.Actor(t, db, "mia@example.com", access.Marketing), "https://www.example.com"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Origins(ctx, usertest.Actor(t, db, "ada@example.com", access.Admin)); err != nil || got != "https://www.example.com" {
			t.Errorf("origins = %q, %v", got, err)
		}
		if !s.Allowed(ctx, "https://www.example.com") {
			t.Errorf("the allowed site is refused")
		}
	})
}
