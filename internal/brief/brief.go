// Package brief keeps leads' software requests: what a lead wants to buy
// or have built (industry, application category, deployment, licences,
// budget, timeline, must-have and nice-to-have features, integrations,
// languages, free text). A validated request is the lead's brief; it is
// what the catalog is matched against and what vendors read.
package brief

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
	"leadflow/internal/project"
	"leadflow/internal/sqldb"
)

// Request is a lead's software request.
type Request struct {
	ID     int64
	LeadID int64
	matching.Request
	Timeline  string // a key of Timelines
	Notes     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Timelines are when a request wants its software, by key.
var Timelines = []struct{ Key, Label string }{
	{"asap", "As soon as possible"}, {"3m", "Within 3 months"}, {"6m", "Within 6 months"},
	{"12m", "Within 12 months"}, {"later", "Later than a year"},
}

// KindRequest is the kind of the timeline entry a saved request makes.
const KindRequest = "software_request"

// Service stores requests and ranks the catalog against them.
type Service struct {
	db      *sqldb.DB
	leads   *lead.Service
	catalog *catalog.Service
	now     func() time.Time
	// Projects, when set, gets a custom project opened for a request
	// that nothing in the catalog fits (see Save).
	Projects *project.Service
}

// NewService returns a Service over db; leads guards access to each
// request's lead, catalog is what requests are matched against.
func NewService(db *sqldb.DB, leads *lead.Service, cat *catalog.Service) *Service {
	return &Service{db: db, leads: leads, catalog: cat, now: time.Now}
}

const columns = `id, lead_id, industry, category, deployments, licences, budget, currency, budget_period, horizon_months,
	timeline, must_have, nice_to_have, integrations, languages, notes, created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var dep, must, nice, integ, lang, period string
	var licences, horizon, created, updated int64
	err := row.Scan(&r.ID, &r.LeadID, &r.Industry, &r.Category, &dep, &licences, &r.Budget, &r.Currency, &period, &horizon,
		&r.Timeline, &must, &nice, &integ, &lang, &r.Notes, &created, &updated, &r.Version)
	if err != nil {
		return r, err
	}
	r.Licences, r.Horizon, r.BudgetPeriod = int(licences), int(horizon), matching.Period(period)
	r.CreatedAt, r.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	for _, l := range []struct {
		raw string
		to  *[]string
	}{{dep, &r.Deployments}, {must, &r.MustHave}, {nice, &r.NiceToHave}, {integ, &r.Integrations}, {lang, &r.Languages}} {
		if err := json.Unmarshal([]byte(l.raw), l.to); err != nil {
			return r, fmt.Errorf("brief: request %d: %w", r.ID, err)
		}
	}
	return r, nil
}

func list(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// errNone is the error of a lead without a software request.
func errNone(leadID int64) error {
	return fault.Errorf(fault.NotFound, "lead %d has no software request yet", leadID)
}

// Get returns lead leadID's request, when a may see the lead. A lead
// without one is NotFound.
func (s *Service) Get(ctx context.Context, a access.Actor, leadID int64) (Request, error) {
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return Request{}, err
	}
	return get(ctx, s.db.R, leadID)
}

func get(ctx context.Context, q sqldb.Querier, leadID int64) (Request, error) {
	r, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM software_requests WHERE lead_id = ?`, leadID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNone(leadID)
	}
	if err != nil {
		return r, fmt.Errorf("brief: request of lead %d: %w", leadID, err)
	}
	return r, nil
}

// Save validates in and makes it lead leadID's request, replacing the one
// it has. When version is not 0 and the stored request has moved on from
// it, the save is refused as a conflict, so an edit made from a stale
// page is not lost silently. The lead's timeline records it. When no
// solution passes the request's filters, or the best scores under the
// threshold, a custom project is opened for the lead, unless it has an
// open one.
func (s *Service) Save(ctx context.Context, a access.Actor, leadID, version int64, in Input) (Request, error) {
	r, err := s.save(ctx, a, leadID, version, in)
	if err != nil || s.Projects == nil {
		return r, err
	}
	return r, s.openCustom(ctx, a, leadID)
}

func (s *Service) save(ctx context.Context, a access.Actor, leadID, version int64, in Input) (Request, error) {
	// Who may not see the lead learns that, not what was wrong with the
	// request.
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return Request{}, err
	}
	r, err := s.validate(ctx, in)
	if err != nil {
		return r, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var out Request
	err = s.leads.Attach(ctx, a, leadID, KindRequest, "software request saved", nil, func(tx *sqldb.Tx, l lead.Lead) error {
		old, err := get(ctx, tx, leadID)
		exists := err == nil
		if err != nil && fault.CodeOf(err) != fault.NotFound {
			return err
		}
		if exists && version != 0 && version != old.Version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this request since you opened it; reload it and make your change again",
				Fields: map[string]string{"version": "is " + strconv.FormatInt(old.Version, 10) + " now"}}
		}
		args := []any{r.Industry, r.Category, list(r.Deployments), r.Licences, r.Budget, r.Currency, string(r.BudgetPeriod),
			r.Horizon, r.Timeline, list(r.MustHave), list(r.NiceToHave), list(r.Integrations), list(r.Languages), r.Notes}
		if exists {
			_, err = tx.Exec(ctx, `UPDATE software_requests SET industry = ?, category = ?, deployments = ?, licences = ?, budget = ?,
				currency = ?, budget_period = ?, horizon_months = ?, timeline = ?, must_have = ?, nice_to_have = ?, integrations = ?,
				languages = ?, notes = ?, updated_at = ?, version = version + 1 WHERE lead_id = ?`, append(args, now.UnixMilli(), leadID)...)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO software_requests (industry, category, deployments, licences, budget, currency,
				budget_period, horizon_months, timeline, must_have, nice_to_have, integrations, languages, notes, created_at,
				updated_at, lead_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, now.UnixMilli(), now.UnixMilli(), leadID)...)
		}
		if err != nil {
			return fmt.Errorf("brief: save request of lead %d: %w", leadID, err)
		}
		if out, err = get(ctx, tx, leadID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "request.save", "lead", leadID, map[string]int64{"version": out.Version})
	})
	return out, err
}
