package report

import (
	"net/url"
	"time"

	"leadflow/internal/fault"
)

// Period is a span of whole days in UTC: From's day up to, not
// including, To's.
type Period struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Preset string    `json:"preset,omitempty"` // the named period it was chosen as, if any
}

// Presets are the named periods, in the order the dashboard offers them.
var Presets = []struct{ Key, Label string }{
	{"7d", "Last 7 days"}, {"30d", "Last 30 days"}, {"90d", "Last 90 days"},
	{"ytd", "This year"}, {"365d", "Last 12 months"},
}

// DefaultPreset is the period the dashboard opens with.
const DefaultPreset = "30d"

// maxDays bounds a custom period, so one request cannot ask for ages.
const maxDays = 3660

// LastDay is the period's last day, for showing and for a date input.
func (p Period) LastDay() time.Time { return p.To.AddDate(0, 0, -1) }

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours() / 24) }

// ParsePeriod reads period=7d|30d|90d|ytd|365d, or from and to as
// YYYY-MM-DD (both days included), relative to now. Bad input is an
// error naming the field.
func ParsePeriod(q url.Values, now time.Time) (Period, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	tomorrow := today.AddDate(0, 0, 1)
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" {
		key := q.Get("period")
		if key == "" {
			key = DefaultPreset
		}
		p := Period{To: tomorrow, Preset: key}
		switch key {
		case "7d":
			p.From = tomorrow.AddDate(0, 0, -7)
		case "30d":
			p.From = tomorrow.AddDate(0, 0, -30)
		case "90d":
			p.From = tomorrow.AddDate(0, 0, -90)
		case "365d":
			p.From = tomorrow.AddDate(-1, 0, 0)
		case "ytd":
			p.From = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		default:
			return p, fault.Fields{"period": "must be one of 7d, 30d, 90d, ytd, 365d, or give from and to"}.Err()
		}
		return p, nil
	}
	bad := fault.Fields{}
	f, errFrom := time.Parse(time.DateOnly, from)
	if errFrom != nil {
		bad.Add("from", "must be a date as YYYY-MM-DD")
	}
	t, errTo := time.Parse(time.DateOnly, to)
	if errTo != nil {
		bad.Add("to", "must be a date as YYYY-MM-DD")
	}
	if errFrom == nil && errTo == nil {
		switch {
		case t.Before(f):
			bad.Add("to", "must not be before from")
		case t.Sub(f).Hours()/24 >= maxDays:
			bad.Add("to", "a period is at most 10 years")
		}
	}
	if err := bad.Err(); err != nil {
		return Period{}, err
	}
	return Period{From: f, To: t.AddDate(0, 0, 1)}, nil
}
