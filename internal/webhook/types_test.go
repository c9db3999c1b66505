package webhook

import (
	"slices"
	"testing"
)

// Each row of the change feed is the events it stands for: a stage
// change is also lead.mql or lead.sql when it reaches them, a score
// change is an event only when the grade moved, and kinds no one
// subscribes to are none.
func TestTypesOf(t *testing.T) {
	for _, c := range []struct {
		e    event
		want []string
	}{
		{event{source: "lead_change", kind: "created"}, []string{"lead.created"}},
		{event{source: "lead_change", kind: "updated"}, []string{"lead.updated"}},
		{event{source: "lead_change", kind: "owner"}, []string{"lead.updated"}},
		{event{source: "lead_change", kind: "qualified"}, []string{"lead.updated"}},
		{event{source: "lead_change", kind: "merged"}, []string{"lead.merged"}},
		{event{source: "lead_change", kind: "converted"}, []string{"lead.converted"}},
		{event{source: "lead_change", kind: "stage", detail: `{"stage":["lead","mql"]}`}, []string{"lead.stage_changed", "lead.mql"}},
		{event{source: "lead_change", kind: "stage", detail: `{"stage":["mql","sql"]}`}, []string{"lead.stage_changed", "lead.sql"}},
		{event{source: "lead_change", kind: "stage", detail: `{"stage":["sql","nurturing"]}`}, []string{"lead.stage_changed"}},
		{event{source: "lead_change", kind: "score", detail: `{"score":["10","70"],"grade":["cold","hot"]}`}, []string{"lead.grade_changed"}},
		{event{source: "lead_change", kind: "score", detail: `{"score":["10","12"]}`}, nil},
		{event{source: "lead_delete", kind: "deleted"}, []string{"lead.deleted"}},
		{event{source: "opportunity", kind: "won"}, []string{"opportunity.won"}},
		{event{source: "opportunity", kind: "lost"}, []string{"opportunity.lost"}},
		{event{source: "submission", kind: "rejected"}, []string{"form.submission_refused"}},
		{event{source: "import", kind: "failed"}, []string{"import.finished"}},
	} {
		got := typesOf(c.e)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s %s: %v, want %v", c.e.source, c.e.kind, c.e.detail, got, c.want)
		}
		for _, typ := range got {
			if !slices.Contains(Events, typ) {
				t.Errorf("%s is not among the events one may subscribe to", typ)
			}
		}
	}
}
