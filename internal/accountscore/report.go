package accountscore

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// TierRow is one tier's line of the account report; Tier 0 is the
// accounts with no tier.
type TierRow struct {
	Tier     int
	Accounts int
	Engaged  int              // accounts whose people did something in the window
	Pipeline map[string]int64 // open deals' amounts by currency
	Won      map[string]int64 // won deals' amounts by currency
}

// FirstTouch is a target account's time from its first touch (the
// earliest event or lead of its people) to its first opportunity.
type FirstTouch struct {
	AccountID int64
	Name      string
	Tier      int
	Touch     time.Time
	Days      float64 // -1 while it has no opportunity
}

// Report is the account report.
type Report struct {
	Since   time.Time
	Tiers   []TierRow // 1, 2, 3, then none
	Targets []FirstTouch
}

// AccountReport computes the report; engagement counts events since
// since. It holds aggregates only, which every role may see.
func (s *Service) AccountReport(ctx context.Context, since time.Time) (Report, error) {
	rep := Report{Since: since}
	rows := map[int]*TierRow{}
	for _, t := range []int{1, 2, 3, 0} {
		rows[t] = &TierRow{Tier: t, Pipeline: map[string]int64{}, Won: map[string]int64{}}
	}
	q := s.db.R
	r, err := q.Query(ctx, `SELECT COALESCE(a.tier, 0), COUNT(*),
		SUM(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.occurred_at >= ? AND e.lead_id IN (
			SELECT id FROM leads WHERE account_id = a.id
			UNION SELECT lead_id FROM account_links WHERE account_id = a.id AND undone_at IS NULL)) THEN 1 ELSE 0 END)
		FROM accounts a GROUP BY COALESCE(a.tier, 0)`, since.UnixMilli())
	if err != nil {
		return rep, fmt.Errorf("accountscore: report: %w", err)
	}
	for r.Next() {
		var tier, n, engaged int
		if err := r.Scan(&tier, &n, &engaged); err != nil {
			r.Close()
			return rep, fmt.Errorf("accountscore: report: %w", err)
		}
		if row, ok := rows[tier]; ok {
			row.Accounts, row.Engaged = n, engaged
		}
	}
	r.Close()
	r, err = q.Query(ctx, `SELECT COALESCE(a.tier, 0), p.outcome, o.currency, SUM(o.amount)
		FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN pipeline_stages p ON p.key = o.stage
		WHERE o.amount IS NOT NULL AND p.outcome IN ('open', 'won')
		GROUP BY COALESCE(a.tier, 0), p.outcome, o.currency`)
	if err != nil {
		return rep, fmt.Errorf("accountscore: report: %w", err)
	}
	for r.Next() {
		var tier int
		var outcome, currency string
		var sum int64
		if err := r.Scan(&tier, &outcome, &currency, &sum); err != nil {
			r.Close()
			return rep, fmt.Errorf("accountscore: report: %w", err)
		}
		if row, ok := rows[tier]; ok {
			if outcome == "won" {
				row.Won[currency] += sum
			} else {
				row.Pipeline[currency] += sum
			}
		}
	}
	r.Close()
	for _, t := range []int{1, 2, 3, 0} {
		rep.Tiers = append(rep.Tiers, *rows[t])
	}
	// A target account's first touch: the earliest of its people's
	// arrivals and events.
	r, err = q.Query(ctx, `SELECT a.id, a.name, a.tier,
		(SELECT MIN(t) FROM (
			SELECT l.created_at AS t FROM leads l WHERE l.id IN (SELECT id FROM leads WHERE account_id = a.id
				UNION SELECT lead_id FROM account_links WHERE account_id = a.id AND undone_at IS NULL)
			UNION ALL
			SELECT e.occurred_at FROM events e WHERE e.lead_id IN (SELECT id FROM leads WHERE account_id = a.id
				UNION SELECT lead_id FROM account_links WHERE account_id = a.id AND undone_at IS NULL)) touches),
		(SELECT MIN(o.created_at) FROM opportunities o WHERE o.account_id = a.id)
		FROM accounts a WHERE a.tier IS NOT NULL ORDER BY a.tier, a.name_sort, a.id LIMIT 500`)
	if err != nil {
		return rep, fmt.Errorf("accountscore: first touches: %w", err)
	}
	defer r.Close()
	for r.Next() {
		var ft FirstTouch
		var touch, opp *int64
		if err := r.Scan(&ft.AccountID, &ft.Name, &ft.Tier, &touch, &opp); err != nil {
			return rep, fmt.Errorf("accountscore: first touches: %w", err)
		}
		if touch == nil {
			continue // nobody from it has arrived yet
		}
		ft.Touch, ft.Days = time.UnixMilli(*touch).UTC(), -1
		if opp != nil {
			ft.Days = max(0, float64(*opp-*touch)/float64(24*time.Hour/time.Millisecond))
		}
		rep.Targets = append(rep.Targets, ft)
	}
	slices.SortStableFunc(rep.Targets, func(a, b FirstTouch) int { return a.Tier - b.Tier })
	return rep, r.Err()
}
