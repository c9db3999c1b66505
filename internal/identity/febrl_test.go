package identity

import (
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/fixture"
)

// febrlRecords reads a Febrl data set as leads without emails would hold
// it: names, street (number, street and locality), postcode, suburb as
// city, state as region, birth date. The person behind each record is the
// N of rec-N-org / rec-N-dup-K.
func febrlRecords(t testing.TB, name string) (recs []Record, person []string) {
	f, err := os.Open(fixture.Path(t, "febrl/"+name, "testdata/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`^rec-(\d+)-`)
	for i, row := range rows[1:] {
		m := id.FindStringSubmatch(row[0])
		if m == nil {
			t.Fatalf("record id %q", row[0])
		}
		recs = append(recs, Record{
			ID: int64(i + 1), FirstName: row[1], LastName: row[2],
			Street:     strings.TrimSpace(row[3] + " " + row[4] + " " + row[5]),
			PostalCode: row[7], City: row[6], Region: row[8], BirthDate: row[9],
		})
		person = append(person, m[1])
	}
	return recs, person
}

// TestFebrlAccuracy: on both Febrl data sets, with leadflow's default
// settings, at least 95% of the pairs found are true duplicates
// (precision) and at least 95% of the true duplicate pairs are found
// (recall).
func TestFebrlAccuracy(t *testing.T) {
	for _, name := range []string{"dataset1.csv", "dataset2.csv"} {
		recs, person := febrlRecords(t, name)
		truth := map[[2]int64]bool{}
		byPerson := map[string][]int64{}
		for i, p := range person {
			byPerson[p] = append(byPerson[p], recs[i].ID)
		}
		for _, ids := range byPerson {
			for i := range ids {
				for j := i + 1; j < len(ids); j++ {
					truth[[2]int64{min(ids[i], ids[j]), max(ids[i], ids[j])}] = true
				}
			}
		}
		found := Default.Find(recs)
		right := 0
		for _, m := range found {
			if truth[[2]int64{m.A, m.B}] {
				right++
			} else if testing.Verbose() {
				t.Logf("false match %.1f: %+v | %+v", m.Score, recs[m.A-1], recs[m.B-1])
			}
		}
		precision := float64(right) / float64(len(found))
		recall := float64(right) / float64(len(truth))
		t.Logf("%s: %d records, %d true pairs, %d found, precision %.3f, recall %.3f", name, len(recs), len(truth), len(found), precision, recall)
		if precision < 0.95 || recall < 0.95 {
			t.Errorf("%s: precision %.3f, recall %.3f; want both at least 0.95", name, precision, recall)
		}
	}
}
