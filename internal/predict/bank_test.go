package predict

import (
	"encoding/csv"
	"math/rand"
	"strings"
	"testing"
	"time"

	"leadflow/internal/fixture"
	"leadflow/internal/racebuild"
	"leadflow/internal/scoring"
)

// bankExamples reads the bank marketing calls (Moro et al., 2014) as
// closed leads: every column but duration (known only after the call)
// and y (the outcome) as a custom answer, in the file's order, which is
// the order of the calls.
func bankExamples(t testing.TB) []Example {
	f := fixture.Open(t, "bank_marketing/bank-additional-full.csv", "testdata/bank-additional-full.csv.gz")
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	start := time.Date(2008, 5, 1, 0, 0, 0, 0, time.UTC)
	var xs []Example
	for i, rec := range recs[1:] {
		if racebuild.On && i%4 != 0 {
			continue // every fourth call under the race detector
		}
		x := Example{ID: int64(i + 1), Facts: scoring.Facts{}, CreatedAt: start.Add(time.Duration(i) * time.Minute)}
		for j, h := range head {
			switch h {
			case "duration":
			case "y":
				x.Converted = rec[j] == "yes"
			default:
				x.Facts["custom."+strings.ReplaceAll(h, ".", "_")] = rec[j]
			}
		}
		xs = append(xs, x)
	}
	return xs
}

// TestBankMarketing: on the calls of a Portuguese bank, without the
// call's duration, a model of the older 80% ranks the newest 20% well.
func TestBankMarketing(t *testing.T) {
	xs := bankExamples(t)
	_, m, err := Train(xs, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("closed %d, conversions %d, held out %d, AUC %.3f, at threshold %+v", m.Closed, m.Conversions, m.HeldOut, m.AUC, m.AtThreshold)
	for _, b := range m.Calibration {
		t.Logf("%+v", b)
	}
	if m.AUC < 0.70 {
		t.Errorf("held-out AUC %.3f, want at least 0.70", m.AUC)
	}
}

// TestBankMarketingShuffled: split at random, as the published figure
// (about 0.80 without duration) was, the same model does as well; the
// split by time is harder because the newest calls came in another
// economy (the bank's later campaigns converted three times as often).
func TestBankMarketingShuffled(t *testing.T) {
	xs := bankExamples(t)
	r := rand.New(rand.NewSource(1))
	r.Shuffle(len(xs), func(i, j int) { xs[i].CreatedAt, xs[j].CreatedAt = xs[j].CreatedAt, xs[i].CreatedAt })
	_, m, err := Train(xs, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shuffled: held-out AUC %.3f", m.AUC)
	if m.AUC < 0.75 {
		t.Errorf("held-out AUC %.3f on a random split, want at least 0.75", m.AUC)
	}
}
