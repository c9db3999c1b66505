package assign

import (
	"testing"
	"time"
)

func TestRuleMatches(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	team := []Member{{ID: 1, Email: "a@example.com"}}
	dach := Rule{AppliesTo: New, Countries: []string{"DE", "AT"}, MinEmployees: n(100), MaxEmployees: n(999), Members: team}
	cases := []struct {
		r    Rule
		w    When
		s    Subject
		want bool
	}{
		{dach, New, Subject{Country: "DE", Employees: n(100)}, true},
		{dach, New, Subject{Country: "DE", Employees: n(1000)}, false},
		{dach, New, Subject{Country: "DE"}, false}, // unknown size does not meet a size condition
		{dach, New, Subject{Country: "FR", Employees: n(200)}, false},
		{dach, Qualified, Subject{Country: "AT", Employees: n(200)}, false},
		{Rule{AppliesTo: Both, Industries: []string{"Software"}, Members: team}, Qualified, Subject{Industry: "software"}, true},
		{Rule{AppliesTo: Both, Industries: []string{"Software"}, Members: team}, New, Subject{Industry: "Retail"}, false},
		{Rule{AppliesTo: New}, New, Subject{}, false}, // a rule without members gives nothing
		{Rule{AppliesTo: New, Members: team}, New, Subject{}, true},
	}
	for i, c := range cases {
		if got := c.r.Matches(c.w, c.s); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}

func TestDueFollowsGrade(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	st := Settings{SLAHours: map[string]int{"hot": 4}}
	if got := st.Due("hot", t0); !got.Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("hot due %v", got)
	}
	if got := st.Due("warm", t0); !got.Equal(t0.Add(72 * time.Hour)) {
		t.Errorf("warm falls back to the default: %v", got)
	}
	if got := st.Due("", t0); !got.Equal(t0.Add(168 * time.Hour)) {
		t.Errorf("no grade is treated as cold: %v", got)
	}
}
