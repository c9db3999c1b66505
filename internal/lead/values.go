package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// ValueReview is data that arrived for a known email with values that
// differ from the lead's: both are kept, field by field, until a reviewer
// picks the one to keep.
type ValueReview struct {
	ID        int64
	Lead      Lead
	Values    map[string][2]string // field -> [kept, offered]
	Reason    string               // where the offered values came from
	ArrivedAt time.Time
}

// Fields are the review's fields in a stable order, for pages.
func (v ValueReview) Fields() []string { return sortedKeys(v.Values) }

// visitFields describe a visit, not the person: a later visit's campaign
// differing from the first is news for the timeline, not for a reviewer.
var visitFields = map[string]bool{FSource: true, FUTMSource: true, FUTMMedium: true, FUTMCampaign: true}

// aboutThePerson leaves out of conflicts the fields that describe a visit.
func aboutThePerson(conflicts map[string][2]string) map[string][2]string {
	out := map[string][2]string{}
	for f, v := range conflicts {
		if !visitFields[f] {
			out[f] = v
		}
	}
	return out
}

// queueValues keeps the differing values that arrived for a known lead.
func queueValues(ctx context.Context, tx *sqldb.Tx, leadID int64, conflicts map[string][2]string, reason string, now time.Time) error {
	b, _ := json.Marshal(conflicts) // a map of strings always marshals
	if _, err := tx.Exec(ctx, `INSERT INTO value_reviews (lead_id, detail, reason, arrived_at) VALUES (?, ?, ?, ?)`,
		leadID, string(b), reason, now.UnixMilli()); err != nil {
		return fmt.Errorf("lead store: queue differing values of %d: %w", leadID, err)
	}
	return nil
}

// ValueReviewPage is one page of the differing values waiting for review.
type ValueReviewPage struct {
	Reviews []ValueReview
	Total   int
	Next    string // cursor of the next page; "" on the last
}

// ValueReviews lists the differing values waiting for a reviewer, oldest
// first, limit at a time (1 to 200) after cursor.
func (s *Service) ValueReviews(ctx context.Context, a access.Actor, cursor string, limit int) (ValueReviewPage, error) {
	if !a.CanDeleteLeads() {
		return ValueReviewPage{}, fault.Errorf(fault.Forbidden, "only admin and marketing users review duplicates")
	}
	bad := fault.Fields{}
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 200 {
		bad.Add("limit", "must be between 1 and 200")
	}
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			bad.Add("cursor", "must be a next_cursor this list gave")
		}
		after = n
	}
	if err := bad.Err(); err != nil {
		return ValueReviewPage{}, err
	}
	var p ValueReviewPage
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM value_reviews WHERE resolved_at IS NULL`).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("lead store: count value reviews: %w", err)
	}
	rows, err := s.db.R.Query(ctx, `SELECT id, lead_id, detail, reason, arrived_at FROM value_reviews
		WHERE resolved_at IS NULL AND id > ? ORDER BY id LIMIT ?`, after, limit+1)
	if err != nil {
		return p, fmt.Errorf("lead store: value reviews: %w", err)
	}
	var leadIDs []int64
	for rows.Next() {
		var v ValueReview
		var detail string
		var at int64
		if err := rows.Scan(&v.ID, &v.Lead.ID, &detail, &v.Reason, &at); err != nil {
			rows.Close()
			return p, err
		}
		json.Unmarshal([]byte(detail), &v.Values)
		v.ArrivedAt = time.UnixMilli(at).UTC()
		p.Reviews = append(p.Reviews, v)
		leadIDs = append(leadIDs, v.Lead.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	if len(p.Reviews) > limit {
		p.Reviews = p.Reviews[:limit]
		p.Next = strconv.FormatInt(p.Reviews[limit-1].ID, 10)
	}
	for i := range p.Reviews {
		if p.Reviews[i].Lead, err = getLead(ctx, s.db.R, p.Reviews[i].Lead.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Keep and Take are a reviewer's choices for one field of a value review:
// keep the lead's value, or take the one offered.
const (
	Keep = "kept"
	Take = "offered"
)

// ResolveValues closes value review id: for each field pick says Keep or
// Take (a field not named keeps the lead's value). Offered values taken
// replace the lead's, on its timeline with the reviewer's name.
func (s *Service) ResolveValues(ctx context.Context, a access.Actor, id int64, pick map[string]string) (Lead, error) {
	if !a.CanDeleteLeads() {
		return Lead{}, fault.Errorf(fault.Forbidden, "only admin and marketing users review duplicates")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var out Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var leadID int64
		var detail string
		var resolved sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT lead_id, detail, resolved_at FROM value_reviews WHERE id = ?`+tx.ForUpdate(), id).Scan(&leadID, &detail, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "value review %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("lead store: value review %d: %w", id, err)
		}
		if resolved.Valid {
			return fault.Errorf(fault.Conflict, "these values were reviewed already")
		}
		var values map[string][2]string
		json.Unmarshal([]byte(detail), &values)
		bad := fault.Fields{}
		take := Changes{}
		for f, choice := range pick {
			v, ok := values[f]
			switch {
			case !ok:
				bad.Add("pick."+f, "is not a field of this review")
			case choice == Take:
				take[f] = v[1]
			case choice != Keep:
				bad.Add("pick."+f, "must be kept or offered")
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		l, err := lockLead(ctx, tx, leadID)
		if err != nil {
			return err
		}
		if len(take) > 0 {
			before := l
			var bad fault.Fields
			if l, bad = Apply(l, take, now); bad.Err() != nil {
				return bad.Err()
			}
			l.UpdatedAt = now
			if err := updateLead(ctx, tx, &l); err != nil {
				return err
			}
			if d := Diff(before, l); len(d) > 0 {
				if err := insertChange(ctx, tx, Change{LeadID: l.ID, At: now, Kind: KindUpdated, Detail: d, Reason: "values chosen in review"}, a.ID); err != nil {
					return err
				}
			}
			if err := s.rescoreTx(ctx, tx, &l, "values chosen in review", now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE value_reviews SET resolved_at = ?, resolved_by = ? WHERE id = ?`, now.UnixMilli(), idOrNull(a.ID), id); err != nil {
			return fmt.Errorf("lead store: resolve value review %d: %w", id, err)
		}
		taken := make([]string, 0, len(take))
		for f := range take {
			taken = append(taken, f)
		}
		sort.Strings(taken)
		out = l
		return audit.Record(ctx, tx, a, "lead.values_reviewed", "lead", l.ID, map[string]any{"review": id, "taken": taken})
	})
	return out, err
}
