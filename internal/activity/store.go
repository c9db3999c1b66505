package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

const columns = `a.id, a.kind, a.subject, a.notes, COALESCE(a.owner_id, 0), COALESCE(u.email, ''), a.due_at, a.all_day,
	a.duration_min, a.status, a.outcome, a.completed_at,
	COALESCE(a.lead_id, 0), COALESCE(a.contact_id, 0), COALESCE(a.account_id, 0), COALESCE(a.opportunity_id, 0),
	COALESCE(NULLIF(TRIM(l.first_name || ' ' || l.last_name), ''), l.email, NULLIF(TRIM(c.first_name || ' ' || c.last_name), ''), c.email, ac.name, o.name, ''),
	COALESCE(l.email, c.email, oc.email, ''),
	COALESCE(NULLIF(TRIM(l.first_name || ' ' || l.last_name), ''), NULLIF(TRIM(c.first_name || ' ' || c.last_name), ''),
		NULLIF(TRIM(oc.first_name || ' ' || oc.last_name), ''), ''),
	a.created_at, a.updated_at, a.version`

const from = ` FROM activities a LEFT JOIN users u ON u.id = a.owner_id
	LEFT JOIN leads l ON l.id = a.lead_id LEFT JOIN contacts c ON c.id = a.contact_id
	LEFT JOIN accounts ac ON ac.id = a.account_id LEFT JOIN opportunities o ON o.id = a.opportunity_id
	LEFT JOIN contacts oc ON oc.id = o.contact_id`

type scanner interface{ Scan(...any) error }

func scan(s scanner) (Activity, error) {
	var a Activity
	var due, allDay, minutes, created, updated int64
	var completed sql.NullInt64
	var leadID, contactID, accountID, oppID int64
	err := s.Scan(&a.ID, &a.Kind, &a.Subject, &a.Notes, &a.OwnerID, &a.OwnerEmail, &due, &allDay, &minutes, &a.Status, &a.Outcome,
		&completed, &leadID, &contactID, &accountID, &oppID, &a.Link.Name, &a.Attendee, &a.AttendeeName, &created, &updated, &a.Version)
	a.DueAt, a.AllDay, a.Duration = time.UnixMilli(due).UTC(), allDay != 0, time.Duration(minutes)*time.Minute
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if completed.Valid {
		t := time.UnixMilli(completed.Int64).UTC()
		a.CompletedAt = &t
	}
	switch {
	case leadID != 0:
		a.Link.Type, a.Link.ID = OnLead, leadID
	case contactID != 0:
		a.Link.Type, a.Link.ID = OnContact, contactID
	case accountID != 0:
		a.Link.Type, a.Link.ID = OnAccount, accountID
	case oppID != 0:
		a.Link.Type, a.Link.ID = OnOpportunity, oppID
	default:
		a.Link.Name = ""
	}
	return a, err
}

// find reads activity id, refusing one a may not see; lock is the
// FOR UPDATE clause of a transaction that goes on to write it, or "".
func find(ctx context.Context, q sqldb.Querier, a access.Actor, id int64, lock string) (Activity, error) {
	act, err := scan(q.QueryRow(ctx, `SELECT `+columns+from+` WHERE a.id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return act, fault.Errorf(fault.NotFound, "there is no activity %d", id)
	}
	if err != nil {
		return act, fmt.Errorf("activity: read %d: %w", id, err)
	}
	if !a.CanSeeLead(act.OwnerID) {
		return Activity{}, fault.Errorf(fault.Forbidden, "activity %d belongs to another sales user", id)
	}
	return act, nil
}

// linkColumn is the column of a link type.
func linkColumn(t string) string {
	switch t {
	case OnLead:
		return "lead_id"
	case OnContact:
		return "contact_id"
	case OnAccount:
		return "account_id"
	case OnOpportunity:
		return "opportunity_id"
	}
	return ""
}

// checkLink looks the linked record up, refusing one that does not exist
// or that a may not see (accounts are shared), and returns its name.
func checkLink(ctx context.Context, q sqldb.Querier, a access.Actor, l Link) (string, error) {
	var query string
	switch l.Type {
	case "":
		return "", nil
	case OnLead:
		query = `SELECT COALESCE(owner_id, 0), COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), email) FROM leads WHERE id = ?`
	case OnContact:
		query = `SELECT COALESCE(owner_id, 0), COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), email) FROM contacts WHERE id = ?`
	case OnAccount:
		query = `SELECT 0, name FROM accounts WHERE id = ?`
	case OnOpportunity:
		query = `SELECT COALESCE(owner_id, 0), name FROM opportunities WHERE id = ?`
	default:
		return "", &fault.Error{Code: fault.Invalid, Message: "unknown record type",
			Fields: map[string]string{"link_type": "must be one of " + strings.Join(LinkTypes, ", ")}}
	}
	var owner int64
	var name string
	err := q.QueryRow(ctx, query, l.ID).Scan(&owner, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &fault.Error{Code: fault.Invalid, Message: "the activity's record does not exist",
			Fields: map[string]string{"link_id": fmt.Sprintf("no %s has the id %d", l.Type, l.ID)}}
	}
	if err != nil {
		return "", fmt.Errorf("activity: look up %s %d: %w", l.Type, l.ID, err)
	}
	if !a.CanSeeLead(owner) {
		return "", &fault.Error{Code: fault.Forbidden, Message: "the record belongs to another sales user",
			Fields: map[string]string{"link_id": fmt.Sprintf("is another sales user's %s", l.Type)}}
	}
	return name, nil
}

// resolveOwner finds the user an email names; "" means a.
func resolveOwner(ctx context.Context, q sqldb.Querier, a access.Actor, email string, bad fault.Fields) (int64, string, error) {
	email = strings.TrimSpace(email)
	if email == "" || strings.EqualFold(email, a.Email) && a.ID != 0 {
		return a.ID, a.Email, nil
	}
	var id int64
	var got string
	err := q.QueryRow(ctx, `SELECT id, email FROM users WHERE lower(email) = lower(?) AND disabled_at IS NULL`, email).Scan(&id, &got)
	if errors.Is(err, sql.ErrNoRows) {
		bad.Add("owner", "no active user has this email")
		return 0, "", nil
	}
	return id, got, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func nullID(t string, l Link) any {
	if l.Type == t {
		return l.ID
	}
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func insert(ctx context.Context, tx *sqldb.Tx, act *Activity, createdBy int64) error {
	l := act.Link
	err := tx.QueryRow(ctx, `INSERT INTO activities (kind, subject, notes, owner_id, due_at, all_day, duration_min, status, outcome,
		completed_at, lead_id, contact_id, account_id, opportunity_id, created_by, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
		string(act.Kind), act.Subject, act.Notes, nullInt(act.OwnerID), act.DueAt.UnixMilli(), boolInt(act.AllDay),
		int64(act.Duration/time.Minute), string(act.Status), act.Outcome, nullTime(act.CompletedAt),
		nullID(OnLead, l), nullID(OnContact, l), nullID(OnAccount, l), nullID(OnOpportunity, l),
		nullInt(createdBy), act.CreatedAt.UnixMilli(), act.UpdatedAt.UnixMilli()).Scan(&act.ID)
	if err != nil {
		return fmt.Errorf("activity: insert: %w", err)
	}
	act.Version = 1
	return nil
}

func update(ctx context.Context, tx *sqldb.Tx, act Activity) error {
	l := act.Link
	_, err := tx.Exec(ctx, `UPDATE activities SET kind = ?, subject = ?, notes = ?, owner_id = ?, due_at = ?, all_day = ?, duration_min = ?,
		status = ?, outcome = ?, completed_at = ?, lead_id = ?, contact_id = ?, account_id = ?, opportunity_id = ?, updated_at = ?,
		version = version + 1 WHERE id = ?`,
		string(act.Kind), act.Subject, act.Notes, nullInt(act.OwnerID), act.DueAt.UnixMilli(), boolInt(act.AllDay),
		int64(act.Duration/time.Minute), string(act.Status), act.Outcome, nullTime(act.CompletedAt),
		nullID(OnLead, l), nullID(OnContact, l), nullID(OnAccount, l), nullID(OnOpportunity, l), act.UpdatedAt.UnixMilli(), act.ID)
	if err != nil {
		return fmt.Errorf("activity: update %d: %w", act.ID, err)
	}
	return nil
}
