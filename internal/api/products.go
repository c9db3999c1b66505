package api

import (
	"math/big"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/product"
)

// Money in the product API is a decimal string in the currency's unit
// ("1234.50"), exact, as it is stored in minor units.
type productJSON struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	UnitPrice     string    `json:"unit_price"`
	Currency      string    `json:"currency"`
	UnitCost      *string   `json:"unit_cost"`
	MarginPercent *string   `json:"margin_percent"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

func productOut(p product.Product) productJSON {
	j := productJSON{ID: p.ID, Name: p.Name, UnitPrice: product.Decimal(p.UnitPrice, p.Currency), Currency: p.Currency,
		Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.HasCost {
		cost, margin := product.Decimal(p.UnitCost, p.Currency), product.PercentOf(p.MarginBP)
		j.UnitCost, j.MarginPercent = &cost, &margin
	}
	return j
}

// productIn is a product or a change; absent members are kept. unit_cost
// and margin_percent are alternatives: sending one drops the other.
type productIn struct {
	Name          *string `json:"name"`
	UnitPrice     *string `json:"unit_price"`
	Currency      *string `json:"currency"`
	UnitCost      *string `json:"unit_cost"`
	MarginPercent *string `json:"margin_percent"`
	Active        *bool   `json:"active"`
}

// over lays in over cur, the input of a product as it is.
func (in productIn) over(cur product.Input) product.Input {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&cur.Name, in.Name)
	set(&cur.UnitPrice, in.UnitPrice)
	set(&cur.Currency, in.Currency)
	if in.UnitCost != nil || in.MarginPercent != nil {
		cur.UnitCost, cur.Margin = "", ""
		set(&cur.UnitCost, in.UnitCost)
		set(&cur.Margin, in.MarginPercent)
	}
	if in.Active != nil {
		cur.Active = *in.Active
	}
	return cur
}

// inputOf is product p as its input: what was entered, cost or margin.
func inputOf(p product.Product) product.Input {
	in := product.Input{Name: p.Name, UnitPrice: product.Decimal(p.UnitPrice, p.Currency), Currency: p.Currency, Active: p.Active, Version: p.Version}
	switch {
	case p.HasCost && p.CostGiven:
		in.UnitCost = product.Decimal(p.UnitCost, p.Currency)
	case p.HasCost:
		in.Margin = product.PercentOf(p.MarginBP)
	}
	return in
}

func writeProduct(w http.ResponseWriter, status int, p product.Product) {
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, status, productOut(p))
}

// listProducts answers the catalog; all=true includes products no
// longer on sale.
func (a *API) listProducts(w http.ResponseWriter, r *http.Request) {
	list, err := a.Products.List(r.Context(), r.URL.Query().Get("all") == "true")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []productJSON `json:"data"`
	}{Data: make([]productJSON, 0, len(list))}
	for _, p := range list {
		out.Data = append(out.Data, productOut(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request) {
	in := productIn{}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Products.Create(r.Context(), actor(r), in.over(product.Input{Active: true}))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/products/"+strconv.FormatInt(p.ID, 10))
	writeProduct(w, http.StatusCreated, p)
}

func (a *API) getProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var p product.Product
		if p, err = a.Products.Get(r.Context(), id); err == nil {
			writeProduct(w, http.StatusOK, p)
			return
		}
	}
	a.fail(w, r, err)
}

// updateProduct answers PATCH; If-Match refuses a change (409) to a
// product changed since.
func (a *API) updateProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cur, err := a.Products.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in productIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	pi := in.over(inputOf(cur))
	pi.Version = version
	if version == 0 {
		pi.Version = cur.Version // what was read just now: a change between the read and the write is not lost
	}
	p, err := a.Products.Update(r.Context(), actor(r), id, pi)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeProduct(w, http.StatusOK, p)
}

type lineJSON struct {
	ID        int64     `json:"id"`
	ProductID int64     `json:"product_id"`
	Product   string    `json:"product"`
	Quantity  int64     `json:"quantity"`
	UnitPrice string    `json:"unit_price"`
	UnitCost  string    `json:"unit_cost"`
	Total     string    `json:"total"`
	Currency  string    `json:"currency"`
	CreatedAt time.Time `json:"created_at"`
}

func lineOut(l product.Line) lineJSON {
	return lineJSON{ID: l.ID, ProductID: l.ProductID, Product: l.ProductName, Quantity: l.Quantity,
		UnitPrice: product.Decimal(l.UnitPrice, l.Currency), UnitCost: product.Decimal(l.UnitCost, l.Currency),
		Total: product.Decimal(l.Total(), l.Currency), Currency: l.Currency, CreatedAt: l.CreatedAt}
}

// opportunityProducts answers a deal's products with their sums.
func (a *API) opportunityProducts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lines, err := a.Products.LinesOf(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	dec := func(n *big.Int) string { return product.DecimalBig(n, lines.Currency) }
	out := struct {
		Data          []lineJSON `json:"data"`
		Currency      *string    `json:"currency"`
		Revenue       string     `json:"revenue"`
		Cost          string     `json:"cost"`
		Margin        string     `json:"margin"`
		MarginPercent string     `json:"margin_percent"`
	}{Data: []lineJSON{}, Currency: optional(lines.Currency), Revenue: dec(lines.Revenue), Cost: dec(lines.Cost), Margin: dec(lines.Margin),
		MarginPercent: product.PercentOf(lines.MarginBP())}
	for _, l := range lines.Items {
		out.Data = append(out.Data, lineOut(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) addOpportunityProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		ProductID int64 `json:"product_id"`
		Quantity  int64 `json:"quantity"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Products.AddLine(r.Context(), actor(r), id, in.ProductID, strconv.FormatInt(in.Quantity, 10))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, lineOut(l))
}

func (a *API) removeOpportunityProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if _, err = a.Products.RemoveLine(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}
