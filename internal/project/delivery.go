package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Type is the kind of work a project delivers; each has its own stages
// and templates.
type Type string

// The project types.
const (
	Implementation    Type = "implementation"
	CustomDevelopment Type = "custom_development"
)

// Types lists the project types.
var Types = []Type{Implementation, CustomDevelopment}

// Label is the type for people.
func (t Type) Label() string {
	return map[Type]string{Implementation: "Implementation", CustomDevelopment: "Custom development"}[t]
}

func (t Type) valid() bool { return t == Implementation || t == CustomDevelopment }

// DeliveryStatus is where a project in delivery stands; "" before
// delivery.
type DeliveryStatus string

// The delivery statuses.
const (
	Active        DeliveryStatus = "active"
	OnHold        DeliveryStatus = "on_hold"
	Done          DeliveryStatus = "done"
	Cancelled     DeliveryStatus = "cancelled"
	NotDelivering DeliveryStatus = ""
)

// DeliveryStatuses lists the statuses of a project in delivery.
var DeliveryStatuses = []DeliveryStatus{Active, OnHold, Done, Cancelled}

// Label is the status for people.
func (s DeliveryStatus) Label() string {
	return map[DeliveryStatus]string{Active: "Active", OnHold: "On hold", Done: "Done", Cancelled: "Cancelled", "": "Pre-sale"}[s]
}

// Languages are the languages a client's status page can be in.
var Languages = []string{"en", "ro", "it", "nb"}

// Delivery is a project's delivery: who, what for, when, how much, and
// where it stands.
type Delivery struct {
	Type            Type
	AccountID       int64
	AccountName     string
	ContactID       int64
	ContactName     string
	OpportunityID   int64
	OpportunityName string
	OwnerID         int64
	OwnerEmail      string
	Status          DeliveryStatus
	StageID         int64
	StageName       string
	StartOn, DueOn  string // dates, YYYY-MM-DD; "" when not set
	Budget          int64  // minor units of the project's currency
	StartedAt       *time.Time
	DeliveredAt     *time.Time
	ClientLanguage  string
	StatusLink      bool // a client status link is live
}

// InDelivery reports whether the project has started delivery.
func (d Delivery) InDelivery() bool { return d.Status != NotDelivering }

const deliveryColumns = `p.type, COALESCE(p.account_id, 0), COALESCE(ac.name, ''), COALESCE(p.contact_id, 0),
	COALESCE(NULLIF(TRIM(c.first_name || ' ' || c.last_name), ''), c.email, ''), COALESCE(p.opportunity_id, 0), COALESCE(o.name, ''),
	COALESCE(p.owner_id, 0), COALESCE(u.email, ''), p.delivery, COALESCE(p.stage_id, 0), COALESCE(st.name, ''), p.start_on, p.due_on,
	p.budget, p.started_at, p.delivered_at, p.client_language, p.status_hash IS NOT NULL`

const from = ` FROM projects p LEFT JOIN accounts ac ON ac.id = p.account_id LEFT JOIN contacts c ON c.id = p.contact_id
	LEFT JOIN opportunities o ON o.id = p.opportunity_id LEFT JOIN users u ON u.id = p.owner_id
	LEFT JOIN project_stages st ON st.id = p.stage_id`

type deliveryScan struct {
	typ, status       string
	started, finished sql.NullInt64
}

func (s *deliveryScan) dest(d *Delivery) []any {
	return []any{&s.typ, &d.AccountID, &d.AccountName, &d.ContactID, &d.ContactName, &d.OpportunityID, &d.OpportunityName,
		&d.OwnerID, &d.OwnerEmail, &s.status, &d.StageID, &d.StageName, &d.StartOn, &d.DueOn, &d.Budget, &s.started, &s.finished,
		&d.ClientLanguage, &d.StatusLink}
}

func (s *deliveryScan) fill(d *Delivery) {
	d.Type, d.Status = Type(s.typ), DeliveryStatus(s.status)
	d.StartedAt, d.DeliveredAt = timeOf(s.started), timeOf(s.finished)
}

func timeOf(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

// seenBy is the condition (over projects p) a sales user sees a project
// in delivery by: they own it, its account or its lead, or are on its
// team. seenByArgs gives its arguments.
const seenBy = `(p.owner_id = ? OR p.account_id IN (SELECT id FROM accounts WHERE owner_id = ?)
	OR p.lead_id IN (SELECT id FROM leads WHERE owner_id = ?)
	OR p.id IN (SELECT project_id FROM project_members WHERE user_id = ?))`

func seenByArgs(a access.Actor) []any { return []any{a.ID, a.ID, a.ID, a.ID} }

// locked reads project id for a transaction that goes on to write it,
// refusing one a may not see.
func (s *Service) locked(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64) (Project, error) {
	// The row is locked on its own: PostgreSQL will not lock the
	// nullable side of the joins that read it.
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM projects WHERE id = ?`+tx.ForUpdate(), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return Project{}, fault.Errorf(fault.NotFound, "project %d not found", id)
	}
	if err != nil {
		return Project{}, fmt.Errorf("project: lock %d: %w", id, err)
	}
	p, err := get(ctx, tx, id)
	if err != nil {
		return p, err
	}
	return p, s.visible(ctx, tx, a, p)
}

// startIn puts project p into delivery: active, at its type's first
// stage, its start date today unless set, and its type's templates
// planned from the start date.
func (s *Service) startIn(ctx context.Context, tx *sqldb.Tx, a access.Actor, p Project, now time.Time) error {
	stages, err := stagesIn(ctx, tx, p.Type)
	if err != nil {
		return err
	}
	if len(stages) == 0 {
		return fault.Errorf(fault.Invalid, "the project type %s has no stages; an admin lists them first", p.Type)
	}
	// The first stage is locked as the project enters it (see Move).
	err = tx.QueryRow(ctx, `SELECT id FROM project_stages WHERE id = ? AND archived_at IS NULL`+tx.ForUpdate(), stages[0].ID).Scan(new(int64))
	if errors.Is(err, sql.ErrNoRows) {
		return fault.Errorf(fault.Conflict, "the stages of %s projects changed just now; try again", p.Type.Label())
	}
	if err != nil {
		return fmt.Errorf("project: lock stage %d: %w", stages[0].ID, err)
	}
	start := p.StartOn
	if start == "" {
		start = now.Format(time.DateOnly)
	}
	_, err = tx.Exec(ctx, `UPDATE projects SET delivery = ?, stage_id = ?, start_on = ?, started_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ?`, string(Active), stages[0].ID, start, now.UnixMilli(), now.UnixMilli(), p.ID)
	if err != nil {
		return fmt.Errorf("project: start %d: %w", p.ID, err)
	}
	if err := enterStage(ctx, tx, a, p.ID, stages[0].ID, now); err != nil {
		return err
	}
	if err := s.applyTemplates(ctx, tx, a, p, start, now); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a, "project.start", "project", p.ID, map[string]any{"type": p.Type, "stage": stages[0].Name})
}

// nullID is NULL for 0, so a foreign key is left empty.
func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
