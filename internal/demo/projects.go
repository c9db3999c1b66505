package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/project"
)

// seedProjects opens the delivery project of each won deal and moves
// them along their stages, the older wins further, with hours logged by
// their owners: a board with work at every step, and the report of
// which channels bring profitable projects has figures to show.
func seedProjects(ctx context.Context, svc Services, rng *rand.Rand, now time.Time) error {
	if svc.Projects == nil {
		return nil
	}
	admin := access.Actor{Role: access.Admin}
	page, err := svc.CRM.Opportunities(ctx, admin, crm.ListOptions{Stage: crm.Won, Limit: 500})
	if err != nil {
		return err
	}
	won := page.Items
	slices.SortFunc(won, func(a, b crm.Opportunity) int { return int(a.ID - b.ID) })
	stages, err := svc.Projects.Stages(ctx, project.Implementation)
	if err != nil {
		return err
	}
	for k, o := range won {
		p, _, err := svc.Projects.FromDeal(ctx, admin, o.ID, project.Implementation)
		if err != nil {
			return fmt.Errorf("demo: project of deal %d: %w", o.ID, err)
		}
		// The oldest win is furthest along; the newest has just started.
		reach := min(len(stages)-1, (len(won)-1-k)*len(stages)/max(1, len(won)))
		for _, st := range stages[1 : reach+1] {
			if p, err = svc.Projects.Move(ctx, admin, p.ID, p.Version, st.ID); err != nil {
				return fmt.Errorf("demo: move project %d: %w", p.ID, err)
			}
		}
		for d := range reach + 1 {
			in := project.TimeInput{User: o.OwnerEmail, Hours: fmt.Sprint(2 + rng.IntN(6)),
				WorkedOn: now.AddDate(0, 0, -3*(reach-d)-1).Format(time.DateOnly), Note: stages[d].Name}
			if _, err := svc.Projects.LogTime(ctx, admin, p.ID, in); err != nil {
				return fmt.Errorf("demo: time on project %d: %w", p.ID, err)
			}
		}
	}
	return nil
}
