package lead

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/assign"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/scoring"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// Service is what the UI and the API call to work on leads: it checks who
// may do what, validates, stores, and records every change on the
// lead's timeline in the same transaction.
type Service struct {
	db       *sqldb.DB
	now      func() time.Time
	rules    *scoring.Store
	assigner *assign.Store
	// events commits concurrent batches of events together.
	events *sqldb.Group
	// Jobs, when set, is woken when a rescore is queued, so that it
	// starts at once rather than at the runner's next look.
	Jobs *job.Runner
	// PairsMemory bounds what the full run of the pairs job holds in
	// memory, in bytes (0: DefaultPairsMemory); beyond it the run works
	// through temporary files.
	PairsMemory int64
	// wordsReady is set once every lead is in the word index.
	wordsReady atomic.Bool
}

// eventBatchesPerCommit bounds how many API calls' events share one
// transaction: 16 batches of up to 1,000 events.
const eventBatchesPerCommit = 16

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service {
	return &Service{db: db, now: time.Now, rules: scoring.NewStore(db), assigner: assign.NewStore(db),
		events: sqldb.NewGroup(db, eventBatchesPerCommit)}
}

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Page is one page of a lead list.
type Page struct {
	Leads      []Lead
	NextCursor string // "" on the last page
	PrevCursor string // "" on the first page
	From       int    // leads before the page, for showing; approximate after rows change
	Total      int    // -1 unless asked for
}

// List returns the leads a may see that match f, one page at f's cursor.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter, withTotal bool) (Page, error) {
	f, err := s.prepare(ctx, a, f)
	if err != nil {
		return Page{}, err
	}
	skip := 0
	if f.Cursor == nil && f.Page > 1 {
		skip = (f.Page - 1) * f.Limit
	}
	lp, err := sortkey.ListAt(f.order(), f.Cursor, skip, f.Limit, func(c *sortkey.Cursor, n int) ([]Lead, []sortkey.Dest, error) {
		return listLeads(ctx, s.db.R, f, c, n, skip)
	})
	if err != nil {
		return Page{}, err
	}
	p := Page{Leads: lp.Items, NextCursor: lp.Next, PrevCursor: lp.Prev, From: lp.From, Total: -1}
	if withTotal {
		if p.Total, err = countLeads(ctx, s.db.R, f); err != nil {
			return Page{}, err
		}
	}
	return p, nil
}

// prepare completes f for a's list: what a may see, the defaults, and
// the choices of plan that depend on the data.
func (s *Service) prepare(ctx context.Context, a access.Actor, f Filter) (Filter, error) {
	if !a.SeesAllLeads() {
		f.visibleTo = a.ID
	}
	if f.Owner == "me" {
		f.Owner = a.Email
	}
	// A filter made in code rather than parsed from a request may leave
	// the order and size unset: newest first, a page of the default size.
	if _, ok := sortColumns[f.Sort]; !ok {
		f.Sort, f.Desc = "created_at", true
	}
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	f.now = s.now()
	if f.Q != "" {
		var err error
		if f.words, err = s.WordsReady(ctx); err != nil {
			return f, err
		}
		if f.words && s.db.Dialect == sqldb.Postgres {
			if f.hashWord, err = hashedWord(ctx, s.db.R, f); err != nil {
				return f, err
			}
		}
	}
	// PostgreSQL's statistics see how many leads a value has; SQLite's
	// do not, so each page chooses its plan (walk.go).
	f.choosePlan = s.db.Dialect == sqldb.SQLite && sortColumns[f.Sort].indexed && f.fewValued()
	return f, nil
}

// Get returns one lead a may see.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Lead, error) {
	return visibleLead(ctx, s.db.R, a, id)
}

// visibleLead reads lead id through q, refusing it when a may not see it.
func visibleLead(ctx context.Context, q sqldb.Querier, a access.Actor, id int64) (Lead, error) {
	l, err := getLead(ctx, q, id)
	if err != nil {
		return l, err
	}
	return l, mayRead(a, l)
}

// lockVisibleLead is visibleLead for a transaction that goes on to write
// the lead: its row stays locked until tx ends (see lockLead).
func lockVisibleLead(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64) (Lead, error) {
	l, err := lockLead(ctx, tx, id)
	if err != nil {
		return l, err
	}
	return l, mayRead(a, l)
}

// mayRead refuses l when a may not see it.
func mayRead(a access.Actor, l Lead) error {
	if !a.CanSeeLead(l.OwnerID) {
		return fault.Errorf(fault.Forbidden, "lead %d belongs to another sales user", l.ID)
	}
	return nil
}

// Create validates c and stores a new lead. A sales user's new lead is
// theirs unless they say otherwise.
func (s *Service) Create(ctx context.Context, a access.Actor, c Changes) (Lead, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if _, set := c[FOwner]; !set && a.Role == access.Sales {
		c = withOwner(c, a.Email)
	}
	l, bad := Apply(Lead{CreatedAt: now, UpdatedAt: now}, c, now)
	var created Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := s.resolveOwner(ctx, tx, a, &l, c, bad); err != nil {
			return err
		}
		if err := bad.Err(); err != nil {
			return err
		}
		grade, err := s.gradeOf(ctx, tx, l.Score)
		if err != nil {
			return err
		}
		l.Grade = grade
		na, err := s.readAssignment(ctx, tx, l)
		if err != nil {
			return err
		}
		if err := insertLead(ctx, tx, &l, ""); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, Change{LeadID: l.ID, At: now, Kind: KindCreated, Detail: Diff(Lead{}, l)}, a.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.create", "lead", l.ID, map[string]any{"fields": audit.Fields(Diff(Lead{}, l))}); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, &l, "lead created", now); err != nil {
			return err
		}
		if err := s.assignNew(ctx, tx, &l, na, now); err != nil {
			return err
		}
		created = l
		return nil
	})
	return created, err
}

// Update validates c and applies it to lead id, recording what changed.
func (s *Service) Update(ctx context.Context, a access.Actor, id int64, c Changes) (Lead, error) {
	return s.Edit(ctx, a, id, Edit{Changes: c})
}

// Edit is Update for a change made from what a user saw of the lead: it
// is refused as a Conflict when the lead changed meanwhile in a way the
// change would undo (see Edit).
func (s *Service) Edit(ctx context.Context, a access.Actor, id int64, e Edit) (Lead, error) {
	var updated Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := lockVisibleLead(ctx, tx, a, id)
		if err != nil {
			return err
		}
		// Stamped once the lead is locked: an edit that waited for
		// another is recorded after it.
		now := s.now().UTC().Truncate(time.Millisecond)
		c, err := e.against(old, now)
		if err != nil {
			return err
		}
		l, bad := Apply(old, c, now)
		if err := s.resolveOwner(ctx, tx, a, &l, c, bad); err != nil {
			return err
		}
		if l.Stage != old.Stage {
			q, err := qualificationOf(ctx, tx, id)
			if err != nil {
				return err
			}
			reasons, err := disqualifyReasonsIn(ctx, tx)
			if err != nil {
				return err
			}
			m := Move{From: old.Stage, To: l.Stage, Reason: c[FStageReason], Qualified: q != nil && q.Passed(),
				Admin: a.Role == access.Admin, Reasons: reasons}
			if why := m.Check(); why != "" {
				bad.Add(FStage, why)
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		diff := Diff(old, l)
		if len(diff) == 0 {
			updated = old
			return nil
		}
		if l.OwnerID != old.OwnerID {
			st, err := s.assigner.SettingsIn(ctx, tx)
			if err != nil {
				return err
			}
			setDue(&l, st, now)
		}
		l.UpdatedAt = now
		if err := updateLead(ctx, tx, &l); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.update", "lead", id, map[string]any{"fields": audit.Fields(diff)}); err != nil {
			return err
		}
		if err := recordChanges(ctx, tx, a, id, now, diff, strings.TrimSpace(c[FStageReason])); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, &l, "lead edited", now); err != nil {
			return err
		}
		if l.Stage == SQL && old.Stage != SQL {
			if err := s.assignQualified(ctx, tx, &l, now); err != nil {
				return err
			}
		}
		updated = l
		return nil
	})
	return updated, err
}

// recordChanges writes a stage change and an owner change as entries of
// their own, so reports can find them, and the other fields together.
func recordChanges(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64, now time.Time, diff map[string][2]string, stageReason string) error {
	for _, kind := range []string{KindStage, KindOwner} {
		field := FStage
		if kind == KindOwner {
			field = FOwner
		}
		if d, ok := diff[field]; ok {
			delete(diff, field)
			c := Change{LeadID: id, At: now, Kind: kind, Detail: map[string][2]string{field: d}}
			if kind == KindStage {
				c.Reason = stageReason
			}
			if err := insertChange(ctx, tx, c, a.ID); err != nil {
				return err
			}
		}
	}
	if len(diff) == 0 {
		return nil
	}
	return insertChange(ctx, tx, Change{LeadID: id, At: now, Kind: KindUpdated, Detail: diff}, a.ID)
}

// resolveOwner resolves the owner field of c, if present, into l, adding to bad
// when the owner is unknown and failing when a may not assign to them.
func (s *Service) resolveOwner(ctx context.Context, tx *sqldb.Tx, a access.Actor, l *Lead, c Changes, bad fault.Fields) error {
	email, set := c[FOwner]
	if !set {
		return nil
	}
	email = strings.TrimSpace(email)
	var id int64
	if email != "" {
		var err error
		if id, err = ownerByEmail(ctx, tx, email); err != nil {
			return err
		}
		if id == 0 {
			bad.Add(FOwner, "no user has this email")
			return nil
		}
	}
	if !a.CanAssignTo(id) {
		return fault.Errorf(fault.Forbidden, "sales users can assign leads only to themselves")
	}
	l.OwnerID, l.OwnerEmail = id, email
	return nil
}

func withOwner(c Changes, email string) Changes {
	out := make(Changes, len(c)+1)
	for k, v := range c {
		out[k] = v
	}
	out[FOwner] = email
	return out
}

// Delete removes lead id and its timeline.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if !a.CanDeleteLeads() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users can delete leads")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := getLead(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, "lead.delete", "lead", id, nil); err != nil {
			return err
		}
		return deleteLead(ctx, tx, id)
	})
}

// Timeline returns what happened to lead id, newest first.
func (s *Service) Timeline(ctx context.Context, a access.Actor, id int64) ([]Change, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return listChanges(ctx, s.db.R, id)
}

// Facets are the values present among leads, for filter menus.
type Facets struct {
	Sources   []string
	Countries []string
}

// Facets lists the sources and countries leads have.
func (s *Service) Facets(ctx context.Context) (Facets, error) {
	var f Facets
	var err error
	if f.Sources, err = distinct(ctx, s.db.R, "source"); err != nil {
		return f, err
	}
	f.Countries, err = distinct(ctx, s.db.R, "country")
	return f, err
}

// Insert stores a complete lead as given, with one timeline entry saying
// why: for data that arrives already shaped, such as the demo data set.
// The grade follows from the score. A consent given comes with its entry
// in the consent history, from why, so the lead's page never shows a
// consent with no record of it.
func (s *Service) Insert(ctx context.Context, l Lead, why string) (Lead, error) {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if l.Grade, err = s.gradeOf(ctx, tx, l.Score); err != nil {
			return err
		}
		if err := insertLead(ctx, tx, &l, ""); err != nil {
			return err
		}
		if l.Consent {
			at := l.CreatedAt
			if l.ConsentAt != nil {
				at = *l.ConsentAt
			}
			if err := insertConsent(ctx, tx, l.ID, at, consentEntry{source: why, action: ConsentGranted}, 0); err != nil {
				return err
			}
		}
		return insertChange(ctx, tx, Change{LeadID: l.ID, At: l.CreatedAt, Kind: KindCreated, Reason: why}, 0)
	})
	return l, err
}
