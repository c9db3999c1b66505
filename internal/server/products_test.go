package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// samsDeal converts a lead of Sam's with a deal in euros and returns the
// deal's id.
func samsDeal(t *testing.T, f *fixture) string {
	t.Helper()
	l := sqlLead(t, f, "admin", `{"email":"ida@fjord.no","first_name":"Ida","company":"Fjord AS","owner":"sam@example.com"}`)
	status, conv := f.call(t, "sales", "POST", l+"/convert", `{"opportunity":{"name":"Fjord – 25 seats","amount":16000,"currency":"EUR"}}`)
	if status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	return fmt.Sprint(conv["opportunity_id"])
}

// The admin keeps the catalog by API, money as exact decimals; Sam prices
// his deal with it and reads the sums; bad input is refused by name.
func TestProductsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		deal := samsDeal(t, f)
		status, seat := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"Seat (year)","unit_price":"480","currency":"EUR","unit_cost":"120.00"}`)
		if status != http.StatusCreated || seat["unit_price"] != "480.00" || seat["margin_percent"] != "75" || seat["active"] != true {
			t.Fatalf("create: %d %v", status, seat)
		}
		if d, s := keysOf(openAPISchema(t, f, "Product")), keysOf(seat); !reflect.DeepEqual(d, s) {
			t.Errorf("the Product schema lists %v\nbut the API answers with %v", d, s)
		}
		if status, got := f.call(t, "sales", "POST", "/api/v1/products", `{"name":"Mine","unit_price":"1","currency":"EUR"}`); status != http.StatusForbidden {
			t.Errorf("a sales user adds a product: %d %v", status, got)
		}
		if status, got := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"x","unit_price":"1.005","currency":"EUR","margin_percent":"100"}`); status != 422 ||
			errorFields(got)["unit_price"] == nil || errorFields(got)["margin"] == nil {
			t.Errorf("bad price and margin: %d %v", status, got)
		}
		_, day := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"Onboarding day","unit_price":"1333.33","currency":"EUR","margin_percent":"35"}`)
		if day["unit_cost"] != "866.66" {
			t.Errorf("onboarding at 35%%: %v", day)
		}
		// PATCH with the cost drops the margin it was entered with.
		status, got := f.call(t, "admin", "PATCH", fmt.Sprint("/api/v1/products/", day["id"]), `{"unit_cost":"1000"}`)
		if status != 200 || got["margin_percent"] != "25" || got["unit_price"] != "1333.33" {
			t.Errorf("patch the cost: %d %v", status, got)
		}
		for _, c := range []struct{ body, want string }{
			{fmt.Sprintf(`{"product_id":%v,"quantity":25}`, seat["id"]), ""},
			{fmt.Sprintf(`{"product_id":%v,"quantity":3}`, day["id"]), ""},
			{fmt.Sprintf(`{"product_id":%v,"quantity":0}`, seat["id"]), "quantity"},
			{`{"product_id":424242,"quantity":1}`, "product_id"},
			{`{"product":1}`, "product"},
		} {
			status, got := f.call(t, "sales", "POST", "/api/v1/opportunities/"+deal+"/products", c.body)
			if c.want == "" && status != http.StatusCreated || c.want != "" && (status != 422 || errorFields(got)[c.want] == nil) {
				t.Errorf("%s: %d %v", c.body, status, got)
			}
		}
		status, lines := f.call(t, "sales", "GET", "/api/v1/opportunities/"+deal+"/products", "")
		// 25 × 480.00 + 3 × 1,333.33 = 15,999.99; cost 3,000.00 + 3,000.00.
		if status != 200 || lines["revenue"] != "15999.99" || lines["cost"] != "6000.00" || lines["margin"] != "9999.99" || lines["currency"] != "EUR" {
			t.Errorf("the deal's products: %d %v", status, lines)
		}
		if status, _ := f.call(t, "sales2", "GET", "/api/v1/opportunities/"+deal+"/products", ""); status != http.StatusForbidden {
			t.Errorf("Sue reads Sam's deal's products: %d", status)
		}
		first := fmt.Sprint(lines["data"].([]any)[0].(map[string]any)["id"])
		if status, _ := f.call(t, "sales2", "DELETE", "/api/v1/opportunity-products/"+first, ""); status != http.StatusForbidden {
			t.Errorf("Sue removes a line of Sam's deal: %d", status)
		}
		if status, _ := f.call(t, "sales", "DELETE", "/api/v1/opportunity-products/"+first, ""); status != http.StatusNoContent {
			t.Errorf("Sam removes his line: %d", status)
		}
	})
}

// The catalog page and a deal's products card work by form, and on a
// phone neither scrolls sideways.
func TestWebProductsAndDealCard(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	deal := samsDeal(t, f)
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	status, _, body := admin.post("/products", url.Values{"name": {"Seat"}, "unit_price": {"480,00"}, "currency": {"EUR"}, "active": {"on"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Unit price must be an amount") || !strings.Contains(body, `value="480,00"`) {
		t.Errorf("a price with a decimal comma: %d", status)
	}
	status, loc, _ := admin.post("/products", url.Values{"name": {"Seat"}, "unit_price": {"480.00"}, "currency": {"EUR"}, "margin": {"75"}, "active": {"on"}})
	if status != http.StatusSeeOther || loc != "/products" {
		t.Fatalf("add a product: %d → %q", status, loc)
	}
	sam := newBrowser(t, f.srv.URL)
	sam.login("sam@example.com")
	if status, _, _ := sam.post("/products", url.Values{"name": {"Free"}, "unit_price": {"0"}, "currency": {"EUR"}}); status != http.StatusForbidden {
		t.Errorf("Sam adds a product by form: %d", status)
	}
	_, _, page := sam.get("/deals/" + deal)
	if !strings.Contains(page, `id="products"`) || !strings.Contains(page, "Seat — 480.00 EUR") {
		t.Fatal("the deal page offers no products")
	}
	_, _, catalog := sam.get("/products")
	id := strings.Split(strings.Split(catalog, `id="product-`)[1], `"`)[0]
	if status, _, body := sam.post("/deals/"+deal+"/products", url.Values{"product_id": {id}, "quantity": {"many"}}); status != 422 ||
		!strings.Contains(body, "Quantity must be a whole number") {
		t.Errorf("a quantity in words: %d", status)
	}
	if status, _, _ := sam.post("/deals/"+deal+"/products", url.Values{"product_id": {id}, "quantity": {"25"}}); status != http.StatusSeeOther {
		t.Fatalf("add to the deal: %d", status)
	}
	_, _, page = sam.get("/deals/" + deal)
	if !strings.Contains(page, `<td id="lines-total">12,000.00 EUR</td>`) || !strings.Contains(page, "9,000.00 EUR (75%)") {
		t.Errorf("the deal's products card does not total 25 seats at 480.00 with a 75%% margin")
	}

	ctx := chromium(t)
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/products", "admin@example.com"),
		chromedp.WaitVisible(`table.products`),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/products", "/deals/" + deal} {
		var overflow bool
		err := chromedp.Run(ctx,
			chromedp.Navigate(f.srv.URL+p),
			chromedp.WaitVisible(`h1`),
			chromedp.Evaluate(widerThanScreen, &overflow),
		)
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("%s scrolls sideways at 390 px", p)
		}
		screenshot(t, ctx, "products-"+strings.ReplaceAll(strings.Trim(p, "/"), "/", "-")+"-390")
	}
}
