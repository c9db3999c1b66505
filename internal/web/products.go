package web

import (
	"net/http"
	"strconv"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/product"
)

func init() {
	funcs["productValues"] = productValues
	funcs["none"] = func() map[string]string { return map[string]string{} }
}

// productsData is the catalog page: every product and, for an admin,
// the form that adds one (or shows a refused one again).
type productsData struct {
	Products []product.Product
	Values   map[string]string
	Errors   map[string]string
	EditID   int64 // the product whose edit form was refused
}

// productValues are what an edit form shows for p.
func productValues(p product.Product) map[string]string {
	v := map[string]string{"name": p.Name, "unit_price": product.Decimal(p.UnitPrice, p.Currency), "currency": p.Currency,
		"version": strconv.FormatInt(p.Version, 10)}
	if p.Active {
		v["active"] = "on"
	}
	switch {
	case p.HasCost && p.CostGiven:
		v["unit_cost"] = product.Decimal(p.UnitCost, p.Currency)
	case p.HasCost:
		v["margin"] = product.PercentOf(p.MarginBP)
	}
	return v
}

func (h *Web) renderProducts(w http.ResponseWriter, r *http.Request, d productsData, status int) {
	var err error
	if d.Products, err = h.Products.List(r.Context(), true); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Values == nil {
		d.Values = map[string]string{"currency": "EUR", "active": "on"}
	}
	h.render(w, r, "products", page{Title: "Products", Nav: "products", Data: d, Status: status})
}

func (h *Web) listProducts(w http.ResponseWriter, r *http.Request) {
	h.renderProducts(w, r, productsData{}, 0)
}

// productForm reads the product form.
func productForm(r *http.Request) (product.Input, map[string]string) {
	r.ParseForm()
	v := map[string]string{}
	for _, k := range []string{"name", "unit_price", "currency", "unit_cost", "margin", "active", "version"} {
		v[k] = r.PostForm.Get(k)
	}
	in := product.Input{Name: v["name"], UnitPrice: v["unit_price"], Currency: v["currency"], UnitCost: v["unit_cost"],
		Margin: v["margin"], Active: v["active"] != ""}
	in.Version, _ = strconv.ParseInt(v["version"], 10, 64)
	return in, v
}

func (h *Web) saveProduct(w http.ResponseWriter, r *http.Request) {
	in, v := productForm(r)
	var id int64
	var err error
	if s := r.PathValue("id"); s != "" {
		if id, err = strconv.ParseInt(s, 10, 64); err != nil {
			h.fail(w, r, fault.Errorf(fault.NotFound, "There is no product %q.", s))
			return
		}
		_, err = h.Products.Update(r.Context(), actor(r), id, in)
	} else {
		_, err = h.Products.Create(r.Context(), actor(r), in)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderProducts(w, r, productsData{Values: v, Errors: e.Fields, EditID: id}, refusedStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.product_saved", "Name", in.Name))
	http.Redirect(w, r, "/products", http.StatusSeeOther)
}

// dealProducts is the products card of a deal's page.
type dealProducts struct {
	DealID  int64
	Lines   product.Lines
	Catalog []product.Product
	Errors  map[string]string
}

// formErrors are errs when they belong to the form named want, else none.
func formErrors(form, want string, errs map[string]string) map[string]string {
	if form != want {
		return nil
	}
	return errs
}

// productsOf makes the products card of deal id; a failure leaves the
// card out rather than the page.
func (h *Web) productsOf(r *http.Request, id int64, errs map[string]string) *dealProducts {
	lines, err := h.Products.LinesOf(r.Context(), actor(r), id)
	var catalog []product.Product
	if err == nil {
		catalog, err = h.Products.List(r.Context(), false)
	}
	if err != nil {
		h.Log.ErrorContext(r.Context(), "web: products of a deal", "id", id, "err", err)
		return nil
	}
	return &dealProducts{DealID: id, Lines: lines, Catalog: catalog, Errors: errs}
}

func (h *Web) addDealProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	productID, _ := strconv.ParseInt(r.PostFormValue("product_id"), 10, 64)
	_, err = h.Products.AddLine(r.Context(), actor(r), id, productID, r.PostFormValue("quantity"))
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderDeal(w, r, "products", e.Fields, nil, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Product added.")
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10)+"#products", http.StatusSeeOther)
}

// removeDealProduct takes the line the {id} path names off its deal.
func (h *Web) removeDealProduct(w http.ResponseWriter, r *http.Request) {
	line, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no product line %q.", r.PathValue("id")))
		return
	}
	id, err := h.Products.RemoveLine(r.Context(), actor(r), line)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Product removed.")
	http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10)+"#products", http.StatusSeeOther)
}

// productRoutes adds the catalog's pages and a deal's products.
func (h *Web) productRoutes(mux routeMux) {
	mux.HandleFunc("GET /products", h.listProducts)
	mux.HandleFunc("POST /products", h.saveProduct)
	mux.HandleFunc("POST /products/{id}", h.saveProduct)
	mux.HandleFunc("POST /deals/{id}/products", h.addDealProduct)
	mux.HandleFunc("POST /deal-products/{id}/delete", h.removeDealProduct)
}
