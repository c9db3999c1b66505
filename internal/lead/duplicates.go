package lead

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Pair is two leads that are probably one person, and why.
type Pair struct {
	A, B   Lead
	Reason string // "same phone" or "same name and company"
}

// Probable duplicates are found by rules that a different email cannot
// hide: the same phone number, or the same full name at the same company.
const (
	ReasonPhone       = "same phone"
	ReasonNameCompany = "same name and company"
)

// ProbableDuplicates lists up to limit pairs of leads that are probably
// one person, newest pairs first.
func (s *Service) ProbableDuplicates(ctx context.Context, a access.Actor, limit int) ([]Pair, error) {
	if !a.CanDeleteLeads() {
		return nil, fault.Errorf(fault.Forbidden, "only admin and marketing users review duplicates")
	}
	rows, err := s.db.R.Query(ctx, `
		SELECT a.id, b.id, 'phone' FROM leads a JOIN leads b ON b.phone = a.phone AND b.id > a.id
		WHERE a.phone <> ''
		UNION
		SELECT a.id, b.id, 'name' FROM leads a JOIN leads b
			ON lower(b.last_name) = lower(a.last_name) AND lower(b.first_name) = lower(a.first_name) AND b.id > a.id
		WHERE a.last_name <> '' AND a.company <> '' AND lower(b.company) = lower(a.company)
		ORDER BY 2 DESC, 1 DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("lead store: duplicates: %w", err)
	}
	type ids struct {
		a, b int64
		why  string
	}
	var found []ids
	for rows.Next() {
		var p ids
		if err := rows.Scan(&p.a, &p.b, &p.why); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	seen := map[[2]int64]bool{}
	var out []Pair
	for _, p := range found {
		if seen[[2]int64{p.a, p.b}] {
			continue // both rules matched; the phone says it first
		}
		seen[[2]int64{p.a, p.b}] = true
		la, err := getLead(ctx, s.db.R, p.a)
		if err != nil {
			return nil, err
		}
		lb, err := getLead(ctx, s.db.R, p.b)
		if err != nil {
			return nil, err
		}
		reason := ReasonPhone
		if p.why == "name" {
			reason = ReasonNameCompany
		}
		out = append(out, Pair{A: la, B: lb, Reason: reason})
	}
	return out, nil
}

// KindMerged is the timeline entry of a lead that absorbed another.
const KindMerged = "merged"

// Merge folds lead otherID into survivorID: the survivor keeps its values,
// fills its empty fields from the other, records where they disagreed,
// takes over the other's timeline, events and submissions, and the other
// is deleted.
func (s *Service) Merge(ctx context.Context, a access.Actor, survivorID, otherID int64) (Lead, error) {
	if !a.CanDeleteLeads() {
		return Lead{}, fault.Errorf(fault.Forbidden, "only admin and marketing users merge leads")
	}
	if survivorID == otherID {
		return Lead{}, &fault.Error{Code: fault.Invalid, Message: "a lead cannot be merged into itself",
			Fields: map[string]string{"other_id": "must be another lead"}}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var merged Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		survivor, other, err := lockPair(ctx, tx, survivorID, otherID)
		if err != nil {
			return err
		}
		m, filled, conflicts := Merge(survivor, other, other.Values(), now)
		m.UpdatedAt = now
		if other.CreatedAt.Before(m.CreatedAt) {
			m.CreatedAt = other.CreatedAt // the person was known since the earlier record
		}
		if err := moveHistory(ctx, tx, otherID, survivorID); err != nil {
			return err
		}
		if err := deleteLead(ctx, tx, otherID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.merge", "lead", survivorID, map[string]any{"merged_lead": otherID, "filled": audit.Fields(filled)}); err != nil {
			return err
		}
		if err := updateLead(ctx, tx, &m); err != nil {
			return err
		}
		detail := map[string][2]string{"merged_lead": {strconv.FormatInt(otherID, 10), other.Email}}
		for f, d := range filled {
			detail[f] = d
		}
		if err := insertChange(ctx, tx, Change{LeadID: survivorID, At: now, Kind: KindMerged, Detail: detail}, a.ID); err != nil {
			return err
		}
		if len(conflicts) > 0 {
			c := Change{LeadID: survivorID, At: now, Kind: KindConflict, Detail: conflicts, Reason: "merge of lead " + strconv.FormatInt(otherID, 10)}
			if err := insertChange(ctx, tx, c, a.ID); err != nil {
				return err
			}
		}
		if err := s.rescoreTx(ctx, tx, &m, "merge of lead "+strconv.FormatInt(otherID, 10), now); err != nil {
			return err
		}
		merged = m
		return nil
	})
	return merged, err
}

// lockPair reads and locks leads a and b, the lower id first, so two
// merges of the same pair at once wait for each other instead of each
// holding the lock the other needs.
func lockPair(ctx context.Context, tx *sqldb.Tx, a, b int64) (la, lb Lead, err error) {
	first, second := &la, &lb
	if b < a {
		first, second, a, b = &lb, &la, b, a
	}
	if *first, err = lockLead(ctx, tx, a); err != nil {
		return la, lb, err
	}
	*second, err = lockLead(ctx, tx, b)
	return la, lb, err
}

// moveHistory gives lead from's timeline, events, submissions, consent
// history and email to lead to.
func moveHistory(ctx context.Context, tx *sqldb.Tx, from, to int64) error {
	for _, table := range []string{"lead_changes", "events", "submissions", "consent_records", "mail_outbox"} {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET lead_id = ? WHERE lead_id = ?`, to, from); err != nil {
			return fmt.Errorf("lead store: merge %s: %w", table, err)
		}
	}
	return nil
}
