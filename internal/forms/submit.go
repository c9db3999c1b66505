package forms

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/phone"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

// Meta is what a submission says about where it came from.
type Meta struct {
	IP          string `json:"ip,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
	Referrer    string `json:"referrer,omitempty"`
	PageURL     string `json:"page_url,omitempty"`
	UTMSource   string `json:"utm_source,omitempty"`
	UTMMedium   string `json:"utm_medium,omitempty"`
	UTMCampaign string `json:"utm_campaign,omitempty"`
	VisitorID   string `json:"visitor_id,omitempty"` // the tracked browser, whose earlier events become the lead's
	// FormPost is set for a form-encoded post, as an HTML form sends
	// it: such a post must carry the fill-time token of the form shown.
	// Integrations post JSON and have no token to send. Not stored.
	FormPost bool `json:"-"`
	// Language is what the form speaks to this visitor, and so the
	// language of the email that asks them to confirm. Not stored.
	Language string `json:"-"`
}

// Submission statuses.
const (
	StatusPending   = "pending"   // stored, not yet processed (a crash in between leaves it here)
	StatusAccepted  = "accepted"  // became or updated a lead
	StatusRejected  = "rejected"  // failed validation; waits for review
	StatusSpam      = "spam"      // caught by the honeypot or the fill-time check
	StatusDiscarded = "discarded" // a reviewer threw it away
)

// Submission is one raw form submission.
type Submission struct {
	ID         int64
	FormID     int64
	FormName   string
	Values     map[string]string
	Meta       Meta
	ReceivedAt time.Time
	Status     string
	Reasons    map[string]string
	LeadID     int64
}

// Bot traps: a field people never see, and the time a person needs.
const (
	HoneypotField = "_hp"
	TokenField    = "_t"
	MinFillTime   = 2 * time.Second
)

// Answers turns a visitor's values into lead changes, with the reason for
// each answer the form refuses. Lead fields are validated later, by lead
// intake, with the same rules as everywhere else.
func (f Form) Answers(values map[string]string, meta Meta) (lead.Changes, fault.Fields) {
	c := lead.Changes{}
	bad := fault.Fields{}
	for _, fd := range f.Fields {
		v := strings.TrimSpace(values[fd.Name])
		if fd.IsCheckbox() {
			v = checkbox(v)
		}
		if fd.Required && (v == "" || (fd.IsCheckbox() && v != "true")) {
			bad.Add(fd.Name, "is required")
			continue
		}
		if v == "" {
			continue
		}
		if reason := checkCustom(fd, v); reason != "" {
			bad.Add(fd.Name, reason)
			continue
		}
		c[fd.Key()] = v
	}
	if f.ConsentText != "" && checkbox(values[lead.FConsent]) == "true" {
		c[lead.FConsent] = "true"
	}
	c[lead.FSource] = f.Source
	if c[lead.FSource] == "" {
		c[lead.FSource] = "form"
	}
	for k, v := range map[string]string{lead.FUTMSource: meta.UTMSource, lead.FUTMMedium: meta.UTMMedium, lead.FUTMCampaign: meta.UTMCampaign} {
		if v != "" {
			c[k] = v
		}
	}
	if c[lead.FUTMCampaign] == "" && f.Campaign != "" {
		c[lead.FUTMCampaign] = f.Campaign
	}
	if raw := c[lead.FPhone]; raw != "" && c[lead.FCountry] == "" && f.DefaultCountry != "" {
		// A national number is read in the form's country; one that still
		// cannot be read is left for intake to refuse with its reason, as
		// the visitor is there to correct it.
		if e164, reason := phone.Normalize(raw, f.DefaultCountry); reason == "" {
			c[lead.FPhone] = e164
		}
	}
	return c, bad
}

func checkbox(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1":
		return "true"
	case "":
		return ""
	}
	return "false"
}

func checkCustom(fd Field, v string) string {
	switch fd.Type {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "must be a number"
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "must be a date as YYYY-MM-DD"
		}
	case "select":
		if !slices.Contains(fd.Options, v) {
			return "must be one of the choices offered"
		}
	}
	return ""
}

// IssueToken returns the hidden fill-time token of a form shown now,
// signed with the key every instance shares. It is public, for the form
// pages anyone may open, so it checks no actor.
func (s *Service) IssueToken(ctx context.Context) (string, error) {
	keys, err := s.secrets.Get(ctx, secret.FormToken)
	if err != nil {
		return "", fmt.Errorf("forms: issue token: %w", err)
	}
	ts := strconv.FormatInt(s.now().UnixMilli(), 10)
	return ts + "." + sign(keys.Current, ts), nil
}

func sign(key []byte, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// isBot reports whether a fill-time token gives a bot away: one leadflow
// did not sign (forged, or altered), or one sent sooner after the form
// was shown than a person can fill it in. No token at all gives a bot
// away when it posts as a form does (every form leadflow shows carries
// one; a script that posts the fields without loading the form does
// not), and passes in a JSON post: integrations post without one.
func (s *Service) isBot(ctx context.Context, token string, formPost bool) (bool, error) {
	if token == "" {
		return formPost, nil
	}
	ts, sig, ok := strings.Cut(token, ".")
	if !ok {
		return true, nil
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return true, nil
	}
	signed, err := s.signedByUs(ctx, ts, sig)
	if err != nil || !signed {
		return !signed, err
	}
	return s.now().Sub(time.UnixMilli(ms)) < s.MinFillTime, nil
}

// signedByUs checks sig against the keys held, and when none matches,
// against the keys read afresh: another instance may have rotated the
// key since they were read.
func (s *Service) signedByUs(ctx context.Context, ts, sig string) (bool, error) {
	matches := func(keys secret.Keys) bool {
		for _, k := range keys.Verifying() {
			if hmac.Equal([]byte(sig), []byte(sign(k, ts))) {
				return true
			}
		}
		return false
	}
	keys, err := s.secrets.Get(ctx, secret.FormToken)
	if err != nil {
		return false, fmt.Errorf("forms: check token: %w", err)
	}
	if matches(keys) {
		return true, nil
	}
	if keys, err = s.secrets.Reload(ctx, secret.FormToken); err != nil {
		return false, fmt.Errorf("forms: check token: %w", err)
	}
	return matches(keys), nil
}

// Result is the outcome of a submission, for the visitor. It never says
// whether the email was known.
type Result struct {
	SubmissionID int64
	Spam         bool
}

// Submit stores a visitor's submission raw and processes it, in one
// transaction that concurrent submissions share (a group commit): bots
// are marked spam and answered as if all went well; invalid answers are
// kept as rejected with their reasons and returned as an Invalid error;
// the rest go to lead intake. It returns once all of it is committed.
// It is public, for the visitors who fill in forms, so it checks no actor.
func (s *Service) Submit(ctx context.Context, f Form, values map[string]string, meta Meta) (Result, error) {
	spam := values[HoneypotField] != ""
	if !spam {
		bot, err := s.isBot(ctx, values[TokenField], meta.FormPost)
		if err != nil {
			return s.keep(ctx, f, values, meta, err)
		}
		spam = bot
	}
	var res Result
	var verr error
	work := func(tx *sqldb.Tx) error {
		id, err := s.store(ctx, tx, f.ID, values, meta)
		if err != nil {
			return err
		}
		res, verr = Result{SubmissionID: id, Spam: spam}, nil
		if spam {
			return s.finish(ctx, tx, id, StatusSpam, nil, 0)
		}
		verr, err = s.process(ctx, tx, f, id, values, meta)
		return err
	}
	// Another writer creating the same email at the same moment makes a
	// conflict on PostgreSQL; run again, and the lead it made is found.
	err := s.group.Do(ctx, work)
	for attempt := 0; attempt < 2 && fault.CodeOf(err) == fault.Conflict; attempt++ {
		err = s.group.Do(ctx, work)
	}
	if err == nil && s.Mail != nil {
		s.Mail.Wake()
	}
	if err != nil {
		// Whatever failed, the visitor's answers are kept: stored on their
		// own, as pending, to be processed again from the review page.
		return s.keep(ctx, f, values, meta, err)
	}
	return res, verr
}

// keep stores a submission that could not be processed as pending, and
// returns the processing failure.
func (s *Service) keep(ctx context.Context, f Form, values map[string]string, meta Meta, cause error) (Result, error) {
	id, err := s.store(ctx, s.db.W, f.ID, values, meta)
	if err != nil {
		return Result{}, errors.Join(cause, err)
	}
	return Result{SubmissionID: id}, cause
}

// process validates and takes in a stored submission inside tx. verr is
// the visitor's mistake, recorded as a rejection; err is a failure.
func (s *Service) process(ctx context.Context, tx *sqldb.Tx, f Form, id int64, values map[string]string, meta Meta) (verr, err error) {
	c, bad := f.Answers(values, meta)
	if len(bad) > 0 {
		// Report the lead rules' verdict on the other answers too, so the
		// visitor fixes everything in one go.
		_, leadBad := lead.Apply(lead.Lead{}, c, s.now())
		for k, v := range leadBad {
			bad.Add(strings.TrimPrefix(k, lead.CustomPrefix), v)
		}
	}
	if verr := bad.Err(); verr != nil {
		return verr, s.finish(ctx, tx, id, StatusRejected, bad, 0)
	}
	res, verr, err := s.leads.IntakeIn(ctx, tx, lead.Incoming{Changes: c, Origin: lead.Origin{
		Channel: "form", Reason: fmt.Sprintf("form %q", f.Name), EventType: "form_submit", URL: meta.PageURL, VisitorID: meta.VisitorID,
		// The lead keeps the language its first form spoke to it (the
		// form's, or its visitor's browser's). A submission processed
		// again later has no browser to ask.
		Language: cmp.Or(f.Language, meta.Language),
		Props:    map[string]string{"form": f.Slug, "submission": strconv.FormatInt(id, 10)},
		// Anyone can post any address to a public form.
		Consent: lead.ConsentProof{Wording: f.ConsentText, IP: meta.IP, UserAgent: meta.UserAgent, Unverified: true, DoubleOptIn: f.DoubleOptIn},
	}})
	if err != nil {
		return nil, err
	}
	if e := fault.As(verr); e != nil {
		return verr, s.finish(ctx, tx, id, StatusRejected, e.Fields, 0)
	}
	if res.ConsentToken != "" {
		if err := s.askConfirmation(ctx, tx, f, res, i18n.For(i18n.Pick("", meta.Language, f.Language))); err != nil {
			return nil, err
		}
	}
	return nil, s.finish(ctx, tx, id, StatusAccepted, nil, res.Lead.ID)
}

func (s *Service) store(ctx context.Context, q sqldb.Querier, formID int64, values map[string]string, meta Meta) (int64, error) {
	payload, _ := json.Marshal(values) // maps of strings always marshal
	m, _ := json.Marshal(meta)
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO submissions (form_id, payload, meta, received_at, status)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, formID, string(payload), string(m), s.now().UnixMilli(), StatusPending).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("forms: store submission: %w", err)
	}
	return id, nil
}

func (s *Service) finish(ctx context.Context, q sqldb.Querier, id int64, status string, reasons map[string]string, leadID int64) error {
	r := ""
	if len(reasons) > 0 {
		b, _ := json.Marshal(reasons)
		r = string(b)
	}
	var l any
	if leadID != 0 {
		l = leadID
	}
	return sqldb.ExecLater(ctx, q, "forms: finish submission "+strconv.FormatInt(id, 10),
		`UPDATE submissions SET status = ?, reasons = ?, lead_id = ?, processed_at = ? WHERE id = ?`,
		status, r, l, s.now().UnixMilli(), id)
}

const submissionColumns = `s.id, COALESCE(s.form_id, 0), COALESCE(f.name, ''), s.payload, s.meta, s.received_at,
	s.status, s.reasons, COALESCE(s.lead_id, 0)`

func scanSubmission(row interface{ Scan(...any) error }) (Submission, error) {
	var sub Submission
	var payload, meta, reasons string
	var at int64
	if err := row.Scan(&sub.ID, &sub.FormID, &sub.FormName, &payload, &meta, &at, &sub.Status, &reasons, &sub.LeadID); err != nil {
		return sub, err
	}
	json.Unmarshal([]byte(payload), &sub.Values)
	json.Unmarshal([]byte(meta), &sub.Meta)
	if reasons != "" {
		json.Unmarshal([]byte(reasons), &sub.Reasons)
	}
	sub.ReceivedAt = time.UnixMilli(at).UTC()
	return sub, nil
}

// Submissions lists submissions with status, newest first.
func (s *Service) Submissions(ctx context.Context, a access.Actor, status string, limit int) ([]Submission, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+submissionColumns+` FROM submissions s LEFT JOIN forms f ON f.id = s.form_id
		WHERE s.status = ? ORDER BY s.received_at DESC, s.id DESC LIMIT ?`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("forms: submissions: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// CountByStatus counts submissions per status.
func (s *Service) CountByStatus(ctx context.Context, a access.Actor) (map[string]int, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT status, COUNT(*) FROM submissions GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("forms: count submissions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Submission returns one submission.
func (s *Service) Submission(ctx context.Context, a access.Actor, id int64) (Submission, error) {
	if err := s.MayManage(a); err != nil {
		return Submission{}, err
	}
	return s.submission(ctx, id)
}

func (s *Service) submission(ctx context.Context, id int64) (Submission, error) {
	sub, err := scanSubmission(s.db.R.QueryRow(ctx, `SELECT `+submissionColumns+` FROM submissions s
		LEFT JOIN forms f ON f.id = s.form_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fault.Errorf(fault.NotFound, "submission %d not found", id)
	}
	return sub, err
}

// Accept processes a rejected submission again with values a reviewer
// corrected; it is accepted, or rejected anew with the new reasons.
func (s *Service) Accept(ctx context.Context, a access.Actor, id int64, values map[string]string) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	sub, err := s.submission(ctx, id)
	if err != nil {
		return err
	}
	if sub.Status != StatusRejected && sub.Status != StatusSpam && sub.Status != StatusPending {
		return fault.Errorf(fault.Conflict, "submission %d is %s already", id, sub.Status)
	}
	f, err := s.get(ctx, sub.FormID)
	if err != nil {
		return fault.Errorf(fault.Conflict, "the form of submission %d was deleted; it cannot be accepted", id)
	}
	merged := map[string]string{}
	for k, v := range sub.Values {
		merged[k] = v
	}
	for k, v := range values {
		merged[k] = v
	}
	payload, _ := json.Marshal(merged)
	var verr error
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE submissions SET payload = ? WHERE id = ?`, string(payload), id); err != nil {
			return err
		}
		var err error
		if verr, err = s.process(ctx, tx, f, id, merged, sub.Meta); err != nil {
			return err
		}
		// The names of the fields the reviewer corrected, not what
		// they typed: the values are the person's.
		outcome := map[bool]string{true: StatusAccepted, false: StatusRejected}[verr == nil]
		return audit.Record(ctx, tx, a, "submission.accept", "submission", id, map[string]any{"form_id": sub.FormID,
			"corrected": audit.Fields(values), "outcome": outcome})
	})
	if err != nil {
		return err
	}
	return verr
}

// Discard marks a submission thrown away; it stays stored.
func (s *Service) Discard(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	sub, err := s.submission(ctx, id)
	if err != nil {
		return err
	}
	if sub.Status == StatusAccepted {
		return fault.Errorf(fault.Conflict, "submission %d made a lead; delete the lead instead", id)
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := s.finish(ctx, tx, id, StatusDiscarded, sub.Reasons, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "submission.discard", "submission", id, map[string]int64{"form_id": sub.FormID})
	})
}
