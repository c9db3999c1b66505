package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/bulk"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/leadcsv"
)

// bulkConfirm is the page that asks before many leads are deleted.
type bulkConfirm struct {
	IDs  []int64
	Back string
}

// bulkLeads applies the lead list's bulk action to the ticked leads and
// returns to the list, saying what was done and what was refused.
// Deleting asks first.
func (h *Web) bulkLeads(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	back := r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/leads") || strings.HasPrefix(back, "//") {
		back = "/leads"
	}
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		h.flash(w, tr(r, "flash.tick_leads_first"))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	act := bulk.Action{Kind: r.PostForm.Get("action"), Reason: r.PostForm.Get("reason")}
	switch act.Kind {
	case "export":
		h.exportSelection(w, r, ids)
		return
	case bulk.Assign:
		act.Value = r.PostForm.Get("owner")
	case bulk.Stage:
		act.Value = r.PostForm.Get("stage")
	case bulk.Enrol:
		act.Value = r.PostForm.Get("sequence")
	case bulk.Delete:
		if r.PostForm.Get("confirm") != "yes" {
			if !actor(r).CanDeleteLeads() {
				h.fail(w, r, fault.Errorf(fault.Forbidden, "only admin and marketing users can delete leads"))
				return
			}
			h.render(w, r, "bulk_confirm", page{Title: "Delete leads", Nav: "leads", Data: bulkConfirm{IDs: ids, Back: back}})
			return
		}
	}
	res, err := h.Bulk.Apply(r.Context(), actor(r), ids, act)
	if e := fault.As(err); e != nil && e.Fields != nil {
		var why []string
		l := i18n.From(r.Context())
		for f, reason := range e.Fields {
			why = append(why, localLabel(l, f)+" "+l.Reason(reason))
		}
		h.flash(w, tr(r, "flash.nothing_done", "Why", strings.Join(why, "; ")))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, bulkSummary(r, act.Kind, res))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// bulkSummary says what a bulk action did, naming up to three refusals.
func bulkSummary(r *http.Request, kind string, res bulk.Result) string {
	msg := tr(r, "flash.bulk_"+kind, "Count", len(res.Done))
	if n := len(res.Refused); n > 0 {
		var each []string
		for i, x := range res.Refused {
			if i == 3 {
				break
			}
			each = append(each, tr(r, "flash.bulk_refused_one", "ID", x.ID, "Reason", i18n.From(r.Context()).FieldReasons(x.Reason)))
		}
		msg += " " + tr(r, "flash.bulk_refused", "Count", n, "Each", strings.Join(each, "; "))
		if n > 3 {
			msg += " " + tr(r, "flash.bulk_and_more", "Count", n-3)
		}
	}
	return msg
}

// exportSelection answers the ticked leads as a CSV file, the same file
// "Export CSV" gives for a filter.
func (h *Web) exportSelection(w http.ResponseWriter, r *http.Request, ids []int64) {
	if len(ids) > bulk.MaxLeads {
		h.fail(w, r, fault.Errorf(fault.Invalid, "Tick at most %d leads to export; use Export CSV with a filter for more.", bulk.MaxLeads))
		return
	}
	var buf bytes.Buffer // small: at most MaxLeads rows; an error still gets a page
	if _, err := leadcsv.ExportSelection(r.Context(), &buf, h.Leads, actor(r), ids); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="leads-selection-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	buf.WriteTo(w)
}
