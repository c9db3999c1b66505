package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
	"leadflow/internal/segment"
)

type nurtureData struct {
	Sequences []nurture.Sequence
	Templates []mailtmpl.Template
	Reports   map[int64]nurture.Report
	MailOff   bool
}

// showNurture lists the sequences with their figures and the templates.
func (h *Web) showNurture(w http.ResponseWriter, r *http.Request) {
	if !h.mayNurture(w, r) {
		return
	}
	d := nurtureData{Reports: map[int64]nurture.Report{}, MailOff: !h.Nurture.MailConfigured()}
	var err error
	if d.Sequences, err = h.Nurture.Sequences(r.Context()); err == nil {
		d.Templates, err = h.Nurture.Templates(r.Context())
	}
	for _, q := range d.Sequences {
		if err != nil {
			break
		}
		d.Reports[q.ID], err = h.Nurture.Report(r.Context(), q.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "nurture", page{Title: "Nurturing", Nav: "nurture", Data: d})
}

// --- templates ---------------------------------------------------------

type templateData struct {
	Template mailtmpl.Template
	Fields   []struct{ Name, About string }
	Errors   map[string]string
	Preview  *mailtmpl.Rendered
	LeadID   int64
	MailOff  bool
}

func (h *Web) newTemplate(w http.ResponseWriter, r *http.Request) {
	if !h.mayNurture(w, r) {
		return
	}
	h.renderTemplate(w, r, templateData{Template: mailtmpl.Template{Subject: "{{first_name|Hello}}, ",
		HTML: "<p>Hello {{first_name|there}},</p>\n<p></p>\n<p>{{owner_name}}</p>"}}, 0)
}

func (h *Web) renderTemplate(w http.ResponseWriter, r *http.Request, d templateData, status int) {
	d.Fields, d.MailOff = mailtmpl.Fields, !h.Nurture.MailConfigured()
	title := tr(r, "title.new_email_template")
	if d.Template.ID != 0 {
		title = d.Template.Name
		if d.Preview == nil && d.Errors == nil {
			p, err := h.Nurture.Preview(r.Context(), actor(r), d.Template.ID, d.LeadID)
			if e := fault.As(err); e != nil {
				d.Errors = map[string]string{"lead": e.Message}
			} else if err != nil {
				h.fail(w, r, err)
				return
			} else {
				d.Preview = &p
			}
		}
	}
	h.render(w, r, "template_edit", page{Title: title, Nav: "nurture", Data: d, Status: status})
}

func (h *Web) editTemplate(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	t, err := h.Nurture.Template(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.mayNurture(w, r) {
		return
	}
	leadID, _ := strconv.ParseInt(r.URL.Query().Get("lead"), 10, 64)
	h.renderTemplate(w, r, templateData{Template: t, LeadID: leadID}, 0)
}

func (h *Web) saveTemplate(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	t := mailtmpl.Template{ID: id, Version: version, Name: r.PostFormValue("name"), Subject: r.PostFormValue("subject"),
		HTML: r.PostFormValue("html"), Text: r.PostFormValue("text")}
	saved, err := h.Nurture.SaveTemplate(r.Context(), actor(r), t)
	if e := fault.As(err); e != nil && (e.Fields != nil || e.Code == fault.Conflict) {
		errs := e.Fields
		if errs == nil {
			errs = map[string]string{"version": e.Message}
		}
		h.renderTemplate(w, r, templateData{Template: t, Errors: errs}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Template saved.")
	http.Redirect(w, r, fmt.Sprintf("/nurture/templates/%d", saved.ID), http.StatusSeeOther)
}

func (h *Web) testTemplate(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	leadID, _ := strconv.ParseInt(r.PostFormValue("lead"), 10, 64)
	err := h.Nurture.SendTest(r.Context(), actor(r), id, leadID)
	switch {
	case errors.Is(err, mail.ErrNotConfigured):
		h.flash(w, "No test was sent: email is not configured.")
	case err != nil:
		h.fail(w, r, err)
		return
	default:
		h.flash(w, i18n.T(r.Context(), "flash.test_sent", "Email", actor(r).Email))
	}
	http.Redirect(w, r, fmt.Sprintf("/nurture/templates/%d?lead=%d", id, leadID), http.StatusSeeOther)
}

func (h *Web) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	t, err := h.Nurture.Template(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		h.confirm(w, r, tr(r, "confirm.delete_template_q", "Name", t.Name), tr(r, "confirm.delete_template_detail"),
			tr(r, "confirm.delete_template"), fmt.Sprintf("/nurture/templates/%d", id))
		return
	}
	if err := h.Nurture.DeleteTemplate(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.template_deleted", "Name", t.Name))
	http.Redirect(w, r, "/nurture", http.StatusSeeOther)
}

// --- sequences ---------------------------------------------------------

// stepRows is how many empty step rows the editor adds for new steps.
const stepRows = 3

type sequenceData struct {
	Sequence   nurture.Sequence
	Rows       []nurture.Step
	Templates  []mailtmpl.Template
	Errors     map[string]string
	Report     nurture.Report
	Enrolments []nurture.Enrolment
	Describe   func(nurture.Step) string
	Stages     []string
	Weekdays   []weekdayOption
	Segments   []segment.Segment
	MailOff    bool
}

// weekdayOption is a day a wait-until step may wait for: its code as
// the sequence stores it and its name in the reader's language.
type weekdayOption struct{ Code, Name string }

// weekdayOptions are the days from Monday, named in l's language.
func weekdayOptions(l *i18n.Locale) []weekdayOption {
	var days []weekdayOption
	for i, code := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		days = append(days, weekdayOption{code, l.Weekday(time.Weekday((i + 1) % 7))})
	}
	return days
}

func (h *Web) newSequence(w http.ResponseWriter, r *http.Request) {
	if !h.mayNurture(w, r) {
		return
	}
	h.renderSequence(w, r, sequenceData{Sequence: nurture.Sequence{Status: nurture.Draft, TriggerKind: nurture.TriggerManual}}, 0)
}

func (h *Web) renderSequence(w http.ResponseWriter, r *http.Request, d sequenceData, status int) {
	var err error
	if d.Templates, err = h.Nurture.Templates(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, t := range d.Templates {
		names[t.ID] = t.Name
	}
	d.Describe = func(st nurture.Step) string {
		return st.DescribeIn(i18n.From(r.Context()), len(d.Sequence.Steps), func(id int64) string { return names[id] })
	}
	d.Rows = append(append([]nurture.Step(nil), d.Sequence.Steps...), make([]nurture.Step, stepRows)...)
	d.MailOff = !h.Nurture.MailConfigured()
	if d.Segments, err = h.Segments.List(r.Context(), actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range lead.Stages {
		d.Stages = append(d.Stages, string(s))
	}
	d.Weekdays = weekdayOptions(i18n.From(r.Context()))
	title := tr(r, "nur.new_sequence")
	if d.Sequence.ID != 0 {
		title = d.Sequence.Name
		if d.Report, err = h.Nurture.Report(r.Context(), d.Sequence.ID); err == nil {
			d.Enrolments, err = h.Nurture.SequenceEnrolments(r.Context(), d.Sequence.ID, 50)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, "sequence", page{Title: title, Nav: "nurture", Data: d, Status: status})
}

func (h *Web) showSequence(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	q, err := h.Nurture.Sequence(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.mayNurture(w, r) {
		return
	}
	h.renderSequence(w, r, sequenceData{Sequence: q}, 0)
}

// sequenceFromPost reads the editor: its settings, and one row per step,
// where a row whose kind is empty is no step.
func sequenceFromPost(r *http.Request) nurture.Sequence {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	q := nurture.Sequence{ID: id, Version: version, Name: r.PostFormValue("name"), Status: r.PostFormValue("status"),
		TriggerKind: r.PostFormValue("trigger_kind"), TriggerRef: r.PostFormValue("trigger_ref")}
	switch q.TriggerKind {
	case nurture.TriggerStage:
		q.TriggerRef = r.PostFormValue("trigger_stage")
	case nurture.TriggerSegment:
		q.TriggerRef = r.PostFormValue("trigger_segment")
	}
	num := func(vs []string, i int) int {
		if i < len(vs) {
			n, _ := strconv.Atoi(strings.TrimSpace(vs[i]))
			return n
		}
		return 0
	}
	str := func(vs []string, i int) string {
		if i < len(vs) {
			return vs[i]
		}
		return ""
	}
	f := r.PostForm
	for i, kind := range f["kind"] {
		if kind == "" {
			continue
		}
		q.Steps = append(q.Steps, nurture.Step{Kind: kind, TemplateID: int64(num(f["template_id"], i)), Days: num(f["days"], i),
			Hours: num(f["hours"], i), Weekday: str(f["weekday"], i), Hour: num(f["hour"], i), If: str(f["if"], i),
			Value: num(f["value"], i), Goto: num(f["goto"], i)})
	}
	return q
}

func (h *Web) saveSequence(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fault.Errorf(fault.Invalid, "the form could not be read"))
		return
	}
	q := sequenceFromPost(r)
	saved, err := h.Nurture.SaveSequence(r.Context(), actor(r), q)
	if e := fault.As(err); e != nil && (e.Fields != nil || e.Code == fault.Conflict) {
		errs := e.Fields
		if errs == nil {
			errs = map[string]string{"version": e.Message}
		}
		h.renderSequence(w, r, sequenceData{Sequence: q, Errors: errs}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Sequence saved.")
	http.Redirect(w, r, fmt.Sprintf("/nurture/sequences/%d", saved.ID), http.StatusSeeOther)
}

func (h *Web) deleteSequence(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	q, err := h.Nurture.Sequence(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		h.confirm(w, r, tr(r, "confirm.delete_sequence_q", "Name", q.Name), tr(r, "confirm.delete_sequence_detail"),
			tr(r, "confirm.delete_sequence"), fmt.Sprintf("/nurture/sequences/%d", id))
		return
	}
	if err := h.Nurture.DeleteSequence(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.sequence_deleted", "Name", q.Name))
	http.Redirect(w, r, "/nurture", http.StatusSeeOther)
}

// --- a lead's enrolments -------------------------------------------------

func (h *Web) enrolLead(w http.ResponseWriter, r *http.Request) {
	leadID, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	seqID, _ := strconv.ParseInt(r.PostFormValue("sequence"), 10, 64)
	_, made, err := h.Nurture.Enrol(r.Context(), actor(r), seqID, leadID, "enrolled by "+actor(r).Email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if made {
		h.flash(w, "Enrolled.")
	} else {
		h.flash(w, "This lead was enrolled in that sequence before; a lead goes through a sequence once.")
	}
	http.Redirect(w, r, fmt.Sprintf("/leads/%d#enrolments", leadID), http.StatusSeeOther)
}

func (h *Web) exitEnrolment(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	leadID, _ := strconv.ParseInt(r.PostFormValue("lead"), 10, 64)
	if err := h.Nurture.Exit(r.Context(), actor(r), id, r.PostFormValue("reason")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "The lead left the sequence.")
	http.Redirect(w, r, fmt.Sprintf("/leads/%d#enrolments", leadID), http.StatusSeeOther)
}

// --- the outgoing email ----------------------------------------------------

type outboxData struct {
	Messages []mail.Stored
	Status   string
	Statuses []string
	MailOff  bool
}

func (h *Web) showOutbox(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	ms, err := h.Outbox.List(r.Context(), actor(r), status, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "outbox", page{Title: "Outgoing email", Nav: "mail", Data: outboxData{Messages: ms, Status: status,
		Statuses: []string{mail.Queued, mail.Sent, mail.Failed, mail.Bounced}, MailOff: !h.Outbox.Config().Configured()}})
}

func (h *Web) retryMail(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := h.Outbox.Retry(r.Context(), actor(r), id)
	if errors.Is(err, mail.ErrNotConfigured) {
		err = fault.Errorf(fault.Conflict, "email is not configured, so nothing can be sent")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.mail_resent", "ID", id))
	http.Redirect(w, r, "/mail?status=failed", http.StatusSeeOther)
}

// mayNurture shows the Forbidden page, and reports false, unless the
// signed-in user manages nurturing.
func (h *Web) mayNurture(w http.ResponseWriter, r *http.Request) bool {
	if err := nurture.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return false
	}
	return true
}

// confirm asks before deleting what back shows; the deletion posts to
// back + "/delete".
func (h *Web) confirm(w http.ResponseWriter, r *http.Request, question, detail, button, back string) {
	if !h.mayNurture(w, r) {
		return
	}
	h.render(w, r, "confirm", page{Title: button, Nav: "nurture", Data: confirmData{Question: question, Detail: detail,
		Action: back + "/delete", Button: button, Cancel: back}})
}
