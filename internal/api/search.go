package api

import "net/http"

// search answers the records of each kind that match q, as the search
// in the pages' header finds them.
func (a *API) search(w http.ResponseWriter, r *http.Request) {
	groups, err := a.Search.Find(r.Context(), actor(r), r.URL.Query().Get("q"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": groups})
}
