package sqldb

import (
	"context"
	"fmt"
	"strings"

	"leadflow/internal/sortkey"
)

// sortKey is a column holding sortkey.Of its sources' text, joined by a
// space. The stores write it with each row; fillSortKeys fills it for
// rows written before the column existed.
type sortKey struct {
	column  string
	sources []string
}

// sortKeys are the sort key columns of each table (migration 0016).
var sortKeys = []struct {
	table string
	keys  []sortKey
}{
	{"leads", []sortKey{{"first_name_sort", []string{"first_name"}}, {"last_name_sort", []string{"last_name"}},
		{"company_sort", []string{"company"}}}},
	{"accounts", []sortKey{{"name_sort", []string{"name"}}, {"industry_sort", []string{"industry"}}}},
	{"contacts", []sortKey{{"name_sort", []string{"last_name", "first_name"}}}},
	{"opportunities", []sortKey{{"name_sort", []string{"name"}}}},
}

// fillBatch is how many rows a transaction of fillSortKeys fills: small
// enough not to keep other writers waiting long.
const fillBatch = 1000

// fillSortKeys computes the sort keys that are missing, in batches along
// the primary key. It runs after every migration run and has nothing to
// do once every row has its keys; rows written meanwhile by an older
// leadflow on the same database get theirs at the next start.
func (db *DB) fillSortKeys(ctx context.Context) error {
	for _, t := range sortKeys {
		var cols, missing, set []string
		for _, k := range t.keys {
			for _, s := range k.sources {
				cols = append(cols, "COALESCE("+s+", '')")
			}
			missing = append(missing, k.column+" IS NULL")
			set = append(set, k.column+" = ?")
		}
		read := `SELECT id, ` + strings.Join(cols, ", ") + ` FROM ` + t.table +
			` WHERE id > ? AND (` + strings.Join(missing, " OR ") + `) ORDER BY id LIMIT ?`
		write := `UPDATE ` + t.table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = ?`
		for after, more := int64(0), true; more; {
			err := db.InTx(ctx, func(tx *Tx) error {
				var err error
				after, more, err = fillKeys(ctx, tx, read, write, after, t.keys, len(cols))
				return err
			})
			if err != nil {
				return fmt.Errorf("fill sort keys of %s: %w", t.table, err)
			}
		}
	}
	return nil
}

// fillKeys fills the keys of the next batch of rows after id after, and
// returns the last id it filled and whether there may be more.
func fillKeys(ctx context.Context, tx *Tx, read, write string, after int64, keys []sortKey, ncols int) (int64, bool, error) {
	rows, err := tx.Query(ctx, read, after, fillBatch)
	if err != nil {
		return after, false, err
	}
	type row struct {
		id   int64
		text []string
	}
	var batch []row
	for rows.Next() {
		r := row{text: make([]string, ncols)}
		dest := []any{&r.id}
		for i := range r.text {
			dest = append(dest, &r.text[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return after, false, err
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return after, false, err
	}
	for _, r := range batch {
		args := make([]any, 0, len(keys)+1)
		text := r.text
		for _, k := range keys {
			args = append(args, sortkey.Of(strings.Join(text[:len(k.sources)], " ")))
			text = text[len(k.sources):]
		}
		if _, err := tx.Exec(ctx, write, append(args, r.id)...); err != nil {
			return after, false, err
		}
		after = r.id
	}
	return after, len(batch) == fillBatch, nil
}
