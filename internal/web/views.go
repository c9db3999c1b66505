package web

import (
	"net/http"
	"strconv"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
)

// saveView keeps the lead list's filters under a name, and shows the
// list as the view.
func (h *Web) saveView(w http.ResponseWriter, r *http.Request) {
	v, err := h.Views.Save(r.Context(), actor(r), r.PostFormValue("name"), r.PostFormValue("query"))
	if e := fault.As(err); e != nil && e.Fields != nil {
		l := i18n.From(r.Context())
		why := tr(r, "flash.view_name_why", "Why", l.Reason(e.Fields["name"]))
		if e.Fields["name"] == "" {
			why = tr(r, "flash.view_filters_why", "Why", l.Reason(e.Fields["query"]))
		}
		h.flash(w, tr(r, "flash.view_not_saved", "Why", why))
		http.Redirect(w, r, "/leads?"+r.PostFormValue("query"), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.view_saved", "Name", v.Name))
	http.Redirect(w, r, v.Path(), http.StatusSeeOther)
}

func (h *Web) confirmDeleteView(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	v, err := h.Views.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_view"), Nav: "leads", Data: confirmData{
		Question: tr(r, "confirm.delete_view_q", "Name", v.Name), Detail: tr(r, "confirm.delete_view_detail"),
		Action: "/views/" + strconv.FormatInt(v.ID, 10) + "/delete", Button: tr(r, "confirm.delete_view"), Cancel: v.Path()}})
}

func (h *Web) deleteView(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := h.Views.Delete(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "View deleted.")
	http.Redirect(w, r, "/leads", http.StatusSeeOther)
}
