package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/matching"
)

// solutionForm is the catalog's edit form: its text values, its lists
// (deployments, features) and the reasons its fields were refused.
type solutionForm struct {
	ID       int64
	Version  int64
	Values   map[string]string
	Lists    map[string][]string
	Errors   map[string]string
	Features []catalog.Feature
}

func formOfInput(in catalog.Input) (map[string]string, map[string][]string) {
	return map[string]string{"vendor": in.Vendor, "product": in.Product, "category": in.Category,
			"industries": strings.Join(in.Industries, ", "), "integrations": strings.Join(in.Integrations, ", "),
			"languages": strings.Join(in.Languages, ", "), "price": in.Price, "price_period": in.PricePeriod,
			"setup": in.Setup, "currency": in.Currency, "min_licences": in.MinLicences, "max_licences": in.MaxLicences,
			"active": in.Active, "contact_name": in.ContactName, "contact_email": in.ContactEmail},
		map[string][]string{"deployments": in.Deployments, "features": in.Features}
}

func solutionInput(r *http.Request) catalog.Input {
	r.ParseForm()
	return catalog.Input{Vendor: r.PostFormValue("vendor"), Product: r.PostFormValue("product"), Category: r.PostFormValue("category"),
		Industries: catalog.SplitList(r.PostFormValue("industries")), Deployments: r.PostForm["deployments"],
		Features: r.PostForm["features"], Integrations: catalog.SplitList(r.PostFormValue("integrations")),
		Languages: catalog.SplitList(r.PostFormValue("languages")), Price: r.PostFormValue("price"),
		PricePeriod: r.PostFormValue("price_period"), Setup: r.PostFormValue("setup"), Currency: r.PostFormValue("currency"),
		MinLicences: r.PostFormValue("min_licences"), MaxLicences: r.PostFormValue("max_licences"),
		Active: r.PostFormValue("active"), ContactName: r.PostFormValue("contact_name"), ContactEmail: r.PostFormValue("contact_email")}
}

type solutionsData struct {
	Query    map[string]string
	Items    []catalog.Solution
	Next     string
	Form     solutionForm
	Import   *catalog.ImportResult
	Features []catalog.Feature
	Names    map[string]string
	FeatErr  map[string]string
}

func (h *Web) listSolutions(w http.ResponseWriter, r *http.Request) {
	in := catalog.Input{PricePeriod: "month", Currency: "EUR", Active: "true"}
	v, l := formOfInput(in)
	h.renderSolutions(w, r, solutionForm{Values: v, Lists: l}, nil, nil, 0)
}

func (h *Web) renderSolutions(w http.ResponseWriter, r *http.Request, form solutionForm, imp *catalog.ImportResult, featErr map[string]string, status int) {
	q := r.URL.Query()
	f := catalog.Filter{Q: q.Get("q"), Category: q.Get("category"), Limit: 100}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	items, next, err := h.Catalog.Solutions(r.Context(), f)
	var feats []catalog.Feature
	if err == nil {
		feats, err = h.Catalog.Features(r.Context())
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := solutionsData{Query: map[string]string{"q": f.Q, "category": f.Category}, Items: items, Form: form, Import: imp,
		Features: feats, Names: map[string]string{}, FeatErr: featErr}
	for _, ft := range feats {
		d.Names[ft.Key] = ft.Name
	}
	d.Form.Features = feats
	if next != 0 {
		nq := r.URL.Query()
		nq.Set("after", strconv.FormatInt(next, 10))
		d.Next = "/solutions?" + nq.Encode()
	}
	h.render(w, r, "solutions", page{Title: "Solution catalog", Nav: "solutions", Data: d, Status: status})
}

func (h *Web) createSolution(w http.ResponseWriter, r *http.Request) {
	in := solutionInput(r)
	sol, err := h.Catalog.Create(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		v, l := formOfInput(in)
		h.renderSolutions(w, r, solutionForm{Values: v, Lists: l, Errors: e.Fields}, nil, nil, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.solution_added", "Product", sol.Product))
	http.Redirect(w, r, fmt.Sprintf("/solutions/%d", sol.ID), http.StatusSeeOther)
}

func (h *Web) showSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var sol catalog.Solution
	if err == nil {
		sol, err = h.Catalog.Get(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, l := formOfInput(catalog.InputOf(sol))
	h.renderSolution(w, r, solutionForm{ID: sol.ID, Version: sol.Version, Values: v, Lists: l}, 0)
}

func (h *Web) renderSolution(w http.ResponseWriter, r *http.Request, form solutionForm, status int) {
	feats, err := h.Catalog.Features(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form.Features = feats
	title := form.Values["vendor"] + " " + form.Values["product"]
	h.render(w, r, "solution", page{Title: title, Nav: "solutions", Data: form, Status: status})
}

func (h *Web) updateSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := solutionInput(r)
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err = h.Catalog.Update(r.Context(), actor(r), id, version, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		v, l := formOfInput(in)
		h.renderSolution(w, r, solutionForm{ID: id, Version: version, Values: v, Lists: l, Errors: e.Fields}, refusedStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Solution saved; matches are ranked with it from now on.")
	http.Redirect(w, r, fmt.Sprintf("/solutions/%d", id), http.StatusSeeOther)
}

func (h *Web) deleteSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.Catalog.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Solution deleted.")
	http.Redirect(w, r, "/solutions", http.StatusSeeOther)
}

// importSolutions takes an uploaded CSV or JSON catalog and shows what
// was taken and what was refused, row by row.
func (h *Web) importSolutions(w http.ResponseWriter, r *http.Request) {
	if err := h.Catalog.MayChange(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.renderSolutions(w, r, solutionForm{}, nil, map[string]string{"file": "choose a CSV or JSON file"}, http.StatusUnprocessableEntity)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, 16<<20))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rows []catalog.Input
	if strings.HasSuffix(strings.ToLower(hdr.Filename), ".json") {
		rows, err = catalog.ParseJSON(data)
	} else {
		rows, err = catalog.ParseCSV(data)
	}
	var res catalog.ImportResult
	if err == nil {
		res, err = h.Catalog.Import(r.Context(), actor(r), rows)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderSolutions(w, r, solutionForm{}, nil, map[string]string{"file": e.Message}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, l := formOfInput(catalog.Input{PricePeriod: "month", Currency: "EUR", Active: "true"})
	h.renderSolutions(w, r, solutionForm{Values: v, Lists: l}, &res, nil, 0)
}

// saveFeature adds a feature to the vocabulary or renames one.
func (h *Web) saveFeature(w http.ResponseWriter, r *http.Request) {
	f, err := h.Catalog.SaveFeature(r.Context(), actor(r), catalog.Feature{Key: r.PostFormValue("key"), Name: r.PostFormValue("name")})
	if e := fault.As(err); e != nil && e.Fields != nil {
		v, l := formOfInput(catalog.Input{PricePeriod: "month", Currency: "EUR", Active: "true"})
		h.renderSolutions(w, r, solutionForm{Values: v, Lists: l}, nil, e.Fields, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.feature_saved", "Name", f.Name))
	http.Redirect(w, r, "/solutions#features", http.StatusSeeOther)
}

// deleteFeature removes a feature no solution uses.
func (h *Web) deleteFeature(w http.ResponseWriter, r *http.Request) {
	if err := h.Catalog.DeleteFeature(r.Context(), actor(r), r.PostFormValue("key")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Feature removed.")
	http.Redirect(w, r, "/solutions#features", http.StatusSeeOther)
}

// The catalog's template functions join the shared ones before any
// template is parsed.
func init() {
	for k, f := range catalogFuncs {
		funcs[k] = f
	}
}

var catalogFuncs = map[string]any{
	"categories":  func() []string { return catalog.Categories },
	"deployments": func() []string { return matching.Deployments },
	"decimal":     catalog.Decimal,
}
