// Package crm holds what qualified leads become: accounts (companies),
// contacts (people at them) and opportunities (deals moving through the
// pipeline), and the conversion that creates them from a lead.
//
// Accounts are shared by the whole team; a sales user sees the contacts
// and opportunities it owns and the unassigned ones, as with leads.
package crm

import (
	"context"

	"database/sql"
	"leadflow/internal/access"
	"time"

	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Account is a company the team sells to.
type Account struct {
	ID        int64
	Name      string
	Domain    string // the website's host without www., for matching
	Website   string
	Industry  string
	Employees *int64
	Revenue   *int64 // yearly, whole currency units; nil when unknown
	Country   string
	City      string
	Tier      int // the target-account tier a user set: 1, 2 or 3; 0 when none
	// Score and Grade are the account score as stored at ScoredAt (nil
	// before the first), kept current by internal/accountscore's job.
	Score      int
	Grade      string
	ScoredAt   *time.Time
	OwnerID    int64
	OwnerEmail string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64 // counts the writes of the row, as a lead's does
}

// Contact is a person at an account.
type Contact struct {
	ID          int64
	AccountID   int64
	AccountName string
	Email       string
	FirstName   string
	LastName    string
	Phone       string
	JobTitle    string
	Stage       lead.Stage // the person's lifecycle stage: customer once a deal is won
	Role        Role       // the part in the buying decision; "" while nobody said
	OwnerID     int64
	OwnerEmail  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Name is the contact's full name, or the email when no name is known.
func (c Contact) Name() string {
	return lead.Lead{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email}.Name()
}

// Opportunity is a deal in progress with an account.
type Opportunity struct {
	ID          int64
	AccountID   int64
	AccountName string
	ContactID   int64 // 0 when none
	ContactName string
	Name        string
	Amount      *int64 // whole currency units; nil when not yet known
	Currency    string
	CloseDate   string // expected close, YYYY-MM-DD; "" when not known
	Stage       string // a pipeline stage key
	LostReason  string
	OwnerID     int64
	OwnerEmail  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    *time.Time // when it was won or lost
	Version     int64      // counts the writes of the row, as a lead's does
}

// Service is what the UI and the API call to work on accounts, contacts
// and opportunities.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	now   func() time.Time
	// AfterWon, when set, runs inside the transaction that wins a deal
	// (projects open the deal's project there); its error undoes the win.
	AfterWon func(ctx context.Context, tx *sqldb.Tx, a access.Actor, dealID int64) error
	// Handover, when set, hands a converted lead's account to an account
	// executive inside the conversion's transaction.
	Handover Handover
}

// NewService returns a Service over db; leads is where conversions start
// and where won deals make customers.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now}
}

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func timeOf(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMilli(n.Int64).UTC()
	return &t
}

func int64Of(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Total      int
	From       int    // items before the page, for showing; approximate after a cursor
	Next, Prev string // the cursors of the neighbouring pages; "" where none
}

// ListOptions narrow and page a list.
type ListOptions struct {
	Q     string // free text
	Stage string // opportunities: a pipeline stage key
	Owner string // "me", or an owner's email
	// Segment, for accounts, keeps the members of that account segment.
	Segment int64
	// Grade, for accounts, keeps the accounts of a stored grade.
	Grade  string
	Sort   string // a column key of the list; "-" in front for descending
	Limit  int
	Cursor string // a page's Next or Prev; "" for the first page
}

// limit bounds a page.
func (o ListOptions) limit() int {
	if o.Limit < 1 || o.Limit > 500 {
		return 50
	}
	return o.Limit
}
