package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Feature is a word of the shared vocabulary that solutions and requests
// use for what an application does.
type Feature struct {
	Key  string // such as email-sync; never changes
	Name string // what people read, such as "Email sync"
}

// Features lists the vocabulary by name.
func (s *Service) Features(ctx context.Context) ([]Feature, error) {
	rows, err := s.db.R.Query(ctx, `SELECT key, name FROM features ORDER BY lower(name), key`)
	if err != nil {
		return nil, fmt.Errorf("catalog: features: %w", err)
	}
	defer rows.Close()
	out := []Feature{}
	for rows.Next() {
		var f Feature
		if err := rows.Scan(&f.Key, &f.Name); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FeatureNames maps each key of the vocabulary to its name.
func (s *Service) FeatureNames(ctx context.Context) (map[string]string, error) {
	fs, err := s.Features(ctx)
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		out[f.Key] = f.Name
	}
	return out, err
}

// SaveFeature adds a feature to the vocabulary, or renames it when its
// key is there already.
func (s *Service) SaveFeature(ctx context.Context, a access.Actor, f Feature) (Feature, error) {
	if err := mayChange(a); err != nil {
		return f, err
	}
	bad := fault.Fields{}
	keys := Keys([]string{f.Key}, "key", 60, bad)
	if len(keys) == 0 {
		bad.Add("key", "is required: lower-case letters, digits and hyphens, such as email-sync")
	} else {
		f.Key = keys[0]
	}
	f.Name = text(f.Name, "name", 80, true, bad)
	if err := bad.Err(); err != nil {
		return f, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO features (key, name, created_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET name = excluded.name`, f.Key, f.Name, s.stamp().UnixMilli())
		if err != nil {
			return fmt.Errorf("catalog: save feature %s: %w", f.Key, err)
		}
		return audit.Record(ctx, tx, a, "feature.save", "feature", 0, map[string]string{"key": f.Key})
	})
	return f, err
}

// DeleteFeature removes a feature no solution has. One in use is
// refused, naming how many solutions have it, since removing it would
// change what they offer.
func (s *Service) DeleteFeature(ctx context.Context, a access.Actor, key string) error {
	if err := mayChange(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM solutions WHERE features LIKE ?`, `%"`+key+`"%`).Scan(&n); err != nil {
			return fmt.Errorf("catalog: feature %s in use: %w", key, err)
		}
		if n > 0 {
			return &fault.Error{Code: fault.Conflict, Message: "feature " + key + " is used by " + strconv.Itoa(n) + " solutions; remove it from them first",
				Fields: map[string]string{"key": "is used by " + strconv.Itoa(n) + " solutions"}}
		}
		res, err := tx.Exec(ctx, `DELETE FROM features WHERE key = ?`, key)
		if err != nil {
			return fmt.Errorf("catalog: delete feature %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "feature %s not found", key)
		}
		return audit.Record(ctx, tx, a, "feature.delete", "feature", 0, map[string]string{"key": key})
	})
}

// CheckFeatures names under field the keys that are not in the
// vocabulary; software requests use it too.
func (s *Service) CheckFeatures(ctx context.Context, keys []string, field string, bad fault.Fields) error {
	if len(keys) == 0 {
		return nil
	}
	known, err := vocabulary(ctx, s.db.R)
	if err == nil {
		checkFeatures(known, keys, field, bad)
	}
	return err
}

// vocabulary reads the feature keys, once per change or import.
func vocabulary(ctx context.Context, q sqldb.Querier) (map[string]bool, error) {
	known := map[string]bool{}
	rows, err := q.Query(ctx, `SELECT key FROM features`)
	if err != nil {
		return nil, fmt.Errorf("catalog: features: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		known[k] = true
	}
	return known, rows.Err()
}

// checkFeatures names under field the keys that known lacks.
func checkFeatures(known map[string]bool, keys []string, field string, bad fault.Fields) {
	var unknown []string
	for _, k := range keys {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		bad.Add(field, "not in the feature vocabulary: "+strings.Join(unknown, ", "))
	}
}
