package api

import (
	"encoding/json"
	"net/http"

	"leadflow/internal/fault"
)

// exportPerson answers GET /api/v1/privacy/export?email=: everything
// about a person, for admins.
func (a *API) exportPerson(w http.ResponseWriter, r *http.Request) {
	ex, err := a.Privacy.Export(r.Context(), actor(r), r.URL.Query().Get("email"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}

// erasePerson answers POST /api/v1/privacy/erase {"email": ...}: the
// person is deleted everywhere, for admins; the answer is the erasure's
// record, which holds no personal data.
func (a *API) erasePerson(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var email string
	if err := json.Unmarshal(obj["email"], &email); err != nil {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "some fields are invalid", Fields: map[string]string{"email": "must be a string"}})
		return
	}
	er, err := a.Privacy.Erase(r.Context(), actor(r), email)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, er)
}
