package brief

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/project"
)

// openCustom opens a custom project for lead leadID when its request's
// matches call for one, seeded from the request: the features to build
// are its must-haves and nice-to-haves (their effort left for the
// analyst), the application type its deployments, and the checklist's
// integrations item lists the integrations it needs.
func (s *Service) openCustom(ctx context.Context, a access.Actor, leadID int64) error {
	r, res, err := s.Matches(ctx, a, leadID)
	if err != nil || !res.NeedsCustom() {
		return err
	}
	names, err := s.catalog.FeatureNames(ctx)
	if err != nil {
		return err
	}
	l, err := s.leads.Get(ctx, a, leadID)
	if err != nil {
		return err
	}
	reason := "no solution in the catalog passes the request's filters"
	if len(res.Ranked) > 0 {
		reason = fmt.Sprintf("the best match, %s, scores %d, under the threshold of %d", res.Ranked[0].Solution.Product, res.Ranked[0].Score, res.Threshold)
	}
	p := project.Project{Title: fmt.Sprintf("Custom %s for %s", r.Category, firstOf(l.Company, l.Name())), Reason: reason,
		AppTypes: r.Deployments, Checklist: map[string]project.Check{}}
	for _, k := range append(append([]string{}, r.MustHave...), r.NiceToHave...) {
		name := names[k]
		if name == "" {
			name = k
		}
		p.Features = append(p.Features, project.Feature{Name: name})
	}
	if len(r.Integrations) > 0 {
		p.Checklist["integrations"] = project.Check{Notes: "Needs: " + strings.Join(r.Integrations, ", ")}
	}
	_, _, err = s.Projects.OpenIfNone(ctx, a, leadID, p)
	return err
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
