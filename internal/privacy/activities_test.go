package privacy_test

import (
	"context"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/activity"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/privacy"
	"leadflow/internal/sqldb"
)

// The activities on a person's lead are in their export and go with
// their erasure; another person's stay.
func TestActivitiesAreExportedAndErased(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		acts := activity.NewService(db, leads)
		svc := privacy.NewService(db)
		plan := func(email, subject string) {
			t.Helper()
			l, err := leads.Create(ctx, access.System, lead.Changes{"email": email})
			if err != nil {
				t.Fatal(err)
			}
			typ, id := activity.OnLead, l.ID
			if _, err := acts.Create(ctx, access.System, activity.Patch{Kind: activity.Str("call"), Subject: activity.Str(subject),
				Due: activity.Str("2026-12-01T10:00"), LinkType: &typ, LinkID: &id}); err != nil {
				t.Fatal(err)
			}
		}
		plan("pat@example.com", "Call Pat about her divorce settlement")
		plan("ola@example.com", "Call Ola")
		ex, err := svc.Export(ctx, access.System, "pat@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Activities) != 1 || ex.Activities[0]["subject"] != "Call Pat about her divorce settlement" {
			t.Errorf("the export's activities: %v", ex.Activities)
		}
		if _, err := svc.Erase(ctx, access.System, "pat@example.com"); err != nil {
			t.Fatal(err)
		}
		p, _ := acts.List(ctx, access.System, activity.ListOptions{})
		if p.Total != 1 || p.Items[0].Subject != "Call Ola" {
			t.Errorf("after erasing Pat the activities are %+v", p.Items)
		}
	})
}
