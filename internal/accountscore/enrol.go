package accountscore

import (
	"context"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/nurture"
	"leadflow/internal/sqldb"
)

// EnrolTargets puts the people of the target accounts of tier (1, 2 or
// 3; or of one account when accountID is set) into sequence sequenceID:
// account-based nurturing. Consent is the sequence's own rule: a person
// without it is enrolled but sent nothing. Who may enrol leads (admin,
// marketing) may. It returns how many were
// newly enrolled.
func (s *Service) EnrolTargets(ctx context.Context, a access.Actor, nur *nurture.Service, sequenceID int64, tier int, accountID int64) (int, error) {
	if err := nurture.MayManage(a); err != nil {
		return 0, err
	}
	cond, arg := "a.tier = ?", any(tier)
	if accountID != 0 {
		cond, arg = "a.id = ?", accountID
	} else if tier < 1 || tier > 3 {
		return 0, &fault.Error{Code: fault.Invalid, Message: "bad tier", Fields: map[string]string{"tier": "must be 1, 2 or 3"}}
	}
	ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT l.id FROM leads l JOIN accounts a ON a.id = l.account_id WHERE `+cond+`
		UNION SELECT k.lead_id FROM account_links k JOIN accounts a ON a.id = k.account_id WHERE k.undone_at IS NULL AND `+cond,
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
