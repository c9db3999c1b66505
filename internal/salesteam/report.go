package salesteam

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
)

// Figures are one team's or one member's part over a period.
type Figures struct {
	// Qualified counts the leads made SQL through BANT (qualifying
	// teams only).
	Qualified int
	// HandedOver counts the hand-overs a qualifying team gave or a
	// closing team received.
	HandedOver int
	Accepted   int
	Rejected   int
	Pending    int
	// RejectedBy counts the rejections by reason.
	RejectedBy map[string]int
	// Won counts the handed-over deals won, WonAmount sums them by
	// currency.
	Won       int
	WonAmount map[string]int64
	// AcceptHours is the mean time from hand-over to acceptance, in
	// hours; nil when nothing was accepted.
	AcceptHours *float64

	acceptSum float64
}

// add counts hand-over r in f, on the closing side when closing: a deal
// the AE rejected went back to the SDR, so its win is the qualifying
// side's alone.
func (f *Figures) add(r handoverRow, closing bool) {
	f.HandedOver++
	switch r.status {
	case Accepted:
		f.Accepted++
		if r.answered.Valid {
			f.acceptSum += float64(r.answered.Int64-r.created) / float64(time.Hour/time.Millisecond)
			h := f.acceptSum / float64(f.Accepted)
			f.AcceptHours = &h
		}
	case Rejected:
		f.Rejected++
		if f.RejectedBy == nil {
			f.RejectedBy = map[string]int{}
		}
		f.RejectedBy[r.reason]++
	default:
		f.Pending++
	}
	if r.outcome == crm.Won && !(closing && r.status == Rejected) {
		f.Won++
		if f.WonAmount == nil {
			f.WonAmount = map[string]int64{}
		}
		if r.amount.Valid {
			f.WonAmount[r.currency] += r.amount.Int64
		}
	}
}

// MemberFigures are a member's figures.
type MemberFigures struct {
	Person
	Figures
	Former bool // no longer in the team: figures from before
}

// TeamFigures are a team's figures and its members'.
type TeamFigures struct {
	ID      int64
	Name    string
	Role    Role
	Total   Figures
	Members []MemberFigures
}

type handoverRow struct {
	sdr, sdrTeam, ae, aeTeam int64
	sdrEmail, aeEmail        string
	status, reason           string
	created                  int64
	answered                 sql.NullInt64
	amount                   sql.NullInt64
	currency, outcome        string
}

// DefaultDays is the report's period, in days, when none is asked.
const DefaultDays = 30

// ReportDays is Report over the last days up to now by the service's
// clock; days is as typed ("" for DefaultDays), refused naming the
// field unless a whole number from 1 to 3650. It answers the days used.
func (s *Service) ReportDays(ctx context.Context, days string) ([]TeamFigures, int, error) {
	n := DefaultDays
	if days = strings.TrimSpace(days); days != "" {
		var err error
		if n, err = strconv.Atoi(days); err != nil || n < 1 || n > 3650 {
			return nil, 0, &fault.Error{Code: fault.Invalid, Message: "the report's period is not a number of days",
				Fields: map[string]string{"days": "must be a number of days from 1 to 3650"}}
		}
	}
	now := s.stamp()
	// to is just after now: what was stamped at now is in.
	rep, err := s.Report(ctx, now.AddDate(0, 0, -n), now.Add(time.Millisecond))
	return rep, n, err
}

// Report returns each team's part in the hand-overs made in [from, to)
// and the leads its members qualified then, qualifying teams first.
// It is aggregates only: every user may read it.
func (s *Service) Report(ctx context.Context, from, to time.Time) ([]TeamFigures, error) {
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TeamFigures, len(teams))
	type key struct{ team, user int64 }
	members := map[key]*MemberFigures{}
	index := map[int64]int{}
	for i, t := range teams {
		out[i] = TeamFigures{ID: t.ID, Name: t.Name, Role: t.Role}
		index[t.ID] = i
		for _, m := range t.Members {
			out[i].Members = append(out[i].Members, MemberFigures{Person: Person{ID: m.ID, Email: m.Email}})
		}
	}
	for i := range out {
		for j := range out[i].Members {
			members[key{out[i].ID, out[i].Members[j].ID}] = &out[i].Members[j]
		}
	}
	// member finds the row of user in team, adding a former member's.
	member := func(team, user int64, email string) *MemberFigures {
		i, ok := index[team]
		if !ok || user == 0 {
			return nil
		}
		if m := members[key{team, user}]; m != nil {
			return m
		}
		out[i].Members = append(out[i].Members, MemberFigures{Person: Person{ID: user, Email: email}, Former: true})
		// The slice may have moved: index its rows again.
		for j := range out[i].Members {
			members[key{team, out[i].Members[j].ID}] = &out[i].Members[j]
		}
		return members[key{team, user}]
	}
	rows, err := s.db.R.Query(ctx, `SELECT COALESCE(h.sdr_id, 0), COALESCE(h.sdr_team_id, 0), COALESCE(h.ae_id, 0), COALESCE(h.ae_team_id, 0),
		COALESCE(su.email, ''), COALESCE(au.email, ''), h.status, h.reason, h.created_at, h.answered_at, o.amount, COALESCE(o.currency, ''),
		COALESCE(ps.outcome, '')
		FROM handovers h LEFT JOIN users su ON su.id = h.sdr_id LEFT JOIN users au ON au.id = h.ae_id
		LEFT JOIN opportunities o ON o.id = h.opportunity_id LEFT JOIN pipeline_stages ps ON ps.key = o.stage
		WHERE h.created_at >= ? AND h.created_at < ?`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("salesteam: report: %w", err)
	}
	var hs []handoverRow
	for rows.Next() {
		var r handoverRow
		if err := rows.Scan(&r.sdr, &r.sdrTeam, &r.ae, &r.aeTeam, &r.sdrEmail, &r.aeEmail, &r.status, &r.reason, &r.created,
			&r.answered, &r.amount, &r.currency, &r.outcome); err != nil {
			rows.Close()
			return nil, err
		}
		hs = append(hs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("salesteam: report: %w", err)
	}
	for _, r := range hs {
		for _, side := range []struct {
			team, user int64
			email      string
			closing    bool
		}{{r.sdrTeam, r.sdr, r.sdrEmail, false}, {r.aeTeam, r.ae, r.aeEmail, true}} {
			if i, ok := index[side.team]; ok {
				out[i].Total.add(r, side.closing)
				if m := member(side.team, side.user, side.email); m != nil {
					m.add(r, side.closing)
				}
			}
		}
	}
	// Leads qualified: by the members of qualifying teams as they are.
	q, err := s.db.R.Query(ctx, `SELECT m.team_id, q.decided_by, COUNT(*) FROM lead_qualifications q
		JOIN team_members m ON m.user_id = q.decided_by AND m.role = ?
		WHERE q.outcome = ? AND q.decided_at >= ? AND q.decided_at < ? GROUP BY m.team_id, q.decided_by`,
		string(Qualifying), string(lead.SQL), from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("salesteam: report qualified: %w", err)
	}
	defer q.Close()
	for q.Next() {
		var team, user int64
		var n int
		if err := q.Scan(&team, &user, &n); err != nil {
			return nil, err
		}
		if i, ok := index[team]; ok {
			out[i].Total.Qualified += n
			if m := members[key{team, user}]; m != nil {
				m.Qualified += n
			}
		}
	}
	if err := q.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		sort.SliceStable(out[i].Members, func(a, b int) bool { return !out[i].Members[a].Former && out[i].Members[b].Former })
	}
	return out, nil
}
