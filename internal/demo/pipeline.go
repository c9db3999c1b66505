package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/assign"
	"leadflow/internal/crm"
	"leadflow/internal/lead"
	"leadflow/internal/user"
)

// setContact gives an owned lead its first-contact record: contacted a
// few hours after it arrived, except for some of the last week's, which
// are still waiting and, for a few, overdue.
func setContact(rng *rand.Rand, l *lead.Lead, now time.Time) {
	if l.OwnerID == 0 {
		return
	}
	due := l.CreatedAt.Add(72 * time.Hour)
	l.ContactDueAt = &due
	recent := now.Sub(l.CreatedAt) < 7*24*time.Hour
	early := l.Stage == lead.Subscriber || l.Stage == lead.StageLead || l.Stage == lead.MQL
	if recent && early && rng.IntN(3) > 0 {
		return
	}
	at := l.CreatedAt.Add(time.Duration(1+rng.IntN(40)) * time.Hour)
	l.ContactedAt = &at
}

var lostReasons = []string{"price", "competitor", "no decision", "timing", "missing feature"}

// seedPipeline sets up assignment and converts every lead in the
// opportunity stage into an account, a contact and a deal somewhere on
// the board; the future customers' deals are won.
func seedPipeline(ctx context.Context, svc Services, rng *rand.Rand, wins map[int64]bool, sales []user.User, now time.Time) error {
	if err := seedAssignment(ctx, svc.Leads.Assignment(), sales); err != nil {
		return err
	}
	admin := access.Actor{Role: access.Admin}
	f, _ := lead.ParseFilter(map[string][]string{"stage": {"opportunity"}, "limit": {"500"}, "sort": {"created_at"}})
	page, err := svc.Leads.List(ctx, admin, f, false)
	if err != nil {
		return err
	}
	stages, err := svc.CRM.Pipeline(ctx)
	if err != nil {
		return err
	}
	open := stages[:len(stages)-2]
	for _, l := range page.Leads {
		if l.Company == "" {
			continue
		}
		amount := fmt.Sprint((5 + rng.IntN(120)) * 1000)
		won, lost := wins[l.ID], !wins[l.ID] && rng.IntN(4) == 0
		closes := l.CreatedAt.AddDate(0, 2+rng.IntN(4), 0)
		if won || lost {
			// A closed deal closed on a day gone by, after it opened.
			closes = now.AddDate(0, 0, -rng.IntN(30))
			if closes.Before(l.CreatedAt) {
				closes = l.CreatedAt
			}
		}
		in := crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: l.Company + " – " + pick(rng, deals),
			Amount: amount, Currency: pick(rng, []string{"EUR", "EUR", "USD", "GBP"}),
			CloseDate: closes.Format(time.DateOnly), Stage: pick(rng, open).Key}}
		res, err := svc.CRM.Convert(ctx, admin, l.ID, in)
		if err != nil {
			return fmt.Errorf("demo: convert %s: %w", l.Email, err)
		}
		switch {
		case won:
			_, err = svc.CRM.Move(ctx, admin, res.OpportunityID, crm.Won, "contract signed")
		case lost:
			_, err = svc.CRM.Move(ctx, admin, res.OpportunityID, crm.Lost, pick(rng, lostReasons))
		}
		if err != nil {
			return fmt.Errorf("demo: close deal of %s: %w", l.Email, err)
		}
	}
	return nil
}

var deals = []string{"CRM rollout", "sales team licences", "pilot", "expansion", "renewal and upgrade", "marketing automation"}

func seedAssignment(ctx context.Context, store *assign.Store, sales []user.User) error {
	if len(sales) < 3 {
		return nil
	}
	rules := []assign.Input{
		{Name: "Enterprise (1,000+ employees)", AppliesTo: "both", MinEmployees: "1000", Members: sales[0].Email + ", " + sales[2].Email},
		{Name: "France and southern Europe", Countries: "FR, IT, ES, RO", Members: sales[1].Email},
		{Name: "DACH and Nordics", Countries: "DE, AT, CH, NO, SE, DK", Members: sales[2].Email},
	}
	for _, in := range rules {
		if _, err := store.Save(ctx, access.System, 0, in); err != nil {
			return fmt.Errorf("demo: rule %s: %w", in.Name, err)
		}
	}
	return store.SaveSettings(ctx, access.System, sales[0].Email, nil)
}
