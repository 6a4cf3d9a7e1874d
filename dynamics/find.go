package dynamics

import (
	"fmt"
	"math"
	"slices"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Result is what Find returns.
type Result struct {
	// Points are the unique fixed and slow points that survived the
	// filters, in order of increasing q.
	Points []Point
	// Input is u*, [inputs].
	Input []float64
	// Initial is the number of initial states; Iters the number of Adam
	// iterations run; Converged the number of initial states accepted by
	// TolQ or TolDQ when the optimisation stopped.
	Initial, Iters, Converged int
	// Dropped counts the candidates removed, by reason: NonFinite (q or
	// the state not finite), TooSlow (q > MaxQ), Duplicates (within
	// TolUnique of a point of lower q) and Outliers (beyond
	// OutlierDistance).
	NonFinite, TooSlow, Duplicates, Outliers int
	// LR is the learning rate when the optimisation stopped.
	LR float64
}

// Find looks for the fixed points of the layer's noiseless one-step map
// under the constant input u* (Sussillo & Barak 2013; FixedPointFinder's
// joint method): it minimises
//
//	q(s) = ½ ‖F(s, u*) − s‖²
//
// over every initial state jointly, with Adam on the mean of q over the
// states (one batched layers.StepMap.Step on the tape per iteration), until
// every state has q < TolQ or changed q by less than TolDQ·lr in an
// iteration, or MaxIters. Then up to Polish Levenberg–Marquardt steps
// refine each state (not in FixedPointFinder: Adam alone crawls along slow
// directions). It then drops non-finite states and states with
// q > MaxQ (if set), merges duplicates (TolUnique, keeping the lower q),
// drops distance outliers (OutlierDistance) and linearises every point left
// (Linearise), unless more than MaxPoints are left. The order follows
// FixedPointFinderBase.find_fixed_points.
//
// init is [K·N], K initial states of the layer's primary state variable;
// u is [inputs]. In float32 the attainable q is about 1e-14·N, so TolQ
// below that stops only by TolDQ or MaxIters: analyse a float64 copy of
// the network. Gradients also accumulate into the layer's unfrozen
// parameters (work, not harm); freeze them to save it. Find returns an
// error if the layer has no step map or opt is invalid, a *PointsError if
// more than opt.MaxPoints points are left to linearise, and panics if
// len(init) is not a positive multiple of N or len(u) is not the layer's
// number of inputs.
func Find[T autodiff.Float](layer layers.Recurrent[T], init, u []float64, opt Options) (*Result, error) {
	sm, ok := layer.(layers.StepMap[T])
	if !ok {
		return nil, fmt.Errorf("dynamics: the %T layer has no one-step map (layers.StepMap): only the rate models (rnn, leaky, gru, lowrank) have one", layer)
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt = opt.WithDefaults()
	n := layer.Size()
	if len(init) == 0 || len(init)%n != 0 {
		panic(fmt.Sprintf("dynamics: Find: %d initial values, want a positive multiple of N = %d", len(init), n))
	}
	k := len(init) / n
	res := &Result{Input: slices.Clone(u), Initial: k}
	x := optimise(sm, n, init, u, opt, res)
	q := polish(sm, n, x, u, opt.Polish, opt.TolQ)

	cands := make([]int, 0, k)
	for i := range k {
		switch {
		case !finite(q[i]) || !allFinite(x[i*n:(i+1)*n]):
			res.NonFinite++
		case opt.MaxQ > 0 && q[i] > opt.MaxQ:
			res.TooSlow++
		default:
			cands = append(cands, i)
		}
	}
	slices.SortStableFunc(cands, func(a, b int) int { return cmpFloat(q[a], q[b]) })
	var kept []int
	for _, i := range cands {
		if slices.ContainsFunc(kept, func(j int) bool { return maxAbsDiff(x[i*n:(i+1)*n], x[j*n:(j+1)*n]) < opt.TolUnique }) {
			res.Duplicates++
			continue
		}
		kept = append(kept, i)
	}
	centroid, scale := spread(init, n)
	kept = slices.DeleteFunc(kept, func(i int) bool {
		far := dist(x[i*n:(i+1)*n], centroid)/scale >= opt.OutlierDistance
		if far {
			res.Outliers++
		}
		return far
	})
	if opt.MaxPoints > 0 && len(kept) > opt.MaxPoints {
		return nil, &PointsError{Points: len(kept), Max: opt.MaxPoints, Units: n, Inputs: len(u)}
	}
	for _, i := range kept {
		p, err := Linearise(sm, x[i*n:(i+1)*n], u, opt.TolMarginal)
		if err != nil {
			return nil, err
		}
		p.Q, p.Init, p.Fixed = q[i], i, q[i] < opt.TolQ
		res.Points = append(res.Points, p)
	}
	return res, nil
}

// A PointsError reports that more points survived Find's filters than
// Options.MaxPoints allows; none was linearised.
type PointsError struct {
	// Points survived, Max is Options.MaxPoints; Units and Inputs are
	// the layer's N and number of inputs.
	Points, Max, Units, Inputs int
}

func (e *PointsError) Error() string {
	return fmt.Sprintf("dynamics: %d points of %d units to linearise, more than MaxPoints = %d", e.Points, e.Units, e.Max)
}

// PointBytes returns the memory of one linearised Point of a layer of n
// units and the given number of inputs: its state, Jacobian, input
// Jacobian, eigenvalues and right and left eigenvectors.
func PointBytes(n, inputs int) float64 {
	const f64, c128 = 8, 16
	nf := float64(n)
	return f64*nf*(1+nf+float64(inputs)) + c128*nf*(1+2*nf)
}

// optimise runs the joint Adam optimisation from init and returns the
// final states [K·N]; it fills res.Iters, res.Converged and res.LR.
func optimise[T autodiff.Float](sm layers.StepMap[T], n int, init, u []float64, opt Options, res *Result) []float64 {
	k, in := len(init)/n, len(u)
	xp := autodiff.NewParam[T]("fixed_points", k, n)
	for i, v := range init {
		xp.Value.Data[i] = T(v)
	}
	ut := autodiff.NewTensor[T](k, in)
	for i := range k {
		for j, v := range u {
			ut.Data[i*in+j] = T(v)
		}
	}
	const (
		beta1, beta2, eps = 0.9, 0.999, 0.01
		decrease, minLR   = 0.95, 1e-3
		stepsPerIncrease  = 5
	)
	m, v := make([]float64, k*n), make([]float64, k*n)
	q, qPrev := make([]float64, k), make([]float64, k)
	lr, prevMean, falling := opt.LR, math.Inf(1), 0
	tp := autodiff.NewTape[T]()
	for it := 0; it < opt.MaxIters; it++ {
		tp.Reset()
		xp.ZeroGrad()
		xv := tp.Param(xp)
		d := autodiff.Sub(sm.Step(tp, xv, tp.Const(ut)), xv)
		tp.Backward(autodiff.Scale(autodiff.Sum(autodiff.Square(d)), T(0.5/float64(k))))
		mean, done := 0.0, 0
		for i := range k {
			s := 0.0
			for _, e := range d.Value.Data[i*n : (i+1)*n] {
				s += float64(e) * float64(e)
			}
			q[i] = s / 2
			mean += q[i] / float64(k)
			if it > 0 && (q[i] < opt.TolQ || math.Abs(q[i]-qPrev[i]) < opt.TolDQ*lr) {
				done++
			}
		}
		res.Iters, res.Converged = it, done
		if done == k {
			break
		}
		copy(qPrev, q)
		if mean > prevMean {
			lr, falling = max(lr*decrease, minLR), 0
		} else if falling++; falling >= stepsPerIncrease {
			lr, falling = min(lr/decrease, opt.LR), 0
		}
		prevMean = mean
		b1, b2 := 1-math.Pow(beta1, float64(it+1)), 1-math.Pow(beta2, float64(it+1))
		for j, g := range xp.Grad.Data {
			gf := float64(g)
			m[j] = beta1*m[j] + (1-beta1)*gf
			v[j] = beta2*v[j] + (1-beta2)*gf*gf
			xp.Value.Data[j] -= T(lr * (m[j] / b1) / (math.Sqrt(v[j]/b2) + eps))
		}
		res.Iters = it + 1
	}
	res.LR = lr
	return layers.Float64s(xp.Value.Data)
}

// spread returns the centroid of the K states x [K·N] and their mean
// distance to it (1 when that is 0, so a single initial state keeps its
// points).
func spread(x []float64, n int) ([]float64, float64) {
	k := len(x) / n
	c := make([]float64, n)
	for i := range k {
		for j := range n {
			c[j] += x[i*n+j] / float64(k)
		}
	}
	s := 0.0
	for i := range k {
		s += dist(x[i*n:(i+1)*n], c) / float64(k)
	}
	if s == 0 {
		s = 1
	}
	return c, s
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func allFinite(v []float64) bool {
	return !slices.ContainsFunc(v, func(f float64) bool { return !finite(f) })
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
