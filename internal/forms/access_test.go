package forms_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// TestSalesIsRefusedWithoutAHandler calls the service as a job or a new
// handler would, with no guard in front: a sales user is still refused
// every form, landing page and submission, and changes nothing; admin and
// marketing get through.
func TestSalesIsRefusedWithoutAHandler(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := forms.NewService(db, lead.NewService(db))
		f, err := s.Create(ctx, access.System, forms.Form{Slug: "news", Name: "Newsletter", Fields: []forms.Field{{Name: "email"}}})
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.SaveLanding(ctx, access.System, forms.Landing{FormID: f.ID, Slug: "spring", Template: "split", Headline: "Spring"})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := s.Submit(ctx, f, map[string]string{"email": "not an address"}, forms.Meta{}) // kept as rejected
		sub := res.SubmissionID

		calls := map[string]func(a access.Actor) error{
			"list forms": func(a access.Actor) error { _, err := s.List(ctx, a); return err },
			"create form": func(a access.Actor) error {
				_, err := s.Create(ctx, a, forms.Form{Slug: "x-" + string(a.Role), Name: "X", Fields: []forms.Field{{Name: "email"}}})
				return err
			},
			"get form":    func(a access.Actor) error { _, err := s.Get(ctx, a, f.ID); return err },
			"update form": func(a access.Actor) error { _, err := s.Update(ctx, a, f); return err },
			"delete form": func(a access.Actor) error { return s.Delete(ctx, a, -1) },
			"save landing": func(a access.Actor) error {
				_, err := s.SaveLanding(ctx, a, l)
				return err
			},
			"get landing":      func(a access.Actor) error { _, err := s.Landing(ctx, a, l.ID); return err },
			"list landings":    func(a access.Actor) error { _, err := s.Landings(ctx, a, 0); return err },
			"delete landing":   func(a access.Actor) error { return s.DeleteLanding(ctx, a, -1) },
			"list submissions": func(a access.Actor) error { _, err := s.Submissions(ctx, a, forms.StatusRejected, 10); return err },
			"count submissions": func(a access.Actor) error {
				_, err := s.CountByStatus(ctx, a)
				return err
			},
			"get submission":     func(a access.Actor) error { _, err := s.Submission(ctx, a, sub); return err },
			"accept submission":  func(a access.Actor) error { return s.Accept(ctx, a, -1, nil) },
			"discard submission": func(a access.Actor) error { return s.Discard(ctx, a, -1) },
		}
		sales := usertest.Actor(t, db, "sam@example.com", access.Sales)
		for name, call := range calls {
			if err := call(sales); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("sales: %s: %v, want forbidden", name, err)
			}
		}
		if list, _ := s.List(ctx, access.System); len(list) != 1 {
			t.Errorf("sales changed the forms: %d of them", len(list))
		}
		for _, a := range []access.Actor{usertest.Actor(t, db, "mia@example.com", access.Marketing), usertest.Actor(t, db, "ada@example.com", access.Admin)} {
			for name, call := range calls {
				if err := call(a); fault.CodeOf(err) == fault.Forbidden {
					t.Errorf("%s: %s: %v", a.Role, name, err)
				}
			}
		}
		// The public side needs no actor.
		if _, err := s.PublicForm(ctx, "news"); err != nil {
			t.Errorf("public form: %v", err)
		}
		if _, pf, err := s.PublicLanding(ctx, "spring"); err != nil || pf.ID != f.ID {
			t.Errorf("public landing: %v, form %d", err, pf.ID)
		}
	})
}
