package leadcsv

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
)

// Record is l as a row of the own format, in the order of Own.
func Record(l lead.Lead) []string {
	employees, consentAt, custom := "", "", ""
	if l.Employees != nil {
		employees = strconv.FormatInt(*l.Employees, 10)
	}
	if l.ConsentAt != nil {
		consentAt = l.ConsentAt.Format(time.RFC3339Nano)
	}
	if len(l.Custom) > 0 {
		b, _ := json.Marshal(l.Custom) // a map of strings always marshals
		custom = string(b)
	}
	return []string{
		strconv.FormatInt(l.ID, 10), l.Email, l.FirstName, l.LastName, l.Phone, l.Company, l.JobTitle,
		employees, l.Industry, l.Country, l.City, l.Website, strconv.FormatBool(l.ExistingCustomer),
		l.Source, l.UTMSource, l.UTMMedium, l.UTMCampaign, strconv.FormatBool(l.Consent), consentAt,
		string(l.Stage), strconv.Itoa(l.Score), string(l.Grade), l.OwnerEmail,
		l.CreatedAt.Format(time.RFC3339Nano), l.UpdatedAt.Format(time.RFC3339Nano), custom,
		l.Salutation, l.Street, l.PostalCode, l.Region,
	}
}

// Export writes every lead a may see that matches f, in the own format,
// streaming page by page so memory stays flat however many there are.
// Cells are neutralised against formulas (see Neutralise).
func Export(ctx context.Context, w io.Writer, svc *lead.Service, a access.Actor, f lead.Filter) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Own); err != nil {
		return 0, err
	}
	f.Limit, f.Cursor = 1000, nil
	n := 0
	for {
		p, err := svc.List(ctx, a, f, false)
		if err != nil {
			return n, err
		}
		for _, l := range p.Leads {
			if err := cw.Write(NeutraliseAll(Record(l))); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		if p.NextCursor == "" {
			return n, svc.RecordExport(ctx, a, f, n)
		}
		next, err := lead.ParseFilter(map[string][]string{"sort": {f.SortParam()}, "cursor": {p.NextCursor}})
		if err != nil {
			return n, err
		}
		f.Cursor = next.Cursor
	}
}

// ExportSelection writes the leads ids that a may see, in the order
// given, as Export does; those a may not see, or that are gone, are left
// out. It returns how many rows it wrote.
func ExportSelection(ctx context.Context, w io.Writer, svc *lead.Service, a access.Actor, ids []int64) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Own); err != nil {
		return 0, err
	}
	var done []int64
	for _, id := range ids {
		l, err := svc.Get(ctx, a, id)
		if fault.As(err) != nil {
			continue // hidden or gone: the file says only what a may read
		}
		if err != nil {
			return len(done), err
		}
		if err := cw.Write(NeutraliseAll(Record(l))); err != nil {
			return len(done), err
		}
		done = append(done, id)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return len(done), err
	}
	return len(done), svc.RecordSelectionExport(ctx, a, done)
}
