package catalog

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/matching"
	"leadflow/internal/sqldb"
)

// snapshot is the active catalog as matching last read it.
type snapshot struct {
	generation int64
	solutions  []matching.Solution // by id
	versions   map[int64]int64     // id → the version of the row held
	index      map[int64]int       // id → its place in solutions
}

// ForMatching returns every active solution as matching reads it; the
// slice is shared, and must not be changed. Every change to the catalog
// moves its generation on, in the change's own transaction; the copy
// kept here is used only while the database's generation is the one it
// was read at, so a change counts at the very next ranking, on every
// instance. After a change only the rows whose version moved are read
// and parsed again (see BENCHMARKS.md).
func (s *Service) ForMatching(ctx context.Context) ([]matching.Solution, error) {
	// The generation is read before the rows: a change committed in
	// between makes the copy newer than its generation, never older, and
	// the next call looks again.
	gen, err := generation(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	old := s.snap
	s.mu.Unlock()
	if old != nil && old.generation == gen {
		return old.solutions, nil
	}
	snap, err := refresh(ctx, s.db.R, old, gen)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.snap == nil || s.snap.generation <= gen {
		s.snap = snap
	}
	s.mu.Unlock()
	return snap.solutions, nil
}

// refreshChunk bounds the ids of one read of changed rows.
const refreshChunk = 500

// refresh reads the active catalog's ids and versions, then only the
// rows that are new or changed since old (all of them when old is nil),
// and builds a new snapshot; old is left as it is, for the callers that
// still use it.
func refresh(ctx context.Context, q sqldb.Querier, old *snapshot, gen int64) (*snapshot, error) {
	rows, err := q.Query(ctx, `SELECT id, version FROM solutions WHERE active = ? ORDER BY id`, true)
	if err != nil {
		return nil, fmt.Errorf("catalog: versions: %w", err)
	}
	var ids, changed []int64
	versions := map[int64]int64{}
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
		versions[id] = v
		if old == nil || old.versions[id] != v {
			changed = append(changed, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	fetched := map[int64]Solution{}
	for len(changed) > 0 {
		chunk := changed[:min(refreshChunk, len(changed))]
		changed = changed[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.Query(ctx, `SELECT `+solutionColumns+` FROM solutions WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("catalog: changed solutions: %w", err)
		}
		for rows.Next() {
			sol, err := scanSolution(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			fetched[sol.ID] = sol
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	next := &snapshot{generation: gen, solutions: make([]matching.Solution, 0, len(ids)),
		versions: make(map[int64]int64, len(ids)), index: make(map[int64]int, len(ids))}
	for _, id := range ids {
		var sol matching.Solution
		var v int64
		if f, ok := fetched[id]; ok {
			// Read after the version list: it may have changed again, or
			// been made inactive, meanwhile; its own version is kept.
			if !f.Active {
				continue
			}
			sol, v = f.Solution, f.Version
		} else if old != nil && old.versions[id] == versions[id] {
			sol, v = old.solutions[old.index[id]], versions[id]
		} else {
			continue // deleted between the two reads
		}
		next.index[id] = len(next.solutions)
		next.versions[id] = v
		next.solutions = append(next.solutions, sol)
	}
	return next, nil
}
