package api

import (
	"net/http"

	"leadflow/internal/savedview"
)

// listViews answers the user's saved views of the lead list.
func (a *API) listViews(w http.ResponseWriter, r *http.Request) {
	list, err := a.Views.List(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(list, func(v savedview.View) savedview.View { return v }))
}

// saveView keeps {"name", "query"}: the lead list's query string.
func (a *API) saveView(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.Views.Save(r.Context(), actor(r), in.Name, in.Query)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (a *API) deleteView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Views.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
