package audit

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
)

// ParseFilter reads a Filter from query parameters, as the page and the
// API take them: actor, action (a prefix), subject_type, subject_id,
// from and to (dates, to included, or RFC 3339 times, to excluded),
// before (an entry id) and limit.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{
		Actor:       strings.TrimSpace(v.Get("actor")),
		Action:      strings.TrimSpace(v.Get("action")),
		SubjectType: strings.TrimSpace(v.Get("subject_type")),
	}
	bad := fault.Fields{}
	for _, p := range []struct {
		name string
		into *int64
	}{{"subject_id", &f.SubjectID}, {"before", &f.Before}} {
		if s := strings.TrimSpace(v.Get(p.name)); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(p.name, "must be a positive whole number")
			}
			*p.into = n
		}
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			bad.Add("limit", "must be a number from 1 to "+strconv.Itoa(MaxLimit))
		}
		f.Limit = n
	}
	var ok bool
	if f.From, ok = parseTime(v.Get("from"), false); !ok {
		bad.Add("from", "must be a date (2026-11-30) or an RFC 3339 time")
	}
	if f.To, ok = parseTime(v.Get("to"), true); !ok {
		bad.Add("to", "must be a date (2026-11-30) or an RFC 3339 time")
	}
	return f, bad.Err()
}

// parseTime reads a date or an RFC 3339 time; a date as an end bound
// means the end of that day, so that the day is included.
func parseTime(s string, end bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err == nil
}

// Query returns f as query parameters, without Before and Limit: for the
// page's links to the next page and to the CSV download.
func (f Filter) Query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("actor", f.Actor)
	set("action", f.Action)
	set("subject_type", f.SubjectType)
	if f.SubjectID != 0 {
		v.Set("subject_id", strconv.FormatInt(f.SubjectID, 10))
	}
	if !f.From.IsZero() {
		v.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	return v
}
