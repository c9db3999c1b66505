package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/lead"
	"leadflow/internal/salesteam"
	"leadflow/internal/user"
)

// handovers are the demo's SDR-qualified leads: what happens to each
// after its hand-over to an account executive, and when (hours after).
var handovers = []struct {
	first, last, company, domain, note string
	outcome, reason                    string
	days, hours                        int
	won                                bool
}{
	{"Ingrid", "Dahl", "Nordlys Energi AS", "nordlys-energi.example", "Signed budget for 60 seats; wants a demo before the board meets in May.", salesteam.Accepted, "", 26, 3, true},
	{"Marco", "Bellini", "Castello Foods S.p.A.", "castellofoods.example", "Head of sales, decides with the CFO. Replacing spreadsheets this quarter.", salesteam.Accepted, "", 21, 20, false},
	{"Andrei", "Ionescu", "Carpathia Logistics SRL", "carpathia-logistics.example", "Three depots, 45 drivers; asked for a pilot in Cluj.", salesteam.Accepted, "", 14, 6, false},
	{"Chloé", "Moreau", "Alba Retail SA", "albaretail.example", "Budget not confirmed yet, but strong need after their merger.", salesteam.Rejected, "no_budget", 12, 30, false},
	{"Hannah", "Weber", "Helix Biotech GmbH", "helix-bio.example", "Evaluating in Q3; champion is the operations lead.", salesteam.Rejected, "bad_timing", 9, 4, false},
	{"Oscar", "Hansen", "Fjordline Shipping AS", "fjordline.example", "Inbound from the pricing page; 120 users across two offices.", salesteam.Accepted, "", 6, 2, true},
	{"Priya", "Sharma", "Brightwave Analytics Ltd", "brightwave.example", "Called back twice; wants references from logistics.", salesteam.Pending, "", 2, 0, false},
	{"Elias", "Novák", "Orbit Fintech s.r.o.", "orbitfintech.example", "", salesteam.Pending, "", 1, 0, false},
}

var ascii = strings.NewReplacer("é", "e", "á", "a")

// seedTeams makes a qualifying team (Inès) that hands over to the
// account executives (Sam and Lars), and the hand-overs above: Inès
// qualifies each lead and converts it with her note; the AE accepts,
// rejects or has yet to answer, and wins some.
func seedTeams(ctx context.Context, svc Services, sales []user.User, now time.Time) error {
	if svc.Teams == nil || len(sales) < 3 {
		return nil
	}
	if svc.CRM.Handover == nil {
		svc.CRM.Handover = svc.Teams.Hand
	}
	aes, err := svc.Teams.Save(ctx, access.System, 0, salesteam.Input{Name: "Account executives", Role: string(salesteam.Closing),
		Members: []string{sales[0].Email, sales[2].Email}})
	if err != nil {
		return fmt.Errorf("demo: AE team: %w", err)
	}
	if _, err := svc.Teams.Save(ctx, access.System, 0, salesteam.Input{Name: "Inbound SDRs", Role: string(salesteam.Qualifying),
		Members: []string{sales[1].Email}, HandsTo: aes.ID}); err != nil {
		return fmt.Errorf("demo: SDR team: %w", err)
	}
	sdr := sales[1].Actor()
	actors := map[int64]access.Actor{sales[0].ID: sales[0].Actor(), sales[2].ID: sales[2].Actor()}
	defer svc.Teams.SetClock(time.Now)
	for _, h := range handovers {
		at := now.AddDate(0, 0, -h.days)
		l, err := svc.Leads.Create(ctx, access.System, lead.Changes{"email": ascii.Replace(strings.ToLower(h.first)) + "@" + h.domain, "first_name": h.first,
			"last_name": h.last, "company": h.company, "owner": sdr.Email, "stage": string(lead.MQL)})
		if err != nil {
			return fmt.Errorf("demo: lead %s: %w", h.company, err)
		}
		if _, err := svc.Leads.Qualify(ctx, sdr, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM for the sales team",
			Timing: at.AddDate(0, 3, 0).Format(time.DateOnly), Outcome: lead.SQL}); err != nil {
			return fmt.Errorf("demo: qualify %s: %w", h.company, err)
		}
		svc.Teams.SetClock(func() time.Time { return at })
		c, err := svc.CRM.Convert(ctx, sdr, l.ID, crm.ConvertInput{HandoverNote: h.note, Opportunity: &crm.OpportunityInput{
			Name: h.company + " – CRM rollout", Amount: fmt.Sprint(20000 + 4000*len(h.company)), Currency: "EUR"}})
		if err != nil || c.HandoverID == 0 {
			return fmt.Errorf("demo: hand over %s: %v", h.company, err)
		}
		ho, err := svc.Teams.Get(ctx, access.System, c.HandoverID)
		if err != nil {
			return err
		}
		ae := actors[ho.AE.ID]
		svc.Teams.SetClock(func() time.Time { return at.Add(time.Duration(h.hours) * time.Hour) })
		switch h.outcome {
		case salesteam.Accepted:
			_, err = svc.Teams.Accept(ctx, ae, ho.ID)
		case salesteam.Rejected:
			_, err = svc.Teams.Reject(ctx, ae, ho.ID, h.reason, "")
		}
		if err == nil && h.won {
			_, err = svc.CRM.Move(ctx, ae, c.OpportunityID, crm.Won, "contract signed")
		}
		if err != nil {
			return fmt.Errorf("demo: answer the hand-over of %s: %w", h.company, err)
		}
	}
	return nil
}
