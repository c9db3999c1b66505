package brief_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/project"
	"leadflow/internal/sqldb"
)

// Requests count by industry and category; only saved ones count as
// validated, matched, custom or converted; budgets average per currency.
func TestAggregate(t *testing.T) {
	rows := brief.Aggregate([]brief.Outcome{
		{Industry: "Retail", Category: "crm", Validated: true, Budget: 300000, Currency: "EUR", Matched: true, Converted: true},
		{Industry: "retail", Category: "crm", Validated: true, Budget: 100000, Currency: "EUR", Matched: true},
		{Industry: "retail", Category: "crm"},
		{Industry: "retail", Category: "e-commerce", Validated: true, Budget: 5000000, Currency: "NOK", Custom: true},
		{Industry: "healthcare", Category: "hr", Validated: true},
		{Category: "bi"},
	})
	got := ""
	for _, r := range rows {
		got += fmt.Sprintf("%s/%s %d %d %d %d %d %v\n", r.Industry, r.Category, r.Requests, r.Validated, r.Matched, r.Custom, r.Converted, r.AvgBudget)
	}
	want := "retail/ 4 3 2 1 1 map[EUR:200000 NOK:5000000]\n" +
		"retail/crm 3 2 2 0 1 map[EUR:200000]\n" +
		"retail/e-commerce 1 1 0 1 0 map[NOK:5000000]\n" +
		"healthcare/ 1 1 0 0 0 map[]\n" +
		"healthcare/hr 1 1 0 0 0 map[]\n" +
		"unknown/ 1 0 0 0 0 map[]\n" +
		"unknown/bi 1 0 0 0 0 map[]\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	if rate, ok := rows[1].ConversionRate(); !ok || rate != 0.5 {
		t.Errorf("retail crm conversion %v %v", rate, ok)
	}
}

// The report reads the database: saved requests with their projects and
// conversions, and public form answers not yet saved.
func TestKPIsFromTheDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db)
		w.briefs.Projects = project.NewService(db, w.leads)
		if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, crmRequest()); err != nil {
			t.Fatal(err)
		}
		if _, err := w.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "vera@kite.example", lead.FIndustry: "Retail",
			lead.CustomPrefix + brief.AnswerCategory: "crm"}); err != nil {
			t.Fatal(err)
		}
		rows, err := w.briefs.KPIs(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("rows %+v", rows)
		}
		r := rows[1]
		// No catalog: the saved request opened a custom project.
		if r.Industry != "retail" || r.Category != "crm" || r.Requests != 2 || r.Validated != 1 || r.Custom != 1 || r.Matched != 0 ||
			r.AvgBudget["EUR"] != 300000 {
			t.Errorf("row %+v", r)
		}
	})
}
