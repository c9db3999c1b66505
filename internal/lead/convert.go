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

// KindConverted is the timeline entry of a lead's conversion.
const KindConverted = "converted"

// Converter creates, inside the conversion's transaction, what lead l
// becomes, given its BANT qualification q (nil when it has none): it
// returns the ids (no opportunity: 0) and, for the timeline, a line on
// each record.
type Converter func(tx *sqldb.Tx, l Lead, q *BANT) (c Conversion, detail map[string][2]string, err error)

// Convert turns qualified lead id into what make creates, once: the lead
// is marked converted and links to its account, contact and opportunity,
// and opening an opportunity moves it to the opportunity stage. A lead
// already converted is refused, even when two conversions race.
func (s *Service) Convert(ctx context.Context, a access.Actor, id int64, make Converter) (Lead, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var out Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := lockVisibleLead(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := convertible(l); err != nil {
			return err
		}
		// The guard and the claim are one statement: of two conversions
		// at once, only one finds the lead unconverted.
		res, err := tx.Exec(ctx, `UPDATE leads SET converted_at = ?, version = version + 1 WHERE id = ? AND converted_at IS NULL`, now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("lead store: convert %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fault.Errorf(fault.Conflict, "lead %d was converted already", id)
		}
		q, err := qualificationOf(ctx, tx, id)
		if err != nil {
			return err
		}
		c, detail, err := make(tx, l, q)
		if err != nil {
			return err
		}
		c.At = &now
		old := l.Stage
		l.Converted, l.UpdatedAt = c, now
		if c.OpportunityID != 0 && l.Stage == SQL {
			l.Stage = Opportunity
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET account_id = ?, contact_id = ?, opportunity_id = ?, stage = ?, updated_at = ?,
			version = version + 1 WHERE id = ?`,
			c.AccountID, c.ContactID, idOrNull(c.OpportunityID), string(l.Stage), now.UnixMilli(), id); err != nil {
			return fmt.Errorf("lead store: convert %d: %w", id, err)
		}
		l.Version += 2 // the claim and this
		if err := insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: KindConverted, Detail: detail}, a.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.convert", "lead", id, map[string]int64{"account_id": c.AccountID, "contact_id": c.ContactID, "opportunity_id": c.OpportunityID}); err != nil {
			return err
		}
		if l.Stage != old {
			sc := Change{LeadID: id, At: now, Kind: KindStage, Detail: map[string][2]string{FStage: {string(old), string(l.Stage)}},
				Reason: "converted with an opportunity"}
			if err := insertChange(ctx, tx, sc, a.ID); err != nil {
				return err
			}
		}
		out = l
		return nil
	})
	return out, err
}

// convertible says why l cannot be converted, or nil.
func convertible(l Lead) error {
	if l.Converted.At != nil {
		return &fault.Error{Code: fault.Conflict, Message: "this lead was converted on " + l.Converted.At.Format(time.DateOnly) +
			" into account " + strconv.FormatInt(l.Converted.AccountID, 10) + "; it cannot be converted twice"}
	}
	if l.Stage != SQL && l.Stage != Opportunity {
		return &fault.Error{Code: fault.Conflict, Message: "only a qualified lead (SQL) can be converted; qualify it with BANT first",
			Fields: map[string]string{FStage: "is " + string(l.Stage) + ", not sql"}}
	}
	return nil
}

// CanConvert reports whether l may be converted now.
func CanConvert(l Lead) bool { return convertible(l) == nil }

// BecomeCustomers moves the leads that became contact contactID to the
// customer stage, inside tx: their deal was won. It refuses, changing
// none, when a may not change one of them.
func (s *Service) BecomeCustomers(ctx context.Context, tx *sqldb.Tx, a access.Actor, contactID int64, reason string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	rows, err := tx.Query(ctx, `SELECT id, stage, COALESCE(owner_id, 0) FROM leads WHERE contact_id = ? AND stage <> ? ORDER BY id`+tx.ForUpdate(),
		contactID, string(Customer))
	if err != nil {
		return fmt.Errorf("lead store: leads of contact %d: %w", contactID, err)
	}
	type move struct {
		id    int64
		stage string
	}
	var moves []move
	for rows.Next() {
		var m move
		var owner int64
		if err := rows.Scan(&m.id, &m.stage, &owner); err != nil {
			rows.Close()
			return err
		}
		if !a.CanSeeLead(owner) {
			rows.Close()
			// Not by its id: the actor may not see this lead.
			return fault.Errorf(fault.Forbidden, "a lead of the contact belongs to another sales user: its owner or an admin can close the deal as won")
		}
		moves = append(moves, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range moves {
		if _, err := tx.Exec(ctx, `UPDATE leads SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			string(Customer), now.UnixMilli(), m.id); err != nil {
			return fmt.Errorf("lead store: customer %d: %w", m.id, err)
		}
		c := Change{LeadID: m.id, At: now, Kind: KindStage, Detail: map[string][2]string{FStage: {m.stage, string(Customer)}}, Reason: reason}
		if err := insertChange(ctx, tx, c, a.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.update", "lead", m.id, map[string]any{"fields": []string{FStage}, "contact_id": contactID}); err != nil {
			return err
		}
	}
	return nil
}

// accountLeads reads the leads converted into an account.
const accountLeads = `SELECT ` + columns + fromLeads + ` WHERE l.account_id = ?`

// ConvertedInto lists the leads converted into account accountID that a
// may see.
func (s *Service) ConvertedInto(ctx context.Context, a access.Actor, accountID int64) ([]Lead, error) {
	query := accountLeads
	args := []any{accountID}
	if !a.SeesAllLeads() {
		query += ` AND (l.owner_id = ? OR l.owner_id IS NULL)`
		args = append(args, a.ID)
	}
	out, err := queryLeads(ctx, s.db.R, query+` ORDER BY l.converted_at DESC, l.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("lead store: leads of account %d: %w", accountID, err)
	}
	return out, nil
}
