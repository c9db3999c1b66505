package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
)

func (h *Web) listForms(w http.ResponseWriter, r *http.Request) {
	list, err := h.Forms.List(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	landings, err := h.Forms.Landings(r.Context(), actor(r), 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "forms", page{Title: "Forms", Nav: "forms", Data: struct {
		Forms    []forms.FormStats
		Landings []forms.Landing
	}{list, landings}})
}

// builderRow is one line of the form builder.
type builderRow struct {
	Name, Label, Type, Options string
	Included, Required         bool
	Standard                   bool
}

type formEditData struct {
	Form     forms.Form
	Rows     []builderRow
	Errors   map[string]string
	Landings []forms.Landing
	BaseURL  string
	Types    []string
	// MailOff warns that double opt-in sends nothing until email is set up.
	MailOff bool
}

// builderRows lays a form out for the builder: every standard field (asked
// or not) in order, then its custom fields, then three empty rows.
func builderRows(f forms.Form) []builderRow {
	asked := map[string]forms.Field{}
	for _, fd := range f.Fields {
		asked[fd.Name] = fd
	}
	var rows []builderRow
	for _, name := range forms.StandardFields {
		fd, ok := asked[name]
		rows = append(rows, builderRow{Name: name, Label: fd.Label, Included: ok || name == lead.FEmail,
			Required: fd.Required || name == lead.FEmail, Standard: true})
	}
	for _, fd := range f.Fields {
		if fd.Custom() {
			rows = append(rows, builderRow{Name: fd.Name, Label: fd.Label, Type: fd.Type, Included: true,
				Required: fd.Required, Options: strings.Join(fd.Options, ", ")})
		}
	}
	for i := 0; i < 3; i++ {
		rows = append(rows, builderRow{Type: "text"})
	}
	return rows
}

// formFromPost reads the builder's fields.
func formFromPost(r *http.Request) forms.Form {
	f := forms.Form{
		Name: r.PostFormValue("name"), Slug: r.PostFormValue("slug"), ConsentText: strings.TrimSpace(r.PostFormValue("consent_text")),
		ThankYou: strings.TrimSpace(r.PostFormValue("thank_you")), RedirectURL: r.PostFormValue("redirect_url"),
		Source: r.PostFormValue("source"), Campaign: strings.TrimSpace(r.PostFormValue("campaign")),
		DefaultCountry: r.PostFormValue("default_country"),
		Language:       r.PostFormValue("language"),
		DoubleOptIn:    r.PostFormValue("double_opt_in") != "",
	}
	for _, name := range forms.StandardFields {
		if r.PostFormValue("std_"+name) != "" || name == lead.FEmail {
			f.Fields = append(f.Fields, forms.Field{Name: name, Label: r.PostFormValue("label_" + name),
				Required: r.PostFormValue("req_"+name) != ""})
		}
	}
	for i := 0; ; i++ {
		p := "c" + strconv.Itoa(i) + "_"
		if _, ok := r.PostForm[p+"name"]; !ok {
			break
		}
		name := strings.TrimSpace(r.PostFormValue(p + "name"))
		if name == "" {
			continue // an empty row of the builder
		}
		var options []string
		for _, o := range strings.Split(r.PostFormValue(p+"options"), ",") {
			if o = strings.TrimSpace(o); o != "" {
				options = append(options, o)
			}
		}
		f.Fields = append(f.Fields, forms.Field{Name: name, Label: r.PostFormValue(p + "label"),
			Type: r.PostFormValue(p + "type"), Required: r.PostFormValue(p+"required") != "", Options: options})
	}
	return f
}

// baseURL is this server's address as the visitor's browser sees it, for
// links and snippets meant for other sites.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Web) newForm(w http.ResponseWriter, r *http.Request) {
	// A blank builder reads nothing; ask first, so that no one is shown a
	// form whose every save would be refused.
	if err := h.Forms.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	// The consent a new form asks for is proposed in its author's
	// language, as its visitors are likely to read it.
	f := forms.Form{Fields: []forms.Field{{Name: lead.FEmail, Required: true}, {Name: lead.FFirstName}, {Name: lead.FLastName},
		{Name: lead.FCompany}}, ConsentText: tr(r, "fe.default_consent"),
		Source: "web"}
	h.renderFormEdit(w, r, formEditData{Form: f}, 0)
}

func (h *Web) renderFormEdit(w http.ResponseWriter, r *http.Request, d formEditData, status int) {
	d.Rows, d.BaseURL, d.Types = builderRows(d.Form), baseURL(r), forms.CustomTypes
	d.MailOff = !h.Forms.MailConfigured()
	title := tr(r, "forms.new_form")
	if d.Form.ID != 0 {
		title = d.Form.Name
		landings, err := h.Forms.Landings(r.Context(), actor(r), d.Form.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Landings = landings
	}
	h.render(w, r, "form_edit", page{Title: title, Nav: "forms", Data: d, Status: status})
}

func (h *Web) createForm(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f, err := h.Forms.Create(r.Context(), actor(r), formFromPost(r))
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderFormEdit(w, r, formEditData{Form: f, Errors: readableFieldErrors(f, e.Fields)}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Form created. Share its link or embed it with the snippet below.")
	http.Redirect(w, r, fmt.Sprintf("/forms/%d", f.ID), http.StatusSeeOther)
}

// readableFieldErrors names builder rows by their field's name
// ("fields.email.name") instead of their position, which a row without
// a name keeps.
func readableFieldErrors(f forms.Form, errs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if rest, ok := strings.CutPrefix(k, "fields."); ok {
			idx, prop, _ := strings.Cut(rest, ".")
			if i, err := strconv.Atoi(idx); err == nil && i < len(f.Fields) && f.Fields[i].Name != "" && !strings.Contains(f.Fields[i].Name, ".") {
				k = "fields." + f.Fields[i].Name + "." + prop
			}
		}
		out[k] = v
	}
	return out
}

func (h *Web) formInPath(w http.ResponseWriter, r *http.Request) (forms.Form, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no form %q.", r.PathValue("id")))
		return forms.Form{}, false
	}
	f, err := h.Forms.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return f, false
	}
	return f, true
}

func (h *Web) editForm(w http.ResponseWriter, r *http.Request) {
	if f, ok := h.formInPath(w, r); ok {
		h.renderFormEdit(w, r, formEditData{Form: f}, 0)
	}
}

func (h *Web) updateForm(w http.ResponseWriter, r *http.Request) {
	old, ok := h.formInPath(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	f := formFromPost(r)
	f.ID = old.ID
	f, err := h.Forms.Update(r.Context(), actor(r), f)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderFormEdit(w, r, formEditData{Form: f, Errors: readableFieldErrors(f, e.Fields)}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Form saved.")
	http.Redirect(w, r, fmt.Sprintf("/forms/%d", f.ID), http.StatusSeeOther)
}

// confirmData is the generic "are you sure" page.
type confirmData struct {
	Question, Detail, Action, Button, Cancel string
}

func (h *Web) confirmDeleteForm(w http.ResponseWriter, r *http.Request) {
	if f, ok := h.formInPath(w, r); ok {
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_form"), Nav: "forms", Data: confirmData{
			Question: tr(r, "confirm.delete_form_q", "Name", f.Name),
			Detail:   tr(r, "confirm.delete_form_detail", "Path", "/f/"+f.Slug),
			Action:   fmt.Sprintf("/forms/%d/delete", f.ID), Button: tr(r, "confirm.delete_form"), Cancel: fmt.Sprintf("/forms/%d", f.ID)}})
	}
}

func (h *Web) deleteForm(w http.ResponseWriter, r *http.Request) {
	if f, ok := h.formInPath(w, r); ok {
		if err := h.Forms.Delete(r.Context(), actor(r), f.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		h.flash(w, "Form deleted.")
		http.Redirect(w, r, "/forms", http.StatusSeeOther)
	}
}

type landingEditData struct {
	Landing   forms.Landing
	Form      forms.Form
	Errors    map[string]string
	Templates []string
}

func (h *Web) newLanding(w http.ResponseWriter, r *http.Request) {
	if f, ok := h.formInPath(w, r); ok {
		l := forms.Landing{FormID: f.ID, Slug: f.Slug, Template: "split", Headline: f.Name}
		h.render(w, r, "landing_edit", page{Title: "New landing page", Nav: "forms", Data: landingEditData{Landing: l, Form: f, Templates: forms.Templates}})
	}
}

func (h *Web) landingInPath(w http.ResponseWriter, r *http.Request) (forms.Landing, bool) {
	id, _ := strconv.ParseInt(r.PathValue("lid"), 10, 64)
	l, err := h.Forms.Landing(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return l, false
	}
	return l, true
}

func (h *Web) editLanding(w http.ResponseWriter, r *http.Request) {
	f, ok := h.formInPath(w, r)
	if !ok {
		return
	}
	if l, ok := h.landingInPath(w, r); ok {
		h.render(w, r, "landing_edit", page{Title: "Landing page", Nav: "forms", Data: landingEditData{Landing: l, Form: f, Templates: forms.Templates}})
	}
}

func (h *Web) saveLanding(w http.ResponseWriter, r *http.Request) {
	f, ok := h.formInPath(w, r)
	if !ok {
		return
	}
	l := forms.Landing{FormID: f.ID, Slug: r.PostFormValue("slug"), Template: r.PostFormValue("template"),
		Headline: r.PostFormValue("headline"), Body: r.PostFormValue("body"), ImageURL: r.PostFormValue("image_url")}
	if lid := r.PathValue("lid"); lid != "" {
		l.ID, _ = strconv.ParseInt(lid, 10, 64)
	}
	l, err := h.Forms.SaveLanding(r.Context(), actor(r), l)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.render(w, r, "landing_edit", page{Title: "Landing page", Nav: "forms", Status: http.StatusUnprocessableEntity,
			Data: landingEditData{Landing: l, Form: f, Errors: e.Fields, Templates: forms.Templates}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.landing_saved", "Path", "/p/"+l.Slug))
	http.Redirect(w, r, fmt.Sprintf("/forms/%d", f.ID), http.StatusSeeOther)
}

func (h *Web) deleteLanding(w http.ResponseWriter, r *http.Request) {
	f, ok := h.formInPath(w, r)
	if !ok {
		return
	}
	l, ok := h.landingInPath(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_landing"), Nav: "forms", Data: confirmData{
			Question: tr(r, "confirm.delete_landing_q", "Path", "/p/"+l.Slug), Detail: tr(r, "confirm.delete_landing_detail"),
			Action: fmt.Sprintf("/forms/%d/landing/%d/delete", f.ID, l.ID), Button: tr(r, "confirm.delete_landing"), Cancel: fmt.Sprintf("/forms/%d", f.ID)}})
		return
	}
	if err := h.Forms.DeleteLanding(r.Context(), actor(r), l.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Landing page deleted.")
	http.Redirect(w, r, fmt.Sprintf("/forms/%d", f.ID), http.StatusSeeOther)
}
