package project

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Settings are the admin's choices for projects.
type Settings struct {
	AutoFromWon bool // a won deal opens its project by itself
	DefaultType Type // the type such a project gets
	// WarnAt is the share of the budget, in percent, past which a
	// project's cost is flagged.
	WarnAt int
	// Rates are hourly rates in minor units, by "user:<id>" or
	// "role:<role>"; a user's own rate wins over their role's.
	Rates map[string]int64
}

// Template is a task or milestone a project of its type starts with.
type Template struct {
	ID         int64
	Type       Type
	Kind       string // task or milestone
	Name       string
	OffsetDays int // from the project's start
}

func settingsIn(ctx context.Context, q sqldb.Querier) (Settings, error) {
	st := Settings{DefaultType: Implementation, WarnAt: 80, Rates: map[string]int64{}}
	rows, err := q.Query(ctx, `SELECT key, value FROM settings WHERE key LIKE 'projects.%'`)
	if err != nil {
		return st, fmt.Errorf("project: settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return st, err
		}
		switch k {
		case "projects.auto_from_won":
			st.AutoFromWon = v == "1"
		case "projects.default_type":
			st.DefaultType = Type(v)
		case "projects.warn_at":
			st.WarnAt, _ = strconv.Atoi(v)
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	rates, err := q.Query(ctx, `SELECT subject, rate FROM project_rates`)
	if err != nil {
		return st, fmt.Errorf("project: rates: %w", err)
	}
	defer rates.Close()
	for rates.Next() {
		var k string
		var v int64
		if err := rates.Scan(&k, &v); err != nil {
			return st, err
		}
		st.Rates[k] = v
	}
	return st, rates.Err()
}

// Settings returns the project settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return settingsIn(ctx, s.db.R) }

// SettingsInput is the settings as a form or the API sends them, in
// text; nil fields keep their value. Rates are by "user:<email>" or
// "role:<role>", amounts per hour such as 65 or 72.50; a blank amount
// removes the rate.
type SettingsInput struct {
	AutoFromWon *bool
	DefaultType *string
	WarnAt      *string
	Rates       map[string]string
	Templates   map[Type][]TemplateInput
}

// TemplateInput is one template row in text.
type TemplateInput struct{ Kind, Name, OffsetDays string }

// SaveSettings stores in (admins only), naming each bad field.
func (s *Service) SaveSettings(ctx context.Context, a access.Actor, in SettingsInput) (Settings, error) {
	if !a.ManagesSettings() {
		return Settings{}, fault.Errorf(fault.Forbidden, "only admins change the project settings")
	}
	var out Settings
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		bad := fault.Fields{}
		put := map[string]string{}
		if in.AutoFromWon != nil {
			put["projects.auto_from_won"] = map[bool]string{true: "1", false: "0"}[*in.AutoFromWon]
		}
		if in.DefaultType != nil {
			if t := Type(strings.TrimSpace(*in.DefaultType)); t.valid() {
				put["projects.default_type"] = string(t)
			} else {
				bad.Add("default_type", "must be implementation or custom_development")
			}
		}
		if in.WarnAt != nil {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(*in.WarnAt), "%"))
			if err != nil || n < 1 || n > 1000 {
				bad.Add("warn_at", "must be a share of the budget in percent, from 1 to 1000, such as 80")
			}
			put["projects.warn_at"] = strconv.Itoa(n)
		}
		rates := map[string]*int64{}
		for k, v := range in.Rates {
			subject, err := rateSubject(ctx, tx, k)
			if err != nil {
				bad.Add("rates."+k, err.Error())
				continue
			}
			if strings.TrimSpace(v) == "" {
				rates[subject] = nil
				continue
			}
			m, ok := catalog.Minor(v)
			if !ok || m <= 0 {
				bad.Add("rates."+k, "must be an amount per hour such as 65 or 72.50")
				continue
			}
			rates[subject] = &m
		}
		templates := map[Type][]Template{}
		for t, rows := range in.Templates {
			if !t.valid() {
				bad.Add("templates", "types are implementation and custom_development")
				continue
			}
			templates[t] = readTemplates(t, rows, bad)
		}
		if err := bad.Err(); err != nil {
			return err
		}
		for k, v := range put {
			if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return fmt.Errorf("project: setting %s: %w", k, err)
			}
		}
		for k, v := range rates {
			if _, err := tx.Exec(ctx, `DELETE FROM project_rates WHERE subject = ?`, k); err != nil {
				return err
			}
			if v != nil {
				if _, err := tx.Exec(ctx, `INSERT INTO project_rates (subject, rate) VALUES (?, ?)`, k, *v); err != nil {
					return err
				}
			}
		}
		for t, list := range templates {
			if _, err := tx.Exec(ctx, `DELETE FROM project_templates WHERE type = ?`, string(t)); err != nil {
				return err
			}
			for i, tp := range list {
				if _, err := tx.Exec(ctx, `INSERT INTO project_templates (type, kind, name, offset_days, position) VALUES (?, ?, ?, ?, ?)`,
					string(t), tp.Kind, tp.Name, tp.OffsetDays, i+1); err != nil {
					return err
				}
			}
		}
		var err error
		if out, err = settingsIn(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "project.settings", "settings", 0, map[string]any{"warn_at": out.WarnAt, "rates": len(out.Rates)})
	})
	return out, err
}

// rateSubject reads "user:<email>" or "role:<role>" into the stored key.
func rateSubject(ctx context.Context, q sqldb.Querier, k string) (string, error) {
	kind, v, _ := strings.Cut(strings.TrimSpace(k), ":")
	switch kind {
	case "role":
		if !access.Role(v).Valid() {
			return "", fmt.Errorf("must name a role: admin, marketing or sales")
		}
		return "role:" + v, nil
	case "user":
		id, ok, err := userByEmail(ctx, q, access.Actor{}, v)
		if err != nil || !ok || strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("%s is not an active user", v)
		}
		return "user:" + strconv.FormatInt(id, 10), nil
	}
	return "", fmt.Errorf("must be user:<email> or role:<role>")
}

func readTemplates(t Type, rows []TemplateInput, bad fault.Fields) []Template {
	out := []Template{}
	for i, r := range rows {
		name, kind, off := strings.TrimSpace(r.Name), strings.TrimSpace(r.Kind), strings.TrimSpace(r.OffsetDays)
		if name == "" && off == "" {
			continue
		}
		key := fmt.Sprintf("templates.%s.%d.", t, i)
		if name == "" || utf8.RuneCountInString(name) > 200 {
			bad.Add(key+"name", "is required, at most 200 characters")
		}
		if !slices.Contains([]string{"task", "milestone"}, kind) {
			bad.Add(key+"kind", "must be task or milestone")
		}
		n, err := strconv.Atoi(off)
		if off == "" {
			n, err = 0, nil
		}
		if err != nil || n < 0 || n > 3650 {
			bad.Add(key+"offset_days", "must be whole days from the start, 0 to 3650")
		}
		out = append(out, Template{Type: t, Kind: kind, Name: name, OffsetDays: n})
	}
	return out
}

// Templates returns type t's templates in order.
func (s *Service) Templates(ctx context.Context, t Type) ([]Template, error) {
	return templatesIn(ctx, s.db.R, t)
}

func templatesIn(ctx context.Context, q sqldb.Querier, t Type) ([]Template, error) {
	rows, err := q.Query(ctx, `SELECT id, type, kind, name, offset_days FROM project_templates WHERE type = ? ORDER BY position, id`, string(t))
	if err != nil {
		return nil, fmt.Errorf("project: templates of %s: %w", t, err)
	}
	defer rows.Close()
	var out []Template
	for rows.Next() {
		var tp Template
		if err := rows.Scan(&tp.ID, &tp.Type, &tp.Kind, &tp.Name, &tp.OffsetDays); err != nil {
			return nil, err
		}
		out = append(out, tp)
	}
	return out, rows.Err()
}

// applyTemplates plans p's standard tasks (activities linked to it,
// owned by its owner, all-day on their date) and milestones from start.
func (s *Service) applyTemplates(ctx context.Context, tx *sqldb.Tx, a access.Actor, p Project, start string, now time.Time) error {
	list, err := templatesIn(ctx, tx, p.Type)
	if err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return fmt.Errorf("project: start date %q: %w", start, err)
	}
	for _, tp := range list {
		due := day.AddDate(0, 0, tp.OffsetDays)
		if tp.Kind == "milestone" {
			if _, err := insertMilestone(ctx, tx, p.ID, tp.Name, due.Format(time.DateOnly), now); err != nil {
				return err
			}
			continue
		}
		if _, err := insertTask(ctx, tx, a, p, tp.Name, p.OwnerID, due, true, now); err != nil {
			return err
		}
	}
	return nil
}

// RateNames names st's rates as the settings take them: user:<email>
// or role:<role>.
func (s *Service) RateNames(ctx context.Context, st Settings) (map[string]string, error) {
	out := map[string]string{}
	for k := range st.Rates {
		out[k] = k
		if id, ok := strings.CutPrefix(k, "user:"); ok {
			var email string
			if err := s.db.R.QueryRow(ctx, `SELECT email FROM users WHERE id = ?`, id).Scan(&email); err == nil {
				out[k] = "user:" + email
			}
		}
	}
	return out, nil
}
