package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/privacy"
)

type privacyData struct {
	Email, Error string
	Erasures     []privacy.Erasure
	Users        map[int64]string // who erased, by id
}

// countLabels say what each count of an erasure is, for people.
var countLabels = map[string]string{
	"leads": "Leads", "timeline": "Timeline entries", "events": "Events (page views, downloads…)",
	"qualifications": "BANT qualifications", "submissions": "Form submissions (answers, IP address, browser)",
	"contacts": "Contacts", "opportunities_unlinked": "Deals losing their contact (kept)",
	"import_rejects": "Rejected import rows", "import_files": "Uploaded import files",
	"timeline_mentions_redacted": "Other leads' timeline entries naming the address (address replaced)",
	"login_attempts":             "Failed sign-ins with the address",
}

// showPrivacy is the admins' page for a person's data requests.
func (h *Web) showPrivacy(w http.ResponseWriter, r *http.Request) {
	h.renderPrivacy(w, r, privacyData{}, 0)
}

func (h *Web) renderPrivacy(w http.ResponseWriter, r *http.Request, d privacyData, status int) {
	ers, err := h.Privacy.Erasures(r.Context(), actor(r), 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Erasures, d.Users = ers, map[int64]string{}
	if users, err := h.Users.List(r.Context()); err == nil {
		for _, u := range users {
			d.Users[u.ID] = u.Email
		}
	}
	h.render(w, r, "privacy", page{Title: "Personal data", Nav: "privacy", Data: d, Status: status})
}

// exportPerson downloads everything about a person as JSON.
func (h *Web) exportPerson(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("email")
	ex, err := h.Privacy.Export(r.Context(), actor(r), email)
	if h.privacyInvalid(w, r, email, err) {
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(ex)
}

type eraseRow struct {
	Label string
	N     int
}

// confirmErase lists what an erasure would delete and asks.
func (h *Web) confirmErase(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("email")
	sum, err := h.Privacy.Preview(r.Context(), actor(r), email)
	if h.privacyInvalid(w, r, email, err) {
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rows []eraseRow
	for _, name := range privacy.CountNames {
		if n := sum.Counts[name]; n > 0 {
			rows = append(rows, eraseRow{countLabels[name], n})
		}
	}
	h.render(w, r, "privacy_erase", page{Title: "Erase " + sum.Email, Nav: "privacy", Data: struct {
		privacy.Summary
		Rows []eraseRow
	}{sum, rows}})
}

// erasePerson deletes a person everywhere, once confirmed.
func (h *Web) erasePerson(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	er, err := h.Privacy.Erase(r.Context(), actor(r), email)
	if h.privacyInvalid(w, r, email, err) {
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var parts []string
	for _, name := range privacy.CountNames {
		if n := er.Counts[name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", strings.ToLower(countLabels[name]), n))
		}
	}
	msg := "Erased. Nothing held the address; the request is recorded."
	if len(parts) > 0 {
		msg = "Erased " + strings.Join(parts, ", ") + "."
	}
	h.flash(w, msg)
	http.Redirect(w, r, "/privacy", http.StatusSeeOther)
}

// privacyInvalid re-renders the page for an address that is not one.
func (h *Web) privacyInvalid(w http.ResponseWriter, r *http.Request, email string, err error) bool {
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid {
		return false
	}
	h.renderPrivacy(w, r, privacyData{Email: email, Error: e.Fields["email"]}, http.StatusUnprocessableEntity)
	return true
}
