package segment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Service is what the UI and the API call to work on segments: every
// role sees segments and their counts; admin and marketing make, change
// and delete them.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
	// Jobs, when set, is woken when a segment is saved, so its fill
	// starts at once.
	Jobs *job.Runner
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

// MayManage refuses a when it may not make or change segments.
func MayManage(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "segments are made and changed by admin and marketing users")
	}
	return nil
}

const columns = `id, kind, name, description, combine, conditions, members, filled_at, COALESCE(created_by, 0), created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (Segment, error) {
	var s Segment
	var conds string
	var filled sql.NullInt64
	var created, updated int64
	err := row.Scan(&s.ID, &s.Kind, &s.Name, &s.Description, &s.Combine, &conds, &s.Members, &filled, &s.CreatedBy, &created, &updated, &s.Version)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(conds), &s.Conditions); err != nil {
		return s, fmt.Errorf("segment %d: conditions: %w", s.ID, err)
	}
	s.Filled = filled.Valid
	s.CreatedAt, s.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return s, nil
}

func get(ctx context.Context, q sqldb.Querier, id int64) (Segment, error) {
	s, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM segments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fault.Errorf(fault.NotFound, "there is no segment %d", id)
	}
	if err != nil {
		return s, fmt.Errorf("segment: get %d: %w", id, err)
	}
	return s, nil
}

func list(ctx context.Context, q sqldb.Querier) ([]Segment, error) {
	rows, err := q.Query(ctx, `SELECT `+columns+` FROM segments ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("segment: list: %w", err)
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		s, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// List returns every segment with its member count, by name.
func (s *Service) List(ctx context.Context, a access.Actor) ([]Segment, error) {
	return list(ctx, s.db.R)
}

// ListKind returns the segments of kind (KindLeads or KindAccounts), by
// name.
func (s *Service) ListKind(ctx context.Context, a access.Actor, kind string) ([]Segment, error) {
	all, err := list(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, seg := range all {
		if seg.Kind == kind {
			out = append(out, seg)
		}
	}
	return out, nil
}

// Get returns segment id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Segment, error) {
	return get(ctx, s.db.R, id)
}

// Create validates and stores a new segment, which the membership job
// then fills.
func (s *Service) Create(ctx context.Context, a access.Actor, seg Segment) (Segment, error) {
	if err := MayManage(a); err != nil {
		return seg, err
	}
	if err := seg.Validate(); err != nil {
		return seg, err
	}
	now := s.now().UTC().UnixMilli()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := lockSync(ctx, tx); err != nil {
			return err
		}
		if err := checkReferences(ctx, tx, seg); err != nil {
			return err
		}
		var creator any
		if a.ID != 0 {
			creator = a.ID
		}
		err := tx.QueryRow(ctx, `INSERT INTO segments (kind, name, description, combine, conditions, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, seg.Kind, seg.Name, seg.Description, seg.Combine, encodeConditions(seg.Conditions),
			creator, now, now).Scan(&seg.ID)
		if err != nil {
			return nameTaken(err)
		}
		return audit.Record(ctx, tx, a, "segment.create", "segment", seg.ID, map[string]any{"name": seg.Name, "kind": seg.Kind})
	})
	if err != nil {
		return seg, err
	}
	s.wake()
	return get(ctx, s.db.R, seg.ID)
}

// Update replaces segment seg.ID's name, description and conditions. A
// non-zero seg.Version must be the stored one, so an edit made from a
// stale page is refused rather than undoing what someone saved since.
// Changed conditions fill the segment again.
func (s *Service) Update(ctx context.Context, a access.Actor, seg Segment) (Segment, error) {
	if err := MayManage(a); err != nil {
		return seg, err
	}
	if err := seg.Validate(); err != nil {
		return seg, err
	}
	now := s.now().UTC().UnixMilli()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := lockSync(ctx, tx); err != nil {
			return err
		}
		old, err := get(ctx, tx, seg.ID)
		if err != nil {
			return err
		}
		if seg.Version != 0 && seg.Version != old.Version {
			return fault.Errorf(fault.Conflict, "segment %q was changed by someone else since this page was opened; reload it", old.Name)
		}
		// What a segment holds is fixed: sequences and lists that use it
		// expect leads, or accounts.
		if seg.Kind != old.Kind {
			return &fault.Error{Code: fault.Invalid, Message: "some fields are invalid",
				Fields: map[string]string{"kind": "stays " + old.Kind + "; make a new segment of " + seg.Kind}}
		}
		if err := checkReferences(ctx, tx, seg); err != nil {
			return err
		}
		conds := encodeConditions(seg.Conditions)
		refill := conds != encodeConditions(old.Conditions) || seg.Combine != old.Combine
		set := `name = ?, description = ?, combine = ?, conditions = ?, updated_at = ?, version = version + 1`
		if refill {
			set += `, fill_after = 0, filled_at = NULL`
		}
		if _, err := tx.Exec(ctx, `UPDATE segments SET `+set+` WHERE id = ?`, seg.Name, seg.Description, seg.Combine, conds, now, seg.ID); err != nil {
			return nameTaken(err)
		}
		return audit.Record(ctx, tx, a, "segment.update", "segment", seg.ID, map[string]any{"name": seg.Name, "conditions_changed": refill})
	})
	if err != nil {
		return seg, err
	}
	s.wake()
	return get(ctx, s.db.R, seg.ID)
}

// Delete removes segment id and its members; a segment other segments
// test membership of is refused until they stop.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := MayManage(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := lockSync(ctx, tx); err != nil {
			return err
		}
		seg, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		all, err := list(ctx, tx)
		if err != nil {
			return err
		}
		for _, other := range all {
			if slices.Contains(other.refersTo(), id) {
				return fault.Errorf(fault.Conflict, "segment %q is used by segment %q; remove that condition first", seg.Name, other.Name)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+targetOf(seg).members+` WHERE segment_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM segments WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "segment.delete", "segment", id, map[string]any{"name": seg.Name})
	})
}

func nameTaken(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return &fault.Error{Code: fault.Invalid, Message: "some fields are invalid",
			Fields: map[string]string{"name": "is already the name of another segment"}}
	}
	return err
}

// checkReferences refuses conditions naming a segment that does not
// exist or that would make a loop (a segment in itself, or A in B in A),
// and owners that are not users.
func checkReferences(ctx context.Context, tx *sqldb.Tx, seg Segment) error {
	all, err := list(ctx, tx)
	if err != nil {
		return err
	}
	refs := map[int64][]int64{}
	kinds := map[int64]string{}
	for _, o := range all {
		refs[o.ID] = o.refersTo()
		kinds[o.ID] = o.Kind
	}
	refs[seg.ID] = seg.refersTo() // seg.ID is 0 for a new segment
	bad := fault.Fields{}
	for i, c := range seg.Conditions {
		at := "conditions." + strconv.Itoa(i) + "."
		switch c.Field {
		case FSegment:
			if _, ok := refs[c.Segment]; !ok || c.Segment == 0 {
				bad.Add(at+"segment", fmt.Sprintf("there is no segment %d", c.Segment))
			} else if kinds[c.Segment] != seg.Kind {
				bad.Add(at+"segment", fmt.Sprintf("segment %d holds %s, this one %s", c.Segment, kinds[c.Segment], seg.Kind))
			} else if reaches(refs, c.Segment, seg.ID) {
				bad.Add(at+"segment", "would put the segment inside itself")
			}
		case lead.FOwner:
			for _, v := range c.Values {
				if v == Unassigned {
					continue
				}
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE lower(email) = ?`, v).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					bad.Add(at+"values", "no user has the email "+strconv.Quote(v))
				}
			}
		}
	}
	return bad.Err()
}

// reaches reports whether from leads to target through refs, from itself
// included: a segment that reaches the one being saved would contain it.
func reaches(refs map[int64][]int64, from, target int64) bool {
	seen := map[int64]bool{}
	stack := []int64{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == target {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, refs[n]...)
	}
	return false
}

// Sync brings every segment up to date in the caller's goroutine, as the
// membership job does: for the demo loader and the command line.
func (s *Service) Sync(ctx context.Context) (Stats, error) {
	sy := NewSyncer(s.db)
	sy.SetClock(s.now)
	return sy.Run(ctx)
}

// wake starts the membership job now instead of at its next period.
func (s *Service) wake() {
	if s.Jobs != nil {
		Wake(context.Background(), s.Jobs)
	}
}
