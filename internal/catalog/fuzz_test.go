package catalog_test

import (
	"testing"

	"leadflow/internal/catalog"
	"leadflow/internal/fault"
)

// FuzzCatalogFile feeds arbitrary bytes to both import readers: each
// either reads rows or refuses the file with an invalid error naming
// "file", and never panics.
func FuzzCatalogFile(f *testing.F) {
	f.Add([]byte("vendor,product,category,deployments,price,price_period,currency\nK,Kite,crm,cloud;web,3.50,month,EUR\n"))
	f.Add([]byte("vendor;product;features\n\"A;B\";P;\"x|y\"\n"))
	f.Add([]byte(`[{"vendor":"K","product":"P","price":12.5,"features":"a,b","active":false,"min_licences":"3"}]`))
	f.Add([]byte("\xef\xbb\xbfvendor,product\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, parse := range map[string]func([]byte) ([]catalog.Input, error){"csv": catalog.ParseCSV, "json": catalog.ParseJSON} {
			rows, err := parse(data)
			if err != nil {
				if e := fault.As(err); e == nil || e.Code != fault.Invalid || e.Fields["file"] == "" {
					t.Fatalf("%s: refused without naming the file: %v", name, err)
				}
				continue
			}
			for _, r := range rows {
				_ = catalog.Keys(r.Features, "features", 60, fault.Fields{})
				catalog.Minor(r.Price)
			}
		}
	})
}
