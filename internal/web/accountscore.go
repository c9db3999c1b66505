package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/accountscore"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/nurture"
	"leadflow/internal/scoring"
	"leadflow/internal/segment"
)

type accountScoringData struct {
	Rules  accountscore.Rules
	Rows   []scoring.Explicit // the rules, then blank rows to add more
	Fields []string
	Ops    []scoring.Operator
	Errors map[string]string
}

// blankRows are the empty rows the editor offers for new rules.
const blankRows = 3

// showAccountScoring shows the account rules' editor to those who may save it.
func (h *Web) showAccountScoring(w http.ResponseWriter, r *http.Request) {
	if err := accountscore.MayChange(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	rules, err := h.AccountScores.Rules(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderAccountScoring(w, r, rules, nil, 0)
}

func (h *Web) renderAccountScoring(w http.ResponseWriter, r *http.Request, rules accountscore.Rules, errs map[string]string, status int) {
	d := accountScoringData{Rules: rules, Rows: append(append([]scoring.Explicit{}, rules.Fit...), make([]scoring.Explicit, blankRows)...),
		Fields: accountscore.Fields, Ops: scoring.Operators, Errors: errs}
	h.render(w, r, "account_scoring", page{Title: "Account scoring", Nav: "accounts", Data: d, Status: status})
}

// saveAccountScoring reads the editor: a row whose field is empty is
// dropped; what was typed comes back with the errors.
func (h *Web) saveAccountScoring(w http.ResponseWriter, r *http.Request) {
	bad := fault.Fields{}
	num := func(name string) int {
		v := strings.TrimSpace(r.PostFormValue(name))
		n, err := strconv.Atoi(v)
		if err != nil {
			bad.Add(name, "must be a whole number")
		}
		return n
	}
	rules := accountscore.Rules{Hot: num("hot"), Warm: num("warm"), Tier1: num("tier_1"), Tier2: num("tier_2")}
	rows, _ := strconv.Atoi(r.PostFormValue("rows"))
	for i := range min(rows, scoring.MaxRules+blankRows) {
		at := fmt.Sprintf("f%d_", i)
		field := strings.TrimSpace(r.PostFormValue(at + "field"))
		if field == "" {
			continue
		}
		e := scoring.Explicit{Field: field, Op: scoring.Operator(r.PostFormValue(at + "op")), Label: strings.TrimSpace(r.PostFormValue(at + "label"))}
		for _, v := range strings.Split(r.PostFormValue(at+"values"), ",") {
			if v = strings.TrimSpace(v); v != "" {
				e.Values = append(e.Values, v)
			}
		}
		p, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(at + "points")))
		if err != nil {
			bad.Add(fmt.Sprintf("fit.%d.points", len(rules.Fit)), "must be a whole number")
		}
		e.Points = p
		rules.Fit = append(rules.Fit, e)
	}
	err := bad.Err()
	if err == nil {
		_, err = h.AccountScores.SaveRules(r.Context(), actor(r), rules)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccountScoring(w, r, rules, e.Fields, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Account scoring rules saved.")
	http.Redirect(w, r, "/accounts/scoring", http.StatusSeeOther)
}

// setAccountTier makes an account a target account of a tier, or none.
func (h *Web) setAccountTier(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		tier := 0
		if v := r.PostFormValue("tier"); v != "" {
			if tier, err = strconv.Atoi(v); err != nil || tier == 0 {
				tier = -1
			}
		}
		err = h.AccountScores.SetTier(r.Context(), actor(r), id, tier)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Tier saved.")
	http.Redirect(w, r, fmt.Sprintf("/accounts/%d", id), http.StatusSeeOther)
}

// eachCurrency writes amounts by currency (whole units, or cents, as
// write takes them), in the currencies' order, joined by sep; "—" for
// none.
func eachCurrency(m map[string]int64, sep string, write func(v int64, currency string) string) string {
	if len(m) == 0 {
		return "—"
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, write(m[c], c))
	}
	return strings.Join(parts, sep)
}

type accountReportData struct {
	accountscore.Report
	Days      int
	Sequences []nurture.Sequence // those marketing may enrol target accounts' people in
	Segments  []segment.Segment  // the account segments whose accounts' people may be enrolled
}

// accountReport shows engaged target accounts, pipeline and won amounts
// per tier, and the target accounts' time from first touch to deal.
func (h *Web) accountReport(w http.ResponseWriter, r *http.Request) {
	days := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && v > 0 && v <= 3650 {
		days = v
	}
	rep, err := h.AccountScores.AccountReport(r.Context(), time.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := accountReportData{Report: rep, Days: days}
	if actor(r).ManagesMarketing() {
		if d.Sequences, err = h.Nurture.Sequences(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Segments, err = h.Segments.ListKind(r.Context(), actor(r), segment.KindAccounts); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, "account_report", page{Title: "Account report", Nav: "reports", Data: d})
}

// enrolTargets puts the people of an account segment's accounts, of a
// tier's target accounts, or of one account, into a nurturing sequence.
func (h *Web) enrolTargets(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.PostFormValue("sequence_id"), 10, 64)
	if err != nil {
		h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "pick a sequence", Fields: map[string]string{"sequence_id": "is required"}})
		return
	}
	var account int64
	back := "/reports/accounts"
	if r.PathValue("id") != "" {
		if account, err = pathID(r); err != nil {
			h.fail(w, r, err)
			return
		}
		back = fmt.Sprintf("/accounts/%d", account)
	}
	t := accountscore.Targets{AccountID: account}
	t.Tier, _ = strconv.Atoi(r.PostFormValue("tier"))
	// The report's one menu names a tier ("tier:1") or an account
	// segment ("segment:7").
	if kind, v, ok := strings.Cut(r.PostFormValue("targets"), ":"); ok {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch kind {
		case "tier":
			t.Tier = int(n)
		case "segment":
			t.SegmentID = n
		}
	}
	n, err := h.AccountScores.EnrolTargets(r.Context(), actor(r), h.Nurture, seq, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.people_enrolled", "Count", n))
	http.Redirect(w, r, back, http.StatusSeeOther)
}
