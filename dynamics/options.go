package dynamics

import (
	"fmt"
	"math"
)

// Options control Find. The zero value of every field means its documented
// default, the FixedPointFinder default where it has one
// (mattgolub/fixed-point-finder FixedPointFinderBase.py _default_hps).
type Options struct {
	// TolQ accepts a point once q < TolQ (default 1e-12).
	TolQ float64 `json:"tol_q"`
	// TolDQ accepts a point once its q changed by less than TolDQ·lr in
	// one iteration (default 1e-20).
	TolDQ float64 `json:"tol_dq"`
	// TolUnique merges two points closer than TolUnique in every
	// coordinate, keeping the one of lower q (default 1e-3).
	TolUnique float64 `json:"tol_unique"`
	// MaxIters bounds the Adam iterations (default 5000). The optimisation
	// stops earlier once every point is accepted by TolQ or TolDQ.
	MaxIters int `json:"max_iters"`
	// Polish is the number of Levenberg–Marquardt steps that refine each
	// state after Adam (default 50; −1 turns them off, as in
	// FixedPointFinder). Each step solves an N×N system per state.
	Polish int `json:"polish"`
	// LR is Adam's initial learning rate (default 1, FixedPointFinder's
	// lr_init); it adapts: ×0.95 after an iteration that raised the mean
	// q, ×1/0.95 after 5 iterations in a row that lowered it, never below
	// 1e-3 (FixedPointFinder's AdaptiveLearningRate defaults) nor above
	// LR. Adam's ε is 0.01 (FixedPointFinder's adam_hps).
	LR float64 `json:"lr"`
	// OutlierDistance drops points farther than OutlierDistance from the
	// centroid of the initial states, in units of the initial states'
	// mean distance to that centroid (default 10; +Inf keeps every point).
	OutlierDistance float64 `json:"outlier_distance"`
	// MaxQ drops points whose final q exceeds it (default 0: keep every
	// point, fixed or slow, as FixedPointFinder does).
	MaxQ float64 `json:"max_q"`
	// TolMarginal is the band around modulus 1 of a marginal eigenvalue:
	// |λ| > 1 + TolMarginal is unstable, ||λ| − 1| ≤ TolMarginal marginal
	// (default 0.01: a mode of |λ| = 0.99 decays with a time constant of
	// 100 steps).
	TolMarginal float64 `json:"tol_marginal"`
	// MaxPoints bounds the points Find linearises (0: no bound). Each
	// holds its Jacobian and eigenvectors, PointBytes(N, inputs) bytes, so
	// a caller with a memory budget sets it: when more points survive the
	// filters, Find returns a *PointsError before linearising any. It is
	// not an analysis setting and is not part of the JSON form.
	MaxPoints int `json:"-"`
}

// WithDefaults returns o with every zero field set to its default.
func (o Options) WithDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.TolQ, 1e-12)
	def(&o.TolDQ, 1e-20)
	def(&o.TolUnique, 1e-3)
	def(&o.LR, 1)
	def(&o.OutlierDistance, 10)
	def(&o.TolMarginal, 0.01)
	switch o.Polish {
	case 0:
		o.Polish = 50
	case -1:
		o.Polish = 0
	}
	if o.MaxIters == 0 {
		o.MaxIters = 5000
	}
	return o
}

// Validate reports the first invalid option, naming its JSON key.
func (o Options) Validate() error {
	pos := func(name string, v float64) error {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s = %g, need a finite value ≥ 0", name, v)
		}
		return nil
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"tol_q", o.TolQ}, {"tol_dq", o.TolDQ}, {"tol_unique", o.TolUnique}, {"lr", o.LR}, {"max_q", o.MaxQ}, {"tol_marginal", o.TolMarginal}} {
		if err := pos(c.name, c.v); err != nil {
			return err
		}
	}
	switch {
	case !(o.OutlierDistance >= 0):
		return fmt.Errorf("outlier_distance = %g, need a value ≥ 0 (+Inf keeps every point)", o.OutlierDistance)
	case o.Polish < -1 || o.Polish > 100_000:
		return fmt.Errorf("polish = %d, need −1 (off), 0 (default 50) … 100000", o.Polish)
	case o.MaxIters < 0 || o.MaxIters > 10_000_000:
		return fmt.Errorf("max_iters = %d, need 0 (default 5000) … 10000000", o.MaxIters)
	case o.MaxPoints < 0:
		return fmt.Errorf("MaxPoints = %d, need 0 (no bound) or more", o.MaxPoints)
	}
	return nil
}
