// Package bench measures leadflow on a database of a chosen size: it makes
// a deterministic synthetic data set, then times the database's own limit
// (batched inserts through the driver) and what users do through the real
// server over loopback (intake, events, lists), rescoring and imports.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
	"leadflow/internal/words"
)

// Data is the generator: the same seed always makes the same rows.
type Data struct {
	Seed uint64
	Now  time.Time
}

var (
	titles     = []string{"CEO", "CTO", "Software Engineer", "Head of Sales", "VP Marketing", "Analyst", "Student", "Procurement Manager", "Founder", "IT Director"}
	countries  = []string{"RO", "IT", "NO", "DE", "US", "FR", "GB", "ES", "NL", "PL"}
	industries = []string{"Software", "Manufacturing", "Retail", "Healthcare", "Education", "Logistics", "Financial Services"}
	sources    = []string{"web", "paid_search", "referral", "event", "import", "email", "social"}
	stages     = []string{"subscriber", "lead", "lead", "lead", "mql", "sql", "opportunity", "customer", "nurturing", "disqualified"}
	eventTypes = []string{"page_view", "page_view", "page_view", "page_view", "pricing_page_view", "email_open", "email_open",
		"email_click", "ebook_download", "form_submit", "quote_request", "newsletter_subscribe", "meeting_booked"}
)

// leadRow is one synthetic lead, in insert order.
type leadRow struct {
	email, first, last, company, title, country, industry, source, stage string
	employees                                                            int
	created                                                              int64
}

func (d Data) lead(rng *rand.Rand, i int) leadRow {
	company := i % 20011
	return leadRow{
		email: fmt.Sprintf("person%d@company%d.example", i, company), first: fmt.Sprintf("First%d", i%5003),
		last: fmt.Sprintf("Last%d", i%7919), company: fmt.Sprintf("Company %d", company),
		title: titles[rng.IntN(len(titles))], country: countries[rng.IntN(len(countries))],
		industry: industries[rng.IntN(len(industries))], source: sources[rng.IntN(len(sources))],
		stage: stages[rng.IntN(len(stages))], employees: rng.IntN(5000),
		created: d.Now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).UnixMilli(),
	}
}

const insertLead = `INSERT INTO leads (email, first_name, last_name, company, job_title, employees, country, industry, source,
	stage, score, grade, created_at, updated_at, first_name_sort, last_name_sort, company_sort)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'cold', ?, ?, ?, ?, ?)`

// InsertLeads inserts n leads in transactions of batch rows straight
// through the driver: no HTTP, no validation, no timeline. This is the
// database's own limit that intake is compared with. progress gets the
// number inserted so far.
func (d Data) InsertLeads(ctx context.Context, db *sqldb.DB, n, batch int, progress func(int)) error {
	rng := rand.New(rand.NewPCG(d.Seed, 1))
	for from := 0; from < n; from += batch {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				l := d.lead(rng, i)
				var id int64
				if err := tx.QueryRow(ctx, insertLead+` RETURNING id`, l.email, l.first, l.last, l.company, l.title, l.employees, l.country,
					l.industry, l.source, l.stage, l.created, l.created, sortkey.Of(l.first), sortkey.Of(l.last),
					sortkey.Of(l.company)).Scan(&id); err != nil {
					return err
				}
				// The word index, as every stored lead has it.
				ws := words.Of(l.first, l.last, l.email, l.company, l.title)
				rows, args := make([]string, len(ws)), make([]any, 0, 2*len(ws))
				for j, w := range ws {
					rows[j] = "(?, ?)"
					args = append(args, w, id)
				}
				if _, err := tx.Exec(ctx, `INSERT INTO lead_words (word, lead_id) VALUES `+strings.Join(rows, ", "), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bench: insert leads: %w", err)
		}
		if progress != nil {
			progress(min(from+batch, n))
		}
	}
	return nil
}

// InsertEvents inserts m events spread over the leads with ids 1..leads,
// in the last 120 days.
func (d Data) InsertEvents(ctx context.Context, db *sqldb.DB, m, leads, batch int, progress func(int)) error {
	rng := rand.New(rand.NewPCG(d.Seed, 2))
	now := d.Now.UnixMilli()
	for from := 0; from < m; from += batch {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+batch, m); i++ {
				typ := eventTypes[rng.IntN(len(eventTypes))]
				url := "https://www.example.com/" + strings.TrimSuffix(typ, "_view")
				if _, err := tx.Exec(ctx, `INSERT INTO events (lead_id, type, url, occurred_at, source) VALUES (?, ?, ?, ?, 'bench')`,
					1+rng.IntN(leads), typ, url, now-rng.Int64N(120*86400000)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bench: insert events: %w", err)
		}
		if progress != nil {
			progress(min(from+batch, m))
		}
	}
	return nil
}

// CSV writes n lead rows as a Salesforce-style export, for the import
// measurement; emails do not collide with the generated leads.
func (d Data) CSV(w interface{ WriteString(string) (int, error) }, n int) error {
	rng := rand.New(rand.NewPCG(d.Seed, 3))
	if _, err := w.WriteString("First Name,Last Name,Email,Company,Title,Country,No. of Employees,Industry,Lead Source\n"); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		l := d.lead(rng, i)
		if _, err := fmt.Fprintf(stringWriter{w}, "%s,%s,imported%d@company%d.example,%s,%s,%s,%d,%s,%s\n",
			l.first, l.last, i, i%20011, l.company, l.title, l.country, l.employees, l.industry, l.source); err != nil {
			return err
		}
	}
	return nil
}

type stringWriter struct {
	w interface{ WriteString(string) (int, error) }
}

func (s stringWriter) Write(p []byte) (int, error) { return s.w.WriteString(string(p)) }
