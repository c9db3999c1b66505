package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/predict"
	"leadflow/internal/scoring"
)

type scoringData struct {
	Ruleset scoring.Ruleset
	Rules   scoring.Rules // as shown: the current ones, or those refused
	// Typed are the editor's numbers as shown, by the names the page
	// gives them ("hot", "e0_points"): as they were typed when rules are
	// refused (a number not read is shown as typed, not as 0), else those
	// of Rules.
	Typed    map[string]string
	Errors   map[string]string
	History  []scoring.Ruleset
	Rescore  lead.Rescore
	Rescored bool
	Fields   []string
	// Questions are the forms' questions by their answers' keys
	// ("custom.use_case"), which name a form answer in Fields.
	Questions map[string]string
	Ops       []scoring.Operator
	Events    []string
	BaseURL   string
	Origins   string
	// OriginsError is why the sites typed in Origins were refused.
	OriginsError string
	// Opened is an earlier version shown in the editor to be restored;
	// 0 when the editor shows the rules in force.
	Opened int64
	Note   string
	// WhatIf is the replay of the rules in the editor, unsaved, over
	// the last Months of closed leads.
	WhatIf *predict.WhatIf
	Months int
}

func (h *Web) showScoring(w http.ResponseWriter, r *http.Request) {
	// The page is the rules' editor: shown to those who may save it.
	if err := h.Leads.Rules().MayChange(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	rs, err := h.Leads.Rules().Current(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := scoringData{Ruleset: rs, Rules: rs.Rules}
	if v := r.URL.Query().Get("version"); v != "" {
		// An earlier version opens in the editor; saving it restores it
		// as a new version, so the history keeps every step.
		old, ok, err := h.ruleVersion(r, v)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if !ok {
			h.fail(w, r, fault.Errorf(fault.NotFound, "There is no rules version %q.", v))
			return
		}
		d.Rules, d.Opened, d.Note = old.Rules, old.Version, fmt.Sprintf("Restore of version %d", old.Version)
	}
	h.renderScoring(w, r, d, 0)
}

// ruleVersion finds rules version v among the kept ones.
func (h *Web) ruleVersion(r *http.Request, v string) (scoring.Ruleset, bool, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return scoring.Ruleset{}, false, nil
	}
	all, err := h.Leads.Rules().History(r.Context(), 1000)
	for _, rs := range all {
		if rs.Version == n {
			return rs, true, err
		}
	}
	return scoring.Ruleset{}, false, err
}

func (h *Web) renderScoring(w http.ResponseWriter, r *http.Request, d scoringData, status int) {
	var err error
	if d.Ruleset.Version == 0 && d.Ruleset.Note == "" {
		d.Ruleset, _ = h.Leads.Rules().Current(r.Context())
	}
	if d.History, err = h.Leads.Rules().History(r.Context(), 20); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.Rescore, d.Rescored, err = h.Leads.LatestRescore(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.OriginsError == "" {
		if d.Origins, err = h.Tracking.Origins(r.Context(), actor(r)); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.Months == 0 {
		d.Months = 6
	}
	custom, err := h.Forms.CustomKeys(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Fields = append(append([]string{}, scoring.Fields...), custom...)
	if d.Questions, err = h.questions(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Ops, d.Events, d.BaseURL = scoring.Operators, scoring.EventTypes, baseURL(r)
	// Three empty rows of each kind for new rules.
	d.Rules.Explicit = append(append([]scoring.Explicit{}, d.Rules.Explicit...), make([]scoring.Explicit, 3)...)
	d.Rules.Behaviour = append(append([]scoring.Behaviour{}, d.Rules.Behaviour...), make([]scoring.Behaviour, 3)...)
	if d.Typed == nil {
		d.Typed = numbersShown(d.Rules)
	}
	h.render(w, r, "scoring", page{Title: "Scoring", Nav: "scoring", Data: d, Status: status})
}

// numbersShown are the editor's numbers for rules, named as the page
// names them ("hot", "e0_points"): what it shows when nothing was typed.
func numbersShown(rules scoring.Rules) map[string]string {
	n := strconv.Itoa
	shown := map[string]string{"hot": n(rules.Hot), "warm": n(rules.Warm), "mql": n(rules.MQL), "half_life_days": fmt.Sprint(rules.HalfLifeDays)}
	for i, e := range rules.Explicit {
		shown["e"+n(i)+"_points"] = n(e.Points)
	}
	for i, b := range rules.Behaviour {
		p := "b" + n(i) + "_"
		shown[p+"points"], shown[p+"cap"], shown[p+"window"] = n(b.Points), n(b.Cap), n(b.WindowDays)
	}
	return shown
}

// rulesFromPost reads the rules editor; a row whose field (or event) is
// empty is no rule. Its numbers come back as typed too, named as the page
// shows the rules it read (a row left empty before is not shown again),
// and so are its refusals.
func rulesFromPost(r *http.Request) (scoring.Rules, map[string]string, fault.Fields) {
	bad := fault.Fields{}
	typed := map[string]string{}
	num := func(posted, shown string) int {
		v := strings.TrimSpace(r.PostFormValue(posted))
		typed[shown] = v
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad.Add(shown, "must be a whole number")
		}
		return n
	}
	var rules scoring.Rules
	for i := 0; ; i++ {
		p := "e" + strconv.Itoa(i) + "_"
		if _, ok := r.PostForm[p+"field"]; !ok {
			break
		}
		if strings.TrimSpace(r.PostFormValue(p+"field")) == "" {
			continue
		}
		var values []string
		for _, v := range strings.Split(r.PostFormValue(p+"values"), ",") {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
		shown := "e" + strconv.Itoa(len(rules.Explicit)) + "_"
		rules.Explicit = append(rules.Explicit, scoring.Explicit{Field: r.PostFormValue(p + "field"), Op: scoring.Operator(r.PostFormValue(p + "op")),
			Values: values, Points: num(p+"points", shown+"points"), Label: strings.TrimSpace(r.PostFormValue(p + "label"))})
	}
	for i := 0; ; i++ {
		p := "b" + strconv.Itoa(i) + "_"
		if _, ok := r.PostForm[p+"event"]; !ok {
			break
		}
		if strings.TrimSpace(r.PostFormValue(p+"event")) == "" {
			continue
		}
		shown := "b" + strconv.Itoa(len(rules.Behaviour)) + "_"
		rules.Behaviour = append(rules.Behaviour, scoring.Behaviour{Event: strings.TrimSpace(r.PostFormValue(p + "event")),
			URL: strings.TrimSpace(r.PostFormValue(p + "url")), Points: num(p+"points", shown+"points"), Cap: num(p+"cap", shown+"cap"),
			WindowDays: num(p+"window", shown+"window"), Label: strings.TrimSpace(r.PostFormValue(p + "label"))})
	}
	rules.Hot, rules.Warm, rules.MQL = num("hot", "hot"), num("warm", "warm"), num("mql", "mql")
	// A grade's threshold left empty is not 0: it is asked for.
	for _, k := range []string{"hot", "warm"} {
		if typed[k] == "" {
			bad.Add(k, "is required")
		}
	}
	typed["half_life_days"] = strings.TrimSpace(r.PostFormValue("half_life_days"))
	if v := typed["half_life_days"]; v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad.Add("half_life_days", "must be a number of days")
		}
		rules.HalfLifeDays = f
	}
	return rules, typed, bad
}

func (h *Web) saveScoring(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	rules, typed, bad := rulesFromPost(r)
	var rs scoring.Ruleset
	err := bad.Err()
	if err == nil {
		rs, err = h.Leads.Rules().Save(r.Context(), actor(r), rules, strings.TrimSpace(r.PostFormValue("note")))
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderScoring(w, r, scoringData{Rules: rules, Typed: typed, Errors: alsoRuleFaults(rules, e.Fields)}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Leads.StartRescore(r.Context(), actor(r), fmt.Sprintf("scoring rules version %d", rs.Version)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, tr(r, "flash.rules_saved", "Version", rs.Version))
	http.Redirect(w, r, "/scoring", http.StatusSeeOther)
}

// thresholds are the grades' and MQL's numbers, which the rules check
// against each other.
var thresholds = []string{"hot", "warm", "mql"}

// alsoRuleFaults are the refusals of numbers not read (bad), beside the
// rules' own faults, so that one try names them all: the points of a
// rule typed "2,5" and a hot threshold below the warm one. A rule's
// check of a number not read is left out (it read 0), and so are the
// checks between thresholds when one of them was not read.
func alsoRuleFaults(rules scoring.Rules, bad map[string]string) map[string]string {
	out := readableRuleErrors(bad)
	e := fault.As(rules.Validate())
	if e == nil {
		return out
	}
	thresholdUnread := slices.ContainsFunc(thresholds, func(k string) bool { _, ok := out[k]; return ok })
	for k, v := range readableRuleErrors(e.Fields) {
		if _, named := out[k]; named || thresholdUnread && slices.Contains(thresholds, k) {
			continue
		}
		out[k] = v
	}
	return out
}

// editorKey is a rule's number in the editor's own keys ("e0_points",
// "b2_cap").
var editorKey = regexp.MustCompile(`^([eb])(\d+)_(\w+)$`)

// readableRuleErrors keys the editor's refused cells as the rules do
// ("explicit.0.points"), which the page names by rule and column.
func readableRuleErrors(errs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if m := editorKey.FindStringSubmatch(k); m != nil {
			k = map[string]string{"e": "explicit", "b": "behaviour"}[m[1]] + "." + m[2] + "." + m[3]
		}
		out[k] = v
	}
	return out
}

func (h *Web) saveOrigins(w http.ResponseWriter, r *http.Request) {
	typed := r.PostFormValue("origins")
	err := h.Tracking.SetOrigins(r.Context(), actor(r), typed)
	if e := fault.As(err); e != nil && e.Fields["origins"] != "" {
		rs, err := h.Leads.Rules().Current(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		h.renderScoring(w, r, scoringData{Ruleset: rs, Rules: rs.Rules, Origins: typed, OriginsError: e.Fields["origins"]}, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Tracking sites saved.")
	http.Redirect(w, r, "/scoring#tracking", http.StatusSeeOther)
}

// chart is a small line chart of a lead's score over time, drawn as SVG
// on the server: no script, no library.
type chart struct {
	Width, Height int
	Path          string
	Points        []chartPoint
	Max, Min      int
	From, To      time.Time
}

type chartPoint struct {
	X, Y  float64
	Score int
	At    time.Time
}

func scoreChart(hist []lead.ScorePoint, now time.Time) chart {
	c := chart{Width: 600, Height: 140}
	if len(hist) == 0 {
		return c
	}
	hist = append(hist, lead.ScorePoint{At: now, Score: hist[len(hist)-1].Score}) // flat to today
	t0, t1 := hist[0].At, hist[len(hist)-1].At
	c.Min, c.Max = 0, 10
	for _, p := range hist {
		c.Max, c.Min = max(c.Max, p.Score), min(c.Min, p.Score)
	}
	span := t1.Sub(t0).Seconds()
	x := func(t time.Time) float64 {
		if span <= 0 {
			return float64(c.Width)
		}
		return 10 + t.Sub(t0).Seconds()/span*float64(c.Width-20)
	}
	y := func(s int) float64 {
		return 10 + float64(c.Max-s)/float64(c.Max-c.Min)*float64(c.Height-20)
	}
	var b strings.Builder
	for i, p := range hist {
		px, py := x(p.At), y(p.Score)
		if i == 0 {
			fmt.Fprintf(&b, "M%.1f %.1f", px, py)
		} else {
			// a step: the score holds until it changes
			fmt.Fprintf(&b, " H%.1f V%.1f", px, py)
		}
		if i < len(hist)-1 {
			c.Points = append(c.Points, chartPoint{X: px, Y: py, Score: p.Score, At: p.At})
		}
	}
	c.Path = b.String()
	c.From, c.To = t0, t1
	return c
}
