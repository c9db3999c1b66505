package activity

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Service is what the UI, the API and the calendar feed call.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	now   func() time.Time
}

// NewService returns a Service over db; leads records first contacts.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now}
}

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Create stores a new activity. Kind, subject and due time are required;
// the owner is a unless another is named (sales users plan only for
// themselves); the status is planned unless said otherwise.
func (s *Service) Create(ctx context.Context, a access.Actor, p Patch) (Activity, error) {
	var out Activity
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.stamp()
		act := Activity{Status: Planned, CreatedAt: now, UpdatedAt: now}
		for _, f := range []**string{&p.Kind, &p.Subject, &p.Due} {
			if *f == nil {
				*f = Str("") // required: an absent one is refused by name
			}
		}
		if p.Owner == nil {
			p.Owner = Str("")
		}
		if err := s.applyIn(ctx, tx, a, &act, p, now); err != nil {
			return err
		}
		if err := insert(ctx, tx, &act, a.ID); err != nil {
			return err
		}
		if err := s.afterWrite(ctx, tx, a, Activity{}, act, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "activity.create", "activity", act.ID, map[string]string{"kind": string(act.Kind), "link": act.Link.Type}); err != nil {
			return err
		}
		var err error
		out, err = find(ctx, tx, a, act.ID, "")
		return err
	})
	return out, err
}

// applyIn validates p onto act: fields, owner and link, naming each bad
// field; a may hand activities only to itself unless it sees every lead.
func (s *Service) applyIn(ctx context.Context, tx *sqldb.Tx, a access.Actor, act *Activity, p Patch, now time.Time) error {
	bad := fault.Fields{}
	p.apply(act, bad)
	if p.Owner != nil {
		id, email, err := resolveOwner(ctx, tx, a, *p.Owner, bad)
		if err != nil {
			return err
		}
		if bad["owner"] == "" {
			act.OwnerID, act.OwnerEmail = id, email
			if !a.CanAssignTo(id) {
				bad.Add("owner", "sales users plan activities only for themselves")
			}
		}
	}
	if p.LinkType != nil || p.LinkID != nil {
		l := act.Link
		if p.LinkType != nil {
			l.Type = *p.LinkType
		}
		if p.LinkID != nil {
			l.ID = *p.LinkID
		}
		if l.Type == "" || l.ID == 0 {
			l = Link{}
		}
		if l != act.Link {
			name, err := checkLink(ctx, tx, a, l)
			if e := fault.As(err); e != nil && e.Fields != nil {
				for k, v := range e.Fields {
					bad.Add(k, v)
				}
			} else if err != nil {
				return err
			}
			l.Name = name
			act.Link = l
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	if act.Status == Done && act.CompletedAt == nil {
		act.CompletedAt = &now
	}
	if act.Status != Done {
		act.CompletedAt = nil
	}
	return nil
}

// afterWrite does what a write means beyond the row: an activity that a
// sales user has just completed on a lead is the lead's first contact.
func (s *Service) afterWrite(ctx context.Context, tx *sqldb.Tx, a access.Actor, before, after Activity, now time.Time) error {
	if after.Status != Done || before.Status == Done || a.Role != access.Sales || after.Link.Type != OnLead || !after.CountsAsContact() {
		return nil
	}
	return s.leads.FirstContactIn(ctx, tx, a, after.Link.ID, now, fmt.Sprintf("%s %q completed", after.Kind, after.Subject))
}

// Update changes activity id by p, from p.Version when it is not 0: an
// activity written since that version is refused as a conflict naming
// the version, so that no one's change is silently overwritten. Moving
// its due time is a reschedule; setting its status to done completes it.
func (s *Service) Update(ctx context.Context, a access.Actor, id int64, p Patch) (Activity, error) {
	var out Activity
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := find(ctx, tx, a, id, tx.ForUpdate("a"))
		if err != nil {
			return err
		}
		if p.Version != 0 && p.Version != before.Version {
			return &fault.Error{Code: fault.Conflict,
				Message: fmt.Sprintf("activity %d changed since version %d; read it again and redo the change", id, p.Version),
				Fields:  map[string]string{"version": fmt.Sprintf("is %d now, not %d", before.Version, p.Version)}}
		}
		// Stamped once the row is locked: a change that waited for
		// another is recorded after it.
		now := s.stamp()
		act := before
		if err := s.applyIn(ctx, tx, a, &act, p, now); err != nil {
			return err
		}
		act.UpdatedAt = now
		if err := update(ctx, tx, act); err != nil {
			return err
		}
		if err := s.afterWrite(ctx, tx, a, before, act, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, actionOf(before, act), "activity", id, map[string][]string{"fields": changed(before, act)}); err != nil {
			return err
		}
		out, err = find(ctx, tx, a, id, "")
		return err
	})
	return out, err
}

func actionOf(before, after Activity) string {
	switch {
	case after.Status == Done && before.Status != Done:
		return "activity.complete"
	case !after.DueAt.Equal(before.DueAt) && after.Status == Planned:
		return "activity.reschedule"
	}
	return "activity.update"
}

// changed names the fields that differ, never their values: the audit
// log keeps no personal data.
func changed(before, after Activity) []string {
	var out []string
	add := func(name string, differs bool) {
		if differs {
			out = append(out, name)
		}
	}
	add("kind", before.Kind != after.Kind)
	add("subject", before.Subject != after.Subject)
	add("notes", before.Notes != after.Notes)
	add("owner", before.OwnerID != after.OwnerID)
	add("due_at", !before.DueAt.Equal(after.DueAt) || before.AllDay != after.AllDay)
	add("duration", before.Duration != after.Duration)
	add("status", before.Status != after.Status)
	add("outcome", before.Outcome != after.Outcome)
	add("link", before.Link.Type != after.Link.Type || before.Link.ID != after.Link.ID)
	if out == nil {
		out = []string{}
	}
	return out
}

// Delete removes activity id.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := find(ctx, tx, a, id, tx.ForUpdate("a")); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM activities WHERE id = ?`, id); err != nil {
			return fmt.Errorf("activity: delete %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "activity.delete", "activity", id, nil)
	})
}

// Get returns activity id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Activity, error) {
	return find(ctx, s.db.R, a, id, "")
}

// Named returns the record l links to with its name, for a form about
// to link an activity to it; a record a may not see is refused as
// Create would refuse it.
func (s *Service) Named(ctx context.Context, a access.Actor, l Link) (Link, error) {
	var err error
	l.Name, err = checkLink(ctx, s.db.R, a, l)
	return l, err
}

// ForRecord returns the activities on a record that a may see, the
// latest due first. An account's include those on its contacts and
// opportunities.
func (s *Service) ForRecord(ctx context.Context, a access.Actor, linkType string, id int64) ([]Activity, error) {
	col := linkColumn(linkType)
	if col == "" {
		return nil, fault.Errorf(fault.Invalid, "no record type %q", linkType)
	}
	cond, args := "a."+col+" = ?", []any{id}
	if linkType == OnAccount {
		cond = `(a.account_id = ? OR a.contact_id IN (SELECT id FROM contacts WHERE account_id = ?)
			OR a.opportunity_id IN (SELECT id FROM opportunities WHERE account_id = ?))`
		args = []any{id, id, id}
	}
	f := Filter{}
	f.add(cond, args...)
	f.visibleTo(a)
	return s.all(ctx, f, " ORDER BY a.due_at DESC, a.id DESC", 200)
}

// Between returns the activities due in [from, to) that a may see and
// that owners own (every one a may see when owners is nil), soonest
// first, cancelled ones left out. All-day activities are matched by
// their date, which may lie a day either side in UTC of the viewer's.
func (s *Service) Between(ctx context.Context, a access.Actor, owners []int64, from, to time.Time) ([]Activity, error) {
	f := Filter{}
	f.add("a.status <> ?", string(Cancelled))
	f.add("a.due_at >= ? AND a.due_at < ?", from.Add(-24*time.Hour).UnixMilli(), to.Add(24*time.Hour).UnixMilli())
	f.visibleTo(a)
	if owners != nil {
		f.ownedBy(owners)
	}
	list, err := s.all(ctx, f, " ORDER BY a.all_day DESC, a.due_at, a.id", 5000)
	if err != nil {
		return nil, err
	}
	// All-day ones are kept by date, which the caller's range is given
	// as local midnights of; timed ones by instant.
	fromDay := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	toDay := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return slices.DeleteFunc(list, func(x Activity) bool {
		if x.AllDay {
			return x.DueAt.Before(fromDay) || !x.DueAt.Before(toDay)
		}
		return x.DueAt.Before(from) || !x.DueAt.Before(to)
	}), nil
}

// Day is the "My day" page: a's planned activities that are overdue,
// due today and coming in the next week, in loc's days.
type Day struct {
	Overdue, Today, Upcoming []Activity
	// Done are those completed today.
	Done []Activity
}

// MyDay returns a's day at now in loc.
func (s *Service) MyDay(ctx context.Context, a access.Actor, now time.Time, loc *time.Location) (Day, error) {
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	week := today.AddDate(0, 0, 8)
	var d Day
	f := Filter{}
	f.add("a.owner_id = ?", a.ID)
	f.add("a.status = ?", string(Planned))
	f.add("a.due_at < ?", week.UnixMilli()+24*time.Hour.Milliseconds())
	list, err := s.all(ctx, f, " ORDER BY a.all_day DESC, a.due_at, a.id", 1000)
	if err != nil {
		return d, err
	}
	todayDate := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	for _, x := range list {
		date := x.Date(loc)
		switch {
		case x.Overdue(now, loc) && date.Before(todayDate):
			d.Overdue = append(d.Overdue, x)
		case date.Equal(todayDate):
			d.Today = append(d.Today, x)
		case x.Overdue(now, loc):
			d.Overdue = append(d.Overdue, x)
		case !x.AllDay && !x.DueAt.Before(tomorrow) && x.DueAt.Before(week) || x.AllDay && date.After(todayDate) && date.Before(todayDate.AddDate(0, 0, 8)):
			d.Upcoming = append(d.Upcoming, x)
		}
	}
	f = Filter{}
	f.add("a.owner_id = ?", a.ID)
	f.add("a.status = ?", string(Done))
	f.add("a.completed_at >= ? AND a.completed_at < ?", today.UnixMilli(), tomorrow.UnixMilli())
	if d.Done, err = s.all(ctx, f, " ORDER BY a.completed_at, a.id", 200); err != nil {
		return d, err
	}
	// Overdue ones oldest first, so the longest waiting leads.
	sort.SliceStable(d.Overdue, func(i, j int) bool { return d.Overdue[i].DueAt.Before(d.Overdue[j].DueAt) })
	return d, nil
}

func (s *Service) all(ctx context.Context, f Filter, order string, limit int) ([]Activity, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+from+f.where()+order+` LIMIT ?`, append(f.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("activity: list: %w", err)
	}
	defer rows.Close()
	var out []Activity
	for rows.Next() {
		act, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("activity: list: %w", err)
		}
		out = append(out, act)
	}
	return out, rows.Err()
}
