package predict

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// TrainJob is the kind of the scheduled retraining.
const TrainJob = "predict.train"

// DefaultHorizon is how long after it came a lead has to convert to count
// as converted; an open lead older than that counts as not converted.
const DefaultHorizon = 180 * 24 * time.Hour

// Service trains, keeps and applies the models.
type Service struct {
	db      *sqldb.DB
	leads   *lead.Service
	now     func() time.Time
	Horizon time.Duration

	mu     sync.Mutex
	cached *Version // the active model, read at most reloadAfter ago
	loaded time.Time
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, now: time.Now, Horizon: DefaultHorizon}
}

// reloadAfter bounds how stale another server's training may look.
const reloadAfter = 5 * time.Second

// Version is one trained model.
type Version struct {
	ID        int64
	Model     Model
	Metrics   Metrics
	Active    bool
	CreatedBy string // email, "" for the schedule
	CreatedAt time.Time
}

// MayManage refuses users other than admin and marketing: training and
// restoring rescore every lead, as a change of the scoring rules does.
func MayManage(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users train and restore the prediction model")
	}
	return nil
}

// chunk is how many lead ids are read together.
const chunk = 2000

// readers is how many id ranges are read at once: reading the leads and
// their events is most of the work of scoring them all, and each reader
// keeps a core busy.
var readers = min(runtime.GOMAXPROCS(0), 4)

// each calls fn with the leads of every id range, in id order, from the
// calling goroutine. The ranges are read by several readers at once,
// reader w taking ranges w, w+readers, ...; taking the readers' results
// in turn keeps the order.
func (s *Service) each(ctx context.Context, fn func([]row) error) error {
	var maxID int64
	if err := s.db.R.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM leads`).Scan(&maxID); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	type read struct {
		rows []row
		err  error
	}
	outs := make([]chan read, readers)
	for w := range outs {
		outs[w] = make(chan read, 2)
		go func(out chan<- read, first int64) {
			defer close(out)
			for from := first; from <= maxID; from += int64(readers) * chunk {
				rows, err := s.readChunk(ctx, from, from+chunk)
				select {
				case out <- read{rows, err}:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		}(outs[w], int64(w)*chunk)
	}
	defer func() { // let every reader see the cancel and end
		cancel()
		for _, out := range outs {
			for range out {
			}
		}
	}()
	for k := 0; ; k++ {
		r, ok := <-outs[k%readers]
		if !ok {
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		if len(r.rows) > 0 {
			if err := fn(r.rows); err != nil {
				return err
			}
		}
	}
}

// outcome is a won or lost deal of a lead.
type outcome struct {
	won      bool
	closedAt time.Time
}

func (s *Service) outcomes(ctx context.Context) (map[int64]outcome, error) {
	rows, err := s.db.R.Query(ctx, `SELECT l.id, p.outcome, COALESCE(o.closed_at, o.updated_at) FROM leads l
		JOIN opportunities o ON o.id = l.opportunity_id JOIN pipeline_stages p ON p.key = o.stage
		WHERE p.outcome IN ('won', 'lost')`)
	if err != nil {
		return nil, fmt.Errorf("predict: outcomes: %w", err)
	}
	defer rows.Close()
	out := map[int64]outcome{}
	for rows.Next() {
		var id, at int64
		var o string
		if err := rows.Scan(&id, &o, &at); err != nil {
			return nil, err
		}
		out[id] = outcome{won: o == "won", closedAt: time.UnixMilli(at).UTC()}
	}
	return out, rows.Err()
}

// Label says whether a lead is closed and, if so, whether it converted:
// it converted when it became a customer or won a deal within the
// horizon; it did not when it was disqualified, lost its deal, won it
// only after the horizon, or is still open past the horizon. Other leads
// are still open and teach nothing yet.
func Label(stage lead.Stage, created time.Time, o *outcome, horizon time.Duration, now time.Time) (closed, converted bool) {
	switch {
	case o != nil && o.won:
		return true, o.closedAt.Sub(created) <= horizon
	case stage == lead.Customer:
		return true, true
	case stage == lead.Disqualified || o != nil:
		return true, false
	}
	return now.Sub(created) > horizon, false
}

// Examples reads the closed leads with their labels.
func (s *Service) Examples(ctx context.Context) ([]Example, error) {
	outs, err := s.outcomes(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var xs []Example
	err = s.each(ctx, func(rows []row) error {
		for _, r := range rows {
			var o *outcome
			if x, ok := outs[r.x.ID]; ok {
				o = &x
			}
			closed, converted := Label(r.stage, r.x.CreatedAt, o, s.Horizon, now)
			if closed {
				x := r.x
				x.Converted = converted
				xs = append(xs, x)
			}
		}
		return nil
	})
	return xs, err
}

// Train fits a model on the closed leads, keeps it as a new version,
// makes it the one in use and gives every lead its probability. It
// refuses, naming the numbers, when there is too little history.
func (s *Service) Train(ctx context.Context, a access.Actor) (Version, error) {
	if err := MayManage(a); err != nil {
		return Version{}, err
	}
	return s.train(ctx, a)
}

func (s *Service) train(ctx context.Context, a access.Actor) (Version, error) {
	xs, err := s.Examples(ctx)
	if err != nil {
		return Version{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	m, metrics, err := Train(xs, now)
	if err != nil {
		return Version{}, err
	}
	rs, err := s.leads.Rules().Current(ctx)
	if err != nil {
		return Version{}, err
	}
	metrics.Rules = checkRules(xs, rs.Rules, now)
	v := Version{Model: m, Metrics: metrics, Active: true, CreatedBy: a.Email, CreatedAt: now}
	mb, _ := json.Marshal(m)
	xb, _ := json.Marshal(metrics)
	var by any
	if a.ID != 0 {
		by = a.ID
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockKey(ctx, "predictions"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE prediction_models SET active = FALSE WHERE active`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO prediction_models (model, metrics, closed, conversions, auc, active, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id`, string(mb), string(xb), metrics.Closed, metrics.Conversions,
			finite(metrics.AUC), by, now.UnixMilli()).Scan(&v.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "prediction.train", "prediction_model", v.ID,
			map[string]any{"closed": metrics.Closed, "conversions": metrics.Conversions, "auc": round3(metrics.AUC)})
	})
	if err != nil {
		return Version{}, fmt.Errorf("predict: keep model: %w", err)
	}
	s.forget()
	v.Model.Ready()
	_, err = s.ScoreAll(ctx, v.ID, v.Model)
	return v, err
}

func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func round3(f float64) float64 { return math.Round(finite(f)*1000) / 1000 }

// checkRules measures the scoring rules on the same held-out leads as
// the model, so the two can be compared.
func checkRules(xs []Example, r scoring.Rules, now time.Time) *RulesCheck {
	_, test := Split(xs)
	scores := make([]float64, len(test))
	for i, x := range test {
		scores[i] = float64(scoring.Score(x.Facts, x.Events, r, now).Score)
	}
	y := labels(test)
	c := &RulesCheck{AUC: AUC(scores, y), AtMQL: At(scores, y, float64(r.MQL))}
	if math.IsNaN(c.AUC) {
		c.AUC = 0.5
	}
	return c
}

func (s *Service) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// ErrNoModel is Active's answer before any training.
var ErrNoModel = fault.Errorf(fault.NotFound, "no prediction model has been trained yet")

// Active returns the model in use.
func (s *Service) Active(ctx context.Context) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && s.now().Sub(s.loaded) < reloadAfter {
		return *s.cached, nil
	}
	vs, err := s.versions(ctx, `WHERE m.active`, 1)
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		return Version{}, ErrNoModel
	}
	s.cached, s.loaded = &vs[0], s.now()
	return vs[0], nil
}

// Versions lists the latest models, newest first.
func (s *Service) Versions(ctx context.Context, a access.Actor, limit int) ([]Version, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	return s.versions(ctx, "", limit)
}

func (s *Service) versions(ctx context.Context, where string, limit int, args ...any) ([]Version, error) {
	rows, err := s.db.R.Query(ctx, `SELECT m.id, m.model, m.metrics, m.active, COALESCE(u.email, ''), m.created_at
		FROM prediction_models m LEFT JOIN users u ON u.id = m.created_by `+where+` ORDER BY m.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("predict: versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var model, metrics string
		var at int64
		if err := rows.Scan(&v.ID, &model, &metrics, &v.Active, &v.CreatedBy, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(model), &v.Model); err != nil {
			return nil, fmt.Errorf("predict: model %d: %w", v.ID, err)
		}
		if err := json.Unmarshal([]byte(metrics), &v.Metrics); err != nil {
			return nil, fmt.Errorf("predict: model %d metrics: %w", v.ID, err)
		}
		v.Model.Ready()
		v.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Restore makes version id the model in use again and rescores every
// lead with it.
func (s *Service) Restore(ctx context.Context, a access.Actor, id int64) (Version, error) {
	if err := MayManage(a); err != nil {
		return Version{}, err
	}
	vs, err := s.versions(ctx, `WHERE m.id = ?`, 1, id)
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		return Version{}, fault.Errorf(fault.NotFound, "no prediction model %d", id)
	}
	v := vs[0]
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockKey(ctx, "predictions"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE prediction_models SET active = (id = ?)`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "prediction.restore", "prediction_model", id, nil)
	})
	if err != nil {
		return Version{}, fmt.Errorf("predict: restore %d: %w", id, err)
	}
	s.forget()
	v.Active = true
	_, err = s.ScoreAll(ctx, v.ID, v.Model)
	return v, err
}

// scoreCommit is about how many leads one transaction of ScoreAll
// writes on SQLite, where fewer, larger commits write each dirtied page
// once (as the rescore found).
const scoreCommit = 20000

// scoredChunk is the probabilities of one chunk of leads.
type scoredChunk struct {
	ids []int64
	bp  []int64
}

// ScoreAll writes every lead's probability under model id. Reading and
// scoring the next chunk overlaps with writing this one. Each
// transaction checks, under the lock training and restoring take, that
// id is still the model in use: a scoring overtaken by a newer
// activation stops, and the newer one's probabilities stand.
func (s *Service) ScoreAll(ctx context.Context, id int64, m Model) (int64, error) {
	now := s.now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan scoredChunk, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		readErr <- s.each(ctx, func(rows []row) error {
			c := scoredChunk{ids: make([]int64, len(rows)), bp: make([]int64, len(rows))}
			for i, r := range rows {
				c.ids[i] = r.x.ID
				c.bp[i] = int64(math.Round(m.Probability(r.x, now) * 10000))
			}
			select {
			case chunks <- c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var n int64
	stale := errors.New("overtaken")
	for first := range chunks {
		var done int64
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			done = 0
			if err := tx.LockKey(ctx, "predictions"); err != nil {
				return err
			}
			var active bool
			if err := tx.QueryRow(ctx, `SELECT active FROM prediction_models WHERE id = ?`, id).Scan(&active); err != nil {
				return err
			}
			if !active {
				return stale
			}
			c, ok := first, true
			for ok {
				if err := writeProbabilities(ctx, tx, c.ids, c.bp); err != nil {
					return err
				}
				done += int64(len(c.ids))
				// PostgreSQL may run the transaction again (a deadlock
				// victim), when chunks taken here are gone: one a time.
				if s.db.Dialect != sqldb.SQLite || done >= scoreCommit || s.db.WritersWaiting() > 0 {
					return nil
				}
				select {
				case c, ok = <-chunks:
				default:
					ok = false
				}
			}
			return nil
		})
		n += done
		if errors.Is(err, stale) {
			cancel()
			for range chunks {
			}
			return n, nil
		}
		if err != nil {
			cancel()
			for range chunks {
			}
			return n, fmt.Errorf("predict: score leads: %w", err)
		}
	}
	if err := <-readErr; err != nil {
		return n, fmt.Errorf("predict: score leads: %w", err)
	}
	return n, nil
}

// perWrite is how many leads one statement sets: one round trip (or one
// statement step on SQLite) for many rows, well under either database's
// limit on parameters.
const perWrite = 500

// writeProbabilities sets the leads' probabilities in their narrow table,
// in id order. A lead deleted since it was read is passed over (its
// probability would have nothing to belong to), and a probability that
// did not change is not written again, nor its index entry.
func writeProbabilities(ctx context.Context, tx *sqldb.Tx, ids, bp []int64) error {
	for start := 0; start < len(ids); start += perWrite {
		end := min(start+perWrite, len(ids))
		var q strings.Builder
		q.WriteString(`INSERT INTO lead_probabilities (lead_id, bp) SELECT v.column1, v.column2 FROM (VALUES `)
		args := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT))")
			args = append(args, ids[i], bp[i])
		}
		q.WriteString(`) AS v WHERE EXISTS (SELECT 1 FROM leads WHERE leads.id = v.column1)
			ON CONFLICT (lead_id) DO UPDATE SET bp = excluded.bp WHERE lead_probabilities.bp <> excluded.bp`)
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// Explain gives lead id's probability under the model in use, with the
// factors for and against it, to a user who may see the lead.
func (s *Service) Explain(ctx context.Context, a access.Actor, id int64) (Explanation, Version, error) {
	if _, err := s.leads.Get(ctx, a, id); err != nil {
		return Explanation{}, Version{}, err
	}
	v, err := s.Active(ctx)
	if err != nil {
		return Explanation{}, v, err
	}
	rows, err := s.readChunk(ctx, id, id+1)
	if err != nil || len(rows) == 0 {
		return Explanation{}, v, err
	}
	return v.Model.Explain(rows[0].x, s.now()), v, nil
}

// RunJob is the scheduled retraining; too little history is not a
// failure, only nothing to do yet.
func (s *Service) RunJob(ctx context.Context, _ job.Job) error {
	_, err := s.train(ctx, access.Actor{Role: access.Admin})
	if f := fault.As(err); f != nil && f.Code == fault.Invalid {
		return nil
	}
	return err
}
