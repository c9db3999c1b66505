package predict

import (
	"errors"
	"math"
)

// Lambdas are the L2 penalties tried: the penalty keeps the weights of
// rare levels, which a handful of leads would otherwise push to
// extremes, near zero. Train picks the one that ranks the newest part of
// its training leads best.
var Lambdas = []float64{0.3, 3, 30}

// fit finds the weights (the intercept last) that minimise the log loss
// of the rows plus lambda/2 times the squared weights, by Newton's method:
// the inputs are few (tens to a few hundred slots) and sparse, so the
// Hessian is cheap to build and solve, and a handful of steps converge.
func fit(rows []Sparse, y []bool, width int, lambda float64) ([]float64, error) {
	p := width + 1
	w := make([]float64, p)
	grad := make([]float64, p)
	hess := make([]float64, p*p)
	prev := math.Inf(1)
	for iter := 0; iter < 30; iter++ {
		clear(grad)
		clear(hess)
		loss := 0.0
		for r, x := range rows {
			z := w[width]
			for k, j := range x.Index {
				z += w[j] * x.Value[k]
			}
			pr := sigmoid(z)
			t := 0.0
			if y[r] {
				t = 1
			}
			loss -= t*math.Log(math.Max(pr, 1e-15)) + (1-t)*math.Log(math.Max(1-pr, 1e-15))
			g, h := pr-t, math.Max(pr*(1-pr), 1e-9)
			grad[width] += g
			hess[width*p+width] += h
			for k, j := range x.Index {
				v := x.Value[k]
				grad[j] += g * v
				hess[int(j)*p+width] += h * v
				for l := 0; l <= k; l++ {
					hess[int(j)*p+int(x.Index[l])] += h * v * x.Value[l]
				}
			}
		}
		for j := 0; j < width; j++ {
			loss += lambda / 2 * w[j] * w[j]
			grad[j] += lambda * w[j]
			hess[j*p+j] += lambda
		}
		hess[width*p+width] += 1e-6
		// Make the Hessian symmetric: only one triangle was summed.
		for i := 0; i < p; i++ {
			for j := 0; j < i; j++ {
				s := hess[i*p+j] + hess[j*p+i]
				hess[i*p+j], hess[j*p+i] = s, s
			}
		}
		step, err := solve(hess, grad, p)
		if err != nil {
			return nil, err
		}
		for j := range w {
			w[j] -= step[j]
		}
		if prev-loss < 1e-7*math.Max(1, loss) {
			break
		}
		prev = loss
	}
	return w, nil
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// solve returns x with a·x = b for a symmetric positive definite a (p×p,
// row-major), by Cholesky decomposition; a is overwritten.
func solve(a, b []float64, p int) ([]float64, error) {
	for j := 0; j < p; j++ {
		d := a[j*p+j]
		for k := 0; k < j; k++ {
			d -= a[j*p+k] * a[j*p+k]
		}
		if d <= 0 {
			return nil, errors.New("predict: the problem is not positive definite")
		}
		d = math.Sqrt(d)
		a[j*p+j] = d
		for i := j + 1; i < p; i++ {
			s := a[i*p+j]
			for k := 0; k < j; k++ {
				s -= a[i*p+k] * a[j*p+k]
			}
			a[i*p+j] = s / d
		}
	}
	x := make([]float64, p)
	for i := 0; i < p; i++ { // L·y = b
		s := b[i]
		for k := 0; k < i; k++ {
			s -= a[i*p+k] * x[k]
		}
		x[i] = s / a[i*p+i]
	}
	for i := p - 1; i >= 0; i-- { // Lᵀ·x = y
		s := x[i]
		for k := i + 1; k < p; k++ {
			s -= a[k*p+i] * x[k]
		}
		x[i] = s / a[i*p+i]
	}
	return x, nil
}
