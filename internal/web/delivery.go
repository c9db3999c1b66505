package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/project"
)

func (h *Web) deliveryRoutes(private routeMux) {
	private.HandleFunc("GET /projects", h.projectBoard)
	private.HandleFunc("POST /projects", h.createProject)
	private.HandleFunc("POST /projects/{id}/move", h.deliveryAction("move", h.moveProject))
	private.HandleFunc("POST /projects/{id}/delivery", h.deliveryAction("delivery", h.changeDelivery))
	private.HandleFunc("POST /projects/{id}/tasks", h.deliveryAction("task", h.addTask))
	private.HandleFunc("POST /projects/{id}/milestones", h.deliveryAction("milestone", h.addMilestone))
	private.HandleFunc("POST /projects/{id}/milestones/{mid}", h.deliveryAction("milestone", h.markMilestone))
	private.HandleFunc("POST /projects/{id}/time", h.deliveryAction("time", h.logTime))
	private.HandleFunc("POST /projects/{id}/status-link", h.openStatusLink)
	private.HandleFunc("POST /projects/{id}/status-link/revoke", h.deliveryAction("link", h.revokeStatusLink))
	private.HandleFunc("POST /deals/{id}/project", h.projectFromDeal)
	private.HandleFunc("GET /settings/projects", h.showProjectSettings)
	private.HandleFunc("POST /settings/projects", h.saveProjectSettings)
	private.HandleFunc("GET /reports/projects", h.projectReport)
}

type boardProjectsData struct {
	Type     project.Type
	Columns  []project.Column
	List     []project.Project
	Next     string
	Status   string
	Accounts []crm.Account
	Errors   map[string]string
	Values   map[string]string
}

// projectBoard is the board of a type's projects by stage, or the list
// of all projects (view=list), with the form that opens one by hand.
func (h *Web) projectBoard(w http.ResponseWriter, r *http.Request) {
	h.renderBoard(w, r, nil, nil, 0)
}

func (h *Web) renderBoard(w http.ResponseWriter, r *http.Request, errs, values map[string]string, status int) {
	q := r.URL.Query()
	d := boardProjectsData{Type: project.Type(q.Get("type")), Status: q.Get("status"), Errors: errs, Values: values}
	if d.Type == "" {
		d.Type = project.Implementation
	}
	var err error
	if q.Get("view") == "list" {
		var page project.Page
		page, err = h.Projects.List(r.Context(), actor(r), project.Filter{Status: project.DeliveryStatus(d.Status), Query: q.Get("q"),
			Cursor: q.Get("cursor"), Limit: 100})
		d.List, d.Next = page.Data, page.Next
		if d.List == nil {
			d.List = []project.Project{}
		}
	} else {
		d.Columns, err = h.Projects.Board(r.Context(), actor(r), d.Type)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	accounts, err := h.CRM.Accounts(r.Context(), actor(r), crm.ListOptions{Sort: "name", Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Accounts = accounts.Items
	h.render(w, r, "projects", page{Title: i18n.T(r.Context(), "prj.projects"), Nav: "projects", Data: d, Status: status})
}

func (h *Web) createProject(w http.ResponseWriter, r *http.Request) {
	values := map[string]string{"title": r.PostFormValue("title"), "type": r.PostFormValue("type"), "account_id": r.PostFormValue("account_id"),
		"due_on": r.PostFormValue("due_on"), "budget": r.PostFormValue("budget"), "currency": r.PostFormValue("currency")}
	in := project.DeliveryInput{Title: project.Str(values["title"]), Type: project.Str(values["type"]), DueOn: project.Str(values["due_on"]),
		Budget: project.Str(values["budget"]), Currency: project.Str(values["currency"]), Owner: project.Str("")}
	if id, err := strconv.ParseInt(values["account_id"], 10, 64); err == nil {
		in.AccountID = &id
	}
	p, err := h.Projects.Create(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderBoard(w, r, e.Fields, values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.project_opened", "Title", p.Title))
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", p.ID), http.StatusSeeOther)
}

// projectFromDeal is the deal page's one click: the won deal's project,
// made now or the one it has.
func (h *Web) projectFromDeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, created, err := h.Projects.FromDeal(r.Context(), actor(r), id, project.Type(r.PostFormValue("type")))
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderDeal(w, r, "project", e.Fields, nil, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if created {
		h.flash(w, i18n.T(r.Context(), "flash.project_from_deal", "Title", p.Title))
	}
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", p.ID), http.StatusSeeOther)
}

type deliveryData struct {
	Project    project.Project
	Members    []string
	Stages     []project.Stage
	Visits     []project.Visit
	StageTimes []project.StageTime
	Tasks      []project.Task
	Milestones []project.Milestone
	Time       []project.TimeEntry
	Costs      project.Costs
	Today      string
	Form       string // the form refused, if any
	Errors     map[string]string
	Values     map[string]string
	StatusURL  string // a status link just made, shown once
	// Convert proposes an accepted custom project as its lead's deal,
	// while it has none; "" otherwise.
	Convert string
}

func (h *Web) renderDelivery(w http.ResponseWriter, r *http.Request, p project.Project, d deliveryData, status int) {
	ctx, a := r.Context(), actor(r)
	d.Project, d.Today = p, h.Projects.Now().In(h.zone(r)).Format(time.DateOnly)
	var err error
	if d.Members, err = h.Projects.Members(ctx, p.ID); err == nil {
		if d.Stages, err = h.Projects.Stages(ctx, p.Type); err == nil {
			if d.Visits, err = h.Projects.History(ctx, a, p.ID); err == nil {
				d.StageTimes = project.TimeInStages(d.Visits, h.Projects.Now())
				if d.Tasks, err = h.Projects.Tasks(ctx, a, p.ID); err == nil {
					if d.Milestones, err = h.Projects.Milestones(ctx, a, p.ID); err == nil {
						if d.Time, err = h.Projects.Time(ctx, a, p.ID); err == nil {
							d.Costs, err = h.Projects.Costs(ctx, a, p.ID)
						}
					}
				}
			}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Values == nil {
		d.Values = h.projectValues(r, p)
	}
	if p.LeadID != 0 && p.Status == project.Accepted && p.OpportunityID == 0 {
		if l, err := h.Leads.Get(ctx, a, p.LeadID); err == nil {
			d.Convert = projectConvertLink(l, p)
		}
	}
	h.render(w, r, "delivery", page{Title: p.Title, Nav: "projects", Data: d, Status: status})
}

func decimal(minor int64) string {
	if minor == 0 {
		return ""
	}
	s := strconv.FormatInt(minor/100, 10)
	if c := minor % 100; c != 0 {
		s += fmt.Sprintf(".%02d", c)
	}
	return s
}

// deliveryAction runs a form of the project page: done, back to the
// page with a note; refused, the page again with the form's errors and
// what was typed.
func (h *Web) deliveryAction(form string, do func(r *http.Request, id int64) (string, map[string]string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		msg, values, err := do(r, id)
		if e := fault.As(err); e != nil && e.Fields != nil {
			p, gerr := h.Projects.Get(r.Context(), actor(r), id)
			if gerr != nil {
				h.fail(w, r, gerr)
				return
			}
			status := refusedStatus(e)
			d := deliveryData{Form: form, Errors: e.Fields, Values: values}
			if form != "delivery" {
				// The project's form shows the project; the refused one
				// what was typed into it.
				d.Errors, d.Values = prefixed(form, e.Fields), h.projectValues(r, p)
				for k, v := range values {
					d.Values[form+"."+k] = v
				}
			}
			h.renderDelivery(w, r, p, d, status)
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.flash(w, msg)
		// A move made on the board goes back to the board.
		if back := r.PostFormValue("back"); back == "/projects" || strings.HasPrefix(back, "/projects?type=") {
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/projects/%d#%s", id, form), http.StatusSeeOther)
	}
}

// projectValues are p's fields as its form shows them.
func (h *Web) projectValues(r *http.Request, p project.Project) map[string]string {
	v := map[string]string{"title": p.Title, "status": string(p.Delivery.Status), "owner": p.OwnerEmail, "start_on": p.StartOn,
		"due_on": p.DueOn, "budget": decimal(p.Budget), "currency": p.Currency, "client_language": p.ClientLanguage}
	if members, err := h.Projects.Members(r.Context(), p.ID); err == nil {
		v["members"] = strings.Join(members, ", ")
	}
	return v
}

func prefixed(form string, errs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		out[form+"."+k] = v
	}
	return out
}

func version(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

func (h *Web) moveProject(r *http.Request, id int64) (string, map[string]string, error) {
	stage, _ := strconv.ParseInt(r.PostFormValue("stage_id"), 10, 64)
	p, err := h.Projects.Move(r.Context(), actor(r), id, version(r), stage)
	return tr(r, "flash.project_moved", "Title", p.Title, "Stage", p.StageName), nil, err
}

func (h *Web) changeDelivery(r *http.Request, id int64) (string, map[string]string, error) {
	v := map[string]string{}
	for _, k := range []string{"title", "status", "owner", "start_on", "due_on", "budget", "currency", "client_language", "members"} {
		v[k] = r.PostFormValue(k)
	}
	members := []string{}
	for _, m := range strings.Split(v["members"], ",") {
		if m = strings.TrimSpace(m); m != "" {
			members = append(members, m)
		}
	}
	in := project.DeliveryInput{Title: project.Str(v["title"]), Status: project.Str(v["status"]), Owner: project.Str(v["owner"]),
		StartOn: project.Str(v["start_on"]), DueOn: project.Str(v["due_on"]), Budget: project.Str(v["budget"]), Currency: project.Str(v["currency"]),
		ClientLanguage: project.Str(v["client_language"]), Members: &members}
	if strings.TrimSpace(v["owner"]) == "" {
		in.Owner = nil
	}
	_, err := h.Projects.ChangeDelivery(r.Context(), actor(r), id, version(r), in)
	return tr(r, "flash.project_saved"), v, err
}

func (h *Web) addTask(r *http.Request, id int64) (string, map[string]string, error) {
	v := map[string]string{"subject": r.PostFormValue("subject"), "assignee": r.PostFormValue("assignee"), "due_on": r.PostFormValue("due_on")}
	t, err := h.Projects.AddTask(r.Context(), actor(r), id, project.TaskInput{Subject: v["subject"], Assignee: v["assignee"], Due: v["due_on"]})
	return tr(r, "flash.task_planned", "Subject", t.Subject), v, err
}

func (h *Web) addMilestone(r *http.Request, id int64) (string, map[string]string, error) {
	v := map[string]string{"name": r.PostFormValue("name"), "due_on": r.PostFormValue("due_on")}
	m, err := h.Projects.AddMilestone(r.Context(), actor(r), id, project.MilestoneInput{Name: project.Str(v["name"]), DueOn: project.Str(v["due_on"])})
	return tr(r, "flash.milestone_added", "Name", m.Name), v, err
}

func (h *Web) markMilestone(r *http.Request, id int64) (string, map[string]string, error) {
	mid, err := strconv.ParseInt(r.PathValue("mid"), 10, 64)
	if err != nil {
		return "", nil, fault.Errorf(fault.NotFound, "There is no milestone %q.", r.PathValue("mid"))
	}
	done := r.PostFormValue("done") == "1"
	m, err := h.Projects.ChangeMilestone(r.Context(), actor(r), mid, project.MilestoneInput{Done: &done})
	if err == nil && m.ProjectID != id {
		return "", nil, fault.Errorf(fault.NotFound, "There is no such milestone on this project.")
	}
	if done {
		return tr(r, "flash.milestone_reached", "Name", m.Name), nil, err
	}
	return tr(r, "flash.milestone_open_again", "Name", m.Name), nil, err
}

func (h *Web) logTime(r *http.Request, id int64) (string, map[string]string, error) {
	v := map[string]string{"hours": r.PostFormValue("hours"), "worked_on": r.PostFormValue("worked_on"), "task_id": r.PostFormValue("task_id"),
		"note": r.PostFormValue("note")}
	task, _ := strconv.ParseInt(v["task_id"], 10, 64)
	e, err := h.Projects.LogTime(r.Context(), actor(r), id, project.TimeInput{TaskID: task, WorkedOn: v["worked_on"], Hours: v["hours"], Note: v["note"]})
	hours := float64(e.Minutes) / 60
	return tr(r, "flash.hours_logged", "Count", hours, "Hours", i18n.From(r.Context()).Decimal(hours, hourDecimals(e.Minutes))), v, err
}

// hourDecimals is how many decimals minutes need written as hours: none
// for whole hours, one for tenths (1.5), two otherwise (1.25, 0.33).
func hourDecimals(minutes int64) int {
	switch {
	case minutes%60 == 0:
		return 0
	case minutes%6 == 0:
		return 1
	}
	return 2
}

func (h *Web) revokeStatusLink(r *http.Request, id int64) (string, map[string]string, error) {
	return tr(r, "flash.status_link_revoked"), nil, h.Projects.RevokeStatusLink(r.Context(), actor(r), id)
}

// openStatusLink makes a new client link and shows it once, on the page
// itself: only its hash is kept.
func (h *Web) openStatusLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var token string
	if err == nil {
		token, err = h.Projects.OpenStatusLink(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.Projects.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.renderDelivery(w, r, p, deliveryData{StatusURL: requestBase(r) + "/status/" + token}, http.StatusOK)
}

// requestBase is the scheme and host the request was made to.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// clientStatus is the client's page at a secret link: where the project
// stands, nothing of its costs; any other address is not found.
func (h *Web) clientStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Header().Set("Cache-Control", "no-store")
	cs, err := h.Projects.StatusByToken(r.Context(), r.PathValue("token"))
	if e := fault.As(err); e != nil && e.Code == fault.NotFound {
		h.render(w, r, "error", page{Title: i18n.T(r.Context(), "status.not_found"), Status: http.StatusNotFound, Data: i18n.T(r.Context(), "status.gone")})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// The page speaks the client's language, set on the project, whatever
	// the browser that opens the link asks for.
	if i18n.Valid(cs.Language) {
		r = r.WithContext(i18n.WithLang(r.Context(), cs.Language))
	}
	h.render(w, r, "client_status", page{Title: cs.Title, Data: cs})
}

type projectSettingsData struct {
	Settings  project.Settings
	RateNames map[string]string
	Stages    map[project.Type][]project.Stage
	Templates map[project.Type][]project.Template
	Errors    map[string]string // by the form's field, to mark it
	Summary   []string          // each refused line or setting, named in the reader's language
	Values    map[string]string
}

func (h *Web) showProjectSettings(w http.ResponseWriter, r *http.Request) {
	h.renderProjectSettings(w, r, nil, nil, 0)
}

func (h *Web) renderProjectSettings(w http.ResponseWriter, r *http.Request, errs, values map[string]string, status int) {
	if !actor(r).ManagesSettings() {
		h.fail(w, r, fault.Errorf(fault.Forbidden, "only admins change the project settings"))
		return
	}
	ctx := r.Context()
	d := projectSettingsData{Errors: settingsErrors(errs), Summary: settingsSummary(i18n.From(ctx), errs), Values: values,
		Stages: map[project.Type][]project.Stage{}, Templates: map[project.Type][]project.Template{}}
	var err error
	if d.Settings, err = h.Projects.Settings(ctx); err == nil {
		d.RateNames, err = h.Projects.RateNames(ctx, d.Settings)
	}
	for _, t := range project.Types {
		if err == nil {
			d.Stages[t], err = h.Projects.Stages(ctx, t)
		}
		if err == nil {
			d.Templates[t], err = h.Projects.Templates(ctx, t)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Values == nil {
		d.Values = map[string]string{"warn_at": strconv.Itoa(d.Settings.WarnAt), "default_type": string(d.Settings.DefaultType)}
		var rates []string
		for k, v := range d.Settings.Rates {
			rates = append(rates, d.RateNames[k]+" = "+decimal(v))
		}
		d.Values["rates"] = strings.Join(sorted(rates), "\n")
		for _, t := range project.Types {
			var names, tpl []string
			for _, st := range d.Stages[t] {
				names = append(names, st.Name)
			}
			for _, tp := range d.Templates[t] {
				tpl = append(tpl, fmt.Sprintf("%s | %d | %s", tp.Kind, tp.OffsetDays, tp.Name))
			}
			d.Values["stages."+string(t)] = strings.Join(names, "\n")
			d.Values["templates."+string(t)] = strings.Join(tpl, "\n")
		}
		if d.Settings.AutoFromWon {
			d.Values["auto_from_won"] = "1"
		}
	}
	h.render(w, r, "project_settings", page{Title: i18n.T(r.Context(), "prj.project_settings"), Nav: "projects", Data: d, Status: status})
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// saveProjectSettings reads the settings form: stages one a line (a
// stage keeps its history while its name stays; renaming is done by
// editing the line in place, which keeps its place in the list),
// templates as "kind | days | name", rates as "role:sales = 60".
func (h *Web) saveProjectSettings(w http.ResponseWriter, r *http.Request) {
	a, ctx := actor(r), r.Context()
	values := map[string]string{"warn_at": r.PostFormValue("warn_at"), "default_type": r.PostFormValue("default_type"),
		"rates": r.PostFormValue("rates"), "auto_from_won": r.PostFormValue("auto_from_won")}
	auto := values["auto_from_won"] == "1"
	in := project.SettingsInput{AutoFromWon: &auto, DefaultType: project.Str(values["default_type"]), WarnAt: project.Str(values["warn_at"]),
		Rates: map[string]string{}, Templates: map[project.Type][]project.TemplateInput{}}
	bad := fault.Fields{}
	st, err := h.Projects.Settings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, _ := h.Projects.RateNames(ctx, st)
	for k := range st.Rates {
		in.Rates[names[k]] = "" // removed unless listed again
	}
	// Lines are named by their number in the box, blank ones counted.
	for i, line := range strings.Split(values["rates"], "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			bad.Add("rates", fmt.Sprintf("line %d: write user:<email> = 60 or role:sales = 50", i+1))
			continue
		}
		in.Rates[strings.TrimSpace(k)] = i18n.From(ctx).ReadNumber(strings.TrimSpace(v))
	}
	stageLists := map[project.Type][]project.StageInput{}
	for _, t := range project.Types {
		values["stages."+string(t)] = r.PostFormValue("stages." + string(t))
		values["templates."+string(t)] = r.PostFormValue("templates." + string(t))
		old, err := h.Projects.Stages(ctx, t)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		stageLists[t] = matchStages(old, lines(values["stages."+string(t)]))
		for i, line := range strings.Split(values["templates."+string(t)], "\n") {
			if line = strings.TrimSpace(line); line == "" {
				// An empty row, which the service skips, keeps the
				// rows' numbers those of the lines.
				in.Templates[t] = append(in.Templates[t], project.TemplateInput{})
				continue
			}
			parts := strings.SplitN(line, "|", 3)
			if len(parts) != 3 {
				bad.Add("templates."+string(t), fmt.Sprintf("line %d: write kind | days from the start | name, such as task | 5 | Collect requirements", i+1))
				continue
			}
			in.Templates[t] = append(in.Templates[t], project.TemplateInput{Kind: strings.TrimSpace(parts[0]),
				OffsetDays: strings.TrimSpace(parts[1]), Name: strings.TrimSpace(parts[2])})
		}
		if in.Templates[t] == nil {
			in.Templates[t] = []project.TemplateInput{}
		}
	}
	refuse := func(errs map[string]string, status int) { h.renderProjectSettings(w, r, errs, values, status) }
	if err := bad.Err(); err != nil {
		refuse(fault.As(err).Fields, http.StatusUnprocessableEntity)
		return
	}
	if _, err := h.Projects.SaveSettings(ctx, a, in); err != nil {
		if e := fault.As(err); e != nil && e.Fields != nil {
			refuse(e.Fields, formStatus(e))
			return
		}
		h.fail(w, r, err)
		return
	}
	for _, t := range project.Types {
		if _, err := h.Projects.SetStages(ctx, a, t, stageLists[t]); err != nil {
			if e := fault.As(err); e != nil && e.Fields != nil {
				errs := map[string]string{}
				for k, v := range e.Fields {
					errs["stages."+string(t)+"."+k] = v // "stages.implementation.stages.0.name"
				}
				refuse(errs, formStatus(e))
				return
			}
			h.fail(w, r, err)
			return
		}
	}
	h.flash(w, "Project settings saved.")
	http.Redirect(w, r, "/settings/projects", http.StatusSeeOther)
}

// settingsErrors folds per-row errors onto the text areas they came from.
func settingsErrors(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		switch {
		case strings.HasPrefix(k, "rates."):
			out["rates"] = v
		case strings.HasPrefix(k, "templates.") || strings.HasPrefix(k, "stages."):
			// templates.<type>[.<row>.<field>], stages.<type>.<its key>:
			// the field is the type's textarea.
			kind, rest, _ := strings.Cut(k, ".")
			t, _, _ := strings.Cut(rest, ".")
			out[kind+"."+t] = v
		default:
			out[k] = v
		}
	}
	return out
}

// settingsSummary writes the project settings' errors f (keyed as
// saveProjectSettings gathers them) as lines naming the setting, the
// project type and the line at fault in l's language: "Template
// (Implementation), line 2: Days from the start must be …".
func settingsSummary(l *i18n.Locale, f map[string]string) []string {
	var out []string
	for k, v := range f {
		why := l.Reason(v)
		kind, rest, _ := strings.Cut(k, ".")
		t, rest, _ := strings.Cut(rest, ".")
		where := ""
		switch kind {
		case "rates":
			where = l.T("errf.rates")
			if rest := strings.TrimPrefix(k, "rates"); rest != "" {
				where += ", " + rest[1:]
			}
		case "templates", "stages":
			where = l.T("errf."+kind+"_of", "Type", localProjectLabel(l, project.Type(t)))
			rest = strings.TrimPrefix(rest, "stages") // a stage list's own key
			if n, field, ok := strings.Cut(strings.TrimPrefix(rest, "."), "."); ok {
				if i, err := strconv.Atoi(n); err == nil {
					where += ", " + l.T("errf.line_n", "N", i+1)
				}
				why = l.Or("errf.settings_"+field, field) + " " + why
			}
		default:
			where = localErrorField(l, "project_settings", k)
		}
		out = append(out, where+": "+why)
	}
	slices.Sort(out)
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// matchStages turns the text area's names into stages: a name an
// existing stage has keeps that stage (and its history); a line where
// the list had another name at the same place, whose name is gone,
// renames that stage; any other line is a new stage.
func matchStages(old []project.Stage, names []string) []project.StageInput {
	byName := map[string]int64{}
	for _, st := range old {
		byName[strings.ToLower(st.Name)] = st.ID
	}
	listed := map[string]bool{}
	for _, n := range names {
		listed[strings.ToLower(n)] = true
	}
	used := map[int64]bool{}
	out := make([]project.StageInput, len(names))
	for i, n := range names {
		if id, ok := byName[strings.ToLower(n)]; ok && !used[id] {
			out[i], used[id] = project.StageInput{ID: id, Name: n}, true
		}
	}
	for i, n := range names {
		if out[i].ID != 0 {
			continue
		}
		out[i] = project.StageInput{Name: n}
		if i < len(old) && !listed[strings.ToLower(old[i].Name)] && !used[old[i].ID] {
			out[i].ID, used[old[i].ID] = old[i].ID, true
		}
	}
	return out
}

type projectReportData struct {
	Report   project.Report
	By       project.Dimension
	Formulas map[string]string
}

// projectReport is where lead and project management meet: won deals
// to delivered projects and their margin, by a property of the lead.
func (h *Web) projectReport(w http.ResponseWriter, r *http.Request) {
	by := project.Dimension(r.URL.Query().Get("by"))
	rep, err := h.Projects.DeliveryReport(r.Context(), by, r.URL.Query().Get("currency"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "project_report", page{Title: i18n.T(r.Context(), "prj.title_by", "By", strings.ToLower(i18n.T(r.Context(), "prj.dim_"+string(rep.By)))), Nav: "reports",
		Data: projectReportData{Report: rep, By: rep.By, Formulas: project.Formulas}})
}

func init() {
	funcs["projectTypes"] = func() []project.Type { return project.Types }
	funcs["deliveryStatuses"] = func() []project.DeliveryStatus { return project.DeliveryStatuses }
	funcs["clientLanguages"] = func() []string { return project.Languages }
	funcs["dimensions"] = func() []project.Dimension { return project.Dimensions }
	funcs["share"] = func(v float64, ok bool) string {
		if !ok {
			return "—"
		}
		return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
	}
	funcs["onTime"] = func(r project.ReportRow) string { v, ok := r.OnTimeShare(); return pctOr(v, ok) }
	funcs["marginShare"] = func(r project.ReportRow) string { v, ok := r.MarginShare(); return pctOr(v, ok) }
	funcs["overdueOn"] = func(m project.Milestone, today string) bool { return m.Overdue(today) }
}

func pctOr(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
}
