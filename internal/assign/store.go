package assign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Store keeps the rules and settings. It caches both, since every new
// lead reads them: changes made through it show at once, another
// server's within cacheFor.
type Store struct {
	db *sqldb.DB

	mu       sync.Mutex
	rules    []Rule
	settings *Settings
	disabled map[int64]bool // users who are given no leads
	loaded   time.Time
}

// cacheFor bounds how stale another server's change may look.
const cacheFor = 5 * time.Second

// NewStore returns a Store over db.
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// forget drops the cache after a change.
func (s *Store) forget() {
	s.mu.Lock()
	s.settings, s.rules = nil, nil
	s.mu.Unlock()
}

// cached returns the rules and settings, reading them through q when the
// cache is empty or old.
func (s *Store) cached(ctx context.Context, q sqldb.Querier) ([]Rule, Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settings != nil && time.Since(s.loaded) < cacheFor {
		return s.rules, *s.settings, nil
	}
	rules, err := rulesIn(ctx, q)
	if err != nil {
		return nil, Settings{}, err
	}
	st, err := settingsIn(ctx, q)
	if err != nil {
		return nil, Settings{}, err
	}
	off, err := sqldb.Column[int64](ctx, q, `SELECT id FROM users WHERE disabled_at IS NOT NULL`)
	if err != nil {
		return nil, Settings{}, fmt.Errorf("assign: disabled users: %w", err)
	}
	s.disabled = map[int64]bool{}
	for _, id := range off {
		s.disabled[id] = true
	}
	s.rules, s.settings, s.loaded = rules, &st, time.Now()
	return rules, st, nil
}

// active returns the members who may be given leads: a disabled user
// keeps their place in the rule, to have it back when enabled, but is
// passed over meanwhile.
func (s *Store) active(members []Member) []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Member, 0, len(members))
	for _, m := range members {
		if !s.disabled[m.ID] {
			out = append(out, m)
		}
	}
	return out
}

const settingsKey = "assignment"

// Rules returns the rules in the order they are tried.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) { return rulesIn(ctx, s.db.R) }

func rulesIn(ctx context.Context, q sqldb.Querier) ([]Rule, error) {
	rows, err := q.Query(ctx, `SELECT id, name, applies_to, countries, industries, min_employees, max_employees, members, turn
		FROM assignment_rules ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("assign: rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var countries, industries, members string
		var minE, maxE sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Name, &r.AppliesTo, &countries, &industries, &minE, &maxE, &members, &r.Turn); err != nil {
			return nil, err
		}
		r.Countries, r.Industries = strings.Fields(countries), splitList(industries)
		r.MinEmployees, r.MaxEmployees = ptr(minE), ptr(maxE)
		for _, f := range strings.Fields(members) {
			id, _ := strconv.ParseInt(f, 10, 64)
			r.Members = append(r.Members, Member{ID: id})
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, resolveEmails(ctx, q, out)
}

// resolveEmails fills in the members' emails and drops users that no
// longer exist.
func resolveEmails(ctx context.Context, q sqldb.Querier, rules []Rule) error {
	if len(rules) == 0 {
		return nil // the common case on every intake, without a query
	}
	emails, err := userEmails(ctx, q)
	if err != nil {
		return err
	}
	for i := range rules {
		kept := rules[i].Members[:0]
		for _, m := range rules[i].Members {
			if e, ok := emails[m.ID]; ok {
				kept = append(kept, Member{ID: m.ID, Email: e})
			}
		}
		rules[i].Members = kept
	}
	return nil
}

func userEmails(ctx context.Context, q sqldb.Querier) (map[int64]string, error) {
	rows, err := q.Query(ctx, `SELECT id, email FROM users`)
	if err != nil {
		return nil, fmt.Errorf("assign: users: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var e string
		if err := rows.Scan(&id, &e); err != nil {
			return nil, err
		}
		out[id] = e
	}
	return out, rows.Err()
}

func ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input is a rule as a form or the API sends it, in text.
type Input struct {
	Name         string
	AppliesTo    string
	Countries    string // names or ISO codes, separated by commas
	Industries   string // separated by commas
	MinEmployees string
	MaxEmployees string
	Members      string // users' emails, separated by commas, in turn order
	Position     string // where the rule goes among the others, from 1
}

// InputOf returns r in its text form, for an edit form.
func InputOf(r Rule, position int) Input {
	in := Input{Name: r.Name, AppliesTo: string(r.AppliesTo), Countries: strings.Join(r.Countries, ", "),
		Industries: strings.Join(r.Industries, ", "), Position: strconv.Itoa(position)}
	if r.MinEmployees != nil {
		in.MinEmployees = strconv.FormatInt(*r.MinEmployees, 10)
	}
	if r.MaxEmployees != nil {
		in.MaxEmployees = strconv.FormatInt(*r.MaxEmployees, 10)
	}
	emails := make([]string, len(r.Members))
	for i, m := range r.Members {
		emails[i] = m.Email
	}
	in.Members = strings.Join(emails, ", ")
	return in
}

// parse validates in against the users there are, naming each bad field.
func parse(in Input, users map[string]int64) (Rule, int, error) {
	bad := fault.Fields{}
	r := Rule{Name: strings.TrimSpace(in.Name), AppliesTo: When(strings.ToLower(strings.TrimSpace(in.AppliesTo)))}
	if r.Name == "" || len(r.Name) > 100 {
		bad.Add("name", "is required, at most 100 characters")
	}
	if r.AppliesTo == "" {
		r.AppliesTo = New
	}
	if r.AppliesTo != New && r.AppliesTo != Qualified && r.AppliesTo != Both {
		bad.Add("applies_to", "must be new, qualified or both")
	}
	for _, c := range splitList(in.Countries) {
		code, ok := country.Normalize(c)
		if !ok {
			bad.Add("countries", fmt.Sprintf("%q is not a country name or ISO code", c))
			continue
		}
		r.Countries = append(r.Countries, code)
	}
	r.Industries = splitList(in.Industries)
	r.MinEmployees = parseCount(in.MinEmployees, "min_employees", bad)
	r.MaxEmployees = parseCount(in.MaxEmployees, "max_employees", bad)
	if r.MinEmployees != nil && r.MaxEmployees != nil && *r.MinEmployees > *r.MaxEmployees {
		bad.Add("max_employees", "must not be below the minimum")
	}
	for _, e := range splitList(in.Members) {
		id, ok := users[strings.ToLower(e)]
		if !ok {
			bad.Add("members", fmt.Sprintf("no user has the email %q", e))
			continue
		}
		r.Members = append(r.Members, Member{ID: id, Email: e})
	}
	if len(r.Members) == 0 && bad["members"] == "" {
		bad.Add("members", "name at least one user, by email")
	}
	pos := 0
	if s := strings.TrimSpace(in.Position); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			bad.Add("position", "must be a whole number from 1")
		}
		pos = n
	}
	return r, pos, bad.Err()
}

func parseCount(s, field string, bad fault.Fields) *int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		bad.Add(field, "must be a whole number, 0 or more")
		return nil
	}
	return &n
}

func usersByEmail(ctx context.Context, q sqldb.Querier) (map[string]int64, error) {
	byID, err := userEmails(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(byID))
	for id, e := range byID {
		out[strings.ToLower(e)] = id
	}
	return out, nil
}

// MayChange returns a Forbidden fault unless a may change the rules and
// settings. The write methods ask it first; the assignment page asks it
// before showing forms only an admin can use. Reading the rules needs no
// role: every user may see where leads go.
func (s *Store) MayChange(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only an admin manages lead assignment")
	}
	return nil
}

// Save creates a rule (id 0) or replaces rule id, placing it at the
// position asked for (the end when none is given).
func (s *Store) Save(ctx context.Context, a access.Actor, id int64, in Input) (Rule, error) {
	if err := s.MayChange(a); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		users, err := usersByEmail(ctx, tx)
		if err != nil {
			return err
		}
		r, pos, err := parse(in, users)
		if err != nil {
			return err
		}
		rules, err := rulesIn(ctx, tx)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(rules)+1)
		for _, x := range rules {
			if x.ID != id {
				ids = append(ids, x.ID)
			}
		}
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO assignment_rules (position, name, applies_to, countries, industries, min_employees, max_employees, members)
				VALUES (0, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ruleArgs(r)...).Scan(&r.ID)
		} else {
			r.ID = id
			var res sql.Result
			res, err = tx.Exec(ctx, `UPDATE assignment_rules SET name = ?, applies_to = ?, countries = ?, industries = ?,
				min_employees = ?, max_employees = ?, members = ? WHERE id = ?`, append(ruleArgs(r), id)...)
			if n, _ := rowsAffected(res, err); err == nil && n == 0 {
				return fault.Errorf(fault.NotFound, "assignment rule %d not found", id)
			}
		}
		if err != nil {
			return fmt.Errorf("assign: save rule: %w", err)
		}
		if pos < 1 || pos > len(ids)+1 {
			pos = len(ids) + 1
		}
		ids = append(ids[:pos-1], append([]int64{r.ID}, ids[pos-1:]...)...)
		out = r
		if err := audit.Record(ctx, tx, a, "assignment.rule_save", "assignment_rule", r.ID, map[string]any{"created": id == 0, "position": pos}); err != nil {
			return err
		}
		return renumber(ctx, tx, ids)
	})
	s.forget()
	return out, err
}

func ruleArgs(r Rule) []any {
	var minE, maxE any
	if r.MinEmployees != nil {
		minE = *r.MinEmployees
	}
	if r.MaxEmployees != nil {
		maxE = *r.MaxEmployees
	}
	ids := make([]string, len(r.Members))
	for i, m := range r.Members {
		ids[i] = strconv.FormatInt(m.ID, 10)
	}
	return []any{r.Name, string(r.AppliesTo), strings.Join(r.Countries, " "), strings.Join(r.Industries, ", "),
		minE, maxE, strings.Join(ids, " ")}
}

func renumber(ctx context.Context, tx *sqldb.Tx, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE assignment_rules SET position = ? WHERE id = ?`, i+1, id); err != nil {
			return fmt.Errorf("assign: order rules: %w", err)
		}
	}
	return nil
}

// Delete removes rule id.
func (s *Store) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayChange(a); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n, err := rowsAffected(tx.Exec(ctx, `DELETE FROM assignment_rules WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("assign: delete rule %d: %w", id, err)
		}
		if n == 0 {
			return fault.Errorf(fault.NotFound, "assignment rule %d not found", id)
		}
		return audit.Record(ctx, tx, a, "assignment.rule_delete", "assignment_rule", id, nil)
	})
	s.forget()
	return err
}

type storedSettings struct {
	Fallback     int64          `json:"fallback_owner"`
	SLAHours     map[string]int `json:"sla_hours"`
	AccountOwner bool           `json:"account_owner,omitempty"`
}

// storedIn reads the settings as stored, for a change to some of them.
func storedIn(ctx context.Context, q sqldb.Querier) (storedSettings, error) {
	var st storedSettings
	var raw string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("assign: settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, fmt.Errorf("assign: settings: %w", err)
	}
	return st, nil
}

// SetAccountOwner turns on or off the routing of a new lead linked to an
// account to that account's owner.
func (s *Store) SetAccountOwner(ctx context.Context, a access.Actor, on bool) error {
	if err := s.MayChange(a); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockKey(ctx, "settings "+settingsKey); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		st, err := storedIn(ctx, tx)
		if err != nil {
			return err
		}
		st.AccountOwner = on
		if err := saveStored(ctx, tx, st); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "assignment.account_owner", "settings", 0, map[string]bool{"account_owner": on})
	})
	s.forget()
	return err
}

func saveStored(ctx context.Context, tx *sqldb.Tx, st storedSettings) error {
	b, _ := json.Marshal(st) // plain data always marshals
	if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingsKey, string(b)); err != nil {
		return fmt.Errorf("assign: save settings: %w", err)
	}
	return nil
}

// Settings returns the fallback owner and SLA hours.
func (s *Store) Settings(ctx context.Context) (Settings, error) { return settingsIn(ctx, s.db.R) }

// SettingsIn returns the settings, from the cache or through q.
func (s *Store) SettingsIn(ctx context.Context, q sqldb.Querier) (Settings, error) {
	_, st, err := s.cached(ctx, q)
	return st, err
}

func settingsIn(ctx context.Context, q sqldb.Querier) (Settings, error) {
	out := Settings{SLAHours: map[string]int{}}
	for g, h := range DefaultSLAHours {
		out.SLAHours[g] = h
	}
	var raw string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("assign: settings: %w", err)
	}
	var st storedSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return out, fmt.Errorf("assign: settings: %w", err)
	}
	for g, h := range st.SLAHours {
		out.SLAHours[g] = h
	}
	out.AccountOwner = st.AccountOwner
	if st.Fallback != 0 {
		err := q.QueryRow(ctx, `SELECT id, email FROM users WHERE id = ?`, st.Fallback).Scan(&out.Fallback.ID, &out.Fallback.Email)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return out, fmt.Errorf("assign: fallback owner: %w", err)
		}
	}
	return out, nil
}

// SaveSettings sets the fallback owner (an email, "" for none) and the
// SLA hours by grade (text, from 1 to 8760).
func (s *Store) SaveSettings(ctx context.Context, a access.Actor, fallback string, sla map[string]string) error {
	if err := s.MayChange(a); err != nil {
		return err
	}
	bad := fault.Fields{}
	st := storedSettings{SLAHours: map[string]int{}}
	for g := range DefaultSLAHours {
		raw := strings.TrimSpace(sla[g])
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 8760 {
			bad.Add("sla_"+g, "must be a number of hours from 1 to 8760")
			continue
		}
		st.SLAHours[g] = n
	}
	if e := strings.TrimSpace(fallback); e != "" {
		users, err := usersByEmail(ctx, s.db.R)
		if err != nil {
			return err
		}
		if st.Fallback = users[strings.ToLower(e)]; st.Fallback == 0 {
			bad.Add("fallback_owner", "no user has this email")
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// The routing to account owners is set on its own and kept here.
		if err := tx.LockKey(ctx, "settings "+settingsKey); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		was, err := storedIn(ctx, tx)
		if err != nil {
			return err
		}
		st.AccountOwner = was.AccountOwner
		if err := saveStored(ctx, tx, st); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "assignment.settings", "settings", 0, st)
	})
	s.forget()
	return err
}

// Pick finds who a lead goes to at moment w, inside the transaction that
// stores the lead: the first matching rule's next member, taking the turn
// so that concurrent leads are shared out evenly; else, for a new lead,
// the fallback owner. ok is false when nobody is picked.
func (s *Store) Pick(ctx context.Context, tx *sqldb.Tx, w When, subj Subject) (d Decision, ok bool, err error) {
	rules, st, err := s.cached(ctx, tx)
	if err != nil {
		return d, false, err
	}
	for _, r := range rules {
		if !r.Matches(w, subj) {
			continue
		}
		members := s.active(r.Members)
		if len(members) == 0 {
			continue
		}
		// The increment and the read are one statement, and it locks the
		// rule's row until commit, so no two leads get the same turn.
		var turn int64
		err := tx.QueryRow(ctx, `UPDATE assignment_rules SET turn = turn + 1 WHERE id = ? RETURNING turn`, r.ID).Scan(&turn)
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted by another server since it was cached
		}
		if err != nil {
			return d, false, fmt.Errorf("assign: take turn of rule %d: %w", r.ID, err)
		}
		m := members[(turn-1)%int64(len(members))]
		return Decision{Owner: m, Why: "assignment rule " + strconv.Quote(r.Name)}, true, nil
	}
	if w == New && st.Fallback.ID != 0 && len(s.active([]Member{st.Fallback})) == 1 {
		return Decision{Owner: st.Fallback, Why: "fallback owner: no assignment rule matched"}, true, nil
	}
	return d, false, nil
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
