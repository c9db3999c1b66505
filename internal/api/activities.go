package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/activity"
	"leadflow/internal/fault"
)

type activityJSON struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject"`
	Notes       string     `json:"notes"`
	Owner       *string    `json:"owner"`
	DueAt       time.Time  `json:"due_at"`
	AllDay      bool       `json:"all_day"`
	Duration    int64      `json:"duration"`
	Status      string     `json:"status"`
	Outcome     string     `json:"outcome"`
	CompletedAt *time.Time `json:"completed_at"`
	LinkType    *string    `json:"link_type"`
	LinkID      *int64     `json:"link_id"`
	LinkName    *string    `json:"link_name"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int64      `json:"version"`
}

func activityOut(x activity.Activity) activityJSON {
	j := activityJSON{ID: x.ID, Kind: string(x.Kind), Subject: x.Subject, Notes: x.Notes, Owner: optional(x.OwnerEmail),
		DueAt: x.DueAt, AllDay: x.AllDay, Duration: int64(x.Duration / time.Minute), Status: string(x.Status), Outcome: x.Outcome,
		CompletedAt: x.CompletedAt, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt, Version: x.Version}
	if x.Link.Type != "" {
		id := x.Link.ID
		j.LinkType, j.LinkID, j.LinkName = optional(x.Link.Type), &id, optional(x.Link.Name)
	}
	return j
}

// activityIn is a new activity or a change; absent members are kept.
// due_at is RFC 3339, a local "YYYY-MM-DDTHH:MM" in the user's time
// zone, or a date for an all-day activity; duration is in minutes.
type activityIn struct {
	Kind     *string `json:"kind"`
	Subject  *string `json:"subject"`
	Notes    *string `json:"notes"`
	Owner    *string `json:"owner"`
	DueAt    *string `json:"due_at"`
	AllDay   *bool   `json:"all_day"`
	Duration *int64  `json:"duration"`
	Status   *string `json:"status"`
	Outcome  *string `json:"outcome"`
	LinkType *string `json:"link_type"`
	LinkID   *int64  `json:"link_id"`
	Version  int64   `json:"version"`
}

func (a *API) activityPatch(r *http.Request, in activityIn) activity.Patch {
	p := activity.Patch{Kind: in.Kind, Subject: in.Subject, Notes: in.Notes, Owner: in.Owner, Due: in.DueAt, AllDay: in.AllDay,
		Status: in.Status, Outcome: in.Outcome, LinkType: in.LinkType, LinkID: in.LinkID, Version: in.Version,
		Zone: a.Calendar.Zone(r.Context(), actor(r).ID)}
	if in.Duration != nil {
		p.Duration = activity.Str(strconv.FormatInt(*in.Duration, 10))
	}
	return p
}

// writeActivity answers with x, its version also as the ETag.
func writeActivity(w http.ResponseWriter, status int, x activity.Activity) {
	w.Header().Set("ETag", etag(x.Version))
	writeJSON(w, status, activityOut(x))
}

// listActivities answers GET /api/v1/activities: filtered by owner
// ("me" or an email), kind, status, link_type and link_id, from and to
// (due), overdue and q (subject), sorted by due_at (default) or
// updated_at, paged by cursor.
func (a *API) listActivities(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	o := activity.ListOptions{Owner: v.Get("owner"), Kind: v.Get("kind"), Status: v.Get("status"), LinkType: v.Get("link_type"),
		LinkID: v.Get("link_id"), From: v.Get("from"), To: v.Get("to"), Q: v.Get("q"), Sort: v.Get("sort"), Cursor: v.Get("cursor"), Limit: 50}
	bad := fault.Fields{}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "must be a whole number from 1 to 500")
		}
		o.Limit = n
	}
	switch v.Get("overdue") {
	case "", "false":
	case "true":
		o.Overdue = true
	default:
		bad.Add("overdue", "must be true or false")
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Activities.List(r.Context(), actor(r), o)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []activityJSON `json:"data"`
		Total      int            `json:"total"`
		NextCursor *string        `json:"next_cursor"`
	}{Data: make([]activityJSON, 0, len(p.Items)), Total: p.Total, NextCursor: optional(p.Next)}
	for _, x := range p.Items {
		out.Data = append(out.Data, activityOut(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createActivity(w http.ResponseWriter, r *http.Request) {
	var in activityIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	x, err := a.Activities.Create(r.Context(), actor(r), a.activityPatch(r, in))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/activities/"+strconv.FormatInt(x.ID, 10))
	writeActivity(w, http.StatusCreated, x)
}

func (a *API) getActivity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var x activity.Activity
		if x, err = a.Activities.Get(r.Context(), actor(r), id); err == nil {
			writeActivity(w, http.StatusOK, x)
			return
		}
	}
	a.fail(w, r, err)
}

// updateActivity answers PATCH: members present are changed. The version
// the change was made from, as If-Match or the version member, makes a
// change to an activity written since a 409 conflict.
func (a *API) updateActivity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in activityIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if version != 0 && in.Version != 0 && version != in.Version {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "If-Match and version disagree",
			Fields: map[string]string{"version": "must match If-Match when both are sent"}})
		return
	}
	if in.Version == 0 {
		in.Version = version
	}
	x, err := a.Activities.Update(r.Context(), actor(r), id, a.activityPatch(r, in))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeActivity(w, http.StatusOK, x)
}

func (a *API) deleteActivity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Activities.Delete(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}

type calendarJSON struct {
	TimeZone  string     `json:"time_zone"`
	Feed      bool       `json:"feed"`
	FeedSince *time.Time `json:"feed_since"`
	// FeedURL is shown only in the answer that makes the feed.
	FeedURL *string `json:"feed_url,omitempty"`
}

func (a *API) calendarOut(r *http.Request, feedURL string) (calendarJSON, error) {
	st, err := a.Calendar.Get(r.Context(), actor(r).ID)
	if err != nil {
		return calendarJSON{}, err
	}
	out := calendarJSON{TimeZone: st.ZoneName(), Feed: st.FeedOn, FeedURL: optional(feedURL)}
	if st.FeedOn {
		out.FeedSince = &st.FeedSince
	}
	return out, nil
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request) {
	out, err := a.calendarOut(r, "")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// putCalendar sets the user's time zone (an IANA name).
func (a *API) putCalendar(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TimeZone string `json:"time_zone"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.Calendar.SetZone(r.Context(), actor(r), in.TimeZone); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getCalendar(w, r)
}

// createFeed makes a new secret feed address, ending the one before; the
// address is in this answer only.
func (a *API) createFeed(w http.ResponseWriter, r *http.Request) {
	secret, err := a.Calendar.NewFeed(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.calendarOut(r, requestBase(r)+"/calendar/feed/"+secret+".ics")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) revokeFeed(w http.ResponseWriter, r *http.Request) {
	if err := a.Calendar.RevokeFeed(r.Context(), actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// requestBase is the scheme and host the request was made to.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
