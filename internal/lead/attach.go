package lead

import (
	"context"
	"time"

	"leadflow/internal/access"
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
