package crm

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// ConvertInput says what a lead becomes.
type ConvertInput struct {
	// AccountID picks an existing account; 0 matches one by the lead's
	// website domain (or work email domain), then by company name, and
	// creates it when none matches.
	AccountID int64
	// AccountName names a new account; the lead's company by default.
	AccountName string
	// Opportunity, when not nil, opens a deal; its account and contact
	// are the conversion's.
	Opportunity *OpportunityInput
	// HandoverNote is what the qualifying rep tells the account
	// executive the conversion hands the account to; see Handover.
	HandoverNote string
}

// Converted is what a conversion made.
type Converted struct {
	Lead           lead.Lead
	AccountID      int64
	ContactID      int64
	OpportunityID  int64 // 0 when no deal was opened
	AccountMatched bool  // the account existed already
	// HandoverID is the hand-over to an account executive the
	// conversion made; 0 when none.
	HandoverID int64
}

// Handover, when set, runs inside a conversion's transaction once its
// records exist: it may hand the account, contact and deal to an account
// executive and returns the hand-over's id (0 when it made none). Its
// error undoes the conversion.
type Handover func(ctx context.Context, tx *sqldb.Tx, a access.Actor, l lead.Lead, c Converted, note string) (int64, error)

// Convert turns lead leadID into an account, a contact and, if asked, an
// opportunity, in one transaction: either all exist afterwards and the
// lead links to them, or nothing changed.
func (s *Service) Convert(ctx context.Context, a access.Actor, leadID int64, in ConvertInput) (Converted, error) {
	var out Converted
	l, err := s.leads.Convert(ctx, a, leadID, func(tx *sqldb.Tx, l lead.Lead, q *lead.BANT) (lead.Conversion, map[string][2]string, error) {
		now := s.stamp()
		owner, ownerEmail := l.OwnerID, l.OwnerEmail
		if owner == 0 {
			owner, ownerEmail = a.ID, a.Email
		}
		acc, matched, err := s.accountFor(ctx, tx, l, in, owner)
		if err != nil {
			return lead.Conversion{}, nil, err
		}
		stage := l.Stage
		if in.Opportunity != nil && stage == lead.SQL {
			stage = lead.Opportunity
		}
		c := Contact{AccountID: acc.ID, Email: l.Email, FirstName: l.FirstName, LastName: l.LastName, Phone: l.Phone,
			JobTitle: l.JobTitle, Stage: stage, OwnerID: owner, CreatedAt: now, UpdatedAt: now}
		// The qualification's authority is the contact's part in the
		// buying decision, where it named one.
		if q != nil {
			c.Role = roleOf(q.Authority)
		}
		if c.ID, err = insertContact(ctx, tx, c); err != nil {
			return lead.Conversion{}, nil, err
		}
		if !matched {
			if err := audit.Record(ctx, tx, a, "account.create", "account", acc.ID, map[string]any{"lead_id": l.ID,
				"fields": accountChanges(Account{}, acc)}); err != nil {
				return lead.Conversion{}, nil, err
			}
		}
		if err := audit.Record(ctx, tx, a, "contact.create", "contact", c.ID, map[string]int64{"lead_id": l.ID, "account_id": acc.ID}); err != nil {
			return lead.Conversion{}, nil, err
		}
		accountNote := acc.Name + " (new)"
		if matched {
			accountNote = acc.Name + " (existing)"
		}
		detail := map[string][2]string{"account": {"", accountNote}, "contact": {"", c.Name()}}
		conv := lead.Conversion{AccountID: acc.ID, ContactID: c.ID}
		if in.Opportunity != nil {
			oi := *in.Opportunity
			oi.AccountID, oi.ContactID = acc.ID, c.ID
			if oi.Owner == "" {
				oi.Owner = ownerEmail
			}
			o, err := s.newOpp(ctx, tx, a, oi, now)
			if err != nil {
				return lead.Conversion{}, nil, err
			}
			conv.OpportunityID = o.ID
			detail["opportunity"] = [2]string{"", o.Name}
		}
		out = Converted{AccountID: acc.ID, ContactID: c.ID, OpportunityID: conv.OpportunityID, AccountMatched: matched}
		if s.Handover != nil {
			if out.HandoverID, err = s.Handover(ctx, tx, a, l, out, in.HandoverNote); err != nil {
				return lead.Conversion{}, nil, err
			}
		}
		// A note for an account executive that no one would read is
		// refused rather than dropped: the user decides what to do with it.
		if out.HandoverID == 0 && strings.TrimSpace(in.HandoverNote) != "" {
			return lead.Conversion{}, nil, &fault.Error{Code: fault.Invalid, Message: "the conversion hands nothing over: the note would be lost",
				Fields: map[string]string{"handover_note": "must be empty: this conversion hands nothing over to an account executive (no SDR of a qualifying team qualified the lead, or no AE can take it)"}}
		}
		return conv, detail, nil
	})
	out.Lead = l
	if err == nil && out.HandoverID != 0 {
		// The hand-over gave the lead to the account executive.
		if l, gerr := s.leads.Get(ctx, access.System, leadID); gerr == nil {
			out.Lead = l
		}
	}
	return out, err
}

// accountFor finds or creates the account lead l converts into.
func (s *Service) accountFor(ctx context.Context, tx *sqldb.Tx, l lead.Lead, in ConvertInput, owner int64) (Account, bool, error) {
	if in.AccountID != 0 {
		acc, err := getAccount(ctx, tx, in.AccountID)
		if fault.CodeOf(err) == fault.NotFound {
			return acc, false, &fault.Error{Code: fault.Invalid, Message: "no such account",
				Fields: map[string]string{"account_id": "no account has this id"}}
		}
		return acc, true, err
	}
	// A lead linked at intake converts into the account it was linked to.
	if link, ok, err := accountmatch.Of(ctx, tx, l.ID); err != nil || (ok && link.UndoneAt == nil && in.AccountName == "") {
		if err != nil {
			return Account{}, false, err
		}
		acc, err := getAccount(ctx, tx, link.AccountID)
		return acc, true, err
	}
	name := strings.TrimSpace(in.AccountName)
	if name == "" {
		name = l.Company
	}
	domain := DomainOf(l.Website, l.Email)
	if err := lockCompany(ctx, tx, domain, name); err != nil {
		return Account{}, false, err
	}
	id, err := matchAccount(ctx, tx, domain, name)
	if err != nil || id != 0 {
		acc, gerr := getAccount(ctx, tx, id)
		if err == nil {
			err = gerr
		}
		return acc, true, err
	}
	if name == "" {
		return Account{}, false, &fault.Error{Code: fault.Invalid, Message: "the lead has no company",
			Fields: map[string]string{"account_name": "is required: the lead names no company to create the account from"}}
	}
	now := s.stamp()
	acc := Account{Name: name, Domain: domain, Website: l.Website, Industry: l.Industry, Employees: l.Employees,
		Country: l.Country, City: l.City, OwnerID: owner, CreatedAt: now, UpdatedAt: now}
	acc.ID, err = insertAccount(ctx, tx, acc)
	return acc, false, err
}

// lockCompany makes conversions of one company wait for each other from
// their match to their commit, so that of leads converted at once only
// the first creates the account and the others find it. A company is
// known by its domain and by its name's key, either of which matching
// uses: both are locked, the domain first.
func lockCompany(ctx context.Context, tx *sqldb.Tx, domain, name string) error {
	if domain != "" {
		if err := tx.LockKey(ctx, "account domain "+domain); err != nil {
			return fmt.Errorf("crm: %w", err)
		}
	}
	if key := NameKey(name); key != "" {
		if err := tx.LockKey(ctx, "account name "+key); err != nil {
			return fmt.Errorf("crm: %w", err)
		}
	}
	return nil
}

// MatchFor returns the existing account lead l would join if converted
// now; ok is false when a new one would be created.
func (s *Service) MatchFor(ctx context.Context, l lead.Lead) (acc Account, ok bool, err error) {
	id, err := matchAccount(ctx, s.db.R, DomainOf(l.Website, l.Email), l.Company)
	if err != nil || id == 0 {
		return acc, false, err
	}
	acc, err = getAccount(ctx, s.db.R, id)
	return acc, err == nil, err
}

// roleOf is the buying role a qualification's authority names; "" for
// an authority not known.
func roleOf(a lead.Authority) Role {
	switch a {
	case lead.DecisionMaker:
		return DecisionMaker
	case lead.Influencer:
		return Influencer
	case lead.EndUser:
		return User
	}
	return ""
}
