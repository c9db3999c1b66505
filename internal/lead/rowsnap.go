package lead

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"leadflow/internal/sqldb"
)

// row is one stored row as column -> value, kept so that a merge can be
// undone by writing it back. Values are what the driver gave (int64,
// float64, bool, string, nil), so a row goes back into the database it
// came from unchanged.
type row map[string]any

// readRows reads whole rows, whatever their columns.
func readRows(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]row, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := row{}
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b) // leadflow stores text, never blobs
			}
			r[c] = v
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// writeRow inserts r back into table, with its own id.
func writeRow(ctx context.Context, q sqldb.Querier, table string, r row) error {
	cols := make([]string, 0, len(r))
	for c := range r {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = r[c]
	}
	_, err := q.Exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(cols))+`)`, vals...)
	if err != nil {
		return fmt.Errorf("lead store: restore %s row: %w", table, err)
	}
	return nil
}

// UnmarshalJSON keeps whole numbers whole: ids and times are int64.
func (r *row) UnmarshalJSON(b []byte) error {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				m[k] = i
			} else {
				m[k], _ = n.Float64()
			}
		}
	}
	*r = m
	return nil
}
