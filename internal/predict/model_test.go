package predict

import (
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
)

var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// team makes n closed leads of a software vendor whose buyers are, more
// often than not, software companies of some size that looked at the
// pricing page; a quarter answered the industry question with "Select".
func team(n int, seed int64) []Example {
	r := rand.New(rand.NewSource(seed))
	industries := []string{"Software", "Retail", "Education", "Select", "Other"}
	xs := make([]Example, n)
	for i := range xs {
		ind := industries[r.Intn(len(industries))]
		emp := 5 + r.Intn(500)
		views := r.Intn(4)
		z := -3.0 + 0.004*float64(emp) + 0.8*float64(views)
		if ind == "Software" {
			z += 1.5
		}
		x := Example{ID: int64(i + 1), CreatedAt: now.Add(time.Duration(i-n) * time.Hour),
			Facts:     scoring.Facts{"industry": ind, "employees": strconv.Itoa(emp), "email": "p" + strconv.Itoa(i) + "@firm.example"},
			Converted: r.Float64() < sigmoid(z)}
		if i%10 == 0 {
			x.Facts["employees"] = "" // not asked on every form
		}
		for v := 0; v < views; v++ {
			x.Events = append(x.Events, scoring.Event{Type: "pricing_page_view", At: x.CreatedAt.Add(time.Duration(v) * time.Hour)})
		}
		xs[i] = x
	}
	return xs
}

// TestLearnsWhatConverts: from 3,000 closed leads the model ranks the
// newest 600, held out, well; its chances agree with what happened; and
// it explains a large software company that read the pricing page by
// those facts, and counts "Select" and "Other" as no answer.
func TestLearnsWhatConverts(t *testing.T) {
	xs := team(3000, 1)
	m, metrics, err := Train(xs, now)
	if err != nil {
		t.Fatal(err)
	}
	if metrics.HeldOut != 600 || metrics.Trained != 2400 || !metrics.HeldOutFrom.Equal(xs[2400].CreatedAt) {
		t.Errorf("split: %d trained, %d held out from %s", metrics.Trained, metrics.HeldOut, metrics.HeldOutFrom)
	}
	if metrics.AUC < 0.75 {
		t.Errorf("held-out AUC %.3f, want at least 0.75", metrics.AUC)
	}
	for _, b := range metrics.Calibration {
		if b.Leads >= 60 && math.Abs(b.Predicted-b.Observed) > 0.12 {
			t.Errorf("calibration bin %.1f-%.1f: %d leads given %.2f, %.2f converted", b.From, b.To, b.Leads, b.Predicted, b.Observed)
		}
	}
	for _, c := range m.Spec.Columns {
		if c.Name == "industry" && strings.Contains(strings.Join(c.Levels, ","), "Select") || strings.Contains(strings.Join(c.Levels, ","), "Other") {
			t.Errorf("placeholders kept as levels: %v", c.Levels)
		}
	}
	big := Example{Facts: scoring.Facts{"industry": "Software", "employees": "450"},
		Events: []scoring.Event{{Type: "pricing_page_view", At: now}, {Type: "pricing_page_view", At: now}, {Type: "pricing_page_view", At: now}}}
	small := Example{Facts: scoring.Facts{"industry": "Education", "employees": "6"}}
	e := m.Explain(big, now)
	if e.Probability < 0.6 || m.Probability(small, now) > 0.1 {
		t.Errorf("chances: big software buyer %.2f, small school %.2f", e.Probability, m.Probability(small, now))
	}
	var labels []string
	for _, f := range e.For {
		labels = append(labels, f.Label)
	}
	got := strings.Join(labels, "; ")
	for _, want := range []string{"industry is Software", "pricing_page_view events: 3", "employees is 450"} {
		if !strings.Contains(got, want) {
			t.Errorf("factors for %q lack %q", got, want)
		}
	}
	if len(m.Explain(small, now).Against) == 0 {
		t.Errorf("no factor against a small school")
	}
}

// TestRefusesTooLittleHistory names both numbers and both minimums.
func TestRefusesTooLittleHistory(t *testing.T) {
	xs := team(999, 2)
	_, m, err := Train(xs, now)
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid || !strings.Contains(e.Message, "there are 999 closed leads and "+strconv.Itoa(m.Conversions)+" conversions") ||
		e.Fields["closed_leads"] != "999 of at least 1000" {
		t.Fatalf("999 closed leads: %v", err)
	}
	few := team(1500, 3)
	for i := range few {
		few[i].Converted = i < 119
	}
	if _, _, err := Train(few, now); fault.As(err) == nil || fault.As(err).Fields["conversions"] != "119 of at least 120" {
		t.Errorf("119 conversions: %v", err)
	}
}

func TestMissing(t *testing.T) {
	for v, want := range map[string]bool{"": true, "  ": true, "Select": true, "-- Select --": true, "Other": true, "unknown": true,
		"N/A": true, "Please select": true, "Software": false, "0": false, "Others in retail": false} {
		if Missing(v) != want {
			t.Errorf("Missing(%q) = %v", v, !want)
		}
	}
}

func TestAUC(t *testing.T) {
	y := []bool{false, false, true, true}
	for _, c := range []struct {
		scores []float64
		want   float64
	}{
		{[]float64{0.1, 0.4, 0.35, 0.8}, 0.75},
		{[]float64{1, 2, 3, 4}, 1},
		{[]float64{4, 3, 2, 1}, 0},
		{[]float64{5, 5, 5, 5}, 0.5}, // ties count half
	} {
		if got := AUC(c.scores, y); got != c.want {
			t.Errorf("AUC(%v) = %v, want %v", c.scores, got, c.want)
		}
	}
	if !math.IsNaN(AUC([]float64{1, 2}, []bool{true, true})) {
		t.Errorf("AUC of one class is not NaN")
	}
	c := At([]float64{0.1, 0.4, 0.35, 0.8}, y, 0.35)
	if c.Flagged != 3 || c.Converted != 2 || math.Abs(c.Precision-2.0/3) > 1e-9 || c.Recall != 1 {
		t.Errorf("at 0.35: %+v", c)
	}
}

// TestLabel: what counts as converted, not converted, or still open.
func TestLabel(t *testing.T) {
	h := 180 * 24 * time.Hour
	came := now.AddDate(0, -1, 0)
	type l struct {
		stage   lead.Stage
		created time.Time
	}
	for _, c := range []struct {
		name              string
		l                 l
		o                 *outcome
		closed, converted bool
	}{
		{"customer", l{lead.Customer, came}, nil, true, true},
		{"deal won in time", l{lead.Opportunity, came}, &outcome{won: true, closedAt: came.AddDate(0, 0, 20)}, true, true},
		{"deal won after the horizon", l{lead.Customer, came.AddDate(-1, 0, 0)}, &outcome{won: true, closedAt: came}, true, false},
		{"deal lost", l{lead.Opportunity, came}, &outcome{closedAt: came}, true, false},
		{"disqualified", l{lead.Disqualified, came}, nil, true, false},
		{"open past the horizon", l{lead.MQL, now.AddDate(-1, 0, 0)}, nil, true, false},
		{"open and recent", l{lead.MQL, came}, nil, false, false},
	} {
		closed, converted := Label(c.l.stage, c.l.created, c.o, h, now)
		if closed != c.closed || converted != c.converted {
			t.Errorf("%s: closed %v converted %v", c.name, closed, converted)
		}
	}
}

// TestWhatIf: a draft that rewards what converts ranks better than rules
// that reward nothing that matters, and history suggests points that
// follow the conversions.
func TestWhatIf(t *testing.T) {
	xs := team(2000, 4)
	draft := scoring.Rules{Explicit: []scoring.Explicit{
		{Field: "industry", Op: scoring.Equals, Values: []string{"Software"}, Points: 20},
		{Field: "industry", Op: scoring.Equals, Values: []string{"Education"}, Points: 20}},
		Behaviour: []scoring.Behaviour{{Event: "pricing_page_view", Points: 10}}, Hot: 40, Warm: 20, MQL: 30}
	current := scoring.Rules{Explicit: []scoring.Explicit{{Field: "country", Op: scoring.Equals, Values: []string{"RO"}, Points: 50}}, Hot: 40, Warm: 20, MQL: 30}
	w := Compare(xs, draft, current, 6, now)
	if w.Closed != 2000 || w.Current.MQL != 0 || w.Draft.MQL == 0 || w.Draft.AUC < 0.65 || w.Current.AUC != 0.5 {
		t.Fatalf("what-if: %+v", w)
	}
	if float64(w.Draft.MQLConverted)/float64(w.Draft.MQL) <= float64(w.Conversions)/float64(w.Closed) {
		t.Errorf("the draft's MQLs convert no better than all leads: %+v", w)
	}
	if len(w.Suggested) != 3 || w.Suggested[0].Suggested <= w.Suggested[1].Suggested || w.Suggested[2].Suggested <= 0 {
		t.Errorf("suggested points: %+v", w.Suggested)
	}
}
