package crm

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Outcomes of a pipeline stage: still open, or closed as won or lost.
const (
	Open = "open"
	Won  = "won"
	Lost = "lost"
)

// Stage is a step of the deal pipeline.
type Stage struct {
	Key     string
	Label   string
	Outcome string
}

// Pipeline is the stages in board order: the open ones, then won, then
// lost.
type Pipeline []Stage

// Find returns the stage with key k.
func (p Pipeline) Find(k string) (Stage, bool) {
	for _, s := range p {
		if s.Key == k {
			return s, true
		}
	}
	return Stage{}, false
}

// First is the first open stage, where new deals start.
func (p Pipeline) First() Stage { return p[0] }

// Keys lists the stage keys, for messages.
func (p Pipeline) Keys() string {
	keys := make([]string, len(p))
	for i, s := range p {
		keys[i] = s.Key
	}
	return strings.Join(keys, ", ")
}

// Pipeline returns the stages.
func (s *Service) Pipeline(ctx context.Context) (Pipeline, error) { return pipelineIn(ctx, s.db.R) }

func pipelineIn(ctx context.Context, q sqldb.Querier) (Pipeline, error) {
	rows, err := q.Query(ctx, `SELECT key, label, outcome FROM pipeline_stages ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("crm: pipeline: %w", err)
	}
	defer rows.Close()
	var p Pipeline
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.Key, &st.Label, &st.Outcome); err != nil {
			return nil, err
		}
		p = append(p, st)
	}
	return p, rows.Err()
}

// stageKey makes a key from a label: "Proof of concept" is proof_of_concept.
func stageKey(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// MayChangePipeline returns a Forbidden fault unless a may change the
// pipeline's stages. SetPipeline asks it first; the settings page asks it
// before showing the form.
func (s *Service) MayChangePipeline(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only an admin can change the pipeline")
	}
	return nil
}

// SetPipeline replaces the open stages, given one label a line in board
// order; won and lost always close the pipeline. A stage that still holds
// opportunities cannot be removed.
func (s *Service) SetPipeline(ctx context.Context, a access.Actor, text string) (Pipeline, error) {
	if err := s.MayChangePipeline(a); err != nil {
		return nil, err
	}
	var open Pipeline
	bad := fault.Fields{}
	for _, line := range strings.Split(text, "\n") {
		label := strings.TrimSpace(line)
		key := stageKey(label)
		switch _, dup := open.Find(key); {
		case label == "":
		case key == "" || utf8.RuneCountInString(label) > 40:
			bad.Add("stages", fmt.Sprintf("%q needs letters or digits, at most 40 characters", label))
		case dup || key == Won || key == Lost:
			bad.Add("stages", fmt.Sprintf("%q is listed twice (won and lost are always there)", label))
		default:
			open = append(open, Stage{Key: key, Label: label, Outcome: Open})
		}
	}
	if len(open) == 0 && bad["stages"] == "" {
		bad.Add("stages", "list at least one open stage, one a line")
	}
	if len(open) > 12 {
		bad.Add("stages", "list at most 12 open stages")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	var out Pipeline
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := pipelineIn(ctx, tx)
		if err != nil {
			return err
		}
		next := append(open, closing(old)...)
		for _, st := range old {
			if _, kept := next.Find(st.Key); kept {
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM opportunities WHERE stage = ?`, st.Key).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &fault.Error{Code: fault.Invalid, Message: "a stage with deals in it cannot be removed",
					Fields: map[string]string{"stages": fmt.Sprintf("%s still holds %d opportunities; move them first", st.Label, n)}}
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pipeline_stages`); err != nil {
			return err
		}
		for i, st := range next {
			if _, err := tx.Exec(ctx, `INSERT INTO pipeline_stages (key, label, position, outcome) VALUES (?, ?, ?, ?)`,
				st.Key, st.Label, i+1, st.Outcome); err != nil {
				return fmt.Errorf("crm: save pipeline: %w", err)
			}
		}
		out = next
		return audit.Record(ctx, tx, a, "settings.pipeline", "settings", 0, map[string]string{"stages": next.Keys()})
	})
	return out, err
}

// closing returns the won and lost stages of p.
func closing(p Pipeline) Pipeline {
	var out Pipeline
	for _, s := range p {
		if s.Outcome != Open {
			out = append(out, s)
		}
	}
	return out
}

// OpenLabels returns the open stages' labels, one a line, for an edit form.
func (p Pipeline) OpenLabels() string {
	var labels []string
	for _, s := range p {
		if s.Outcome == Open {
			labels = append(labels, s.Label)
		}
	}
	return strings.Join(labels, "\n")
}

// Label is the label of stage key k, or k when there is no such stage.
func (p Pipeline) Label(k string) string {
	if s, ok := p.Find(k); ok {
		return s.Label
	}
	return k
}
