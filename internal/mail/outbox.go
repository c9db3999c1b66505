package mail

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/ratelimit"
	"leadflow/internal/sqldb"
)

// JobKind is the job that delivers one outbox message.
const JobKind = "mail.send"

// sendAttempts is how often a message is tried before it is given up:
// with the job system's back-off (attempt⁴+1 s, at most an hour) the
// last try comes about four hours after the first.
const sendAttempts = 8

// Outbox statuses.
const (
	Queued  = "queued"
	Sent    = "sent"
	Failed  = "failed"  // given up after a permanent or repeated failure
	Bounced = "bounced" // the server refused the address for good
)

// ErrNotConfigured is returned by Queue when no SMTP server is set:
// nothing is queued that could never leave.
var ErrNotConfigured = errors.New("email is not configured: set " + EnvHost + " and " + EnvFrom)

// Message is one email to queue.
type Message struct {
	Kind    string // what it is for: "consent.confirm", "invitation"
	To      string
	Subject string
	Text    string
	HTML    string // optional alternative part
	LeadID  int64  // the lead it is about, if any: erased with the lead
	// Key, when set, makes queueing idempotent: a second message with
	// the same key is not made.
	Key string
	// Headers are extra header fields, such as List-Unsubscribe.
	Headers map[string]string
	// EnrolmentID and Step name the sequence step that sends it.
	EnrolmentID int64
	Step        int
}

// Outbox stores messages and delivers them.
type Outbox struct {
	db   *sqldb.DB
	cfg  Config
	send func(ctx context.Context, cfg Config, m Stored) error
	// Jobs, when set, is woken when a message is queued so that it
	// leaves at once rather than at the next poll.
	Jobs *job.Runner
	// OnBounce, when set, is told of a message whose address the server
	// refused for good, after the address is suppressed.
	OnBounce func(ctx context.Context, m Stored)
	// PerDomain, when set, limits the messages sent to each recipient
	// domain: receiving servers throttle, then refuse, senders that send
	// them too much at once. A message over the limit waits its turn
	// without using up its attempts.
	PerDomain ratelimit.Limiter
}

// NewOutbox returns an outbox over db that sends with cfg.
func NewOutbox(db *sqldb.DB, cfg Config) *Outbox { return &Outbox{db: db, cfg: cfg, send: deliver} }

// Config is the outbox's sending configuration.
func (o *Outbox) Config() Config { return o.cfg }

// Stored is a message in the outbox.
type Stored struct {
	ID        int64
	Kind      string
	LeadID    int64
	To        string
	Subject   string
	Text      string
	HTML      string
	MessageID string
	Status    string
	Attempts  int
	Error     string
	CreatedAt time.Time
	SentAt    time.Time
	Headers   map[string]string
	// EnrolmentID and Step name the sequence step that sent it, if one did.
	EnrolmentID int64
	Step        int
	OpenedAt    time.Time
	ClickedAt   time.Time
}

// Queue stores m through q (the caller's transaction) with a job to send
// it, and returns its id. It returns ErrNotConfigured, and stores
// nothing, when email is off.
func (o *Outbox) Queue(ctx context.Context, q sqldb.Querier, m Message) (int64, error) {
	if !o.cfg.Configured() {
		return 0, ErrNotConfigured
	}
	var key any
	if m.Key != "" {
		key = m.Key
	}
	var lead, enrolment, step any
	if m.LeadID != 0 {
		lead = m.LeadID
	}
	if m.EnrolmentID != 0 {
		enrolment, step = m.EnrolmentID, m.Step
	}
	headers := ""
	if len(m.Headers) > 0 {
		b, err := json.Marshal(m.Headers)
		if err != nil {
			return 0, wrap("queue", err)
		}
		headers = string(b)
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO mail_outbox (kind, unique_key, lead_id, to_addr, subject, text_body, html_body, message_id, created_at,
		headers, enrolment_id, step)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		m.Kind, key, lead, m.To, m.Subject, m.Text, m.HTML, o.messageID(), time.Now().UnixMilli(), headers, enrolment, step).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && m.Key != "" {
		err = q.QueryRow(ctx, `SELECT id FROM mail_outbox WHERE unique_key = ?`, m.Key).Scan(&id)
		return id, wrap("queue", err)
	}
	if err != nil {
		return 0, wrap("queue", err)
	}
	_, _, err = job.Enqueue(ctx, q, JobKind, sendArgs{ID: id}, job.EnqueueOptions{Unique: fmt.Sprintf("mail:%d", id), MaxAttempts: sendAttempts})
	return id, wrap("queue", err)
}

// Wake tells the job runner a message is waiting; call it after the
// transaction that queued the message commits.
func (o *Outbox) Wake() {
	if o.Jobs != nil {
		o.Jobs.Wake()
	}
}

// messageID is a Message-ID's local part and domain: random, and from the
// domain leadflow sends from, as RFC 5322 asks.
func (o *Outbox) messageID() string {
	b := make([]byte, 16)
	rand.Read(b)
	domain := "leadflow.invalid"
	if _, d, ok := strings.Cut(addrPart(o.cfg.From), "@"); ok {
		domain = d
	}
	return hex.EncodeToString(b) + "@" + domain
}

type sendArgs struct {
	ID int64 `json:"id"`
}

// Handler is the job that delivers one message. A message already sent
// is not sent again (a job retried after its send committed). A
// temporary failure (a 4xx answer, a connection that failed) returns an
// error, so the job is retried with back-off; a permanent one (5xx)
// marks the message failed, or bounced when the recipient was refused,
// and ends the job.
func (o *Outbox) Handler(ctx context.Context, j job.Job) error {
	var args sendArgs
	if err := j.Decode(&args); err != nil {
		return job.Permanent(err)
	}
	m, err := o.get(ctx, args.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // erased with its lead
	}
	if err != nil || m.Status != Queued {
		return err
	}
	if !o.cfg.Configured() {
		return o.finish(ctx, m.ID, Failed, ErrNotConfigured.Error())
	}
	if o.PerDomain != nil {
		_, domain, _ := strings.Cut(strings.ToLower(m.To), "@")
		ok, wait, err := o.PerDomain.Allow(ctx, "mail:"+domain)
		if err != nil {
			return err
		}
		if !ok {
			return job.Later(wait)
		}
	}
	err = o.send(ctx, o.cfg, m)
	if err == nil {
		return o.finish(ctx, m.ID, Sent, "")
	}
	status, temporary := classify(err)
	if temporary && j.Attempt < j.MaxAttempts {
		if err := o.note(ctx, m.ID, err.Error()); err != nil {
			return err
		}
		return err
	}
	if ferr := o.finish(ctx, m.ID, status, err.Error()); ferr != nil {
		return ferr
	}
	if status == Bounced {
		if err := Suppress(ctx, o.db.W, m.To, Bounced, fmt.Sprintf("message %d", m.ID)); err != nil {
			return err
		}
		if o.OnBounce != nil {
			o.OnBounce(ctx, m)
		}
	}
	return job.Permanent(err)
}

func (o *Outbox) get(ctx context.Context, id int64) (Stored, error) {
	row := o.db.W.QueryRow(ctx, `SELECT `+storedColumns+` FROM mail_outbox WHERE id = ?`, id)
	return scanStored(row)
}

// note records a failed attempt that will be tried again.
func (o *Outbox) note(ctx context.Context, id int64, why string) error {
	_, err := o.db.W.Exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, error = ? WHERE id = ?`, truncate(why), id)
	return wrap("record attempt", err)
}

func (o *Outbox) finish(ctx context.Context, id int64, status, why string) error {
	var sentAt any
	if status == Sent {
		sentAt = time.Now().UnixMilli()
	}
	_, err := o.db.W.Exec(ctx, `UPDATE mail_outbox SET status = ?, attempts = attempts + 1, error = ?, sent_at = ? WHERE id = ? AND status = ?`,
		status, truncate(why), sentAt, id, Queued)
	return wrap("record "+status, err)
}

func truncate(s string) string {
	if len(s) > 500 {
		s = s[:500]
	}
	return strings.ToValidUTF8(s, "")
}

const storedColumns = `id, kind, COALESCE(lead_id, 0), to_addr, subject, text_body, html_body, message_id, status, attempts, error,
	created_at, COALESCE(sent_at, 0), headers, COALESCE(enrolment_id, 0), COALESCE(step, 0), COALESCE(opened_at, 0), COALESCE(clicked_at, 0)`

func scanStored(row interface{ Scan(...any) error }) (Stored, error) {
	var m Stored
	var created, sent, opened, clicked int64
	var headers string
	err := row.Scan(&m.ID, &m.Kind, &m.LeadID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.MessageID, &m.Status, &m.Attempts, &m.Error,
		&created, &sent, &headers, &m.EnrolmentID, &m.Step, &opened, &clicked)
	m.CreatedAt = time.UnixMilli(created).UTC()
	m.SentAt, m.OpenedAt, m.ClickedAt = timeOf(sent), timeOf(opened), timeOf(clicked)
	if headers != "" {
		json.Unmarshal([]byte(headers), &m.Headers)
	}
	return m, err
}

func timeOf(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Get returns one stored message, for the code that tracks it (opens,
// clicks, unsubscribes) and checks no actor: its caller has verified a
// signed link first.
func (o *Outbox) Get(ctx context.Context, id int64) (Stored, error) { return o.get(ctx, id) }

// List returns the newest messages, for admins: to see what left, what
// waits and why something failed.
func (o *Outbox) List(ctx context.Context, a access.Actor, status string, limit int) ([]Stored, error) {
	if !a.ManagesUsers() {
		return nil, fault.Errorf(fault.Forbidden, "only admins see the outgoing email")
	}
	q := `SELECT ` + storedColumns + ` FROM mail_outbox`
	var args []any
	if status != "" {
		q += ` WHERE status = ?`
		args = append(args, status)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	rows, err := o.db.R.Query(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, wrap("list", err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		m, err := scanStored(rows)
		if err != nil {
			return nil, wrap("list", err)
		}
		out = append(out, m)
	}
	return out, wrap("list", rows.Err())
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("mail: %s: %w", what, err)
}

// Retry queues a failed message again, for an admin who fixed what made
// it fail (the settings, a full mailbox). A bounced one stays: its
// address is suppressed.
func (o *Outbox) Retry(ctx context.Context, a access.Actor, id int64) error {
	if !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "only admins retry outgoing email")
	}
	if !o.cfg.Configured() {
		return ErrNotConfigured
	}
	err := o.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE mail_outbox SET status = ?, error = '' WHERE id = ? AND status = ?`, Queued, id, Failed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.Conflict, "message %d is not a failed one; only failed messages are tried again", id)
		}
		_, _, err = job.Enqueue(ctx, tx, JobKind, sendArgs{ID: id}, job.EnqueueOptions{
			Unique: fmt.Sprintf("mail:%d:retry:%d", id, time.Now().UnixNano()), MaxAttempts: sendAttempts})
		return err
	})
	if err == nil {
		o.Wake()
	}
	return err
}
