package web

import (
	"net/http"

	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/search"
)

// searchData is the results page of the search in the header.
type searchData struct {
	Q      string
	Groups []search.Group
	Error  string
	Found  int
	// Pipeline names a deal's stage in the reader's language.
	Pipeline crm.Pipeline
	Headings map[string]string // searchHeadings
}

// searchHeadings are the messages heading each kind of record found.
var searchHeadings = map[string]string{"lead": "nav.leads", "contact": "nav.contacts", "account": "nav.accounts", "opportunity": "nav.deals"}

// searchAll answers the header's search across leads, contacts,
// accounts and deals.
func (h *Web) searchAll(w http.ResponseWriter, r *http.Request) {
	d := searchData{Q: r.URL.Query().Get("q"), Headings: searchHeadings}
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
	if d.Pipeline, err = h.pipeline(r); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, g := range groups {
		d.Found += len(g.Hits)
	}
	h.render(w, r, "search", page{Title: tr(r, "title.search_named", "Query", d.Q), Data: d})
}
