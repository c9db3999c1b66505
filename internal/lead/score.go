package lead

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// KindScore is the timeline entry of a score change, with its reason.
const KindScore = "score"

// Rules returns the store of scoring rules the service scores with.
func (s *Service) Rules() *scoring.Store { return s.rules }

// gradeOf is the grade of a score by the rules in force.
func (s *Service) gradeOf(ctx context.Context, q sqldb.Querier, score int) (Grade, error) {
	rs, err := s.rules.CurrentIn(ctx, q)
	if err != nil {
		return "", err
	}
	return Grade(rs.Rules.Grade(score)), nil
}

// eventsOf loads what a lead did, for scoring.
func eventsOf(ctx context.Context, q sqldb.Querier, leadID int64) ([]scoring.Event, error) {
	rows, err := q.Query(ctx, `SELECT id, type, url, occurred_at FROM events WHERE lead_id = ?`, leadID)
	if err != nil {
		return nil, fmt.Errorf("lead store: events of %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []scoring.Event
	for rows.Next() {
		var e scoring.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.Type, &e.URL, &at); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// The reasons of rescoring that follow what a lead did (its events) or
// time passing (decay). Their score changes are not timeline entries of
// their own: a lead with a thousand page views would have a thousand,
// and the score ledger ("why this score") explains every point from the
// events behind it. The timeline keeps what a person wants to read:
// grade changes, crossings of the MQL threshold, and the changes of
// score a rule-set rescore or an edit made.
const (
	ReasonActivity = "new activity"
	ReasonDecay    = "decay"
)

func behavioural(reason string) bool { return reason == ReasonActivity || reason == ReasonDecay }

// applyScore sets l's score and grade from res and, when the score reaches
// the MQL threshold of a lead not yet qualified, moves it to mql. It
// reports whether anything changed (so the caller saves l) and returns
// the timeline entries worth recording, which for a behavioural reason
// may be none even though the score moved.
func applyScore(l *Lead, res scoring.Result, rules scoring.Rules, reason string, now time.Time) (bool, []Change) {
	changed := false
	var out []Change
	if res.Score != l.Score || Grade(res.Grade) != l.Grade {
		changed = true
		d := map[string][2]string{"score": {strconv.Itoa(l.Score), strconv.Itoa(res.Score)}}
		gradeMoved := Grade(res.Grade) != l.Grade
		if gradeMoved {
			d["grade"] = [2]string{string(l.Grade), res.Grade}
		}
		crossed := rules.MQL > 0 && (l.Score >= rules.MQL) != (res.Score >= rules.MQL)
		why := reason
		if crossed && behavioural(reason) {
			// Said, as this is what makes the entry worth reading.
			verb := "reached"
			if res.Score < rules.MQL {
				verb = "fell below"
			}
			why = fmt.Sprintf("%s: %s the MQL threshold of %d", reason, verb, rules.MQL)
		}
		if !behavioural(reason) || gradeMoved || crossed {
			out = append(out, Change{LeadID: l.ID, At: now, Kind: KindScore, Detail: d, Reason: why})
		}
		l.Score, l.Grade = res.Score, Grade(res.Grade)
	}
	if rules.MQL > 0 && res.Score >= rules.MQL && (l.Stage == Subscriber || l.Stage == StageLead) {
		changed = true
		out = append(out, Change{LeadID: l.ID, At: now, Kind: KindStage, Detail: map[string][2]string{FStage: {string(l.Stage), string(MQL)}},
			Reason: fmt.Sprintf("score %d reached the MQL threshold of %d", res.Score, rules.MQL)})
		l.Stage = MQL
	}
	return changed, out
}

// saveScore writes the score, grade and stage of l that differ from
// was's. An UPDATE that names a column pays for the upkeep of every index
// on it, and on stage for the lead_counts trigger, whether or not the
// value changed, so most saves name the score alone. The stage is only
// moved up from subscriber or lead (applyScore's one move), so a stage a
// user set meanwhile is never undone.
//
// It writes only while the row is still at was.Version, and reports
// whether it did: a rescore that read the lead before its transaction
// began must not record a change that another writer (an edit, or a
// second rescore) has made or superseded meanwhile.
func saveScore(ctx context.Context, tx *sqldb.Tx, l, was Lead) (bool, error) {
	var res sql.Result
	var err error
	switch {
	case l.Stage != was.Stage:
		res, err = tx.Exec(ctx, `UPDATE leads SET score = ?, grade = ?,
			stage = CASE WHEN stage IN ('subscriber', 'lead') THEN ? ELSE stage END, version = version + 1
			WHERE id = ? AND version = ?`,
			l.Score, string(l.Grade), string(l.Stage), l.ID, was.Version)
	case l.Grade != was.Grade:
		res, err = tx.Exec(ctx, `UPDATE leads SET score = ?, grade = ?, version = version + 1 WHERE id = ? AND version = ?`,
			l.Score, string(l.Grade), l.ID, was.Version)
	default:
		res, err = tx.Exec(ctx, `UPDATE leads SET score = ?, version = version + 1 WHERE id = ? AND version = ?`,
			l.Score, l.ID, was.Version)
	}
	if err != nil {
		return false, fmt.Errorf("lead store: store score of %d: %w", l.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lead store: store score of %d: %w", l.ID, err)
	}
	return n == 1, nil
}

// scoreWrite is a score to store on a lead still at version, whose grade
// and stage stay as they are and whose change the timeline does not
// record: the common case of an event.
type scoreWrite struct {
	id, version int64
	score       int
}

// saveScores stores many such scores in a few statements rather than one
// a lead, as saveScore would (the score column alone). The caller holds
// the leads' locks, so each is still at its version.
func saveScores(ctx context.Context, tx *sqldb.Tx, ws []scoreWrite) error {
	if len(ws) == 0 {
		return nil
	}
	rows := make([][]any, len(ws))
	for i, w := range ws {
		rows[i] = []any{w.id, w.score, w.version}
	}
	// The casts give PostgreSQL the columns' types; the VALUES columns
	// are column1… in both databases.
	n, err := tx.ExecRows(ctx, `UPDATE leads SET score = v.column2, version = leads.version + 1 FROM (VALUES `,
		"(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))",
		`) AS v WHERE leads.id = v.column1 AND leads.version = v.column3`, rows)
	if err != nil {
		return fmt.Errorf("lead store: store the scores of %d leads: %w", len(ws), err)
	}
	if int(n) != len(ws) {
		return fmt.Errorf("lead store: stored %d scores of %d: a version is stale under the leads' locks", n, len(ws))
	}
	return nil
}

// rescoreTx recomputes one lead's score inside tx from all its events,
// rebuilds its behavioural sums, and stores the score, with its reason,
// when it changed. Every path that moves or removes a lead's events
// (a merge, its undo, a visitor's events attached at a form submission)
// comes through here, so the sums follow the events exactly. The caller
// holds the lead's lock.
func (s *Service) rescoreTx(ctx context.Context, tx *sqldb.Tx, l *Lead, reason string, now time.Time) error {
	events, err := eventsOf(ctx, tx, l.ID)
	if err != nil {
		return err
	}
	return s.rescoreWith(ctx, tx, l, events, reason, now)
}

// rescoreWith is rescoreTx for a caller that knows all the lead's events.
func (s *Service) rescoreWith(ctx context.Context, tx *sqldb.Tx, l *Lead, events []scoring.Event, reason string, now time.Time) error {
	rs, err := s.rules.CurrentIn(ctx, tx)
	if err != nil {
		return err
	}
	k := rs.Rules.Keyset()
	// Stored even when empty: the row's version only grows, so a rescore
	// that read it before cannot take a row made again for its own.
	sums := k.Fold(events, now.UnixMilli())
	if err := scoring.PutSums(ctx, tx, l.ID, k, sums); err != nil {
		return err
	}
	return s.storeResult(ctx, tx, l, scoring.ScoreSums(scoring.Facts(l.Values()), sums, k, rs.Rules, now.UnixMilli()), rs.Rules, reason, now)
}

// storeResult stores res as l's score, with the timeline entries and the
// notice it calls for, when it changed anything. The caller holds the
// lead's lock.
func (s *Service) storeResult(ctx context.Context, tx *sqldb.Tx, l *Lead, res scoring.Result, rules scoring.Rules, reason string, now time.Time) error {
	was := *l
	changed, changes := applyScore(l, res, rules, reason, now)
	if !changed {
		return nil
	}
	saved, err := saveScore(ctx, tx, *l, was)
	if err != nil {
		return err
	}
	if !saved {
		// The caller holds the lead's lock: a version that moved means a
		// write it did not count in l.Version.
		return fmt.Errorf("lead store: score of %d: version %d is stale under the lead's lock", l.ID, was.Version)
	}
	l.Version++
	for _, c := range changes {
		if err := insertChange(ctx, tx, c, 0); err != nil {
			return err
		}
	}
	if l.Grade == Hot && was.Grade != Hot {
		return noticeHot(ctx, tx, *l, now)
	}
	return nil
}

// Explain returns lead id's score at this moment, rule by rule, with the
// events behind each behavioural rule and their decayed value.
func (s *Service) Explain(ctx context.Context, id int64, now time.Time) (scoring.Result, scoring.Ruleset, error) {
	rs, err := s.rules.Current(ctx)
	if err != nil {
		return scoring.Result{}, rs, err
	}
	l, err := getLead(ctx, s.db.R, id)
	if err != nil {
		return scoring.Result{}, rs, err
	}
	events, err := eventsOf(ctx, s.db.R, id)
	if err != nil {
		return scoring.Result{}, rs, err
	}
	return scoring.Score(scoring.Facts(l.Values()), events, rs.Rules, now), rs, nil
}

// ScorePoint is the score a lead had from a moment on.
type ScorePoint struct {
	At    time.Time
	Score int
}

// maxReplayPoints bounds the points of a replayed score curve.
const maxReplayPoints = 120

// ScoreReplay is lead id's score over time by the rules in force now:
// just after each of its events, and at even steps between so that decay
// shows, up to now. It covers events that arrived dated in the past (an
// import, a backfill) too, and reads as one curve; the timeline records
// only the score changes worth reading.
func (s *Service) ScoreReplay(ctx context.Context, id int64, now time.Time) ([]ScorePoint, error) {
	rs, err := s.rules.Current(ctx)
	if err != nil {
		return nil, err
	}
	l, err := getLead(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	events, err := eventsOf(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(events, func(a, b scoring.Event) int { return a.At.Compare(b.At) })
	start := l.CreatedAt
	if len(events) > 0 && events[0].At.Before(start) {
		start = events[0].At
	}
	if !now.After(start) {
		return []ScorePoint{{At: now, Score: l.Score}}, nil
	}
	times := replayTimes(events, start, now)
	facts := scoring.Facts(l.Values())
	var out []ScorePoint
	k := 0
	for _, t := range times {
		for k < len(events) && !events[k].At.After(t) {
			k++
		}
		p := ScorePoint{At: t, Score: scoring.Score(facts, events[:k], rs.Rules, t).Score}
		if n := len(out); n > 0 && out[n-1].Score == p.Score && t.Before(now) {
			continue // a flat stretch needs no point of its own
		}
		out = append(out, p)
	}
	return out, nil
}

// replayTimes are the moments a replayed curve is drawn at: the start,
// each event's time (thinned to fit), even steps, and now, in order.
func replayTimes(events []scoring.Event, start, now time.Time) []time.Time {
	const steps = 40
	times := []time.Time{start, now}
	every := max(1, len(events)/(maxReplayPoints-steps-2))
	for i := 0; i < len(events); i += every {
		if t := events[i].At; t.After(start) && t.Before(now) {
			times = append(times, t)
		}
	}
	span := now.Sub(start)
	for i := 1; i < steps; i++ {
		times = append(times, start.Add(span*time.Duration(i)/steps))
	}
	slices.SortFunc(times, time.Time.Compare)
	return slices.CompactFunc(times, time.Time.Equal)
}
