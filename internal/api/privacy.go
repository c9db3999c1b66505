package api

import (
	"encoding/json"
	"net/http"

	"leadflow/internal/fault"
	"leadflow/internal/privacy"
)

// exportPerson answers GET /api/v1/privacy/export?email=, or ?phone=,
// or ?last_name=&company= (&first_name=): everything about a person, for
// admins.
func (a *API) exportPerson(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := privacy.Person{Email: q.Get("email"), Phone: q.Get("phone"), FirstName: q.Get("first_name"), LastName: q.Get("last_name"), Company: q.Get("company")}
	ex, err := a.Privacy.ExportPerson(r.Context(), actor(r), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}

// erasePerson answers POST /api/v1/privacy/erase {"email": ...} (or
// "phone", or "last_name" and "company" with an optional "first_name"):
// the person is deleted everywhere, for admins; the answer is the
// erasure's record, which holds no personal data.
func (a *API) erasePerson(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var p privacy.Person
	bad := fault.Fields{}
	for name, into := range map[string]*string{"email": &p.Email, "phone": &p.Phone, "first_name": &p.FirstName, "last_name": &p.LastName, "company": &p.Company} {
		if raw, ok := obj[name]; ok && json.Unmarshal(raw, into) != nil {
			bad.Add(name, "must be a string")
		}
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	er, err := a.Privacy.ErasePerson(r.Context(), actor(r), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, er)
}
