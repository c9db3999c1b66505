package imports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
)

// BenchmarkImport measures a CSV import of b.N fresh leads into SQLite,
// the whole way: parsing, mapping, validation, de-duplication, timeline.
func BenchmarkImport(b *testing.B) {
	w := newWorld(&testing.T{}, dbtest.SQLite(b))
	var sb strings.Builder
	sb.WriteString("First Name,Last Name,Email,Company,Title,Phone,Country,No. of Employees,Lead Source\n")
	for i := 0; i < b.N; i++ {
		fmt.Fprintf(&sb, "Ann%d,Lee%d,ann%d@corp%d.example,Corp %d,CTO,+4930901820,DE,%d,web\n", i, i, i, i%5000, i%5000, i%1000)
	}
	path := filepath.Join(b.TempDir(), "bench.csv")
	os.WriteFile(path, []byte(sb.String()), 0o600)
	ctx := context.Background()
	b.ResetTimer()
	im, err := w.imp.Create(ctx, access.System, "bench.csv", path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.imp.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
		b.Fatal(err)
	}
	if err := w.imp.Run(ctx, im.ID, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
