package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/live"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

const oppColumns = `o.id, o.account_id, a.name, COALESCE(o.contact_id, 0),
	COALESCE(TRIM(c.first_name || ' ' || c.last_name), ''), o.name, o.amount, o.currency, o.close_date, o.stage,
	o.lost_reason, COALESCE(o.owner_id, 0), COALESCE(u.email, ''), o.created_at, o.updated_at, o.closed_at, o.version`

const fromOpps = ` FROM opportunities o JOIN accounts a ON a.id = o.account_id
	LEFT JOIN contacts c ON c.id = o.contact_id LEFT JOIN users u ON u.id = o.owner_id`

func scanOpp(s interface{ Scan(...any) error }) (Opportunity, error) {
	var o Opportunity
	var amount, closed sql.NullInt64
	var created, updated int64
	err := s.Scan(&o.ID, &o.AccountID, &o.AccountName, &o.ContactID, &o.ContactName, &o.Name, &amount, &o.Currency,
		&o.CloseDate, &o.Stage, &o.LostReason, &o.OwnerID, &o.OwnerEmail, &created, &updated, &closed, &o.Version)
	o.Amount, o.ClosedAt = int64Of(amount), timeOf(closed)
	o.CreatedAt, o.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return o, err
}

func getOpp(ctx context.Context, q sqldb.Querier, a access.Actor, id int64) (Opportunity, error) {
	return findOpp(ctx, q, a, id, "")
}

// lockOpp reads deal id for a transaction that goes on to write it: the
// row stays locked until tx ends (see lockAccount).
func lockOpp(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64) (Opportunity, error) {
	return findOpp(ctx, tx, a, id, tx.ForUpdate("o"))
}

func findOpp(ctx context.Context, q sqldb.Querier, a access.Actor, id int64, lock string) (Opportunity, error) {
	o, err := one(q.QueryRow(ctx, `SELECT `+oppColumns+fromOpps+` WHERE o.id = ?`+lock, id), scanOpp, "opportunity", id)
	if err != nil {
		return o, err
	}
	if !a.CanSeeLead(o.OwnerID) {
		return Opportunity{}, fault.Errorf(fault.Forbidden, "opportunity %d belongs to another sales user", id)
	}
	return o, nil
}

// OpportunityInput is an opportunity as a form or the API sends it, in
// text: every field as it should be (an empty amount, currency or close
// date clears it; a name is required). Only an empty owner keeps the
// owner.
type OpportunityInput struct {
	AccountID int64 // for a new opportunity
	ContactID int64 // optional, a contact of the account
	Name      string
	Amount    string
	Currency  string
	CloseDate string
	Stage     string // a new opportunity's stage; the first open one by default
	Owner     string
	Version   int64 // for an edit, the deal's version it was made from; 0 for none
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// MaxAmount bounds a deal's amount: far above any real deal, and low
// enough that sums of many deals stay exact.
const MaxAmount int64 = 1_000_000_000_000_000

// applyOpp validates in onto o, naming each bad field.
func (s *Service) applyOpp(ctx context.Context, q sqldb.Querier, o *Opportunity, in OpportunityInput, bad fault.Fields) error {
	o.Name = strings.TrimSpace(in.Name)
	if o.Name == "" || utf8.RuneCountInString(o.Name) > 200 {
		bad.Add("name", "is required, at most 200 characters")
	}
	o.Amount = nil
	if v := strings.ReplaceAll(strings.TrimSpace(in.Amount), ",", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > MaxAmount {
			bad.Add("amount", "must be a whole amount from 0 to 1,000,000,000,000,000")
		} else {
			o.Amount = &n
		}
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if o.Amount != nil && !currencyPattern.MatchString(o.Currency) {
		bad.Add("currency", "must be a three-letter currency code such as EUR or USD")
	}
	o.CloseDate = strings.TrimSpace(in.CloseDate)
	if o.CloseDate != "" {
		if _, err := time.Parse(time.DateOnly, o.CloseDate); err != nil {
			bad.Add("close_date", "must be a date as YYYY-MM-DD")
		}
	}
	if in.Owner != "" {
		return s.resolveOwner(ctx, q, &o.OwnerID, &o.OwnerEmail, in.Owner, bad)
	}
	return nil
}

// newOpp validates and stores a new opportunity inside tx.
func (s *Service) newOpp(ctx context.Context, tx *sqldb.Tx, a access.Actor, in OpportunityInput, now time.Time) (Opportunity, error) {
	bad := fault.Fields{}
	o := Opportunity{AccountID: in.AccountID, ContactID: in.ContactID, CreatedAt: now, UpdatedAt: now}
	if err := s.applyOpp(ctx, tx, &o, in, bad); err != nil {
		return o, err
	}
	if in.Owner == "" {
		o.OwnerID = a.ID
	}
	if !a.CanAssignTo(o.OwnerID) {
		bad.Add("owner", "sales users open opportunities for themselves")
	}
	p, err := pipelineIn(ctx, tx)
	if err != nil {
		return o, err
	}
	o.Stage = strings.TrimSpace(in.Stage)
	if o.Stage == "" {
		o.Stage = p.First().Key
	}
	if st, ok := p.Find(o.Stage); !ok || st.Outcome != Open {
		bad.Add("stage", "must be an open pipeline stage: "+p.OpenLabels())
	}
	if err := bad.Err(); err != nil {
		return o, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO opportunities (account_id, contact_id, name, amount, currency, close_date, stage, owner_id, created_at, updated_at,
		name_sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.AccountID, nullable(o.ContactID), o.Name, deref(o.Amount), o.Currency, o.CloseDate, o.Stage, nullable(o.OwnerID),
		now.UnixMilli(), now.UnixMilli(), sortkey.Of(o.Name)).Scan(&o.ID)
	if err != nil {
		return o, fmt.Errorf("crm: insert opportunity: %w", err)
	}
	return o, recordMove(ctx, tx, a, o.ID, "", o.Stage, "opened", now)
}

// CreateOpportunity opens a deal with an account.
func (s *Service) CreateOpportunity(ctx context.Context, a access.Actor, in OpportunityInput) (Opportunity, error) {
	var out Opportunity
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := getAccount(ctx, tx, in.AccountID); err != nil {
			return &fault.Error{Code: fault.Invalid, Message: "the opportunity needs an account",
				Fields: map[string]string{"account_id": "no account has this id"}}
		}
		if in.ContactID != 0 {
			var accountID, owner int64
			err := tx.QueryRow(ctx, `SELECT account_id, COALESCE(owner_id, 0) FROM contacts WHERE id = ?`, in.ContactID).Scan(&accountID, &owner)
			if err != nil || accountID != in.AccountID {
				return &fault.Error{Code: fault.Invalid, Message: "the contact is not at this account",
					Fields: map[string]string{"contact_id": "must be a contact of the account"}}
			}
			// The deal would let its owner change the contact (a win
			// makes it a customer): only for contacts the actor may change.
			if !a.CanSeeLead(owner) {
				return &fault.Error{Code: fault.Forbidden, Message: "the contact belongs to another sales user",
					Fields: map[string]string{"contact_id": "is another sales user's contact"}}
			}
		}
		o, err := s.newOpp(ctx, tx, a, in, s.stamp())
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "deal.create", "deal", o.ID, map[string]int64{"account_id": in.AccountID}); err != nil {
			return err
		}
		out, err = getOpp(ctx, tx, a, o.ID)
		return err
	})
	return out, err
}

// OpportunityInputOf is the input that leaves o as it is: an edit of a few fields
// starts from it.
func OpportunityInputOf(o Opportunity) OpportunityInput {
	in := OpportunityInput{AccountID: o.AccountID, ContactID: o.ContactID, Name: o.Name, Currency: o.Currency,
		CloseDate: o.CloseDate, Stage: o.Stage, Owner: o.OwnerEmail}
	if o.Amount != nil {
		in.Amount = strconv.FormatInt(*o.Amount, 10)
	}
	return in
}

// UpdateOpportunity changes a deal's name, amount, close date or owner;
// its stage moves with Move. edit is given the deal as it is, locked, and
// returns its fields as they should be (OpportunityInputOf gives them
// unchanged), so that edits of different fields at once all land. edit
// may be called again when PostgreSQL makes the transaction run again: it
// must start from cur each time and do nothing else. An edit that says the
// version it was made from (in.Version) is refused when the deal changed
// since. An owner left empty stays as it was.
func (s *Service) UpdateOpportunity(ctx context.Context, a access.Actor, id int64,
	edit func(cur Opportunity) (OpportunityInput, error)) (Opportunity, error) {
	var out Opportunity
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		o, err := lockOpp(ctx, tx, a, id)
		if err != nil {
			return err
		}
		in, err := edit(o)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != o.Version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this deal since you opened it; reload it and make your change again",
				Fields: map[string]string{"version": fmt.Sprint("is ", o.Version, " now")}}
		}
		bad := fault.Fields{}
		if err := s.applyOpp(ctx, tx, &o, in, bad); err != nil {
			return err
		}
		if !a.CanAssignTo(o.OwnerID) {
			bad.Add("owner", "sales users cannot hand a deal to someone else")
		}
		if err := bad.Err(); err != nil {
			return err
		}
		o.UpdatedAt = s.stamp()
		_, err = tx.Exec(ctx, `UPDATE opportunities SET name = ?, amount = ?, currency = ?, close_date = ?, owner_id = ?, updated_at = ?,
			name_sort = ?, version = version + 1 WHERE id = ?`,
			o.Name, deref(o.Amount), o.Currency, o.CloseDate, nullable(o.OwnerID), o.UpdatedAt.UnixMilli(), sortkey.Of(o.Name), id)
		if err != nil {
			return fmt.Errorf("crm: update opportunity %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, "deal.update", "deal", id, nil); err != nil {
			return err
		}
		out, err = getOpp(ctx, tx, a, id)
		return err
	})
	return out, err
}

// Move puts a deal in another pipeline stage. Lost needs a reason; won
// makes its contact, and the leads that became the contact, customers.
func (s *Service) Move(ctx context.Context, a access.Actor, id int64, stage, reason string) (Opportunity, error) {
	stage, reason = strings.TrimSpace(stage), strings.TrimSpace(reason)
	var out Opportunity
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		o, err := lockOpp(ctx, tx, a, id)
		if err != nil {
			return err
		}
		// Stamped once the deal is locked: a move that waited for
		// another is recorded after it.
		now := s.stamp()
		p, err := pipelineIn(ctx, tx)
		if err != nil {
			return err
		}
		to, ok := p.Find(stage)
		switch {
		case !ok:
			return &fault.Error{Code: fault.Invalid, Message: "unknown pipeline stage",
				Fields: map[string]string{"stage": "must be one of " + p.Keys()}}
		case to.Outcome == Lost && reason == "":
			return &fault.Error{Code: fault.Invalid, Message: "say why the deal was lost",
				Fields: map[string]string{"lost_reason": "is required when a deal is lost"}}
		case to.Key == o.Stage:
			out = o
			return nil
		}
		lostReason, closed := "", any(nil)
		if to.Outcome == Lost {
			lostReason = reason
		}
		if to.Outcome != Open {
			closed = now.UnixMilli()
		}
		_, err = tx.Exec(ctx, `UPDATE opportunities SET stage = ?, lost_reason = ?, closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			to.Key, lostReason, closed, now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("crm: move opportunity %d: %w", id, err)
		}
		if err := recordMove(ctx, tx, a, id, o.Stage, to.Key, reason, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "deal.move", "deal", id, map[string]string{"from": o.Stage, "to": to.Key}); err != nil {
			return err
		}
		if to.Outcome == Won && o.ContactID != 0 {
			if err := s.won(ctx, tx, a, o, now); err != nil {
				return err
			}
		}
		if to.Outcome == Won && s.AfterWon != nil {
			if err := s.AfterWon(ctx, tx, a, id); err != nil {
				return err
			}
		}
		out, err = getOpp(ctx, tx, a, id)
		return err
	})
	return out, err
}

// won makes the deal's contact, and the leads it came from, customers.
// It refuses, undoing the win, when a may not change the contact or one
// of those leads: a deal must not reach records its owner cannot.
func (s *Service) won(ctx context.Context, tx *sqldb.Tx, a access.Actor, o Opportunity, now time.Time) error {
	var owner int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(owner_id, 0) FROM contacts WHERE id = ?`+tx.ForUpdate(), o.ContactID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("crm: contact %d of a won deal: %w", o.ContactID, err)
	}
	if !a.CanSeeLead(owner) {
		return fault.Errorf(fault.Forbidden, "the deal's contact belongs to another sales user: its owner or an admin can close the deal as won")
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ?`, string(lead.Customer), now.UnixMilli(), o.ContactID); err != nil {
		return fmt.Errorf("crm: customer contact %d: %w", o.ContactID, err)
	}
	if err := audit.Record(ctx, tx, a, "contact.update", "contact", o.ContactID, map[string]any{"fields": []string{"stage"}, "deal_id": o.ID}); err != nil {
		return err
	}
	return s.leads.BecomeCustomers(ctx, tx, a, o.ContactID, fmt.Sprintf("opportunity %q won", o.Name))
}

func recordMove(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64, from, to, reason string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO opportunity_changes (opportunity_id, at, actor_id, from_stage, to_stage, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		id, now.UnixMilli(), nullable(a.ID), from, to, reason)
	if err != nil {
		return fmt.Errorf("crm: record move of %d: %w", id, err)
	}
	tx.Touch(live.Deals)
	return nil
}

// StageChange is one move of a deal through the pipeline.
type StageChange struct {
	At         time.Time
	ActorEmail string
	From, To   string
	Reason     string
}

// OpportunityView is a deal with its history.
type OpportunityView struct {
	Opportunity
	History []StageChange
}

// Opportunity returns deal id with its moves, newest first.
func (s *Service) Opportunity(ctx context.Context, a access.Actor, id int64) (OpportunityView, error) {
	o, err := getOpp(ctx, s.db.R, a, id)
	if err != nil {
		return OpportunityView{}, err
	}
	v := OpportunityView{Opportunity: o}
	rows, err := s.db.R.Query(ctx, `SELECT h.at, COALESCE(u.email, ''), h.from_stage, h.to_stage, h.reason
		FROM opportunity_changes h LEFT JOIN users u ON u.id = h.actor_id WHERE h.opportunity_id = ? ORDER BY h.at DESC, h.id DESC`, id)
	if err != nil {
		return v, fmt.Errorf("crm: history of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c StageChange
		var at int64
		if err := rows.Scan(&at, &c.ActorEmail, &c.From, &c.To, &c.Reason); err != nil {
			return v, err
		}
		c.At = time.UnixMilli(at).UTC()
		v.History = append(v.History, c)
	}
	return v, rows.Err()
}

var oppSorts = map[string]sortColumn{
	"name": {"o.name_sort", false}, "account": {"a.name_sort", false}, "amount": {"COALESCE(o.amount, -1)", true},
	"stage": {"o.stage", false}, "close_date": {"o.close_date", false}, "updated_at": {"o.updated_at", true},
	"created_at": {"o.created_at", true},
}

// Opportunities lists the deals a may see that match o.
func (s *Service) Opportunities(ctx context.Context, a access.Actor, o ListOptions) (Page[Opportunity], error) {
	return s.listOpportunities(ctx, a, o, "")
}

func (s *Service) listOpportunities(ctx context.Context, a access.Actor, o ListOptions, cond string, condArgs ...any) (Page[Opportunity], error) {
	var f conds
	if cond != "" {
		f.add(cond, condArgs...)
	}
	f.visibleTo(a, "o")
	if o.Stage != "" {
		f.add("o.stage = ?", o.Stage)
	}
	f.search(o.Q, "lower(o.name)", "lower(a.name)")
	f.owner(a, o.Owner)
	return list(ctx, s.db.R, o, orderOf(o.Sort, oppSorts, "-updated_at", "o.id"), oppColumns, fromOpps, f, scanOpp)
}

// Column is one stage of the deal board.
type Column struct {
	Stage  Stage
	Deals  []Opportunity
	Count  int                 // all deals in the stage, shown or not
	Totals map[string]*big.Int // amount by currency, exact however many deals
}

// Board returns the pipeline with the deals a may see in each stage, the
// most recently moved first, at most perStage a column; closed columns
// show the ten latest, as they only grow.
func (s *Service) Board(ctx context.Context, a access.Actor, o ListOptions, perStage int) ([]Column, error) {
	p, err := s.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(p))
	for i, st := range p {
		o.Stage, o.Limit, o.Cursor = st.Key, perStage, ""
		if st.Outcome != Open {
			o.Limit = min(perStage, 10)
		}
		page, err := s.listOpportunities(ctx, a, o, "")
		if err != nil {
			return nil, err
		}
		cols[i] = Column{Stage: st, Deals: page.Items, Count: page.Total}
		if cols[i].Totals, err = s.totals(ctx, a, o); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// totals sums the amounts of a stage's deals by currency. The database
// sums each amount's high and low 32 bits apart, sums that cannot
// overflow 64 bits for any number of deals (SQLite fails on an overflowing
// SUM, and PostgreSQL's numeric sum would not scan into an int64), and
// they are joined here exactly.
func (s *Service) totals(ctx context.Context, a access.Actor, o ListOptions) (map[string]*big.Int, error) {
	var f conds
	f.add("o.stage = ?", o.Stage)
	f.add("o.amount IS NOT NULL")
	f.visibleTo(a, "o")
	f.owner(a, o.Owner)
	rows, err := s.db.R.Query(ctx, `SELECT o.currency, CAST(SUM(o.amount / 4294967296) AS BIGINT), CAST(SUM(o.amount % 4294967296) AS BIGINT)
		FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id`+
		f.where()+` GROUP BY o.currency ORDER BY o.currency`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("crm: totals: %w", err)
	}
	defer rows.Close()
	out := map[string]*big.Int{}
	for rows.Next() {
		var cur string
		var high, low int64
		if err := rows.Scan(&cur, &high, &low); err != nil {
			return nil, err
		}
		sum := new(big.Int).Lsh(big.NewInt(high), 32)
		out[cur] = sum.Add(sum, big.NewInt(low))
	}
	return out, rows.Err()
}
