package salesteam

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/live"
	"leadflow/internal/notify"
	"leadflow/internal/sqldb"
)

// The statuses of a hand-over.
const (
	Pending  = "pending" // awaiting the AE's answer
	Accepted = "accepted"
	Rejected = "rejected"
)

// Timeline kinds of a lead's hand-over and its answers.
const (
	KindHandover = "handover"
	KindAccepted = "handover_accepted"
	KindRejected = "handover_rejected"
)

// The kinds of the notices hand-overs send: to the AE handed one, and to
// the SDR when it is answered.
const (
	NoticeHandover = "handover"
	NoticeAccepted = "handover_accepted"
	NoticeRejected = "handover_rejected"
)

// RejectReasons are why an AE may refuse a hand-over; "other" needs a
// text, the others may have one.
var RejectReasons = []string{"not_qualified", "no_budget", "wrong_contact", "bad_timing", "existing_deal", "wrong_territory", "other"}

// MaxNote bounds the SDR's note and the AE's text.
const MaxNote = 2000

// Person is a user named on a hand-over; zero when none.
type Person struct {
	ID    int64
	Email string
}

// Handover is a converted lead handed by its SDR to an AE.
type Handover struct {
	ID              int64
	LeadID          int64
	LeadName        string
	AccountID       int64
	AccountName     string
	ContactID       int64
	OpportunityID   int64
	OpportunityName string
	Amount          *int64
	Currency        string
	SDR, AE         Person
	SDRTeamID       int64
	SDRTeam         string
	AETeamID        int64
	AETeam          string
	Note            string
	Status          string
	Reason          string // one of RejectReasons when rejected
	ReasonText      string
	Created         time.Time
	Answered        *time.Time
	AnsweredBy      string
}

// QualifiedBySDR reports whether lead leadID was qualified to SQL by a
// member of a qualifying team: its conversion is then handed over to an
// account executive with a note for them, unless no one in the closing
// teams can take it (Hand), when a note is refused.
func (s *Service) QualifiedBySDR(ctx context.Context, leadID int64) (bool, error) {
	_, _, ok, err := qualifier(ctx, s.db.R, leadID, "")
	return ok, err
}

// qualifier returns who qualified lead leadID into an SQL and their
// qualifying team, the team's row locked by lock (a clause on alias t);
// ok is false when no member of a qualifying team did.
func qualifier(ctx context.Context, q sqldb.Querier, leadID int64, lock string) (sdr, team int64, ok bool, err error) {
	err = q.QueryRow(ctx, `SELECT COALESCE(decided_by, 0) FROM lead_qualifications WHERE lead_id = ? AND outcome = ?`, leadID, string(lead.SQL)).Scan(&sdr)
	if errors.Is(err, sql.ErrNoRows) || err == nil && sdr == 0 {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("salesteam: qualification of lead %d: %w", leadID, err)
	}
	team, ok, err = teamOfLocked(ctx, q, sdr, Qualifying, lock)
	return sdr, team, ok, err
}

// Hand is the conversion's hand-over (crm.Handover): when the lead was
// qualified into an SQL by a member of a qualifying team, its contact
// and deal go to an AE: the account's owner when that owner is in a
// closing team, else the least loaded member of the SDR team's closing
// team, in turn. The account goes too when it is new, nobody's or the
// SDR's; another rep's stays theirs. The AE is notified; the note goes on the lead's
// timeline. A lead no SDR qualified, or with no AE to take it, converts
// as before (0).
func (s *Service) Hand(ctx context.Context, tx *sqldb.Tx, a access.Actor, l lead.Lead, c crm.Converted, note string) (int64, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return 0, &fault.Error{Code: fault.Invalid, Message: "the hand-over note is too long",
			Fields: map[string]string{"handover_note": fmt.Sprintf("must be at most %d characters", MaxNote)}}
	}
	// The teams the hand-over names are locked until commit: one deleted
	// meanwhile is not found, instead of the insert failing.
	sdr, sdrTeam, ok, err := qualifier(ctx, tx, l.ID, tx.ForKeyShare("t"))
	if err != nil || !ok {
		return 0, err
	}
	var prevOwner int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?`+tx.ForUpdate(), c.AccountID).Scan(&prevOwner); err != nil {
		return 0, fmt.Errorf("salesteam: account %d: %w", c.AccountID, err)
	}
	ae, aeTeam, err := s.closer(ctx, tx, sdr, sdrTeam, prevOwner)
	if err != nil || ae == 0 {
		return 0, err
	}
	now := s.stamp()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO handovers (lead_id, account_id, contact_id, opportunity_id, sdr_id, sdr_team_id, ae_id, ae_team_id,
		prev_account_owner, note, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		l.ID, c.AccountID, nullID(c.ContactID), nullID(c.OpportunityID), sdr, sdrTeam, ae, aeTeam, nullID(prevOwner), note, Pending,
		now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("salesteam: hand over lead %d: %w", l.ID, err)
	}
	// The account goes along when it is new, nobody's or the SDR's;
	// another rep's account stays theirs, and the hand-over says so.
	account, kept := c.AccountID, int64(0)
	if c.AccountMatched && prevOwner != 0 && prevOwner != sdr && prevOwner != ae {
		account, kept = 0, prevOwner
	}
	if err := setOwners(ctx, tx, owners{account: account, contact: c.ContactID, deal: c.OpportunityID, accountOwner: ae, owner: ae}, now); err != nil {
		return 0, err
	}
	// The AE works the person from now on, and wins the deal: the lead
	// goes along.
	if err := s.leads.HandOverIn(ctx, tx, l.ID, ae, nil); err != nil {
		return 0, err
	}
	var aeEmail, sdrEmail, keptEmail string
	if err := tx.QueryRow(ctx, `SELECT (SELECT email FROM users WHERE id = ?), (SELECT email FROM users WHERE id = ?), COALESCE((SELECT email FROM users WHERE id = ?), '')`,
		ae, sdr, kept).Scan(&aeEmail, &sdrEmail, &keptEmail); err != nil {
		return 0, fmt.Errorf("salesteam: emails: %w", err)
	}
	detail, title := map[string][2]string{"account_executive": {"", aeEmail}}, "Handed over by "+sdrEmail+": "+l.Name()+" — accept or reject"
	if kept != 0 {
		detail["account_kept_by"] = [2]string{"", keptEmail}
		title += " (the account stays with " + keptEmail + ")"
	}
	if err := s.leads.RecordIn(ctx, tx, a, l.ID, KindHandover, note, detail); err != nil {
		return 0, err
	}
	if err := notify.Add(ctx, tx, notify.Note{UserID: ae, Kind: NoticeHandover, At: now, Link: "/handovers/" + itoa(id), Title: title,
		Args: notify.Args{"SDR": sdrEmail, "Lead": l.Name(), "LeadID": itoa(l.ID), "Owner": keptEmail}}); err != nil {
		return 0, err
	}
	tx.Touch(live.Deals)
	return id, audit.Record(ctx, tx, a, "handover.create", "handover", id, map[string]int64{"lead_id": l.ID, "account_id": c.AccountID,
		"opportunity_id": c.OpportunityID, "sdr_id": sdr, "ae_id": ae, "previous_account_owner": prevOwner})
}

// closer picks the AE who takes a hand-over from SDR sdr of qualifying
// team sdrTeam, of an account owned by owner, and the AE's team; 0 when
// nobody can.
func (s *Service) closer(ctx context.Context, tx *sqldb.Tx, sdr, sdrTeam, owner int64) (ae, team int64, err error) {
	// A new account is the SDR's own: that is not an AE's account.
	if owner != 0 && owner != sdr {
		if team, ok, err := teamOfLocked(ctx, tx, owner, Closing, tx.ForKeyShare("t")); err != nil || ok {
			var off bool
			if err == nil {
				err = tx.QueryRow(ctx, `SELECT disabled_at IS NOT NULL FROM users WHERE id = ?`, owner).Scan(&off)
			}
			if err != nil || !off {
				return owner, team, err
			}
		}
	}
	// The SDR team's closing team, else the first with someone active.
	var handsTo int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(hands_to, 0) FROM teams WHERE id = ?`, sdrTeam).Scan(&handsTo); err != nil {
		return 0, 0, fmt.Errorf("salesteam: team %d: %w", sdrTeam, err)
	}
	ids, err := sqldb.Column[int64](ctx, tx, `SELECT id FROM teams WHERE role = ? ORDER BY id`, string(Closing))
	if err != nil {
		return 0, 0, fmt.Errorf("salesteam: closing teams: %w", err)
	}
	if i := slices.Index(ids, handsTo); i > 0 {
		ids = append([]int64{handsTo}, slices.Delete(ids, i, i+1)...)
	}
	for _, team := range ids {
		members, err := sqldb.Column[int64](ctx, tx, `SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id
			WHERE m.team_id = ? AND u.disabled_at IS NULL ORDER BY m.position, m.user_id`, team)
		if err != nil {
			return 0, 0, fmt.Errorf("salesteam: members of %d: %w", team, err)
		}
		// An SDR who is also an AE does not hand over to themself
		// while someone else can take it.
		if i := slices.Index(members, sdr); i >= 0 && len(members) > 1 {
			members = slices.Delete(members, i, i+1)
		}
		if len(members) == 0 {
			continue
		}
		// Taking the turn locks the team's row until commit: hand-overs
		// to one team are chosen one after the other, each seeing the
		// load the one before left.
		var turn int64
		err = tx.QueryRow(ctx, `UPDATE teams SET turn = turn + 1 WHERE id = ? RETURNING turn`, team).Scan(&turn)
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted meanwhile
		}
		if err != nil {
			return 0, 0, fmt.Errorf("salesteam: turn of team %d: %w", team, err)
		}
		rows, err := tx.Query(ctx, `SELECT ae_id, COUNT(*) FROM handovers WHERE ae_team_id = ? AND status = ? AND ae_id IS NOT NULL GROUP BY ae_id`, team, Pending)
		if err != nil {
			return 0, 0, fmt.Errorf("salesteam: load of team %d: %w", team, err)
		}
		load := map[int64]int{}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return 0, 0, err
			}
			load[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		return pick(members, load, turn), team, nil
	}
	return 0, 0, nil
}

// owners says who a hand-over's account, contact and deal go to.
type owners struct {
	account, contact, deal int64 // the records; 0 for none
	accountOwner, owner    int64 // the account's new owner, the contact's and deal's; 0 for nobody
	// guarded moves only the records from still owns (nobody when
	// from is 0, its user deleted): an AE's rejection does not undo a
	// later change by someone else.
	guarded bool
	from    int64
}

// guard is the condition and arguments that keep to records from owns.
func guard(guarded bool, from int64) (string, []any) {
	switch {
	case !guarded:
		return "", nil
	case from == 0:
		return " AND owner_id IS NULL", nil
	default:
		return " AND owner_id = ?", []any{from}
	}
}

func setOwners(ctx context.Context, tx *sqldb.Tx, o owners, now time.Time) error {
	cond, args := guard(o.guarded, o.from)
	for _, u := range []struct {
		table string
		id    int64
		owner int64
	}{{"accounts", o.account, o.accountOwner}, {"contacts", o.contact, o.owner}, {"opportunities", o.deal, o.owner}} {
		if u.id == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE `+u.table+` SET owner_id = ?, updated_at = ?, version = version + 1 WHERE id = ?`+cond,
			append([]any{nullID(u.owner), now.UnixMilli(), u.id}, args...)...); err != nil {
			return fmt.Errorf("salesteam: owner of %s %d: %w", u.table, u.id, err)
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const handoverColumns = `SELECT h.id, h.lead_id, COALESCE(l.first_name, ''), COALESCE(l.last_name, ''), COALESCE(l.email, ''),
	COALESCE(h.account_id, 0), COALESCE(ac.name, ''), COALESCE(h.contact_id, 0), COALESCE(h.opportunity_id, 0), COALESCE(o.name, ''),
	o.amount, COALESCE(o.currency, ''), COALESCE(h.sdr_id, 0), COALESCE(su.email, ''), COALESCE(h.ae_id, 0), COALESCE(au.email, ''),
	COALESCE(h.sdr_team_id, 0), COALESCE(st.name, ''), COALESCE(h.ae_team_id, 0), COALESCE(at.name, ''),
	h.note, h.status, h.reason, h.reason_text, h.created_at, h.answered_at, COALESCE(bu.email, '')
	FROM handovers h JOIN leads l ON l.id = h.lead_id
	LEFT JOIN accounts ac ON ac.id = h.account_id LEFT JOIN opportunities o ON o.id = h.opportunity_id
	LEFT JOIN users su ON su.id = h.sdr_id LEFT JOIN users au ON au.id = h.ae_id LEFT JOIN users bu ON bu.id = h.answered_by
	LEFT JOIN teams st ON st.id = h.sdr_team_id LEFT JOIN teams at ON at.id = h.ae_team_id`

func scanHandover(row interface{ Scan(...any) error }) (Handover, error) {
	var h Handover
	var first, last, email string
	var amount, answered sql.NullInt64
	var created int64
	err := row.Scan(&h.ID, &h.LeadID, &first, &last, &email, &h.AccountID, &h.AccountName, &h.ContactID, &h.OpportunityID, &h.OpportunityName,
		&amount, &h.Currency, &h.SDR.ID, &h.SDR.Email, &h.AE.ID, &h.AE.Email, &h.SDRTeamID, &h.SDRTeam, &h.AETeamID, &h.AETeam,
		&h.Note, &h.Status, &h.Reason, &h.ReasonText, &created, &answered, &h.AnsweredBy)
	if err != nil {
		return h, err
	}
	h.LeadName = lead.Lead{FirstName: first, LastName: last, Email: email}.Name()
	if amount.Valid {
		v := amount.Int64
		h.Amount = &v
	}
	h.Created = time.UnixMilli(created).UTC()
	if answered.Valid {
		t := time.UnixMilli(answered.Int64).UTC()
		h.Answered = &t
	}
	return h, nil
}

// visible adds to a query the hand-overs a may see: all for those who
// see every lead (admin, marketing); else, as leads and deals are the
// owner's, those a was the SDR or the AE of.
func visible(a access.Actor) (string, []any) {
	if a.SeesAllLeads() {
		return "", nil
	}
	return ` (h.sdr_id = ? OR h.ae_id = ?)`, []any{a.ID, a.ID}
}

// Get returns hand-over id, if a may see it.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Handover, error) {
	return getHandover(ctx, s.db.R, a, id, "")
}

func getHandover(ctx context.Context, q sqldb.Querier, a access.Actor, id int64, lock string) (Handover, error) {
	where, args := visible(a)
	query := handoverColumns + ` WHERE h.id = ?`
	if where != "" {
		query += ` AND` + where
	}
	h, err := scanHandover(q.QueryRow(ctx, query+lock, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return h, fault.Errorf(fault.NotFound, "hand-over %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("salesteam: hand-over %d: %w", id, err)
	}
	return h, nil
}

// Filter selects hand-overs.
type Filter struct {
	Status    string // "" for all
	AE        int64  // handed to this user; 0 for anyone
	LeadID    int64
	AccountID int64
	DealID    int64
	Before    int64 // the id the previous page ended at; 0 for the first
	Limit     int   // 1 to 200; 0 for 50
}

// Page is one page of hand-overs, newest first.
type Page struct {
	Items []Handover
	Next  int64 // the Before of the next page; 0 on the last
}

// List returns the hand-overs f selects that a may see, newest first.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) (Page, error) {
	bad := fault.Fields{}
	if f.Status != "" && f.Status != Pending && f.Status != Accepted && f.Status != Rejected {
		bad.Add("status", "must be pending, accepted or rejected")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 200 {
		bad.Add("limit", "must be a whole number from 1 to 200")
	}
	if err := bad.Err(); err != nil {
		return Page{}, err
	}
	var conds []string
	var args []any
	if w, wa := visible(a); w != "" {
		conds, args = append(conds, w), append(args, wa...)
	}
	for _, c := range []struct {
		col string
		v   any
		on  bool
	}{{"h.status", f.Status, f.Status != ""}, {"h.ae_id", f.AE, f.AE != 0}, {"h.lead_id", f.LeadID, f.LeadID != 0},
		{"h.account_id", f.AccountID, f.AccountID != 0}, {"h.opportunity_id", f.DealID, f.DealID != 0}} {
		if c.on {
			conds, args = append(conds, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.Before != 0 {
		conds, args = append(conds, "h.id < ?"), append(args, f.Before)
	}
	query := handoverColumns
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.db.R.Query(ctx, query+` ORDER BY h.id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("salesteam: hand-overs: %w", err)
	}
	defer rows.Close()
	p := Page{Items: []Handover{}}
	for rows.Next() {
		h, err := scanHandover(rows)
		if err != nil {
			return Page{}, err
		}
		p.Items = append(p.Items, h)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(p.Items) > f.Limit {
		p.Items = p.Items[:f.Limit]
		p.Next = p.Items[f.Limit-1].ID
	}
	return p, nil
}

// MayAnswer reports whether a may accept or reject h: the AE it was
// handed to, or an admin.
func MayAnswer(a access.Actor, h Handover) bool {
	return a.ID != 0 && a.ID == h.AE.ID || a.ManagesSettings()
}

// Accept records that the AE takes the hand-over on.
func (s *Service) Accept(ctx context.Context, a access.Actor, id int64) (Handover, error) {
	return s.answer(ctx, a, id, Accepted, "", "")
}

// Reject sends the hand-over back: the deal and contact return to the
// SDR, the account to its owner before, with the reason (one of
// RejectReasons) and text (required for "other").
func (s *Service) Reject(ctx context.Context, a access.Actor, id int64, reason, text string) (Handover, error) {
	reason, text = strings.TrimSpace(reason), strings.TrimSpace(text)
	bad := fault.Fields{}
	if !slices.Contains(RejectReasons, reason) {
		bad.Add("reason", "must be one of "+strings.Join(RejectReasons, ", "))
	}
	if reason == "other" && text == "" {
		bad.Add("reason_text", "is required: say why, since the reason is other")
	}
	if utf8.RuneCountInString(text) > MaxNote {
		bad.Add("reason_text", fmt.Sprintf("must be at most %d characters", MaxNote))
	}
	if err := bad.Err(); err != nil {
		return Handover{}, err
	}
	return s.answer(ctx, a, id, Rejected, reason, text)
}

func (s *Service) answer(ctx context.Context, a access.Actor, id int64, status, reason, text string) (Handover, error) {
	now := s.stamp()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		h, err := getHandover(ctx, tx, a, id, tx.ForUpdate("h"))
		if err != nil {
			return err
		}
		if !MayAnswer(a, h) {
			return fault.Errorf(fault.Forbidden, "only the account executive it was handed to, or an admin, answers a hand-over")
		}
		// The row is locked and the status checked again in the write:
		// of an accept and a reject at once, one finds it answered.
		res, err := tx.Exec(ctx, `UPDATE handovers SET status = ?, reason = ?, reason_text = ?, answered_at = ?, answered_by = ?
			WHERE id = ? AND status = ?`, status, reason, text, now.UnixMilli(), nullID(a.ID), id, Pending)
		if err != nil {
			return fmt.Errorf("salesteam: answer hand-over %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.Conflict, "hand-over %d was %s already", id, h.Status)
		}
		args := answeredBy(a, h)
		args["Lead"], args["LeadID"] = h.LeadName, itoa(h.LeadID)
		kind, notice, why := KindAccepted, NoticeAccepted, ""
		if status == Rejected {
			var prev int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(prev_account_owner, 0) FROM handovers WHERE id = ?`, id).Scan(&prev); err != nil {
				return fmt.Errorf("salesteam: hand-over %d: %w", id, err)
			}
			// What the AE still owns (what nobody owns when the AE's
			// user was deleted) goes back; an SDR deleted since leaves it
			// unassigned, for anyone to take up.
			if err := setOwners(ctx, tx, owners{account: h.AccountID, contact: h.ContactID, deal: h.OpportunityID,
				accountOwner: prev, owner: h.SDR.ID, guarded: true, from: h.AE.ID}, now); err != nil {
				return err
			}
			from := h.AE.ID
			if err := s.leads.HandOverIn(ctx, tx, h.LeadID, h.SDR.ID, &from); err != nil {
				return err
			}
			why = strings.ReplaceAll(reason, "_", " ")
			if text != "" {
				why += ": " + text
			}
			kind, notice, args["Why"] = KindRejected, NoticeRejected, why
			tx.Touch(live.Deals)
		}
		if err := s.leads.RecordIn(ctx, tx, a, h.LeadID, kind, why, nil); err != nil {
			return err
		}
		if err := notify.Add(ctx, tx, notify.Note{UserID: h.SDR.ID, Kind: notice, At: now, Link: "/handovers/" + itoa(id), Args: args}); err != nil {
			return err
		}
		detail := map[string]string{"status": status}
		if reason != "" {
			detail["reason"] = reason
		}
		return audit.Record(ctx, tx, a, "handover."+strings.TrimSuffix(status, "ed"), "handover", id, detail)
	})
	if err != nil {
		return Handover{}, err
	}
	return s.Get(ctx, a, id)
}

// answeredBy names who answered h for the SDR's notice (By): the AE, or
// the admin who answered for the AE (For; ForGone when the AE's user was
// deleted).
func answeredBy(a access.Actor, h Handover) notify.Args {
	args := notify.Args{"By": a.Email, "For": "", "ForGone": ""}
	if args["By"] == "" {
		args["By"] = "leadflow"
	}
	switch {
	case a.ID == h.AE.ID && h.AE.ID != 0:
	case h.AE.Email == "":
		args["ForGone"] = "yes"
	default:
		args["For"] = h.AE.Email
	}
	return args
}
