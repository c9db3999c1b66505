// Package search finds a word across the records a user may see:
// leads, contacts, accounts and deals, each from its own service, so
// every list's visibility rules apply to the results as they do to the
// lists.
package search

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
)

// Hit is one record found.
type Hit struct {
	Kind   string `json:"kind"` // lead, contact, account, opportunity
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Stage  string `json:"stage,omitempty"` // a lead's lifecycle stage or a deal's pipeline stage, as a code
	Path   string `json:"path"`            // its page
}

// Group is the hits of one kind, and whether there are more than shown.
type Group struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Hits  []Hit  `json:"hits"`
	More  bool   `json:"more"`
	List  string `json:"list"` // the list page with the same search
}

// Service searches through the lead and CRM services.
type Service struct {
	Leads *lead.Service
	CRM   *crm.Service
}

// PerKind is how many records of each kind a search shows.
const PerKind = 8

// Find looks for q in each kind of record a may see: names, emails,
// companies and domains. q must have at least two characters.
func (s *Service) Find(ctx context.Context, a access.Actor, q string) ([]Group, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) < 2 || utf8.RuneCountInString(q) > 100 {
		return nil, &fault.Error{Code: fault.Invalid, Message: "search for at least two characters",
			Fields: map[string]string{"q": "must be 2 to 100 characters"}}
	}
	limit := strconv.Itoa(PerKind + 1)
	esc := url.QueryEscape(q)
	var out []Group
	f, err := lead.ParseFilter(url.Values{"q": {q}, "limit": {limit}})
	if err != nil {
		return nil, err
	}
	leads, err := s.Leads.List(ctx, a, f, false)
	if err != nil {
		return nil, fmt.Errorf("search: leads: %w", err)
	}
	g := Group{Kind: "lead", Label: "Leads", List: "/leads?q=" + esc}
	for _, l := range leads.Leads {
		g.Hits = append(g.Hits, Hit{Kind: "lead", ID: l.ID, Title: firstOf(strings.TrimSpace(l.FirstName+" "+l.LastName), l.Email, l.Phone),
			Detail: join(l.Company, l.Email), Stage: string(l.Stage), Path: fmt.Sprintf("/leads/%d", l.ID)})
	}
	out = append(out, trim(g))
	o := crm.ListOptions{Q: q, Limit: PerKind + 1}
	contacts, err := s.CRM.Contacts(ctx, a, o)
	if err != nil {
		return nil, fmt.Errorf("search: contacts: %w", err)
	}
	g = Group{Kind: "contact", Label: "Contacts", List: "/contacts?q=" + esc}
	for _, c := range contacts.Items {
		g.Hits = append(g.Hits, Hit{Kind: "contact", ID: c.ID, Title: firstOf(strings.TrimSpace(c.FirstName+" "+c.LastName), c.Email),
			Detail: join(c.AccountName, c.Email), Path: fmt.Sprintf("/contacts/%d", c.ID)})
	}
	out = append(out, trim(g))
	accounts, err := s.CRM.Accounts(ctx, a, o)
	if err != nil {
		return nil, fmt.Errorf("search: accounts: %w", err)
	}
	g = Group{Kind: "account", Label: "Accounts", List: "/accounts?q=" + esc}
	for _, acc := range accounts.Items {
		g.Hits = append(g.Hits, Hit{Kind: "account", ID: acc.ID, Title: acc.Name, Detail: join(acc.Domain, acc.Industry, acc.City),
			Path: fmt.Sprintf("/accounts/%d", acc.ID)})
	}
	out = append(out, trim(g))
	deals, err := s.CRM.Opportunities(ctx, a, o)
	if err != nil {
		return nil, fmt.Errorf("search: deals: %w", err)
	}
	g = Group{Kind: "opportunity", Label: "Deals", List: "/deals?view=list&q=" + esc}
	for _, d := range deals.Items {
		g.Hits = append(g.Hits, Hit{Kind: "opportunity", ID: d.ID, Title: d.Name, Detail: d.AccountName, Stage: d.Stage,
			Path: fmt.Sprintf("/deals/%d", d.ID)})
	}
	return append(out, trim(g)), nil
}

// trim keeps PerKind hits and says whether there were more.
func trim(g Group) Group {
	if len(g.Hits) > PerKind {
		g.Hits, g.More = g.Hits[:PerKind], true
	}
	if g.Hits == nil {
		g.Hits = []Hit{}
	}
	return g
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// join writes the non-empty parts with a middle dot between them.
func join(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}
