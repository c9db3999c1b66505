package lead

import (
	"context"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/live"
	"leadflow/internal/sqldb"
)

// Attach runs fn in a transaction that holds lead id locked, after
// checking that a may see it, and records on the lead's timeline an
// entry of kind with reason and detail when fn succeeds, in the same
// transaction. Packages that keep records of their own about a lead (its
// software request, a custom project, a hand-off to vendors) write them
// through it, so the access check and the timeline are never skipped.
func (s *Service) Attach(ctx context.Context, a access.Actor, id int64, kind, reason string, detail map[string][2]string,
	fn func(tx *sqldb.Tx, l Lead) error) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := lockVisibleLead(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := fn(tx, l); err != nil {
			return err
		}
		return insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: kind, Detail: detail, Reason: reason}, a.ID)
	})
}

// RecordIn writes an entry of kind on lead id's timeline inside tx, the
// transaction of a change the caller made and checked access for (a
// conversion's hand-over to an account executive, that executive's
// answer): the entry commits exactly with it.
func (s *Service) RecordIn(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64, kind, reason string, detail map[string][2]string) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: kind, Detail: detail, Reason: reason}, a.ID)
}

// HandOverIn gives lead id to owner (nobody when 0) inside tx, the
// transaction of a hand-over between sales teams that records its own
// timeline entry; when from is not nil, only while *from still owns it
// (nobody when *from is 0: its user was deleted). The first contact was
// made, so no new deadline is set.
func (s *Service) HandOverIn(ctx context.Context, tx *sqldb.Tx, id, owner int64, from *int64) error {
	query, args := `UPDATE leads SET owner_id = ?, version = version + 1 WHERE id = ?`, []any{idOrNull(owner), id}
	switch {
	case from == nil:
	case *from == 0:
		query += ` AND owner_id IS NULL`
	default:
		query, args = query+` AND owner_id = ?`, append(args, *from)
	}
	if _, err := tx.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("lead store: hand over %d: %w", id, err)
	}
	sqldb.Touch(tx, live.Lead(id), live.Leads)
	return nil
}
