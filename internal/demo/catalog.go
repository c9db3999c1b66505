package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"leadflow/internal/access"
	solutions "leadflow/internal/catalog"
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

// seedMatching loads the catalog, when the demo has one.
func seedMatching(ctx context.Context, svc Services) error {
	if svc.Catalog == nil {
		return nil
	}
	return seedCatalog(ctx, svc.Catalog)
}
