package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/identity"
	"leadflow/internal/lead"
)

// duplicatesData is one page of the review queue.
type duplicatesData struct {
	Page     lead.DuplicatePage
	Sort     lead.DuplicateSort
	MinScore string
	Certain  float64 // the default of bulk accept
	NextURL  string
	Values   lead.ValueReviewPage // differing values of a known email
	// ValuesNext is the URL of the next page of value reviews.
	ValuesNext string
}

// listDuplicates shows the review queue: pairs of leads that are probably
// one person, a page at a time, with why.
func (h *Web) listDuplicates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dq := lead.DuplicateQuery{Sort: lead.DuplicateSort(q.Get("sort")), Cursor: q.Get("cursor"), Limit: 25}
	if s := q.Get("min_score"); s != "" {
		f, err := strconv.ParseFloat(i18n.From(r.Context()).ReadNumber(s), 64)
		if err != nil {
			h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "The lowest score must be a number.", Fields: map[string]string{"min_score": "must be a number"}})
			return
		}
		dq.MinScore = f
	}
	p, err := h.Leads.ProbableDuplicates(r.Context(), actor(r), dq)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vals, err := h.Leads.ValueReviews(r.Context(), actor(r), q.Get("values_cursor"), 10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := duplicatesData{Page: p, Sort: dq.Sort, MinScore: q.Get("min_score"), Certain: identity.Default.Certain, Values: vals}
	if vals.Next != "" {
		d.ValuesNext = "/duplicates?" + url.Values{"values_cursor": {vals.Next}}.Encode() + "#values"
	}
	if d.Sort == "" {
		d.Sort = lead.SortScore
	}
	if p.Next != "" {
		v := url.Values{"cursor": {p.Next}, "sort": {string(d.Sort)}}
		if d.MinScore != "" {
			v.Set("min_score", d.MinScore)
		}
		d.NextURL = "/duplicates?" + v.Encode()
	}
	h.render(w, r, "duplicates", page{Title: "Probable duplicates", Nav: "duplicates", Data: d})
}

// dismissDuplicate remembers that two leads are two people.
func (h *Web) dismissDuplicate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	a, _ := strconv.ParseInt(r.PostForm.Get("a"), 10, 64)
	b, _ := strconv.ParseInt(r.PostForm.Get("b"), 10, 64)
	if err := h.Leads.Dismiss(r.Context(), actor(r), a, b); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.kept_apart", "A", a, "B", b))
	back := "/duplicates"
	if s := r.PostForm.Get("back"); strings.HasPrefix(s, "/duplicates") {
		back = s
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// resolveValues keeps, field by field, the value the reviewer chose from
// the lead's and the one that arrived for it.
func (h *Web) resolveValues(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("review"), 10, 64)
	pick := map[string]string{}
	for k, vs := range r.PostForm {
		if f, ok := strings.CutPrefix(k, "pick."); ok && len(vs) > 0 {
			pick[f] = vs[0]
		}
	}
	l, err := h.Leads.ResolveValues(r.Context(), actor(r), id, pick)
	switch {
	case fault.CodeOf(err) == fault.Forbidden:
		h.fail(w, r, err)
		return
	case fault.CodeOf(err) == fault.NotFound:
		h.flash(w, tr(r, "flash.review_not_found", "ID", id))
	case err != nil && fault.As(err) == nil:
		h.fail(w, r, err)
		return
	case err != nil:
		h.flash(w, i18n.From(r.Context()).Reason(fault.As(err).Message)+".")
	default:
		h.flash(w, tr(r, "flash.values_reviewed", "ID", l.ID, "Name", l.Name()))
	}
	http.Redirect(w, r, "/duplicates#values", http.StatusSeeOther)
}

// undoMerge takes a merge back and returns to the surviving lead's page,
// saying which leads came back or why the merge cannot be undone.
func (h *Web) undoMerge(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("merge"), 10, 64)
	back := "/duplicates"
	if l, err := strconv.ParseInt(r.PostForm.Get("lead"), 10, 64); err == nil && l > 0 {
		back = "/leads/" + strconv.FormatInt(l, 10)
	}
	res, err := h.Leads.UndoMerge(r.Context(), actor(r), id)
	switch {
	case fault.CodeOf(err) == fault.Forbidden:
		h.fail(w, r, err)
		return
	case fault.CodeOf(err) == fault.NotFound:
		h.flash(w, tr(r, "flash.merge_not_found", "ID", id))
	case err != nil && fault.As(err) == nil:
		h.fail(w, r, err)
		return
	case err != nil:
		h.flash(w, i18n.From(r.Context()).Reason(fault.As(err).Message)+".")
	default:
		ids := make([]string, len(res.Restored))
		for i, l := range res.Restored {
			ids[i] = strconv.FormatInt(l.ID, 10)
		}
		h.flash(w, tr(r, "flash.merge_undone", "Count", len(ids), "IDs", strings.Join(ids, ", ")))
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// mergeRow is one field on the merge page: each lead's value, and which
// one is chosen.
type mergeRow struct {
	Field  string
	Values []mergeValue
	Differ bool
}

type mergeValue struct {
	LeadID  int64
	Value   string
	Checked bool
}

type mergeData struct {
	Keep   lead.Lead
	Leads  []lead.Lead
	Rows   []mergeRow
	Action string
}

// mergeShown are the fields shown on the merge page, in form order.
var mergeShown = []string{lead.FEmail, lead.FFirstName, lead.FLastName, lead.FPhone, lead.FCompany, lead.FJobTitle,
	lead.FEmployees, lead.FIndustry, lead.FSalutation, lead.FStreet, lead.FPostalCode, lead.FCity, lead.FRegion, lead.FCountry,
	lead.FWebsite, lead.FSource,
	lead.FUTMSource, lead.FUTMMedium, lead.FUTMCampaign}

// confirmMerge shows the leads to merge side by side, field by field: the
// reviewer picks each value (the kept lead's, or the first filled one, is
// chosen to begin with) and confirms.
func (h *Web) confirmMerge(w http.ResponseWriter, r *http.Request) {
	keep, others, err := mergeIDs(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var leads []lead.Lead
	for _, id := range append([]int64{keep}, others...) {
		l, err := h.Leads.Get(r.Context(), actor(r), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		leads = append(leads, l)
	}
	d := mergeData{Keep: leads[0], Leads: leads, Action: "/duplicates/merge?" + r.URL.RawQuery}
	for _, f := range mergeShown {
		row := mergeRow{Field: f}
		chosen := false
		for _, l := range leads {
			v := l.Values()[f]
			if v != leads[0].Values()[f] {
				row.Differ = true
			}
			mv := mergeValue{LeadID: l.ID, Value: v}
			if !chosen && v != "" {
				mv.Checked, chosen = true, true
			}
			row.Values = append(row.Values, mv)
		}
		if !chosen {
			continue // empty in every lead: nothing to choose
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, "merge", page{Title: "Merge leads", Nav: "duplicates", Data: d})
}

// mergeIDs reads keep and the other leads (other=2&other=3) of a merge.
func mergeIDs(q url.Values) (int64, []int64, error) {
	bad := fault.Fields{}
	keep, err := strconv.ParseInt(q.Get("keep"), 10, 64)
	if err != nil || keep <= 0 {
		bad.Add("keep", "must be a lead id")
	}
	var others []int64
	for _, s := range q["other"] {
		if strings.TrimSpace(s) == "" {
			continue // the box for one more lead, left empty
		}
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			bad.Add("other", "must be a lead id")
			continue
		}
		// The kept lead, or one named already, added again changes
		// nothing: a lead is merged once, and never into itself.
		if id != keep && !slices.Contains(others, id) {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		bad.Add("other", "must name a lead to merge")
	}
	return keep, others, bad.Err()
}

// mergeLeads merges with the values picked on the merge page (pick.FIELD
// = lead id); a post without picks keeps the kept lead's values.
func (h *Web) mergeLeads(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	keep, others, err := mergeIDs(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pick := map[string]int64{}
	for k, vs := range r.PostForm {
		if f, ok := strings.CutPrefix(k, "pick."); ok && len(vs) > 0 {
			id, err := strconv.ParseInt(vs[0], 10, 64)
			if err != nil {
				h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "A chosen value is not one of the leads.", Fields: map[string]string{k: "must be a lead id"}})
				return
			}
			pick[f] = id
		}
	}
	m, err := h.Leads.MergeMany(r.Context(), actor(r), lead.MergeRequest{Keep: keep, Others: others, Pick: pick})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.merged_into_this", "Count", len(others)))
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", m.ID), http.StatusSeeOther)
}

// confirmAccept asks before merging every pair from a score up.
func (h *Web) confirmAccept(w http.ResponseWriter, r *http.Request) {
	if !actor(r).CanDeleteLeads() {
		h.fail(w, r, fault.Errorf(fault.Forbidden, "only admin and marketing users merge leads"))
		return
	}
	l := i18n.From(r.Context())
	// The box is written and typed the reader's way ("21,5").
	s := l.ReadNumber(r.URL.Query().Get("min_score"))
	if s == "" {
		s = strconv.FormatFloat(identity.Default.Certain, 'f', -1, 64)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < identity.Default.Probable {
		least := identity.Default.Probable
		h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: tr(r, "dup.min_score_at_least", "Score", l.Decimal(least, decimalsOf(least))),
			Fields: map[string]string{"min_score": "must be at least " + strconv.FormatFloat(least, 'f', -1, 64)}})
		return
	}
	// The question says how many pairs the merge takes.
	p, err := h.Leads.ProbableDuplicates(r.Context(), actor(r), lead.DuplicateQuery{MinScore: f, Limit: 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Total == 0 {
		h.flash(w, tr(r, "flash.no_pairs_from", "Score", l.Decimal(f, decimalsOf(f))))
		http.Redirect(w, r, "/duplicates", http.StatusSeeOther)
		return
	}
	h.render(w, r, "confirm", page{Title: tr(r, "confirm.merge_duplicates"), Nav: "duplicates", Data: confirmData{
		Question: tr(r, "confirm.merge_pairs_q", "Count", p.Total, "Score", l.Decimal(f, decimalsOf(f))),
		Detail:   tr(r, "confirm.merge_all_detail"),
		Action:   "/duplicates/accept?min_score=" + url.QueryEscape(s), Button: tr(r, "confirm.merge_all"), Cancel: "/duplicates"}})
}

// acceptDuplicates merges every pair from a score up.
func (h *Web) acceptDuplicates(w http.ResponseWriter, r *http.Request) {
	f, _ := strconv.ParseFloat(r.URL.Query().Get("min_score"), 64)
	n, err := h.Leads.AcceptAbove(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.merged", "Count", n))
	http.Redirect(w, r, "/duplicates", http.StatusSeeOther)
}
