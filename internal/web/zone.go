package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"leadflow/internal/access"
)

// zonedPages are the templates as each time zone shows them, made once
// per zone in use: html/template escapes a template when it is first
// executed and refuses to clone it after, so each zone's set is cloned
// from the never-executed originals and then kept.
type zonedPages struct {
	mu     sync.Mutex
	byZone map[string]map[string]*template.Template
}

// zoneOf is the time zone a's pages show times in: their setting, UTC
// for a visitor or when it cannot be read.
func (h *Web) zoneOf(r *http.Request, a access.Actor) *time.Location {
	if a.ID == 0 || h.Calendar == nil {
		return time.UTC
	}
	return h.Calendar.Zone(r.Context(), a.ID)
}

// inZone returns page name whose datetime shows times in loc. Dates
// (date) stay as stored: they are days, not instants.
func (h *Web) inZone(name string, loc *time.Location) (*template.Template, error) {
	h.zoned.mu.Lock()
	defer h.zoned.mu.Unlock()
	if h.zoned.byZone == nil {
		h.zoned.byZone = map[string]map[string]*template.Template{}
	}
	set := h.zoned.byZone[loc.String()]
	if set == nil {
		set = map[string]*template.Template{}
		h.zoned.byZone[loc.String()] = set
	}
	if t, ok := set[name]; ok {
		return t, nil
	}
	base, ok := h.pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %s", name)
	}
	t, err := base.Clone()
	if err != nil {
		return nil, fmt.Errorf("web: clone %s: %w", name, err)
	}
	t.Funcs(template.FuncMap{"datetime": func(t time.Time) string { return t.In(loc).Format("2 Jan 2006 15:04 MST") }})
	set[name] = t
	return t, nil
}
