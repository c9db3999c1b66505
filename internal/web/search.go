package web

import (
	"net/http"

	"leadflow/internal/fault"
	"leadflow/internal/search"
)

// searchData is the results page of the search in the header.
type searchData struct {
	Q      string
	Groups []search.Group
	Error  string
	Found  int
}

// searchAll answers the header's search across leads, contacts,
// accounts and deals.
func (h *Web) searchAll(w http.ResponseWriter, r *http.Request) {
	d := searchData{Q: r.URL.Query().Get("q")}
	groups, err := h.Search.Find(r.Context(), actor(r), d.Q)
	if e := fault.As(err); e != nil && e.Fields != nil {
		d.Error = e.Fields["q"]
		h.render(w, r, "search", page{Title: "Search", Data: d, Status: http.StatusOK})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Groups = groups
	for _, g := range groups {
		d.Found += len(g.Hits)
	}
	h.render(w, r, "search", page{Title: tr(r, "title.search_named", "Query", d.Q), Data: d})
}
