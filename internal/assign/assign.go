// Package assign decides who works a lead: rules that match a lead's
// territory, industry and company size hand it to the next member of a
// team in turn, a fallback owner takes what no rule matches, and the
// first-contact deadline follows from the lead's grade.
package assign

import (
	"slices"
	"strings"
	"time"
)

// When is the moment a rule applies at.
type When string

// A rule applies to new leads, to leads that just passed qualification
// (sales takes over from marketing), or to both.
const (
	New       When = "new"
	Qualified When = "qualified"
	Both      When = "both"
)

// Member is a user a rule hands leads to.
type Member struct {
	ID    int64
	Email string
}

// Rule hands the leads it matches to its members in turn. Empty
// conditions match everything.
type Rule struct {
	ID           int64
	Name         string
	AppliesTo    When
	Countries    []string // ISO codes
	Industries   []string // compared without case
	MinEmployees *int64
	MaxEmployees *int64
	Members      []Member
	Turn         int64 // leads given out so far
}

// Subject is what rules look at in a lead.
type Subject struct {
	Country   string
	Industry  string
	Employees *int64
	Grade     string
}

// Matches reports whether r applies to s at moment w.
func (r Rule) Matches(w When, s Subject) bool {
	if r.AppliesTo != Both && r.AppliesTo != w {
		return false
	}
	if len(r.Countries) > 0 && !slices.Contains(r.Countries, s.Country) {
		return false
	}
	if len(r.Industries) > 0 && !slices.ContainsFunc(r.Industries, func(i string) bool { return strings.EqualFold(i, s.Industry) }) {
		return false
	}
	if r.MinEmployees != nil && (s.Employees == nil || *s.Employees < *r.MinEmployees) {
		return false
	}
	if r.MaxEmployees != nil && (s.Employees == nil || *s.Employees > *r.MaxEmployees) {
		return false
	}
	return len(r.Members) > 0
}

// Settings are the assignment choices outside the rules.
type Settings struct {
	// Fallback owns new leads no rule matches; 0 leaves them unassigned.
	Fallback Member
	// SLAHours is the time to first contact, by grade.
	SLAHours map[string]int
	// AccountOwner gives a new lead linked to an existing account to
	// that account's owner, before any rule.
	AccountOwner bool
}

// DefaultSLAHours give hot leads a day, warm ones three and cold ones a
// week.
var DefaultSLAHours = map[string]int{"hot": 24, "warm": 72, "cold": 168}

// Due is when the first contact of a lead of grade g, assigned at t, is
// due.
func (s Settings) Due(g string, t time.Time) time.Time {
	h, ok := s.SLAHours[g]
	if !ok || h <= 0 {
		h = DefaultSLAHours[g]
	}
	if h <= 0 {
		h = DefaultSLAHours["cold"]
	}
	return t.Add(time.Duration(h) * time.Hour)
}

// Decision is who a lead goes to, and why.
type Decision struct {
	Owner Member
	Why   string // the rule's name, or "fallback owner"
}
