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
	"leadflow/internal/linktoken"
	"leadflow/internal/sqldb"
)

// OpenStatusLink makes a new secret link to project id's client status
// page and returns its token; a link made before stops working. Only the
// token's hash is kept, so the link is shown once.
func (s *Service) OpenStatusLink(ctx context.Context, a access.Actor, id int64) (string, error) {
	token, hash := linktoken.New()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.locked(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !p.InDelivery() {
			return &fault.Error{Code: fault.Conflict, Message: "the project is still in pre-sale",
				Fields: map[string]string{"status": "a status page opens once the project is in delivery"}}
		}
		if _, err := tx.Exec(ctx, `UPDATE projects SET status_hash = ? WHERE id = ?`, hash, id); err != nil {
			return fmt.Errorf("project: status link of %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "project.status_link", "project", id, map[string]bool{"open": true})
	})
	return token, err
}

// RevokeStatusLink stops project id's status link from working.
func (s *Service) RevokeStatusLink(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := s.locked(ctx, tx, a, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE projects SET status_hash = NULL WHERE id = ?`, id); err != nil {
			return fmt.Errorf("project: revoke status link of %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "project.status_link", "project", id, map[string]bool{"open": false})
	})
}

// ClientStatus is what a client's status page shows: where the project
// stands, and nothing of its costs.
type ClientStatus struct {
	Title, Account string
	Language       string
	Status         DeliveryStatus
	Stage          string
	Stages         []string // the type's stages in order
	StageIndex     int      // Stage's place in Stages, from 0; -1 when not there
	NextMilestone  *Milestone
	Done           []DoneItem // latest first
	DueOn          string
}

// DoneItem is one thing done lately: a completed task, a reached
// milestone, a stage finished.
type DoneItem struct {
	At   time.Time
	What string
	// Milestone marks a reached milestone, What its name: the page says
	// so in the client's language.
	Milestone bool
}

// StatusByToken returns the client status of the project whose live link
// holds token; not found for any other token.
func (s *Service) StatusByToken(ctx context.Context, token string) (ClientStatus, error) {
	var id int64
	err := s.db.R.QueryRow(ctx, `SELECT id FROM projects WHERE status_hash = ?`, linktoken.Hash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return ClientStatus{}, fault.Errorf(fault.NotFound, "this status link does not work (any more)")
	}
	if err != nil {
		return ClientStatus{}, fmt.Errorf("project: status link: %w", err)
	}
	p, err := get(ctx, s.db.R, id)
	if err != nil {
		return ClientStatus{}, err
	}
	cs := ClientStatus{Title: p.Title, Account: p.AccountName, Language: p.ClientLanguage, Status: p.Delivery.Status,
		Stage: p.StageName, StageIndex: -1, DueOn: p.DueOn}
	stages, err := stagesIn(ctx, s.db.R, p.Type)
	if err != nil {
		return cs, err
	}
	for i, st := range stages {
		cs.Stages = append(cs.Stages, st.Name)
		if st.ID == p.StageID {
			cs.StageIndex = i
		}
	}
	ms, err := milestonesIn(ctx, s.db.R, "project_id = ?", id)
	if err != nil {
		return cs, err
	}
	for i := range ms {
		if ms[i].DoneAt == nil {
			cs.NextMilestone = &ms[i]
			break
		}
	}
	rows, err := s.db.R.Query(ctx, `SELECT completed_at, subject FROM activities WHERE project_id = ? AND status = 'done'
		AND completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT 5`, id)
	if err != nil {
		return cs, fmt.Errorf("project: done tasks of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		var what string
		if err := rows.Scan(&at, &what); err != nil {
			return cs, err
		}
		cs.Done = append(cs.Done, DoneItem{At: time.UnixMilli(at).UTC(), What: what})
	}
	if err := rows.Err(); err != nil {
		return cs, err
	}
	for _, m := range ms {
		if m.DoneAt != nil {
			cs.Done = append(cs.Done, DoneItem{At: *m.DoneAt, What: m.Name, Milestone: true})
		}
	}
	sortDone(cs.Done)
	if len(cs.Done) > 5 {
		cs.Done = cs.Done[:5]
	}
	return cs, nil
}

func sortDone(d []DoneItem) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].At.After(d[j-1].At); j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}
