package predict

import (
	"math"
	"sort"
)

// AUC is the area under the ROC curve of scores against labels: the
// chance that a converted lead scores above one that did not, ties
// counting half. It is 0.5 for a score that knows nothing, and NaN when
// either class is absent.
func AUC(scores []float64, y []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie
		for k := i; k < j; k++ {
			if y[idx[k]] {
				pos++
				rankSum += mid
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// Confusion is how a threshold splits the leads.
type Confusion struct {
	Threshold float64 `json:"threshold"`
	Flagged   int     `json:"flagged"`   // at or above the threshold
	Converted int     `json:"converted"` // of those flagged
	Precision float64 `json:"precision"` // converted / flagged
	Recall    float64 `json:"recall"`    // converted / all that converted
}

// At counts the leads scoring at least threshold.
func At(scores []float64, y []bool, threshold float64) Confusion {
	c := Confusion{Threshold: threshold}
	total := 0
	for i, s := range scores {
		if y[i] {
			total++
		}
		if s >= threshold {
			c.Flagged++
			if y[i] {
				c.Converted++
			}
		}
	}
	if c.Flagged > 0 {
		c.Precision = float64(c.Converted) / float64(c.Flagged)
	}
	if total > 0 {
		c.Recall = float64(c.Converted) / float64(total)
	}
	return c
}

// BestF1 is the threshold, among the scores, with the best balance of
// precision and recall.
func BestF1(scores []float64, y []bool) float64 {
	idx := make([]int, len(scores))
	total := 0
	for i := range idx {
		idx[i] = i
		if y[i] {
			total++
		}
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	best, bestF1, tp := 0.5, -1.0, 0
	for n, i := range idx {
		if y[i] {
			tp++
		}
		if n+1 < len(idx) && scores[idx[n+1]] == scores[i] {
			continue
		}
		if f1 := 2 * float64(tp) / float64(n+1+total); f1 > bestF1 {
			best, bestF1 = scores[i], f1
		}
	}
	return best
}

// Bin is one row of a calibration table: leads whose predicted
// probability falls in [From, To), how likely the model said they were,
// and how many converted.
type Bin struct {
	From      float64 `json:"from"`
	To        float64 `json:"to"`
	Leads     int     `json:"leads"`
	Predicted float64 `json:"predicted"` // the mean probability
	Observed  float64 `json:"observed"`  // the share that converted
}

// Calibration puts the leads into bins of ten percentage points and
// compares, in each, the mean predicted probability with the share that
// converted: a calibrated model's two columns agree.
func Calibration(p []float64, y []bool) []Bin {
	var bins [10]Bin
	for i := range bins {
		bins[i].From, bins[i].To = float64(i)/10, float64(i+1)/10
	}
	for i, v := range p {
		b := &bins[min(int(v*10), 9)]
		b.Leads++
		b.Predicted += v
		if y[i] {
			b.Observed++
		}
	}
	var out []Bin
	for _, b := range bins {
		if b.Leads == 0 {
			continue
		}
		b.Predicted /= float64(b.Leads)
		b.Observed /= float64(b.Leads)
		out = append(out, b)
	}
	return out
}
