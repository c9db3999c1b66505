package project

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
)

// FeatureInput is one row of the features to build, in text.
type FeatureInput struct {
	Name, DaysLow, DaysHigh string
}

// Input is a project as the page or the API send it, in text, so a bad
// value is named rather than lost.
type Input struct {
	Title       string
	Status      string
	AppTypes    []string
	Checklist   map[string]Check
	Features    []FeatureInput
	Constraints string
	DayRate     string // an amount per person-day, such as 480
	Currency    string
}

// InputOf returns p's fields as text, for an edit form.
func InputOf(p Project) Input {
	in := Input{Title: p.Title, Status: string(p.Status), AppTypes: p.AppTypes, Checklist: p.Checklist,
		Constraints: p.Constraints, Currency: p.Currency}
	if p.DayRate != 0 {
		in.DayRate = catalog.Decimal(p.DayRate)
	}
	for _, f := range p.Features {
		in.Features = append(in.Features, FeatureInput{Name: f.Name, DaysLow: days(f.DaysLow), DaysHigh: days(f.DaysHigh)})
	}
	return in
}

func days(d float64) string { return strconv.FormatFloat(d, 'f', -1, 64) }

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// validate checks in, naming each bad field; features are named
// features.N.name, features.N.days_low..., N counting from 0. Rows with
// no name and no effort are blank form rows and are dropped.
func validate(in Input, opening bool) (Project, error) {
	bad := fault.Fields{}
	p := Project{Title: strings.TrimSpace(in.Title), Status: Status(strings.TrimSpace(in.Status)),
		Constraints: strings.TrimSpace(in.Constraints), Currency: strings.ToUpper(strings.TrimSpace(in.Currency)),
		Checklist: map[string]Check{}, AppTypes: []string{}, Features: []Feature{}}
	if p.Title == "" || utf8.RuneCountInString(p.Title) > 200 {
		bad.Add("title", "is required, at most 200 characters")
	}
	if p.Status == "" && opening {
		p.Status = Analysis
	}
	if !slices.Contains(Statuses, p.Status) {
		bad.Add("status", "must be one of analysis, estimate_sent, accepted, rejected")
	}
	p.AppTypes = catalog.Keys(in.AppTypes, "app_types", 20, bad)
	for _, t := range p.AppTypes {
		if !slices.Contains(matching.Deployments, t) {
			bad.Add("app_types", "must be among "+strings.Join(matching.Deployments, ", ")+"; "+t+" is not")
		}
	}
	for k, c := range in.Checklist {
		if !slices.ContainsFunc(ChecklistItems, func(i struct{ Key, Label string }) bool { return i.Key == k }) {
			bad.Add("checklist."+k, "is not an item of the checklist (processes, users, data, integrations)")
			continue
		}
		c.Notes = strings.TrimSpace(c.Notes)
		if utf8.RuneCountInString(c.Notes) > 5000 {
			bad.Add("checklist."+k, "notes must be at most 5,000 characters")
		}
		p.Checklist[k] = c
	}
	n := 0
	for _, f := range in.Features {
		name, lo, hi := strings.TrimSpace(f.Name), strings.TrimSpace(f.DaysLow), strings.TrimSpace(f.DaysHigh)
		if name == "" && lo == "" && hi == "" {
			continue
		}
		key := fmt.Sprintf("features.%d.", n)
		n++
		if name == "" || utf8.RuneCountInString(name) > 200 {
			bad.Add(key+"name", "is required, at most 200 characters")
		}
		low, err := strconv.ParseFloat(lo, 64)
		if err != nil || low < 0 || low > 10_000 {
			bad.Add(key+"days_low", "must be person-days from 0 to 10,000, such as 2.5")
		}
		high := low
		if hi != "" {
			if high, err = strconv.ParseFloat(hi, 64); err != nil || high < 0 || high > 10_000 {
				bad.Add(key+"days_high", "must be person-days from 0 to 10,000, such as 4")
			}
		}
		if high < low {
			bad.Add(key+"days_high", "must not be below the low estimate")
		}
		p.Features = append(p.Features, Feature{Name: name, DaysLow: low, DaysHigh: high})
	}
	if len(p.Features) > 200 {
		bad.Add("features", "must list at most 200")
	}
	if utf8.RuneCountInString(p.Constraints) > 5000 {
		bad.Add("constraints", "must be at most 5,000 characters")
	}
	var ok bool
	if p.DayRate, ok = catalog.Minor(in.DayRate); !ok {
		bad.Add("day_rate", "must be an amount per person-day such as 480, 0 or more")
	}
	if p.DayRate > 0 && !currencyPattern.MatchString(p.Currency) {
		bad.Add("currency", "is required with a day rate: a three-letter ISO 4217 code such as EUR")
	}
	// An estimate sent must be an estimate: features with effort, and a rate.
	if p.Status == EstimateSent || p.Status == Accepted {
		if len(p.Features) == 0 {
			bad.Add("features", "list the features to build before sending an estimate")
		}
		if p.DayRate == 0 {
			bad.Add("day_rate", "is needed to send an estimate")
		}
	}
	return p, bad.Err()
}
