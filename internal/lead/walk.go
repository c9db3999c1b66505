package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// On SQLite a list filtered by stage, grade, source or country has two
// plans. Walking the sort's index and testing each lead stops at the
// page's last row, and wins when the filter matches many leads; the
// filter's own index collects every match and sorts them, and wins when
// it matches few. SQLite's statistics cannot tell which (they keep the
// average leads a value, not how a value's leads fall in the sort's
// order), so leadflow chooses, page by page: first a walk bounded to
// walkSteps leads, which is the page whenever the matches are dense
// enough to fill it within that bound; then, if that walk found a few,
// a walk without the bound; else a count of the matches up to
// walkThreshold.

// walkSteps bounds the first try at a page: a filter that matches one
// lead in 40 along the sort's order fills a page of 50 within it.
const walkSteps = 2000

// walkOn: a bounded walk that fell short but found at least 1/walkOn of
// the page walks on, without a count; at the same density the page is
// found within walkOn × walkSteps leads, where a count of matches that
// thin would read as many rows (the first walkSteps are read again, from
// the cache).
const walkOn = 8

// walkThreshold is how many matches make walking the sort's index the
// better plan: with 2,000 matches in a million leads, a page of 50 is
// found within about 25,000 index steps.
const walkThreshold = 2000

// walkBounded reads the page of listLeads by walking the sort's index
// from c, no further than walkSteps leads. done is false when the walk
// reached its bound with fewer than n leads: the filter matches too few
// leads there for this walk, and listLeads chooses how to go on.
func walkBounded(ctx context.Context, q sqldb.Querier, f Filter, c *sortkey.Cursor, n int) ([]Lead, []sortkey.Dest, bool, error) {
	f.walkSortIndex = true
	last, ok, err := walkEnd(ctx, q, f, c)
	if err != nil {
		return nil, nil, false, err
	}
	var through *sortkey.Dest
	if ok { // else fewer than walkSteps leads lie beyond c: the whole walk is short
		through = &last
	}
	query, a := pageQuery(f, c, n, through)
	leads, pos, err := readLeads(ctx, q, f.order(), query, a)
	return leads, pos, !ok || len(leads) == n, err
}

// walkEnd finds the lead walkSteps steps from c along the index the walk
// reads: among the leads of f's grade when that index begins with the
// grade (see walksGradeIndex), else among every lead. ok is false when
// fewer lie beyond c. Only the index is read.
func walkEnd(ctx context.Context, q sqldb.Querier, f Filter, c *sortkey.Cursor) (sortkey.Dest, bool, error) {
	var d sortkey.Dest
	query, a := walkEndQuery(f, c)
	err := q.QueryRow(ctx, query, a...).Scan(d.Target(f.order()), &d.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("lead store: end of walk: %w", err)
	}
	return d, true, nil
}

// walkEndQuery is the SQL of walkEnd.
func walkEndQuery(f Filter, c *sortkey.Cursor) (string, []any) {
	o := f.order()
	var conds []string
	var a []any
	if f.walksGradeIndex() {
		conds, a = append(conds, "l.grade = ?"), append(a, string(f.Grades[0]))
	}
	if keyset, ka := o.Where(c); keyset != "" {
		conds, a = append(conds, keyset), append(a, ka...)
	}
	cond := ""
	if len(conds) > 0 {
		cond = " WHERE " + strings.Join(conds, " AND ")
	}
	return `SELECT ` + o.Expr + `, l.id FROM leads l` + cond + o.By(c) + ` LIMIT 1 OFFSET ?`, append(a, walkSteps-1)
}

// manyMatch reports whether f's conditions match at least walkThreshold
// leads, counting no further. It lets the filters' own indexes answer,
// which is quick when they match few.
func manyMatch(ctx context.Context, q sqldb.Querier, f Filter) (bool, error) {
	f.walkSortIndex = false
	cond, a := where(f)
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+f.from()+cond+` LIMIT ?)`, append(a, walkThreshold)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("lead store: count matches: %w", err)
	}
	return n >= walkThreshold, nil
}
