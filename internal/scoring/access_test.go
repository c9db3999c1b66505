package scoring_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// TestSalesCannotSaveRules calls the store with no handler in front: a
// sales user's rules are refused and the rules in force stay; marketing
// saves a version, recorded as theirs, and the program saves as leadflow.
func TestSalesCannotSaveRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := scoring.NewStore(db)
		if _, err := s.Save(ctx, access.Actor{ID: 7, Role: access.Sales}, scoring.Defaults(), "mine"); fault.CodeOf(err) != fault.Forbidden {
			t.Fatalf("sales saved rules: %v", err)
		}
		if err := s.MayChange(access.Actor{Role: access.Sales}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales may change the rules: %v", err)
		}
		if hist, _ := s.History(ctx, 10); len(hist) != 0 {
			t.Errorf("a refused save made %d versions", len(hist))
		}
		for _, a := range []access.Actor{{Role: access.Marketing}, {Role: access.Admin}, access.System} {
			if _, err := s.Save(ctx, a, scoring.Defaults(), "ok"); err != nil {
				t.Errorf("%s: %v", a.Role, err)
			}
		}
		if cur, _ := s.Current(ctx); cur.CreatedBy != "" || cur.Version != 3 {
			t.Errorf("the program's version: %+v", cur)
		}
	})
}
