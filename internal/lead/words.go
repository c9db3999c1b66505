package lead

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/sqldb"
	"leadflow/internal/words"
)

// wordsOf are the words a search finds l by.
func wordsOf(l Lead) []string {
	return words.Of(l.FirstName, l.LastName, l.Email, l.Company, l.JobTitle)
}

// indexWords brings l's rows of the word index up to date: it reads what
// is stored (unless l is new) and writes only the difference, so an edit
// that leaves the name, email, company and title alone writes nothing.
func indexWords(ctx context.Context, q sqldb.Querier, l Lead, fresh bool) error {
	want := wordsOf(l)
	var have []string
	if !fresh {
		var err error
		if have, err = sqldb.Column[string](ctx, q, `SELECT word FROM lead_words WHERE lead_id = ?`, l.ID); err != nil {
			return fmt.Errorf("lead store: words of %d: %w", l.ID, err)
		}
	}
	var gone []any
	for _, w := range have {
		if !slices.Contains(want, w) {
			gone = append(gone, w)
		}
	}
	if len(gone) > 0 {
		_, err := q.Exec(ctx, `DELETE FROM lead_words WHERE lead_id = ? AND word IN (`+placeholders(len(gone))+`)`, append([]any{l.ID}, gone...)...)
		if err != nil {
			return fmt.Errorf("lead store: words of %d: %w", l.ID, err)
		}
	}
	var rows []string
	var args []any
	for _, w := range want {
		if !slices.Contains(have, w) {
			rows = append(rows, "(?, ?)")
			args = append(args, w, l.ID)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return sqldb.ExecLater(ctx, q, "lead store: words of "+strconv.FormatInt(l.ID, 10),
		`INSERT INTO lead_words (word, lead_id) VALUES `+strings.Join(rows, ", ")+` ON CONFLICT DO NOTHING`, args...)
}

// wordCond is the search condition of f.Q through the word index: each
// word of the search begins a word of the lead (an abbreviation is the
// whole of one, see words.Term). A one-letter word would
// range over much of the index: beside longer words it is left out (they
// narrow enough), and alone it is matched by the first letter of the
// name, email or company. A search with an @ is an email or part of one,
// which the lead's email must then contain. The word hashed is written
// so that PostgreSQL cannot turn it into a join (see hashedWord).
func wordCond(q string, hashed string, add func(string, ...any)) {
	ts := words.Query(q)
	long := slices.ContainsFunc(ts, func(t words.Term) bool { return len([]rune(t.Word)) > 1 })
	for _, t := range ts {
		w := t.Word
		switch {
		case t.Whole:
			add(`l.id IN (SELECT lead_id FROM lead_words WHERE word = ?)`, w)
		case w == hashed:
			add(`(l.id IN (SELECT lead_id FROM lead_words WHERE word >= ? AND word < ?)) IS TRUE`, w, words.UpperBound(w))
		case len([]rune(w)) > 1:
			add(`l.id IN (SELECT lead_id FROM lead_words WHERE word >= ? AND word < ?)`, w, words.UpperBound(w))
		case !long:
			p := escapeLike(w) + "%"
			add(`(lower(l.first_name) LIKE ? ESCAPE '\' OR lower(l.last_name) LIKE ? ESCAPE '\' OR lower(l.email) LIKE ? ESCAPE '\'
				OR lower(l.company) LIKE ? ESCAPE '\')`, p, p, p, p)
		}
	}
	if strings.Contains(q, "@") {
		add(`lower(l.email) LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(strings.TrimSpace(q)))+"%")
	}
}

// The bounds of hashedWord, in rows of the word index (about one a lead).
const (
	hashFrom = 2000
	hashUpTo = 20000
)

// hashedWord picks the word of a search on PostgreSQL, if any, to test as
// a hashed set of its leads' ids. A word of many leads makes the list
// walk its sort's order, and PostgreSQL joins the word's rows to each
// lead walked, reading the word index once a lead: 9–24 µs a lead, 110 ms
// a page for a word of 11,000 leads in a million, against 17 ms with the
// set (BENCHMARKS.md). Only a search of one word of two letters or more,
// without an @ and without any other filter, is hashed: PostgreSQL takes
// a hashed test to keep half the rows it walks, so beside a second word
// or another filter that together match few leads it would walk them
// all, where the join starts from the word's own rows. Below the break
// even of the walk, about sqrt(page × leads) rows (7,100 for a page of
// 50 at a million leads), reading the word's leads first is cheaper,
// which the join does.
// And the set is built only when PostgreSQL expects it to fit in the
// memory of a hash (by default 8 MB on PostgreSQL 15, where a set of
// 111,000 rows was hashed; half that before 15); otherwise
// it would compare each lead with all of the word's rows, so a word of
// hashUpTo rows or more keeps the join, which fills a page within a few
// hundred leads.
func hashedWord(ctx context.Context, q sqldb.Querier, f Filter) (string, error) {
	var long []words.Term
	for _, t := range words.Query(f.Q) {
		if len([]rune(t.Word)) > 1 {
			long = append(long, t)
		}
	}
	only := f
	only.Q = ""
	if cond, _ := where(only); len(long) != 1 || long[0].Whole || strings.Contains(f.Q, "@") || cond != "" {
		return "", nil
	}
	w := long[0].Word
	var n int
	var leads float64
	err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM lead_words WHERE word >= ? AND word < ? LIMIT ?) m),
		(SELECT reltuples FROM pg_class WHERE oid = CAST('leads' AS regclass))`, w, words.UpperBound(w), hashUpTo).Scan(&n, &leads)
	if err != nil {
		return "", fmt.Errorf("lead store: leads of the word %q: %w", w, err)
	}
	// reltuples is -1 for a table never analysed.
	if n < max(hashFrom, int(math.Sqrt(float64(f.Limit+1)*max(leads, 0)))) || n >= hashUpTo {
		return "", nil
	}
	return w, nil
}

// WordsJob names the job that indexes the words of leads stored before
// the word index existed, a batch at a time, and then indexes every lead
// again when the words of a text have changed (as when abbreviations
// such as S.p.A. began to be indexed as the word they make).
const WordsJob = "lead.words"

// wordsKey keeps the job's place: the highest lead id it has indexed, or
// "done"; refreshKey keeps its place in indexing every lead again, set
// to "0" by the migration that asks for it.
const (
	wordsKey   = "lead_words.backfill"
	refreshKey = "lead_words.refresh"
)

// wordsBatch is how many leads one transaction of the job indexes.
const wordsBatch = 500

// WordsReady reports whether every lead is in the word index; until it
// is, a search reads the leads' text instead.
func (s *Service) WordsReady(ctx context.Context) (bool, error) {
	if s.wordsReady.Load() {
		return true, nil
	}
	var v string
	err := s.db.R.QueryRow(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE key = ?), '')`, wordsKey).Scan(&v)
	if err != nil {
		return false, fmt.Errorf("lead store: word index state: %w", err)
	}
	if v == "done" {
		s.wordsReady.Store(true)
	}
	return v == "done", nil
}

// IndexWords indexes the words of leads from where the job last stopped,
// in batches that each commit, until every lead is in, and then indexes
// again any leads a refresh asks for; it reports how many it indexed.
// Leads stored meanwhile are indexed as they are written, so each pass
// ends at the highest id it finds. Search uses the index during a
// refresh: a lead not yet reached lacks only the new words.
func (s *Service) IndexWords(ctx context.Context) (int, error) {
	n, err := s.indexFrom(ctx, wordsKey, "0")
	if err != nil {
		return n, err
	}
	s.wordsReady.Store(true)
	m, err := s.indexFrom(ctx, refreshKey, "done")
	return n + m, err
}

// indexFrom indexes the words of leads past the place kept at key (or
// from missing when there is none) until "done".
func (s *Service) indexFrom(ctx context.Context, key, missing string) (int, error) {
	n := 0
	for {
		var done bool
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			var v string
			if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE key = ?), ?)`, key, missing).Scan(&v); err != nil {
				return err
			}
			if v == "done" {
				done = true
				return nil
			}
			after, _ := strconv.ParseInt(v, 10, 64)
			// Locked, so an edit of one of these leads waits rather than
			// write its words between this read and this batch's writes.
			batch, err := queryLeads(ctx, tx, `SELECT `+columns+fromLeads+` WHERE l.id > ? ORDER BY l.id LIMIT ?`+tx.ForUpdate("l"), after, wordsBatch)
			if err != nil {
				return err
			}
			for _, l := range batch {
				if err := indexWords(ctx, tx, l, false); err != nil {
					return err
				}
			}
			next := "done"
			if len(batch) == wordsBatch {
				next = strconv.FormatInt(batch[len(batch)-1].ID, 10)
			}
			done = next == "done"
			n += len(batch)
			_, err = tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, next)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("lead store: index words: %w", err)
		}
		if done {
			return n, nil
		}
	}
}
