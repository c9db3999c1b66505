package assign_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/assign"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// TestOnlyAnAdminChangesAssignment calls the store with no handler in
// front: sales and marketing may read the rules but neither make, delete
// nor change them or the settings; an admin may.
func TestOnlyAnAdminChangesAssignment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := assign.NewStore(db)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		rule, err := s.Save(ctx, access.System, 0, assign.Input{Name: "Everyone", AppliesTo: string(assign.New), Members: "sam@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []access.Actor{sam, usertest.Actor(t, db, "mia@example.com", access.Marketing)} {
			if _, err := s.Save(ctx, a, 0, assign.Input{Name: "Mine", Members: "sam@example.com"}); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s made a rule: %v", a.Role, err)
			}
			if _, err := s.Save(ctx, a, rule.ID, assign.Input{Name: "Mine", Members: "sam@example.com"}); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s changed a rule: %v", a.Role, err)
			}
			if err := s.Delete(ctx, a, rule.ID); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s deleted a rule: %v", a.Role, err)
			}
			if err := s.SaveSettings(ctx, a, "sam@example.com", nil); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s changed the settings: %v", a.Role, err)
			}
		}
		if rules, err := s.Rules(ctx); err != nil || len(rules) != 1 || rules[0].Name != "Everyone" {
			t.Errorf("rules after refusals: %+v, %v", rules, err)
		}
		if st, _ := s.Settings(ctx); st.Fallback.ID != 0 {
			t.Errorf("a refused change set the fallback owner")
		}
		ada := usertest.Actor(t, db, "ada@example.com", access.Admin)
		if err := s.SaveSettings(ctx, ada, "sam@example.com", nil); err != nil {
			t.Errorf("admin: %v", err)
		}
		if err := s.Delete(ctx, ada, rule.ID); err != nil {
			t.Errorf("admin: %v", err)
		}
	})
}
