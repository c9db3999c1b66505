package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
)

// solutionJSON is a solution as the API answers it: amounts as decimal
// strings ("19.90"), so no cent is lost to floating point; the licence
// bounds as numbers, null when there is none.
type solutionJSON struct {
	ID int64 `json:"id"`
	catalog.Record
	MinLicences *int      `json:"min_licences"`
	MaxLicences *int      `json:"max_licences"`
	Active      bool      `json:"active"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func solutionOut(s catalog.Solution) solutionJSON {
	bound := func(n int) *int {
		if n == 0 {
			return nil
		}
		return &n
	}
	return solutionJSON{ID: s.ID, Record: catalog.RecordOf(s), MinLicences: bound(s.MinLicences), MaxLicences: bound(s.MaxLicences),
		Active: s.Active, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// listSolutions answers the catalog a page at a time, filtered by q,
// category and active.
func (a *API) listSolutions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := catalog.Filter{Q: q.Get("q"), Category: q.Get("category"), Limit: 100}
	bad := fault.Fields{}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			bad.Add("cursor", "must be a next_cursor this list gave")
		}
		f.After = n
	}
	if s := q.Get("active"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			bad.Add("active", "must be true or false")
		}
		f.Active = &b
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	sols, next, err := a.Catalog.Solutions(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []solutionJSON `json:"data"`
		NextCursor *string        `json:"next_cursor"`
	}{Data: make([]solutionJSON, 0, len(sols))}
	for _, s := range sols {
		out.Data = append(out.Data, solutionOut(s))
	}
	if next != 0 {
		c := strconv.FormatInt(next, 10)
		out.NextCursor = &c
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var s catalog.Solution
		if s, err = a.Catalog.Get(r.Context(), id); err == nil {
			w.Header().Set("ETag", etag(s.Version))
			writeJSON(w, http.StatusOK, solutionOut(s))
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) createSolution(w http.ResponseWriter, r *http.Request) {
	var in catalog.Record
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Catalog.Create(r.Context(), actor(r), in.Input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/solutions/"+strconv.FormatInt(s.ID, 10))
	writeJSON(w, http.StatusCreated, solutionOut(s))
}

// updateSolution changes the members present; If-Match refuses the
// change when the solution has moved on from that version.
func (a *API) updateSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Catalog.MayChange(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	old, err := a.Catalog.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := catalog.RecordOf(old)
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if version == 0 {
		version = old.Version // what the body was merged onto
	}
	s, err := a.Catalog.Update(r.Context(), actor(r), id, version, in.Input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(s.Version))
	writeJSON(w, http.StatusOK, solutionOut(s))
}

func (a *API) deleteSolution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Catalog.Delete(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}

// maxCatalog bounds an imported catalog file.
const maxCatalog = 16 << 20

// importSolutions takes a catalog as CSV (text/csv) or a JSON array
// (application/json) and answers what was created, updated and refused.
func (a *API) importSolutions(w http.ResponseWriter, r *http.Request) {
	if err := a.Catalog.MayChange(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCatalog))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.fail(w, r, badRequest("body is larger than "+strconv.Itoa(maxCatalog)+" bytes"))
			return
		}
		a.fail(w, r, badRequest("body could not be read: "+err.Error()))
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rows []catalog.Input
	switch ct {
	case "text/csv":
		rows, err = catalog.ParseCSV(data)
	case "application/json":
		rows, err = catalog.ParseJSON(data)
	default:
		err = &fault.Error{Code: fault.Invalid, Message: "send the catalog as text/csv or application/json",
			Fields: map[string]string{"Content-Type": "must be text/csv or application/json"}}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Catalog.Import(r.Context(), actor(r), rows)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type featureJSON struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

func (a *API) listFeatures(w http.ResponseWriter, r *http.Request) {
	fs, err := a.Catalog.Features(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []featureJSON `json:"data"`
	}{Data: make([]featureJSON, 0, len(fs))}
	for _, f := range fs {
		out.Data = append(out.Data, featureJSON(f))
	}
	writeJSON(w, http.StatusOK, out)
}

// putFeature adds the feature {key} to the vocabulary or renames it.
func (a *API) putFeature(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.Catalog.SaveFeature(r.Context(), actor(r), catalog.Feature{Key: r.PathValue("key"), Name: in.Name})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, featureJSON(f))
}

func (a *API) deleteFeature(w http.ResponseWriter, r *http.Request) {
	if err := a.Catalog.DeleteFeature(r.Context(), actor(r), strings.ToLower(r.PathValue("key"))); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getMatchingConfig(w http.ResponseWriter, r *http.Request) {
	c, err := a.Catalog.Config(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// putMatchingConfig replaces the weights, threshold and tolerance.
func (a *API) putMatchingConfig(w http.ResponseWriter, r *http.Request) {
	var c matching.Config
	err := decodeInto(w, r, &c)
	if err == nil {
		c, err = a.Catalog.SaveConfig(r.Context(), actor(r), c)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
