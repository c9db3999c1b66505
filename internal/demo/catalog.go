package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	solutions "leadflow/internal/catalog"
	"leadflow/internal/forms"
	"leadflow/internal/lead"
)

// catalogCSV is the demo's solution catalog, in the import's own CSV
// format, so it is also a worked example of that file.
//
//go:embed catalog.csv
var catalogCSV []byte

// featureNames is the demo's feature vocabulary.
var featureNames = map[string]string{
	"ab-testing": "A/B testing", "ad-hoc-queries": "Ad-hoc queries", "alerts": "Alerts", "api": "API",
	"audit-trail": "Audit trail", "b2b-portal": "B2B portal", "bank-reconciliation": "Bank reconciliation",
	"barcode-scanning": "Barcode scanning", "consolidation": "Group consolidation", "contacts": "Contact management",
	"custom-fields": "Custom fields", "dashboards": "Dashboards", "data-warehouse": "Data warehouse",
	"document-management": "Document management", "e-invoicing": "E-invoicing (e-Factura, SDI, EHF)",
	"email-campaigns": "Email campaigns", "email-sync": "Email sync", "employee-records": "Employee records",
	"etl": "Data import and ETL", "forms": "Web forms", "gantt": "Gantt charts", "gdpr-tools": "GDPR tools",
	"general-ledger": "General ledger", "inventory": "Inventory", "invoicing": "Invoicing", "kanban": "Kanban boards",
	"knowledge-base": "Knowledge base", "landing-pages": "Landing pages", "lead-scoring": "Lead scoring",
	"leave-management": "Leave management", "live-chat": "Live chat", "manufacturing-bom": "Bills of materials",
	"marketing-automation": "Marketing automation", "marketplace-sync": "Marketplace sync", "mobile-app": "Mobile app",
	"mrp": "Material requirements planning", "multi-currency": "Multiple currencies", "offline-mode": "Works offline",
	"online-store": "Online store", "patient-records": "Patient records", "payments": "Online payments",
	"payroll": "Payroll", "performance-reviews": "Performance reviews", "pipeline": "Sales pipeline",
	"product-catalog": "Product catalog", "purchasing": "Purchasing", "quality-control": "Quality control",
	"quotes": "Quotes and proposals", "recruiting": "Recruiting", "reports": "Reports",
	"resource-planning": "Resource planning", "saf-t": "SAF-T reporting", "sales-forecast": "Sales forecast",
	"scheduling": "Scheduling", "self-service": "Employee self-service", "shipping": "Shipping", "sla": "SLAs",
	"sso": "Single sign-on", "student-records": "Student records", "ticketing": "Ticketing",
	"time-tracking": "Time tracking", "vat-returns": "VAT returns", "warehouse-management": "Warehouse management",
	"workflow-automation": "Workflow automation",
}

// seedCatalog fills the feature vocabulary and imports the demo catalog:
// three dozen products over ten categories, one of them inactive.
func seedCatalog(ctx context.Context, svc *solutions.Service) error {
	for key, name := range featureNames {
		if _, err := svc.SaveFeature(ctx, access.System, solutions.Feature{Key: key, Name: name}); err != nil {
			return fmt.Errorf("demo: feature %s: %w", key, err)
		}
	}
	rows, err := solutions.ParseCSV(catalogCSV)
	if err != nil {
		return fmt.Errorf("demo: catalog: %w", err)
	}
	res, err := svc.Import(ctx, access.System, rows)
	if err != nil {
		return fmt.Errorf("demo: catalog: %w", err)
	}
	if len(res.Rejected) > 0 {
		var why []string
		for _, r := range res.Rejected {
			why = append(why, fmt.Sprintf("row %d %s: %v", r.Row, r.Product, r.Fields))
		}
		return fmt.Errorf("demo: catalog rows refused: %s", strings.Join(why, "; "))
	}
	return nil
}

// seedMatching loads the catalog, when the demo has one, a public
// software-request form with two visitors' answers, and software
// requests on a few qualified leads: most find good matches, one needs a
// custom project.
func seedMatching(ctx context.Context, svc Services) error {
	if svc.Catalog == nil {
		return nil
	}
	if err := seedCatalog(ctx, svc.Catalog); err != nil {
		return err
	}
	if err := seedRequestForm(ctx, svc.Forms); err != nil {
		return err
	}
	if svc.Briefs == nil {
		return nil
	}
	page, err := svc.Leads.List(ctx, access.System, lead.Filter{Stages: []lead.Stage{lead.SQL, lead.MQL}, Sort: "created_at", Limit: 200}, false)
	if err != nil {
		return fmt.Errorf("demo: leads for requests: %w", err)
	}
	used := map[int64]bool{}
	for i, in := range demoRequests {
		// A request written in Romanian goes to a lead in Romania, and so
		// on, when the demo has one; else to the first lead left.
		var l lead.Lead
		for _, c := range page.Leads {
			if !used[c.ID] && (l.ID == 0 || c.Country == demoCountries[i] && l.Country != demoCountries[i]) {
				l = c
			}
		}
		if l.ID == 0 {
			break // fewer qualified leads than requests
		}
		used[l.ID] = true
		if _, err := svc.Briefs.Save(ctx, access.System, l.ID, 0, in); err != nil {
			return fmt.Errorf("demo: request of lead %d: %w", l.ID, err)
		}
	}
	return nil
}

// demoCountries are where each demo request's lead is, "" for anywhere.
var demoCountries = []string{"RO", "DE", "NO", "RO", "", "IT"}

// demoRequests are the software requests of the demo's qualified leads.
var demoRequests = []brief.Input{
	{Industry: "retail", Category: "crm", Deployments: []string{"cloud", "web"}, Licences: "12", Budget: "4000", Currency: "EUR",
		BudgetPeriod: "year", Timeline: "3m", MustHave: []string{"contacts", "pipeline"}, NiceToHave: []string{"e-invoicing", "mobile-app", "quotes"},
		Integrations: []string{"outlook"}, Languages: []string{"ro"}, Notes: "Două magazine în Cluj și Iași; vânzătorii lucrează de pe telefon."},
	{Industry: "manufacturing", Category: "erp", Deployments: []string{"cloud", "desktop"}, Licences: "40", Budget: "60000", Currency: "EUR",
		BudgetPeriod: "once", Horizon: "24", Timeline: "6m", MustHave: []string{"inventory", "manufacturing-bom", "mrp"},
		NiceToHave: []string{"barcode-scanning", "e-invoicing", "warehouse-management"}, Languages: []string{"en", "de"}},
	{Industry: "healthcare", Category: "hr", Deployments: []string{"cloud"}, Licences: "150", Budget: "1200", Currency: "EUR",
		BudgetPeriod: "month", Timeline: "12m", MustHave: []string{"employee-records", "leave-management"},
		NiceToHave: []string{"scheduling", "payroll", "sso"}, Languages: []string{"nb", "en"}, Notes: "Tre klinikker i Oslo og Bergen."},
	{Industry: "retail", Category: "e-commerce", Licences: "3", Budget: "100", Currency: "EUR", BudgetPeriod: "month", Timeline: "asap",
		MustHave: []string{"online-store", "payments"}, NiceToHave: []string{"marketplace-sync", "shipping"}, Integrations: []string{"emag"},
		Languages: []string{"ro"}},
	{Industry: "logistics", Category: "inventory", Deployments: []string{"mobile"}, Licences: "60", Budget: "500", Currency: "EUR",
		BudgetPeriod: "month", Timeline: "3m", MustHave: []string{"warehouse-management", "barcode-scanning", "offline-mode", "patient-records"},
		Notes: "Cold-chain tracking of medicine deliveries; no product we know does this with patient records."},
	{Industry: "software", Category: "helpdesk", Deployments: []string{"cloud"}, Licences: "8", Budget: "150", Currency: "EUR",
		BudgetPeriod: "month", Timeline: "asap", MustHave: []string{"ticketing", "knowledge-base"}, NiceToHave: []string{"live-chat", "sla"},
		Integrations: []string{"slack", "jira"}, Languages: []string{"en", "it"}},
}

// seedRequestForm publishes the public software-request form, whose
// answers prefill a lead's request, and two visitors' answers to it.
func seedRequestForm(ctx context.Context, fs *forms.Service) error {
	var timelines []string
	for _, t := range brief.Timelines {
		timelines = append(timelines, t.Label)
	}
	f, err := fs.Create(ctx, access.System, forms.Form{
		Slug: "software-request", Name: "Find the right software", Source: "web", Campaign: "software-finder",
		ThankYou: "Thank you! An analyst will compare the products that fit and send you a short list.",
		Fields: []forms.Field{{Name: lead.FEmail}, {Name: lead.FFirstName, Required: true}, {Name: lead.FCompany, Required: true},
			{Name: lead.FIndustry}, {Name: lead.FCountry},
			{Name: brief.AnswerCategory, Label: "What kind of application?", Type: "select", Required: true, Options: solutions.Categories},
			{Name: brief.AnswerDeployment, Label: "How should it run?", Type: "select", Options: []string{"cloud", "desktop", "mobile", "web"}},
			{Name: brief.AnswerLicences, Label: "How many users?", Type: "number", Required: true},
			{Name: brief.AnswerBudget, Label: "Budget", Type: "number"},
			{Name: brief.AnswerCurrency, Label: "Currency", Type: "select", Options: []string{"EUR", "RON", "NOK", "USD", "GBP"}},
			{Name: brief.AnswerBudgetPeriod, Label: "The budget is per", Type: "select", Options: []string{"month", "year", "once"}},
			{Name: brief.AnswerTimeline, Label: "When do you need it?", Type: "select", Options: timelines},
			{Name: brief.AnswerMustHave, Label: "Features it must have", Type: "text"},
			{Name: brief.AnswerNiceToHave, Label: "Features that would be nice", Type: "text"},
			{Name: brief.AnswerIntegrations, Label: "Apps it must work with", Type: "text"},
			{Name: brief.AnswerNotes, Label: "Anything else we should know", Type: "text"}},
	})
	if err != nil {
		return fmt.Errorf("demo: software-request form: %w", err)
	}
	meta := forms.Meta{UTMSource: "google", UTMMedium: "organic", PageURL: "/f/software-request"}
	for _, v := range []map[string]string{
		{"email": "giulia.ferrari@pastificiobello.example", "first_name": "Giulia", "company": "Pastificio Bello", "industry": "Manufacturing",
			"country": "IT", "app_category": "accounting", "deployment": "cloud", "licences": "4", "budget": "40", "budget_currency": "EUR",
			"budget_period": "month", "timeline": "Within 3 months", "must_have": "Invoicing, E-invoicing (e-Factura, SDI, EHF)",
			"nice_to_have": "Mobile app", "request_notes": "Fatture elettroniche verso SDI, è la priorità."},
		{"email": "oyvind.dahl@fjellbakeri.example", "first_name": "Øyvind", "company": "Fjellbakeri", "industry": "Retail",
			"country": "NO", "app_category": "e-commerce", "licences": "2", "budget": "5000", "budget_currency": "NOK",
			"budget_period": "month", "timeline": "As soon as possible", "must_have": "Online store, Online payments", "integrations": "vipps"},
	} {
		if _, err := fs.Submit(ctx, f, v, meta); err != nil {
			return fmt.Errorf("demo: software-request submission: %w", err)
		}
	}
	return nil
}
