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

// weightOf is weights by slot and level, for scoring without looking up
// names; most is the most each slot can add (the pruning's bound).
var (
	weightOf [nFields][nLevels]float64
	most     [nFields]float64
)

func init() {
	for f, name := range fieldNames {
		for l, lv := range levels {
			weightOf[f][l] = weights[name][lv]
			most[f] = max(most[f], weightOf[f][l])
		}
	}
}

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
	var fields [nFields]agreement
	m := s.score(&a, &b, false, &fields)
	m.Fields = explain(&fields)
	return m
}

// explain turns a scored pair's slots into its explanation.
func explain(fields *[nFields]agreement) []Agreement {
	out := make([]Agreement, nFields)
	for i, f := range fields {
		out[i] = Agreement{Field: fieldNames[i], Level: levels[f.lvl], Similarity: math.Round(f.sim*100) / 100,
			Weight: weightOf[i][f.lvl], Note: notes[f.note]}
	}
	return out
}

// score compares a and b into fields and returns their match without its
// explanation, so that the many pairs that are not one allocate nothing.
// With prune, it stops as soon as what is left to compare could not lift
// the pair to Probable even if all of it agreed fully (most): the pair is
// then Distinct whatever the rest would say, so the pairs found, their
// scores and their explanations are exactly those found without pruning
// (TestPruningIsExact). The cheapest comparisons come first: exact
// fields, then the first names, then the surnames, then the words of
// city, company and street.
func (s Settings) score(a, b *prepared, prune bool, fields *[nFields]agreement) Match {
	if b.id < a.id {
		a, b = b, a
	}
	m := Match{A: a.id, B: b.id, Verdict: Distinct}
	compareExact(a, b, fields)
	var sum, rest float64
	if prune {
		for _, i := range [...]int{fEmail, fPhone, fBirth, fPostal, fRegion, fCountry} {
			sum += weightOf[i][fields[i].lvl]
		}
		rest = bothMost(fFirst, a.first() != "" && b.first() != "") + bothMost(fLast, a.last() != "" && b.last() != "") +
			bothMost(fCity, a.city() != "" && b.city() != "") + bothMost(fCompany, a.company() != "" && b.company() != "") +
			bothMost(fStreet, a.street() != "" && b.street() != "")
		if s.short(sum + rest) {
			return m
		}
		if s.shortOnFirstName(a, b, sum+rest) {
			return m
		}
	}
	fields[fFirst], fields[fLast] = compareNames(a, b)
	if prune {
		sum += weightOf[fFirst][fields[fFirst].lvl] + weightOf[fLast][fields[fLast].lvl]
		rest -= bothMost(fFirst, a.first() != "" && b.first() != "") + bothMost(fLast, a.last() != "" && b.last() != "")
		if s.short(sum + rest) {
			return m
		}
	}
	compareWords(a, b, fields)
	for i := range fields {
		m.Score += weightOf[i][fields[i].lvl]
	}
	m.Score = math.Round(m.Score*10) / 10
	m.Verdict = s.verdict(m.Score)
	return m
}

// shortOnFirstName reports whether the first names alone set the pair
// aside, bound being the most it could score before the names were
// compared. Names are read swapped only when the first name is like the
// other's surname (compareNames); when it is not, the first names count
// as they compare, and the surnames at most their most.
func (s Settings) shortOnFirstName(a, b *prepared, bound float64) bool {
	if a.first() == "" || b.first() == "" {
		return false
	}
	first := nameAgreement(a.first(), b.first())
	if first.lvl == same {
		return false // it adds its most: nothing to learn
	}
	straight := a.last() == "" || b.last() == "" || nameAgreement(a.first(), b.last()).lvl == different
	return straight && s.short(bound-most[fFirst]+weightOf[fFirst][first.lvl])
}

// bothMost is the most slot can add when both sides have a value, and
// nothing otherwise (a missing value counts neither way).
func bothMost(slot int, both bool) float64 {
	if both {
		return most[slot]
	}
	return 0
}

// short reports whether a pair scoring at most bound is below Probable
// once rounded as scores are (rounding never lowers a bound below the
// score it bounds).
func (s Settings) short(bound float64) bool {
	return math.Round(bound*10)/10 < s.Probable
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
	var fields [nFields]agreement
	for _, p := range candidatePairs(prep, s.MaxBlock) {
		if m := s.score(&prep[p[0]], &prep[p[1]], true, &fields); m.Verdict != Distinct {
			m.Fields = explain(&fields)
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
