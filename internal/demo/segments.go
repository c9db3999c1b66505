package demo

import (
	"context"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/segment"
)

// demoSegments are what a marketing team keeps an eye on: who is
// looking at prices, who is waiting to be nurtured, and the warm leads
// of the European market, which the first is a part of.
var demoSegments = []segment.Segment{
	{Name: "Looking at pricing", Description: "Visited the pricing page at least twice in the last 30 days and is not yet with sales.",
		Conditions: []segment.Condition{
			{Field: segment.FEvent, Op: segment.AtLeast, EventType: "pricing_page_view", Count: 2, Days: 30},
			{Field: "stage", Op: segment.In, Values: []string{"subscriber", "lead", "mql", "nurturing"}},
		}},
	{Name: "Nurture with consent", Description: "Cold leads and leads sent back to nurturing who agreed to marketing email.",
		Conditions: []segment.Condition{
			{Field: "stage", Op: segment.In, Values: []string{"lead", "nurturing"}},
			{Field: segment.FGrade, Op: segment.In, Values: []string{"cold"}},
			{Field: "consent", Op: segment.Is, Value: "true"},
		}},
	{Name: "Warm Europe", Description: "Hot or warm leads in Europe.",
		Conditions: []segment.Condition{
			{Field: segment.FGrade, Op: segment.In, Values: []string{"hot", "warm"}},
			{Field: "country", Op: segment.In, Values: []string{"RO", "IT", "NO", "DE", "FR", "ES", "GB", "NL", "SE", "PL"}},
		}},
}

// seedSegments saves the demo segments as the marketing user and fills
// them, so their counts show at once.
func seedSegments(ctx context.Context, segs *segment.Service, marketing access.Actor) error {
	if segs == nil {
		return nil
	}
	for _, s := range demoSegments {
		if _, err := segs.Create(ctx, marketing, s); err != nil {
			return fmt.Errorf("demo: segment %s: %w", s.Name, err)
		}
	}
	_, err := segs.Sync(ctx)
	return err
}
