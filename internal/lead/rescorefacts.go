package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// A rescore reads of each lead only what its score depends on and what
// saving it checks: the id, version, score, grade and stage, and the
// columns the explicit rules test. The whole row (some forty columns,
// custom answers as JSON, the owner's email and the probability joined)
// cost more to read and scan than the scoring itself.

// factReader reads the facts a ruleset's explicit rules test.
type factReader struct {
	cols   []string // columns of leads, after id, version, score, grade, stage
	custom bool     // whether custom is among them, parsed into custom.NAME facts
}

// factsOf returns the reader of the facts rules test.
func factsOf(rules scoring.Rules) factReader {
	var fr factReader
	add := func(col string) {
		if !slices.Contains(fr.cols, col) {
			fr.cols = append(fr.cols, col)
		}
	}
	for _, e := range rules.Explicit {
		switch {
		case e.Field == "email_domain" || e.Field == "free_email":
			add(FEmail)
		case strings.HasPrefix(e.Field, CustomPrefix):
			add("custom")
			fr.custom = true
		case slices.Contains(scoring.Fields, e.Field):
			add(e.Field) // every other field a rule may test is a column of that name
		}
	}
	return fr
}

// query selects the leads with ids in [from, to), in id order.
func (fr factReader) query() string {
	var b strings.Builder
	b.WriteString(`SELECT id, version, score, grade, stage`)
	for _, c := range fr.cols {
		b.WriteString(", " + c)
	}
	b.WriteString(` FROM leads WHERE id >= ? AND id < ? ORDER BY id`)
	return b.String()
}

// read returns the leads with ids in [from, to), each with the fields a
// save needs, and their facts in the text form Lead.Values gives them.
func (fr factReader) read(ctx context.Context, q sqldb.Querier, from, to int64) ([]Lead, []scoring.Facts, error) {
	rows, err := q.Query(ctx, fr.query(), from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("lead store: rescore: %w", err)
	}
	defer rows.Close()
	var leads []Lead
	var facts []scoring.Facts
	vals := make([]any, 5+len(fr.cols))
	strs := make([]string, len(fr.cols))
	flags := make([]bool, len(fr.cols))
	var employees sql.NullInt64
	for i, c := range fr.cols {
		switch c {
		case FEmployees:
			vals[5+i] = &employees
		case FExistingCustomer, FConsent:
			vals[5+i] = &flags[i]
		default:
			vals[5+i] = &strs[i]
		}
	}
	for rows.Next() {
		var l Lead
		vals[0], vals[1], vals[2], vals[3], vals[4] = &l.ID, &l.Version, &l.Score, &l.Grade, &l.Stage
		if err := rows.Scan(vals...); err != nil {
			return nil, nil, fmt.Errorf("lead store: rescore: %w", err)
		}
		f := make(scoring.Facts, len(fr.cols))
		for i, c := range fr.cols {
			switch c {
			case FEmployees:
				f[c] = ""
				if employees.Valid {
					f[c] = strconv.FormatInt(employees.Int64, 10)
				}
			case FExistingCustomer, FConsent:
				f[c] = strconv.FormatBool(flags[i])
			case "custom":
				if strs[i] == "" {
					continue
				}
				var custom map[string]string
				if err := json.Unmarshal([]byte(strs[i]), &custom); err != nil {
					return nil, nil, fmt.Errorf("lead %d: custom fields: %w", l.ID, err)
				}
				for k, v := range custom {
					f[CustomPrefix+k] = v
				}
			default:
				f[c] = strs[i]
			}
		}
		leads = append(leads, l)
		facts = append(facts, f)
	}
	return leads, facts, rows.Err()
}
