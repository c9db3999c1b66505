package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/job"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// RescoreProgress reports how far a rescore of every lead is.
type RescoreProgress struct {
	Total, Done, Changed int64
}

// rescoreChunk is how many leads are read and scored together.
const rescoreChunk = 2000

// rescoreCommit is about how many leads a transaction of a rescore
// writes on SQLite. Each changed score moves entries in the score indexes
// at random places, and a transaction writes each page it dirtied once:
// at a million leads, 25,000 a commit rescored in 57.6 s where 2,000 took
// 86.4 s (10,000: 69.4 s; 100,000: 56.5 s).
const rescoreCommit = 25000

// RescoreAll recomputes every lead's score with the current rules at now,
// storing and recording the ones that changed, and calls progress after
// each transaction. It streams: leads and their events are read by id range, so
// memory stays flat at any number of leads.
func (s *Service) RescoreAll(ctx context.Context, reason string, progress func(RescoreProgress)) (RescoreProgress, error) {
	var p RescoreProgress
	rs, err := s.rules.Current(ctx)
	if err != nil {
		return p, err
	}
	var maxID int64
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM leads`).Scan(&p.Total, &maxID); err != nil {
		return p, fmt.Errorf("lead store: rescore: %w", err)
	}
	if err := scoring.SaveKeyset(ctx, s.db.W, rs.Rules.Keyset()); err != nil {
		return p, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	olds := map[int64]*scoring.Keyset{}
	// Reading and scoring the next chunk overlaps with writing this one:
	// the two use different connections and, on two cores, both cores.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []scored, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		for from := int64(0); from <= maxID; from += rescoreChunk {
			leads, err := s.chunk(ctx, from, from+rescoreChunk, rs.Rules, olds, now)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case chunks <- leads:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
		readErr <- nil
	}()
	for leads := range chunks {
		done, changed, err := s.storeChunks(ctx, leads, chunks, rs.Rules, reason, now)
		if err != nil {
			return p, err
		}
		p.Done += done
		p.Changed += changed
		if progress != nil {
			progress(p)
		}
	}
	return p, <-readErr
}

type scored struct {
	lead Lead           // the fields a save needs: id, version, score, grade, stage
	res  scoring.Result // its score and grade
	// sums, when rebuilt or refreshed from events, are stored unless
	// written since they were read as was.
	sums scoring.Sums
	was  scoring.Stored
}

// chunk reads the leads with ids in [from, to) and scores them from
// their stored sums. Events are read only for what the sums cannot give:
// after a change of explicit rules or thresholds, none; after a change of
// behavioural rules, the events of the types the new or changed rules
// count (the sums of the others carry over, see scoring.Keyset.Carry);
// the events of a window an event has left; and all the events of a lead
// without sums. olds caches the keysets stored sums were kept under.
func (s *Service) chunk(ctx context.Context, from, to int64, rules scoring.Rules, olds map[int64]*scoring.Keyset, now time.Time) ([]scored, error) {
	leads, facts, err := factsOf(rules).read(ctx, s.db.R, from, to)
	if err != nil {
		return nil, err
	}
	if len(leads) == 0 {
		return nil, nil
	}
	stored, err := scoring.ReadSumsRange(ctx, s.db.R, from, to)
	if err != nil {
		return nil, err
	}
	k := rules.Keyset()
	nowMs := now.UnixMilli()
	out := make([]scored, len(leads))
	sums := make([]scoring.Sums, len(leads)) // nil: rebuilt from all the lead's events
	only := make([][]int, len(leads))        // the keys folded from events
	var need []int                           // leads whose events are read
	var types []string                       // their types; nil for all
	all := false
	for i, l := range leads {
		out[i] = scored{lead: l, was: stored[l.ID]}
		got, carried, err := s.sumsFor(ctx, out[i].was, k, olds)
		if err != nil {
			return nil, err
		}
		if got == nil {
			need, all = append(need, i), true
			continue
		}
		stale, _ := k.Stale(got, nowMs)
		only[i] = append(carried, stale...)
		if len(only[i]) > 0 {
			need = append(need, i)
			for _, t := range k.Types(only[i]) {
				if !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
		}
		if out[i].was.Keyset != k.ID || len(only[i]) > 0 {
			out[i].sums = got // stored anew
		}
		sums[i] = got
	}
	if all {
		types = nil
	}
	events, err := s.eventsOfSome(ctx, leads, need, types, from, to)
	if err != nil {
		return nil, err
	}
	for _, i := range need {
		id := leads[i].ID
		if sums[i] == nil {
			sums[i] = k.Fold(events[id], nowMs)
		} else {
			k.FoldInto(sums[i], only[i], events[id], nowMs)
		}
		out[i].sums = sums[i]
	}
	for i := range out {
		// The score and grade alone wait for the writer, with a few
		// chunks more: the rules fired and the stored blob are dropped.
		res := scoring.ScoreSums(facts[i], sums[i], k, rules, nowMs)
		out[i].res = scoring.Result{Score: res.Score, Grade: res.Grade}
		out[i].was.Blob = nil
	}
	return out, nil
}

// sumsFor returns the sums st holds for k, and the keys of k they lack
// (when kept under an earlier keyset), or nil sums when they must be
// rebuilt from all the lead's events.
func (s *Service) sumsFor(ctx context.Context, st scoring.Stored, k scoring.Keyset, olds map[int64]*scoring.Keyset) (scoring.Sums, []int, error) {
	if got, ok := st.For(k); ok {
		return got, nil, nil
	}
	if st.Version == 0 {
		return nil, nil, nil
	}
	old, seen := olds[st.Keyset]
	if !seen {
		o, ok, err := scoring.LoadKeyset(ctx, s.db.R, st.Keyset)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			old = &o
		}
		olds[st.Keyset] = old
	}
	if old == nil {
		return nil, nil, nil
	}
	kept, ok := st.For(*old)
	if !ok {
		return nil, nil, nil
	}
	got, missing, ok := k.Carry(*old, kept)
	if !ok {
		return nil, nil, nil
	}
	return got, missing, nil
}

// eventsOfSome reads the events of leads[need...], whose ids are in
// [from, to), of the types named (all when types is nil): by range when
// they are many, by id when few.
func (s *Service) eventsOfSome(ctx context.Context, leads []Lead, need []int, types []string, from, to int64) (map[int64][]scoring.Event, error) {
	if len(need) == 0 {
		return nil, nil
	}
	ofTypes, typeArgs := "", []any{}
	if types != nil {
		ofTypes, typeArgs = ` AND type IN (`+placeholders(len(types))+`)`, anySlice(types)
	}
	if len(need) > len(leads)/4 {
		rows, err := s.db.R.Query(ctx, `SELECT lead_id, id, type, url, occurred_at FROM events WHERE lead_id >= ? AND lead_id < ?`+ofTypes,
			append([]any{from, to}, typeArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("lead store: rescore events: %w", err)
		}
		return collectEvents(rows)
	}
	out := map[int64][]scoring.Event{}
	for part := range slices.Chunk(need, maxInList) {
		ids := make([]int64, len(part))
		for j, i := range part {
			ids[j] = leads[i].ID
		}
		in, args := inList(ids)
		rows, err := s.db.R.Query(ctx, `SELECT lead_id, id, type, url, occurred_at FROM events WHERE lead_id IN (`+in+`)`+ofTypes,
			append(args, typeArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("lead store: rescore events: %w", err)
		}
		got, err := collectEvents(rows)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, got)
	}
	return out, nil
}

// storeChunks writes the scores that changed in first and, on SQLite, in
// the chunks already waiting in more, in one transaction of up to about
// rescoreCommit leads. It ends the transaction rather than wait for the
// reader, or keep another writer waiting (a form submission waits at most
// one chunk's writing). PostgreSQL may run a transaction again, as a
// deadlock victim, when the chunks taken from more are gone, so there a
// transaction writes one chunk.
func (s *Service) storeChunks(ctx context.Context, first []scored, more <-chan []scored, rules scoring.Rules, reason string, now time.Time) (done, changed int64, err error) {
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		done, changed = 0, 0
		write := func(leads []scored) error {
			n, err := storeScores(ctx, tx, leads, rules, reason, now)
			done += int64(len(leads))
			changed += n
			return err
		}
		if err := write(first); err != nil || s.db.Dialect != sqldb.SQLite {
			return err
		}
		for done < rescoreCommit && s.db.WritersWaiting() == 0 {
			select {
			case leads, ok := <-more:
				if !ok {
					return nil
				}
				if err := write(leads); err != nil {
					return err
				}
			default:
				return nil
			}
		}
		return nil
	})
	return done, changed, err
}

// storeScores writes the scores of leads that changed, inside tx, with
// their timeline entries, and counts them; and the sums rebuilt from
// events. The leads were read before tx began, so each write names the
// version it was computed from: a lead written meanwhile (edited, which
// rescored it, rescored by another rescore running at the same time, or
// given events that moved its score) is left as it is, and its change is
// recorded once, by whoever made it. A lead only assigned meanwhile
// (owner, contact due date) was not rescored: it keeps its score until the
// next sweep (hourly), which records the change as decay. Events that did
// not move the stored score leave the version as it was: the rescore then
// stores a score without them, which the next sweep puts right.
//
// The leads to write are locked first, in id order, on PostgreSQL: the
// order event batches, merges and imports lock theirs in, so a rescore
// and they never wait for each other in a cycle, and the writes that
// follow, up to 128 leads a statement, touch only rows the rescore
// holds. On SQLite, the one writer, the same read tells which leads
// still exist.
func storeScores(ctx context.Context, tx *sqldb.Tx, leads []scored, rules scoring.Rules, reason string, now time.Time) (int64, error) {
	var moves []scoreMove
	var touched []int64 // the leads to write, in id order
	for _, sc := range leads {
		l := sc.lead
		moved, changes := applyScore(&l, sc.res, rules, reason, now)
		if moved {
			moves = append(moves, scoreMove{now: l, was: sc.lead, changes: changes})
		}
		if moved || sc.sums != nil {
			touched = append(touched, l.ID)
		}
	}
	present, err := lockPresent(ctx, tx, touched)
	if err != nil {
		return 0, err
	}
	saved, err := saveMoves(ctx, tx, moves)
	if err != nil {
		return 0, err
	}
	var changes []Change
	for _, m := range moves {
		if saved[m.now.ID] {
			changes = append(changes, m.changes...)
		}
	}
	if err := insertChanges(ctx, tx, changes); err != nil {
		return 0, err
	}
	var sums []scoring.SumsWrite
	for _, sc := range leads {
		if sc.sums != nil && present[sc.lead.ID] {
			sums = append(sums, scoring.SumsWrite{Lead: sc.lead.ID, Sums: sc.sums, Was: sc.was})
		}
	}
	if err := scoring.PutSumsIfMany(ctx, tx, rules.Keyset(), sums); err != nil {
		return 0, err
	}
	return int64(len(saved)), nil
}

// lockPresent returns which of ids (in id order) name stored leads,
// locking them, in id order, on PostgreSQL.
func lockPresent(ctx context.Context, tx *sqldb.Tx, ids []int64) (map[int64]bool, error) {
	present := make(map[int64]bool, len(ids))
	for part := range slices.Chunk(ids, maxInList) {
		in, args := inList(part)
		err := tx.QueryEach(ctx, `SELECT id FROM leads WHERE id IN (`+in+`) ORDER BY id`+tx.ForUpdate(), args, idsInto(present))
		if err != nil {
			return nil, fmt.Errorf("lead store: lock leads: %w", err)
		}
	}
	return present, nil
}

// idsInto scans rows of one id each into set.
func idsInto(set map[int64]bool) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		set[id] = true
		return nil
	}
}

// scoreMove is a lead whose score, grade or stage a rescore or an event
// batch moves.
type scoreMove struct {
	now, was Lead
	changes  []Change
}

// saveMoves writes moves as saveScore does, up to 128 leads of the same
// kind of save a statement, and returns the ids of the leads it
// wrote: those still at the version each was read at.
func saveMoves(ctx context.Context, tx *sqldb.Tx, moves []scoreMove) (map[int64]bool, error) {
	saved := make(map[int64]bool, len(moves))
	for kind, rows := range movesByKind(moves) {
		head, one, tail := saveMovesSQL(kind)
		err := tx.QueryRows(ctx, head, one, tail, rows, idsInto(saved))
		if err != nil {
			return nil, fmt.Errorf("lead store: store scores: %w", err)
		}
	}
	return saved, nil
}

// movesByKind is the rows of saveMovesSQL for moves, by kind of save.
func movesByKind(moves []scoreMove) [3][][]any {
	var kinds [3][][]any
	for _, m := range moves {
		k := saveKind(m.now, m.was)
		kinds[k] = append(kinds[k], []any{m.now.ID, m.now.Score, string(m.now.Grade), string(m.now.Stage), m.was.Version})
	}
	return kinds
}

// saveMovesSQL is the statement that saves leads of a kind (see
// saveKind), cut as sqldb.Tx.QueryRows takes it: it returns the ids of
// those still at the version given. The casts give PostgreSQL the
// columns' types.
func saveMovesSQL(kind int) (head, one, tail string) {
	return `WITH v (id, score, grade, stage, version) AS (VALUES `,
		`(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT))`,
		`) UPDATE leads SET ` + saveSets[kind] + `, version = leads.version + 1
		FROM v WHERE leads.id = v.id AND leads.version = v.version RETURNING leads.id`
}

// saveKind is which columns a save names (see saveScore): 0 the stage
// too, 1 the grade too, 2 the score alone.
func saveKind(l, was Lead) int {
	switch {
	case l.Stage != was.Stage:
		return 0
	case l.Grade != was.Grade:
		return 1
	}
	return 2
}

// saveSets are the SET lists of saveMoves by saveKind.
var saveSets = [3]string{
	`score = v.score, grade = v.grade, stage = CASE WHEN leads.stage IN ('subscriber', 'lead') THEN v.stage ELSE leads.stage END`,
	`score = v.score, grade = v.grade`,
	`score = v.score`,
}

// Rescore is a background rescoring of every lead, kept in the database.
type Rescore struct {
	ID         int64
	RulesetID  int64
	Reason     string
	Status     string // running, done, failed
	Progress   RescoreProgress
	StartedAt  time.Time
	FinishedAt *time.Time
	Error      string
}

// Percent is how far the rescore is, 0 to 100.
func (r Rescore) Percent() int {
	if r.Status == "done" || r.Progress.Total == 0 {
		return 100
	}
	return int(r.Progress.Done * 100 / r.Progress.Total)
}

// The kinds of rescore jobs.
const (
	RescoreJob = "rescore"
	DecayJob   = "decay"
)

// StartRescore queues a rescore of every lead, recording progress in the
// rescores table, and returns its id at once. Any instance's job runner
// takes it; one stopped midway is run again from the start, which is
// safe since a rescore writes only what changed. Only those who may
// change the scoring rules may start one.
func (s *Service) StartRescore(ctx context.Context, a access.Actor, reason string) (int64, error) {
	if err := s.rules.MayChange(a); err != nil {
		return 0, err
	}
	rs, err := s.rules.Current(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO rescores (ruleset_id, reason, status, started_at) VALUES (?, ?, 'running', ?) RETURNING id`,
			rs.Version, reason, s.now().UnixMilli()).Scan(&id)
		if err != nil {
			return err
		}
		_, _, err = job.Enqueue(ctx, tx, RescoreJob, rescoreArgs{RescoreID: id}, job.EnqueueOptions{MaxAttempts: 3})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("lead store: start rescore: %w", err)
	}
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
	return id, nil
}

type rescoreArgs struct {
	RescoreID int64 `json:"rescore_id"`
}

// RunRescoreJob runs a rescore StartRescore queued.
func (s *Service) RunRescoreJob(ctx context.Context, j job.Job) error {
	var args rescoreArgs
	if err := j.Decode(&args); err != nil {
		return err
	}
	var reason, status string
	err := s.db.R.QueryRow(ctx, `SELECT reason, status FROM rescores WHERE id = ?`, args.RescoreID).Scan(&reason, &status)
	if err != nil {
		return fmt.Errorf("lead store: rescore %d: %w", args.RescoreID, err)
	}
	if status == "done" {
		return nil // finished by an earlier run of this job
	}
	if status == "failed" { // an admin retried it
		if _, err := s.db.W.Exec(ctx, `UPDATE rescores SET status = 'running', error = '', finished_at = NULL WHERE id = ?`, args.RescoreID); err != nil {
			return err
		}
	}
	last := time.Time{}
	p, err := s.RescoreAll(ctx, reason, func(p RescoreProgress) {
		if time.Since(last) < 500*time.Millisecond {
			return
		}
		last = time.Now()
		s.db.W.Exec(ctx, `UPDATE rescores SET total = ?, done = ?, changed = ? WHERE id = ?`, p.Total, p.Done, p.Changed, args.RescoreID)
	})
	if ctx.Err() != nil {
		return ctx.Err() // stopped: the job runs again, here or elsewhere
	}
	if err != nil && j.Attempt < j.MaxAttempts {
		return err
	}
	var aerr error
	if err == nil {
		// A change of rules can move many leads between grades, and
		// SQLite's planner picks the lists' indexes by its statistics:
		// they follow at once rather than at the next hourly sweep.
		aerr = s.db.Analyze(ctx, "leads")
	}
	status, msg := "done", ""
	if err != nil {
		status, msg = "failed", err.Error()
	}
	_, uerr := s.db.W.Exec(context.Background(), `UPDATE rescores SET status = ?, total = ?, done = ?, changed = ?, error = ?, finished_at = ? WHERE id = ?`,
		status, p.Total, p.Done, p.Changed, msg, s.now().UnixMilli(), args.RescoreID)
	return errors.Join(err, uerr, aerr)
}

// RunDecayJob is the periodic sweep: it rescores every lead so that
// lists, filters and grades follow the decay of behavioural points (a
// lead's own page computes its score when read), then refreshes the
// planner's statistics.
func (s *Service) RunDecayJob(ctx context.Context, _ job.Job) error {
	if _, err := s.RescoreAll(ctx, ReasonDecay, nil); err != nil {
		return err
	}
	return s.db.Analyze(ctx, "leads")
}

// LatestRescore returns the most recent rescore, if any.
func (s *Service) LatestRescore(ctx context.Context) (Rescore, bool, error) {
	var r Rescore
	var started int64
	var finished sql.NullInt64
	err := s.db.R.QueryRow(ctx, `SELECT id, ruleset_id, reason, status, total, done, changed, started_at, finished_at, error
		FROM rescores ORDER BY id DESC LIMIT 1`).Scan(&r.ID, &r.RulesetID, &r.Reason, &r.Status, &r.Progress.Total,
		&r.Progress.Done, &r.Progress.Changed, &started, &finished, &r.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("lead store: latest rescore: %w", err)
	}
	r.StartedAt = time.UnixMilli(started).UTC()
	if finished.Valid {
		t := time.UnixMilli(finished.Int64).UTC()
		r.FinishedAt = &t
	}
	return r, true, nil
}
