package api

import (
	"net/http"
	"time"

	"leadflow/internal/catalog"
	"leadflow/internal/handoff"
)

type handoffJSON struct {
	ID           int64      `json:"id"`
	LeadID       int64      `json:"lead_id"`
	SolutionID   *int64     `json:"solution_id"`
	Vendor       string     `json:"vendor"`
	Product      string     `json:"product"`
	ContactName  string     `json:"contact_name"`
	ContactEmail string     `json:"contact_email"`
	Score        int        `json:"score"`
	Cost         string     `json:"cost"`
	Currency     string     `json:"currency"`
	Emailed      bool       `json:"emailed"`
	Status       string     `json:"status"`
	Note         string     `json:"note"`
	SentAt       time.Time  `json:"sent_at"`
	AnsweredAt   *time.Time `json:"answered_at"`
}

func handoffOut(h handoff.Handoff) handoffJSON {
	j := handoffJSON{ID: h.ID, LeadID: h.LeadID, Vendor: h.Vendor, Product: h.Product, ContactName: h.ContactName,
		ContactEmail: h.ContactEmail, Score: h.Score, Cost: catalog.Decimal(h.Cost), Currency: h.Currency, Emailed: h.Emailed,
		Status: h.Status, Note: h.Note, SentAt: h.SentAt, AnsweredAt: h.AnsweredAt}
	if h.SolutionID != 0 {
		id := h.SolutionID
		j.SolutionID = &id
	}
	return j
}

func (a *API) listHandoffs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var hs []handoff.Handoff
	if err == nil {
		hs, err = a.Handoffs.ForLead(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []handoffJSON `json:"data"`
	}{Data: []handoffJSON{}}
	for _, h := range hs {
		out.Data = append(out.Data, handoffOut(h))
	}
	writeJSON(w, http.StatusOK, out)
}

// sendBrief sends the lead's brief to the vendors of the chosen matches.
func (a *API) sendBrief(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		SolutionIDs []int64 `json:"solution_ids"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Handoffs.Send(r.Context(), actor(r), id, in.SolutionIDs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Sent    []handoffJSON `json:"sent"`
		Already []string      `json:"already"`
		Emailed bool          `json:"emailed"`
	}{Sent: []handoffJSON{}, Already: nonNil(res.Already), Emailed: res.Emailed}
	for _, h := range res.Sent {
		out.Sent = append(out.Sent, handoffOut(h))
	}
	writeJSON(w, http.StatusCreated, out)
}

// answerHandoff records the vendor's answer: accepted or declined.
func (a *API) answerHandoff(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.Handoffs.Answer(r.Context(), actor(r), id, in.Status, in.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, handoffOut(h))
}
