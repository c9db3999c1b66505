package crm

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Role is a contact's part in the buying decision.
type Role string

// The roles of a buying committee.
const (
	DecisionMaker Role = "decision_maker" // signs, or says who signs
	Champion      Role = "champion"       // sells for us inside the account
	Influencer    Role = "influencer"     // shapes the choice
	User          Role = "user"           // will use what is bought
	Blocker       Role = "blocker"        // argues against it
)

// Roles lists the roles, those a deal needs first.
var Roles = []Role{DecisionMaker, Champion, Influencer, User, Blocker}

// Needed are the roles a deal is exposed without: a blocker is a risk to
// know of, not a part to fill.
var Needed = []Role{DecisionMaker, Champion, Influencer, User}

// Label is the role in words.
func (r Role) Label() string {
	if r == "" {
		return "no role"
	}
	s := strings.ReplaceAll(string(r), "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Valid reports whether r is a role, or none ("").
func (r Role) Valid() bool {
	if r == "" {
		return true
	}
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Seat is one role of a committee with the contacts who hold it.
type Seat struct {
	Role     Role
	Contacts []Contact
}

// Committee is who of an account's contacts takes part in the decision,
// for the open opportunity it is shown with.
type Committee struct {
	Opportunity *Opportunity // the open opportunity, newest first; nil when none
	Seats       []Seat       // every role, in the order of Roles
	Missing     []Role       // needed roles nobody holds
	Unassigned  []Contact    // contacts with no role yet
}

// CommitteeOf groups contacts by role, for the account's open opportunity
// (the newest open one of opps).
func CommitteeOf(contacts []Contact, opps []Opportunity) Committee {
	var c Committee
	for i := range opps {
		if opps[i].ClosedAt == nil && (c.Opportunity == nil || opps[i].CreatedAt.After(c.Opportunity.CreatedAt)) {
			c.Opportunity = &opps[i]
		}
	}
	held := map[Role][]Contact{}
	for _, ct := range contacts {
		if ct.Role == "" {
			c.Unassigned = append(c.Unassigned, ct)
			continue
		}
		held[ct.Role] = append(held[ct.Role], ct)
	}
	for _, r := range Roles {
		c.Seats = append(c.Seats, Seat{Role: r, Contacts: held[r]})
	}
	for _, r := range Needed {
		if len(held[r]) == 0 {
			c.Missing = append(c.Missing, r)
		}
	}
	return c
}

// SetContactRole gives contact id its role in the buying decision ("" for
// none); who may see the contact may set it.
func (s *Service) SetContactRole(ctx context.Context, a access.Actor, id int64, role string) (Contact, error) {
	r := Role(strings.TrimSpace(role))
	if !r.Valid() {
		return Contact{}, &fault.Error{Code: fault.Invalid, Message: "unknown role",
			Fields: map[string]string{"role": "must be one of decision_maker, champion, influencer, user, blocker, or empty"}}
	}
	var out Contact
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		c, err := one(tx.QueryRow(ctx, `SELECT `+contactColumns+fromContacts+` WHERE c.id = ?`+tx.ForUpdate("c"), id), scanContact, "contact", id)
		if err != nil {
			return err
		}
		if !a.CanSeeLead(c.OwnerID) {
			return fault.Errorf(fault.Forbidden, "contact %d belongs to another sales user", id)
		}
		if c.Role == r {
			out = c
			return nil
		}
		now := s.stamp()
		if _, err := tx.Exec(ctx, `UPDATE contacts SET deal_role = ?, updated_at = ?, version = version + 1 WHERE id = ?`, string(r), now.UnixMilli(), id); err != nil {
			return fmt.Errorf("crm: role of contact %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, "contact.role", "contact", id, map[string]string{"from": string(c.Role), "to": string(r)}); err != nil {
			return err
		}
		c.Role, c.UpdatedAt = r, now
		out = c
		return nil
	})
	return out, err
}
