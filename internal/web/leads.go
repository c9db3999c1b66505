package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/activity"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/live"
	"leadflow/internal/nurture"
	"leadflow/internal/predict"
	"leadflow/internal/savedview"
	"leadflow/internal/scoring"
	"leadflow/internal/user"
)

// column is a sortable header of the lead table.
type column struct {
	Key, Label, URL, Arrow, Sort string
}

// label is the message id of the column's heading.
var listColumns = []struct{ key, label string }{
	{"last_name", "field.name"}, {"company", "field.company"}, {"stage", "field.stage"}, {"score", "field.score"},
	{"probability", "field.probability"}, {"owner", "field.owner"}, {"country", "field.country"}, {"source", "field.source"}, {"created_at", "field.created"},
}

type listData struct {
	Query    url.Values // the filter as typed, so nothing is lost on an error
	Errors   map[string]string
	Leads    []lead.Lead
	Facets   lead.Facets
	Owners   []user.User
	Columns  []column
	Total    int
	From, To int
	Prev     string
	Pages    []pageNumber
	Next     string
	Filtered bool
	// PastEnd is a page number beyond the last page of the leads that
	// match; FirstPage the first page of the same list.
	PastEnd   bool
	FirstPage string
	Limit     int
	// ExportQuery is the filter for the export link, without paging: a
	// query string already encoded, which the template must not encode
	// again (it would turn "source=referral" into "source%3dreferral").
	ExportQuery template.URL
	Now         time.Time // when overdue is judged
	// Views are the user's saved views; Current the one this list is.
	Views   []savedview.View
	Current int64
	// Here is this page of the list, for the bulk form to come back to;
	// Sequences what the bulk form can enrol leads in.
	Here      string
	Sequences []nurture.Sequence
}

func (h *Web) listLeads(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := listData{Query: q, Now: time.Now()}
	f, err := lead.ParseFilter(q)
	if e := fault.As(err); e != nil {
		d.Errors = e.Fields
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Limit = f.Limit
	d.ExportQuery = template.URL(f.Query().Encode())
	d.Filtered = len(f.Query()) > 0 && !(len(f.Query()) == 1 && f.Query().Has("sort"))
	if d.Errors == nil {
		p, err := h.Leads.List(r.Context(), actor(r), f, true)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.Leads, d.Total = p.Leads, p.Total
		d.PastEnd = len(p.Leads) == 0 && p.From > 0 && p.Total > 0
		d.FirstPage = pageHref(f, 1)
		d.From, d.To = p.From+1, p.From+len(p.Leads)
		d.Prev, d.Next = pageLinks(f, p)
		d.Pages = pageNumbers(f, p)
	}
	d.Columns = columns(f)
	if d.Facets, err = h.Leads.Facets(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.Owners, err = h.owners(r); err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Here = "/leads?" + q.Encode()
	if actor(r).ManagesMarketing() && h.Nurture != nil {
		if d.Sequences, err = h.Nurture.Sequences(r.Context()); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if d.Views, err = h.Views.List(r.Context(), actor(r)); err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, v := range d.Views {
		if d.Errors == nil && v.Query == f.Query().Encode() {
			d.Current = v.ID
		}
	}
	status := 0
	if d.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, "leads", page{Title: i18n.T(r.Context(), "nav.leads"), Nav: "leads", Data: d, Status: status, Live: live.Leads})
}

// pageLinks returns the previous and next page URLs, "" where none: the
// same list at the page's cursors.
func pageLinks(f lead.Filter, p lead.Page) (prev, next string) {
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		v := f.Query()
		if f.Limit != lead.DefaultLimit {
			v.Set("limit", strconv.Itoa(f.Limit))
		}
		v.Set("cursor", cursor)
		return "/leads?" + v.Encode()
	}
	return link(p.PrevCursor), link(p.NextCursor)
}

// pageNumber is one entry of the numbered pager: a page's link, the page
// shown (no link), or a gap (N is 0).
type pageNumber struct {
	N       int
	Href    string
	Current bool
}

// pageNumbers are the pager's numbers: the first and last pages and two
// either side of the one shown, with gaps between. Pages past
// lead.MaxPage are reached with Next, not by number.
func pageNumbers(f lead.Filter, p lead.Page) []pageNumber {
	if p.Total <= f.Limit || f.Limit <= 0 {
		return nil
	}
	cur := p.From/f.Limit + 1
	last := (p.Total + f.Limit - 1) / f.Limit
	var out []pageNumber
	for n := 1; n <= last; n++ {
		near := n == 1 || n == last || n >= cur-2 && n <= cur+2
		switch {
		case near && n == cur:
			out = append(out, pageNumber{N: n, Current: true})
		case near && n <= lead.MaxPage:
			out = append(out, pageNumber{N: n, Href: pageHref(f, n)})
		case near:
			out = append(out, pageNumber{N: n}) // too deep to jump to
		case len(out) > 0 && out[len(out)-1].N != 0:
			out = append(out, pageNumber{}) // a gap
		}
	}
	return out
}

// columns builds the sortable headers: a click sorts by that column, a
// second click reverses it.
func columns(f lead.Filter) []column {
	out := make([]column, len(listColumns))
	for i, c := range listColumns {
		col := column{Key: c.key, Label: c.label, Sort: "none"}
		sort := c.key
		if f.Sort == c.key {
			col.Arrow, col.Sort = "▲", "ascending"
			if f.Desc {
				col.Arrow, col.Sort = "▼", "descending"
			} else {
				sort = "-" + c.key
			}
		} else if c.key == "score" || c.key == "probability" || c.key == "created_at" {
			sort = "-" + c.key // biggest and newest first is what people want first
		}
		v := f.Query()
		v.Set("sort", sort)
		if f.Limit != lead.DefaultLimit {
			v.Set("limit", strconv.Itoa(f.Limit))
		}
		col.URL = "/leads?" + v.Encode()
		out[i] = col
	}
	return out
}

// owners lists whom the actor may pick as an owner: everyone for admin
// and marketing, themselves for sales.
func (h *Web) owners(r *http.Request) ([]user.User, error) {
	a := actor(r)
	users, err := h.Users.List(r.Context())
	if err != nil || a.SeesAllLeads() {
		return users, err
	}
	for _, u := range users {
		if u.ID == a.ID {
			return []user.User{u}, nil
		}
	}
	return nil, nil
}

type showData struct {
	Lead     lead.Lead
	Timeline []lead.Change
	Events   []lead.Event
	Why      scoring.Result
	Rules    scoring.Ruleset
	// Prediction is the learned model's view of the lead; HasModel is
	// false until a model is trained.
	Prediction predict.Explanation
	HasModel   bool
	Chart      chart
	Pixel      string
	Stages     []lead.StageSpan
	Next       []lead.Stage // where the Move form offers to go
	// AdminMoves are the other stages an admin may move to, with a reason.
	AdminMoves []lead.Stage
	BANT       *lead.BANT
	Errors     map[string]string // of a refused stage move or qualification
	Values     map[string]string // what was typed in them
	Reasons    []string          // the disqualify reasons in force
	Consent    []lead.ConsentRecord
	// Enrolments are the lead's nurturing sequences; Sequences those it
	// can be enrolled in (for marketing).
	Enrolments []nurture.Enrolment
	Sequences  []nurture.Sequence
	Overdue    bool
	// CanConvert shows the Convert button.
	CanConvert bool
	// AccountLink is the existing account the lead was linked to at
	// intake, if any.
	AccountLink *accountmatch.Link
	// Questions name the lead's form answers by the question asked.
	Questions map[string]string
}

// leadInPath loads the lead the {id} path names, or shows why it cannot.
func (h *Web) leadInPath(w http.ResponseWriter, r *http.Request) (lead.Lead, bool) {
	id, err := pathID(r)
	if err == nil {
		var l lead.Lead
		if l, err = h.Leads.Get(r.Context(), actor(r), id); err == nil {
			return l, true
		}
	}
	h.fail(w, r, err)
	return lead.Lead{}, false
}

func (h *Web) showLead(w http.ResponseWriter, r *http.Request) {
	if l, ok := h.leadInPath(w, r); ok {
		h.renderLead(w, r, l, nil, nil, 0)
	}
}

// renderLead shows a lead's page; errs and values are those of a refused
// stage move or qualification, shown in its form.
func (h *Web) renderLead(w http.ResponseWriter, r *http.Request, l lead.Lead, errs, values map[string]string, status int) {
	tl, err := h.Leads.Timeline(r.Context(), actor(r), l.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := showData{Lead: l, Timeline: tl, Errors: errs, Values: values}
	now := time.Now()
	if d.Events, err = h.Leads.Events(r.Context(), l.ID, 50); err == nil {
		d.Why, d.Rules, err = h.Leads.Explain(r.Context(), l.ID, now)
	}
	var hist []lead.ScorePoint
	if err == nil {
		hist, err = h.Leads.ScoreReplay(r.Context(), l.ID, now)
	}
	if err == nil {
		d.Pixel, err = h.Tracking.PixelToken(r.Context(), l.ID)
	}
	if err == nil && len(l.Custom) > 0 {
		d.Questions, err = h.Forms.CustomLabels(r.Context())
	}
	if err == nil {
		d.BANT, err = h.Leads.Qualification(r.Context(), actor(r), l.ID)
	}
	if err == nil {
		d.Reasons, err = h.Leads.DisqualifyReasons(r.Context())
	}
	if err == nil {
		d.Consent, err = h.Leads.ConsentHistory(r.Context(), actor(r), l.ID)
	}
	if err == nil {
		d.Enrolments, err = h.Nurture.LeadEnrolments(r.Context(), actor(r), l.ID)
	}
	if err == nil && actor(r).ManagesMarketing() {
		d.Sequences, err = h.Nurture.Sequences(r.Context())
	}
	if err == nil {
		d.Prediction, _, err = h.Predict.Explain(r.Context(), actor(r), l.ID)
		d.HasModel = err == nil
		if errors.Is(err, predict.ErrNoModel) {
			err = nil
		}
	}
	if err == nil {
		var link accountmatch.Link
		var linked bool
		if link, linked, err = h.Leads.AccountLink(r.Context(), actor(r), l.ID); linked {
			d.AccountLink = &link
		}
	}
	d.Overdue, d.CanConvert = l.Overdue(now), lead.CanConvert(l)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Chart = scoreChart(hist, now)
	d.Pixel = baseURL(r) + "/t/open.gif?t=" + d.Pixel
	d.Stages = lead.TimeInStages(l, tl, now)
	d.Next, d.AdminMoves = moveChoices(l.Stage, actor(r).ManagesUsers())
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	ra := h.activitiesOf(r, activity.OnLead, l.ID)
	d.Timeline = withActivities(d.Timeline, ra)
	h.render(w, r, "lead", page{Title: l.Name(), Nav: "leads", Data: d, Status: status, Activities: ra, Live: live.Lead(l.ID)})
}

// moveLead answers the stage form of a lead's page.
func (h *Web) moveLead(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	c := h.disqualifyReason(r, lead.Changes{lead.FStage: r.PostFormValue("stage"), lead.FStageReason: r.PostFormValue("reason")})
	_, err := h.Leads.Update(r.Context(), actor(r), l.ID, c)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderLead(w, r, l, map[string]string{"move": e.Fields[lead.FStage]},
			map[string]string{"stage": c[lead.FStage], "reason": c[lead.FStageReason]}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.stage_changed", "Stage", localStage(i18n.From(r.Context()), lead.Stage(c[lead.FStage]))))
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", l.ID), http.StatusSeeOther)
}

// disqualifyReason gives c, a move to disqualified, the reason as stored
// when its reason is one named in the reader's language.
func (h *Web) disqualifyReason(r *http.Request, c lead.Changes) lead.Changes {
	if c[lead.FStage] == string(lead.Disqualified) && c[lead.FStageReason] != "" {
		c[lead.FStageReason] = h.storedReason(r, c[lead.FStageReason])
	}
	return c
}

// storedReason is the disqualify reason that reason names in the
// reader's language (the datalist offers "fără buget" for "no budget"),
// or reason as typed.
func (h *Web) storedReason(r *http.Request, reason string) string {
	reasons, err := h.Leads.DisqualifyReasons(r.Context())
	if err != nil {
		return reason // the service reads the list again, and says why
	}
	l := i18n.For(i18n.LangFrom(r.Context()))
	for _, stored := range reasons {
		if strings.EqualFold(strings.TrimSpace(reason), l.DisqualifyReason(stored)) {
			return stored
		}
	}
	return reason
}

// qualifyLead answers the BANT form of an MQL's page.
func (h *Web) qualifyLead(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	values := map[string]string{}
	for _, k := range []string{"budget", "budget_currency", "authority", "need", "timing", "outcome", "reason"} {
		values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	// A day or a quarter typed the reader's way ("31.03.2027", "T1 2027");
	// a refused form shows it as typed.
	b := lead.BANT{BudgetCurrency: values["budget_currency"], Authority: lead.Authority(values["authority"]), Need: values["need"],
		Timing: i18n.From(r.Context()).ReadDay(values["timing"]), Outcome: lead.Stage(values["outcome"]), Reason: values["reason"]}
	if b.Outcome == lead.Disqualified {
		b.Reason = h.storedReason(r, b.Reason)
	}
	errs := map[string]string{}
	if v := strings.ReplaceAll(values["budget"], ",", ""); v != "" && !strings.EqualFold(v, "unknown") {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			b.BudgetAmount = &n
		} else {
			errs["budget"] = "must be a whole amount, or empty when unknown"
			// One try names every fault: the qualification's own too,
			// checked as if an amount were given, since one was typed
			// (its currency is then required).
			if reasons, err := h.Leads.DisqualifyReasons(r.Context()); err == nil {
				typed, zero := b, int64(0)
				typed.BudgetAmount = &zero
				if e := fault.As(typed.Validate(reasons)); e != nil {
					for k, v := range e.Fields {
						fault.Fields(errs).Add(k, v)
					}
				}
			}
		}
	}
	if len(errs) == 0 {
		_, err := h.Leads.Qualify(r.Context(), actor(r), l.ID, b)
		if e := fault.As(err); e != nil && e.Fields != nil {
			errs = e.Fields
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		h.renderLead(w, r, l, errs, values, http.StatusUnprocessableEntity)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.qualification_saved", "Stage", localStage(i18n.From(r.Context()), b.Outcome)))
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", l.ID), http.StatusSeeOther)
}

type formData struct {
	ID      int64
	Values  lead.Changes
	Errors  map[string]string
	Hints   map[string]string // advice on values that look mistyped
	Owners  []user.User
	Actor   access.Actor
	Sources []string // the sources the form offers, by name
	Source  string   // the lead's source, by name where that reads back
	Reasons []string
	// Version and Shown are what an edit form was filled from, sent
	// back with it so a change made meanwhile is not undone unseen.
	Version int64
	Shown   lead.Changes
	// Stale says the lead changed while the form was open; Errors name
	// the fields both changed, with their new values.
	Stale bool
	// Name is the lead's name as stored, for the way back to its page.
	Name string
}

func (h *Web) newLead(w http.ResponseWriter, r *http.Request) {
	values := lead.Changes{lead.FStage: string(lead.StageLead)}
	if a := actor(r); a.Role == access.Sales {
		values[lead.FOwner] = a.Email
	}
	h.renderForm(w, r, formData{Values: values}, 0)
}

func (h *Web) renderForm(w http.ResponseWriter, r *http.Request, d formData, status int) {
	owners, err := h.owners(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Owners, d.Actor = owners, actor(r)
	if d.Shown != nil {
		d.Name = lead.Lead{FirstName: d.Shown[lead.FFirstName], LastName: d.Shown[lead.FLastName], Email: d.Shown[lead.FEmail]}.Name()
	}
	names, err := h.sourceNames(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Sources, d.Source = names.names(), names.name(d.Values[lead.FSource])
	if d.Reasons, err = h.Leads.DisqualifyReasons(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	title := "New lead"
	if d.ID != 0 {
		title = "Edit lead"
	}
	h.render(w, r, "lead_form", page{Title: title, Nav: "leads", Data: d, Status: status})
}

// submitted reads the lead fields of a posted form (and the reason of a
// stage change). Checkboxes come with
// a hidden "false" before them, so the last value is the one that counts.
func submitted(r *http.Request) lead.Changes {
	c := lead.Changes{}
	for _, f := range append(lead.Editable, lead.FStageReason) {
		if vs := r.PostForm[f]; len(vs) > 0 {
			c[f] = vs[len(vs)-1]
		}
	}
	return c
}

func (h *Web) createLead(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	c := h.disqualifyReason(r, submitted(r))
	names, err := h.sourceNames(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names.storedSource(c, nil)
	l, err := h.Leads.Create(r.Context(), actor(r), c)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderForm(w, r, formData{Values: c, Errors: e.Fields, Hints: lead.Hints(c)}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if hint := lead.Hints(c)[lead.FEmail]; hint != "" {
		h.flash(w, i18n.T(r.Context(), "flash.lead_created_hint", "Hint", i18n.From(r.Context()).Reason(hint)))
	} else {
		h.flash(w, "Lead created.")
	}
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", l.ID), http.StatusSeeOther)
}

func (h *Web) editLead(w http.ResponseWriter, r *http.Request) {
	if l, ok := h.leadInPath(w, r); ok {
		h.renderForm(w, r, formData{ID: l.ID, Values: l.Values(), Version: l.Version, Shown: l.Values()}, 0)
	}
}

// shownPrefix starts the hidden fields that carry the values an edit
// form was filled with.
const shownPrefix = "shown."

// editOf reads a posted edit form: what was typed, and the version and
// values it was filled from. A form without them (an older page) edits
// the fields it sends, as before.
func editOf(r *http.Request) lead.Edit {
	e := lead.Edit{Changes: submitted(r)}
	e.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	for k, vs := range r.PostForm {
		if f, ok := strings.CutPrefix(k, shownPrefix); ok && len(vs) > 0 {
			if e.Shown == nil {
				e.Shown = lead.Changes{}
			}
			e.Shown[f] = vs[len(vs)-1]
		}
	}
	return e
}

func (h *Web) updateLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	edit := editOf(r)
	edit.Changes = h.disqualifyReason(r, edit.Changes)
	names, err := h.sourceNames(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names.storedSource(edit.Changes, edit.Shown)
	_, err = h.Leads.Edit(r.Context(), actor(r), id, edit)
	if errors.Is(err, lead.ErrStale) {
		h.staleForm(w, r, id, edit, fault.As(err).Fields)
		return
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderForm(w, r, formData{ID: id, Values: edit.Changes, Errors: e.Fields, Version: edit.Version, Shown: edit.Shown},
			http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Changes saved.")
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", id), http.StatusSeeOther)
}

// staleForm shows an edit form again after the lead changed while it was
// open: what the user typed is kept, the other fields show the lead as
// it is now, and clash names the fields both changed with their new
// values. Saving it again replaces those, knowingly.
func (h *Web) staleForm(w http.ResponseWriter, r *http.Request, id int64, edit lead.Edit, clash map[string]string) {
	cur, err := h.Leads.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	again := edit.Rebased(cur)
	h.renderForm(w, r, formData{ID: id, Values: again.Changes, Errors: clash, Version: again.Version, Shown: again.Shown, Stale: true},
		http.StatusConflict)
}

func (h *Web) confirmDelete(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	if !actor(r).CanDeleteLeads() {
		h.fail(w, r, fault.Errorf(fault.Forbidden, "only admin and marketing users can delete leads"))
		return
	}
	h.render(w, r, "lead_delete", page{Title: tr(r, "title.delete_named", "Name", l.Name()), Nav: "leads", Data: l})
}

func (h *Web) deleteLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Leads.Delete(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Lead deleted.")
	http.Redirect(w, r, "/leads", http.StatusSeeOther)
}

// moveChoices are the stages the lead page's Move form offers from
// stage: the lifecycle's next stages, but not SQL from MQL, which BANT
// qualification below it makes; and, for an admin, every other stage.
func moveChoices(stage lead.Stage, admin bool) (next, other []lead.Stage) {
	for _, s := range lead.NextStages(stage) {
		if !(stage == lead.MQL && s == lead.SQL) {
			next = append(next, s)
		}
	}
	if !admin {
		return next, nil
	}
	for _, s := range lead.Stages {
		if s != stage && !slices.Contains(next, s) {
			other = append(other, s)
		}
	}
	return next, other
}

// pageHref is the link to page n of f's list, at f's page size.
func pageHref(f lead.Filter, n int) string {
	v := f.Query()
	if f.Limit != lead.DefaultLimit {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/leads?" + v.Encode()
}
