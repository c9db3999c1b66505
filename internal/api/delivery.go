package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/project"
)

// projectDeliveryJSON is a project's delivery, inside the project's JSON.
type projectDeliveryJSON struct {
	Type           string     `json:"type"`
	DeliveryStatus *string    `json:"delivery_status"` // null in pre-sale
	StageID        *int64     `json:"stage_id"`
	Stage          *string    `json:"stage"`
	AccountID      *int64     `json:"account_id"`
	Account        *string    `json:"account"`
	ContactID      *int64     `json:"contact_id"`
	OpportunityID  *int64     `json:"opportunity_id"`
	Owner          *string    `json:"owner"`
	StartOn        *string    `json:"start_on"`
	DueOn          *string    `json:"due_on"`
	Budget         string     `json:"budget"`
	StartedAt      *time.Time `json:"started_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	ClientLanguage string     `json:"client_language"`
	StatusLink     bool       `json:"status_link"`
	Members        []string   `json:"members,omitempty"`
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func deliveryOut(p project.Project) projectDeliveryJSON {
	return projectDeliveryJSON{Type: string(p.Type), DeliveryStatus: optional(string(p.Delivery.Status)), StageID: optionalID(p.StageID),
		Stage: optional(p.StageName), AccountID: optionalID(p.AccountID), Account: optional(p.AccountName), ContactID: optionalID(p.ContactID),
		OpportunityID: optionalID(p.OpportunityID), Owner: optional(p.OwnerEmail), StartOn: optional(p.StartOn), DueOn: optional(p.DueOn),
		Budget: catalog.Decimal(p.Budget), StartedAt: p.StartedAt, DeliveredAt: p.DeliveredAt, ClientLanguage: p.ClientLanguage,
		StatusLink: p.StatusLink}
}

// writeProject answers with p and its team, its version also as the ETag.
func (a *API) writeProject(w http.ResponseWriter, r *http.Request, status int, p project.Project) {
	j := projectOut(p)
	members, err := a.Projects.Members(r.Context(), p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	j.Members = nonNil(members)
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, status, j)
}

// deliveryIn is a project in delivery as a client sends it; absent
// members are kept.
type deliveryIn struct {
	Title          *string       `json:"title"`
	Type           *string       `json:"type"`
	OpportunityID  int64         `json:"opportunity_id"`
	AccountID      *int64        `json:"account_id"`
	ContactID      *int64        `json:"contact_id"`
	Owner          *string       `json:"owner"`
	DeliveryStatus *string       `json:"delivery_status"`
	StartOn        *string       `json:"start_on"`
	DueOn          *string       `json:"due_on"`
	Budget         *catalog.Text `json:"budget"`
	Currency       *string       `json:"currency"`
	ClientLanguage *string       `json:"client_language"`
	Members        *[]string     `json:"members"`
}

func (in deliveryIn) input() project.DeliveryInput {
	out := project.DeliveryInput{Title: in.Title, Type: in.Type, AccountID: in.AccountID, ContactID: in.ContactID, Owner: in.Owner,
		Status: in.DeliveryStatus, StartOn: in.StartOn, DueOn: in.DueOn, Currency: in.Currency, ClientLanguage: in.ClientLanguage,
		Members: in.Members}
	if in.Budget != nil {
		out.Budget = project.Str(string(*in.Budget))
	}
	return out
}

var (
	presaleMembers  = []string{"status", "app_types", "checklist", "features", "constraints", "day_rate"}
	deliveryMembers = []string{"delivery_status", "owner", "account_id", "contact_id", "start_on", "due_on", "budget",
		"client_language", "members", "type", "opportunity_id"}
)

// wrongPhase refuses, by name, the members of the phase a project is not
// in: a pre-sale estimate is fixed once in delivery, and delivery's
// members wait for it.
func wrongPhase(obj map[string]json.RawMessage, inDelivery bool) error {
	bad := fault.Fields{}
	for k := range obj {
		switch {
		case inDelivery && slices.Contains(presaleMembers, k):
			bad.Add(k, "is the pre-sale estimate's, fixed once the project is in delivery")
		case !inDelivery && slices.Contains(deliveryMembers, k):
			bad.Add(k, "is set once the project is in delivery (its estimate accepted)")
		}
	}
	return bad.Err()
}

// listProjectsAll answers GET /api/v1/projects: filtered by type,
// status (a delivery status or presale), stage_id, account_id, owner
// (me or an email) and q, newest first, paged by cursor.
func (a *API) listProjectsAll(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := project.Filter{Type: project.Type(v.Get("type")), Status: project.DeliveryStatus(v.Get("status")), Query: v.Get("q"),
		Cursor: v.Get("cursor")}
	bad := fault.Fields{}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"stage_id", &f.StageID}, {"account_id", &f.AccountID}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(p.name, "must be an id")
			}
			*p.to = n
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	switch o := v.Get("owner"); o {
	case "":
	case "me":
		f.OwnerID = actor(r).ID
	default:
		f.Owner = o
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.Projects.List(r.Context(), actor(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []projectJSON `json:"data"`
		NextCursor *string       `json:"next_cursor"`
	}{Data: make([]projectJSON, 0, len(page.Data)), NextCursor: optional(page.Next)}
	for _, p := range page.Data {
		out.Data = append(out.Data, projectOut(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// createProject opens a project in delivery: from a won deal when
// opportunity_id is given (201, or 200 with the one the deal has),
// otherwise by hand.
func (a *API) createProject(w http.ResponseWriter, r *http.Request) {
	var in deliveryIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var p project.Project
	var err error
	created := true
	if in.OpportunityID != 0 {
		typ := project.Type("")
		if in.Type != nil {
			typ = project.Type(*in.Type)
		}
		p, created, err = a.Projects.FromDeal(r.Context(), actor(r), in.OpportunityID, typ)
	} else {
		p, err = a.Projects.Create(r.Context(), actor(r), in.input())
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/projects/"+strconv.FormatInt(p.ID, 10))
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	a.writeProject(w, r, status, p)
}

// moveProject answers POST /api/v1/projects/{id}/stage.
func (a *API) moveProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		StageID int64 `json:"stage_id"`
		Version int64 `json:"version"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Projects.Move(r.Context(), actor(r), id, in.Version, in.StageID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeProject(w, r, http.StatusOK, p)
}

type visitJSON struct {
	StageID   int64      `json:"stage_id"`
	Stage     string     `json:"stage"`
	EnteredAt time.Time  `json:"entered_at"`
	LeftAt    *time.Time `json:"left_at"`
	By        *string    `json:"by"`
}

type stageTimeJSON struct {
	StageID int64   `json:"stage_id"`
	Stage   string  `json:"stage"`
	Hours   float64 `json:"hours"`
	Current bool    `json:"current"`
}

// projectStages answers GET /api/v1/projects/{id}/stages: the history
// and the time spent in each stage.
func (a *API) projectStages(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var hist []project.Visit
	if err == nil {
		hist, err = a.Projects.History(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		History     []visitJSON     `json:"history"`
		TimeInStage []stageTimeJSON `json:"time_in_stage"`
	}{History: []visitJSON{}, TimeInStage: []stageTimeJSON{}}
	for _, v := range hist {
		out.History = append(out.History, visitJSON{StageID: v.StageID, Stage: v.StageName, EnteredAt: v.Entered, LeftAt: v.Left, By: optional(v.By)})
	}
	for _, st := range project.TimeInStages(hist, a.Projects.Now()) {
		out.TimeInStage = append(out.TimeInStage, stageTimeJSON{StageID: st.StageID, Stage: st.StageName,
			Hours: float64(st.Time.Round(time.Minute)/time.Minute) / 60, Current: st.Current})
	}
	writeJSON(w, http.StatusOK, out)
}

type taskJSON struct {
	ID          int64      `json:"id"`
	Subject     string     `json:"subject"`
	Assignee    *string    `json:"assignee"`
	DueOn       string     `json:"due_on"`
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completed_at"`
}

func taskOut(t project.Task) taskJSON {
	return taskJSON{ID: t.ID, Subject: t.Subject, Assignee: optional(t.OwnerEmail), DueOn: t.DueAt.Format(time.DateOnly),
		Status: t.Status, CompletedAt: t.CompletedAt}
}

func (a *API) projectTasks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []project.Task
	if err == nil {
		list, err = a.Projects.Tasks(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(list, taskOut))
}

// addProjectTask plans a task (an activity linked to the project); it is
// changed and completed as any activity, at /api/v1/activities/{id}.
func (a *API) addProjectTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Subject  string `json:"subject"`
		Assignee string `json:"assignee"`
		DueOn    string `json:"due_on"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.Projects.AddTask(r.Context(), actor(r), id, project.TaskInput{Subject: in.Subject, Assignee: in.Assignee, Due: in.DueOn})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/activities/"+strconv.FormatInt(t.ID, 10))
	writeJSON(w, http.StatusCreated, taskOut(t))
}

type milestoneJSON struct {
	ID        int64      `json:"id"`
	ProjectID int64      `json:"project_id"`
	Name      string     `json:"name"`
	DueOn     string     `json:"due_on"`
	DoneAt    *time.Time `json:"done_at"`
	Overdue   bool       `json:"overdue"`
}

func (a *API) milestoneOut(m project.Milestone) milestoneJSON {
	return milestoneJSON{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name, DueOn: m.DueOn, DoneAt: m.DoneAt,
		Overdue: m.Overdue(a.Projects.Now().Format(time.DateOnly))}
}

type milestoneIn struct {
	Name  *string `json:"name"`
	DueOn *string `json:"due_on"`
	Done  *bool   `json:"done"`
}

func (a *API) projectMilestones(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []project.Milestone
	if err == nil {
		list, err = a.Projects.Milestones(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(list, a.milestoneOut))
}

func (a *API) addMilestone(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in milestoneIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.Projects.AddMilestone(r.Context(), actor(r), id, project.MilestoneInput{Name: in.Name, DueOn: in.DueOn, Done: in.Done})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.milestoneOut(m))
}

func (a *API) updateMilestone(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in milestoneIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.Projects.ChangeMilestone(r.Context(), actor(r), id, project.MilestoneInput{Name: in.Name, DueOn: in.DueOn, Done: in.Done})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.milestoneOut(m))
}

type timeJSON struct {
	ID       int64   `json:"id"`
	TaskID   *int64  `json:"task_id"`
	User     *string `json:"user"`
	WorkedOn string  `json:"worked_on"`
	Hours    float64 `json:"hours"`
	Rate     string  `json:"rate"`
	Cost     string  `json:"cost"`
	Note     string  `json:"note"`
}

func timeOut(e project.TimeEntry) timeJSON {
	return timeJSON{ID: e.ID, TaskID: optionalID(e.TaskID), User: optional(e.UserEmail), WorkedOn: e.WorkedOn,
		Hours: float64(e.Minutes) / 60, Rate: catalog.Decimal(e.Rate), Cost: catalog.Decimal(e.Cost), Note: e.Note}
}

type costsJSON struct {
	Hours        float64 `json:"hours"`
	Cost         string  `json:"cost"`
	Budget       string  `json:"budget"`
	SharePercent float64 `json:"share_percent"`
	WarnAt       int     `json:"warn_at_percent"`
	Warning      bool    `json:"warning"`
	EstimateLow  string  `json:"estimate_low"`
	EstimateHigh string  `json:"estimate_high"`
	Formula      string  `json:"formula"`
}

func costsOut(c project.Costs) costsJSON {
	return costsJSON{Hours: float64(c.Minutes) / 60, Cost: catalog.Decimal(c.Cost), Budget: catalog.Decimal(c.Budget),
		SharePercent: float64(int64(c.Share*10+0.5)) / 10, WarnAt: c.WarnAt, Warning: c.Warning,
		EstimateLow: catalog.Decimal(c.EstimateLow), EstimateHigh: catalog.Decimal(c.EstimateHigh),
		Formula: "cost = Σ hours × the hourly rate of the user (else of the role) when logged; share = cost ÷ budget"}
}

// projectTime answers GET /api/v1/projects/{id}/time-entries: the
// entries, latest first, and the cost against the budget.
func (a *API) projectTime(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []project.TimeEntry
	var c project.Costs
	if err == nil {
		if list, err = a.Projects.Time(r.Context(), actor(r), id); err == nil {
			c, err = a.Projects.Costs(r.Context(), actor(r), id)
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data  []timeJSON `json:"data"`
		Costs costsJSON  `json:"costs"`
	}{Data: []timeJSON{}, Costs: costsOut(c)}
	for _, e := range list {
		out.Data = append(out.Data, timeOut(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) logTime(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		TaskID   int64        `json:"task_id"`
		User     string       `json:"user"`
		WorkedOn string       `json:"worked_on"`
		Hours    catalog.Text `json:"hours"`
		Note     string       `json:"note"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.Projects.LogTime(r.Context(), actor(r), id, project.TimeInput{TaskID: in.TaskID, User: in.User, WorkedOn: in.WorkedOn,
		Hours: string(in.Hours), Note: in.Note})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, timeOut(e))
}

// openStatusLink makes a new client status link; the one before stops
// working. The address is shown once.
func (a *API) openStatusLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var token string
	if err == nil {
		token, err = a.Projects.OpenStatusLink(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]string{"url": requestBase(r) + "/status/" + token})
}

func (a *API) revokeStatusLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Projects.RevokeStatusLink(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type projectStageJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

func stagesOut(t project.Type, list []project.Stage) any {
	out := struct {
		Type   string             `json:"type"`
		Stages []projectStageJSON `json:"stages"`
	}{Type: string(t), Stages: []projectStageJSON{}}
	for _, st := range list {
		out.Stages = append(out.Stages, projectStageJSON{ID: st.ID, Name: st.Name, Position: st.Position})
	}
	return out
}

// getProjectStages answers GET /api/v1/project-stages?type=.
func (a *API) getProjectStages(w http.ResponseWriter, r *http.Request) {
	t := project.Type(r.URL.Query().Get("type"))
	if t == "" {
		t = project.Implementation
	}
	list, err := a.Projects.Stages(r.Context(), t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stagesOut(t, list))
}

// putProjectStages replaces a type's stages; a stage that keeps its id
// keeps its history.
func (a *API) putProjectStages(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Type   string `json:"type"`
		Stages []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"stages"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var list []project.StageInput
	for _, s := range in.Stages {
		list = append(list, project.StageInput{ID: s.ID, Name: s.Name})
	}
	got, err := a.Projects.SetStages(r.Context(), actor(r), project.Type(in.Type), list)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stagesOut(project.Type(in.Type), got))
}

type projectTemplateJSON struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	OffsetDays int    `json:"offset_days"`
}

type projectSettingsJSON struct {
	AutoFromWon bool                             `json:"auto_from_won"`
	DefaultType string                           `json:"default_type"`
	WarnAt      int                              `json:"warn_at_percent"`
	Rates       map[string]string                `json:"rates"`
	Templates   map[string][]projectTemplateJSON `json:"templates"`
}

func (a *API) projectSettingsOut(r *http.Request) (projectSettingsJSON, error) {
	st, err := a.Projects.Settings(r.Context())
	if err != nil {
		return projectSettingsJSON{}, err
	}
	out := projectSettingsJSON{AutoFromWon: st.AutoFromWon, DefaultType: string(st.DefaultType), WarnAt: st.WarnAt,
		Rates: map[string]string{}, Templates: map[string][]projectTemplateJSON{}}
	names, err := a.Projects.RateNames(r.Context(), st)
	if err != nil {
		return out, err
	}
	for k, v := range st.Rates {
		out.Rates[names[k]] = catalog.Decimal(v)
	}
	for _, t := range project.Types {
		list, err := a.Projects.Templates(r.Context(), t)
		if err != nil {
			return out, err
		}
		out.Templates[string(t)] = []projectTemplateJSON{}
		for _, tp := range list {
			out.Templates[string(t)] = append(out.Templates[string(t)], projectTemplateJSON{Kind: tp.Kind, Name: tp.Name, OffsetDays: tp.OffsetDays})
		}
	}
	return out, nil
}

func (a *API) getProjectSettings(w http.ResponseWriter, r *http.Request) {
	if !actor(r).ManagesSettings() {
		a.fail(w, r, fault.Errorf(fault.Forbidden, "only admins see the project settings"))
		return
	}
	out, err := a.projectSettingsOut(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// putProjectSettings changes the members present; a rate of "" removes
// it, a type's templates are replaced by the list given.
func (a *API) putProjectSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AutoFromWon *bool                            `json:"auto_from_won"`
		DefaultType *string                          `json:"default_type"`
		WarnAt      *catalog.Text                    `json:"warn_at_percent"`
		Rates       map[string]catalog.Text          `json:"rates"`
		Templates   map[string][]projectTemplateJSON `json:"templates"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	st := project.SettingsInput{AutoFromWon: in.AutoFromWon, DefaultType: in.DefaultType, Rates: map[string]string{}}
	if in.WarnAt != nil {
		st.WarnAt = project.Str(string(*in.WarnAt))
	}
	for k, v := range in.Rates {
		st.Rates[k] = string(v)
	}
	if in.Templates != nil {
		st.Templates = map[project.Type][]project.TemplateInput{}
		for t, list := range in.Templates {
			rows := []project.TemplateInput{}
			for _, tp := range list {
				rows = append(rows, project.TemplateInput{Kind: tp.Kind, Name: tp.Name, OffsetDays: strconv.Itoa(tp.OffsetDays)})
			}
			st.Templates[project.Type(t)] = rows
		}
	}
	if _, err := a.Projects.SaveSettings(r.Context(), actor(r), st); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.projectSettingsOut(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

type reportRowJSON struct {
	Value        string   `json:"value"`
	WonDeals     int64    `json:"won_deals"`
	Started      int64    `json:"started"`
	Delivered    int64    `json:"delivered"`
	OnTimeShare  *float64 `json:"on_time_share"`
	Budget       string   `json:"budget"`
	Cost         string   `json:"cost"`
	Margin       string   `json:"margin"`
	MarginShare  *float64 `json:"margin_share"`
	Profitable   int64    `json:"profitable"`
	DaysToGoLive *float64 `json:"days_to_golive"`
}

func reportRowOut(r project.ReportRow) reportRowJSON {
	j := reportRowJSON{Value: r.Value, WonDeals: r.WonDeals, Started: r.Started, Delivered: r.Delivered, Budget: catalog.Decimal(r.Budget),
		Cost: catalog.Decimal(r.Cost), Margin: catalog.Decimal(r.Margin), Profitable: r.Profitable}
	if v, ok := r.OnTimeShare(); ok {
		j.OnTimeShare = &v
	}
	if v, ok := r.MarginShare(); ok {
		j.MarginShare = &v
	}
	if v, ok := r.DaysToGoLive(); ok {
		j.DaysToGoLive = &v
	}
	return j
}

// getProjectKPIs answers GET /api/v1/kpis/projects?by=&currency=: won
// deals to delivered projects and their margin, by a property of the
// lead they came from, each figure with its formula.
func (a *API) getProjectKPIs(w http.ResponseWriter, r *http.Request) {
	rep, err := a.Projects.DeliveryReport(r.Context(), project.Dimension(r.URL.Query().Get("by")), r.URL.Query().Get("currency"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		By         string            `json:"by"`
		Currency   string            `json:"currency"`
		Currencies []string          `json:"currencies"`
		Rows       []reportRowJSON   `json:"rows"`
		Total      reportRowJSON     `json:"total"`
		Formulas   map[string]string `json:"formulas"`
	}{By: string(rep.By), Currency: rep.Currency, Currencies: nonNil(rep.Currencies), Rows: []reportRowJSON{}, Total: reportRowOut(rep.Total),
		Formulas: project.Formulas}
	for _, row := range rep.Rows {
		out.Rows = append(out.Rows, reportRowOut(row))
	}
	writeJSON(w, http.StatusOK, out)
}
