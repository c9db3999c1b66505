package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/privacy"
)

type privacyData struct {
	Person   privacy.Person
	Errors   map[string]string // by field
	Erasures []privacy.Erasure
	Users    map[int64]string // who erased, by id
}

// personOf reads whom a privacy request is about from a form or query.
func personOf(v url.Values) privacy.Person {
	return privacy.Person{Email: v.Get("email"), Phone: v.Get("phone"), FirstName: v.Get("first_name"),
		LastName: v.Get("last_name"), Company: v.Get("company")}
}

// countLabels are the messages that say what each count of an erasure
// is, for people.
var countLabels = map[string]string{
	"leads": "priv.count_leads", "timeline": "priv.count_timeline", "events": "priv.count_events",
	"qualifications": "priv.count_qualifications", "submissions": "priv.count_submissions",
	"contacts": "priv.count_contacts", "opportunities_unlinked": "priv.count_opportunities_unlinked",
	"import_rejects": "priv.count_import_rejects", "import_files": "priv.count_import_files",
	"timeline_mentions_redacted": "priv.count_timeline_mentions_redacted",
	"login_attempts":             "priv.count_login_attempts",
}

// localCountLabel is what count name of an erasure is, in l's language;
// a name with no label reads as stored.
func localCountLabel(l *i18n.Locale, name string) string { return byID(l, countLabels, name) }

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
	p := personOf(r.URL.Query())
	ex, err := h.Privacy.ExportPerson(r.Context(), actor(r), p)
	if h.privacyInvalid(w, r, p, err) {
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
	p := personOf(r.URL.Query())
	sum, err := h.Privacy.PreviewPerson(r.Context(), actor(r), p)
	if h.privacyInvalid(w, r, p, err) {
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rows []eraseRow
	for _, name := range privacy.CountNames {
		if n := sum.Counts[name]; n > 0 {
			rows = append(rows, eraseRow{tr(r, countLabels[name]), n})
		}
	}
	h.render(w, r, "privacy_erase", page{Title: tr(r, "title.erase_named", "Name", sum.Person), Nav: "privacy", Data: struct {
		privacy.Summary
		Rows []eraseRow
	}{sum, rows}})
}

// erasePerson deletes a person everywhere, once confirmed.
func (h *Web) erasePerson(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	p := personOf(r.PostForm)
	er, err := h.Privacy.ErasePerson(r.Context(), actor(r), p)
	if h.privacyInvalid(w, r, p, err) {
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var parts []string
	for _, name := range privacy.CountNames {
		if n := er.Counts[name]; n > 0 {
			parts = append(parts, tr(r, "priv.count_of", "What", tr(r, countLabels[name]), "N", i18n.From(r.Context()).Number(int64(n))))
		}
	}
	msg := tr(r, "flash.erased_nothing")
	if len(parts) > 0 {
		msg = tr(r, "flash.erased", "What", strings.Join(parts, "; "))
	}
	h.flash(w, msg)
	http.Redirect(w, r, "/privacy", http.StatusSeeOther)
}

// privacyInvalid re-renders the page for a search that names no one.
func (h *Web) privacyInvalid(w http.ResponseWriter, r *http.Request, p privacy.Person, err error) bool {
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid {
		return false
	}
	h.renderPrivacy(w, r, privacyData{Person: p, Errors: e.Fields}, http.StatusUnprocessableEntity)
	return true
}
