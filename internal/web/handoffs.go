package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/handoff"
	"leadflow/internal/i18n"
	"leadflow/internal/matching"
)

// vendorChoices are the ten best matches with their vendor contact, for
// the send-the-brief form.
func (h *Web) vendorChoices(r *http.Request, res matching.Result, sent []handoff.Handoff) ([]vendorChoice, error) {
	var out []vendorChoice
	for _, m := range res.Ranked[:min(10, len(res.Ranked))] {
		sol, err := h.Catalog.Get(r.Context(), m.Solution.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, vendorChoice{ID: sol.ID, Vendor: sol.Vendor, Product: sol.Product, Email: sol.ContactEmail, Score: m.Score,
			Sent: slices.ContainsFunc(sent, func(h handoff.Handoff) bool { return h.SolutionID == sol.ID })})
	}
	return out, nil
}

// sendBrief sends the brief to the vendors ticked on the software page.
func (h *Web) sendBrief(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	var ids []int64
	for _, v := range r.PostForm["solution"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	res, err := h.Handoffs.Send(r.Context(), actor(r), l.ID, ids)
	if e := fault.As(err); e != nil && e.Fields != nil {
		msg := e.Fields["solution_ids"]
		if msg == "" {
			msg = e.Fields["stage"]
		}
		h.renderSoftware(w, r, l, nil, nil, formStatus(e), refused{handoff: msg})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg := tr(r, "flash.brief_sent", "Count", len(res.Sent))
	if !res.Emailed {
		msg = tr(r, "flash.handoff_recorded", "Count", len(res.Sent))
	}
	if len(res.Already) > 0 {
		msg += " " + tr(r, "flash.had_it_already", "Names", strings.Join(res.Already, ", "))
	}
	h.flash(w, msg)
	http.Redirect(w, r, fmt.Sprintf("/leads/%d/software#handoffs", l.ID), http.StatusSeeOther)
}

// answerHandoff records a vendor's answer from the software page.
func (h *Web) answerHandoff(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var ho handoff.Handoff
	if err == nil {
		ho, err = h.Handoffs.AnswerSeen(r.Context(), actor(r), id, r.PostFormValue("seen"), r.PostFormValue("status"), r.PostFormValue("note"))
	}
	if e := fault.As(err); e != nil && (e.Fields != nil || e.Code == fault.Conflict) && ho.LeadID != 0 {
		h.refusedAnswer(w, r, ho.LeadID, answerForm{ID: id, Note: r.PostFormValue("note"), Why: cmp.Or(e.Fields["note"], e.Fields["status"], e.Message),
			OfNote: e.Fields["note"] != ""}, e)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, tr(r, "flash.answer_recorded", "Vendor", ho.Vendor, "Status", localHuman(i18n.From(r.Context()), ho.Status)))
	http.Redirect(w, r, fmt.Sprintf("/leads/%d/software#handoffs", ho.LeadID), http.StatusSeeOther)
}

// refusedAnswer shows the software page of lead leadID again with the
// refused answer's note and why, so nothing typed is lost.
func (h *Web) refusedAnswer(w http.ResponseWriter, r *http.Request, leadID int64, a answerForm, e *fault.Error) {
	l, err := h.Leads.Get(r.Context(), actor(r), leadID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSoftware(w, r, l, nil, nil, refusedStatus(e), refused{answer: a})
}

// convertLink proposes converting the lead with an accepted match as
// the deal: its product, and its cost over the horizon in whole units.
func convertLink(leadID int64, ho handoff.Handoff) string {
	q := url.Values{"deal_name": {ho.Vendor + " " + ho.Product}, "amount": {strconv.FormatInt((ho.Cost+50)/100, 10)}, "currency": {ho.Currency}}
	return fmt.Sprintf("/leads/%d/convert?%s", leadID, q.Encode())
}
