package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/api"
	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// apiRecordKind is the kind of record an API route's {id} names, for the
// routes the matrix marks as owner-scoped; "" for the user's own
// credentials, which have no unassigned kind.
func apiRecordKind(path string) string {
	switch {
	case !strings.Contains(path, "{id}"): // a bulk route names its leads in the body; TestBulkActions tries them
		return ""
	case strings.HasSuffix(path, "/convert"):
		return "convertible"
	case strings.HasPrefix(path, "/api/v1/leads/"):
		return "lead"
	case strings.HasPrefix(path, "/api/v1/contacts/"):
		return "contact"
	case strings.HasPrefix(path, "/api/v1/opportunities/"):
		return "deal"
	case strings.HasPrefix(path, "/api/v1/accounts/"):
		return "account"
	}
	return ""
}

// apiChanges are the bodies that make an allowed change happen, so that
// the walk over the other owner's records can be seen to change nothing.
var apiChanges = map[string]string{
	"PATCH /api/v1/leads/{id}":         `{"city":"Apitown"}`,
	"POST /api/v1/leads/{id}/convert":  `{"opportunity":{"name":"API deal"}}`,
	"PATCH /api/v1/opportunities/{id}": `{"name":"API renamed"}`,
	"POST /api/v1/opportunities":       `{"account_id":{account},"contact_id":{contact},"name":"API second deal"}`,
	"POST /api/v1/leads/{id}/merge":    `{"other_id":{twin}}`,
	"PATCH /api/v1/accounts/{id}":      `{"name":"API renamed","owner":"{owner}"}`,
	"POST /api/v1/leads/{id}/qualify":  `{"authority":"decision_maker","need":"a CRM","timing":"2027-Q1","outcome":"sql"}`,
	"POST /api/v1/leads":               `{"email":"{new}","owner":"{owner}"}`,
	"POST /api/v1/accounts":            `{"name":"{new}","owner":"{owner}"}`,
	"POST /api/v1/events":              `{"email":"{email}","type":"page_view","url":"https://x.example/pricing"}`,
}

// TestAuthorizationMatrixRecords walks the API routes that name an
// owner-scoped record, and those whose body names one (a deal's contact,
// a merge's other lead, an event's lead by email), with the sales user's
// own record, another sales user's and an unassigned one, as sales, as
// marketing and as an admin, and creates leads and accounts for itself, for nobody
// and for another: sales reaches its own and the unassigned ones and is
// refused another's, whose records stay as they were; marketing and
// admins reach all. Accounts are shared: every role reaches every account, but sales
// gives none to another.
func TestAuthorizationMatrixRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		calls := 0
		for _, role := range []string{"sales", "marketing", "admin"} {
			recs := matrixRecords(t, f, db, "api-"+role)
			before := sueSnapshot(t, db, recs)
			// Deletes and merges last, so the walk keeps what later
			// routes name.
			routes := api.Routes()
			rank := func(rt string) int {
				switch {
				case strings.HasSuffix(rt, "/merge"):
					return 1
				case strings.HasPrefix(rt, "DELETE "):
					return 2
				}
				return 0
			}
			slices.SortStableFunc(routes, func(a, b string) int { return rank(a) - rank(b) })
			for _, rt := range routes {
				method, path, _ := strings.Cut(rt, " ")
				body, named := apiChanges[rt]
				kind, rule := apiRecordKind(path), matrix[rt]
				// The user's own tokens and sessions have no unassigned
				// kind: TestAuthorizationMatrix tries another's.
				if rule.role == "admin" || kind == "" && !named {
					continue
				}
				for _, owner := range ownerKinds {
					id := recs[kind+":"+owner]
					if kind == "" {
						id = ""
					}
					email := map[string]string{"own": "won@api-" + role + "-own.example", "other": "won@api-" + role + "-other.example",
						"unassigned": "won@api-" + role + "-unassigned.example"}[owner]
					b := strings.NewReplacer("{account}", recs["account:"+owner], "{contact}", recs["contact:"+owner],
						"{twin}", recs["twin:"+owner], "{owner}", recs["owner:"+owner], "{email}", email,
						"{new}", "new."+owner+"@api-"+role+".example").Replace(body)
					if b == "" && method != "GET" && method != "DELETE" {
						b = `{}`
					}
					// A merge keeps the user's own lead and takes the twin.
					p := strings.ReplaceAll(path, "{id}", id)
					if strings.HasSuffix(path, "/merge") {
						p = strings.ReplaceAll(path, "{id}", recs["lead:own"])
					}
					status, answer := f.call(t, role, method, p, b)
					calls++
					// Not found is a refusal when it is the record that is
					// not found (and not, say, its qualification).
					e, _ := answer["error"].(map[string]any)
					msg, _ := e["message"].(string)
					refused := status == http.StatusForbidden || status == http.StatusNotFound && strings.HasSuffix(msg, " not found")
					// Invoicing ("billing") is for admins and sales users.
					roleMay := role != "sales" || rule.role == "any" || rule.role == "billing"
					if rule.role == "billing" && role == "marketing" {
						roleMay = false
					}
					want := roleMay && (role != "sales" || owner != "other" || kind == "account" && method != "POST")
					switch {
					case status >= 500:
						t.Errorf("%s %s as %s (%s record): %d %v", method, p, role, owner, status, answer)
					case want && refused:
						t.Errorf("%s %s %s as %s (%s record): %d %v, want it allowed", method, p, b, role, owner, status, answer)
					case !want && !refused:
						t.Errorf("%s %s %s as %s (%s record): %d, want 403 or 404", method, p, b, role, owner, status)
					}
				}
			}
			if role != "sales" {
				continue
			}
			if after := sueSnapshot(t, db, recs); after != before {
				t.Errorf("after the sales user's walk, Sue's records changed:\nbefore %s\nafter  %s", before, after)
			}
			for _, kind := range []string{"own", "unassigned"} {
				var city string
				var deals int
				if err := db.R.QueryRow(t.Context(), `SELECT city FROM leads WHERE id = ?`, recs["lead:"+kind]).Scan(&city); err != nil {
					t.Fatal(err)
				}
				if err := db.R.QueryRow(t.Context(), `SELECT COUNT(*) FROM opportunities WHERE contact_id = ? AND name = 'API second deal'`, recs["contact:"+kind]).Scan(&deals); err != nil {
					t.Fatal(err)
				}
				if city != "Apitown" || deals != 1 {
					t.Errorf("the %s lead's city %q and %d second deals: the allowed changes did not happen", kind, city, deals)
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}
