package demo

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/lead"
	"leadflow/internal/salesteam"
	"leadflow/internal/user"
)

// The demo has an SDR team and an AE team whose report is not empty:
// leads qualified and handed over, accepted, rejected with reasons,
// pending and won, with a time to acceptance.
func TestDemoSeedsTheSalesTeams(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	leads := lead.NewService(db)
	teams := salesteam.NewService(db, leads)
	svc := Services{Users: user.NewService(db), Leads: leads, Forms: forms.NewService(db, leads), CRM: crm.NewService(db, leads), Teams: teams}
	now := time.Now()
	if err := Seed(ctx, svc, "a long demo password", 60, 1, now); err != nil {
		t.Fatal(err)
	}
	rep, err := teams.Report(ctx, now.AddDate(0, 0, -30), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep) != 2 || rep[0].Name != "Inbound SDRs" || rep[1].Name != "Account executives" {
		t.Fatalf("teams %+v", rep)
	}
	for _, tm := range rep {
		f := tm.Total
		if f.HandedOver != len(handovers) || f.Accepted != 4 || f.Rejected != 2 || f.Pending != 2 || f.Won != 2 ||
			f.RejectedBy["no_budget"] != 1 || f.RejectedBy["bad_timing"] != 1 || f.AcceptHours == nil {
			t.Errorf("%s: %+v", tm.Name, f)
		}
	}
	if rep[0].Total.Qualified < len(handovers) {
		t.Errorf("the SDRs qualified %d leads", rep[0].Total.Qualified)
	}
	if len(rep[1].Members) != 2 || rep[1].Members[0].HandedOver == 0 || rep[1].Members[1].HandedOver == 0 {
		t.Errorf("each AE is handed some: %+v", rep[1].Members)
	}
}
