package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
)

type accountJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Domain    string     `json:"domain"`
	Website   string     `json:"website"`
	Industry  string     `json:"industry"`
	Employees *int64     `json:"employees"`
	Revenue   *int64     `json:"revenue"`
	Country   string     `json:"country"`
	City      string     `json:"city"`
	Tier      *int       `json:"tier"`
	Score     int        `json:"score"`
	Grade     string     `json:"grade"`
	ScoredAt  *time.Time `json:"scored_at"`
	Owner     *string    `json:"owner"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func accountOut(a crm.Account) accountJSON {
	out := accountJSON{ID: a.ID, Name: a.Name, Domain: a.Domain, Website: a.Website, Industry: a.Industry, Employees: a.Employees,
		Revenue: a.Revenue, Country: a.Country, City: a.City, Owner: optional(a.OwnerEmail), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		Score: a.Score, Grade: a.Grade, ScoredAt: a.ScoredAt}
	if a.Tier != 0 {
		out.Tier = &a.Tier
	}
	return out
}

type contactJSON struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Account   string    `json:"account"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Phone     string    `json:"phone"`
	JobTitle  string    `json:"job_title"`
	Stage     string    `json:"stage"`
	DealRole  string    `json:"deal_role"`
	Owner     *string   `json:"owner"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func contactOut(c crm.Contact) contactJSON {
	return contactJSON{ID: c.ID, AccountID: c.AccountID, Account: c.AccountName, Email: c.Email, FirstName: c.FirstName,
		LastName: c.LastName, Phone: c.Phone, JobTitle: c.JobTitle, Stage: string(c.Stage), DealRole: string(c.Role), Owner: optional(c.OwnerEmail),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

type opportunityJSON struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	Account    string     `json:"account"`
	ContactID  *int64     `json:"contact_id"`
	Name       string     `json:"name"`
	Amount     *int64     `json:"amount"`
	Currency   string     `json:"currency"`
	CloseDate  *string    `json:"close_date"`
	Stage      string     `json:"stage"`
	LostReason string     `json:"lost_reason"`
	Owner      *string    `json:"owner"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at"`
}

func opportunityOut(o crm.Opportunity) opportunityJSON {
	j := opportunityJSON{ID: o.ID, AccountID: o.AccountID, Account: o.AccountName, Name: o.Name, Amount: o.Amount,
		Currency: o.Currency, CloseDate: optional(o.CloseDate), Stage: o.Stage, LostReason: o.LostReason,
		Owner: optional(o.OwnerEmail), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, ClosedAt: o.ClosedAt}
	if o.ContactID != 0 {
		id := o.ContactID
		j.ContactID = &id
	}
	return j
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// listOptions reads q, owner, stage, sort, limit and cursor. The cursor
// is opaque to clients: a keyset position the list checks.
func listOptions(r *http.Request) (crm.ListOptions, error) {
	v := r.URL.Query()
	o := crm.ListOptions{Q: v.Get("q"), Owner: v.Get("owner"), Stage: v.Get("stage"), Sort: v.Get("sort"), Limit: 50}
	bad := fault.Fields{}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "must be a whole number from 1 to 500")
		}
		o.Limit = n
	}
	if s := v.Get("segment"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			bad.Add("segment", "must be a segment's id")
		}
		o.Segment = n
	}
	o.Grade = v.Get("grade")
	o.Cursor = v.Get("cursor")
	return o, bad.Err()
}

// serveList answers a list request: the page that list gives for the
// query's options, each item shown by conv, with the cursor of the next.
func serveList[T, J any](a *API, w http.ResponseWriter, r *http.Request,
	list func(context.Context, access.Actor, crm.ListOptions) (crm.Page[T], error), conv func(T) J) {
	o, err := listOptions(r)
	var p crm.Page[T]
	if err == nil {
		p, err = list(r.Context(), actor(r), o)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []J     `json:"data"`
		Total      int     `json:"total"`
		NextCursor *string `json:"next_cursor"`
	}{Data: make([]J, 0, len(p.Items)), Total: p.Total}
	for _, it := range p.Items {
		out.Data = append(out.Data, conv(it))
	}
	if p.Next != "" {
		out.NextCursor = &p.Next
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, a.CRM.Accounts, accountOut)
}

type accountIn struct {
	Name      string `json:"name"`
	Website   string `json:"website"`
	Industry  string `json:"industry"`
	Employees *int64 `json:"employees"`
	Revenue   *int64 `json:"revenue"`
	Country   string `json:"country"`
	City      string `json:"city"`
	Owner     string `json:"owner"`
}

func (in accountIn) input() crm.AccountInput {
	out := crm.AccountInput{Name: in.Name, Website: in.Website, Industry: in.Industry, Country: in.Country, City: in.City, Owner: in.Owner}
	if in.Employees != nil {
		out.Employees = strconv.FormatInt(*in.Employees, 10)
	}
	if in.Revenue != nil {
		out.Revenue = strconv.FormatInt(*in.Revenue, 10)
	}
	return out
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request) {
	var in accountIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	acc, err := a.CRM.CreateAccount(r.Context(), actor(r), in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/accounts/"+strconv.FormatInt(acc.ID, 10))
	writeJSON(w, http.StatusCreated, accountOut(acc))
}

// getAccount answers with the account, its contacts and opportunities.
func (a *API) getAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.CRM.Account(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	leads, err := a.Leads.ConvertedInto(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		accountJSON
		Contacts      []contactJSON     `json:"contacts"`
		Opportunities []opportunityJSON `json:"opportunities"`
		Leads         []leadJSON        `json:"leads"`
		Linked        []linkedLeadJSON  `json:"linked_leads"`
		Committee     committeeJSON     `json:"committee"`
	}{accountJSON: accountOut(v.Account), Contacts: []contactJSON{}, Opportunities: []opportunityJSON{}, Leads: []leadJSON{},
		Linked: linkedLeadsOut(v.Linked), Committee: committeeOut(v.Committee)}
	for _, c := range v.Contacts {
		out.Contacts = append(out.Contacts, contactOut(c))
	}
	for _, o := range v.Opportunities {
		out.Opportunities = append(out.Opportunities, opportunityOut(o))
	}
	for _, l := range leads {
		out.Leads = append(out.Leads, toJSON(l))
	}
	writeJSON(w, http.StatusOK, out)
}

// updateAccount replaces the account's fields with the body's; absent
// members are kept.
func (a *API) updateAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.CRM.Account(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := accountIn{Name: v.Name, Website: v.Website, Industry: v.Industry, Employees: v.Employees, Revenue: v.Revenue, Country: v.Country, City: v.City, Owner: v.OwnerEmail}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	acc, err := a.CRM.UpdateAccount(r.Context(), actor(r), id, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountOut(acc))
}

func (a *API) listContacts(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, a.CRM.Contacts, contactOut)
}

func (a *API) getContact(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var c crm.Contact
		if c, err = a.CRM.Contact(r.Context(), actor(r), id); err == nil {
			writeJSON(w, http.StatusOK, contactOut(c))
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) listOpportunities(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, a.CRM.Opportunities, opportunityOut)
}

type opportunityIn struct {
	AccountID  int64   `json:"account_id"`
	ContactID  int64   `json:"contact_id"`
	Name       string  `json:"name"`
	Amount     *int64  `json:"amount"`
	Currency   string  `json:"currency"`
	CloseDate  *string `json:"close_date"`
	Stage      string  `json:"stage"`
	LostReason string  `json:"lost_reason"`
	Owner      string  `json:"owner"`
}

func (in opportunityIn) input() crm.OpportunityInput {
	out := crm.OpportunityInput{AccountID: in.AccountID, ContactID: in.ContactID, Name: in.Name, Currency: in.Currency,
		Stage: in.Stage, Owner: in.Owner}
	if in.Amount != nil {
		out.Amount = strconv.FormatInt(*in.Amount, 10)
	}
	if in.CloseDate != nil {
		out.CloseDate = *in.CloseDate
	}
	return out
}

func (a *API) createOpportunity(w http.ResponseWriter, r *http.Request) {
	var in opportunityIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	o, err := a.CRM.CreateOpportunity(r.Context(), actor(r), in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/opportunities/"+strconv.FormatInt(o.ID, 10))
	writeJSON(w, http.StatusCreated, opportunityOut(o))
}

type stageChangeJSON struct {
	At     time.Time `json:"at"`
	Actor  *string   `json:"actor"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
}

func (a *API) getOpportunity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.CRM.Opportunity(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		opportunityJSON
		History []stageChangeJSON `json:"history"`
	}{opportunityJSON: opportunityOut(v.Opportunity), History: []stageChangeJSON{}}
	for _, c := range v.History {
		out.History = append(out.History, stageChangeJSON{At: c.At, Actor: optional(c.ActorEmail), From: c.From, To: c.To, Reason: c.Reason})
	}
	writeJSON(w, http.StatusOK, out)
}

// updateOpportunity answers PATCH: the deal's fields, and its stage
// (with lost_reason when it is lost). Absent members are kept.
func (a *API) updateOpportunity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// The members sent go over the deal as it is when locked, so that
	// two PATCHes of different members at once both land.
	var in opportunityIn
	var was string // the stage before
	o, err := a.CRM.UpdateOpportunity(r.Context(), actor(r), id, func(cur crm.Opportunity) (crm.OpportunityInput, error) {
		in = opportunityIn{Name: cur.Name, Currency: cur.Currency, CloseDate: &cur.CloseDate, Stage: cur.Stage, Owner: cur.OwnerEmail}
		if cur.Amount != nil {
			amount := *cur.Amount // the members decode into in, not into the deal
			in.Amount = &amount
		}
		was = cur.Stage
		if err := decodeMembers(obj, &in); err != nil {
			return crm.OpportunityInput{}, err
		}
		if in.AccountID != 0 || in.ContactID != 0 {
			return crm.OpportunityInput{}, &fault.Error{Code: fault.Invalid, Message: "a deal stays with its account",
				Fields: map[string]string{"account_id": "cannot be changed"}}
		}
		return in.input(), nil
	})
	if err == nil && in.Stage != was {
		o, err = a.CRM.Move(r.Context(), actor(r), id, in.Stage, in.LostReason)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, opportunityOut(o))
}

type stageJSON struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Outcome string `json:"outcome"`
}

func pipelineOut(p crm.Pipeline) any {
	out := struct {
		Stages []stageJSON `json:"stages"`
	}{Stages: []stageJSON{}}
	for _, s := range p {
		out.Stages = append(out.Stages, stageJSON(s))
	}
	return out
}

func (a *API) getPipeline(w http.ResponseWriter, r *http.Request) {
	p, err := a.CRM.Pipeline(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pipelineOut(p))
}

// putPipeline replaces the open stages, by label, in order.
func (a *API) putPipeline(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Open []string `json:"open_stages"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.CRM.SetPipeline(r.Context(), actor(r), strings.Join(in.Open, "\n"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pipelineOut(p))
}

// convertLead answers POST /api/v1/leads/{id}/convert.
func (a *API) convertLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		AccountID    int64          `json:"account_id"`
		AccountName  string         `json:"account_name"`
		Opportunity  *opportunityIn `json:"opportunity"`
		HandoverNote string         `json:"handover_note"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ci := crm.ConvertInput{AccountID: in.AccountID, AccountName: in.AccountName, HandoverNote: in.HandoverNote}
	if in.Opportunity != nil {
		oi := in.Opportunity.input()
		ci.Opportunity = &oi
	}
	res, err := a.CRM.Convert(r.Context(), actor(r), id, ci)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		AccountID      int64    `json:"account_id"`
		ContactID      int64    `json:"contact_id"`
		OpportunityID  *int64   `json:"opportunity_id"`
		AccountMatched bool     `json:"account_matched"`
		HandoverID     *int64   `json:"handover_id"`
		Lead           leadJSON `json:"lead"`
	}{AccountID: res.AccountID, ContactID: res.ContactID, AccountMatched: res.AccountMatched, HandoverID: optionalID(res.HandoverID),
		Lead: toJSON(res.Lead)}
	if res.OpportunityID != 0 {
		out.OpportunityID = &res.OpportunityID
	}
	writeJSON(w, http.StatusCreated, out)
}

// markContacted answers POST /api/v1/leads/{id}/contacted.
func (a *API) markContacted(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.MarkContacted(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(l))
}
