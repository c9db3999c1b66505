package privacy

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/phone"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// Person names whom an export or an erasure is about, the ways a
// leadflow lead can be known: an email address, a phone number with its
// country code, or a surname and company (a first name narrows it).
// Fields given together all find: the person's records are every lead
// and contact any of them finds, and everything their addresses find.
type Person struct {
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Company   string `json:"company,omitempty"`
}

// Fields are p's fields by their form names.
func (p Person) Fields() map[string]string {
	return map[string]string{"email": p.Email, "phone": p.Phone, "first_name": p.FirstName, "last_name": p.LastName, "company": p.Company}
}

// String names the person for a page or an answer.
func (p Person) String() string {
	var parts []string
	if p.Email != "" {
		parts = append(parts, p.Email)
	}
	if p.Phone != "" {
		parts = append(parts, p.Phone)
	}
	if p.LastName != "" {
		parts = append(parts, strings.TrimSpace(p.FirstName+" "+p.LastName)+" at "+p.Company)
	}
	return strings.Join(parts, ", ")
}

// normalize checks p and returns it as searched for: the email lower
// case, the phone in E.164, names trimmed. A search that names no one (no
// field, a surname without a company) is refused, since it would reach
// everyone.
func (p Person) normalize() (Person, error) {
	bad := fault.Fields{}
	p.FirstName, p.LastName, p.Company = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName), strings.TrimSpace(p.Company)
	if strings.TrimSpace(p.Email) != "" {
		e, err := normalize(p.Email)
		if err != nil {
			bad.Add("email", "must be an email address")
		}
		p.Email = e
	}
	if strings.TrimSpace(p.Phone) != "" {
		e164, reason := phone.Normalize(p.Phone, "")
		if reason != "" {
			bad.Add("phone", "must be a phone number with its country code, such as +40 721 234 567")
		}
		p.Phone = e164
	}
	switch {
	case p.LastName != "" && p.Company == "":
		bad.Add("company", "is needed with a name: a name alone may be many people")
	case p.Company != "" && p.LastName == "":
		bad.Add("last_name", "is needed with a company")
	case p.FirstName != "" && p.LastName == "":
		bad.Add("last_name", "is needed with a first name and a company")
	}
	if len(bad) == 0 && p.Email == "" && p.Phone == "" && p.LastName == "" {
		return p, &fault.Error{Code: fault.Invalid, Message: "say whom: an email, a phone, or a name and company",
			Fields: map[string]string{"email": "give an email address, a phone number, or a name and company"}}
	}
	if err := bad.Err(); err != nil {
		return p, err
	}
	return p, nil
}

// findPerson finds everything about p: the leads and contacts its phone
// or name and company find, and all that its email and theirs find.
func findPerson(ctx context.Context, q sqldb.Querier, p Person) (*found, error) {
	var leads, contacts []int64
	var emails []string
	if p.Email != "" {
		emails = append(emails, p.Email)
	}
	add := func(query string, args ...any) ([]int64, error) {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			var email string
			if err := rows.Scan(&id, &email); err != nil {
				return nil, err
			}
			out = append(out, id)
			if e := asciiLower(strings.TrimSpace(email)); e != "" && !contains(emails, e) {
				emails = append(emails, e)
			}
		}
		return out, rows.Err()
	}
	var got []int64
	var err error
	if p.Phone != "" {
		if got, err = add(LeadsByPhone, p.Phone); err != nil {
			return nil, fmt.Errorf("find leads by phone: %w", err)
		}
		leads = append(leads, got...)
		if got, err = add(`SELECT id, email FROM contacts WHERE phone = ? AND phone <> '' ORDER BY id`, p.Phone); err != nil {
			return nil, fmt.Errorf("find contacts by phone: %w", err)
		}
		contacts = append(contacts, got...)
	}
	if p.LastName != "" {
		first, args := "", []any{p.LastName, p.Company}
		if p.FirstName != "" {
			first, args = ` AND lower(first_name) = lower(?)`, append(args, p.FirstName)
		}
		lo, hi := sortkey.Span(p.LastName)
		if got, err = add(LeadsByName+first+` ORDER BY id`, append([]any{lo, hi}, args...)...); err != nil {
			return nil, fmt.Errorf("find leads by name: %w", err)
		}
		leads = append(leads, got...)
		if got, err = add(`SELECT c.id, c.email FROM contacts c JOIN accounts a ON a.id = c.account_id
			WHERE lower(c.last_name) = lower(?) AND lower(a.name) = lower(?)`+strings.ReplaceAll(first, "first_name", "c.first_name")+` ORDER BY c.id`, args...); err != nil {
			return nil, fmt.Errorf("find contacts by name: %w", err)
		}
		contacts = append(contacts, got...)
	}
	f := &found{}
	for _, e := range emails {
		fe, err := find(ctx, q, e)
		if err != nil {
			return nil, err
		}
		f.add(fe)
	}
	extra := &found{leads: leads, contacts: contacts}
	if len(leads) > 0 {
		if extra.visitors, err = strs(ctx, q, `SELECT DISTINCT visitor_id FROM events WHERE visitor_id <> '' AND lead_id IN (`+marks(len(leads))+`)`, anys(leads)...); err != nil {
			return nil, fmt.Errorf("find visitors: %w", err)
		}
		if extra.submissions, err = ids(ctx, q, `SELECT id FROM submissions WHERE lead_id IN (`+marks(len(leads))+`) ORDER BY id`, anys(leads)...); err != nil {
			return nil, fmt.Errorf("find submissions: %w", err)
		}
	}
	if len(contacts) > 0 {
		if extra.opportunities, err = ids(ctx, q, `SELECT id FROM opportunities WHERE contact_id IN (`+marks(len(contacts))+`) ORDER BY id`, anys(contacts)...); err != nil {
			return nil, fmt.Errorf("find opportunities: %w", err)
		}
	}
	f.add(extra)
	if len(f.mentions) > 0 && len(f.leads) > 0 {
		// An entry on one of the person's own leads goes with the lead.
		if f.mentions, err = ids(ctx, q, `SELECT id FROM lead_changes WHERE id IN (`+marks(len(f.mentions))+`) AND lead_id NOT IN (`+marks(len(f.leads))+`) ORDER BY id`,
			append(anys(f.mentions), anys(f.leads)...)...); err != nil {
			return nil, fmt.Errorf("find timeline mentions: %w", err)
		}
	}
	return f, nil
}

// add puts what o found into f, each record once.
func (f *found) add(o *found) {
	f.emails = union(f.emails, o.emails)
	f.leads = union(f.leads, o.leads)
	f.visitors = union(f.visitors, o.visitors)
	f.submissions = union(f.submissions, o.submissions)
	f.contacts = union(f.contacts, o.contacts)
	f.opportunities = union(f.opportunities, o.opportunities)
	f.rejects = union(f.rejects, o.rejects)
	f.mentions = union(f.mentions, o.mentions)
	f.loginAttempts += o.loginAttempts
	for _, im := range o.imports {
		dup := false
		for _, have := range f.imports {
			dup = dup || have.ID == im.ID
		}
		if !dup {
			f.imports = append(f.imports, im)
		}
	}
}

func union[T comparable](xs, ys []T) []T {
	for _, y := range ys {
		if !contains(xs, y) {
			xs = append(xs, y)
		}
	}
	return xs
}

// LeadsByName finds the leads of a last name (lower-cased alike) at a
// company (the same), given the Span of the name's sort key first, which
// the index on sort keys reads; a lead whose key is not yet filled in
// (sqldb.fillSortKeys) is read too. The first name's condition and the
// order follow. No index of its own: each would cost every lead's insert.
const LeadsByName = `SELECT id, email FROM leads
	WHERE (last_name_sort >= ? AND last_name_sort < ? OR last_name_sort IS NULL)
	AND lower(last_name) = lower(?) AND lower(company) = lower(?)`

// LeadsByPhone finds the leads with a phone number. The index on phones
// leaves out leads without one, and is used only by a query that does
// too.
const LeadsByPhone = `SELECT id, email FROM leads WHERE phone = ? AND phone <> '' ORDER BY id`
