package project

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Task is an activity linked to a project: the activities' own task,
// seen from the project.
type Task struct {
	ID          int64
	Subject     string
	OwnerID     int64
	OwnerEmail  string
	DueAt       time.Time
	AllDay      bool
	Status      string // planned, done, cancelled
	CompletedAt *time.Time
}

func insertTask(ctx context.Context, tx *sqldb.Tx, a access.Actor, p Project, subject string, owner int64, due time.Time, allDay bool, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO activities (kind, subject, owner_id, due_at, all_day, status, project_id, created_by, created_at, updated_at, version)
		VALUES ('task', ?, ?, ?, ?, 'planned', ?, ?, ?, ?, 1) RETURNING id`,
		subject, nullID(owner), due.UnixMilli(), map[bool]int64{true: 1, false: 0}[allDay], p.ID, nullID(a.ID), now.UnixMilli(), now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("project: task of %d: %w", p.ID, err)
	}
	return id, audit.Record(ctx, tx, a, "activity.create", "activity", id, map[string]any{"kind": "task", "project_id": p.ID})
}

// TaskInput is a new task in text.
type TaskInput struct {
	Subject  string
	Assignee string // an email; "" for the project's owner
	Due      string // a date, YYYY-MM-DD
}

// AddTask plans a task on project id.
func (s *Service) AddTask(ctx context.Context, a access.Actor, id int64, in TaskInput) (Task, error) {
	var out Task
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.locked(ctx, tx, a, id)
		if err != nil {
			return err
		}
		bad := fault.Fields{}
		subject := strings.TrimSpace(in.Subject)
		if subject == "" || utf8.RuneCountInString(subject) > 200 {
			bad.Add("subject", "is required, at most 200 characters")
		}
		due, derr := time.Parse(time.DateOnly, strings.TrimSpace(in.Due))
		if derr != nil {
			bad.Add("due_on", dateReason(in.Due))
		}
		owner := p.OwnerID
		if strings.TrimSpace(in.Assignee) != "" {
			uid, ok, err := userByEmail(ctx, tx, a, in.Assignee)
			if err != nil {
				return err
			}
			if !ok {
				bad.Add("assignee", "no active user has this email")
			}
			owner = uid
		}
		if owner == 0 {
			owner = a.ID
		}
		if err := bad.Err(); err != nil {
			return err
		}
		tid, err := insertTask(ctx, tx, a, p, subject, owner, due, true, s.stamp())
		if err != nil {
			return err
		}
		list, err := tasksIn(ctx, tx, id, tid)
		if err == nil && len(list) == 1 {
			out = list[0]
		}
		return err
	})
	return out, err
}

func tasksIn(ctx context.Context, q sqldb.Querier, projectID, only int64) ([]Task, error) {
	cond, args := "a.project_id = ?", []any{projectID}
	if only != 0 {
		cond, args = cond+" AND a.id = ?", append(args, only)
	}
	rows, err := q.Query(ctx, `SELECT a.id, a.subject, COALESCE(a.owner_id, 0), COALESCE(u.email, ''), a.due_at, a.all_day, a.status, a.completed_at
		FROM activities a LEFT JOIN users u ON u.id = a.owner_id WHERE `+cond+` ORDER BY a.due_at, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("project: tasks of %d: %w", projectID, err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var due, allDay int64
		var done sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Subject, &t.OwnerID, &t.OwnerEmail, &due, &allDay, &t.Status, &done); err != nil {
			return nil, err
		}
		t.DueAt, t.AllDay, t.CompletedAt = time.UnixMilli(due).UTC(), allDay != 0, timeOf(done)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Tasks returns project id's tasks, soonest due first.
func (s *Service) Tasks(ctx context.Context, a access.Actor, id int64) ([]Task, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return tasksIn(ctx, s.db.R, id, 0)
}

// Milestone is a dated point of a project.
type Milestone struct {
	ID        int64
	ProjectID int64
	Name      string
	DueOn     string // YYYY-MM-DD
	DoneAt    *time.Time
}

// Overdue reports whether the milestone's date has passed undone at
// today (YYYY-MM-DD).
func (m Milestone) Overdue(today string) bool { return m.DoneAt == nil && m.DueOn < today }

func insertMilestone(ctx context.Context, tx *sqldb.Tx, projectID int64, name, due string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO project_milestones (project_id, name, due_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		projectID, name, due, now.UnixMilli(), now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("project: milestone of %d: %w", projectID, err)
	}
	return id, nil
}

func milestonesIn(ctx context.Context, q sqldb.Querier, cond string, args ...any) ([]Milestone, error) {
	rows, err := q.Query(ctx, `SELECT id, project_id, name, due_on, done_at FROM project_milestones WHERE `+cond+` ORDER BY due_on, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("project: milestones: %w", err)
	}
	defer rows.Close()
	var out []Milestone
	for rows.Next() {
		var m Milestone
		var done sql.NullInt64
		if err := rows.Scan(&m.ID, &m.ProjectID, &m.Name, &m.DueOn, &done); err != nil {
			return nil, err
		}
		m.DoneAt = timeOf(done)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Milestones returns project id's milestones by date.
func (s *Service) Milestones(ctx context.Context, a access.Actor, id int64) ([]Milestone, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return milestonesIn(ctx, s.db.R, "project_id = ?", id)
}

// MilestoneInput is a milestone in text; nil fields keep their value.
type MilestoneInput struct {
	Name, DueOn *string
	Done        *bool
}

func (in MilestoneInput) apply(m *Milestone, bad fault.Fields) {
	if in.Name != nil {
		m.Name = strings.TrimSpace(*in.Name)
		if m.Name == "" || utf8.RuneCountInString(m.Name) > 200 {
			bad.Add("name", "is required, at most 200 characters")
		}
	}
	if in.DueOn != nil {
		m.DueOn = strings.TrimSpace(*in.DueOn)
		if _, err := time.Parse(time.DateOnly, m.DueOn); err != nil {
			bad.Add("due_on", dateReason(m.DueOn))
		}
	}
}

// AddMilestone adds a milestone to project id.
func (s *Service) AddMilestone(ctx context.Context, a access.Actor, id int64, in MilestoneInput) (Milestone, error) {
	if in.Name == nil {
		in.Name = Str("")
	}
	if in.DueOn == nil {
		in.DueOn = Str("")
	}
	var out Milestone
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := s.locked(ctx, tx, a, id); err != nil {
			return err
		}
		m := Milestone{ProjectID: id}
		bad := fault.Fields{}
		in.apply(&m, bad)
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		mid, err := insertMilestone(ctx, tx, id, m.Name, m.DueOn, now)
		if err != nil {
			return err
		}
		if in.Done != nil && *in.Done {
			if _, err := tx.Exec(ctx, `UPDATE project_milestones SET done_at = ? WHERE id = ?`, now.UnixMilli(), mid); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, a, "milestone.create", "project", id, map[string]any{"milestone_id": mid}); err != nil {
			return err
		}
		list, err := milestonesIn(ctx, tx, "id = ?", mid)
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// ChangeMilestone changes milestone mid; done marks it reached now.
func (s *Service) ChangeMilestone(ctx context.Context, a access.Actor, mid int64, in MilestoneInput) (Milestone, error) {
	var out Milestone
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		list, err := milestonesIn(ctx, tx, "id = ?", mid)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return fault.Errorf(fault.NotFound, "milestone %d not found", mid)
		}
		m := list[0]
		if _, err := s.locked(ctx, tx, a, m.ProjectID); err != nil {
			return err
		}
		bad := fault.Fields{}
		in.apply(&m, bad)
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		done := any(nil)
		if m.DoneAt != nil {
			done = m.DoneAt.UnixMilli()
		}
		if in.Done != nil {
			switch {
			case *in.Done && m.DoneAt == nil:
				done = now.UnixMilli()
			case !*in.Done:
				done = nil
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE project_milestones SET name = ?, due_on = ?, done_at = ?, updated_at = ? WHERE id = ?`,
			m.Name, m.DueOn, done, now.UnixMilli(), mid); err != nil {
			return fmt.Errorf("project: milestone %d: %w", mid, err)
		}
		if err := audit.Record(ctx, tx, a, "milestone.update", "project", m.ProjectID, map[string]any{"milestone_id": mid}); err != nil {
			return err
		}
		list, err = milestonesIn(ctx, tx, "id = ?", mid)
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// TimeEntry is time logged on a project, at the rate of its day.
type TimeEntry struct {
	ID        int64
	ProjectID int64
	TaskID    int64 // 0 when not against a task
	UserID    int64
	UserEmail string
	WorkedOn  string
	Minutes   int64
	Rate      int64 // per hour, minor units
	Cost      int64 // minor units
	Note      string
	CreatedAt time.Time
}

// Cost is minutes at an hourly rate, rounded to the nearest minor unit.
func Cost(minutes, rate int64) int64 { return int64(math.Round(float64(minutes) * float64(rate) / 60)) }

// RateFor is the hourly rate of user uid of role: their own, else their
// role's, else 0.
func (st Settings) RateFor(uid int64, role access.Role) int64 {
	if r, ok := st.Rates["user:"+strconv.FormatInt(uid, 10)]; ok {
		return r
	}
	return st.Rates["role:"+string(role)]
}

// TimeInput is time to log, in text.
type TimeInput struct {
	TaskID   int64
	User     string // an email; "" for the one logging (admins log for others)
	WorkedOn string // YYYY-MM-DD; today when ""
	Hours    string // such as 1.5
	Note     string
}

// LogTime records time on project id at the worker's rate.
func (s *Service) LogTime(ctx context.Context, a access.Actor, id int64, in TimeInput) (TimeEntry, error) {
	var out TimeEntry
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := s.locked(ctx, tx, a, id); err != nil {
			return err
		}
		now := s.stamp()
		bad := fault.Fields{}
		e := TimeEntry{ProjectID: id, TaskID: in.TaskID, UserID: a.ID, WorkedOn: strings.TrimSpace(in.WorkedOn), Note: strings.TrimSpace(in.Note)}
		if e.WorkedOn == "" {
			e.WorkedOn = now.Format(time.DateOnly)
		} else if _, err := time.Parse(time.DateOnly, e.WorkedOn); err != nil {
			bad.Add("worked_on", "must be a date as YYYY-MM-DD")
		}
		h, err := strconv.ParseFloat(strings.TrimSpace(in.Hours), 64)
		if err != nil || h <= 0 || h > 24 {
			bad.Add("hours", "must be hours worked, more than 0 and at most 24, such as 1.5")
		}
		e.Minutes = int64(math.Round(h * 60))
		if utf8.RuneCountInString(e.Note) > 1000 {
			bad.Add("note", "must be at most 1,000 characters")
		}
		role := a.Role
		if strings.TrimSpace(in.User) != "" {
			uid, ok, err := userByEmail(ctx, tx, a, in.User)
			if err != nil {
				return err
			}
			switch {
			case !ok:
				bad.Add("user", "no active user has this email")
			case uid != a.ID && !a.ManagesSettings():
				bad.Add("user", "only admins log time for others")
			default:
				e.UserID = uid
				if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = ?`, uid).Scan(&role); err != nil {
					return err
				}
			}
		}
		if e.TaskID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM activities WHERE id = ? AND project_id = ?`, e.TaskID, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				bad.Add("task_id", "is not a task of this project")
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		st, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		e.Rate = st.RateFor(e.UserID, role)
		e.Cost = Cost(e.Minutes, e.Rate)
		err = tx.QueryRow(ctx, `INSERT INTO project_time (project_id, activity_id, user_id, worked_on, minutes, rate, cost, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, nullID(e.TaskID), nullID(e.UserID), e.WorkedOn, e.Minutes, e.Rate, e.Cost,
			e.Note, now.UnixMilli()).Scan(&e.ID)
		if err != nil {
			return fmt.Errorf("project: log time on %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, "project.time", "project", id, map[string]any{"time_entry_id": e.ID, "minutes": e.Minutes}); err != nil {
			return err
		}
		list, err := timeIn(ctx, tx, "t.id = ?", e.ID)
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

func timeIn(ctx context.Context, q sqldb.Querier, cond string, args ...any) ([]TimeEntry, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.project_id, COALESCE(t.activity_id, 0), COALESCE(t.user_id, 0), COALESCE(u.email, ''),
		t.worked_on, t.minutes, t.rate, t.cost, t.note, t.created_at FROM project_time t LEFT JOIN users u ON u.id = t.user_id
		WHERE `+cond+` ORDER BY t.worked_on DESC, t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("project: time: %w", err)
	}
	defer rows.Close()
	var out []TimeEntry
	for rows.Next() {
		var e TimeEntry
		var created int64
		if err := rows.Scan(&e.ID, &e.ProjectID, &e.TaskID, &e.UserID, &e.UserEmail, &e.WorkedOn, &e.Minutes, &e.Rate, &e.Cost,
			&e.Note, &created); err != nil {
			return nil, err
		}
		e.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Time returns project id's time entries, latest first.
func (s *Service) Time(ctx context.Context, a access.Actor, id int64) ([]TimeEntry, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return timeIn(ctx, s.db.R, "t.project_id = ?", id)
}

// Costs is a project's cost against its budget and its estimate.
type Costs struct {
	Minutes int64
	Cost    int64 // Σ time entries' minutes × rate / 60
	Budget  int64
	// Share is cost / budget in percent; 0 without a budget.
	Share float64
	// WarnAt is the admin's share; Warning is set once Share passes it.
	WarnAt  int
	Warning bool
	// EstimateLow and EstimateHigh are a custom project's estimate;
	// 0 otherwise.
	EstimateLow, EstimateHigh int64
}

// CostsOf computes a project's costs from its entries.
func CostsOf(p Project, entries []TimeEntry, warnAt int) Costs {
	c := Costs{Budget: p.Budget, WarnAt: warnAt}
	for _, e := range entries {
		c.Minutes += e.Minutes
		c.Cost += e.Cost
	}
	if c.Budget > 0 {
		c.Share = float64(c.Cost) * 100 / float64(c.Budget)
		c.Warning = c.Share > float64(warnAt)
	}
	if len(p.Features) > 0 {
		e := p.Estimate()
		c.EstimateLow, c.EstimateHigh = e.Low, e.High
	}
	return c
}

// Costs returns project id's costs so far.
func (s *Service) Costs(ctx context.Context, a access.Actor, id int64) (Costs, error) {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return Costs{}, err
	}
	entries, err := timeIn(ctx, s.db.R, "t.project_id = ?", id)
	if err != nil {
		return Costs{}, err
	}
	st, err := settingsIn(ctx, s.db.R)
	if err != nil {
		return Costs{}, err
	}
	return CostsOf(p, entries, st.WarnAt), nil
}

// dateReason is why s is not a due date: none was given, or what was
// given is not a day of the calendar (31 February, "tomorrow").
func dateReason(s string) string {
	if strings.TrimSpace(s) == "" {
		return "is required: a date as YYYY-MM-DD"
	}
	return "must be a date as YYYY-MM-DD"
}
