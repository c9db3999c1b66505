// Package project keeps projects: the work a won request becomes.
//
// A project is one record from its first day to its last. A custom
// project (software to build for a lead when no solution in the catalog
// fits) starts in pre-sale: a business-analysis checklist, the features
// to build with their effort, the application type, the technical
// constraints and a cost estimate (features × effort × day rate, as a
// range), moving from analysis to estimate sent to accepted or rejected.
// Accepted, the same record goes on into delivery as a project of type
// custom development. A won deal, or a person, opens a project straight
// into delivery (type implementation, or custom development).
//
// In delivery a project has an account, contact, deal, owner and team,
// dates, a budget, a status (active, on hold, done, cancelled), a stage
// of its type's ordered stages with the history of its passage, tasks
// (activities linked to it), milestones and time logged at a rate.
//
// A custom project in pre-sale belongs to its lead: whoever may see the
// lead may see and work on it, and each change is on the lead's
// timeline. A project in delivery is seen by admins and marketing, and
// by the sales users who own it, its account or its lead, or are on its
// team.
package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Status is where a project stands.
type Status string

// The statuses, in their usual order.
const (
	Analysis     Status = "analysis"
	EstimateSent Status = "estimate_sent"
	Accepted     Status = "accepted"
	Rejected     Status = "rejected"
)

// Statuses lists every status in order.
var Statuses = []Status{Analysis, EstimateSent, Accepted, Rejected}

// Label is the status for people.
func (s Status) Label() string {
	return map[Status]string{Analysis: "Analysis", EstimateSent: "Estimate sent", Accepted: "Accepted", Rejected: "Rejected"}[s]
}

// ChecklistItems are the business analysis's questions, by key.
var ChecklistItems = []struct{ Key, Label string }{
	{"processes", "Processes: the work the application supports, step by step"},
	{"users", "Users: who uses it, how many, with which roles"},
	{"data", "Data: what is kept, where it comes from, what must move over"},
	{"integrations", "Integrations: the systems it exchanges data with"},
}

// Check is one item of the checklist.
type Check struct {
	Done  bool   `json:"done"`
	Notes string `json:"notes"`
}

// Feature is one thing to build, with its effort as a range of
// person-days.
type Feature struct {
	Name     string  `json:"name"`
	DaysLow  float64 `json:"days_low"`
	DaysHigh float64 `json:"days_high"`
}

// Project is a custom project.
type Project struct {
	ID          int64
	LeadID      int64
	Title       string
	Status      Status
	Reason      string   // why it was opened
	AppTypes    []string // cloud, desktop, mobile, web
	Checklist   map[string]Check
	Features    []Feature
	Constraints string // frameworks, hosting, security, deadlines...
	DayRate     int64  // minor units per person-day
	Currency    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
	Delivery
}

// Estimate is the cost of a project as a range.
type Estimate struct {
	DaysLow, DaysHigh float64
	Low, High         int64 // minor units
}

// Estimate multiplies each feature's effort by the day rate.
func (p Project) Estimate() Estimate {
	var e Estimate
	for _, f := range p.Features {
		e.DaysLow += f.DaysLow
		e.DaysHigh += f.DaysHigh
	}
	e.Low = int64(e.DaysLow*float64(p.DayRate) + 0.5)
	e.High = int64(e.DaysHigh*float64(p.DayRate) + 0.5)
	return e
}

// Open reports whether the project is still being worked on.
func (p Project) Open() bool { return p.Status == Analysis || p.Status == EstimateSent }

// KindProject is the kind of the timeline entries projects make.
const KindProject = "custom_project"

// Service stores projects.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	now   func() time.Time
}

// NewService returns a Service over db; leads guards each project's lead.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now}
}

const columns = `p.id, COALESCE(p.lead_id, 0), p.title, p.status, p.reason, p.app_types, p.checklist, p.features, p.constraints,
	p.day_rate, p.currency, p.created_at, p.updated_at, p.version, ` + deliveryColumns

func scan(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var status, apps, checks, feats string
	var created, updated int64
	var d deliveryScan
	err := row.Scan(append([]any{&p.ID, &p.LeadID, &p.Title, &status, &p.Reason, &apps, &checks, &feats, &p.Constraints, &p.DayRate,
		&p.Currency, &created, &updated, &p.Version}, d.dest(&p.Delivery)...)...)
	if err != nil {
		return p, err
	}
	d.fill(&p.Delivery)
	p.Status = Status(status)
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if err := errors.Join(json.Unmarshal([]byte(apps), &p.AppTypes), json.Unmarshal([]byte(checks), &p.Checklist),
		json.Unmarshal([]byte(feats), &p.Features)); err != nil {
		return p, fmt.Errorf("project %d: %w", p.ID, err)
	}
	return p, nil
}

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func get(ctx context.Context, q sqldb.Querier, id int64) (Project, error) {
	p, err := scan(q.QueryRow(ctx, `SELECT `+columns+from+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.Errorf(fault.NotFound, "custom project %d not found", id)
	}
	if err != nil {
		return p, fmt.Errorf("project: %d: %w", id, err)
	}
	return p, nil
}

// Get returns project id when a may see it.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Project, error) {
	p, err := get(ctx, s.db.R, id)
	if err != nil {
		return p, err
	}
	if err := s.visible(ctx, s.db.R, a, p); err != nil {
		return Project{}, err
	}
	return p, nil
}

// visible refuses a project a may not see: a pre-sale custom project by
// its lead; one in delivery by its owner, account, lead and team.
func (s *Service) visible(ctx context.Context, q sqldb.Querier, a access.Actor, p Project) error {
	if a.SeesAllLeads() {
		return nil
	}
	if p.Delivery.Status == "" && p.LeadID != 0 {
		_, err := s.leads.Get(ctx, a, p.LeadID)
		return err
	}
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM projects p WHERE p.id = ? AND `+seenBy, append([]any{p.ID}, seenByArgs(a)...)...).Scan(&n)
	if err != nil {
		return fmt.Errorf("project: access to %d: %w", p.ID, err)
	}
	if n == 0 {
		return fault.Errorf(fault.Forbidden, "project %d belongs to other sales users' accounts", p.ID)
	}
	return nil
}

// ForLead lists lead leadID's projects, newest first.
func (s *Service) ForLead(ctx context.Context, a access.Actor, leadID int64) ([]Project, error) {
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return nil, err
	}
	return forLead(ctx, s.db.R, leadID)
}

func forLead(ctx context.Context, q sqldb.Querier, leadID int64) ([]Project, error) {
	// A project opened from a deal names the lead too; the lead's page
	// lists its custom projects only.
	rows, err := q.Query(ctx, `SELECT `+columns+from+` WHERE p.lead_id = ? AND p.status <> '' ORDER BY p.id DESC`, leadID)
	if err != nil {
		return nil, fmt.Errorf("project: of lead %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []Project
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Open starts a project for lead leadID from in, by hand.
func (s *Service) Open(ctx context.Context, a access.Actor, leadID int64, in Input) (Project, error) {
	// Who may not see the lead learns that, not what was wrong with the
	// project.
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return Project{}, err
	}
	p, err := validate(in, true)
	if err != nil {
		return p, err
	}
	if p.Reason == "" {
		p.Reason = "opened by hand"
	}
	var out Project
	err = s.leads.Attach(ctx, a, leadID, KindProject, "custom project opened: "+p.Title, nil, func(tx *sqldb.Tx, l lead.Lead) error {
		var err error
		out, err = s.insert(ctx, tx, a, leadID, p)
		return err
	})
	return out, err
}

// OpenIfNone starts project p for lead leadID unless the lead has an
// open one already, which is returned instead (created false). The lead
// is locked while it looks, so two requests saved at once open one
// project. It is how a request that nothing fits opens its project.
func (s *Service) OpenIfNone(ctx context.Context, a access.Actor, leadID int64, p Project) (out Project, created bool, err error) {
	err = s.leads.Attach(ctx, a, leadID, KindProject, "custom project opened: "+p.Reason, nil, func(tx *sqldb.Tx, l lead.Lead) error {
		existing, err := forLead(ctx, tx, leadID)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.Open() {
				out = e
				return errExists
			}
		}
		out, err = s.insert(ctx, tx, a, leadID, p)
		created = err == nil
		return err
	})
	if errors.Is(err, errExists) {
		err = nil
	}
	return out, created, err
}

// errExists rolls back OpenIfNone's transaction, timeline entry and
// all, when the lead has an open project already.
var errExists = errors.New("project: the lead has an open project")

func (s *Service) insert(ctx context.Context, tx *sqldb.Tx, a access.Actor, leadID int64, p Project) (Project, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	p.LeadID, p.CreatedAt, p.UpdatedAt, p.Version = leadID, now, now, 1
	p.Type, p.ClientLanguage = CustomDevelopment, "en"
	if p.Status == "" {
		p.Status = Analysis
	}
	if p.Checklist == nil {
		p.Checklist = map[string]Check{}
	}
	if p.AppTypes == nil {
		p.AppTypes = []string{}
	}
	if p.Features == nil {
		p.Features = []Feature{}
	}
	err := tx.QueryRow(ctx, `INSERT INTO projects (lead_id, title, status, reason, app_types, checklist, features, constraints,
		day_rate, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		leadID, p.Title, string(p.Status), p.Reason, encode(p.AppTypes), encode(p.Checklist), encode(p.Features), p.Constraints,
		p.DayRate, p.Currency, now.UnixMilli(), now.UnixMilli()).Scan(&p.ID)
	if err != nil {
		return p, fmt.Errorf("project: insert for lead %d: %w", leadID, err)
	}
	return p, audit.Record(ctx, tx, a, "project.open", "project", p.ID, map[string]int64{"lead_id": leadID})
}

// Update replaces project id's fields with in. When version is not 0
// and the project has moved on from it, the change is refused as a
// conflict. A change of status is on the lead's timeline.
func (s *Service) Update(ctx context.Context, a access.Actor, id, version int64, in Input) (Project, error) {
	old, err := s.Get(ctx, a, id)
	if err != nil {
		return old, err
	}
	p, err := validate(in, false)
	if err != nil {
		return p, err
	}
	reason := "custom project updated"
	var detail map[string][2]string
	if p.Status != old.Status {
		reason = "custom project " + p.Title + ": " + p.Status.Label()
		detail = map[string][2]string{"project_status": {string(old.Status), string(p.Status)}}
	}
	var out Project
	err = s.leads.Attach(ctx, a, old.LeadID, KindProject, reason, detail, func(tx *sqldb.Tx, l lead.Lead) error {
		cur, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this project since you opened it; reload it and make your change again",
				Fields: map[string]string{"version": fmt.Sprint("is ", cur.Version, " now")}}
		}
		now := s.stamp()
		_, err = tx.Exec(ctx, `UPDATE projects SET title = ?, status = ?, app_types = ?, checklist = ?, features = ?,
			constraints = ?, day_rate = ?, currency = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			p.Title, string(p.Status), encode(p.AppTypes), encode(p.Checklist), encode(p.Features), p.Constraints, p.DayRate,
			p.Currency, now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("project: update %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, "project.update", "project", id, map[string]string{"status": string(p.Status)}); err != nil {
			return err
		}
		// Accepted, the same record goes on into delivery, its budget the
		// estimate's top.
		if p.Status == Accepted && !cur.InDelivery() {
			cur.Type, cur.Title = CustomDevelopment, p.Title
			if cur.OwnerID == 0 {
				cur.OwnerID = l.OwnerID
			}
			if cur.OwnerID == 0 {
				cur.OwnerID = a.ID // an unassigned lead's project is its accepter's to deliver
			}
			budget := p.Estimate().High
			if _, err := tx.Exec(ctx, `UPDATE projects SET type = ?, owner_id = ?, budget = CASE WHEN budget = 0 THEN ? ELSE budget END,
				account_id = COALESCE(account_id, ?) WHERE id = ?`, string(CustomDevelopment), nullID(cur.OwnerID), budget, nullID(l.Converted.AccountID), id); err != nil {
				return fmt.Errorf("project: accept %d: %w", id, err)
			}
			if err := s.startIn(ctx, tx, a, cur, now); err != nil {
				return err
			}
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
