package accountscore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/nurture"
	"leadflow/internal/sqldb"
)

// Targets names the accounts whose people a sequence takes: the members
// of an account segment, the target accounts of a tier, or one account;
// the first one set wins.
type Targets struct {
	SegmentID int64
	Tier      int
	AccountID int64
}

// EnrolTargets puts the people (converted and linked leads) of the
// accounts t names into sequence sequenceID: account-based nurturing.
// Consent is the sequence's own rule: a person without it is enrolled but
// sent nothing. Who may enrol leads (admin, marketing) may. It returns
// how many were newly enrolled.
func (s *Service) EnrolTargets(ctx context.Context, a access.Actor, nur *nurture.Service, sequenceID int64, t Targets) (int, error) {
	if err := nurture.MayManage(a); err != nil {
		return 0, err
	}
	var accounts string
	var arg any
	switch {
	case t.SegmentID != 0:
		var kind string
		err := s.db.R.QueryRow(ctx, `SELECT kind FROM segments WHERE id = ?`, t.SegmentID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != "accounts") {
			return 0, &fault.Error{Code: fault.Invalid, Message: "bad segment", Fields: map[string]string{"segment_id": "must be an account segment"}}
		}
		if err != nil {
			return 0, fmt.Errorf("accountscore: segment %d: %w", t.SegmentID, err)
		}
		accounts, arg = `SELECT account_id FROM account_segment_members WHERE segment_id = ?`, t.SegmentID
	case t.AccountID != 0:
		accounts, arg = `SELECT id FROM accounts WHERE id = ?`, t.AccountID
	case t.Tier >= 1 && t.Tier <= 3:
		accounts, arg = `SELECT id FROM accounts WHERE tier = ?`, t.Tier
	default:
		return 0, &fault.Error{Code: fault.Invalid, Message: "bad tier", Fields: map[string]string{"tier": "must be 1, 2 or 3"}}
	}
	ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT id FROM leads WHERE account_id IN (`+accounts+`)
		UNION SELECT lead_id FROM account_links WHERE undone_at IS NULL AND account_id IN (`+accounts+`) ORDER BY 1`,
		arg, arg)
	if err != nil {
		return 0, fmt.Errorf("accountscore: people of targets: %w", err)
	}
	n := 0
	for _, id := range ids {
		_, created, err := nur.Enrol(ctx, a, sequenceID, id, "target account")
		if err != nil {
			return n, err
		}
		if created {
			n++
		}
	}
	return n, nil
}
