package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/handoff"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
	"leadflow/internal/project"
)

// softwareData is a lead's software page: its request (or the form to
// make one), the matrix of matches and the custom project.
type softwareData struct {
	Lead      lead.Lead
	Request   *brief.Request
	Prefilled bool // the form holds the lead's public form answers
	Values    map[string]string
	Lists     map[string][]string
	Errors    map[string]string
	Version   int64
	Features  []catalog.Feature
	Names     map[string]string
	Result    *matching.Result
	Criteria  []matching.Criterion
	Projects  []project.Project
	Open      openProjectForm // the open-a-project form
	Handoffs  []handoff.Handoff
	// Vendors are the top matches the brief can be sent to, with their
	// vendor contact; SalesReady says whether it may be sent yet.
	Vendors    []vendorChoice
	SalesReady bool
	CanConvert bool
	HandoffErr string
	// Answer is a vendor's answer refused: the note typed and why.
	Answer answerForm
	MailOn bool
}

type vendorChoice struct {
	ID                     int64
	Vendor, Product, Email string
	Score                  int
	Sent                   bool
}

func requestValues(in brief.Input) (map[string]string, map[string][]string) {
	return map[string]string{"industry": in.Industry, "category": in.Category, "licences": in.Licences, "budget": in.Budget,
			"currency": in.Currency, "budget_period": in.BudgetPeriod, "horizon_months": in.Horizon, "timeline": in.Timeline,
			"integrations": strings.Join(in.Integrations, ", "), "languages": strings.Join(in.Languages, ", "), "notes": in.Notes},
		map[string][]string{"deployments": in.Deployments, "must_have": in.MustHave, "nice_to_have": in.NiceToHave}
}

// requestForm reads the request form. Each feature of the vocabulary is
// one choice (must, nice or neither); features typed in the "other"
// boxes are kept as written, for validation to name.
func requestForm(r *http.Request, feats []catalog.Feature) brief.Input {
	r.ParseForm()
	in := brief.Input{Industry: r.PostFormValue("industry"), Category: r.PostFormValue("category"),
		Deployments: r.PostForm["deployments"], Licences: r.PostFormValue("licences"), Budget: r.PostFormValue("budget"),
		Currency: r.PostFormValue("currency"), BudgetPeriod: r.PostFormValue("budget_period"), Horizon: r.PostFormValue("horizon_months"),
		Timeline: r.PostFormValue("timeline"), Integrations: catalog.SplitList(r.PostFormValue("integrations")),
		Languages: catalog.SplitList(r.PostFormValue("languages")), Notes: r.PostFormValue("notes")}
	for _, f := range feats {
		switch r.PostFormValue("f." + f.Key) {
		case "must":
			in.MustHave = append(in.MustHave, f.Key)
		case "nice":
			in.NiceToHave = append(in.NiceToHave, f.Key)
		}
	}
	in.MustHave = append(in.MustHave, catalog.SplitList(r.PostFormValue("must_have_other"))...)
	in.NiceToHave = append(in.NiceToHave, catalog.SplitList(r.PostFormValue("nice_to_have_other"))...)
	return in
}

func (h *Web) showSoftware(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	h.renderSoftware(w, r, l, nil, nil, 0, refused{})
}

// refused holds what the page's smaller forms were refused for: the
// title typed to open a project and why, or why the brief was not sent.
type refused struct {
	project openProjectForm
	handoff string
	answer  answerForm
}

// answerForm is a vendor's answer to hand-off ID as the user typed it,
// and why it was refused.
type answerForm struct {
	ID        int64
	Note, Why string
	OfNote    bool // Why is the note's (too long), not the answer's
}

// renderSoftware shows the page; in and errs are a refused request
// form's, ref the other forms'.
func (h *Web) renderSoftware(w http.ResponseWriter, r *http.Request, l lead.Lead, in *brief.Input, errs map[string]string, status int, ref refused) {
	ctx := r.Context()
	d := softwareData{Lead: l, Errors: errs, Criteria: matching.Criteria, Open: ref.project, HandoffErr: ref.handoff, Answer: ref.answer}
	var err error
	if d.Projects, err = h.Projects.ForLead(ctx, actor(r), l.ID); err == nil {
		d.Handoffs, err = h.Handoffs.ForLead(ctx, actor(r), l.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.SalesReady, d.CanConvert, d.MailOn = handoff.SalesReady(l), lead.CanConvert(l), h.Forms.MailConfigured()
	feats, err := h.Catalog.Features(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Features, d.Names = feats, map[string]string{}
	for _, f := range feats {
		d.Names[f.Key] = f.Name
	}
	req, res, err := h.Briefs.Matches(ctx, actor(r), l.ID)
	switch {
	case err == nil:
		d.Request, d.Result, d.Version = &req, &res, req.Version
		if d.Vendors, err = h.vendorChoices(r, res, d.Handoffs); err != nil {
			h.fail(w, r, err)
			return
		}
	case fault.CodeOf(err) != fault.NotFound:
		h.fail(w, r, err)
		return
	}
	switch {
	case in != nil:
		if v, e := strconv.ParseInt(r.PostFormValue("version"), 10, 64); e == nil && r.PostFormValue("version") != "" {
			d.Version = v
		}
	case d.Request != nil:
		i := brief.InputOf(*d.Request)
		in = &i
	default:
		i, ok := brief.FromAnswers(l.Industry, l.Custom, d.Names)
		if !ok {
			i = brief.Input{Industry: l.Industry, Licences: "", Horizon: "12", Currency: "EUR", BudgetPeriod: "year"}
		}
		d.Prefilled, in = ok, &i
	}
	d.Values, d.Lists = requestValues(*in)
	h.render(w, r, "software", page{Title: tr(r, "title.software_named", "Name", l.Name()), Nav: "leads", Data: d, Status: status})
}

func (h *Web) saveSoftware(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	feats, err := h.Catalog.Features(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := requestForm(r, feats)
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err = h.Briefs.Save(r.Context(), actor(r), l.ID, version, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderSoftware(w, r, l, &in, e.Fields, refusedStatus(e), refused{})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Software request saved; the matches below are ranked against it.")
	http.Redirect(w, r, fmt.Sprintf("/leads/%d/software#matches", l.ID), http.StatusSeeOther)
}

// choice is which list a feature is in on the request form.
func choice(lists map[string][]string, key string) string {
	switch {
	case slices.Contains(lists["must_have"], key):
		return "must"
	case slices.Contains(lists["nice_to_have"], key):
		return "nice"
	}
	return ""
}

// others are the features of a list outside the vocabulary.
func others(list []string, names map[string]string) string {
	var out []string
	for _, k := range list {
		if _, ok := names[k]; !ok {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

func init() {
	funcs["choice"] = choice
	funcs["convertLink"] = convertLink
	funcs["conversion"] = func(r brief.KPIRow) float64 { v, _ := r.ConversionRate(); return v }
	funcs["hasPrefix"] = strings.HasPrefix
	funcs["others"] = others
	funcs["timelines"] = func() []struct{ Key, Label string } { return brief.Timelines }
	funcs["featureName"] = func(names map[string]string, key string) string {
		if n, ok := names[key]; ok {
			return n
		}
		return key
	}
}

// showBrief is the lead's brief as a clean page, printable as it is.
func (h *Web) showBrief(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	d, err := h.Briefs.Brief(r.Context(), actor(r), l.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "brief", page{Title: d.Title(), Nav: "leads", Data: d})
}

// briefPDF is the lead's brief as a PDF made by leadflow itself.
func (h *Web) briefPDF(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	d, err := h.Briefs.Brief(r.Context(), actor(r), l.ID)
	var doc []byte
	if err == nil {
		doc, err = d.PDF()
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="brief-lead-%d.pdf"`, l.ID))
	w.Write(doc)
}
