package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/job"
	"leadflow/internal/mail"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

var errNoRows = sql.ErrNoRows

// Delivery statuses.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
	Skipped   = "skipped" // its subscription was disabled before it left
)

type deliverArgs struct {
	ID int64 `json:"id"`
}

// Delivery is one message to one subscription, with its attempts.
type Delivery struct {
	ID        int64
	WebhookID int64
	MsgID     string
	Event     string
	Payload   string
	Status    string
	CreatedAt time.Time
	Attempts  []Attempt // newest first
}

// Attempt is one try of a delivery.
type Attempt struct {
	At         time.Time
	StatusCode int // 0 when no answer came
	Latency    time.Duration
	Response   string // the start of the answer's body
	Error      string
}

// excerpt is how much of an answer's body the log keeps.
const excerpt = 500

// Deliver is the delivery job: it sends the message once, records the
// attempt, and asks to be tried again after Retry while attempts are
// left. A subscription whose attempts fail DisableAfter times in a row
// is disabled, and its waiting deliveries are skipped.
func (s *Service) Deliver(ctx context.Context, j job.Job) error {
	var args deliverArgs
	if err := j.Decode(&args); err != nil {
		return err
	}
	var d Delivery
	var created int64
	err := s.db.R.QueryRow(ctx, `SELECT id, webhook_id, msg_id, event, payload, status, created_at FROM webhook_deliveries WHERE id = ?`, args.ID).
		Scan(&d.ID, &d.WebhookID, &d.MsgID, &d.Event, &d.Payload, &d.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // erased with its lead or its subscription
	}
	if err != nil || d.Status != Pending {
		return wrap("deliver", err)
	}
	sub, err := get(ctx, s.db.R, d.WebhookID)
	if fault.CodeOf(err) == fault.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !sub.Active() {
		return s.end(ctx, d.ID, Skipped)
	}
	a := s.send(ctx, sub, d)
	failed := a.Error != "" || a.StatusCode < 200 || a.StatusCode > 299
	// An address refused as private stays so: no point trying again.
	last := j.Attempt >= j.MaxAttempts || a.Error == ErrPrivateAddress.Error()
	disabled, err := s.record(ctx, sub, d, a, failed, last)
	if err != nil || !failed {
		return err
	}
	why := a.Error
	if why == "" {
		why = fmt.Sprintf("answered %d", a.StatusCode)
	}
	if disabled || last {
		return job.Permanent(fmt.Errorf("webhook %d, delivery %d: %s", sub.ID, d.ID, why))
	}
	return job.RetryIn(fmt.Errorf("webhook %d, delivery %d: %s", sub.ID, d.ID, why), s.Retry(j.Attempt))
}

// send makes one attempt; it never returns an error, only an Attempt
// that says what happened.
func (s *Service) send(ctx context.Context, sub Subscription, d Delivery) Attempt {
	start := s.now()
	a := Attempt{At: start.UTC()}
	body := []byte(d.Payload)
	sig, err := Sign(sub.Secret, d.MsgID, start, body)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "leadflow-webhooks")
	req.Header.Set("webhook-id", d.MsgID)
	req.Header.Set("webhook-timestamp", fmt.Sprint(start.Unix()))
	req.Header.Set("webhook-signature", sig)
	resp, err := client(sub.AllowPrivate, s.Timeout).Do(req)
	if err != nil {
		a.Latency = s.now().Sub(start)
		a.Error = describe(err)
		return a
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, excerpt))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	a.Latency = s.now().Sub(start)
	a.StatusCode = resp.StatusCode
	a.Response = strings.ToValidUTF8(string(b), string(utf8.RuneError))
	return a
}

// describe says why an attempt got no answer, without the URL the
// client's error repeats (the log shows it next to the attempt).
// DisabledAfter is the reason kept with a webhook turned off after
// failures attempts in a row failed, the last for last.
func DisabledAfter(failures int, last string) string {
	return fmt.Sprintf("disabled after %d failed attempts in a row; the last: %s", failures, last)
}

// NoAnswerInTime is an attempt's error when the receiver did not answer
// within the timeout.
const NoAnswerInTime = "no answer within the time allowed"

func describe(err error) string {
	if errors.Is(err, ErrPrivateAddress) {
		return ErrPrivateAddress.Error()
	}
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return NoAnswerInTime
	}
	var u interface{ Unwrap() error }
	if errors.As(err, &u) && u.Unwrap() != nil {
		return u.Unwrap().Error()
	}
	return err.Error()
}

// record writes the attempt, the delivery's status and the
// subscription's count of failures in a row, disabling it when the
// count reaches DisableAfter; it reports whether it did.
func (s *Service) record(ctx context.Context, sub Subscription, d Delivery, a Attempt, failed, last bool) (bool, error) {
	disabled := false
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		disabled = false
		now := s.now().UnixMilli()
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, webhook_id, at, status_code, latency_ms, response, error)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, sub.ID, a.At.UnixMilli(), a.StatusCode, a.Latency.Milliseconds(), a.Response, a.Error); err != nil {
			return wrap("record attempt", err)
		}
		status := Pending
		switch {
		case !failed:
			status = Delivered
		case last:
			status = Failed
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`,
			status, now, d.ID); err != nil {
			return wrap("record attempt", err)
		}
		if !failed {
			_, err := tx.Exec(ctx, `UPDATE webhooks SET failures = 0 WHERE id = ? AND failures <> 0`, sub.ID)
			return wrap("record attempt", err)
		}
		var failures int
		var off sql.NullInt64
		if err := tx.QueryRow(ctx, `UPDATE webhooks SET failures = failures + 1 WHERE id = ? RETURNING failures, disabled_at`, sub.ID).
			Scan(&failures, &off); err != nil {
			return wrap("record attempt", err)
		}
		if failures < s.DisableAfter || off.Valid {
			return nil
		}
		disabled = true
		why := DisabledAfter(failures, lastError(a))
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ?`, now, why, sub.ID); err != nil {
			return wrap("disable", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, updated_at = ? WHERE webhook_id = ? AND status = ?`,
			Skipped, now, sub.ID, Pending); err != nil {
			return wrap("disable", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ? WHERE id = ?`, Failed, d.ID); err != nil {
			return wrap("disable", err)
		}
		if err := s.tellAdmins(ctx, tx, sub, failures, lastError(a), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, access.System, "webhook.disable", "webhook", sub.ID, map[string]any{"reason": why})
	})
	if disabled {
		s.Log.Warn("webhook disabled", "webhook", sub.ID, "url", sub.URL, "failures", s.DisableAfter)
		if s.Mail != nil {
			s.Mail.Wake()
		}
	}
	return disabled, err
}

// tellAdmins queues, in tx, an email to every active admin saying that
// sub was disabled after failures attempts, the last failing with last;
// each in the admin's language. Nothing when email is off.
func (s *Service) tellAdmins(ctx context.Context, tx *sqldb.Tx, sub Subscription, failures int, last string, now int64) error {
	if s.Mail == nil || !s.Mail.Config().Configured() {
		return nil
	}
	admins, err := sqldb.Column[int64](ctx, tx, `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id`)
	if err != nil {
		return wrap("admins to tell", err)
	}
	page := fmt.Sprintf("%s/settings/webhooks/%d", s.Mail.Config().BaseURL, sub.ID)
	for _, id := range admins {
		var to string
		if err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = ?`, id).Scan(&to); err != nil {
			return wrap("admin to tell", err)
		}
		l := i18n.For(user.LanguageOf(ctx, tx, id))
		_, err := s.Mail.Queue(ctx, tx, mail.Message{Kind: "webhook.disabled", To: to, Subject: l.T("webhook.disabled_subject", "URL", sub.URL),
			Text: l.T("webhook.disabled_text", "URL", sub.URL, "Count", failures, "Last", last, "Page", page),
			Key:  fmt.Sprintf("webhook.disabled:%d:%d:%s", sub.ID, now, to)})
		if err != nil {
			return err
		}
	}
	return nil
}

func lastError(a Attempt) string {
	if a.Error != "" {
		return a.Error
	}
	return fmt.Sprintf("answered %d", a.StatusCode)
}

// end sets a delivery's final status.
func (s *Service) end(ctx context.Context, id int64, status string) error {
	_, err := s.db.W.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, updated_at = ? WHERE id = ?`, status, s.now().UnixMilli(), id)
	return wrap("end delivery", err)
}

// Deliveries returns subscription id's latest deliveries, newest first,
// each with its attempts.
func (s *Service) Deliveries(ctx context.Context, a access.Actor, id int64, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 200)
	// One statement, so that a delivery's status and its attempts are read
	// at the same moment: with two, an attempt recorded between them
	// showed an answer beside a status still pending.
	rows, err := s.db.R.Query(ctx, `SELECT d.id, d.webhook_id, d.msg_id, d.event, d.payload, d.status, d.created_at,
			a.at, a.status_code, a.latency_ms, a.response, a.error
		FROM (SELECT id, webhook_id, msg_id, event, payload, status, created_at FROM webhook_deliveries
			WHERE webhook_id = ? ORDER BY id DESC LIMIT ?) d
		LEFT JOIN webhook_attempts a ON a.delivery_id = d.id
		ORDER BY d.id DESC, a.id DESC`, id, limit)
	if err != nil {
		return nil, wrap("deliveries", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var created int64
		var when, code, ms sql.NullInt64
		var response, aerr sql.NullString
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.MsgID, &d.Event, &d.Payload, &d.Status, &created,
			&when, &code, &ms, &response, &aerr); err != nil {
			return nil, wrap("deliveries", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != d.ID {
			d.CreatedAt = time.UnixMilli(created).UTC()
			out = append(out, d)
		}
		if when.Valid { // else the delivery has no attempt yet
			last := &out[len(out)-1]
			last.Attempts = append(last.Attempts, Attempt{At: time.UnixMilli(when.Int64).UTC(), StatusCode: int(code.Int64),
				Latency: time.Duration(ms.Int64) * time.Millisecond, Response: response.String, Error: aerr.String})
		}
	}
	return out, wrap("deliveries", rows.Err())
}

// Redeliver sends delivery id again, with the same webhook-id, as a new
// round of attempts; its subscription must be active. It returns the
// delivery's subscription.
func (s *Service) Redeliver(ctx context.Context, a access.Actor, id int64) (int64, error) {
	if err := MayManage(a); err != nil {
		return 0, err
	}
	var webhookID int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var disabled sql.NullInt64
		var status string
		err := tx.QueryRow(ctx, `SELECT d.webhook_id, d.status, w.disabled_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.id = ?`+tx.ForUpdate("d"), id).Scan(&webhookID, &status, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "delivery %d not found", id)
		}
		if err != nil {
			return wrap("redeliver", err)
		}
		if disabled.Valid {
			return fault.Errorf(fault.Conflict, "webhook %d is disabled; enable it first", webhookID)
		}
		if status == Pending {
			return fault.Errorf(fault.Conflict, "delivery %d is still being tried", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, updated_at = ? WHERE id = ?`, Pending, s.now().UnixMilli(), id); err != nil {
			return wrap("redeliver", err)
		}
		if _, _, err := job.Enqueue(ctx, tx, DeliverJob, deliverArgs{ID: id}, job.EnqueueOptions{MaxAttempts: s.Attempts}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "webhook.redeliver", "webhook", webhookID, map[string]any{"delivery": id})
	})
	if err == nil && s.Jobs != nil {
		s.Jobs.Wake()
	}
	return webhookID, err
}

// TestEvent is the type of the message SendTest sends.
const TestEvent = "webhook.test"

// SendTest queues a test message to active subscription id, whatever
// events it asks for, so that an admin can check the receiver and its
// signature check; it returns the delivery's id.
func (s *Service) SendTest(ctx context.Context, a access.Actor, id int64) (int64, error) {
	if err := MayManage(a); err != nil {
		return 0, err
	}
	var delivery int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		sub, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if !sub.Active() {
			return fault.Errorf(fault.Conflict, "webhook %d is disabled; enable it first", id)
		}
		now := s.now().UTC()
		body, err := json.Marshal(Message{Type: TestEvent, Timestamp: now, Data: map[string]any{"webhook_id": id,
			"message": "A test message from leadflow: when its signature checks out, your receiver is ready."}})
		if err != nil {
			return wrap("test", err)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, msg_id, event, payload, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, newMessageID(), TestEvent, string(body), now.UnixMilli(), now.UnixMilli()).Scan(&delivery); err != nil {
			return wrap("test", err)
		}
		if _, _, err := job.Enqueue(ctx, tx, DeliverJob, deliverArgs{ID: delivery}, job.EnqueueOptions{
			Unique: fmt.Sprintf("webhook:%d", delivery), MaxAttempts: s.Attempts}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "webhook.test", "webhook", id, map[string]any{"delivery": delivery})
	})
	if err == nil && s.Jobs != nil {
		s.Jobs.Wake()
	}
	return delivery, err
}
