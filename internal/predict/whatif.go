package predict

import (
	"context"
	"math"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/scoring"
)

// Replay is how a ruleset would have sorted the closed leads.
type Replay struct {
	MQL          int     `json:"mql"`           // leads reaching the MQL threshold
	MQLConverted int     `json:"mql_converted"` // of those, converted
	AUC          float64 `json:"auc"`           // how well the score ranks converters above the rest
}

// Suggestion is the model's point value for one rule of the draft.
type Suggestion struct {
	Kind      string `json:"kind"` // explicit or behaviour
	Index     int    `json:"index"`
	Label     string `json:"label"`
	Points    int    `json:"points"`    // in the draft
	Suggested int    `json:"suggested"` // what history says it is worth, on the draft's scale
}

// WhatIf compares draft rules with the current ones on the closed leads
// of the last months.
type WhatIf struct {
	Months      int          `json:"months"`
	Closed      int          `json:"closed"`
	Conversions int          `json:"conversions"`
	Draft       Replay       `json:"draft"`
	Current     Replay       `json:"current"`
	Suggested   []Suggestion `json:"suggested"`
}

// MaxMonths bounds how far back a what-if looks.
const MaxMonths = 120

// WhatIf replays draft rules, before they are saved, against the leads
// closed among those that came in the last months months.
func (s *Service) WhatIf(ctx context.Context, a access.Actor, draft scoring.Rules, months int) (WhatIf, error) {
	if err := s.leads.Rules().MayChange(a); err != nil {
		return WhatIf{}, err
	}
	if months < 1 || months > MaxMonths {
		return WhatIf{}, &fault.Error{Code: fault.Invalid, Message: "say how many months of closed leads to replay",
			Fields: map[string]string{"months": "must be from 1 to 120"}}
	}
	if err := draft.Validate(); err != nil {
		return WhatIf{}, err
	}
	cur, err := s.leads.Rules().Current(ctx)
	if err != nil {
		return WhatIf{}, err
	}
	xs, err := s.Examples(ctx)
	if err != nil {
		return WhatIf{}, err
	}
	now := s.now()
	since := now.AddDate(0, -months, 0)
	kept := xs[:0]
	for _, x := range xs {
		if !x.CreatedAt.Before(since) {
			kept = append(kept, x)
		}
	}
	return Compare(kept, draft, cur.Rules, months, now), nil
}

// Compare is WhatIf over given closed leads.
func Compare(xs []Example, draft, current scoring.Rules, months int, now time.Time) WhatIf {
	w := WhatIf{Months: months, Closed: len(xs)}
	y := labels(xs)
	for _, c := range y {
		if c {
			w.Conversions++
		}
	}
	results := make([]scoring.Result, len(xs))
	for i, x := range xs {
		results[i] = scoring.Score(x.Facts, x.Events, draft, now)
	}
	w.Draft = replay(results, y, draft)
	cur := make([]scoring.Result, len(xs))
	for i, x := range xs {
		cur[i] = scoring.Score(x.Facts, x.Events, current, now)
	}
	w.Current = replay(cur, y, current)
	w.Suggested = suggest(results, y, draft)
	return w
}

func replay(results []scoring.Result, y []bool, r scoring.Rules) Replay {
	var out Replay
	scores := make([]float64, len(results))
	for i, res := range results {
		scores[i] = float64(res.Score)
		if r.MQL > 0 && res.Score >= r.MQL {
			out.MQL++
			if y[i] {
				out.MQLConverted++
			}
		}
	}
	out.AUC = AUC(scores, y)
	if math.IsNaN(out.AUC) {
		out.AUC = 0
	}
	out.AUC = round3(out.AUC)
	return out
}

// suggest fits a logistic regression of conversion on the draft's rules
// (whether each explicit rule matched; how many events' worth each
// behavioural rule gave) and scales its weights to points, so that the
// rule history rates most has as many points as the draft's largest.
func suggest(results []scoring.Result, y []bool, r scoring.Rules) []Suggestion {
	var pos int
	for _, c := range y {
		if c {
			pos++
		}
	}
	n := len(r.Explicit) + len(r.Behaviour)
	if n == 0 || pos == 0 || pos == len(y) {
		return nil
	}
	rows := make([]Sparse, len(results))
	for i, res := range results {
		for _, f := range res.Fired {
			j, v := f.Index, 1.0
			if f.Kind == "behaviour" {
				j += len(r.Explicit)
				if p := r.Behaviour[f.Index].Points; p != 0 {
					v = f.Points / float64(p)
				}
			}
			rows[i].Index = append(rows[i].Index, int32(j))
			rows[i].Value = append(rows[i].Value, v)
		}
		sortSparse(&rows[i])
	}
	w, err := fit(rows, y, n, 1)
	if err != nil {
		return nil
	}
	largest, heaviest := 0.0, 0.0
	out := make([]Suggestion, 0, n)
	for i, e := range r.Explicit {
		out = append(out, Suggestion{Kind: "explicit", Index: i, Label: labelOr(e.Label, e.Field), Points: e.Points})
	}
	for i, b := range r.Behaviour {
		out = append(out, Suggestion{Kind: "behaviour", Index: i, Label: labelOr(b.Label, b.Event), Points: b.Points})
	}
	for j := range out {
		largest = math.Max(largest, math.Abs(float64(out[j].Points)))
		heaviest = math.Max(heaviest, math.Abs(w[j]))
	}
	if heaviest == 0 {
		return out
	}
	for j := range out {
		out[j].Suggested = int(math.Round(w[j] * largest / heaviest))
	}
	return out
}

func labelOr(label, fallback string) string {
	if label != "" {
		return label
	}
	return fallback
}

// sortSparse orders a row's slots, which fit's Hessian needs; a
// behavioural rule may fire after an explicit one of a higher index.
func sortSparse(v *Sparse) {
	for i := 1; i < len(v.Index); i++ {
		for j := i; j > 0 && v.Index[j] < v.Index[j-1]; j-- {
			v.Index[j], v.Index[j-1] = v.Index[j-1], v.Index[j]
			v.Value[j], v.Value[j-1] = v.Value[j-1], v.Value[j]
		}
	}
}
