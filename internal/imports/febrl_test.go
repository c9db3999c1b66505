package imports_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fixture"
	"leadflow/internal/lead"
)

// TestFebrlDuplicatesAfterImport imports the Febrl data sets as leads
// without emails (names, street, suburb as city, postcode, state, birth
// date) and measures the review queue against the truth (rec-N-org and
// rec-N-dup-K are one person): with the default settings, at least 95% of
// the pairs it lists are true duplicates and it lists at least 95% of the
// true pairs, on both files.
func TestFebrlDuplicatesAfterImport(t *testing.T) {
	for _, name := range []string{"dataset1.csv", "dataset2.csv"} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, dbtest.SQLite(t))
			// A database whose pairs job has run once: the import's run
			// then compares dataset1's 1,000 new leads one at a time, and
			// finds every pair again for dataset2's 4,999.
			if _, err := w.leads.RefreshPairs(context.Background()); err != nil {
				t.Fatal(err)
			}
			path := fixture.Path(t, "febrl/"+name, "../identity/testdata/"+name)
			im := w.importFile(t, path, map[string]string{"rec_id": "custom.rec_id", "given_name": "first_name", "surname": "last_name",
				"street_number": "custom.street_number", "address_1": "street", "address_2": "custom.street2", "suburb": "city", "postcode": "postal_code",
				"state": "region", "date_of_birth": "custom.birth_date", "soc_sec_id": "-"})
			// Only a record with neither name (nor email nor phone) says
			// too little to be a lead.
			for _, r := range w.rejects(t, im.ID)[1:] {
				if strings.TrimSpace(r[1]) != "" || strings.TrimSpace(r[2]) != "" {
					t.Errorf("rejected %v", r)
				}
			}
			if st := w.runPairsJob(t, im); st.Full != (name == "dataset2.csv") {
				t.Errorf("the import's pairs job: %+v", st)
			}
			ctx := context.Background()
			person := map[int64]string{}
			byPerson := map[string]int{}
			num := regexp.MustCompile(`"rec-(\d+)-`)
			rows, err := w.db.R.Query(ctx, `SELECT id, custom FROM leads`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				var custom string
				if err := rows.Scan(&id, &custom); err != nil {
					t.Fatal(err)
				}
				n := num.FindStringSubmatch(custom)[1]
				person[id] = n
				byPerson[n]++
			}
			rows.Close()
			truth := 0
			for _, k := range byPerson {
				truth += k * (k - 1) / 2
			}
			found, right := 0, 0
			for q := (lead.DuplicateQuery{Limit: 200}); ; {
				page, err := w.leads.ProbableDuplicates(ctx, access.Actor{ID: 0, Role: access.Admin}, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range page.Pairs {
					found++
					if person[p.A.ID] == person[p.B.ID] {
						right++
					}
				}
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			// Finding every pair again changes nothing.
			st, err := w.leads.RebuildPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Matches != found || st.Keyed != 0 {
				t.Errorf("a second run found %d pairs (and keyed %d leads); the import's had found %d", st.Matches, st.Keyed, found)
			}
			precision, recall := float64(right)/float64(found), float64(right)/float64(truth)
			t.Logf("%s: %d leads, %d true pairs, %d listed, precision %.3f, recall %.3f", name, len(person), truth, found, precision, recall)
			if precision < 0.95 || recall < 0.95 {
				t.Errorf("precision %.3f, recall %.3f; want both at least 0.95", precision, recall)
			}
		})
	}
}
