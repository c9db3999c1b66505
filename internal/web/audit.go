package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/leadcsv"
)

type auditData struct {
	Entries []auditRow
	// Values are the filter as typed, to fill the form again.
	Values map[string]string
	// Errors are the filter's invalid fields.
	Errors map[string]string
	// Query is the filter as a query string, for the next page and the
	// download; built from parsed values, so safe as a URL.
	Query template.URL
	Next  int64
}

// auditRow is an entry with the page of its subject, if it has one.
type auditRow struct {
	audit.Entry
	Link string
}

// subjectPages are the pages of the kinds of subject that have one.
var subjectPages = map[string]string{"lead": "/leads/", "account": "/accounts/", "contact": "/contacts/", "deal": "/deals/",
	"form": "/forms/", "submission": "/submissions/", "import": "/imports/"}

func subjectPage(e audit.Entry) string {
	if p, ok := subjectPages[e.SubjectType]; ok && e.SubjectID != 0 {
		return p + strconv.FormatInt(e.SubjectID, 10)
	}
	return ""
}

// showAudit shows the audit log to admins, newest first, filtered.
func (h *Web) showAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := auditData{Values: map[string]string{}}
	for _, k := range []string{"actor", "action", "subject_type", "subject_id", "from", "to"} {
		d.Values[k] = q.Get(k)
	}
	f, err := audit.ParseFilter(q)
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		d.Errors = e.Fields
		f = audit.Filter{}
		err = nil
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.Audit.List(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, e := range p.Entries {
		d.Entries = append(d.Entries, auditRow{e, subjectPage(e)})
	}
	d.Next, d.Query = p.Next, template.URL(f.Query().Encode())
	status := http.StatusOK
	if d.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, "audit", page{Title: "Audit log", Nav: "audit", Data: d, Status: status})
}

// auditHeader is the audit CSV's header.
var auditHeader = []string{"id", "at", "actor_id", "actor", "action", "subject_type", "subject_id", "detail"}

// exportAudit sends the entries the filter selects as CSV, every cell
// neutralised as in every CSV leadflow writes: an actor's email or a
// setting's text could start a formula.
func (h *Web) exportAudit(w http.ResponseWriter, r *http.Request) {
	f, err := audit.ParseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Refused before the header goes out, so sales get a 403 page.
	if err := h.Audit.MayRead(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	cw := csv.NewWriter(w)
	cw.Write(auditHeader)
	err = h.Audit.Each(r.Context(), actor(r), f, func(e audit.Entry) error {
		id := func(n int64) string {
			if n == 0 {
				return ""
			}
			return strconv.FormatInt(n, 10)
		}
		return cw.Write(leadcsv.NeutraliseAll([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), id(e.ActorID),
			e.Actor, e.Action, e.SubjectType, id(e.SubjectID), string(e.Detail)}))
	})
	cw.Flush()
	if err != nil {
		h.Log.ErrorContext(r.Context(), "audit export", "err", err) // the header is sent; the file ends short
	}
}
