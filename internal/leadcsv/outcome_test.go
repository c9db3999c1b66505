package leadcsv

import (
	"strings"
	"testing"

	"leadflow/internal/lead"
)

// TestOutcomeColumn: a column saying whether each lead converted, mapped
// to outcome, closes the lead as a customer or as disqualified; a value
// that says neither refuses the row, naming the column and the value.
func TestOutcomeColumn(t *testing.T) {
	header := []string{"Email", "Converted"}
	m := Detect(header)
	if m[1] != FOutcome {
		t.Fatalf("Converted maps to %q", m[1])
	}
	for v, want := range map[string]lead.Stage{"yes": lead.Customer, "Won": lead.Customer, "1": lead.Customer, "TRUE": lead.Customer,
		"no": lead.Disqualified, "lost": lead.Disqualified, "0": lead.Disqualified, "false": lead.Disqualified} {
		c, err := m.Changes(header, []string{"a@b.example", v})
		if err != nil || c[lead.FStage] != string(want) {
			t.Errorf("outcome %q: stage %q, %v", v, c[lead.FStage], err)
		}
	}
	if _, err := m.Changes(header, []string{"a@b.example", "maybe"}); err == nil ||
		!strings.Contains(err.Error(), `column "Converted" is an outcome`) || !strings.Contains(err.Error(), `"maybe"`) {
		t.Errorf("outcome maybe: %v", err)
	}
	y := []string{"email", "y"}
	m = Detect(y)
	if err := m.Override(y, map[string]string{"y": FOutcome}); err != nil || m[1] != FOutcome {
		t.Errorf("mapping y to outcome: %v %v", m, err)
	}
}
