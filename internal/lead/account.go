package lead

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/assign"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/notify"
	"leadflow/internal/sqldb"
)

// KindAccount is the timeline entry of a lead linked to an existing
// account, or of that link undone.
const KindAccount = "account"

// NoticeAccountLead is the notice an account's owner gets when a new
// lead from that company arrives.
const NoticeAccountLead = notify.AccountLead

// candidateOf is what a lead's account is looked up by.
func candidateOf(l Lead) accountmatch.Candidate {
	return accountmatch.Candidate{Email: l.Email, Website: l.Website, Company: l.Company}
}

// linkAccount links new lead l to m, the account its company already is
// (when found), says so on its timeline and tells the account's owner.
// ok is false when none matched.

func linkAccount(ctx context.Context, tx *sqldb.Tx, l Lead, m accountmatch.Match, found bool, now time.Time) (ok bool, err error) {
	if !found {
		return false, nil
	}
	if saved, err := accountmatch.Save(ctx, tx, l.ID, m, now); err != nil || !saved {
		return false, err
	}
	c := Change{LeadID: l.ID, At: now, Kind: KindAccount, Detail: map[string][2]string{"account": {"", m.AccountName}},
		Reason: "matched on " + accountmatch.Describe(m.By, m.Value)}
	if err := insertChange(ctx, tx, c, 0); err != nil {
		return false, err
	}
	if err := audit.Record(ctx, tx, access.System, "lead.account_link", "lead", l.ID,
		map[string]any{"account_id": m.AccountID, "matched_by": m.By}); err != nil {
		return false, err
	}
	return true, notify.Add(ctx, tx, notify.Note{UserID: m.OwnerID, Kind: NoticeAccountLead, At: now,
		Args:   noticeArgs(l, "Account", m.AccountName),
		Link:   leadLink(l.ID),
		Dedupe: "account_lead:" + strconv.FormatInt(l.ID, 10)})
}

// routeToAccountOwner gives l, new and still without an owner, to the
// owner of the account it was linked to, when the assignment settings
// say so and that owner may take leads. It reports whether it did.
func routeToAccountOwner(ctx context.Context, tx *sqldb.Tx, l *Lead, m accountmatch.Match, st assign.Settings, now time.Time) (bool, error) {
	if !st.AccountOwner || l.OwnerID != 0 || m.OwnerID == 0 || m.OwnerDisabled {
		return false, nil
	}
	l.OwnerID, l.OwnerEmail = m.OwnerID, m.OwnerEmail
	setDue(l, st, now)
	_, err := tx.Exec(ctx, `UPDATE leads SET owner_id = ?, contact_due_at = ?, contacted_at = NULL, version = version + 1 WHERE id = ?`,
		l.OwnerID, millis(l.ContactDueAt), l.ID)
	if err != nil {
		return false, fmt.Errorf("lead store: route %d to account owner: %w", l.ID, err)
	}
	l.Version++
	c := Change{LeadID: l.ID, At: now, Kind: KindOwner, Detail: map[string][2]string{FOwner: {"", l.OwnerEmail}},
		Reason: "owner of account " + m.AccountName}
	return true, insertChange(ctx, tx, c, 0)
}

// AccountLink returns the account link of lead id, if a may see the
// lead; ok is false when it was never linked.
func (s *Service) AccountLink(ctx context.Context, a access.Actor, id int64) (link accountmatch.Link, ok bool, err error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return link, false, err
	}
	return accountmatch.Of(ctx, s.db.R, id)
}

// UnlinkAccount undoes the link of lead id to its account: the lead no
// longer shows on the account, and arriving again does not link it anew.
// Who may edit the lead may undo it.
func (s *Service) UnlinkAccount(ctx context.Context, a access.Actor, id int64) (accountmatch.Link, error) {
	var out accountmatch.Link
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := lockVisibleLead(ctx, tx, a, id); err != nil {
			return err
		}
		link, ok, err := accountmatch.Of(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok || link.UndoneAt != nil {
			return fault.Errorf(fault.Conflict, "lead %d is not linked to an account", id)
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		if _, err := accountmatch.Undo(ctx, tx, id, a.ID, now); err != nil {
			return err
		}
		c := Change{LeadID: id, At: now, Kind: KindAccount, Detail: map[string][2]string{"account": {link.AccountName, ""}},
			Reason: "link undone"}
		if err := insertChange(ctx, tx, c, a.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.account_unlink", "lead", id, map[string]any{"account_id": link.AccountID}); err != nil {
			return err
		}
		link.UndoneAt, link.UndoneBy = &now, a.Email
		out = link
		return nil
	})
	return out, err
}
