package scoring

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"leadflow/internal/sqldb"
)

// Stored is a lead's row of sums as read: Version 0 when it has none.
type Stored struct {
	Keyset  int64
	Blob    []byte
	Version int64
}

// For returns the stored sums if they are k's; a lead without a row, or
// with the row of other rules, has its sums rebuilt from its events.
func (st Stored) For(k Keyset) (Sums, bool) {
	if st.Version == 0 || st.Keyset != k.ID {
		return nil, false
	}
	s, err := DecodeSums(st.Blob, len(k.Keys))
	return s, err == nil
}

// ReadSums reads the rows of the leads an IN list names.
func ReadSums(ctx context.Context, q sqldb.Querier, in string, args []any) (map[int64]Stored, error) {
	rows, err := q.Query(ctx, `SELECT lead_id, keyset, sums, version FROM lead_score_sums WHERE lead_id IN (`+in+`)`, args...)
	return collectStored(rows, err)
}

// ReadSumsRange reads the rows of the leads with ids in [from, to).
func ReadSumsRange(ctx context.Context, q sqldb.Querier, from, to int64) (map[int64]Stored, error) {
	rows, err := q.Query(ctx, `SELECT lead_id, keyset, sums, version FROM lead_score_sums WHERE lead_id >= ? AND lead_id < ?`, from, to)
	return collectStored(rows, err)
}

func collectStored(rows *sql.Rows, err error) (map[int64]Stored, error) {
	if err != nil {
		return nil, fmt.Errorf("scoring: read sums: %w", err)
	}
	defer rows.Close()
	out := map[int64]Stored{}
	for rows.Next() {
		var id int64
		var st Stored
		if err := rows.Scan(&id, &st.Keyset, &st.Blob, &st.Version); err != nil {
			return nil, fmt.Errorf("scoring: read sums: %w", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// PutSums stores lead's sums. The caller holds the lead's lock, so
// nothing it did not count can have been added meanwhile.
func PutSums(ctx context.Context, q sqldb.Querier, lead int64, k Keyset, s Sums) error {
	return sqldb.ExecLater(ctx, q, "scoring: store sums of "+strconv.FormatInt(lead, 10),
		`INSERT INTO lead_score_sums (lead_id, keyset, sums) VALUES (?, ?, ?)
		ON CONFLICT (lead_id) DO UPDATE SET keyset = excluded.keyset, sums = excluded.sums, version = lead_score_sums.version + 1`,
		lead, k.ID, s.Encode())
}

// PutSumsOf stores the sums of many leads as PutSums does, in a few
// multi-row statements rather than one a lead. ids must be distinct.
func PutSumsOf(ctx context.Context, tx *sqldb.Tx, ids []int64, k Keyset, sums map[int64]Sums) error {
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{id, k.ID, sums[id].Encode()}
	}
	_, err := tx.ExecRows(ctx, `INSERT INTO lead_score_sums (lead_id, keyset, sums) VALUES `, "(?, ?, ?)",
		` ON CONFLICT (lead_id) DO UPDATE SET keyset = excluded.keyset, sums = excluded.sums, version = lead_score_sums.version + 1`, rows)
	if err != nil {
		return fmt.Errorf("scoring: store the sums of %d leads: %w", len(ids), err)
	}
	return nil
}

// SumsWrite is a lead's sums rebuilt from what was read, without the
// lead's lock, as Was (a rescore).
type SumsWrite struct {
	Lead int64
	Sums Sums
	Was  Stored
}

// PutSumsIfMany stores each write's sums, in a few multi-row statements,
// unless its lead's row changed since it was read: a writer holding the
// lead's lock counted events the rebuild may have missed, so its row
// stands, as does a row made meanwhile for a lead that had none, and a
// row read is only ever updated, never made again (on SQLite a deleted
// lead's id can be given to a new lead). The caller holds the leads'
// locks (or is SQLite's one writer) and names only leads that exist.
func PutSumsIfMany(ctx context.Context, tx *sqldb.Tx, k Keyset, ws []SumsWrite) error {
	var fresh, again [][]any
	for _, w := range ws {
		if w.Was.Version == 0 {
			fresh = append(fresh, []any{w.Lead, k.ID, w.Sums.Encode()})
		} else {
			again = append(again, []any{w.Lead, k.ID, w.Sums.Encode(), w.Was.Version})
		}
	}
	_, err := tx.ExecRows(ctx, `INSERT INTO lead_score_sums (lead_id, keyset, sums) VALUES `, "(?, ?, ?)",
		` ON CONFLICT (lead_id) DO NOTHING`, fresh)
	if err == nil {
		// The casts give PostgreSQL the columns' types (SQLite has no
		// BYTEA: its CAST would read the bytes as a number).
		blob := "?"
		if tx.Dialect() == sqldb.Postgres {
			blob = "CAST(? AS BYTEA)"
		}
		_, err = tx.ExecRows(ctx, `UPDATE lead_score_sums SET keyset = v.column2, sums = v.column3, version = lead_score_sums.version + 1 FROM (VALUES `,
			"(CAST(? AS BIGINT), CAST(? AS BIGINT), "+blob+", CAST(? AS BIGINT))",
			`) AS v WHERE lead_score_sums.lead_id = v.column1 AND lead_score_sums.version = v.column4`, again)
	}
	if err != nil {
		return fmt.Errorf("scoring: store the sums of %d leads: %w", len(ws), err)
	}
	return nil
}

// keysetRow is how a keyset is stored: its keys and half-life.
type keysetRow struct {
	HalfLifeDays float64 `json:"half_life_days"`
	Keys         []Key   `json:"keys"`
}

// SaveKeyset records k, so that a rescore after a change of behavioural
// rules can tell which stored sums still hold (see Carry).
func SaveKeyset(ctx context.Context, q sqldb.Querier, k Keyset) error {
	b, err := json.Marshal(keysetRow{HalfLifeDays: k.HalfLifeDays, Keys: k.Keys})
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO score_keysets (id, keys) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, k.ID, string(b)); err != nil {
		return fmt.Errorf("scoring: save keyset: %w", err)
	}
	return nil
}

// LoadKeyset reads the keyset id; ok is false when it was never saved.
func LoadKeyset(ctx context.Context, q sqldb.Querier, id int64) (k Keyset, ok bool, err error) {
	var keys string
	err = q.QueryRow(ctx, `SELECT keys FROM score_keysets WHERE id = ?`, id).Scan(&keys)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("scoring: keyset %d: %w", id, err)
	}
	var row keysetRow
	if err := json.Unmarshal([]byte(keys), &row); err != nil {
		return k, false, fmt.Errorf("scoring: keyset %d: %w", id, err)
	}
	k = Keyset{Keys: row.Keys, HalfLifeDays: row.HalfLifeDays}
	k.ID = k.fingerprint()
	return k, k.ID == id, nil
}
