package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Stage is one step of a project type's delivery.
type Stage struct {
	ID       int64
	Type     Type
	Name     string
	Position int
}

func stagesIn(ctx context.Context, q sqldb.Querier, t Type) ([]Stage, error) {
	rows, err := q.Query(ctx, `SELECT id, type, name, position FROM project_stages WHERE type = ? AND archived_at IS NULL
		ORDER BY position, id`, string(t))
	if err != nil {
		return nil, fmt.Errorf("project: stages of %s: %w", t, err)
	}
	defer rows.Close()
	var out []Stage
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.ID, &st.Type, &st.Name, &st.Position); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Stages returns type t's stages in order.
func (s *Service) Stages(ctx context.Context, t Type) ([]Stage, error) {
	if !t.valid() {
		return nil, &fault.Error{Code: fault.Invalid, Message: "unknown project type",
			Fields: map[string]string{"type": "must be implementation or custom_development"}}
	}
	return stagesIn(ctx, s.db.R, t)
}

// StageInput is one stage of an edited list: an existing stage keeps its
// id (and so its history) whatever its new name or place; one without
// an id is new.
type StageInput struct {
	ID   int64
	Name string
}

// SetStages replaces type t's stages by list, in its order (admins
// only). A stage left out is archived: the history that passed through
// it keeps its name. A stage that projects stand in cannot be left out.
func (s *Service) SetStages(ctx context.Context, a access.Actor, t Type, list []StageInput) ([]Stage, error) {
	if !a.ManagesSettings() {
		return nil, fault.Errorf(fault.Forbidden, "only admins change the project stages")
	}
	if !t.valid() {
		return nil, &fault.Error{Code: fault.Invalid, Message: "unknown project type",
			Fields: map[string]string{"type": "must be implementation or custom_development"}}
	}
	bad := fault.Fields{}
	seen := map[string]bool{}
	var keep []StageInput
	for i, in := range list {
		in.Name = strings.TrimSpace(in.Name)
		key := fmt.Sprintf("stages.%d.name", i)
		switch {
		case in.Name == "" && in.ID == 0:
			continue // a blank form row
		case in.Name == "" || utf8.RuneCountInString(in.Name) > 60:
			bad.Add(key, "is required, at most 60 characters")
		case seen[strings.ToLower(in.Name)]:
			bad.Add(key, fmt.Sprintf("%q is listed twice", in.Name))
		}
		seen[strings.ToLower(in.Name)] = true
		keep = append(keep, in)
	}
	if len(keep) == 0 {
		bad.Add("stages", "list at least one stage")
	}
	if len(keep) > 30 {
		bad.Add("stages", "list at most 30 stages")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	var out []Stage
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockKey(ctx, "project-stages"); err != nil {
			return err
		}
		old, err := stagesIn(ctx, tx, t)
		if err != nil {
			return err
		}
		now := s.stamp()
		kept := map[int64]bool{}
		for i, in := range keep {
			if in.ID == 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO project_stages (type, name, position) VALUES (?, ?, ?)`, string(t), in.Name, i+1); err != nil {
					return fmt.Errorf("project: add stage: %w", err)
				}
				continue
			}
			res, err := tx.Exec(ctx, `UPDATE project_stages SET name = ?, position = ? WHERE id = ? AND type = ? AND archived_at IS NULL`,
				in.Name, i+1, in.ID, string(t))
			if err != nil {
				return fmt.Errorf("project: stage %d: %w", in.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				bad.Add(fmt.Sprintf("stages.%d.id", i), fmt.Sprintf("no %s stage has the id %d", t, in.ID))
			}
			kept[in.ID] = true
		}
		for _, st := range old {
			if kept[st.ID] {
				continue
			}
			// Locked before counting: a move into it waits, or is seen.
			var n int
			if err := tx.QueryRow(ctx, `SELECT id FROM project_stages WHERE id = ?`+tx.ForUpdate(), st.ID).Scan(new(int64)); err != nil {
				return fmt.Errorf("project: lock stage %d: %w", st.ID, err)
			}
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM projects WHERE stage_id = ? AND delivery IN ('active', 'on_hold')`, st.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				bad.Add("stages", fmt.Sprintf("%q holds %d projects: move them on before removing it", st.Name, n))
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE project_stages SET archived_at = ? WHERE id = ?`, now.UnixMilli(), st.ID); err != nil {
				return fmt.Errorf("project: archive stage %d: %w", st.ID, err)
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		if out, err = stagesIn(ctx, tx, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "project.stages", "project_type", 0, map[string]any{"type": t, "stages": len(out)})
	})
	return out, err
}

func enterStage(ctx context.Context, tx *sqldb.Tx, a access.Actor, projectID, stageID int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE project_stage_history SET left_at = ? WHERE project_id = ? AND left_at IS NULL`, now.UnixMilli(), projectID); err != nil {
		return fmt.Errorf("project: leave stage of %d: %w", projectID, err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO project_stage_history (project_id, stage_id, entered_at, actor_id) VALUES (?, ?, ?, ?)`,
		projectID, stageID, now.UnixMilli(), nullID(a.ID))
	if err != nil {
		return fmt.Errorf("project: enter stage of %d: %w", projectID, err)
	}
	return nil
}

// Move puts project id in stage stageID, one of its type's, from
// version when it is not 0.
func (s *Service) Move(ctx context.Context, a access.Actor, id, version, stageID int64) (Project, error) {
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.locked(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this project since you opened it; reload it and move it again",
				Fields: map[string]string{"version": fmt.Sprint("is ", p.Version, " now")}}
		}
		if !p.InDelivery() {
			return &fault.Error{Code: fault.Conflict, Message: "the project is still in pre-sale",
				Fields: map[string]string{"stage_id": "a project moves through stages once in delivery"}}
		}
		// The stage is locked while the project enters it, so an admin
		// removing it at once either waits and sees the project there,
		// or goes first and this move finds no such stage.
		var name string
		err = tx.QueryRow(ctx, `SELECT name FROM project_stages WHERE id = ? AND type = ? AND archived_at IS NULL`+tx.ForUpdate(),
			stageID, string(p.Type)).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return &fault.Error{Code: fault.Invalid, Message: "unknown stage",
				Fields: map[string]string{"stage_id": fmt.Sprintf("is not a stage of %s projects", p.Type.Label())}}
		}
		if err != nil {
			return err
		}
		if stageID == p.StageID {
			out = p
			return nil
		}
		now := s.stamp()
		if _, err := tx.Exec(ctx, `UPDATE projects SET stage_id = ?, updated_at = ?, version = version + 1 WHERE id = ?`, stageID, now.UnixMilli(), id); err != nil {
			return fmt.Errorf("project: move %d: %w", id, err)
		}
		if err := enterStage(ctx, tx, a, id, stageID, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "project.move", "project", id, map[string]string{"from": p.StageName, "to": name}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// Visit is one stay of a project in a stage.
type Visit struct {
	StageID   int64
	StageName string
	Entered   time.Time
	Left      *time.Time // nil while the project is there
	By        string
}

// StageTime is the time a project spent in a stage, over all its stays.
type StageTime struct {
	StageID   int64
	StageName string
	Position  int // the stage's place today; 0 when archived
	Time      time.Duration
	Current   bool
}

// TimeInStages sums visits by stage at now (a stay not yet over counts
// up to now), in the order the stages were first entered.
func TimeInStages(visits []Visit, now time.Time) []StageTime {
	var out []StageTime
	at := map[int64]int{}
	for _, v := range visits {
		end := now
		if v.Left != nil {
			end = *v.Left
		}
		i, ok := at[v.StageID]
		if !ok {
			i = len(out)
			at[v.StageID] = i
			out = append(out, StageTime{StageID: v.StageID, StageName: v.StageName})
		}
		if d := end.Sub(v.Entered); d > 0 {
			out[i].Time += d
		}
		out[i].Current = v.Left == nil
	}
	return out
}

// History returns project id's stage visits, oldest first.
func (s *Service) History(ctx context.Context, a access.Actor, id int64) ([]Visit, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT h.stage_id, st.name, h.entered_at, h.left_at, COALESCE(u.email, '')
		FROM project_stage_history h JOIN project_stages st ON st.id = h.stage_id LEFT JOIN users u ON u.id = h.actor_id
		WHERE h.project_id = ? ORDER BY h.entered_at, h.id`, id)
	if err != nil {
		return nil, fmt.Errorf("project: history of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		var v Visit
		var entered int64
		var left sql.NullInt64
		if err := rows.Scan(&v.StageID, &v.StageName, &entered, &left, &v.By); err != nil {
			return nil, err
		}
		v.Entered, v.Left = time.UnixMilli(entered).UTC(), timeOf(left)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Now is the service's clock, for callers that show times relative to it.
func (s *Service) Now() time.Time { return s.stamp() }

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }
