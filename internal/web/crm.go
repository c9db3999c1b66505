package web

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/accountscore"
	"leadflow/internal/activity"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/nurture"
	"leadflow/internal/project"
	"leadflow/internal/salesteam"
	"leadflow/internal/segment"
)

// listOptions reads a list page's q, owner, stage, sort and cursor.
func listOptions(r *http.Request) crm.ListOptions {
	q := r.URL.Query()
	return crm.ListOptions{Q: q.Get("q"), Owner: q.Get("owner"), Stage: q.Get("stage"), Sort: q.Get("sort"), Limit: 50,
		Cursor: q.Get("cursor")}
}

// pager holds a list page's position and its neighbours' links.
type pager struct {
	From, To, Total int
	Prev, Next      string
}

func pagerOf[T any](r *http.Request, p crm.Page[T]) pager {
	pg := pager{From: p.From + 1, To: p.From + len(p.Items), Total: p.Total}
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		q := r.URL.Query()
		q.Set("cursor", cursor)
		return r.URL.Path + "?" + q.Encode()
	}
	pg.Prev, pg.Next = link(p.Prev), link(p.Next)
	return pg
}

type crmList[T any] struct {
	Query  url.Values
	Items  []T
	Pager  pager
	Errors map[string]string
	Values map[string]string
}

func (h *Web) listAccounts(w http.ResponseWriter, r *http.Request) {
	h.renderAccounts(w, r, nil, nil, 0)
}

// accountList is the accounts page: the list, and the account segments
// it can be filtered by.
type accountList struct {
	crmList[crm.Account]
	Segments []segment.Segment
	Sorts    []sortOption
}

// sortOption is one order of the accounts list's sort menu, which a
// phone needs: the column headers that sort are off screen there.
type sortOption struct{ Value, Key string }

var accountSortOptions = []sortOption{
	{"name", "acc.sort_name"}, {"-score", "acc.sort_score_desc"}, {"score", "acc.sort_score_asc"}, {"-grade", "acc.sort_grade"},
	{"tier", "acc.sort_tier"}, {"industry", "acc.sort_industry"}, {"country", "acc.sort_country"}, {"-created_at", "acc.sort_newest"},
}

func (h *Web) renderAccounts(w http.ResponseWriter, r *http.Request, errs, values map[string]string, status int) {
	o := listOptions(r)
	o.Grade = r.URL.Query().Get("grade")
	if id, err := strconv.ParseInt(r.URL.Query().Get("segment"), 10, 64); err == nil {
		o.Segment = id
	}
	p, err := h.CRM.Accounts(r.Context(), actor(r), o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	segs, err := h.Segments.ListKind(r.Context(), actor(r), segment.KindAccounts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := accountList{crmList: crmList[crm.Account]{Query: r.URL.Query(), Items: p.Items, Pager: pagerOf(r, p), Errors: errs, Values: values}, Segments: segs,
		Sorts: accountSortOptions}
	h.render(w, r, "accounts", page{Title: "Accounts", Nav: "accounts", Data: d, Status: status})
}

func accountForm(r *http.Request) (crm.AccountInput, map[string]string) {
	in := crm.AccountInput{Name: r.PostFormValue("name"), Website: r.PostFormValue("website"), Industry: r.PostFormValue("industry"),
		Employees: r.PostFormValue("employees"), Country: r.PostFormValue("country"), City: r.PostFormValue("city"), Owner: r.PostFormValue("owner"),
		Revenue: r.PostFormValue("revenue")}
	return in, map[string]string{"name": in.Name, "website": in.Website, "industry": in.Industry, "employees": in.Employees,
		"country": in.Country, "city": in.City, "owner": in.Owner, "revenue": in.Revenue}
}

func (h *Web) createAccount(w http.ResponseWriter, r *http.Request) {
	in, values := accountForm(r)
	acc, err := h.CRM.CreateAccount(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccounts(w, r, e.Fields, values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Account created.")
	http.Redirect(w, r, fmt.Sprintf("/accounts/%d", acc.ID), http.StatusSeeOther)
}

type accountData struct {
	crm.AccountView
	Leads    []lead.Lead
	Pipeline crm.Pipeline
	Errors   map[string]string // of the edit or new-deal form
	Values   map[string]string
	Form     string // which form they belong to: edit or deal
	Roles    []crm.Role
	Score    accountscore.Result
	Timeline []accountscore.Entry // what its people did, newest first
	// Sequences are those marketing may enrol the account's people in.
	Sequences []nurture.Sequence
}

func (h *Web) showAccount(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, "", nil, nil, 0)
}

func (h *Web) renderAccount(w http.ResponseWriter, r *http.Request, form string, errs, values map[string]string, status int) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var billing map[string]string // the billing form's, shown again
	currency := ""                // the new-invoice form's, shown again
	switch form {
	case "billing":
		billing, values = values, nil
	case "invoice":
		currency, values = values["currency"], nil
	}
	d := accountData{Errors: errs, Values: values, Form: form, Roles: crm.Roles}
	if form == "billing" || form == "invoice" {
		// The invoices card shows these forms' faults; the account's own
		// form beside them, with fields of the same names, has none.
		d.Errors = nil
	}
	if d.AccountView, err = h.CRM.Account(r.Context(), actor(r), id); err == nil {
		if d.Leads, err = h.Leads.ConvertedInto(r.Context(), actor(r), id); err == nil {
			d.Pipeline, err = h.pipeline(r)
		}
	}
	if err == nil {
		if d.Score, err = h.AccountScores.Score(r.Context(), id); err == nil {
			d.Timeline, err = h.AccountScores.Timeline(r.Context(), actor(r), id, 50)
		}
	}
	if err == nil && actor(r).ManagesMarketing() {
		d.Sequences, err = h.Nurture.Sequences(r.Context())
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Values == nil {
		in := crm.InputOf(d.Account)
		d.Values = map[string]string{"name": in.Name, "website": in.Website, "industry": in.Industry, "employees": in.Employees,
			"country": in.Country, "city": in.City, "owner": in.Owner, "revenue": in.Revenue}
	}
	invoices := h.invoicesOf(r, id, 0, false, currency, formErrors(form, "billing", errs), billing)
	if invoices != nil {
		invoices.NewErrors = formErrors(form, "invoice", errs)
	}
	h.render(w, r, "account", page{Title: d.Name, Nav: "accounts", Data: d, Status: status, Activities: h.activitiesOf(r, activity.OnAccount, id),
		Invoices:  invoices,
		Handovers: h.handoversOn(r, salesteam.Filter{AccountID: id})})
}

func (h *Web) updateAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, values := accountForm(r)
	_, err = h.CRM.UpdateAccount(r.Context(), actor(r), id, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccount(w, r, "edit", e.Fields, values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Account saved.")
	http.Redirect(w, r, fmt.Sprintf("/accounts/%d", id), http.StatusSeeOther)
}

func (h *Web) listContacts(w http.ResponseWriter, r *http.Request) {
	o := listOptions(r)
	p, err := h.CRM.Contacts(r.Context(), actor(r), o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := crmList[crm.Contact]{Query: r.URL.Query(), Items: p.Items, Pager: pagerOf(r, p)}
	h.render(w, r, "contacts", page{Title: "Contacts", Nav: "contacts", Data: d})
}

type contactData struct {
	crm.Contact
	Deals    []crm.Opportunity
	Leads    []lead.Lead
	Pipeline crm.Pipeline // names the deals' stages
}

func (h *Web) showContact(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var d contactData
	if d.Contact, err = h.CRM.Contact(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.CRM.Account(r.Context(), actor(r), d.AccountID)
	if err == nil {
		d.Leads, err = h.Leads.ConvertedInto(r.Context(), actor(r), d.AccountID)
	}
	if err == nil {
		d.Pipeline, err = h.pipeline(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range v.Opportunities {
		if o.ContactID == id {
			d.Deals = append(d.Deals, o)
		}
	}
	kept := d.Leads[:0]
	for _, l := range d.Leads {
		if l.Converted.ContactID == id {
			kept = append(kept, l)
		}
	}
	d.Leads = kept
	h.render(w, r, "contact", page{Title: d.Name(), Nav: "contacts", Data: d, Activities: h.activitiesOf(r, activity.OnContact, id)})
}

type boardData struct {
	Columns  []crm.Column
	Pipeline crm.Pipeline
	Mine     bool
	List     *crmList[crm.Opportunity] // the table view
	// Today is the date in the user's time zone, YYYY-MM-DD: an open
	// deal expected to close before it is overdue.
	Today string
}

// Overdue reports whether deal o is open and its expected close date has
// passed.
func (d boardData) Overdue(o crm.Opportunity) bool {
	st, ok := d.Pipeline.Find(o.Stage)
	return ok && st.Outcome == crm.Open && o.CloseDate != "" && o.CloseDate < d.Today
}

// board shows the deals by pipeline stage, or as a table with ?view=list.
func (h *Web) board(w http.ResponseWriter, r *http.Request) {
	o := listOptions(r)
	d := boardData{Mine: o.Owner == "me", Today: time.Now().In(h.zone(r)).Format(time.DateOnly)}
	var err error
	if d.Pipeline, err = h.pipeline(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("view") == "list" {
		p, err := h.CRM.Opportunities(r.Context(), actor(r), o)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.List = &crmList[crm.Opportunity]{Query: r.URL.Query(), Items: p.Items, Pager: pagerOf(r, p)}
	} else if d.Columns, err = h.CRM.Board(r.Context(), actor(r), o, 50); err != nil {
		h.fail(w, r, err)
		return
	}
	for i, c := range d.Columns {
		d.Columns[i].Stage.Label = d.Pipeline.Label(c.Stage.Key) // in the reader's language
	}
	h.render(w, r, "deals", page{Title: "Deals", Nav: "deals", Data: d})
}

func dealForm(r *http.Request) (crm.OpportunityInput, map[string]string) {
	account, _ := strconv.ParseInt(r.PostFormValue("account_id"), 10, 64)
	contact, _ := strconv.ParseInt(r.PostFormValue("contact_id"), 10, 64)
	in := crm.OpportunityInput{AccountID: account, ContactID: contact, Name: r.PostFormValue("deal_name"),
		Amount: r.PostFormValue("amount"), Currency: r.PostFormValue("currency"), CloseDate: r.PostFormValue("close_date"),
		Stage: r.PostFormValue("stage"), Owner: r.PostFormValue("owner")}
	return in, map[string]string{"contact_id": r.PostFormValue("contact_id"), "deal_name": in.Name, "amount": in.Amount,
		"currency": in.Currency, "close_date": in.CloseDate, "stage": in.Stage, "owner": in.Owner}
}

// dealErrors renames the name field of a deal form, which sits beside
// other forms' name fields.
func dealErrors(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		if k == "name" {
			k = "deal_name"
		}
		out[k] = v
	}
	return out
}

// createDeal answers the new-deal form of an account page.
func (h *Web) createDeal(w http.ResponseWriter, r *http.Request) {
	in, values := dealForm(r)
	o, err := h.CRM.CreateOpportunity(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		r.SetPathValue("id", strconv.FormatInt(in.AccountID, 10))
		h.renderAccount(w, r, "deal", dealErrors(e.Fields), values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Opportunity opened.")
	http.Redirect(w, r, fmt.Sprintf("/deals/%d", o.ID), http.StatusSeeOther)
}

type dealData struct {
	crm.OpportunityView
	// Project is the won deal's project, nil when it has none.
	Project  *project.Project
	Pipeline crm.Pipeline
	Errors   map[string]string
	Values   map[string]string
	Form     string // edit or move
}

func (h *Web) showDeal(w http.ResponseWriter, r *http.Request) {
	h.renderDeal(w, r, "", nil, nil, 0)
}

func (h *Web) renderDeal(w http.ResponseWriter, r *http.Request, form string, errs, values map[string]string, status int) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := dealData{Errors: errs, Values: values, Form: form}
	if d.OpportunityView, err = h.CRM.Opportunity(r.Context(), actor(r), id); err == nil {
		if d.Pipeline, err = h.pipeline(r); err == nil {
			d.Project, err = h.Projects.ForDeal(r.Context(), actor(r), id)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The forms show the deal as it is, but for what the refused form
	// sent: a move refused leaves the edit form filled.
	o := d.Opportunity
	shown := map[string]string{"deal_name": o.Name, "currency": o.Currency, "close_date": o.CloseDate, "owner": o.OwnerEmail, "stage": o.Stage,
		"version": strconv.FormatInt(o.Version, 10)}
	if o.Amount != nil {
		shown["amount"] = strconv.FormatInt(*o.Amount, 10)
	}
	maps.Copy(shown, values)
	d.Values = shown
	if _, stale := errs["version"]; stale {
		// The page now shows the deal as it is: saving the values kept
		// again replaces the other change knowingly.
		d.Values["version"] = strconv.FormatInt(d.Version, 10)
	}
	h.render(w, r, "deal", page{Title: d.Name, Nav: "deals", Data: d, Status: status, Activities: h.activitiesOf(r, activity.OnOpportunity, id),
		Products:  h.productsOf(r, id, formErrors(form, "products", errs)),
		Invoices:  h.invoicesOf(r, d.AccountID, id, d.Stage == "won", d.Currency, nil, nil),
		Handovers: h.handoversOn(r, salesteam.Filter{DealID: id})})
}

func (h *Web) updateDeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, values := dealForm(r)
	values["version"] = r.PostFormValue("version")
	in.Version, _ = strconv.ParseInt(values["version"], 10, 64)
	// The form sends every field, as the user left it.
	_, err = h.CRM.UpdateOpportunity(r.Context(), actor(r), id, func(crm.Opportunity) (crm.OpportunityInput, error) { return in, nil })
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderDeal(w, r, "edit", dealErrors(e.Fields), values, refusedStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Opportunity saved.")
	http.Redirect(w, r, fmt.Sprintf("/deals/%d", id), http.StatusSeeOther)
}

// moveDeal answers the move forms of the board and of a deal's page. A
// move to lost without a reason comes back as the deal's page asking for
// one, keeping the stage chosen.
func (h *Web) moveDeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stage, reason := r.PostFormValue("stage"), r.PostFormValue("lost_reason")
	o, err := h.CRM.Move(r.Context(), actor(r), id, stage, reason)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderDeal(w, r, "move", e.Fields, map[string]string{"stage": stage, "lost_reason": reason}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg := tr(r, "flash.deal_moved", "Name", o.Name, "Stage", stage)
	if p, err := h.pipeline(r); err == nil {
		if st, ok := p.Find(o.Stage); ok {
			msg = tr(r, "flash.deal_moved", "Name", o.Name, "Stage", st.Label)
			if st.Outcome == crm.Won {
				msg += " " + tr(r, "flash.contact_now_customer")
			}
		}
	}
	h.flash(w, msg)
	back := r.PostFormValue("back")
	if back != "/deals" && back != "/deals?owner=me" {
		back = fmt.Sprintf("/deals/%d", id)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type convertData struct {
	Lead     lead.Lead
	Match    *crm.Account
	Pipeline crm.Pipeline
	Errors   map[string]string
	Values   map[string]string
	// HandsOver is set when the conversion goes to an account executive,
	// who reads a note from the SDR; a note typed is shown whatever.
	HandsOver bool
}

func (h *Web) convertPage(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	values := map[string]string{"account_name": l.Company, "open_deal": "on", "deal_name": dealName(r, l), "currency": "EUR",
		"close_date": time.Now().AddDate(0, 3, 0).Format(time.DateOnly)}
	// The qualification's budget is the deal's first amount.
	b, err := h.Leads.Qualification(r.Context(), actor(r), l.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if b != nil && b.BudgetAmount != nil && *b.BudgetAmount > 0 {
		values["amount"], values["currency"] = strconv.FormatInt(*b.BudgetAmount, 10), b.BudgetCurrency
	}
	// A link may propose the deal, as an accepted match's does.
	for _, k := range []string{"deal_name", "amount", "currency"} {
		if v := r.URL.Query().Get(k); v != "" {
			values[k] = v
		}
	}
	h.renderConvert(w, r, l, nil, values, 0)
}

// dealName is the name a conversion's deal is offered, in the reader's
// language: the company's new business.
func dealName(r *http.Request, l lead.Lead) string {
	return tr(r, "convert.new_business", "Name", cmp.Or(l.Company, l.Name()))
}

func (h *Web) renderConvert(w http.ResponseWriter, r *http.Request, l lead.Lead, errs, values map[string]string, status int) {
	if !lead.CanConvert(l) {
		h.fail(w, r, fault.Errorf(fault.Conflict, "%s cannot be converted: only an SQL that was not converted before can.", l.Name()))
		return
	}
	d := convertData{Lead: l, Errors: errs, Values: values, HandsOver: values["handover_note"] != "" || errs["handover_note"] != ""}
	acc, ok, err := h.CRM.MatchFor(r.Context(), l)
	if err == nil {
		d.Pipeline, err = h.pipeline(r)
	}
	if err == nil && !d.HandsOver && h.Teams != nil {
		d.HandsOver, err = h.Teams.QualifiedBySDR(r.Context(), l.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ok {
		d.Match = &acc
	}
	h.render(w, r, "convert", page{Title: tr(r, "title.convert_named", "Name", l.Name()), Nav: "leads", Data: d, Status: status})
}

func (h *Web) convertLead(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	values := map[string]string{}
	for _, k := range []string{"account_name", "open_deal", "deal_name", "amount", "currency", "close_date", "stage", "handover_note"} {
		values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := crm.ConvertInput{AccountName: values["account_name"], HandoverNote: values["handover_note"]}
	if values["open_deal"] != "" {
		in.Opportunity = &crm.OpportunityInput{Name: values["deal_name"], Amount: values["amount"], Currency: values["currency"],
			CloseDate: values["close_date"], Stage: values["stage"]}
	}
	res, err := h.CRM.Convert(r.Context(), actor(r), l.ID, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderConvert(w, r, l, dealErrors(e.Fields), values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg := tr(r, "flash.converted_new_account")
	if res.AccountMatched {
		msg = tr(r, "flash.converted_existing_account")
	}
	if res.HandoverID != 0 {
		msg += " " + tr(r, "flash.handed_over_to_ae")
	}
	h.flash(w, msg)
	http.Redirect(w, r, fmt.Sprintf("/accounts/%d", res.AccountID), http.StatusSeeOther)
}

func (h *Web) markContacted(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = h.Leads.MarkContacted(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "First contact logged.")
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", id), http.StatusSeeOther)
}

type homeData struct {
	Overdue  []lead.Lead
	Awaiting []lead.Lead
	Deals    []crm.Opportunity
	Now      time.Time
	Stages   crm.Pipeline
	// TeamOverdue counts everyone's overdue leads, for those who see all.
	TeamOverdue int
	// Today is the day in the user's zone (YYYY-MM-DD).
	Today string
}

// Late reports whether open deal o's expected close date has passed, as
// the board marks it.
func (d homeData) Late(o crm.Opportunity) bool { return o.CloseDate != "" && o.CloseDate < d.Today }

// home is each user's desk: first contacts overdue and due, and their
// open deals.
func (h *Web) home(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	d := homeData{Now: time.Now()}
	d.Today = d.Now.In(h.zone(r)).Format(time.DateOnly)
	mine := func(contact string, limit int) (lead.Page, error) {
		f, _ := lead.ParseFilter(url.Values{"owner": {"me"}, "contact": {contact}, "sort": {"contact_due_at"}, "limit": {strconv.Itoa(limit)}})
		return h.Leads.List(r.Context(), a, f, false)
	}
	p, err := mine(lead.ContactOverdue, 50)
	d.Overdue = p.Leads
	if err == nil {
		p, err = mine(lead.ContactAwaiting, 50)
		for _, l := range p.Leads {
			if !l.Overdue(d.Now) {
				d.Awaiting = append(d.Awaiting, l)
			}
		}
	}
	if err == nil && a.SeesAllLeads() {
		f, _ := lead.ParseFilter(url.Values{"contact": {lead.ContactOverdue}, "limit": {"1"}})
		p, err = h.Leads.List(r.Context(), a, f, true)
		d.TeamOverdue = p.Total
	}
	if err == nil {
		d.Stages, err = h.pipeline(r)
	}
	if err == nil {
		var deals crm.Page[crm.Opportunity]
		deals, err = h.CRM.Opportunities(r.Context(), a, crm.ListOptions{Owner: "me", Sort: "close_date", Limit: 100})
		for _, o := range deals.Items {
			if st, ok := d.Stages.Find(o.Stage); ok && st.Outcome == crm.Open {
				d.Deals = append(d.Deals, o)
			}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "home", page{Title: "My work", Nav: "home", Data: d})
}

// sortHeader is a list's column header that sorts by key: a click sorts
// by it, a second click reverses it, as the lead list's headers do. The
// other query parameters stay; paging starts again.
func sortHeader(q url.Values, base, key, label string) column {
	col := column{Key: key, Label: label, Sort: "none"}
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "sort" {
			v[k] = vs
		}
	}
	cur := q.Get("sort")
	next := key
	switch cur {
	case key, "":
		if cur == key || key == "name" { // name is the default order
			col.Arrow, col.Sort, next = "▲", "ascending", "-"+key
		}
	case "-" + key:
		col.Arrow, col.Sort = "▼", "descending"
	}
	v.Set("sort", next)
	col.URL = base + "?" + v.Encode()
	return col
}

func init() { funcs["sortHeader"] = sortHeader }

// pipeline is the team's deal stages for r's reader: a stage that still
// has the label leadflow gave it reads in the reader's language, and one
// the team named keeps its name.
func (h *Web) pipeline(r *http.Request) (crm.Pipeline, error) {
	p, err := h.CRM.Pipeline(r.Context())
	if err != nil {
		return nil, err
	}
	return localPipeline(i18n.From(r.Context()), p), nil
}

// seededStages are the stages' labels as migration 0006 gave them.
var seededStages = map[string]string{"qualification": "Qualification", "proposal": "Proposal",
	"negotiation": "Negotiation", "won": "Won", "lost": "Lost"}

func localPipeline(l *i18n.Locale, p crm.Pipeline) crm.Pipeline {
	out := slices.Clone(p)
	for i, st := range out {
		if seededStages[st.Key] == st.Label {
			out[i].Label = l.T("dstage." + st.Key)
		}
	}
	return out
}
