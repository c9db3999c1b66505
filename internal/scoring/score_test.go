package scoring

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"leadflow/internal/fault"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestEveryOperator(t *testing.T) {
	lead := Facts{"job_title": "Marketing Director", "employees": "250", "country": "RO", "email": "ana@Gmail.com",
		"existing_customer": "false", "industry": "Education", "city": "", "custom.budget": "50000"}
	cases := []struct {
		rule Explicit
		want bool
	}{
		{Explicit{Field: "job_title", Op: Contains, Values: []string{"director", "CEO"}}, true},
		{Explicit{Field: "job_title", Op: Contains, Values: []string{"ceo"}}, false},
		{Explicit{Field: "job_title", Op: StartsWith, Values: []string{"marketing"}}, true},
		{Explicit{Field: "job_title", Op: StartsWith, Values: []string{"director"}}, false},
		{Explicit{Field: "country", Op: In, Values: []string{"RO", "IT", "NO"}}, true},
		{Explicit{Field: "country", Op: In, Values: []string{"IT", "NO"}}, false},
		{Explicit{Field: "country", Op: Equals, Values: []string{"ro"}}, true},
		{Explicit{Field: "country", Op: NotEquals, Values: []string{"RO"}}, false},
		{Explicit{Field: "industry", Op: NotEquals, Values: []string{"Software"}}, true},
		{Explicit{Field: "employees", Op: AtLeast, Values: []string{"200"}}, true},
		{Explicit{Field: "employees", Op: AtLeast, Values: []string{"251"}}, false},
		{Explicit{Field: "employees", Op: AtMost, Values: []string{"250"}}, true},
		{Explicit{Field: "employees", Op: AtMost, Values: []string{"249.5"}}, false},
		{Explicit{Field: "employees", Op: Between, Values: []string{"250", "500"}}, true},
		{Explicit{Field: "employees", Op: Between, Values: []string{"251", "500"}}, false},
		{Explicit{Field: "city", Op: IsEmpty}, true},
		{Explicit{Field: "city", Op: IsSet}, false},
		{Explicit{Field: "existing_customer", Op: IsSet}, false}, // false counts as not set
		{Explicit{Field: "existing_customer", Op: Equals, Values: []string{"true"}}, false},
		{Explicit{Field: "free_email", Op: Equals, Values: []string{"true"}}, true},
		{Explicit{Field: "email_domain", Op: Equals, Values: []string{"gmail.com"}}, true},
		{Explicit{Field: "custom.budget", Op: AtLeast, Values: []string{"10000"}}, true},
		{Explicit{Field: "custom.missing", Op: AtLeast, Values: []string{"0"}}, false}, // no number, no match
	}
	for _, c := range cases {
		if got := Matches(c.rule, lead); got != c.want {
			t.Errorf("%s %s %v: got %v, want %v", c.rule.Field, c.rule.Op, c.rule.Values, got, c.want)
		}
	}
}

func TestExplicitPointsAdd(t *testing.T) {
	r := Defaults()
	res := Score(Facts{"job_title": "CEO", "employees": "500", "country": "NO", "email": "x@gmail.com", "existing_customer": "true"}, nil, r, now)
	// decision maker 20 + 200+ 15 + core market 10 + existing 10 - free mail 10
	if res.Score != 45 || res.Explicit != 45 || res.Grade != Warm || len(res.Fired) != 5 {
		t.Errorf("score %d explicit %d grade %s fired %d", res.Score, res.Explicit, res.Grade, len(res.Fired))
	}
}

func TestBehaviourCapsWindowsAndDecay(t *testing.T) {
	day := 24 * time.Hour
	views := func(n int, age time.Duration) []Event {
		var evs []Event
		for i := 0; i < n; i++ {
			evs = append(evs, Event{ID: int64(i), Type: "page_view", URL: "https://x.io/blog", At: now.Add(-age)})
		}
		return evs
	}
	rules := func(b Behaviour, halfLife float64) Rules {
		return Rules{Behaviour: []Behaviour{b}, HalfLifeDays: halfLife, Hot: 70, Warm: 40}
	}
	cases := []struct {
		name   string
		rules  Rules
		events []Event
		want   float64
	}{
		{"points per event", rules(Behaviour{Event: "page_view", Points: 2}, 0), views(5, day), 10},
		{"capped", rules(Behaviour{Event: "page_view", Points: 2, Cap: 30}, 0), views(40, day), 30},
		{"at the cap", rules(Behaviour{Event: "page_view", Points: 2, Cap: 30}, 0), views(15, day), 30},
		{"outside the window", rules(Behaviour{Event: "page_view", Points: 2, WindowDays: 30}, 0), views(5, 31*day), 0},
		{"on the window's edge", rules(Behaviour{Event: "page_view", Points: 2, WindowDays: 30}, 0), views(5, 30*day), 10},
		{"one half-life", rules(Behaviour{Event: "page_view", Points: 10}, 30), views(1, 30*day), 5},
		{"two half-lives", rules(Behaviour{Event: "page_view", Points: 10}, 30), views(1, 60*day), 2.5},
		{"decay off", rules(Behaviour{Event: "page_view", Points: 10}, 0), views(1, 600*day), 10},
		{"future event keeps its points", rules(Behaviour{Event: "page_view", Points: 10}, 30), views(1, -day), 10},
		{"cap after decay", rules(Behaviour{Event: "page_view", Points: 10, Cap: 15}, 30), views(4, 30*day), 15},
		{"url pattern", rules(Behaviour{Event: "page_view", URL: "*/pricing*", Points: 8}, 0), []Event{
			{Type: "page_view", URL: "https://x.io/pricing?plan=pro", At: now},
			{Type: "page_view", URL: "https://x.io/blog", At: now}}, 8},
		{"other types do not count", rules(Behaviour{Event: "ebook_download", Points: 10}, 0), views(3, day), 0},
		{"negative capped", rules(Behaviour{Event: "page_view", Points: -5, Cap: 12}, 0), views(5, day), -12},
	}
	for _, c := range cases {
		res := Score(nil, c.events, c.rules, now)
		if math.Abs(res.Behaviour-c.want) > 1e-9 {
			t.Errorf("%s: behaviour %.4f, want %.4f", c.name, res.Behaviour, c.want)
		}
	}
}

func TestGradeBoundaries(t *testing.T) {
	r := Rules{Hot: 70, Warm: 40}
	for score, want := range map[int]string{-10: Cold, 39: Cold, 40: Warm, 69: Warm, 70: Hot, 1000: Hot} {
		if got := r.Grade(score); got != want {
			t.Errorf("grade(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	events := []Event{{ID: 1, Type: "page_view", At: now.Add(-49 * time.Hour)}, {ID: 2, Type: "quote_request", At: now.Add(-3 * time.Hour)}}
	facts := Facts{"job_title": "VP Sales", "employees": "80"}
	a, b := Score(facts, events, Defaults(), now), Score(facts, events, Defaults(), now)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("two runs differ:\n%s\n%s", ja, jb)
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*/pricing*", "https://x.io/pricing", true}, {"*/pricing*", "https://x.io/Pricing/pro", true},
		{"*/pricing*", "https://x.io/blog", false}, {"https://x.io/*", "https://x.io/a", true},
		{"*", "", true}, {"a*a", "a", false}, {"exact", "exact", true}, {"exact", "exactly", false},
	} {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestValidateNamesBadRules(t *testing.T) {
	r := Rules{
		Explicit:  []Explicit{{Field: "shoe_size", Op: Equals, Values: []string{"44"}}, {Field: "employees", Op: Between, Values: []string{"10"}}, {Field: "country", Op: "like"}},
		Behaviour: []Behaviour{{Event: "", Points: 5000, Cap: -1, WindowDays: -2}},
		Hot:       40, Warm: 70, HalfLifeDays: -1, MQL: -5,
	}
	e := fault.As(r.Validate())
	if e == nil {
		t.Fatal("bad rules accepted")
	}
	for _, k := range []string{"explicit.0.field", "explicit.1.values", "explicit.2.op", "behaviour.0.event", "behaviour.0.points",
		"behaviour.0.cap", "behaviour.0.window_days", "warm", "half_life_days", "mql"} {
		if e.Fields[k] == "" {
			t.Errorf("no reason for %s: %v", k, e.Fields)
		}
	}
	d := Defaults()
	if err := d.Validate(); err != nil {
		t.Errorf("the default rules are invalid: %v", err)
	}
}

// FuzzRules feeds arbitrary JSON as a ruleset, as the API would receive
// it: it is refused with reasons or accepted and scored, never a panic.
func FuzzRules(f *testing.F) {
	seed, _ := json.Marshal(Defaults())
	f.Add(seed)
	f.Add([]byte(`{"explicit":[{"field":"employees","op":"between","values":["1e308","-1e308"],"points":1}],"half_life_days":1e-300}`))
	f.Add([]byte(`{"behaviour":[{"event":"x","url":"***","points":-1000,"cap":1,"window_days":3650}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Rules
		if json.Unmarshal(data, &r) != nil {
			return
		}
		if r.Validate() != nil {
			return
		}
		events := []Event{{Type: "x", URL: "https://a/b", At: now.Add(-time.Hour)}, {Type: "page_view", At: now}}
		res := Score(Facts{"employees": "12", "email": "a@gmail.com"}, events, r, now)
		if math.IsNaN(res.Behaviour) || math.IsInf(res.Behaviour, 0) {
			t.Fatalf("score %v from valid rules %s", res.Behaviour, data)
		}
	})
}
