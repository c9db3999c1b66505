package accountscore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/job"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// The stored score. The account page computes an account's score when it
// is read (Score); the accounts list sorts and filters by the score kept
// on the row (accounts.score, grade, scored_at), which the refresh job
// keeps current:
//
//   - Triggers (migration 0125) append an account to account_changes
//     whenever one of its people gets an event, a lead is converted into
//     it or linked to it (or the link is undone), a deal of it is written,
//     or its own fields change; saving the account rules appends every
//     account.
//   - The job (JobKind, every minute and woken after requests) takes the
//     oldest changes a batch at a time, locks their accounts in id order,
//     scores each and writes the result, passes the account on to the
//     account segments' feed, and deletes exactly the changes it read: a
//     change committed meanwhile is read by the next batch, never lost.
//   - Decay lowers a score with no write at all, so each run also queues
//     the accounts scored longest ago (more than RefreshAfter), a bounded
//     number a run: every account is scored again about hourly.

// JobKind is the job that keeps stored account scores current.
const JobKind = "accountscore.refresh"

// Every is how often the job runs without being woken.
const Every = time.Minute

// RefreshAfter is how old a stored score may grow before the job scores
// the account again for decay alone.
const RefreshAfter = time.Hour

// Sizes that bound the job's work: accounts scored in one transaction,
// and stale accounts queued by one run.
const (
	refreshBatch = 100
	staleBatch   = 5000
)

// Wake enqueues the job to run now, once however many instances and
// requests ask within the same second, and returns its id.
func Wake(ctx context.Context, r *job.Runner) (int64, error) {
	return r.Enqueue(ctx, JobKind, nil, job.EnqueueOptions{Unique: JobKind + "@now" + strconv.FormatInt(time.Now().Unix(), 10), MaxAttempts: 3})
}

// keepDone is how long finished refresh jobs stay listed.
const keepDone = 10 * time.Minute

// Handler runs the refresh job, then forgets its own finished runs older
// than keepDone (it may run every second while events arrive).
func (s *Service) Handler(ctx context.Context, _ job.Job) error {
	if _, err := s.Refresh(ctx); err != nil {
		return err
	}
	_, err := job.PurgeKind(ctx, s.db.W, JobKind, time.Now().Add(-keepDone))
	return err
}

// Refresh queues the accounts whose stored score is older than
// RefreshAfter, then scores every queued account, a batch per
// transaction, until the queue is empty or ctx ends. It returns how many
// accounts it scored.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	// An account still queued from an earlier run is not queued twice.
	if _, err := s.db.W.Exec(ctx, `INSERT INTO account_changes (account_id)
		SELECT id FROM accounts WHERE (scored_at IS NULL OR scored_at < ?)
			AND NOT EXISTS (SELECT 1 FROM account_changes c WHERE c.account_id = accounts.id)
		ORDER BY COALESCE(scored_at, 0) LIMIT ?`,
		s.now().Add(-RefreshAfter).UnixMilli(), staleBatch); err != nil {
		return 0, fmt.Errorf("accountscore: queue stale scores: %w", err)
	}
	total := 0
	for ctx.Err() == nil {
		read, scored, err := s.refreshStep(ctx)
		total += scored
		if err != nil {
			return total, err
		}
		if read == 0 {
			break
		}
	}
	return total, ctx.Err()
}

// refreshStep scores the accounts of the oldest changes and deletes the
// changes it read; it returns how many changes it read (0 when the queue
// is empty) and how many accounts it scored (deleted ones are not).
func (s *Service) refreshStep(ctx context.Context) (read, scored int, err error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return 0, 0, err
	}
	leads, err := s.leads.Current(ctx)
	if err != nil {
		return 0, 0, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		read, scored = 0, 0
		// Each instance's run takes a batch of its own.
		rows, err := tx.Query(ctx, `SELECT id, account_id FROM account_changes ORDER BY id LIMIT ?`+tx.SkipLocked(), refreshBatch)
		if err != nil {
			return fmt.Errorf("accountscore: read changes: %w", err)
		}
		var changeIDs, accountIDs []int64
		for rows.Next() {
			var id, acc int64
			if err := rows.Scan(&id, &acc); err != nil {
				rows.Close()
				return err
			}
			changeIDs = append(changeIDs, id)
			accountIDs = append(accountIDs, acc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(changeIDs) == 0 {
			return nil
		}
		slices.Sort(accountIDs)
		accountIDs = slices.Compact(accountIDs)
		// Locked in id order, as every batch locks them, so two instances'
		// batches wait for each other instead of deadlocking; a score
		// computed after the lock sees every event committed before it.
		in, args := inList(accountIDs)
		live, err := sqldb.Column[int64](ctx, tx, `SELECT a.id FROM accounts a WHERE a.id IN (`+in+`) ORDER BY a.id`+tx.ForUpdate("a"), args...)
		if err != nil {
			return fmt.Errorf("accountscore: lock accounts: %w", err)
		}
		now := s.now()
		for _, id := range live {
			if err := s.store(ctx, tx, id, rules, leads.Rules, now); err != nil {
				return err
			}
			scored++
		}
		// The account segments read the score and everything the change
		// was about: they follow from here, deleted accounts included (they
		// leave their segments).
		vals := strings.TrimSuffix(strings.Repeat("(?),", len(accountIDs)), ",")
		if _, err := tx.Exec(ctx, `INSERT INTO account_segment_changes (account_id) VALUES `+vals, args...); err != nil {
			return fmt.Errorf("accountscore: pass on to segments: %w", err)
		}
		cin, cargs := inList(changeIDs)
		if _, err := tx.Exec(ctx, `DELETE FROM account_changes WHERE id IN (`+cin+`)`, cargs...); err != nil {
			return fmt.Errorf("accountscore: delete changes: %w", err)
		}
		read = len(changeIDs)
		return nil
	})
	return read, scored, err
}

// store scores account id at now in tx and writes the result.
func (s *Service) store(ctx context.Context, tx *sqldb.Tx, id int64, rules Rules, leads scoring.Rules, now time.Time) error {
	facts, err := factsOf(ctx, tx, id)
	if err != nil {
		return err
	}
	people, err := peopleWithEvents(ctx, tx, id)
	if err != nil {
		return err
	}
	res := Score(facts, people, rules, leads, now)
	if _, err := tx.Exec(ctx, `UPDATE accounts SET score = ?, grade = ?, scored_at = ? WHERE id = ?`,
		res.Score, res.Grade, now.UnixMilli(), id); err != nil {
		return fmt.Errorf("accountscore: store score of %d: %w", id, err)
	}
	return nil
}

func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}
