// Package accountscore scores accounts: fit from who the company is
// (industry, size, revenue, country: rules written like the lead rules'
// explicit ones) plus engagement rolled up from what its people did,
// every linked or converted lead's events scored by the lead ruleset's
// behaviour rules with the same caps and decay. The score gives a grade
// and suggests a target-account tier; a tier a user sets wins. The rules
// are pure; the store reads accounts, people and events.
package accountscore

import (
	"math"
	"slices"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/scoring"
)

// Fields a fit rule may test.
var Fields = []string{"industry", "employees", "revenue", "country", "city", "domain"}

// Rules are the account ruleset.
type Rules struct {
	Fit   []scoring.Explicit `json:"fit"`
	Hot   int                `json:"hot"`    // lowest hot score
	Warm  int                `json:"warm"`   // lowest warm score
	Tier1 int                `json:"tier_1"` // lowest score a rule suggests tier 1 for
	Tier2 int                `json:"tier_2"` // lowest score for tier 2; below it, tier 3
}

// Defaults are the rules a new leadflow starts with.
func Defaults() Rules {
	return Rules{
		Fit: []scoring.Explicit{
			{Field: "employees", Op: scoring.AtLeast, Values: []string{"1000"}, Points: 30, Label: "Enterprise (1,000+)"},
			{Field: "employees", Op: scoring.Between, Values: []string{"200", "999"}, Points: 20, Label: "Mid-market (200-999)"},
			{Field: "revenue", Op: scoring.AtLeast, Values: []string{"50000000"}, Points: 15, Label: "Revenue 50M+"},
			{Field: "country", Op: scoring.In, Values: []string{"RO", "IT", "NO"}, Points: 10, Label: "Core market"},
			{Field: "industry", Op: scoring.Equals, Values: []string{"Education"}, Points: -10, Label: "Education"},
		},
		Hot: 80, Warm: 40, Tier1: 80, Tier2: 40,
	}
}

// Validate checks a ruleset and names each problem: fit.N.field, hot...
func (r *Rules) Validate() error {
	bad := fault.Fields{}
	if len(r.Fit) > scoring.MaxRules {
		bad.Add("fit", "at most "+strconv.Itoa(scoring.MaxRules)+" rules")
	}
	for i := range r.Fit {
		scoring.CheckExplicit(&r.Fit[i], "fit."+strconv.Itoa(i)+".", Fields, bad)
	}
	if r.Warm > r.Hot {
		bad.Add("warm", "must not be above the hot threshold")
	}
	if r.Tier2 > r.Tier1 {
		bad.Add("tier_2", "must not be above the tier 1 threshold")
	}
	return bad.Err()
}

// Person is one of an account's people (a lead linked to it or
// converted into it) with the events they left.
type Person struct {
	LeadID int64
	Name   string
	Events []scoring.Event
}

// Share is what one person's behaviour added to the account.
type Share struct {
	LeadID int64
	Name   string
	Points float64
}

// Result is an account's score and why.
type Result struct {
	Score      int
	Fit        int
	Engagement float64 // the people's behaviour points, after caps and decay
	Grade      string
	Suggested  int // the tier the rules suggest: 1, 2 or 3
	FitFired   []scoring.Fired
	People     []Share // who engaged, most first
}

// Score computes an account's score at now from its facts (Fields as
// text), its people, its rules and the lead ruleset whose behaviour rules
// and half-life score each person. A person's behaviour counts as it
// does in their own score (caps are per person), so the engagement is
// the sum of the behaviour parts of the people's scores.
func Score(facts scoring.Facts, people []Person, r Rules, leads scoring.Rules, now time.Time) Result {
	var res Result
	for i, e := range r.Fit {
		if scoring.Matches(e, facts) {
			res.Fit += e.Points
			label := e.Label
			if label == "" {
				label = e.Field + " " + string(e.Op)
			}
			res.FitFired = append(res.FitFired, scoring.Fired{Kind: "fit", Index: i, Label: label, Points: float64(e.Points)})
		}
	}
	behaviour := scoring.Rules{Behaviour: leads.Behaviour, HalfLifeDays: leads.HalfLifeDays}
	for _, p := range people {
		pts := scoring.Score(nil, p.Events, behaviour, now).Behaviour
		if pts != 0 {
			res.People = append(res.People, Share{LeadID: p.LeadID, Name: p.Name, Points: pts})
		}
		res.Engagement += pts
	}
	slices.SortStableFunc(res.People, func(a, b Share) int {
		switch {
		case a.Points > b.Points:
			return -1
		case a.Points < b.Points:
			return 1
		}
		return 0
	})
	res.Score = res.Fit + int(math.Round(res.Engagement))
	switch {
	case res.Score >= r.Hot:
		res.Grade = scoring.Hot
	case res.Score >= r.Warm:
		res.Grade = scoring.Warm
	default:
		res.Grade = scoring.Cold
	}
	switch {
	case res.Score >= r.Tier1:
		res.Suggested = 1
	case res.Score >= r.Tier2:
		res.Suggested = 2
	default:
		res.Suggested = 3
	}
	return res
}
