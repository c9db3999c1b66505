package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// The jobs of this package.
const (
	// DispatchJob turns webhook_events into deliveries.
	DispatchJob = "webhook.dispatch"
	// DeliverJob sends one delivery.
	DeliverJob = "webhook.deliver"
	// PurgeJob forgets deliveries older than KeepDeliveries, daily.
	PurgeJob = "webhook.purge"
)

// KeepDeliveries is how long the delivery log keeps a message that has
// ended (delivered, failed or skipped).
const KeepDeliveries = 30 * 24 * time.Hour

// Purge is the daily job that deletes the deliveries, with their
// attempts, that ended more than KeepDeliveries ago.
func (s *Service) Purge(ctx context.Context, _ job.Job) error {
	_, err := s.db.W.Exec(ctx, `DELETE FROM webhook_deliveries WHERE status <> ? AND updated_at < ?`,
		Pending, s.now().Add(-KeepDeliveries).UnixMilli())
	return wrap("purge", err)
}

// DispatchEvery is how often the dispatch job runs without being woken:
// the longest an event made outside a request (an import, a rescore)
// waits to be sent.
const DispatchEvery = 5 * time.Second

// dispatchBatch is how many events one transaction turns into deliveries.
const dispatchBatch = 200

// Wake enqueues the dispatch job to run now, once however many
// instances and requests ask within the same second.
func Wake(ctx context.Context, r *job.Runner) (int64, error) {
	now := time.Now()
	return r.Enqueue(ctx, DispatchJob, nil, job.EnqueueOptions{Unique: fmt.Sprintf("%s@now%d", DispatchJob, now.Unix()), MaxAttempts: 3})
}

// event is a row of webhook_events.
type event struct {
	id     int64
	source string
	refID  int64
	leadID int64
	kind   string
	detail string
	at     time.Time
}

// Message is what a receiver gets: the Standard Webhooks payload shape.
type Message struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// keepDispatches is how long finished dispatch jobs stay listed: one is
// enqueued every few seconds.
const keepDispatches = 10 * time.Minute

// Dispatch is the dispatch job: it turns every waiting event into a
// delivery for each active subscription that wants it, in batches, then
// forgets its own finished runs.
func (s *Service) Dispatch(ctx context.Context, _ job.Job) error {
	var waiting int
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM webhook_events LIMIT 1) w`).Scan(&waiting); err != nil {
		return wrap("dispatch", err)
	}
	queued := 0
	for waiting > 0 {
		n, made, err := s.dispatchBatch(ctx)
		queued += made
		if err != nil {
			return err
		}
		if n < dispatchBatch {
			break
		}
	}
	if queued > 0 && s.Jobs != nil {
		s.Jobs.Wake()
	}
	_, err := job.PurgeKind(ctx, s.db.W, DispatchJob, time.Now().Add(-keepDispatches))
	return err
}

// dispatchBatch handles up to dispatchBatch events in one transaction,
// which deletes them as it queues their deliveries; on PostgreSQL,
// another instance's dispatch skips the rows this one holds.
func (s *Service) dispatchBatch(ctx context.Context) (int, int, error) {
	var n, made int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n, made = 0, 0
		rows, err := tx.Query(ctx, `SELECT id, source, ref_id, COALESCE(lead_id, 0), kind, detail, at FROM webhook_events
			ORDER BY id LIMIT ?`+tx.SkipLocked(), dispatchBatch)
		if err != nil {
			return wrap("dispatch", err)
		}
		var events []event
		for rows.Next() {
			var e event
			var at int64
			if err := rows.Scan(&e.id, &e.source, &e.refID, &e.leadID, &e.kind, &e.detail, &at); err != nil {
				rows.Close()
				return wrap("dispatch", err)
			}
			e.at = time.UnixMilli(at).UTC()
			events = append(events, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(events) == 0 {
			return wrap("dispatch", err)
		}
		n = len(events)
		subs, err := activeSubscriptions(ctx, tx)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(events))
		for _, e := range events {
			ids = append(ids, fmt.Sprint(e.id))
			k, err := s.queue(ctx, tx, e, subs)
			if err != nil {
				return err
			}
			made += k
		}
		_, err = tx.Exec(ctx, `DELETE FROM webhook_events WHERE id IN (`+strings.Join(ids, ", ")+`)`)
		return wrap("dispatch", err)
	})
	return n, made, err
}

func activeSubscriptions(ctx context.Context, q sqldb.Querier) ([]Subscription, error) {
	rows, err := q.Query(ctx, `SELECT `+columns+` FROM webhooks WHERE disabled_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, wrap("subscriptions", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scan(rows)
		if err != nil {
			return nil, wrap("subscriptions", err)
		}
		out = append(out, sub)
	}
	return out, wrap("subscriptions", rows.Err())
}

// queue stores e's deliveries, one per subscription and event type, with
// a job for each. The payload is made once, when the first subscription
// wants it.
func (s *Service) queue(ctx context.Context, tx *sqldb.Tx, e event, subs []Subscription) (int, error) {
	made := 0
	var data map[string]any
	// leadID ties a delivery to a lead that still exists, so that it is
	// erased with the lead.
	var leadID any
	for _, typ := range typesOf(e) {
		for _, sub := range subs {
			if !sub.Wants(typ) {
				continue
			}
			if data == nil {
				var err error
				if data, err = s.dataOf(ctx, tx, e); err != nil {
					return made, err
				}
				if l, ok := data["lead"].(map[string]any); ok && e.source == "lead_change" && l["deleted"] == nil {
					leadID = e.leadID
				}
			}
			body, err := json.Marshal(Message{Type: typ, Timestamp: e.at, Data: data})
			if err != nil {
				return made, wrap("payload", err)
			}
			now := s.now().UnixMilli()
			var id int64
			err = tx.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, lead_id, msg_id, event, payload, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, sub.ID, leadID, newMessageID(), typ, string(body), now, now).Scan(&id)
			if err != nil {
				return made, wrap("queue delivery", err)
			}
			if _, _, err := job.Enqueue(ctx, tx, DeliverJob, deliverArgs{ID: id}, job.EnqueueOptions{
				Unique: fmt.Sprintf("webhook:%d", id), MaxAttempts: s.Attempts}); err != nil {
				return made, err
			}
			made++
		}
	}
	return made, nil
}

// newMessageID is a webhook-id: unique across messages, the same on each
// attempt of one.
func newMessageID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// typesOf maps an event row to the event types it is.
func typesOf(e event) []string {
	switch e.source {
	case "lead_delete":
		return []string{"lead.deleted"}
	case "opportunity":
		return []string{"opportunity." + e.kind}
	case "submission":
		return []string{"form.submission_refused"}
	case "import":
		return []string{"import.finished"}
	}
	switch e.kind {
	case lead.KindCreated:
		return []string{"lead.created"}
	case lead.KindUpdated, lead.KindOwner, lead.KindQualified:
		return []string{"lead.updated"}
	case lead.KindMerged:
		return []string{"lead.merged"}
	case lead.KindConverted:
		return []string{"lead.converted"}
	case lead.KindStage:
		out := []string{"lead.stage_changed"}
		switch changeOf(e.detail)["stage"][1] {
		case string(lead.MQL):
			out = append(out, "lead.mql")
		case string(lead.SQL):
			out = append(out, "lead.sql")
		}
		return out
	case lead.KindScore:
		if _, ok := changeOf(e.detail)["grade"]; ok {
			return []string{"lead.grade_changed"}
		}
	}
	return nil
}

// changeOf reads a timeline entry's detail: field → [old, new].
func changeOf(detail string) map[string][2]string {
	var d map[string][2]string
	if detail != "" {
		json.Unmarshal([]byte(detail), &d)
	}
	return d
}

// dataOf is the data of e's messages: the lead, deal, submission or
// import as it is when the event is sent out (moments after it
// happened), with the change itself when it is a timeline entry.
func (s *Service) dataOf(ctx context.Context, tx *sqldb.Tx, e event) (map[string]any, error) {
	switch e.source {
	case "lead_delete":
		return map[string]any{"lead": map[string]any{"id": e.leadID}}, nil
	case "lead_change":
		out := map[string]any{"change": map[string]any{"kind": e.kind, "detail": changeOf(e.detail), "at": e.at}}
		l, err := s.leads.Get(ctx, access.System, e.leadID)
		switch {
		case fault.CodeOf(err) == fault.NotFound:
			out["lead"] = map[string]any{"id": e.leadID, "deleted": true}
		case err != nil:
			return nil, err
		default:
			out["lead"] = leadData(l)
		}
		return out, nil
	case "opportunity":
		return opportunityData(ctx, tx, e.refID, e.detail)
	case "submission":
		return submissionData(ctx, tx, e.refID, e.detail)
	case "import":
		return importData(ctx, tx, e.refID)
	}
	return nil, fmt.Errorf("webhook: event %d of unknown source %q", e.id, e.source)
}

func leadData(l lead.Lead) map[string]any {
	var owner any
	if l.OwnerEmail != "" {
		owner = l.OwnerEmail
	}
	return map[string]any{"id": l.ID, "email": l.Email, "first_name": l.FirstName, "last_name": l.LastName,
		"phone": l.Phone, "company": l.Company, "job_title": l.JobTitle, "industry": l.Industry, "country": l.Country,
		"city": l.City, "source": l.Source, "utm_source": l.UTMSource, "utm_medium": l.UTMMedium, "utm_campaign": l.UTMCampaign,
		"consent": l.Consent, "stage": l.Stage, "score": l.Score, "grade": l.Grade, "owner": owner,
		"created_at": l.CreatedAt, "updated_at": l.UpdatedAt}
}

func opportunityData(ctx context.Context, q sqldb.Querier, id int64, reason string) (map[string]any, error) {
	var name, currency, stage, lost, owner string
	var amount, closed *int64
	var account int64
	err := q.QueryRow(ctx, `SELECT o.name, o.amount, o.currency, o.stage, o.lost_reason, o.account_id, COALESCE(u.email, ''), o.closed_at
		FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id WHERE o.id = ?`, id).
		Scan(&name, &amount, &currency, &stage, &lost, &account, &owner, &closed)
	if errors.Is(err, errNoRows) {
		return map[string]any{"opportunity": map[string]any{"id": id, "deleted": true}}, nil
	}
	if err != nil {
		return nil, wrap("opportunity", err)
	}
	o := map[string]any{"id": id, "name": name, "amount": amount, "currency": currency, "stage": stage,
		"lost_reason": lost, "account_id": account, "owner": nilIfEmpty(owner), "reason": reason}
	if closed != nil {
		o["closed_at"] = time.UnixMilli(*closed).UTC()
	}
	return map[string]any{"opportunity": o}, nil
}

// submissionData names the form and why the submission was refused;
// what the visitor typed stays in leadflow, for review.
func submissionData(ctx context.Context, q sqldb.Querier, id int64, reasons string) (map[string]any, error) {
	var formID int64
	var form string
	var received int64
	err := q.QueryRow(ctx, `SELECT COALESCE(s.form_id, 0), COALESCE(f.name, ''), s.received_at FROM submissions s
		LEFT JOIN forms f ON f.id = s.form_id WHERE s.id = ?`, id).Scan(&formID, &form, &received)
	if errors.Is(err, errNoRows) {
		return map[string]any{"submission": map[string]any{"id": id, "deleted": true}}, nil
	}
	if err != nil {
		return nil, wrap("submission", err)
	}
	fields := map[string]string{}
	if reasons != "" {
		json.Unmarshal([]byte(reasons), &fields)
	}
	return map[string]any{"submission": map[string]any{"id": id, "form_id": formID, "form": form,
		"received_at": time.UnixMilli(received).UTC(), "fields": fields}}, nil
}

func importData(ctx context.Context, q sqldb.Querier, id int64) (map[string]any, error) {
	var file, status, why string
	var rows, created, updated, unchanged, rejected int64
	err := q.QueryRow(ctx, `SELECT file_name, status, error, rows_done, created, updated, unchanged, rejected FROM imports WHERE id = ?`, id).
		Scan(&file, &status, &why, &rows, &created, &updated, &unchanged, &rejected)
	if errors.Is(err, errNoRows) {
		return map[string]any{"import": map[string]any{"id": id, "deleted": true}}, nil
	}
	if err != nil {
		return nil, wrap("import", err)
	}
	return map[string]any{"import": map[string]any{"id": id, "file_name": file, "status": status, "error": why,
		"rows": rows, "created": created, "updated": updated, "unchanged": unchanged, "rejected": rejected}}, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
