package predict

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/lead"
	"leadflow/internal/scoring"
)

// row is a lead as the model reads it: the fields scoring rules and the
// model look at, in the text form lead.Values gives them, and what the
// label needs.
type row struct {
	x     Example
	stage lead.Stage
}

// leanColumns are the columns read per lead: no owner join, no address,
// no timeline, so every lead of a million is read in seconds.
const leanColumns = `id, email, company, job_title, employees, industry, country, city, website, existing_customer, consent,
	source, utm_source, utm_medium, utm_campaign, custom, stage, created_at`

// readChunk reads the leads with ids in [from, to) and their events.
func (s *Service) readChunk(ctx context.Context, from, to int64) ([]row, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+leanColumns+` FROM leads WHERE id >= ? AND id < ? ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("predict: read leads: %w", err)
	}
	var out []row
	at := map[int64]int{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		at[r.x.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ev, err := s.db.R.Query(ctx, `SELECT lead_id, id, type, url, occurred_at FROM events WHERE lead_id >= ? AND lead_id < ?`, from, to)
	if err != nil {
		return nil, fmt.Errorf("predict: read events: %w", err)
	}
	defer ev.Close()
	for ev.Next() {
		var leadID, ms int64
		var e scoring.Event
		if err := ev.Scan(&leadID, &e.ID, &e.Type, &e.URL, &ms); err != nil {
			return nil, err
		}
		if i, ok := at[leadID]; ok {
			e.At = time.UnixMilli(ms).UTC()
			out[i].x.Events = append(out[i].x.Events, e)
		}
	}
	return out, ev.Err()
}

func scanRow(s interface{ Scan(...any) error }) (row, error) {
	var r row
	var email, company, title, industry, country, city, website, source, us, um, uc, custom string
	var employees sql.NullInt64
	var existing, consent bool
	var created int64
	if err := s.Scan(&r.x.ID, &email, &company, &title, &employees, &industry, &country, &city, &website, &existing, &consent,
		&source, &us, &um, &uc, &custom, &r.stage, &created); err != nil {
		return r, err
	}
	f := scoring.Facts{lead.FEmail: email, lead.FCompany: company, lead.FJobTitle: title, lead.FIndustry: industry,
		lead.FCountry: country, lead.FCity: city, lead.FWebsite: website, lead.FSource: source,
		lead.FUTMSource: us, lead.FUTMMedium: um, lead.FUTMCampaign: uc, lead.FStage: string(r.stage),
		lead.FExistingCustomer: strconv.FormatBool(existing), lead.FConsent: strconv.FormatBool(consent), lead.FEmployees: ""}
	if employees.Valid {
		f[lead.FEmployees] = strconv.FormatInt(employees.Int64, 10)
	}
	if len(custom) > 2 { // not "" or "{}"
		var answers map[string]string
		if err := json.Unmarshal([]byte(custom), &answers); err != nil {
			return r, fmt.Errorf("predict: lead %d: custom fields: %w", r.x.ID, err)
		}
		for k, v := range answers {
			f[lead.CustomPrefix+k] = v
		}
	}
	r.x.Facts, r.x.CreatedAt = f, time.UnixMilli(created).UTC()
	return r, nil
}
