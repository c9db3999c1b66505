package identity

import (
	"math"
	"sort"
)

// weights are, per field, the log2 likelihood ratio that each level of
// agreement adds to a pair's score: how much more often that agreement is
// seen between two records of one person than between two people. Rare,
// stable facts (an email, a phone, a birth date) weigh most; a region,
// shared by millions, least. Disagreement weighs less than agreement where
// people legitimately have several values (phones, emails, companies).
var weights = map[string]map[Level]float64{
	"first_name":  {Same: 5, Similar: 3.5, Partial: 1, Different: -4},
	"last_name":   {Same: 7, Similar: 5, Partial: 2, Different: -5},
	"email":       {Same: 14, Partial: 3, Different: -1},
	"phone":       {Same: 11, Different: -3},
	"birth_date":  {Same: 9, Similar: 4, Different: -6},
	"company":     {Same: 4, Similar: 3, Partial: 1, Different: -2},
	"street":      {Same: 5, Similar: 3.5, Partial: 1, Different: -2},
	"postal_code": {Same: 4, Similar: 1, Different: -2.5},
	"city":        {Same: 2.5, Similar: 2, Partial: 1, Different: -2.5},
	"region":      {Same: 0.5, Different: -0.5},
	"country":     {Same: 0.5, Different: -5},
}

// Version names the weights, comparisons and keys above: a change to any
// of them must raise it, so that the probable duplicates stored with the
// old scores are all found and scored again.
const Version = 1

// maxWeight is the most each costly slot can add (its Same weight).
var maxWeight = map[int]float64{5: weights["company"][Same], 6: weights["street"][Same], 8: weights["city"][Same]}

// Verdict is what a score says about a pair.
type Verdict string

// The verdicts: a probable duplicate goes to review; almost certainly the
// same is a stronger claim, shown as such (and the one bulk accept uses
// by default).
const (
	Distinct Verdict = "distinct"
	Probable Verdict = "probable"
	Certain  Verdict = "certain"
)

// Settings are the thresholds and the largest block compared in full.
type Settings struct {
	Probable float64 // score from which a pair is a probable duplicate
	Certain  float64 // score from which it is almost certainly the same person
	// MaxBlock is the largest group of records sharing one key that is
	// compared pair by pair; a bigger group (a key as common as a surname
	// code in a city of millions) says too little and is skipped, which
	// is what keeps the cost linear. Records in it still meet through
	// their other keys.
	MaxBlock int
}

// Default are the settings leadflow uses; the febrl test holds them to
// precision and recall of at least 0.95 on both data sets.
var Default = Settings{Probable: 8, Certain: 18, MaxBlock: 64}

// Match is a pair of records with its score and the field-by-field
// explanation. A is the lower id.
type Match struct {
	A, B    int64
	Score   float64
	Verdict Verdict
	Fields  []Agreement
}

// Compare scores any two records and explains the score.
func (s Settings) Compare(a, b Record) Match {
	return s.compare(prepare(a), prepare(b))
}

func (s Settings) compare(a, b prepared) Match {
	m, fields := s.score(&a, &b, false)
	m.Fields = append([]Agreement(nil), fields[:]...)
	return m
}

// score compares a and b; the explanation is returned by value, so that
// the many pairs that are not a match cost no allocation. With prune, a
// pair whose cheap fields leave it short of Probable even if the costly
// ones all agreed is declared Distinct without comparing those.
func (s Settings) score(a, b *prepared, prune bool) (Match, [nFields]Agreement) {
	if b.id < a.id {
		a, b = b, a
	}
	var fields [nFields]Agreement
	compareCheap(a, b, &fields)
	if prune {
		sum := 0.0
		for i := range fields {
			sum += weights[fields[i].Field][fields[i].Level]
		}
		for _, i := range costly {
			sum += maxWeight[i]
		}
		if sum < s.Probable {
			return Match{A: a.id, B: b.id, Verdict: Distinct}, fields
		}
	}
	compareCostly(a, b, &fields)
	m := Match{A: a.id, B: b.id}
	for i := range fields {
		f := &fields[i]
		f.Weight = weights[f.Field][f.Level]
		f.Similarity = math.Round(f.Similarity*100) / 100
		m.Score += f.Weight
	}
	m.Score = math.Round(m.Score*10) / 10
	m.Verdict = s.verdict(m.Score)
	return m, fields
}

// Verdict is what score says of a pair under these settings.
func (s Settings) Verdict(score float64) Verdict { return s.verdict(score) }

func (s Settings) verdict(score float64) Verdict {
	switch {
	case score >= s.Certain:
		return Certain
	case score >= s.Probable:
		return Probable
	}
	return Distinct
}

// Find returns every pair of records that is at least a probable
// duplicate, highest score first.
func (s Settings) Find(records []Record) []Match {
	prep := make([]prepared, len(records))
	for i, r := range records {
		prep[i] = prepare(r)
	}
	var out []Match
	for _, p := range candidatePairs(prep, s.MaxBlock) {
		if m, fields := s.score(&prep[p[0]], &prep[p[1]], true); m.Verdict != Distinct {
			m.Fields = append([]Agreement(nil), fields[:]...)
			out = append(out, m)
		}
	}
	SortMatches(out)
	return out
}

// FindFor compares one record with the records that share a blocking key
// with it (the caller found them through the same keys) and returns the
// probable duplicates, highest score first.
func (s Settings) FindFor(r Record, candidates []Record) []Match {
	p := prepare(r)
	var out []Match
	for _, c := range candidates {
		if c.ID == r.ID {
			continue
		}
		if m := s.compare(p, prepare(c)); m.Verdict != Distinct {
			out = append(out, m)
		}
	}
	SortMatches(out)
	return out
}

// SortMatches orders matches by score, highest first, then by ids.
func SortMatches(ms []Match) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Score != ms[j].Score {
			return ms[i].Score > ms[j].Score
		}
		if ms[i].A != ms[j].A {
			return ms[i].A < ms[j].A
		}
		return ms[i].B < ms[j].B
	})
}
