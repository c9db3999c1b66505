package lead

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
)

func TestParseFilterReadsEveryParameter(t *testing.T) {
	v, _ := url.ParseQuery("stage=mql,sql&grade=hot&owner=me&source=Web&country=de&min_score=40" +
		"&q=acme&created_from=2026-01-01&created_to=2026-01-31&sort=-score&limit=20")
	f, err := ParseFilter(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 2 || f.Grades[0] != Hot || f.Owner != "me" || f.Sources[0] != "web" || f.Countries[0] != "DE" ||
		*f.MinScore != 40 || f.Q != "acme" || f.Sort != "score" || !f.Desc || f.Limit != 20 {
		t.Errorf("parsed %+v", f)
	}
	if got := f.CreatedTo.Format("2006-01-02"); got != "2026-02-01" {
		t.Errorf("created_to is inclusive, so the bound is the next day; got %s", got)
	}
	if again, _ := ParseFilter(f.Query()); again.Query().Encode() != f.Query().Encode() {
		t.Errorf("Query does not round-trip: %s vs %s", again.Query().Encode(), f.Query().Encode())
	}
}

func TestParseFilterNamesBadParameters(t *testing.T) {
	v, _ := url.ParseQuery("stage=won&grade=tepid&min_score=x&created_from=01/02/2026&sort=password&limit=0&cursor=zzz&country=Narnia")
	_, err := ParseFilter(v)
	e := fault.As(err)
	if e == nil {
		t.Fatal("want an invalid error")
	}
	for _, field := range []string{"stage", "grade", "min_score", "created_from", "sort", "limit", "cursor", "country"} {
		if e.Fields[field] == "" {
			t.Errorf("no reason given for %s (got %v)", field, e.Fields)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	byDate := Filter{Sort: "created_at"}.order()
	s := sortkey.Cursor{Sort: "created_at", Value: int64(1767225600000), ID: 42}.Encode()
	c, ok := byDate.Decode(s)
	if !ok || c.Value != int64(1767225600000) || c.ID != 42 {
		t.Fatalf("decoded %+v %v", c, ok)
	}
	if _, ok := (Filter{Sort: "last_name"}).order().Decode(s); ok {
		t.Error("a cursor of the date sort was accepted for the name sort")
	}
	if _, ok := byDate.Decode(sortkey.Cursor{Sort: "created_at", Value: "x", ID: 42}.Encode()); ok {
		t.Error("a text cursor was accepted for a numeric sort")
	}
}

func TestParseFilterBoundsListValues(t *testing.T) {
	many := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("s%d", i)
		}
		return strings.Join(s, ",")
	}
	if f, err := ParseFilter(url.Values{"source": {many(MaxFilterValues)}}); err != nil || len(f.Sources) != MaxFilterValues {
		t.Errorf("%d sources: %v", MaxFilterValues, err)
	}
	// Repeated parameters count together with comma-separated ones.
	_, err := ParseFilter(url.Values{"source": {many(60), many(41)}, "stage": {"mql"}})
	if e := fault.As(err); e == nil || e.Fields["source"] != "takes at most 100 values, not 101" || e.Fields["stage"] != "" {
		t.Errorf("101 sources: %v", err)
	}
}

// TestFilterByProbability: the list keeps leads from a chance in percent
// and sorts by it; a chance that is no percentage is refused by name.
func TestFilterByProbability(t *testing.T) {
	v, _ := url.ParseQuery("min_probability=40&sort=-probability")
	f, err := ParseFilter(v)
	if err != nil || f.MinProbability == nil || *f.MinProbability != 40 || f.Sort != "probability" || !f.Desc {
		t.Fatalf("filter: %+v, %v", f, err)
	}
	if q := f.Query().Encode(); q != "min_probability=40&sort=-probability" {
		t.Errorf("written back as %q", q)
	}
	for _, bad := range []string{"101", "-1", "half"} {
		_, err := ParseFilter(url.Values{"min_probability": {bad}})
		if fe := fault.As(err); fe == nil || fe.Fields["min_probability"] == "" {
			t.Errorf("min_probability=%s: %v", bad, err)
		}
	}
}
