package lead

import (
	"context"

	"leadflow/internal/access"
	"leadflow/internal/audit"
)

// exportDetail is what the audit log keeps of an export: the filter,
// with its free-text search reduced to whether there was one, since it
// may name the person searched for.
type exportDetail struct {
	Rows        int      `json:"rows"`
	Stages      []Stage  `json:"stages,omitempty"`
	Grades      []Grade  `json:"grades,omitempty"`
	Owner       string   `json:"owner,omitempty"`
	Sources     []string `json:"sources,omitempty"`
	Countries   []string `json:"countries,omitempty"`
	MinScore    *int     `json:"min_score,omitempty"`
	Search      bool     `json:"search,omitempty"`
	CreatedFrom string   `json:"created_from,omitempty"`
	CreatedTo   string   `json:"created_to,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Converted   *bool    `json:"converted,omitempty"`
	IDs         []int64  `json:"ids,omitempty"` // a selection exported by hand
}

// RecordExport notes in the audit log that a exported rows leads
// selected by f.
func (s *Service) RecordExport(ctx context.Context, a access.Actor, f Filter, rows int) error {
	// The dates as the user gave them: Query turns the filter's exclusive
	// end back into the last day asked for.
	q := f.Query()
	d := exportDetail{Rows: rows, Stages: f.Stages, Grades: f.Grades, Owner: f.Owner, Sources: f.Sources,
		Countries: f.Countries, MinScore: f.MinScore, Search: f.Q != "", Contact: f.Contact, Converted: f.Converted,
		CreatedFrom: q.Get("created_from"), CreatedTo: q.Get("created_to")}
	return audit.Record(ctx, s.db.W, a, "lead.export", "lead", 0, d)
}

// RecordSelectionExport notes in the audit log that a exported the
// leads ids, picked by hand.
func (s *Service) RecordSelectionExport(ctx context.Context, a access.Actor, ids []int64) error {
	return audit.Record(ctx, s.db.W, a, "lead.export", "lead", 0, exportDetail{Rows: len(ids), IDs: ids})
}
