package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/activity"
	"leadflow/internal/calendar"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
)

func init() {
	funcs["kinds"] = func() []activity.Kind { return activity.Kinds }
	funcs["activityStatuses"] = func() []activity.Status { return activity.Statuses }
	funcs["minutes"] = func(d time.Duration) int64 { return int64(d / time.Minute) }
}

// recordActivities is the activity card of a lead's, contact's,
// account's or deal's page, with its quick-add form.
type recordActivities struct {
	Type  string
	ID    int64
	Path  string
	Items []calendar.Item
	Zone  *time.Location
	// Due is the quick-add form's default: the next full hour, local.
	Due string
}

// zone is the signed-in user's time zone.
func (h *Web) zone(r *http.Request) *time.Location {
	return h.Calendar.Zone(r.Context(), actor(r).ID)
}

// nextHour is the next full hour after now in loc, as a datetime-local value.
func nextHour(now time.Time, loc *time.Location) string {
	return now.In(loc).Truncate(time.Hour).Add(time.Hour).Format("2006-01-02T15:04")
}

// activitiesOf makes the activity card of record linkType id. A failure
// to read them leaves the card out rather than the page.
func (h *Web) activitiesOf(r *http.Request, linkType string, id int64) *recordActivities {
	list, err := h.Activities.ForRecord(r.Context(), actor(r), linkType, id)
	if err != nil {
		h.Log.ErrorContext(r.Context(), "web: activities of a record", "type", linkType, "id", id, "err", err)
		return nil
	}
	loc, now := h.zone(r), time.Now()
	ra := &recordActivities{Type: linkType, ID: id, Items: calendar.Place(list, loc, now), Zone: loc, Due: nextHour(now, loc)}
	ra.Path = activity.Link{Type: linkType, ID: id}.Path()
	return ra
}

// dayData is the "My day" page.
type dayData struct {
	Overdue, Today, Upcoming, Done []calendar.Item
	Zone                           *time.Location
	Due                            string
	Date                           time.Time
	// LateInvoices are the issued invoices past their due date that the
	// user may chase: their own, for sales.
	LateInvoices []invoice.Invoice
}

func (h *Web) myDay(w http.ResponseWriter, r *http.Request) {
	loc, now := h.zone(r), time.Now()
	d, err := h.Activities.MyDay(r.Context(), actor(r), now, loc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := dayData{Overdue: calendar.Place(d.Overdue, loc, now), Today: calendar.Place(d.Today, loc, now),
		Upcoming: calendar.Place(d.Upcoming, loc, now), Done: calendar.Place(d.Done, loc, now), Zone: loc,
		Due: nextHour(now, loc), Date: now.In(loc)}
	if invoice.MayBill(actor(r)) {
		if data.LateInvoices, _, err = h.Invoices.List(r.Context(), actor(r), invoice.Filter{Status: invoice.Overdue, Today: h.Invoices.Today(loc), Limit: 20}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, "today", page{Title: "My day", Nav: "today", Data: data})
}

// activityForm is the page that adds or edits an activity.
type activityForm struct {
	Activity activity.Activity // the stored one; ID 0 for a new one
	Values   map[string]string
	Errors   map[string]string
	Zone     *time.Location
	// Conflict says the activity changed while the form was open.
	Conflict string
	// For is the record a new activity is for, named.
	For activity.Link
}

// forRecord names the record a new activity's form links it to; a link
// that cannot be named (no such record, or another's) is left for the
// save to refuse.
func (h *Web) forRecord(r *http.Request, v map[string]string) activity.Link {
	id, err := strconv.ParseInt(v["link_id"], 10, 64)
	if err != nil || v["link_type"] == "" {
		return activity.Link{}
	}
	l, err := h.Activities.Named(r.Context(), actor(r), activity.Link{Type: v["link_type"], ID: id})
	if err != nil {
		return activity.Link{}
	}
	return l
}

// formValues are what an edit form shows for act, in loc.
func formValues(act activity.Activity, loc *time.Location) map[string]string {
	v := map[string]string{"kind": string(act.Kind), "subject": act.Subject, "notes": act.Notes, "owner": act.OwnerEmail,
		"duration": strconv.FormatInt(int64(act.Duration/time.Minute), 10), "status": string(act.Status), "outcome": act.Outcome,
		"link_type": act.Link.Type, "version": strconv.FormatInt(act.Version, 10), "link_name": act.Link.Name}
	if act.Link.ID != 0 {
		v["link_id"] = strconv.FormatInt(act.Link.ID, 10)
	}
	v["due"] = calendar.Place([]activity.Activity{act}, loc, time.Now())[0].Local
	if act.AllDay {
		v["all_day"] = "on"
		v["due"] += "T09:00"
	}
	return v
}

// patchFrom reads an activity form into a patch; every field is sent.
func patchFrom(r *http.Request, loc *time.Location) (activity.Patch, map[string]string) {
	r.ParseForm()
	f := r.PostForm
	v := map[string]string{}
	for _, k := range []string{"kind", "subject", "notes", "owner", "due", "all_day", "duration", "status", "outcome", "link_type", "link_id", "version", "next", "link_name"} {
		v[k] = f.Get(k)
	}
	allDay := v["all_day"] != ""
	p := activity.Patch{Kind: activity.Str(v["kind"]), Subject: activity.Str(v["subject"]), Notes: activity.Str(v["notes"]),
		Owner: activity.Str(v["owner"]), Due: activity.Str(v["due"]), AllDay: &allDay, Duration: activity.Str(v["duration"]),
		Outcome: activity.Str(v["outcome"]), Zone: loc}
	if s := v["status"]; s != "" {
		p.Status = &s
	}
	if v["link_type"] != "" || v["link_id"] != "" {
		id, _ := strconv.ParseInt(v["link_id"], 10, 64)
		p.LinkType, p.LinkID = activity.Str(v["link_type"]), &id
	}
	p.Version, _ = strconv.ParseInt(v["version"], 10, 64)
	return p, v
}

// next is where a form sends the user back to: a page of leadflow, or
// the fallback.
func next(r *http.Request, fallback string) string {
	n := r.FormValue("next")
	if u, err := url.Parse(n); err != nil || n == "" || !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || u.Host != "" {
		return fallback
	}
	return n
}

func (h *Web) newActivity(w http.ResponseWriter, r *http.Request) {
	loc := h.zone(r)
	q := r.URL.Query()
	v := map[string]string{"kind": "task", "due": nextHour(time.Now(), loc), "duration": "30", "status": "planned",
		"owner": actor(r).Email, "link_type": q.Get("link_type"), "link_id": q.Get("link_id"), "next": q.Get("next")}
	if k := q.Get("kind"); k != "" {
		v["kind"] = k
	}
	h.render(w, r, "activity", page{Title: "New activity", Nav: "today", Data: activityForm{Values: v, Zone: loc, For: h.forRecord(r, v)}})
}

func (h *Web) createActivity(w http.ResponseWriter, r *http.Request) {
	loc := h.zone(r)
	p, v := patchFrom(r, loc)
	act, err := h.Activities.Create(r.Context(), actor(r), p)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.render(w, r, "activity", page{Title: "New activity", Nav: "today", Status: formStatus(e),
			Data: activityForm{Values: v, Errors: e.Fields, Zone: loc, For: h.forRecord(r, v)}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.activity_added", "Kind", localHuman(i18n.From(r.Context()), string(act.Kind)), "Subject", act.Subject))
	http.Redirect(w, r, next(r, "/today"), http.StatusSeeOther)
}

// activityInPath reads the activity the {id} path names.
func (h *Web) activityInPath(w http.ResponseWriter, r *http.Request) (activity.Activity, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no activity %q.", r.PathValue("id")))
		return activity.Activity{}, false
	}
	act, err := h.Activities.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return act, false
	}
	return act, true
}

func (h *Web) editActivity(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	loc := h.zone(r)
	v := formValues(act, loc)
	v["next"] = r.URL.Query().Get("next")
	h.render(w, r, "activity", page{Title: act.Subject, Nav: "today", Data: activityForm{Activity: act, Values: v, Zone: loc}})
}

// updateActivity saves the edit form. A form opened before someone else
// changed the activity is refused (409) and shown again with what the
// user typed and the activity's new version, so a second save replaces
// the other change knowingly.
func (h *Web) updateActivity(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	loc := h.zone(r)
	p, v := patchFrom(r, loc)
	saved, err := h.Activities.Update(r.Context(), actor(r), act.ID, p)
	if err != nil {
		h.refusedActivity(w, r, act, v, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.activity_saved", "Subject", saved.Subject))
	http.Redirect(w, r, next(r, "/today"), http.StatusSeeOther)
}

// refusedActivity answers a refused change of act with its edit form,
// holding v (what the user sent, over the activity's values): with the
// reason beside each field, or, when someone changed the activity since
// the user's page was drawn, with what changed and its new version, so a
// second save replaces that change knowingly. Nothing typed is lost.
func (h *Web) refusedActivity(w http.ResponseWriter, r *http.Request, act activity.Activity, v map[string]string, err error) {
	loc := h.zone(r)
	e := fault.As(err)
	switch {
	case e != nil && e.Code == fault.Conflict:
		cur, _ := h.Activities.Get(r.Context(), actor(r), act.ID)
		l := i18n.From(r.Context())
		v["version"] = strconv.FormatInt(cur.Version, 10)
		h.render(w, r, "activity", page{Title: act.Subject, Nav: "today", Status: http.StatusConflict, Data: activityForm{Activity: cur,
			Values: v, Zone: loc, Conflict: tr(r, "act.changed_while_editing", "When", activityWhen(l, cur, loc), "Status", activityStatus(l, cur.Status))}})
	case e != nil && e.Fields != nil:
		h.render(w, r, "activity", page{Title: act.Subject, Nav: "today", Status: formStatus(e),
			Data: activityForm{Activity: act, Values: v, Errors: e.Fields, Zone: loc}})
	default:
		h.fail(w, r, err)
	}
}

// formOver is act's edit form with the fields a short form sent (an
// outcome, a new due time) put over its values, for refusedActivity.
func formOver(r *http.Request, act activity.Activity, loc *time.Location, sent map[string]string) map[string]string {
	v := formValues(act, loc)
	for k, s := range sent {
		v[k] = s
	}
	if n := r.PostFormValue("next"); n != "" {
		v["next"] = n
	}
	if s := r.PostFormValue("version"); s != "" {
		v["version"] = s
	}
	return v
}

func inZone(a activity.Activity, loc *time.Location) string {
	if a.AllDay {
		return a.DueAt.Format("Mon 2 Jan 2006") + " (all day)"
	}
	return a.DueAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// activityStatus is status as a sentence names it: "planned" in
// English, "planificată" in Romanian.
func activityStatus(l *i18n.Locale, status activity.Status) string {
	if l.Lang == i18n.Default {
		return string(status)
	}
	return strings.ToLower(localHuman(l, string(status)))
}

// activityWhen is when a is due, as inZone writes it, in l's language.
func activityWhen(l *i18n.Locale, a activity.Activity, loc *time.Location) string {
	switch {
	case l.Lang == i18n.Default:
		return inZone(a, loc)
	case a.AllDay:
		return l.LongDate(a.DueAt) + " (" + l.T("flash.all_day") + ")"
	}
	return l.Weekday(a.DueAt.In(loc).Weekday()) + " " + l.DateTime(a.DueAt, loc)
}

// completeActivity marks an activity done, with its outcome.
func (h *Web) completeActivity(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	p := activity.Patch{Status: activity.Str(string(activity.Done))}
	if o := strings.TrimSpace(r.PostFormValue("outcome")); o != "" {
		p.Outcome = &o
	}
	p.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := h.Activities.Update(r.Context(), actor(r), act.ID, p); err != nil {
		sent := map[string]string{"status": string(activity.Done), "outcome": r.PostFormValue("outcome")}
		h.refusedActivity(w, r, act, formOver(r, act, h.zone(r), sent), err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.activity_done", "Subject", act.Subject))
	http.Redirect(w, r, next(r, "/today"), http.StatusSeeOther)
}

// moveActivity reschedules an activity to a new local due time, from the
// calendar's drag (a script, answered with a status and a sentence) or a
// form (answered with a redirect).
func (h *Web) moveActivity(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	p := activity.Patch{Due: activity.Str(r.PostFormValue("due")), Zone: h.zone(r)}
	p.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	moved, err := h.Activities.Update(r.Context(), actor(r), act.ID, p)
	if r.Header.Get("X-Requested-With") == "fetch" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		e := fault.As(err)
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, tr(r, "flash.activity_moved", "Subject", moved.Subject, "When", activityWhen(i18n.From(r.Context()), moved, h.zone(r))))
		case e != nil && e.Code == fault.Conflict:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, tr(r, "flash.activity_changed_meanwhile"))
		case e != nil && e.Fields != nil:
			w.WriteHeader(formStatus(e))
			fmt.Fprint(w, tr(r, "flash.activity_due_why", "Why", i18n.From(r.Context()).Reason(e.Fields["due_at"])))
		default:
			h.serverError(w, r, err)
		}
		return
	}
	if err != nil {
		h.refusedActivity(w, r, act, formOver(r, act, h.zone(r), map[string]string{"due": r.PostFormValue("due")}), err)
		return
	}
	h.flash(w, tr(r, "flash.activity_moved", "Subject", moved.Subject, "When", activityWhen(i18n.From(r.Context()), moved, h.zone(r))))
	http.Redirect(w, r, next(r, "/calendar"), http.StatusSeeOther)
}

func (h *Web) deleteActivity(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	if err := h.Activities.Delete(r.Context(), actor(r), act.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.activity_deleted", "Subject", act.Subject))
	http.Redirect(w, r, next(r, "/today"), http.StatusSeeOther)
}

// activityICS answers the .ics file of an activity: for a meeting, an
// invitation from its owner to its contact.
func (h *Web) activityICS(w http.ResponseWriter, r *http.Request) {
	act, ok := h.activityInPath(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=REQUEST")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d.ics"`, act.Kind, act.ID))
	w.Write(calendar.Invitation(act, r.Host, baseURL(r)).Bytes())
}

// feedDays is how far back and ahead a calendar feed reaches.
const feedBack, feedAhead = 90 * 24 * time.Hour, 400 * 24 * time.Hour

// calendarFeed answers a calendar app at the secret address of a user's
// feed, with no sign-in: the secret is the credential. An unknown or
// revoked address answers 404.
func (h *Web) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	var a access.Actor
	var loc *time.Location
	var err error
	if ok {
		a, loc, err = h.Calendar.FeedOwner(r.Context(), secret)
	}
	if !ok || fault.As(err) != nil && fault.As(err).Code == fault.NotFound {
		http.Error(w, "No calendar feed has this address; it may have been revoked.", http.StatusNotFound)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := time.Now()
	list, err := h.Activities.Between(r.Context(), a, []int64{a.ID}, now.Add(-feedBack), now.Add(feedAhead))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(calendar.Feed(a.Email, loc.String(), list, r.Host, baseURL(r)).Bytes())
}

// calendarSettings is the page of the time zone and the feed.
type calendarSettings struct {
	Settings calendar.Settings
	Zone     string
	Errors   map[string]string
	// FeedURL is a feed address just made, shown this once.
	FeedURL string
	Zones   []string
}

// commonZones are offered first; any IANA name can be typed.
var commonZones = []string{"UTC", "Europe/London", "Europe/Lisbon", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Rome",
	"Europe/Madrid", "Europe/Oslo", "Europe/Stockholm", "Europe/Warsaw", "Europe/Bucharest", "Europe/Athens", "Europe/Helsinki",
	"Europe/Istanbul", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

func (h *Web) renderCalendarSettings(w http.ResponseWriter, r *http.Request, d calendarSettings, status int) {
	st, err := h.Calendar.Get(r.Context(), actor(r).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Settings, d.Zones = st, commonZones
	if d.Zone == "" {
		d.Zone = st.ZoneName()
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, "calendar_settings", page{Title: "Calendar settings", Nav: "calendar", Data: d, Status: status})
}

func (h *Web) showCalendarSettings(w http.ResponseWriter, r *http.Request) {
	h.renderCalendarSettings(w, r, calendarSettings{}, 0)
}

func (h *Web) saveZone(w http.ResponseWriter, r *http.Request) {
	zone := r.PostFormValue("time_zone")
	_, err := h.Calendar.SetZone(r.Context(), actor(r), zone)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderCalendarSettings(w, r, calendarSettings{Zone: zone, Errors: e.Fields}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.zone_saved", "Zone", strings.TrimSpace(zone)))
	http.Redirect(w, r, "/calendar/settings", http.StatusSeeOther)
}

// newFeed shows the new feed address on the page it answers with, never
// after a redirect, so that it is not kept in a cookie.
func (h *Web) newFeed(w http.ResponseWriter, r *http.Request) {
	secret, err := h.Calendar.NewFeed(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderCalendarSettings(w, r, calendarSettings{FeedURL: baseURL(r) + "/calendar/feed/" + secret + ".ics"}, http.StatusCreated)
}

func (h *Web) revokeFeed(w http.ResponseWriter, r *http.Request) {
	if err := h.Calendar.RevokeFeed(r.Context(), actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "The calendar feed address is revoked; apps subscribed to it get nothing more.")
	http.Redirect(w, r, "/calendar/settings", http.StatusSeeOther)
}

// activityRoutes adds the pages of activities and the calendar.
func (h *Web) activityRoutes(mux routeMux) {
	mux.HandleFunc("GET /today", h.myDay)
	mux.HandleFunc("GET /activities/new", h.newActivity)
	mux.HandleFunc("POST /activities", h.createActivity)
	mux.HandleFunc("GET /activities/{id}", h.editActivity)
	mux.HandleFunc("POST /activities/{id}", h.updateActivity)
	mux.HandleFunc("POST /activities/{id}/complete", h.completeActivity)
	mux.HandleFunc("POST /activities/{id}/move", h.moveActivity)
	mux.HandleFunc("POST /activities/{id}/delete", h.deleteActivity)
	mux.HandleFunc("GET /activities/{id}/invite.ics", h.activityICS)
	mux.HandleFunc("GET /calendar", h.showCalendar)
	mux.HandleFunc("GET /calendar/settings", h.showCalendarSettings)
	mux.HandleFunc("POST /calendar/settings", h.saveZone)
	mux.HandleFunc("POST /calendar/feed", h.newFeed)
	mux.HandleFunc("POST /calendar/feed/revoke", h.revokeFeed)
}

// withActivities puts the completed activities of a lead's card on its
// timeline, newest first like the rest of it, at the time each was done.
func withActivities(tl []lead.Change, ra *recordActivities) []lead.Change {
	if ra == nil {
		return tl
	}
	for _, it := range ra.Items {
		if it.Status != activity.Done || it.CompletedAt == nil {
			continue
		}
		tl = append(tl, lead.Change{At: *it.CompletedAt, ActorEmail: it.OwnerEmail, Kind: "activity", Reason: it.Outcome,
			Detail: map[string][2]string{"kind": {string(it.Kind)}, "subject": {it.Subject}, "id": {strconv.FormatInt(it.ID, 10)}}})
	}
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.After(tl[j].At) })
	return tl
}
