package crm

import (
	"context"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

const contactColumns = `c.id, c.account_id, a.name, c.email, c.first_name, c.last_name, c.phone, c.job_title, c.stage,
	COALESCE(c.owner_id, 0), COALESCE(u.email, ''), c.created_at, c.updated_at, c.deal_role`

const fromContacts = ` FROM contacts c JOIN accounts a ON a.id = c.account_id LEFT JOIN users u ON u.id = c.owner_id`

func scanContact(s interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var created, updated int64
	err := s.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.Email, &c.FirstName, &c.LastName, &c.Phone, &c.JobTitle, &c.Stage,
		&c.OwnerID, &c.OwnerEmail, &created, &updated, &c.Role)
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return c, err
}

func insertContact(ctx context.Context, q sqldb.Querier, c Contact) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO contacts (account_id, email, first_name, last_name, phone, job_title, stage, owner_id, created_at, updated_at,
		name_sort, deal_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.Email, c.FirstName, c.LastName, c.Phone, c.JobTitle, string(c.Stage), nullable(c.OwnerID),
		c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli(), contactNameKey(c), string(c.Role)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("crm: insert contact: %w", err)
	}
	return id, nil
}

// Contact returns contact id, if a may see it.
func (s *Service) Contact(ctx context.Context, a access.Actor, id int64) (Contact, error) {
	c, err := one(s.db.R.QueryRow(ctx, `SELECT `+contactColumns+fromContacts+` WHERE c.id = ?`, id), scanContact, "contact", id)
	if err != nil {
		return c, err
	}
	if !a.CanSeeLead(c.OwnerID) {
		return Contact{}, fault.Errorf(fault.Forbidden, "contact %d belongs to another sales user", id)
	}
	return c, nil
}

// contactNameKey is the sort key of a contact's name: last name, then
// first name (as sqldb.fillSortKeys computes it for older rows).
func contactNameKey(c Contact) string { return sortkey.Of(c.LastName + " " + c.FirstName) }

var contactSorts = map[string]sortColumn{
	"name": {"c.name_sort", false}, "email": {"lower(c.email)", false}, "account": {"a.name_sort", false},
	"stage": {"c.stage", false}, "created_at": {"c.created_at", true},
}

// Contacts lists the contacts a may see that match o.
func (s *Service) Contacts(ctx context.Context, a access.Actor, o ListOptions) (Page[Contact], error) {
	return s.listContacts(ctx, a, o, "")
}

func (s *Service) listContacts(ctx context.Context, a access.Actor, o ListOptions, cond string, condArgs ...any) (Page[Contact], error) {
	var f conds
	if cond != "" {
		f.add(cond, condArgs...)
	}
	f.visibleTo(a, "c")
	f.search(o.Q, "lower(c.first_name || ' ' || c.last_name)", "lower(c.email)", "lower(a.name)")
	f.owner(a, o.Owner)
	return list(ctx, s.db.R, o, orderOf(o.Sort, contactSorts, "name", "c.id"), contactColumns, fromContacts, f, scanContact)
}
