package lead

import (
	"context"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/assign"
	"leadflow/internal/sqldb"
)

// KindContacted is the timeline entry of the owner's first contact.
const KindContacted = "contacted"

// Assignment returns the store of assignment rules the service assigns by.
func (s *Service) Assignment() *assign.Store { return s.assigner }

func subjectOf(l Lead) assign.Subject {
	return assign.Subject{Country: l.Country, Industry: l.Industry, Employees: l.Employees, Grade: string(l.Grade)}
}

// newAssignment is what assigning a new lead reads: the settings, and
// the account its company already is (m, when found).
type newAssignment struct {
	st    assign.Settings
	m     accountmatch.Match
	found bool
}

// readAssignment reads a new lead's newAssignment before the lead is
// written, so that on PostgreSQL the lead's writes go together (see
// sqldb.Tx.Later).
func (s *Service) readAssignment(ctx context.Context, tx *sqldb.Tx, l Lead) (na newAssignment, err error) {
	if na.st, err = s.assigner.SettingsIn(ctx, tx); err != nil {
		return na, err
	}
	na.m, na.found, err = accountmatch.Find(ctx, tx, candidateOf(l))
	return na, err
}

// assignNew runs once a new lead is stored and scored: it is linked to
// the account its company already is, if any; a lead that came with an
// owner gets its first-contact deadline; one without goes to the
// account's owner when the settings say so, else to whoever the rules
// pick.
func (s *Service) assignNew(ctx context.Context, tx *sqldb.Tx, l *Lead, na newAssignment, now time.Time) error {
	return s.assignFound(ctx, tx, l, na.st, na.m, na.found, now)
}

// assignFound is assignNew once l's account was looked up: m, when found.
func (s *Service) assignFound(ctx context.Context, tx *sqldb.Tx, l *Lead, st assign.Settings, m accountmatch.Match, found bool, now time.Time) error {
	linked, err := linkAccount(ctx, tx, *l, m, found, now)
	if err != nil {
		return err
	}
	if linked {
		if routed, err := routeToAccountOwner(ctx, tx, l, m, st, now); err != nil || routed {
			return err
		}
	}
	if l.OwnerID != 0 {
		due := st.Due(string(l.Grade), now)
		l.ContactDueAt = &due
		if _, err := tx.Exec(ctx, `UPDATE leads SET contact_due_at = ?, version = version + 1 WHERE id = ?`, due.UnixMilli(), l.ID); err != nil {
			return fmt.Errorf("lead store: contact due %d: %w", l.ID, err)
		}
		l.Version++
		return nil
	}
	return s.autoAssign(ctx, tx, l, assign.New, st, now)
}

// assignQualified gives a lead that just became an SQL to the sales
// user the rules for qualified leads pick, if one does.
func (s *Service) assignQualified(ctx context.Context, tx *sqldb.Tx, l *Lead, now time.Time) error {
	st, err := s.assigner.SettingsIn(ctx, tx)
	if err != nil {
		return err
	}
	return s.autoAssign(ctx, tx, l, assign.Qualified, st, now)
}

func (s *Service) autoAssign(ctx context.Context, tx *sqldb.Tx, l *Lead, w assign.When, st assign.Settings, now time.Time) error {
	d, ok, err := s.assigner.Pick(ctx, tx, w, subjectOf(*l))
	if err != nil || !ok || d.Owner.ID == l.OwnerID {
		return err
	}
	old := l.OwnerEmail
	l.OwnerID, l.OwnerEmail = d.Owner.ID, d.Owner.Email
	setDue(l, st, now)
	_, err = tx.Exec(ctx, `UPDATE leads SET owner_id = ?, contact_due_at = ?, contacted_at = NULL, version = version + 1 WHERE id = ?`,
		l.OwnerID, millis(l.ContactDueAt), l.ID)
	if err != nil {
		return fmt.Errorf("lead store: assign %d: %w", l.ID, err)
	}
	l.Version++
	c := Change{LeadID: l.ID, At: now, Kind: KindOwner, Detail: map[string][2]string{FOwner: {old, l.OwnerEmail}}, Reason: d.Why}
	return insertChange(ctx, tx, c, 0)
}

// setDue starts the first-contact clock of a lead that just changed
// owner: the new owner has not contacted it yet.
func setDue(l *Lead, st assign.Settings, now time.Time) {
	l.ContactedAt = nil
	if l.OwnerID == 0 {
		l.ContactDueAt = nil
		return
	}
	due := st.Due(string(l.Grade), now)
	l.ContactDueAt = &due
}

// MarkContacted records the owner's first contact with lead id, which
// stops its first-contact clock. A second call changes nothing.
func (s *Service) MarkContacted(ctx context.Context, a access.Actor, id int64) (Lead, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var out Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := lockVisibleLead(ctx, tx, a, id)
		if err != nil {
			return err
		}
		out = l
		if l.ContactedAt != nil {
			return nil
		}
		return markContacted(ctx, tx, &out, a.ID, now, "first contact logged")
	})
	return out, err
}

// FirstContactIn records, inside tx, that a made the first contact with
// lead id at now by what (an activity it completed), stopping the lead's
// first-contact clock; a lead contacted before is left as it is.
func (s *Service) FirstContactIn(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64, now time.Time, what string) error {
	l, err := lockVisibleLead(ctx, tx, a, id)
	if err != nil || l.ContactedAt != nil {
		return err
	}
	return markContacted(ctx, tx, &l, a.ID, now, "first contact: "+what)
}

func markContacted(ctx context.Context, tx *sqldb.Tx, l *Lead, actorID int64, now time.Time, reason string) error {
	l.ContactedAt = &now
	if _, err := tx.Exec(ctx, `UPDATE leads SET contacted_at = ?, version = version + 1 WHERE id = ?`, now.UnixMilli(), l.ID); err != nil {
		return fmt.Errorf("lead store: contacted %d: %w", l.ID, err)
	}
	l.Version++
	if l.ContactDueAt != nil && now.After(*l.ContactDueAt) {
		reason += ", " + now.Sub(*l.ContactDueAt).Round(time.Minute).String() + " after it was due"
	}
	return insertChange(ctx, tx, Change{LeadID: l.ID, At: now, Kind: KindContacted, Reason: reason}, actorID)
}
