package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Authority is the lead's role in the buying decision.
type Authority string

// The roles a person can have in a decision.
const (
	DecisionMaker Authority = "decision_maker"
	Influencer    Authority = "influencer"
	EndUser       Authority = "user"
	Unknown       Authority = "unknown"
)

// Authorities lists the roles.
var Authorities = []Authority{DecisionMaker, Influencer, EndUser, Unknown}

// BANT is the sales qualification of an MQL: Budget, Authority, Need,
// Timing, and what sales decided.
type BANT struct {
	BudgetAmount   *int64 // in whole currency units; nil when the budget is unknown
	BudgetCurrency string // ISO 4217, e.g. EUR
	Authority      Authority
	Need           string
	Timing         string // a date (2027-03-31) or a quarter (2027-Q1)
	Outcome        Stage  // sql, nurturing or disqualified
	Reason         string // required unless the outcome is sql
	DecidedBy      string
	DecidedAt      time.Time
}

// Passed reports whether the qualification made the lead an SQL.
func (b *BANT) Passed() bool { return b != nil && b.Outcome == SQL }

var (
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	quarterPattern  = regexp.MustCompile(`^\d{4}-Q[1-4]$`)
)

// Validate names each problem of a qualification; reasons are the
// disqualify reasons in force.
func (b *BANT) Validate(reasons []string) error {
	bad := fault.Fields{}
	b.BudgetCurrency = strings.ToUpper(strings.TrimSpace(b.BudgetCurrency))
	b.Need, b.Timing, b.Reason = strings.TrimSpace(b.Need), strings.ToUpper(strings.TrimSpace(b.Timing)), strings.TrimSpace(b.Reason)
	if b.BudgetAmount != nil {
		if *b.BudgetAmount < 0 {
			bad.Add("budget", "must not be negative")
		}
		if !currencyPattern.MatchString(b.BudgetCurrency) {
			bad.Add("budget_currency", "must be a three-letter currency code such as EUR or USD")
		}
	}
	if !slices.Contains(Authorities, b.Authority) {
		bad.Add("authority", "must be decision_maker, influencer, user or unknown")
	}
	// A lead disqualified (spam, no budget) has no need or purchase date
	// to tell; one that goes on does.
	goesOn := b.Outcome != Disqualified
	if b.Need == "" && goesOn {
		bad.Add("need", "is required: what problem should the purchase solve?")
	} else if utf8.RuneCountInString(b.Need) > 2000 {
		bad.Add("need", "must be at most 2000 characters")
	}
	if _, err := time.Parse(time.DateOnly, b.Timing); err != nil && !quarterPattern.MatchString(b.Timing) && (b.Timing != "" || goesOn) {
		bad.Add("timing", "must be the expected purchase date (2027-03-31) or quarter (2027-Q1)")
	}
	switch b.Outcome {
	case SQL:
	case Nurturing:
		if b.Reason == "" {
			bad.Add("reason", "say why the lead goes back to nurturing")
		}
	case Disqualified:
		if !knownReason(reasons, b.Reason) {
			bad.Add("reason", "disqualifying needs a reason: one of "+strings.Join(reasons, ", "))
		}
	default:
		bad.Add("outcome", "must be sql, nurturing or disqualified")
	}
	return bad.Err()
}

// KindQualified is the timeline entry of a BANT qualification.
const KindQualified = "qualified"

// Qualify records the BANT qualification of an MQL and moves it to the
// outcome's stage: sql when it passed, nurturing or disqualified with the
// reason when it did not.
func (s *Service) Qualify(ctx context.Context, a access.Actor, id int64, b BANT) (Lead, error) {
	reasons, err := s.DisqualifyReasons(ctx)
	if err != nil {
		return Lead{}, err
	}
	if err := b.Validate(reasons); err != nil {
		return Lead{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var out Lead
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := lockVisibleLead(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if l.Stage != MQL && l.Stage != SQL {
			return &fault.Error{Code: fault.Conflict, Message: "only an MQL (or an SQL being re-qualified) is qualified with BANT",
				Fields: map[string]string{"stage": "is " + string(l.Stage) + ", not mql"}}
		}
		// Nobody qualifies a lead without talking to it.
		if l.ContactedAt == nil {
			if err := markContacted(ctx, tx, &l, a.ID, now, "first contact logged"); err != nil {
				return err
			}
		}
		if err := storeQualification(ctx, tx, id, b, a.ID, now); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: KindQualified, Detail: b.detail(), Reason: b.Reason}, a.ID); err != nil {
			return err
		}
		if b.Outcome != l.Stage {
			reason := b.Reason
			if b.Outcome == SQL {
				reason = "passed BANT qualification"
			}
			c := Change{LeadID: id, At: now, Kind: KindStage, Detail: map[string][2]string{FStage: {string(l.Stage), string(b.Outcome)}}, Reason: reason}
			if err := insertChange(ctx, tx, c, a.ID); err != nil {
				return err
			}
			l.Stage, l.UpdatedAt = b.Outcome, now
			if _, err := tx.Exec(ctx, `UPDATE leads SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
				string(l.Stage), now.UnixMilli(), id); err != nil {
				return fmt.Errorf("lead store: qualify %d: %w", id, err)
			}
			l.Version++
		}
		if b.Outcome == SQL {
			if err := s.assignQualified(ctx, tx, &l, now); err != nil {
				return err
			}
		}
		out = l
		return nil
	})
	return out, err
}

func (b BANT) budgetText() string {
	if b.BudgetAmount == nil {
		return "unknown"
	}
	return strconv.FormatInt(*b.BudgetAmount, 10) + " " + b.BudgetCurrency
}

func (b BANT) detail() map[string][2]string {
	return map[string][2]string{"budget": {"", b.budgetText()}, "authority": {"", string(b.Authority)},
		"need": {"", b.Need}, "timing": {"", b.Timing}, "outcome": {"", string(b.Outcome)}}
}

func storeQualification(ctx context.Context, tx *sqldb.Tx, id int64, b BANT, by int64, now time.Time) error {
	var amount, actor any
	if b.BudgetAmount != nil {
		amount = *b.BudgetAmount
	}
	if by != 0 {
		actor = by
	}
	_, err := tx.Exec(ctx, `INSERT INTO lead_qualifications (lead_id, budget_amount, budget_currency, authority, need, timing, outcome, reason, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (lead_id) DO UPDATE SET budget_amount = excluded.budget_amount, budget_currency = excluded.budget_currency,
		authority = excluded.authority, need = excluded.need, timing = excluded.timing, outcome = excluded.outcome,
		reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
		id, amount, b.BudgetCurrency, string(b.Authority), b.Need, b.Timing, string(b.Outcome), b.Reason, actor, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("lead store: qualification of %d: %w", id, err)
	}
	return nil
}

// qualificationOf returns a lead's BANT qualification, nil when it has none.
func qualificationOf(ctx context.Context, q sqldb.Querier, id int64) (*BANT, error) {
	var b BANT
	var amount sql.NullInt64
	var at int64
	err := q.QueryRow(ctx, `SELECT q.budget_amount, q.budget_currency, q.authority, q.need, q.timing, q.outcome, q.reason,
		COALESCE(u.email, ''), q.decided_at FROM lead_qualifications q LEFT JOIN users u ON u.id = q.decided_by WHERE q.lead_id = ?`, id).
		Scan(&amount, &b.BudgetCurrency, &b.Authority, &b.Need, &b.Timing, &b.Outcome, &b.Reason, &b.DecidedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lead store: qualification of %d: %w", id, err)
	}
	if amount.Valid {
		n := amount.Int64
		b.BudgetAmount = &n
	}
	b.DecidedAt = time.UnixMilli(at).UTC()
	return &b, nil
}

// Qualification returns lead id's BANT qualification, nil when it has none.
func (s *Service) Qualification(ctx context.Context, a access.Actor, id int64) (*BANT, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return qualificationOf(ctx, s.db.R, id)
}
