package brief

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
)

// Input is a request as the form, a public form's answers or the API
// send it, in text, so a bad value is named instead of lost.
type Input struct {
	Industry     string
	Category     string
	Deployments  []string
	Licences     string
	Budget       string // an amount such as 12000 or 950.50; "" for none
	Currency     string
	BudgetPeriod string // month, year or once
	Horizon      string // months the cost is counted over; "" for 12
	Timeline     string // a key of Timelines, or ""
	MustHave     []string
	NiceToHave   []string
	Integrations []string
	Languages    []string
	Notes        string
}

// InputOf returns r's fields as text, for an edit form.
func InputOf(r Request) Input {
	in := Input{Industry: r.Industry, Category: r.Category, Deployments: r.Deployments, Licences: strconv.Itoa(r.Licences),
		Currency: r.Currency, BudgetPeriod: string(r.BudgetPeriod), Horizon: strconv.Itoa(r.HorizonMonths()), Timeline: r.Timeline,
		MustHave: r.MustHave, NiceToHave: r.NiceToHave, Integrations: r.Integrations, Languages: r.Languages, Notes: r.Notes}
	if r.Budget != 0 {
		in.Budget = catalog.Decimal(r.Budget)
	}
	return in
}

var (
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	languagePattern = regexp.MustCompile(`^[a-z]{2}$`)
)

// validate checks in and returns the request it describes, or the
// reasons, by field.
func (s *Service) validate(ctx context.Context, in Input) (Request, error) {
	bad := fault.Fields{}
	var r Request
	r.Industry = strings.ToLower(strings.TrimSpace(in.Industry))
	if utf8.RuneCountInString(r.Industry) > 60 {
		bad.Add("industry", "must be at most 60 characters")
	}
	if cats := catalog.Keys([]string{in.Category}, "category", 40, bad); len(cats) == 1 {
		r.Category = cats[0]
	} else if bad["category"] == "" {
		bad.Add("category", "is required: the kind of application, such as "+strings.Join(catalog.Categories[:6], ", "))
	}
	r.Deployments = catalog.Keys(in.Deployments, "deployments", 20, bad)
	for _, d := range r.Deployments {
		if !slices.Contains(matching.Deployments, d) {
			bad.Add("deployments", "must be among "+strings.Join(matching.Deployments, ", ")+"; "+d+" is not")
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.Licences))
	switch {
	case strings.TrimSpace(in.Licences) == "":
		bad.Add("licences", "is required: how many people will use it, a whole number from 1 to 1,000,000")
	case err != nil || n < 1 || n > 1_000_000:
		bad.Add("licences", "must be a whole number from 1 to 1,000,000")
	}
	r.Licences = n
	var ok bool
	if r.Budget, ok = catalog.Minor(in.Budget); !ok {
		bad.Add("budget", "must be an amount such as 12000 or 950.50, 0 or more")
	}
	r.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	r.BudgetPeriod = matching.Period(strings.ToLower(strings.TrimSpace(in.BudgetPeriod)))
	if r.Budget > 0 {
		if !currencyPattern.MatchString(r.Currency) {
			bad.Add("currency", "is required with a budget: a three-letter ISO 4217 code such as EUR")
		}
		if r.BudgetPeriod != matching.Month && r.BudgetPeriod != matching.Year && r.BudgetPeriod != matching.Once {
			bad.Add("budget_period", "is required with a budget: month, year or once")
		}
	} else {
		r.Currency, r.BudgetPeriod = "", ""
	}
	r.Horizon = 12
	if h := strings.TrimSpace(in.Horizon); h != "" {
		if r.Horizon, err = strconv.Atoi(h); err != nil || r.Horizon < 1 || r.Horizon > 120 {
			bad.Add("horizon_months", "must be a whole number of months from 1 to 120")
		}
	}
	r.Timeline = strings.TrimSpace(in.Timeline)
	if r.Timeline != "" && !slices.ContainsFunc(Timelines, func(t struct{ Key, Label string }) bool { return t.Key == r.Timeline }) {
		bad.Add("timeline", "must be one of asap, 3m, 6m, 12m, later")
	}
	r.MustHave = catalog.Keys(in.MustHave, "must_have", 60, bad)
	r.NiceToHave = catalog.Keys(in.NiceToHave, "nice_to_have", 60, bad)
	for _, k := range r.NiceToHave {
		if slices.Contains(r.MustHave, k) {
			bad.Add("nice_to_have", k+" is a must-have already")
		}
	}
	r.Integrations = catalog.Keys(in.Integrations, "integrations", 60, bad)
	r.Languages = catalog.Keys(in.Languages, "languages", 2, bad)
	for _, l := range r.Languages {
		if !languagePattern.MatchString(l) {
			bad.Add("languages", "must be two-letter ISO 639-1 codes such as en, ro, it, nb; "+l+" is not")
		}
	}
	r.Notes = strings.TrimSpace(in.Notes)
	if utf8.RuneCountInString(r.Notes) > 5000 {
		bad.Add("notes", "must be at most 5,000 characters")
	}
	if err := s.catalog.CheckFeatures(ctx, r.MustHave, "must_have", bad); err != nil {
		return r, err
	}
	if err := s.catalog.CheckFeatures(ctx, r.NiceToHave, "nice_to_have", bad); err != nil {
		return r, err
	}
	return r, bad.Err()
}

// The custom-field keys a public form uses for a software request; a
// lead's answers under them prefill its request form (see FromAnswers).
const (
	AnswerCategory     = "app_category"
	AnswerDeployment   = "deployment"
	AnswerLicences     = "licences"
	AnswerBudget       = "budget"
	AnswerCurrency     = "budget_currency"
	AnswerBudgetPeriod = "budget_period"
	AnswerTimeline     = "timeline"
	AnswerMustHave     = "must_have"
	AnswerNiceToHave   = "nice_to_have"
	AnswerIntegrations = "integrations"
	AnswerNotes        = "request_notes"
)

// FromAnswers builds a request from a public form's answers (a lead's
// custom fields) and its industry. Features may be written as keys or as
// their names in the vocabulary (names maps key to name); anything else
// is kept as written, for validation to name. ok is false when the
// answers hold no request (no category).
func FromAnswers(industry string, answers map[string]string, names map[string]string) (Input, bool) {
	byName := map[string]string{}
	for k, n := range names {
		byName[strings.ToLower(n)] = k
	}
	features := func(v string) []string {
		var out []string
		for _, f := range catalog.SplitList(v) {
			f = strings.TrimSpace(f)
			if k, ok := byName[strings.ToLower(f)]; ok {
				f = k
			}
			out = append(out, f)
		}
		return out
	}
	timeline := strings.TrimSpace(answers[AnswerTimeline])
	for _, t := range Timelines {
		if strings.EqualFold(t.Label, timeline) {
			timeline = t.Key
		}
	}
	cat := strings.TrimSpace(answers[AnswerCategory])
	in := Input{Industry: industry, Category: cat, Deployments: catalog.SplitList(answers[AnswerDeployment]),
		Licences: answers[AnswerLicences], Budget: answers[AnswerBudget], Currency: answers[AnswerCurrency],
		BudgetPeriod: answers[AnswerBudgetPeriod], Timeline: timeline,
		MustHave: features(answers[AnswerMustHave]), NiceToHave: features(answers[AnswerNiceToHave]),
		Integrations: catalog.SplitList(answers[AnswerIntegrations]), Notes: answers[AnswerNotes]}
	return in, cat != ""
}
