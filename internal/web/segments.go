package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/segment"
)

// listSegments shows every segment with its live member count.
func (h *Web) listSegments(w http.ResponseWriter, r *http.Request) {
	list, err := h.Segments.List(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := segmentNames(list)
	type row struct {
		segment.Segment
		Summary []string
	}
	rows := make([]row, 0, len(list))
	for _, s := range list {
		rows = append(rows, row{s, describeAll(r.Context(), s, names)})
	}
	h.render(w, r, "segments", page{Title: "Segments", Nav: "segments", Data: rows})
}

// showSegment shows a segment and a page of its members.
func (h *Web) showSegment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.Segments.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.Segments.List(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := segmentPage{Segment: s, Summary: describeAll(r.Context(), s, segmentNames(all))}
	if s.Kind == segment.KindAccounts {
		// An account segment's members are accounts: the accounts list,
		// filtered by the segment, shows them (best first here).
		d.Accounts, err = h.CRM.Accounts(r.Context(), actor(r), crm.ListOptions{Segment: s.ID, Sort: "-score", Limit: segment.DefaultLimit})
	} else {
		cursor := r.URL.Query().Get("cursor")
		d.Paged = cursor != ""
		d.Page, err = h.Segments.Members(r.Context(), actor(r), id, cursor, segment.DefaultLimit)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "segment", page{Title: s.Name, Nav: "segments", Data: d})
}

// segmentPage is a segment with a page of its members: leads, or for an
// account segment its accounts.
type segmentPage struct {
	Segment  segment.Segment
	Summary  []string
	Page     segment.MemberPage
	Paged    bool
	Accounts crm.Page[crm.Account]
}

// condRow is one row of the segment editor.
// condError is a condition's refused field and why.
type condError struct{ Field, Why string }

type condRow struct {
	Index int
	segment.Condition
	Kind       segment.Kind
	Widget     string
	ValuesText string
	MinText    string
	MaxText    string
	CountText  string
	DaysText   string
	Errors     []condError
	Focus      bool
}

// fieldOption is one choice of the editor's field menu.
type fieldOption struct {
	Value, Label, Group, Widget string
	Kind                        segment.Kind
}

// opOption is one choice of the editor's test menu, shared by the kinds
// of field it applies to.
type opOption struct {
	Value, Label string
	Kinds        []string
}

var opLabels = map[string]string{
	segment.Equals: "is", segment.NotEquals: "is not", segment.Contains: "contains", segment.NotContains: "does not contain",
	segment.Empty: "is empty", segment.NotEmpty: "is not empty", segment.In: "is one of", segment.NotIn: "is none of",
	segment.Between: "is between", segment.Is: "is", segment.AtLeast: "at least", segment.AtMost: "at most",
}

func opOptions() []opOption {
	var out []opOption
	for _, kind := range []segment.Kind{segment.Text, segment.Choice, segment.Number, segment.Boolean, segment.Event, segment.Membership} {
		for _, op := range segment.Ops[kind] {
			i := slices.IndexFunc(out, func(o opOption) bool { return o.Value == op })
			if i < 0 {
				out = append(out, opOption{Value: op, Label: opLabels[op]})
				i = len(out) - 1
			}
			out[i].Kinds = append(out[i].Kinds, string(kind))
		}
	}
	return out
}

// widgetOf names the value inputs a field of a segment of segKind takes.
func widgetOf(segKind, field string) string {
	kind, ok := segment.KindIn(segKind, field)
	if !ok {
		return ""
	}
	if segKind == segment.KindAccounts && field == segment.FTier {
		return "tier"
	}
	switch field {
	case lead.FStage, segment.FGrade, lead.FOwner:
		return field
	case lead.FSource, lead.FCountry:
		return "list"
	}
	return string(kind)
}

var segmentFieldLabels = map[string]string{
	segment.FScore: "Score", segment.FGrade: "Grade", segment.FEvent: "Events (what the lead did)", segment.FSegment: "Member of segment",
}

// accountFieldLabel is an account segment field's name in the page's
// language.
func accountFieldLabel(ctx context.Context, field string) string {
	return i18n.T(ctx, "asegf."+field)
}

// accountFieldOptions is the editor's field menu for account segments.
func accountFieldOptions(ctx context.Context) []fieldOption {
	var out []fieldOption
	for _, f := range segment.AccountFields {
		kind, _ := segment.KindIn(segment.KindAccounts, f)
		group := i18n.T(ctx, "aseg.group_account")
		if f == segment.FEvent || f == segment.FSegment || f == segment.FOpenOpportunity {
			group = i18n.T(ctx, "aseg.group_activity")
		}
		out = append(out, fieldOption{Value: f, Label: accountFieldLabel(ctx, f), Group: group, Widget: widgetOf(segment.KindAccounts, f), Kind: kind})
	}
	return out
}

// questions are the forms' questions by their answers' keys
// ("custom.use_case"): the field lists name an answer by its question.
func (h *Web) questions(ctx context.Context) (map[string]string, error) {
	labels, err := h.Forms.CustomLabels(ctx)
	out := make(map[string]string, len(labels))
	for name, label := range labels {
		out[lead.CustomPrefix+name] = label
	}
	return out, err
}

// eachSource rewrites, in place, each value of s's conditions on a
// lead's source with as (a name to its code, or a code to its name); the
// sources are read only when s has such a condition.
func (h *Web) eachSource(r *http.Request, s segment.Segment, as func(sourceNames, string) string) error {
	if s.Kind != segment.KindLeads || !slices.ContainsFunc(s.Conditions, func(c segment.Condition) bool { return c.Field == lead.FSource }) {
		return nil
	}
	names, err := h.sourceNames(r)
	if err != nil {
		return err
	}
	for _, c := range s.Conditions {
		if c.Field == lead.FSource {
			for j, v := range c.Values {
				c.Values[j] = as(names, v)
			}
		}
	}
	return nil
}

// fieldOptions are the segment editor's fields: the lead's own, then the
// forms' answers, named by their questions where the forms ask one.
func fieldOptions(customKeys []string, questions map[string]string) []fieldOption {
	var out []fieldOption
	for _, f := range segment.Fields {
		label := segmentFieldLabels[f]
		if label == "" {
			label = fieldLabel(f)
		}
		kind, _ := segment.KindOf(f)
		group := "Lead"
		if f == segment.FEvent || f == segment.FSegment {
			group = "Behaviour and lists"
		}
		out = append(out, fieldOption{Value: f, Label: label, Group: group, Widget: widgetOf(segment.KindLeads, f), Kind: kind})
	}
	for _, k := range customKeys {
		f := lead.CustomPrefix + k
		out = append(out, fieldOption{Value: f, Label: questions[f], Group: "Form answers", Widget: "text", Kind: segment.Text})
	}
	return out
}

type segmentEditData struct {
	Segment    segment.Segment
	Rows       []condRow
	Errors     map[string]string
	Fields     []fieldOption
	Ops        []opOption
	Stages     []lead.Stage
	Grades     []lead.Grade
	Owners     []string
	EventTypes []string
	Tiers      []string
	Others     []segment.Segment
	Preview    *segment.Preview
}

func (h *Web) newSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	kind := segment.KindLeads
	if r.URL.Query().Get("kind") == segment.KindAccounts {
		kind = segment.KindAccounts
	}
	h.renderSegmentEdit(w, r, segment.Segment{Kind: kind, Combine: segment.All}, nil, nil, -1, 0)
}

func (h *Web) editSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.Segments.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSegmentEdit(w, r, s, nil, nil, -1, 0)
}

// saveSegment takes the editor's post: save, count the matching leads,
// add a condition row or remove one; all but save show the editor again
// with everything typed kept.
func (h *Web) saveSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "The form could not be read."))
		return
	}
	s, bad := segmentFromPost(r)
	s.ID = id
	// Sources typed by the names the pages show are those sources.
	if err := h.eachSource(r, s, sourceNames.code); err != nil {
		h.fail(w, r, err)
		return
	}
	action := r.PostFormValue("action")
	switch {
	case r.PostFormValue("remove") != "" || action == "add" || action == "refresh":
		blank := 0
		if action == "add" {
			blank = 1
		}
		h.renderSegmentEdit(w, r, s, nil, nil, len(s.Conditions)-1+blank, blank)
		return
	case action == "preview":
		if len(bad) > 0 {
			h.renderSegmentEdit(w, r, s, alsoInvalid(s, bad, (*segment.Segment).ValidateSelection), nil, -1, 0)
			return
		}
		p, err := h.Segments.Preview(r.Context(), actor(r), s)
		if e := fault.As(err); e != nil && e.Code == fault.Invalid {
			h.renderSegmentEdit(w, r, s, e.Fields, nil, -1, 0)
			return
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		h.renderSegmentEdit(w, r, s, nil, &p, -1, 0)
		return
	}
	var saved segment.Segment
	err := bad.Err()
	if err != nil {
		// The segment's own checks run too, so that one try names every
		// fault: an empty name beside a number mistyped.
		err = fault.Fields(alsoInvalid(s, bad, (*segment.Segment).Validate)).Err()
	} else {
		if id == 0 {
			saved, err = h.Segments.Create(r.Context(), actor(r), s)
		} else {
			saved, err = h.Segments.Update(r.Context(), actor(r), s)
		}
	}
	if e := fault.As(err); e != nil && (e.Code == fault.Invalid || e.Code == fault.Conflict) {
		errs := e.Fields
		if e.Code == fault.Conflict {
			errs = map[string]string{"segment": e.Message}
		}
		h.renderSegmentEdit(w, r, s, errs, nil, -1, 0)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.segment_saved", "Name", saved.Name))
	http.Redirect(w, r, fmt.Sprintf("/segments/%d", saved.ID), http.StatusSeeOther)
}

// alsoInvalid is bad, the faults of a posted segment's numbers, with what
// else check (the segment's checks, or those of what it selects) finds in
// s, except on the conditions bad names already (a number not read is
// missing there).
func alsoInvalid(s segment.Segment, bad fault.Fields, check func(*segment.Segment) error) map[string]string {
	out := maps.Clone(map[string]string(bad))
	e := fault.As(check(&s))
	if e == nil {
		return out
	}
	for k, v := range e.Fields {
		cond, _, _ := strings.Cut(strings.TrimPrefix(k, "conditions."), ".")
		named := false
		for b := range bad {
			named = named || strings.HasPrefix(k, "conditions.") && strings.HasPrefix(b, "conditions."+cond+".")
		}
		if _, ok := out[k]; !ok && !named {
			out[k] = v
		}
	}
	return out
}

// segmentFromPost reads the editor: name, description, combine, and rows
// c0_…, c1_… whose field is chosen (a row chosen for removal is left
// out). Numbers that are not numbers are returned as reasons keyed like
// the service's.
func segmentFromPost(r *http.Request) (segment.Segment, fault.Fields) {
	s := segment.Segment{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Combine: r.PostFormValue("combine")}
	if s.Kind != segment.KindAccounts {
		s.Kind = segment.KindLeads
	}
	s.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	bad := fault.Fields{}
	for _, p := range postedConditions(r) {
		field := strings.TrimSpace(r.PostFormValue(p + "field"))
		at := "conditions." + strconv.Itoa(len(s.Conditions)) + "."
		c := segment.Condition{Field: field, Op: r.PostFormValue(p + "op")}
		// A field changed without the page's script keeps the test it
		// had; the field's first test is the one shown for it.
		if kind, ok := segment.KindIn(s.Kind, field); ok && !slices.Contains(segment.Ops[kind], c.Op) {
			c.Op = segment.Ops[kind][0]
		}
		number := func(name, key string) *int64 {
			v := strings.TrimSpace(r.PostFormValue(p + name))
			if v == "" {
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				bad.Add(at+key, "must be a whole number")
				return nil
			}
			return &n
		}
		switch widgetOf(s.Kind, field) {
		case "text":
			c.Value = r.PostFormValue(p + "text")
		case lead.FStage, segment.FGrade, lead.FOwner, "tier":
			c.Values = r.PostForm[p+field]
		case "list":
			for _, v := range strings.Split(r.PostFormValue(p+"list"), ",") {
				if v = strings.TrimSpace(v); v != "" {
					c.Values = append(c.Values, v)
				}
			}
		case string(segment.Number):
			c.Min, c.Max = number("min", "min"), number("max", "max")
		case string(segment.Boolean):
			c.Value = r.PostFormValue(p + "bool")
		case string(segment.Event):
			c.EventType, c.URLContains = r.PostFormValue(p+"event_type"), r.PostFormValue(p+"url")
			if n := number("count", "count"); n != nil {
				c.Count = int(min(max(*n, -1), segment.MaxCount+1))
			}
			if n := number("days", "days"); n != nil {
				c.Days = int(min(max(*n, 0), segment.MaxDays+1))
			}
		case string(segment.Membership):
			if n := number("segment", "segment"); n != nil {
				c.Segment = *n
			}
		}
		s.Conditions = append(s.Conditions, c)
	}
	return s, bad
}

// postedConditions are the prefixes (c0_, c1_…) of the editor's rows
// that make conditions, in their order: those whose field is chosen,
// but for a row chosen for removal.
func postedConditions(r *http.Request) []string {
	var rows []string
	remove := r.PostFormValue("remove")
	for i := 0; ; i++ {
		p := "c" + strconv.Itoa(i) + "_"
		if _, ok := r.PostForm[p+"field"]; !ok {
			return rows
		}
		if strings.TrimSpace(r.PostFormValue(p+"field")) != "" && remove != strconv.Itoa(i) {
			rows = append(rows, p)
		}
	}
}

// renderSegmentEdit shows the editor for s with errs; blank empty rows
// follow the conditions, and row focus (if any) gets the keyboard.
func (h *Web) renderSegmentEdit(w http.ResponseWriter, r *http.Request, s segment.Segment, errs map[string]string, p *segment.Preview, focus, blank int) {
	ctx := r.Context()
	d := segmentEditData{Segment: s, Errors: errs, Ops: opOptions(), Stages: lead.Stages, Grades: lead.Grades,
		EventTypes: scoring.EventTypes, Preview: p}
	if s.Kind == segment.KindAccounts {
		d.Fields = accountFieldOptions(ctx)
		d.Tiers = []string{"1", "2", "3", segment.Unassigned}
		// An account's people may have done anything: "any" counts all.
		d.EventTypes = append([]string{segment.AnyEvent}, scoring.EventTypes...)
	} else {
		custom, err := h.customKeys(ctx, actor(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		questions, err := h.questions(ctx)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Fields = fieldOptions(custom, questions)
	}
	users, err := h.Users.List(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Owners = append(d.Owners, segment.Unassigned)
	for _, u := range users {
		d.Owners = append(d.Owners, strings.ToLower(u.Email))
	}
	others, err := h.Segments.List(ctx, actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range others {
		if o.ID != s.ID && o.Kind == s.Kind {
			d.Others = append(d.Others, o)
		}
	}
	if len(s.Conditions) == 0 && blank == 0 {
		blank = 1
	}
	// The editor shows sources by the names the pages show, as they may
	// be typed; the segment's own values stay codes.
	conds := append(slices.Clone(s.Conditions), make([]segment.Condition, blank)...)
	for i, c := range s.Conditions {
		conds[i].Values = slices.Clone(c.Values)
	}
	if err := h.eachSource(r, segment.Segment{Kind: s.Kind, Conditions: conds}, sourceNames.name); err != nil {
		h.fail(w, r, err)
		return
	}
	var posted []string
	if r.Method == http.MethodPost {
		posted = postedConditions(r)
	}
	for i, c := range conds {
		row := condRow{Index: i, Condition: c, Widget: widgetOf(s.Kind, c.Field), ValuesText: strings.Join(c.Values, ", "), Focus: i == focus}
		row.Kind, _ = segment.KindIn(s.Kind, c.Field)
		if c.Min != nil {
			row.MinText = strconv.FormatInt(*c.Min, 10)
		}
		if c.Max != nil {
			row.MaxText = strconv.FormatInt(*c.Max, 10)
		}
		if c.Field == segment.FEvent {
			row.CountText, row.DaysText = strconv.Itoa(c.Count), strconv.Itoa(c.Days)
		}
		prefix := "conditions." + strconv.Itoa(i) + "."
		for k, v := range errs {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				row.Errors = append(row.Errors, condError{Field: rest, Why: v})
			}
		}
		// A number refused, or not read (the row added to or refreshed),
		// comes back as it was typed, not emptied.
		if i < len(posted) {
			for key, text := range map[string]*string{"min": &row.MinText, "max": &row.MaxText, "count": &row.CountText, "days": &row.DaysText} {
				typed := strings.TrimSpace(r.PostFormValue(posted[i] + key))
				_, refused := errs[prefix+key]
				if _, err := strconv.ParseInt(typed, 10, 64); refused || typed != "" && err != nil {
					*text = typed
				}
			}
		}
		slices.SortFunc(row.Errors, func(a, b condError) int { return strings.Compare(a.Field, b.Field) })
		d.Rows = append(d.Rows, row)
	}
	title := "New segment"
	if s.Kind == segment.KindAccounts {
		title = i18n.T(ctx, "aseg.new_account_segment")
	}
	if s.ID != 0 {
		title = tr(r, "title.edit_named", "Name", s.Name)
	}
	status := 0
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, "segment_edit", page{Title: title, Nav: "segments", Data: d, Status: status})
}

// customKeys lists the custom questions of every form, the form answers
// a segment may test.
func (h *Web) customKeys(ctx context.Context, a access.Actor) ([]string, error) {
	list, err := h.Forms.List(ctx, a)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, f := range list {
		for _, fd := range f.Fields {
			if fd.Custom() && !slices.Contains(keys, fd.Name) {
				keys = append(keys, fd.Name)
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}

func (h *Web) confirmDeleteSegment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = segment.MayManage(actor(r))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.Segments.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_segment"), Nav: "segments", Data: confirmData{
			Question: tr(r, "confirm.delete_segment_q", "Name", s.Name), Detail: tr(r, "confirm.delete_segment_detail", "Count", s.Members),
			Action: fmt.Sprintf("/segments/%d/delete", s.ID), Button: tr(r, "confirm.delete_segment"), Cancel: fmt.Sprintf("/segments/%d", s.ID)}})
		return
	}
	if err := h.Segments.Delete(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.segment_deleted", "Name", s.Name))
	http.Redirect(w, r, "/segments", http.StatusSeeOther)
}

func segmentNames(list []segment.Segment) map[int64]string {
	out := map[int64]string{}
	for _, s := range list {
		out[s.ID] = s.Name
	}
	return out
}

// describeAll says each condition of s in words, for lists and pages.
func describeAll(ctx context.Context, s segment.Segment, names map[int64]string) []string {
	out := make([]string, 0, len(s.Conditions))
	for _, c := range s.Conditions {
		out = append(out, describe(ctx, s.Kind, c, names))
	}
	return out
}

func describe(ctx context.Context, segKind string, c segment.Condition, names map[int64]string) string {
	l := i18n.From(ctx)
	label := segmentFieldLabel(l, c.Field)
	if segKind == segment.KindAccounts {
		label = accountFieldLabel(ctx, c.Field)
	}
	op := localOp(l, string(c.Op))
	switch kind, _ := segment.KindIn(segKind, c.Field); kind {
	case segment.Text:
		if c.Op == segment.Empty || c.Op == segment.NotEmpty {
			return label + " " + op
		}
		return l.T("segd.condition", "Field", label, "Op", op, "Value", strconv.Quote(c.Value))
	case segment.Choice:
		values := make([]string, len(c.Values))
		for i, v := range c.Values {
			values[i] = choiceName(l, c.Field, v)
		}
		return l.T("segd.condition", "Field", label, "Op", op, "Value", strings.Join(values, ", "))
	case segment.Number:
		switch {
		case c.Op != segment.Between:
			return label + " " + op
		case c.Min != nil && c.Max != nil:
			return l.T("segd.from_to", "Field", label, "Min", *c.Min, "Max", *c.Max)
		case c.Min != nil:
			return l.T("segd.at_least", "Field", label, "Min", *c.Min)
		case c.Max != nil:
			return l.T("segd.at_most", "Field", label, "Max", *c.Max)
		}
	case segment.Boolean:
		answer := l.T("common.no")
		if c.Value == "true" {
			answer = l.T("common.yes")
		}
		return label + ": " + strings.ToLower(answer)
	case segment.Event:
		s := l.T("segd.events", "Event", localHuman(l, c.EventType), "Op", op, "Count", c.Count, "Days", c.Days)
		if c.URLContains != "" {
			s += " " + l.T("segd.address_contains", "Text", strconv.Quote(c.URLContains))
		}
		return s
	case segment.Membership:
		name := names[c.Segment]
		if name == "" {
			name = "#" + strconv.FormatInt(c.Segment, 10)
		}
		if c.Op == segment.NotIn {
			return l.T("segd.not_in_segment", "Name", name)
		}
		return l.T("segd.in_segment", "Name", name)
	}
	return c.Field
}

// segmentFieldLabel is a lead segment field's name in l's language.
func segmentFieldLabel(l *i18n.Locale, field string) string {
	fallback := segmentFieldLabels[field]
	if fallback == "" {
		fallback = fieldLabel(field)
	}
	return localSegField(l, field, fallback)
}

// choiceName is one of the values a condition on field chooses, as l
// names it: a stage, a grade, a source or a country.
func choiceName(l *i18n.Locale, field, v string) string {
	switch field {
	case lead.FStage:
		return localStage(l, lead.Stage(v))
	case lead.FCountry:
		return l.Country(v)
	}
	return localHuman(l, v)
}
