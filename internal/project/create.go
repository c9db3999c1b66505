package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// DeliveryInput is a project in delivery as a form or the API sends it,
// in text, so a bad value is named rather than lost. On a change, nil
// fields keep their value.
type DeliveryInput struct {
	Title          *string
	Type           *string
	AccountID      *int64
	ContactID      *int64
	Owner          *string // an email; "" for the one making the change
	Status         *string
	StartOn, DueOn *string
	Budget         *string // an amount such as 12500.50
	Currency       *string
	ClientLanguage *string
	Members        *[]string // emails
}

// Str returns a pointer to v, for building inputs.
func Str(v string) *string { return &v }

// apply validates in onto d (and the title onto p), naming each bad field.
func (in DeliveryInput) apply(p *Project, bad fault.Fields) {
	if in.Title != nil {
		p.Title = strings.TrimSpace(*in.Title)
		if p.Title == "" || utf8.RuneCountInString(p.Title) > 200 {
			bad.Add("title", "is required, at most 200 characters")
		}
	}
	if in.Type != nil {
		p.Type = Type(strings.TrimSpace(*in.Type))
		if !p.Type.valid() {
			bad.Add("type", "must be implementation or custom_development")
		}
	}
	if in.Status != nil {
		p.Delivery.Status = DeliveryStatus(strings.TrimSpace(*in.Status))
		if !slices.Contains(DeliveryStatuses, p.Delivery.Status) {
			bad.Add("status", "must be one of active, on_hold, done, cancelled")
		}
	}
	for _, f := range []struct {
		name string
		in   *string
		out  *string
	}{{"start_on", in.StartOn, &p.StartOn}, {"due_on", in.DueOn, &p.DueOn}} {
		if f.in == nil {
			continue
		}
		v := strings.TrimSpace(*f.in)
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			bad.Add(f.name, "must be a date as YYYY-MM-DD")
		}
		*f.out = v
	}
	if p.StartOn != "" && p.DueOn != "" && p.DueOn < p.StartOn {
		bad.Add("due_on", "must not be before the start date")
	}
	if in.Budget != nil {
		v, ok := catalog.Minor(*in.Budget)
		if !ok || v < 0 {
			bad.Add("budget", "must be an amount such as 12500 or 12500.50, 0 or more")
		}
		p.Budget = v
	}
	if in.Currency != nil {
		p.Currency = strings.ToUpper(strings.TrimSpace(*in.Currency))
	}
	if p.Budget > 0 && !currencyPattern.MatchString(p.Currency) {
		bad.Add("currency", "is required with a budget: a three-letter ISO 4217 code such as EUR")
	}
	if in.ClientLanguage != nil {
		p.ClientLanguage = strings.ToLower(strings.TrimSpace(*in.ClientLanguage))
		if p.ClientLanguage == "" {
			p.ClientLanguage = "en"
		}
		if !slices.Contains(Languages, p.ClientLanguage) {
			bad.Add("client_language", "must be one of en, ro, it, nb")
		}
	}
}

// userByEmail finds an active user; "" is a.
func userByEmail(ctx context.Context, q sqldb.Querier, a access.Actor, email string) (int64, bool, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return a.ID, true, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower(?) AND disabled_at IS NULL`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// resolve checks in's references (owner, account, contact, members)
// onto p, naming each bad field; it returns the members' ids when in
// lists them.
func (s *Service) resolve(ctx context.Context, q sqldb.Querier, a access.Actor, in DeliveryInput, p *Project, bad fault.Fields) ([]int64, error) {
	if in.Owner != nil {
		id, ok, err := userByEmail(ctx, q, a, *in.Owner)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			bad.Add("owner", "no active user has this email")
		case !a.CanAssignTo(id) && id != p.OwnerID:
			bad.Add("owner", "sales users give projects only to themselves")
		default:
			p.OwnerID = id
		}
	}
	if in.AccountID != nil {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE id = ?`, *in.AccountID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			bad.Add("account_id", fmt.Sprintf("no account has the id %d", *in.AccountID))
		}
		p.AccountID = *in.AccountID
	}
	if in.ContactID != nil && *in.ContactID != 0 {
		var acc int64
		err := q.QueryRow(ctx, `SELECT account_id FROM contacts WHERE id = ?`, *in.ContactID).Scan(&acc)
		if errors.Is(err, sql.ErrNoRows) || err == nil && acc != p.AccountID {
			bad.Add("contact_id", "must be a contact of the project's account")
		} else if err != nil {
			return nil, err
		}
		p.ContactID = *in.ContactID
	} else if in.ContactID != nil {
		p.ContactID = 0
	}
	if in.Members == nil {
		return nil, nil
	}
	members := []int64{}
	for _, e := range *in.Members {
		if strings.TrimSpace(e) == "" {
			continue
		}
		id, ok, err := userByEmail(ctx, q, a, e)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad.Add("members", strings.TrimSpace(e)+" is not an active user")
			continue
		}
		if !slices.Contains(members, id) {
			members = append(members, id)
		}
	}
	return members, nil
}

func setMembers(ctx context.Context, tx *sqldb.Tx, id int64, members []int64) error {
	if members == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_members WHERE project_id = ?`, id); err != nil {
		return fmt.Errorf("project: team of %d: %w", id, err)
	}
	for _, m := range members {
		if _, err := tx.Exec(ctx, `INSERT INTO project_members (project_id, user_id) VALUES (?, ?)`, id, m); err != nil {
			return fmt.Errorf("project: team of %d: %w", id, err)
		}
	}
	return nil
}

// Members returns the emails of project id's team.
func (s *Service) Members(ctx context.Context, id int64) ([]string, error) {
	return sqldb.Column[string](ctx, s.db.R, `SELECT u.email FROM project_members m JOIN users u ON u.id = m.user_id
		WHERE m.project_id = ? ORDER BY u.email`, id)
}

// Create opens a project by hand, straight into delivery. Title, type
// and account are required; the owner is a unless another is named.
func (s *Service) Create(ctx context.Context, a access.Actor, in DeliveryInput) (Project, error) {
	for _, f := range []**string{&in.Title, &in.Type} {
		if *f == nil {
			*f = Str("") // required: an absent one is refused by name
		}
	}
	if in.Owner == nil {
		in.Owner = Str("")
	}
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p := Project{Delivery: Delivery{ClientLanguage: "en"}}
		bad := fault.Fields{}
		in.Status = nil
		in.apply(&p, bad)
		if in.AccountID == nil {
			bad.Add("account_id", "is required: the account the project is for")
		}
		members, err := s.resolve(ctx, tx, a, in, &p, bad)
		if err != nil {
			return err
		}
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		if p.ID, err = insertDelivery(ctx, tx, p, 0, "opened by hand", now); err != nil {
			return err
		}
		if err := setMembers(ctx, tx, p.ID, members); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "project.create", "project", p.ID, map[string]any{"type": p.Type, "account_id": p.AccountID}); err != nil {
			return err
		}
		if err := s.startIn(ctx, tx, a, p, now); err != nil {
			return err
		}
		out, err = get(ctx, tx, p.ID)
		return err
	})
	return out, err
}

func insertDelivery(ctx context.Context, tx *sqldb.Tx, p Project, leadID int64, reason string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO projects (type, lead_id, title, status, reason, currency, created_at, updated_at,
		account_id, contact_id, opportunity_id, owner_id, start_on, due_on, budget, client_language)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(p.Type), nullID(leadID), p.Title, reason, p.Currency, now.UnixMilli(), now.UnixMilli(), nullID(p.AccountID),
		nullID(p.ContactID), nullID(p.OpportunityID), nullID(p.OwnerID), p.StartOn, p.DueOn, p.Budget, p.ClientLanguage).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("project: insert: %w", err)
	}
	return id, nil
}

// FromDeal opens the project of won deal oppID, of type typ
// (implementation when ""), carrying the deal's account, contact,
// amount, owner and the lead it came from. When the deal's lead has an
// accepted custom project, that record goes on as the deal's project.
// A deal has one project: asked again, it returns the one it has
// (created false).
func (s *Service) FromDeal(ctx context.Context, a access.Actor, oppID int64, typ Type) (out Project, created bool, err error) {
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		out, created, err = s.fromDealIn(ctx, tx, a, oppID, typ)
		return err
	})
	return out, created, err
}

func (s *Service) fromDealIn(ctx context.Context, tx *sqldb.Tx, a access.Actor, oppID int64, typ Type) (Project, bool, error) {
	if typ == "" {
		typ = Implementation
	}
	if !typ.valid() {
		return Project{}, false, &fault.Error{Code: fault.Invalid, Message: "unknown project type",
			Fields: map[string]string{"type": "must be implementation or custom_development"}}
	}
	// Two clicks at once open one project: the deal's key is held while
	// looking for its project and making it.
	if err := tx.LockKey(ctx, "project-of-deal:"+strconv.FormatInt(oppID, 10)); err != nil {
		return Project{}, false, err
	}
	var p Project
	var amount sql.NullInt64
	var contact, owner sql.NullInt64
	var outcome string
	err := tx.QueryRow(ctx, `SELECT o.account_id, o.contact_id, o.name, o.amount, o.currency, o.owner_id, COALESCE(ps.outcome, '')
		FROM opportunities o LEFT JOIN pipeline_stages ps ON ps.key = o.stage WHERE o.id = ?`, oppID).
		Scan(&p.AccountID, &contact, &p.Title, &amount, &p.Currency, &owner, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, &fault.Error{Code: fault.Invalid, Message: "no such deal",
			Fields: map[string]string{"opportunity_id": fmt.Sprintf("no deal has the id %d", oppID)}}
	}
	if err != nil {
		return p, false, fmt.Errorf("project: deal %d: %w", oppID, err)
	}
	if !a.CanSeeLead(owner.Int64) {
		return p, false, fault.Errorf(fault.Forbidden, "deal %d belongs to another sales user", oppID)
	}
	if outcome != "won" {
		return p, false, &fault.Error{Code: fault.Invalid, Message: "only a won deal becomes a project",
			Fields: map[string]string{"opportunity_id": "the deal is not won"}}
	}
	var existing int64
	err = tx.QueryRow(ctx, `SELECT id FROM projects WHERE opportunity_id = ?`, oppID).Scan(&existing)
	if err == nil {
		got, err := get(ctx, tx, existing)
		return got, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return p, false, fmt.Errorf("project: of deal %d: %w", oppID, err)
	}
	// A deal's amount is in whole units; a budget, as every amount of a
	// project, in hundredths.
	p.ContactID, p.OwnerID, p.OpportunityID, p.Budget, p.Type, p.ClientLanguage = contact.Int64, owner.Int64, oppID, amount.Int64*100, typ, "en"
	var leadID int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM leads WHERE opportunity_id = ?`, oppID).Scan(&leadID); err != nil {
		return p, false, fmt.Errorf("project: lead of deal %d: %w", oppID, err)
	}
	now := s.stamp()
	// The lead's accepted custom project goes on as the deal's project.
	var custom int64
	if leadID != 0 {
		err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM projects WHERE lead_id = ? AND status = ? AND opportunity_id IS NULL`,
			leadID, string(Accepted)).Scan(&custom)
		if err != nil {
			return p, false, fmt.Errorf("project: custom project of lead %d: %w", leadID, err)
		}
	}
	if custom != 0 {
		_, err := tx.Exec(ctx, `UPDATE projects SET account_id = ?, contact_id = ?, opportunity_id = ?,
			owner_id = COALESCE(owner_id, ?), budget = CASE WHEN ? > 0 THEN ? ELSE budget END,
			currency = CASE WHEN ? > 0 THEN ? ELSE currency END, updated_at = ?, version = version + 1 WHERE id = ?`,
			p.AccountID, nullID(p.ContactID), oppID, nullID(p.OwnerID), p.Budget, p.Budget, p.Budget, p.Currency, now.UnixMilli(), custom)
		if err != nil {
			return p, false, fmt.Errorf("project: deal %d onto project %d: %w", oppID, custom, err)
		}
		if err := audit.Record(ctx, tx, a, "project.update", "project", custom, map[string]any{"opportunity_id": oppID}); err != nil {
			return p, false, err
		}
		got, err := get(ctx, tx, custom)
		if err == nil && !got.InDelivery() {
			if err = s.startIn(ctx, tx, a, got, now); err == nil {
				got, err = get(ctx, tx, custom)
			}
		}
		return got, false, err
	}
	p.ID, err = insertDelivery(ctx, tx, p, leadID, "deal won", now)
	if err != nil {
		return p, false, err
	}
	if err := audit.Record(ctx, tx, a, "project.create", "project", p.ID, map[string]any{"type": p.Type, "opportunity_id": oppID}); err != nil {
		return p, false, err
	}
	if err := s.startIn(ctx, tx, a, p, now); err != nil {
		return p, false, err
	}
	got, err := get(ctx, tx, p.ID)
	return got, true, err
}

// OnWon is called inside the transaction that wins deal oppID; it opens
// the deal's project when the admin's setting says so.
func (s *Service) OnWon(ctx context.Context, tx *sqldb.Tx, a access.Actor, oppID int64) error {
	st, err := settingsIn(ctx, tx)
	if err != nil || !st.AutoFromWon {
		return err
	}
	_, _, err = s.fromDealIn(ctx, tx, a, oppID, st.DefaultType)
	return err
}

// ChangeDelivery changes project id by in, from version when it is not
// 0: a project written since is refused as a conflict. Done stamps the
// delivery; leaving done clears it.
func (s *Service) ChangeDelivery(ctx context.Context, a access.Actor, id, version int64, in DeliveryInput) (Project, error) {
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := s.locked(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this project since you opened it; reload it and make your change again",
				Fields: map[string]string{"version": fmt.Sprint("is ", before.Version, " now")}}
		}
		if !before.InDelivery() {
			return &fault.Error{Code: fault.Conflict, Message: "the project is still in pre-sale: accept its estimate first",
				Fields: map[string]string{"status": "is " + string(before.Status) + ", not accepted"}}
		}
		p := before
		bad := fault.Fields{}
		in.Type = nil // a project keeps its type: its stages and history are the type's
		in.apply(&p, bad)
		members, err := s.resolve(ctx, tx, a, in, &p, bad)
		if err != nil {
			return err
		}
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		delivered := any(nil)
		if p.DeliveredAt != nil {
			delivered = p.DeliveredAt.UnixMilli()
		}
		if p.Delivery.Status == Done && before.Delivery.Status != Done {
			delivered = now.UnixMilli()
		} else if p.Delivery.Status != Done {
			delivered = nil
		}
		_, err = tx.Exec(ctx, `UPDATE projects SET title = ?, delivery = ?, owner_id = ?, account_id = ?, contact_id = ?, start_on = ?,
			due_on = ?, budget = ?, currency = ?, client_language = ?, delivered_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			p.Title, string(p.Delivery.Status), nullID(p.OwnerID), nullID(p.AccountID), nullID(p.ContactID), p.StartOn, p.DueOn, p.Budget,
			p.Currency, p.ClientLanguage, delivered, now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("project: change %d: %w", id, err)
		}
		if err := setMembers(ctx, tx, id, members); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "project.update", "project", id, map[string]any{"fields": deliveryChanges(before, p, members != nil)}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// deliveryChanges names the fields that differ, never their values.
func deliveryChanges(a, b Project, team bool) []string {
	out := []string{}
	for _, f := range []struct {
		name    string
		differs bool
	}{{"title", a.Title != b.Title}, {"status", a.Delivery.Status != b.Delivery.Status}, {"owner", a.OwnerID != b.OwnerID},
		{"account_id", a.AccountID != b.AccountID}, {"contact_id", a.ContactID != b.ContactID}, {"start_on", a.StartOn != b.StartOn},
		{"due_on", a.DueOn != b.DueOn}, {"budget", a.Budget != b.Budget || a.Currency != b.Currency},
		{"client_language", a.ClientLanguage != b.ClientLanguage}, {"members", team}} {
		if f.differs {
			out = append(out, f.name)
		}
	}
	return out
}

// ForDeal returns deal oppID's project, nil when it has none or a may
// not see it.
func (s *Service) ForDeal(ctx context.Context, a access.Actor, oppID int64) (*Project, error) {
	var id int64
	err := s.db.R.QueryRow(ctx, `SELECT id FROM projects WHERE opportunity_id = ?`, oppID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("project: of deal %d: %w", oppID, err)
	}
	p, err := s.Get(ctx, a, id)
	if fault.CodeOf(err) == fault.Forbidden {
		return nil, nil
	}
	return &p, err
}
