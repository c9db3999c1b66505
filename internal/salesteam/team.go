// Package salesteam keeps the sales teams and the hand-over between
// them: a qualifying team's reps (SDRs) work leads, and when a lead one
// of them qualified is converted, its account, contact and deal go to an
// account executive (AE) of a closing team with the SDR's note. The AE
// accepts or rejects it with a reason; a rejected one goes back to the
// SDR. The team report shows each team's and member's part.
package salesteam

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
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Role is what a team does in the sale.
type Role string

// The roles: SDRs qualify leads, AEs close the deals.
const (
	Qualifying Role = "qualifying"
	Closing    Role = "closing"
)

// Member is a user in a team.
type Member struct {
	ID       int64
	Email    string
	Disabled bool // kept in the team, passed over for hand-overs
}

// Team is a group of users with one role.
type Team struct {
	ID      int64
	Name    string
	Role    Role
	HandsTo int64 // a qualifying team's closing team; 0 for the first one
	Members []Member
	Created time.Time
	Updated time.Time
}

// Service keeps teams and hand-overs.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	now   func() time.Time
}

// NewService returns a Service over db; leads records hand-overs on the
// leads' timelines.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now}
}

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// MayChange refuses everyone but admins: teams decide who gets whose
// deals. Every user may read them.
func MayChange(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only an admin manages sales teams")
	}
	return nil
}

// Teams lists every team by role (qualifying first), then name.
func (s *Service) Teams(ctx context.Context) ([]Team, error) { return teamsIn(ctx, s.db.R) }

func teamsIn(ctx context.Context, q sqldb.Querier) ([]Team, error) {
	rows, err := q.Query(ctx, `SELECT id, name, role, COALESCE(hands_to, 0), created_at, updated_at FROM teams ORDER BY role DESC, name, id`)
	if err != nil {
		return nil, fmt.Errorf("salesteam: teams: %w", err)
	}
	var out []Team
	for rows.Next() {
		var t Team
		var c, u int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &t.HandsTo, &c, &u); err != nil {
			rows.Close()
			return nil, err
		}
		t.Created, t.Updated = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ms, err := q.Query(ctx, `SELECT m.team_id, u.id, u.email, u.disabled_at IS NOT NULL FROM team_members m JOIN users u ON u.id = m.user_id
		ORDER BY m.team_id, m.position, u.id`)
	if err != nil {
		return nil, fmt.Errorf("salesteam: members: %w", err)
	}
	defer ms.Close()
	byID := map[int64]*Team{}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	for ms.Next() {
		var team int64
		var m Member
		if err := ms.Scan(&team, &m.ID, &m.Email, &m.Disabled); err != nil {
			return nil, err
		}
		if t := byID[team]; t != nil {
			t.Members = append(t.Members, m)
		}
	}
	return out, ms.Err()
}

// Team returns team id.
func (s *Service) Team(ctx context.Context, id int64) (Team, error) {
	ts, err := s.Teams(ctx)
	if err != nil {
		return Team{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Team{}, fault.Errorf(fault.NotFound, "team %d not found", id)
}

// Input is a team as a form or the API sends it.
type Input struct {
	Name    string
	Role    string
	Members []string // users' emails, in turn order
	HandsTo int64    // a qualifying team's closing team; 0 for the first
}

// MembersOf splits a form's list of emails, separated by commas, spaces
// or lines.
func MembersOf(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// check validates in for team id against the other teams and the users
// there are, naming each bad field, and returns the members' ids.
func check(in Input, id int64, teams []Team, users map[string]int64) (Team, error) {
	bad := fault.Fields{}
	t := Team{ID: id, Name: strings.TrimSpace(in.Name), Role: Role(strings.ToLower(strings.TrimSpace(in.Role))), HandsTo: in.HandsTo}
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 100 {
		bad.Add("name", "is required, at most 100 characters")
	}
	if t.Role != Qualifying && t.Role != Closing {
		bad.Add("role", "must be qualifying or closing")
	}
	others := map[int64]Team{}
	for _, o := range teams {
		if o.ID == id {
			continue
		}
		others[o.ID] = o
		if strings.EqualFold(o.Name, t.Name) && t.Name != "" {
			bad.Add("name", "another team has this name")
		}
	}
	if t.HandsTo != 0 {
		switch o, ok := others[t.HandsTo]; {
		case t.Role != Qualifying:
			bad.Add("hands_to", "only a qualifying team hands over to a closing team")
		case !ok || o.Role != Closing:
			bad.Add("hands_to", "must be a closing team")
		}
	}
	seen := map[int64]bool{}
	for _, e := range in.Members {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		uid, ok := users[strings.ToLower(e)]
		if !ok {
			bad.Add("members", fmt.Sprintf("no user has the email %q", e))
			continue
		}
		if seen[uid] {
			continue
		}
		seen[uid] = true
		for _, o := range others {
			if o.Role == t.Role && slices.ContainsFunc(o.Members, func(m Member) bool { return m.ID == uid }) {
				bad.Add("members", fmt.Sprintf("%s is already in the %s team %q: a user is in at most one team of each role", e, o.Role, o.Name))
			}
		}
		t.Members = append(t.Members, Member{ID: uid, Email: e})
	}
	return t, bad.Err()
}

func usersByEmail(ctx context.Context, q sqldb.Querier) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT id, email FROM users`)
	if err != nil {
		return nil, fmt.Errorf("salesteam: users: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var e string
		if err := rows.Scan(&id, &e); err != nil {
			return nil, err
		}
		out[strings.ToLower(e)] = id
	}
	return out, rows.Err()
}

// Save creates a team (id 0) or replaces team id's name, role, closing
// team and members.
func (s *Service) Save(ctx context.Context, a access.Actor, id int64, in Input) (Team, error) {
	if err := MayChange(a); err != nil {
		return Team{}, err
	}
	now := s.stamp()
	var out Team
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Saves wait for each other, so the one-team-per-role rule is
		// checked against what the other save committed.
		if err := tx.LockKey(ctx, "teams"); err != nil {
			return fmt.Errorf("salesteam: %w", err)
		}
		teams, err := teamsIn(ctx, tx)
		if err != nil {
			return err
		}
		var was *Team
		for i := range teams {
			if teams[i].ID == id {
				was = &teams[i]
			}
		}
		if id != 0 && was == nil {
			return fault.Errorf(fault.NotFound, "team %d not found", id)
		}
		users, err := usersByEmail(ctx, tx)
		if err != nil {
			return err
		}
		t, err := check(in, id, teams, users)
		if err != nil {
			return err
		}
		if was != nil && was.Role == Closing && t.Role != Closing {
			for _, o := range teams {
				if o.HandsTo == id {
					return &fault.Error{Code: fault.Invalid, Message: "a qualifying team hands over to this team",
						Fields: map[string]string{"role": fmt.Sprintf("stays closing while the team %q hands over to it", o.Name)}}
				}
			}
		}
		handsTo := any(nil)
		if t.HandsTo != 0 {
			handsTo = t.HandsTo
		}
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO teams (name, role, hands_to, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				t.Name, string(t.Role), handsTo, now.UnixMilli(), now.UnixMilli()).Scan(&t.ID)
			t.Created = now
		} else {
			_, err = tx.Exec(ctx, `UPDATE teams SET name = ?, role = ?, hands_to = ?, updated_at = ? WHERE id = ?`,
				t.Name, string(t.Role), handsTo, now.UnixMilli(), id)
			t.Created = was.Created
		}
		if err != nil {
			return fmt.Errorf("salesteam: save team: %w", err)
		}
		t.Updated = now
		if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = ?`, t.ID); err != nil {
			return fmt.Errorf("salesteam: members of %d: %w", t.ID, err)
		}
		for i, m := range t.Members {
			if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id, role, position) VALUES (?, ?, ?, ?)`,
				t.ID, m.ID, string(t.Role), i+1); err != nil {
				return fmt.Errorf("salesteam: member of %d: %w", t.ID, err)
			}
		}
		action, detail := "team.create", map[string]any{"role": t.Role, "members": memberIDs(t.Members)}
		if was != nil {
			action = "team.update"
			detail["fields"] = changed(*was, t)
		}
		out = t
		return audit.Record(ctx, tx, a, action, "team", t.ID, detail)
	})
	if sqldb.IsUniqueViolation(err) {
		return Team{}, fault.Errorf(fault.Conflict, "another admin changed the teams meanwhile; reload and save again")
	}
	if err != nil {
		return Team{}, err
	}
	return s.Team(ctx, out.ID)
}

func memberIDs(ms []Member) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// changed names the fields of a team a save changed, for the audit log.
func changed(was, now Team) []string {
	out := []string{}
	if was.Name != now.Name {
		out = append(out, "name")
	}
	if was.Role != now.Role {
		out = append(out, "role")
	}
	if was.HandsTo != now.HandsTo {
		out = append(out, "hands_to")
	}
	if !slices.Equal(memberIDs(was.Members), memberIDs(now.Members)) {
		out = append(out, "members")
	}
	return out
}

// Delete removes team id; its hand-overs stay, in the reports under no
// team.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := MayChange(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockKey(ctx, "teams"); err != nil {
			return fmt.Errorf("salesteam: %w", err)
		}
		teams, err := teamsIn(ctx, tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(teams, func(t Team) bool { return t.ID == id })
		if i < 0 {
			return fault.Errorf(fault.NotFound, "team %d not found", id)
		}
		t := teams[i]
		// The audit log keeps what the team was, and the qualifying teams
		// that handed over to it: they hand over to the first closing
		// team from now on (hands_to is set null).
		reset := []string{}
		for _, q := range teams {
			if q.HandsTo == id {
				reset = append(reset, q.Name)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM teams WHERE id = ?`, id); err != nil {
			return fmt.Errorf("salesteam: delete team %d: %w", id, err)
		}
		detail := map[string]any{"name": t.Name, "role": t.Role, "members": memberIDs(t.Members)}
		if len(reset) > 0 {
			detail["hands_to_reset"] = reset
		}
		return audit.Record(ctx, tx, a, "team.delete", "team", id, detail)
	})
}

// teamOfLocked returns the team of role r that user uid is in, its row
// locked by lock (a clause on the teams row, alias t); ok is false when
// none.
func teamOfLocked(ctx context.Context, q sqldb.Querier, uid int64, r Role, lock string) (id int64, ok bool, err error) {
	err = q.QueryRow(ctx, `SELECT t.id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? AND m.role = ?`+lock,
		uid, string(r)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("salesteam: team of user %d: %w", uid, err)
	}
	return id, true, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
