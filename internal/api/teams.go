package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/salesteam"
)

type teamJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	HandsTo   *int64    `json:"hands_to"`
	Members   []string  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func teamOut(t salesteam.Team) teamJSON {
	out := teamJSON{ID: t.ID, Name: t.Name, Role: string(t.Role), HandsTo: optionalID(t.HandsTo), Members: []string{},
		CreatedAt: t.Created, UpdatedAt: t.Updated}
	for _, m := range t.Members {
		out.Members = append(out.Members, m.Email)
	}
	return out
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request) {
	ts, err := a.Teams.Teams(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(ts, teamOut))
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var t salesteam.Team
	if err == nil {
		t, err = a.Teams.Team(r.Context(), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, teamOut(t))
}

// saveTeam answers POST (create) and PUT (replace).
func (a *API) saveTeam(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.Method == http.MethodPut {
		var err error
		if id, err = pathID(r); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var in struct {
		Name    string   `json:"name"`
		Role    string   `json:"role"`
		HandsTo *int64   `json:"hands_to"`
		Members []string `json:"members"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ti := salesteam.Input{Name: in.Name, Role: in.Role, Members: in.Members}
	if in.HandsTo != nil {
		ti.HandsTo = *in.HandsTo
	}
	t, err := a.Teams.Save(r.Context(), actor(r), id, ti)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeSaved(w, id == 0, "/api/v1/teams/"+strconv.FormatInt(t.ID, 10), teamOut(t))
}

func (a *API) deleteTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Teams.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type handoverJSON struct {
	ID            int64      `json:"id"`
	LeadID        int64      `json:"lead_id"`
	Lead          string     `json:"lead"`
	AccountID     *int64     `json:"account_id"`
	Account       string     `json:"account"`
	ContactID     *int64     `json:"contact_id"`
	OpportunityID *int64     `json:"opportunity_id"`
	Opportunity   string     `json:"opportunity"`
	Amount        *int64     `json:"amount"`
	Currency      string     `json:"currency"`
	SDR           string     `json:"sdr"`
	SDRTeam       string     `json:"sdr_team"`
	AE            string     `json:"ae"`
	AETeam        string     `json:"ae_team"`
	Note          string     `json:"note"`
	Status        string     `json:"status"`
	Reason        *string    `json:"reason"`
	ReasonText    string     `json:"reason_text"`
	CreatedAt     time.Time  `json:"created_at"`
	AnsweredAt    *time.Time `json:"answered_at"`
	AnsweredBy    *string    `json:"answered_by"`
}

func handoverOut(h salesteam.Handover) handoverJSON {
	return handoverJSON{ID: h.ID, LeadID: h.LeadID, Lead: h.LeadName, AccountID: optionalID(h.AccountID), Account: h.AccountName,
		ContactID: optionalID(h.ContactID), OpportunityID: optionalID(h.OpportunityID), Opportunity: h.OpportunityName, Amount: h.Amount,
		Currency: h.Currency, SDR: h.SDR.Email, SDRTeam: h.SDRTeam, AE: h.AE.Email, AETeam: h.AETeam, Note: h.Note, Status: h.Status,
		Reason: optional(h.Reason), ReasonText: h.ReasonText, CreatedAt: h.Created, AnsweredAt: h.Answered, AnsweredBy: optional(h.AnsweredBy)}
}

// listHandovers answers with the hand-overs the caller may see, newest
// first: status narrows them, mine (true or 1) keeps those handed to
// the caller, and cursor pages.
func (a *API) listHandovers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := salesteam.Filter{Status: q.Get("status")}
	bad := fault.Fields{}
	if v := q.Get("mine"); v != "" {
		mine, err := strconv.ParseBool(v)
		if err != nil {
			bad.Add("mine", "must be true or false")
		}
		if mine {
			f.AE = actor(r).ID
		}
	}
	for name, dst := range map[string]*int64{"cursor": &f.Before, "lead_id": &f.LeadID, "account_id": &f.AccountID, "opportunity_id": &f.DealID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(name, "must be a positive whole number")
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			bad.Add("limit", "must be a whole number from 1 to 200")
		}
		f.Limit = n
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Teams.List(r.Context(), actor(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []handoverJSON `json:"data"`
		NextCursor *string        `json:"next_cursor"`
	}{Data: []handoverJSON{}}
	for _, h := range p.Items {
		out.Data = append(out.Data, handoverOut(h))
	}
	if p.Next != 0 {
		c := strconv.FormatInt(p.Next, 10)
		out.NextCursor = &c
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getHandover(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var h salesteam.Handover
	if err == nil {
		h, err = a.Teams.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, handoverOut(h))
}

func (a *API) acceptHandover(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var h salesteam.Handover
	if err == nil {
		h, err = a.Teams.Accept(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, handoverOut(h))
}

func (a *API) rejectHandover(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Reason     string `json:"reason"`
		ReasonText string `json:"reason_text"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.Teams.Reject(r.Context(), actor(r), id, in.Reason, in.ReasonText)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, handoverOut(h))
}

type figuresJSON struct {
	Qualified   *int             `json:"qualified"`
	HandedOver  int              `json:"handed_over"`
	Accepted    int              `json:"accepted"`
	Rejected    int              `json:"rejected"`
	Pending     int              `json:"pending"`
	RejectedBy  map[string]int   `json:"rejected_by"`
	Won         int              `json:"won"`
	WonAmount   map[string]int64 `json:"won_amount"`
	AcceptHours *float64         `json:"hours_to_accept"`
}

func figuresOut(f salesteam.Figures, role salesteam.Role) figuresJSON {
	out := figuresJSON{HandedOver: f.HandedOver, Accepted: f.Accepted, Rejected: f.Rejected, Pending: f.Pending,
		RejectedBy: f.RejectedBy, Won: f.Won, WonAmount: f.WonAmount, AcceptHours: f.AcceptHours}
	if role == salesteam.Qualifying {
		n := f.Qualified
		out.Qualified = &n
	}
	if out.RejectedBy == nil {
		out.RejectedBy = map[string]int{}
	}
	if out.WonAmount == nil {
		out.WonAmount = map[string]int64{}
	}
	return out
}

// getTeamReport answers with each team's and member's part in the
// hand-overs of the last days (30 unless asked).
func (a *API) getTeamReport(w http.ResponseWriter, r *http.Request) {
	rep, days, err := a.Teams.ReportDays(r.Context(), r.URL.Query().Get("days"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type memberJSON struct {
		User   string `json:"user"`
		Former bool   `json:"former"`
		figuresJSON
	}
	type teamRowJSON struct {
		ID      int64        `json:"id"`
		Name    string       `json:"name"`
		Role    string       `json:"role"`
		Total   figuresJSON  `json:"total"`
		Members []memberJSON `json:"members"`
	}
	out := struct {
		Days  int           `json:"days"`
		Teams []teamRowJSON `json:"teams"`
	}{Days: days, Teams: []teamRowJSON{}}
	for _, t := range rep {
		row := teamRowJSON{ID: t.ID, Name: t.Name, Role: string(t.Role), Total: figuresOut(t.Total, t.Role), Members: []memberJSON{}}
		for _, m := range t.Members {
			row.Members = append(row.Members, memberJSON{User: m.Email, Former: m.Former, figuresJSON: figuresOut(m.Figures, t.Role)})
		}
		out.Teams = append(out.Teams, row)
	}
	writeJSON(w, http.StatusOK, out)
}
