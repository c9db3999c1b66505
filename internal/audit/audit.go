// Package audit keeps the audit log: who changed what and when, for
// admins to read and export.
//
// By design the log holds no personal data of leads or contacts. A lead,
// account, form or landing page change records which fields changed,
// never their values; a corrected submission, the names of the fields
// corrected; an import, its size and mapped fields, not its file's name;
// a deal, a contact, a user, a rule or a setting is named by its id; an
// export records its filter without its free-text search; a privacy
// export or erasure records the ids and counts, never the email. So erasing a person
// (internal/privacy) leaves every audit row in place, still meaningful,
// and none of them names the person. Users are named: the actor's email
// is copied into each row, so the row keeps saying who acted after the
// user is deleted.
//
// Record is called inside the transaction of the change it records, so a
// change is logged exactly when it is committed.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/sqldb"
)

// SystemActor is the actor recorded for access.System: the CLI, jobs and
// demo data.
const SystemActor = "leadflow"

// Entry is one row of the audit log.
type Entry struct {
	ID int64
	At time.Time
	// ActorID is the acting user's id, 0 for leadflow itself or a user
	// since deleted.
	ActorID int64
	// Actor is the acting user's email when they acted, or "leadflow".
	Actor       string
	Action      string
	SubjectType string
	// SubjectID is 0 when the action has no single subject (an export,
	// a setting).
	SubjectID int64
	// Detail is a JSON object; "{}" when there is nothing more to say.
	Detail json.RawMessage
}

// Record writes one entry: a did action (such as "lead.update") to the
// subject subjectType/subjectID (0 for none), with detail encoded as
// JSON (nil for none). Call it with the transaction of the change.
func Record(ctx context.Context, q sqldb.Querier, a access.Actor, action, subjectType string, subjectID int64, detail any) error {
	d := []byte("{}")
	if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("audit: encode %s detail: %w", action, err)
		}
	}
	var actorID, subject sql.NullInt64
	name := SystemActor
	if a.ID != 0 {
		actorID = sql.NullInt64{Int64: a.ID, Valid: true}
		name = a.Email
	}
	if subjectID != 0 {
		subject = sql.NullInt64{Int64: subjectID, Valid: true}
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, subject_type, subject_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		time.Now().UTC().UnixMilli(), actorID, name, action, subjectType, subject, string(d))
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// Fields returns the sorted names of the fields in a diff: what a lead
// change records instead of the values.
func Fields[V any](diff map[string]V) []string {
	out := make([]string, 0, len(diff))
	for k := range diff {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
