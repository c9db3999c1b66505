package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Rejected is an import row that was not taken, with why, so it can be
// fixed and sent again.
type Rejected struct {
	Row     int               `json:"row"` // 1 for the first record (the CSV line after the header)
	Vendor  string            `json:"vendor"`
	Product string            `json:"product"`
	Fields  map[string]string `json:"fields"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Created  int        `json:"created"`
	Updated  int        `json:"updated"`
	Rejected []Rejected `json:"rejected"`
}

// ParseCSV reads a catalog in CSV (UTF-8, comma- or semicolon-separated,
// with a header row of Columns' names; lists inside a cell separated by
// semicolons or vertical bars when the file uses commas).
func ParseCSV(data []byte) ([]Input, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, invalidFile("the file must be UTF-8 text")
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, invalidFile("the file has no header row: " + err.Error())
	}
	at := map[string]int{}
	for i, h := range header {
		at[lowerTrim(h)] = i
	}
	for _, need := range []string{"vendor", "product"} {
		if _, ok := at[need]; !ok {
			return nil, invalidFile("the header has no " + need + " column; columns are " + strings.Join(Columns, ", "))
		}
	}
	var out []Input
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, invalidFile("the CSV could not be read: " + err.Error())
		}
		out = append(out, fromColumns(func(name string) string {
			if i, ok := at[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}))
	}
}

// ParseJSON reads a catalog as a JSON array of Records.
func ParseJSON(data []byte) ([]Input, error) {
	var recs []Record
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, invalidFile("the file must be a JSON array of solutions: " + err.Error())
	}
	out := make([]Input, len(recs))
	for i, r := range recs {
		out[i] = r.Input()
	}
	return out, nil
}

func invalidFile(msg string) error {
	return &fault.Error{Code: fault.Invalid, Message: msg, Fields: map[string]string{"file": msg}}
}

// Import adds the valid rows to the catalog, replacing a product of the
// same vendor and name, in one transaction; the invalid ones are
// returned with their reasons and change nothing.
func (s *Service) Import(ctx context.Context, a access.Actor, rows []Input) (ImportResult, error) {
	res := ImportResult{Rejected: []Rejected{}}
	if err := mayChange(a); err != nil {
		return res, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res = ImportResult{Rejected: []Rejected{}}
		known, err := vocabulary(ctx, tx)
		if err != nil {
			return err
		}
		for i, in := range rows {
			sol, err := validate(in, known)
			if e := fault.As(err); e != nil && e.Code == fault.Invalid {
				res.Rejected = append(res.Rejected, Rejected{Row: i + 1, Vendor: in.Vendor, Product: in.Product, Fields: e.Fields})
				continue
			}
			if err != nil {
				return err
			}
			created, err := upsert(ctx, tx, sol, s.stamp())
			if err != nil {
				return err
			}
			if created {
				res.Created++
			} else {
				res.Updated++
			}
		}
		if err := changed(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "solution.import", "solution", 0,
			map[string]int{"created": res.Created, "updated": res.Updated, "rejected": len(res.Rejected)})
	})
	return res, err
}

// upsert stores sol, or replaces the product of the same vendor and
// name, in one statement, so concurrent imports of one product cannot
// make two.
func upsert(ctx context.Context, q sqldb.Querier, sol Solution, now time.Time) (created bool, err error) {
	var version int64
	err = q.QueryRow(ctx, `INSERT INTO solutions (vendor, product, vendor_key, product_key, category, industries, deployments,
		features, integrations, languages, price, price_period, setup, currency, min_licences, max_licences, active,
		contact_name, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (vendor_key, product_key) DO UPDATE SET vendor = excluded.vendor, product = excluded.product,
		category = excluded.category, industries = excluded.industries, deployments = excluded.deployments,
		features = excluded.features, integrations = excluded.integrations, languages = excluded.languages,
		price = excluded.price, price_period = excluded.price_period, setup = excluded.setup, currency = excluded.currency,
		min_licences = excluded.min_licences, max_licences = excluded.max_licences, active = excluded.active,
		contact_name = excluded.contact_name, contact_email = excluded.contact_email, updated_at = excluded.updated_at,
		version = solutions.version + 1
		RETURNING version`, sol.args(now)...).Scan(&version)
	if err != nil {
		return false, fmt.Errorf("catalog: import %s %s: %w", sol.Vendor, sol.Product, err)
	}
	return version == 1, nil
}
