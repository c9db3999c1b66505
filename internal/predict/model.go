package predict

import (
	"fmt"
	"math"
	"sort"
	"time"

	"leadflow/internal/fault"
)

// Minimums below which a model would learn noise: the training refuses.
const (
	MinClosed      = 1000
	MinConversions = 120
)

// HeldOutShare is the newest share of closed leads kept out of training
// to measure the model on leads it has not seen, as it will be used.
const HeldOutShare = 0.2

// Model is a trained model: the encoding, the weights (the intercept
// last), each slot's mean over the training leads (the baseline its
// explanations compare against), and the probability from which a lead
// counts as likely to convert.
type Model struct {
	Spec      Spec      `json:"spec"`
	Weights   []float64 `json:"weights"`
	Means     []float64 `json:"means"`
	Threshold float64   `json:"threshold"`
	Lambda    float64   `json:"lambda"`
}

// Metrics is how the model did on the held-out leads.
type Metrics struct {
	Closed      int         `json:"closed"`      // closed leads learnt from
	Conversions int         `json:"conversions"` // of those, converted
	Trained     int         `json:"trained"`     // used to fit the evaluated model
	HeldOut     int         `json:"held_out"`    // the newest, kept out to test it
	HeldOutFrom time.Time   `json:"held_out_from"`
	AUC         float64     `json:"auc"`
	AtThreshold Confusion   `json:"at_threshold"`
	Calibration []Bin       `json:"calibration"`
	Rules       *RulesCheck `json:"rules,omitempty"`
}

// RulesCheck is how the scoring rules did on the same held-out leads.
type RulesCheck struct {
	AUC   float64   `json:"auc"`
	AtMQL Confusion `json:"at_mql"`
}

// Enough refuses to train on too little history, naming the numbers.
func Enough(closed, conversions int) error {
	if closed >= MinClosed && conversions >= MinConversions {
		return nil
	}
	return &fault.Error{Code: fault.Invalid,
		Message: fmt.Sprintf("a model needs at least %d closed leads and %d conversions; there are %d closed leads and %d conversions",
			MinClosed, MinConversions, closed, conversions),
		Fields: map[string]string{"closed_leads": fmt.Sprintf("%d of at least %d", closed, MinClosed),
			"conversions": fmt.Sprintf("%d of at least %d", conversions, MinConversions)}}
}

// Split orders the examples by when the leads came and cuts off the
// newest HeldOutShare.
func Split(xs []Example) (train, test []Example) {
	xs = append([]Example(nil), xs...)
	sort.SliceStable(xs, func(i, j int) bool {
		if !xs[i].CreatedAt.Equal(xs[j].CreatedAt) {
			return xs[i].CreatedAt.Before(xs[j].CreatedAt)
		}
		return xs[i].ID < xs[j].ID
	})
	cut := len(xs) - int(math.Round(HeldOutShare*float64(len(xs))))
	return xs[:cut], xs[cut:]
}

// Train fits a model on the older closed leads and measures it on the
// newest; the model returned is then fitted again on all of them, so the
// newest history is not wasted. The metrics describe the first fit.
func Train(xs []Example, now time.Time) (Model, Metrics, error) {
	m := Metrics{Closed: len(xs)}
	for _, x := range xs {
		if x.Converted {
			m.Conversions++
		}
	}
	if err := Enough(m.Closed, m.Conversions); err != nil {
		return Model{}, m, err
	}
	train, test := Split(xs)
	m.Trained, m.HeldOut, m.HeldOutFrom = len(train), len(test), test[0].CreatedAt
	lambda, err := pickLambda(train, now)
	if err != nil {
		return Model{}, m, err
	}
	first, err := fitOn(train, now, lambda)
	if err != nil {
		return Model{}, m, err
	}
	p, y := first.Probabilities(test, now), labels(test)
	m.AUC = finite(AUC(p, y))
	m.AtThreshold = At(p, y, first.Threshold)
	m.Calibration = Calibration(p, y)
	final, err := fitOn(xs, now, lambda)
	final.Lambda = lambda
	return final, m, err
}

// pickLambda fits each of Lambdas on the older part of the training
// leads and keeps the one that ranks the newest part best; the held-out
// leads take no part in the choice.
func pickLambda(train []Example, now time.Time) (float64, error) {
	fitPart, check := Split(train)
	best, bestAUC := Lambdas[0], -1.0
	for _, l := range Lambdas {
		m, err := fitOn(fitPart, now, l)
		if err != nil {
			return 0, err
		}
		if auc := AUC(m.Probabilities(check, now), labels(check)); auc > bestAUC {
			best, bestAUC = l, auc
		}
	}
	return best, nil
}

func labels(xs []Example) []bool {
	y := make([]bool, len(xs))
	for i, x := range xs {
		y[i] = x.Converted
	}
	return y
}

func fitOn(xs []Example, now time.Time, lambda float64) (Model, error) {
	spec := Learn(xs, now)
	width := spec.Width()
	rows := make([]Sparse, len(xs))
	means := make([]float64, width)
	for i, x := range xs {
		rows[i] = spec.Encode(x, now)
		for k, j := range rows[i].Index {
			means[j] += rows[i].Value[k]
		}
	}
	for j := range means {
		means[j] /= float64(len(xs))
	}
	w, err := fit(rows, labels(xs), width, lambda)
	if err != nil {
		return Model{}, err
	}
	m := Model{Spec: spec, Weights: w, Means: means}
	p := make([]float64, len(rows))
	for i, r := range rows {
		p[i] = m.prob(r)
	}
	m.Threshold = BestF1(p, labels(xs))
	return m, nil
}

// Ready prepares a model read back from storage for use.
func (m *Model) Ready() { m.Spec.index() }

func (m Model) prob(x Sparse) float64 {
	width := len(m.Weights) - 1
	z := m.Weights[width]
	for k, j := range x.Index {
		z += m.Weights[j] * x.Value[k]
	}
	return sigmoid(z)
}

// Probability is how likely x is to convert.
func (m Model) Probability(x Example, now time.Time) float64 {
	return m.prob(m.Spec.Encode(x, now))
}

// Probabilities scores many examples.
func (m Model) Probabilities(xs []Example, now time.Time) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = m.Probability(x, now)
	}
	return out
}

// Factor is one input's push on a lead's odds, against the average
// training lead: positive for, negative against.
type Factor struct {
	Label  string  `json:"label"`
	Effect float64 `json:"effect"` // in log-odds
}

// Explanation is a probability and the inputs that moved it most.
type Explanation struct {
	Probability float64  `json:"probability"`
	For         []Factor `json:"for"`
	Against     []Factor `json:"against"`
}

// TopFactors is how many factors each side of an explanation lists.
const TopFactors = 3

// Explain scores x and says why, column by column.
func (m Model) Explain(x Example, now time.Time) Explanation {
	v := m.Spec.Encode(x, now)
	e := Explanation{Probability: m.prob(v)}
	active := map[int32]float64{}
	for k, j := range v.Index {
		active[j] = v.Value[k]
	}
	var factors []Factor
	at := 0
	for _, c := range m.Spec.Columns {
		effect, label := 0.0, ""
		for i := 0; i < c.width(); i++ {
			j := at + i
			val, on := active[int32(j)]
			effect += m.Weights[j] * (val - m.Means[j])
			if on {
				label = c.slotLabel(i, x, now)
			}
		}
		at += c.width()
		if math.Abs(effect) >= 0.01 {
			factors = append(factors, Factor{Label: label, Effect: math.Round(effect*1000) / 1000})
		}
	}
	sort.Slice(factors, func(i, j int) bool { return math.Abs(factors[i].Effect) > math.Abs(factors[j].Effect) })
	for _, f := range factors {
		switch {
		case f.Effect > 0 && len(e.For) < TopFactors:
			e.For = append(e.For, f)
		case f.Effect < 0 && len(e.Against) < TopFactors:
			e.Against = append(e.Against, f)
		}
	}
	return e
}
