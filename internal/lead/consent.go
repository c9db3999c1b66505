package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/linktoken"
	"leadflow/internal/sqldb"
)

// The actions in a lead's consent history.
const (
	ConsentGranted   = "granted"
	ConsentWithdrawn = "withdrawn"
	ConsentRequested = "requested" // a confirmation email asks the person to confirm
	ConsentConfirmed = "confirmed" // the person followed the link
)

// ConfirmWithin is how long a confirmation link stays valid.
const ConfirmWithin = 7 * 24 * time.Hour

// ConsentProof is what is kept with a consent as proof: the wording the
// person agreed to and where the request came from.
type ConsentProof struct {
	Wording   string
	IP        string
	UserAgent string
	// Unverified marks data posted by someone who has not shown they
	// own the address (a public form): such a post never turns on the
	// consent of a lead that exists already; it asks the person by email
	// instead.
	Unverified bool
	// DoubleOptIn asks every new subscriber to confirm by email, as a
	// form that wants double opt-in does.
	DoubleOptIn bool
}

// ConsentRecord is one entry of a lead's consent history.
type ConsentRecord struct {
	ID         int64
	LeadID     int64
	At         time.Time
	Action     string
	Source     string
	Wording    string
	IP         string
	UserAgent  string
	ActorEmail string    // the user who changed it by hand, if one did
	ExpiresAt  time.Time // of a request's link
	ConfirmsID int64     // the request a confirmation answers
	MailID     int64     // the confirmation email, when one was queued
	Note       string
}

// consentEntry is what insertChange records when a change turns consent
// on or off: the proof and source that came with it.
type consentEntry struct {
	proof    ConsentProof
	source   string
	action   string // "" derives granted or withdrawn from the change
	confirms int64
}

// recordConsentChange adds the history entry of a change to the consent
// field, in the change's transaction.
func recordConsentChange(ctx context.Context, q sqldb.Querier, c Change, actorID int64) error {
	e := consentEntry{}
	if c.consent != nil {
		e = *c.consent
	}
	if e.action == "" {
		e.action = ConsentGranted
		if c.Detail[FConsent][1] != "true" {
			e.action = ConsentWithdrawn
		}
	}
	if e.source == "" {
		e.source = c.Reason
	}
	if e.source == "" {
		e.source = "changed by hand"
	}
	return insertConsent(ctx, q, c.LeadID, c.At, e, actorID)
}

func insertConsent(ctx context.Context, q sqldb.Querier, leadID int64, at time.Time, e consentEntry, actorID int64) error {
	var actor, confirms any
	if actorID != 0 {
		actor = actorID
	}
	if e.confirms != 0 {
		confirms = e.confirms
	}
	_, err := q.Exec(ctx, `INSERT INTO consent_records (lead_id, at, action, source, wording, ip, user_agent, actor_id, confirms_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, leadID, at.UnixMilli(), e.action, e.source, e.proof.Wording,
		e.proof.IP, e.proof.UserAgent, actor, confirms)
	if err != nil {
		return fmt.Errorf("lead store: record consent: %w", err)
	}
	return nil
}

// requestConsent records that the person behind lead must confirm their
// consent, and returns the token of the link that confirms it.
func requestConsent(ctx context.Context, tx *sqldb.Tx, leadID int64, o Origin, now time.Time) (string, int64, error) {
	token, hash := linktoken.New()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO consent_records (lead_id, at, action, source, wording, ip, user_agent, token_hash, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, leadID, now.UnixMilli(), ConsentRequested, sourceOf(o),
		o.Consent.Wording, o.Consent.IP, o.Consent.UserAgent, hash, now.Add(ConfirmWithin).UnixMilli()).Scan(&id)
	if err != nil {
		return "", 0, fmt.Errorf("lead store: request consent: %w", err)
	}
	return token, id, nil
}

func sourceOf(o Origin) string {
	switch {
	case o.Reason != "":
		return o.Reason
	case o.Channel != "":
		return o.Channel
	}
	return "intake"
}

// NoteConsentMail records on a consent request the email that asks for
// confirmation, or why none could be sent.
func NoteConsentMail(ctx context.Context, q sqldb.Querier, requestID, mailID int64, note string) error {
	var mail any
	if mailID != 0 {
		mail = mailID
	}
	_, err := q.Exec(ctx, `UPDATE consent_records SET mail_id = ?, note = ? WHERE id = ?`, mail, note, requestID)
	if err != nil {
		return fmt.Errorf("lead store: note consent email: %w", err)
	}
	return nil
}

// ConfirmationState is what a confirmation link finds.
type ConfirmationState struct {
	LeadID    int64
	Wording   string
	Source    string
	Confirmed bool // already confirmed (by this link or since)
}

// Confirmation looks up a confirmation link without using it, for the
// page that asks the person to confirm: links are followed by mail
// scanners too, so only a deliberate post confirms.
func (s *Service) Confirmation(ctx context.Context, token string) (ConfirmationState, error) {
	req, err := consentRequest(ctx, s.db.R, token, "")
	if err != nil {
		return ConfirmationState{}, err
	}
	return s.confirmationState(ctx, s.db.R, req)
}

type request struct {
	id, leadID int64
	wording    string
	source     string
	expires    time.Time
}

func consentRequest(ctx context.Context, q sqldb.Querier, token, lock string) (request, error) {
	var r request
	var expires int64
	err := q.QueryRow(ctx, `SELECT id, lead_id, wording, source, expires_at FROM consent_records
		WHERE token_hash = ? AND action = ?`+lock, linktoken.Hash(token), ConsentRequested).Scan(&r.id, &r.leadID, &r.wording, &r.source, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.Errorf(fault.NotFound, "this confirmation link is not valid: it may have been mistyped, or the address was erased")
	}
	if err != nil {
		return r, fmt.Errorf("lead store: confirmation: %w", err)
	}
	r.expires = time.UnixMilli(expires)
	return r, nil
}

func (s *Service) confirmationState(ctx context.Context, q sqldb.Querier, r request) (ConfirmationState, error) {
	st := ConfirmationState{LeadID: r.leadID, Wording: r.wording, Source: r.source}
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM consent_records WHERE confirms_id = ?`, r.id).Scan(&n); err != nil {
		return st, fmt.Errorf("lead store: confirmation: %w", err)
	}
	st.Confirmed = n > 0
	if !st.Confirmed && s.now().After(r.expires) {
		return st, fault.Errorf(fault.Invalid, "this confirmation link expired on %s; fill in the form again to get a new one",
			r.expires.UTC().Format("2 January 2006"))
	}
	return st, nil
}

// ConfirmConsent uses a confirmation link: the lead's consent is turned
// on, and the history keeps when and from where it was confirmed, beside
// the request it answers. Using a link twice is harmless.
func (s *Service) ConfirmConsent(ctx context.Context, token string, proof ConsentProof) (ConfirmationState, error) {
	var st ConfirmationState
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		req, err := consentRequest(ctx, tx, token, tx.ForUpdate())
		if err != nil {
			return err
		}
		if st, err = s.confirmationState(ctx, tx, req); err != nil || st.Confirmed {
			return err
		}
		old, err := lockLead(ctx, tx, req.leadID)
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		proof.Wording = req.wording
		entry := consentEntry{proof: proof, source: "confirmation link", action: ConsentConfirmed, confirms: req.id}
		st.Confirmed = true
		if old.Consent {
			// Given meanwhile by other means: the confirmation is still
			// proof worth keeping, but the lead does not change.
			return insertConsent(ctx, tx, old.ID, now, entry, 0)
		}
		l := old
		l.Consent, l.ConsentAt, l.UpdatedAt = true, &now, now
		if err := updateLead(ctx, tx, &l); err != nil {
			return err
		}
		c := Change{LeadID: l.ID, At: now, Kind: KindUpdated, Detail: map[string][2]string{FConsent: {"false", "true"}},
			Reason: "consent confirmed by email", consent: &entry}
		if err := insertChange(ctx, tx, c, 0); err != nil {
			return err
		}
		return s.rescoreTx(ctx, tx, &l, "consent confirmed", now)
	})
	return st, err
}

// ConsentHistory returns a lead's consent history, newest first.
func (s *Service) ConsentHistory(ctx context.Context, a access.Actor, id int64) ([]ConsentRecord, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return consentHistory(ctx, s.db.R, id)
}

func consentHistory(ctx context.Context, q sqldb.Querier, id int64) ([]ConsentRecord, error) {
	rows, err := q.Query(ctx, `SELECT c.id, c.lead_id, c.at, c.action, c.source, c.wording, c.ip, c.user_agent,
		COALESCE(u.email, ''), COALESCE(c.expires_at, 0), COALESCE(c.confirms_id, 0), COALESCE(c.mail_id, 0), c.note
		FROM consent_records c LEFT JOIN users u ON u.id = c.actor_id WHERE c.lead_id = ? ORDER BY c.at DESC, c.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("lead store: consent history %d: %w", id, err)
	}
	defer rows.Close()
	var out []ConsentRecord
	for rows.Next() {
		var r ConsentRecord
		var at, expires int64
		if err := rows.Scan(&r.ID, &r.LeadID, &at, &r.Action, &r.Source, &r.Wording, &r.IP, &r.UserAgent,
			&r.ActorEmail, &expires, &r.ConfirmsID, &r.MailID, &r.Note); err != nil {
			return nil, fmt.Errorf("lead store: consent history %d: %w", id, err)
		}
		r.At = time.UnixMilli(at).UTC()
		if expires != 0 {
			r.ExpiresAt = time.UnixMilli(expires).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WithdrawConsent turns a lead's consent off on the person's own request
// (an unsubscribe link), keeping source and proof in the history. It is
// for code that has verified the request itself (a signed link), so it
// checks no actor. A lead without consent is left as it is.
func (s *Service) WithdrawConsent(ctx context.Context, id int64, source string, proof ConsentProof) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := lockLead(ctx, tx, id)
		if err != nil || !old.Consent {
			return err
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		l := old
		l.Consent, l.ConsentAt, l.UpdatedAt = false, nil, now
		if err := updateLead(ctx, tx, &l); err != nil {
			return err
		}
		return insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: KindUpdated, Detail: map[string][2]string{FConsent: {"true", "false"}},
			Reason: source, consent: &consentEntry{proof: proof, source: source, action: ConsentWithdrawn}}, 0)
	})
}
