package brief

import (
	"context"

	"leadflow/internal/access"
	"leadflow/internal/matching"
)

// Matches ranks the active catalog against lead leadID's request with
// the team's weights. Nothing is cached: the catalog and the weights
// are read for each call, so a change to either counts at once, on
// every instance.
func (s *Service) Matches(ctx context.Context, a access.Actor, leadID int64) (Request, matching.Result, error) {
	r, err := s.Get(ctx, a, leadID)
	if err != nil {
		return r, matching.Result{}, err
	}
	sols, err := s.catalog.ForMatching(ctx)
	if err != nil {
		return r, matching.Result{}, err
	}
	cfg, err := s.catalog.Config(ctx)
	if err != nil {
		return r, matching.Result{}, err
	}
	return r, matching.Rank(r.Request, sols, cfg), nil
}
