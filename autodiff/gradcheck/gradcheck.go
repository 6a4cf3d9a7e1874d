package gradcheck

import (
	"fmt"
	"math"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Tolerance accepts a gradient element when |got − want| ≤ Abs + Rel·|want|.
// Why records the reason for the numbers, so that a loosened tolerance is
// always explained.
type Tolerance struct {
	Rel, Abs float64
	Why      string
}

// DefaultTolerance returns the tolerance for smooth ops in float64 with step 1e-6: central
// differences have truncation error O(h²) ≈ 1e-12 and rounding error
// O(ε/h) ≈ 1e-10, so 1e-6 relative leaves four orders of margin while still
// catching any wrong reverse rule (those are off by O(1)).
func DefaultTolerance() Tolerance {
	return Tolerance{Rel: 1e-6, Abs: 1e-8, Why: "smooth op, float64, h=1e-6: error O(h²+ε/h) ≈ 1e-10"}
}

// LossFunc records a scalar (1×1) loss on tp from vars, the variables of a
// Case's Params in the same order. It must be deterministic.
type LossFunc func(tp *autodiff.Tape[float64], vars []*autodiff.Var[float64]) *autodiff.Var[float64]

// Case is one gradient check.
type Case struct {
	Name   string
	Params []*autodiff.Param[float64]
	// Loss records a scalar (1×1) loss on tp from the variables of Params,
	// given in the same order. It must be deterministic.
	Loss LossFunc
	// Step is the finite-difference step; 0 means 1e-6.
	Step float64
	Tol  Tolerance
}

// Mismatch describes one gradient element that failed the check.
type Mismatch struct {
	Param    string
	Index    int
	Got      float64 // reverse mode
	Want     float64 // finite differences
	Exceeded float64 // |got − want| − (Abs + Rel·|want|)
	// Against names what Want came from; empty means finite differences.
	Against string
}

func (m Mismatch) String() string {
	against := m.Against
	if against == "" {
		against = "finite differences"
	}
	return fmt.Sprintf("%s[%d]: got %.10g want %.10g (backward vs %s)", m.Param, m.Index, m.Got, m.Want, against)
}

// Run performs the check and returns every mismatching element, or an error
// if the case mutated a parameter value. Frozen parameters are checked to
// receive no gradient.
func Run(c Case) ([]Mismatch, error) {
	h := c.Step
	if h == 0 {
		h = 1e-6
	}
	tol := c.Tol
	if tol.Rel == 0 && tol.Abs == 0 {
		tol = DefaultTolerance()
	}
	tp := autodiff.NewTape[float64]()
	eval := func() float64 {
		tp.Reset()
		vars := make([]*autodiff.Var[float64], len(c.Params))
		for i, p := range c.Params {
			vars[i] = tp.Param(p)
		}
		return c.Loss(tp, vars).Value.Data[0]
	}

	before := make([][]float64, len(c.Params))
	for i, p := range c.Params {
		before[i] = append([]float64(nil), p.Value.Data...)
		p.ZeroGrad()
	}
	tp.Reset()
	vars := make([]*autodiff.Var[float64], len(c.Params))
	for i, p := range c.Params {
		vars[i] = tp.Param(p)
	}
	loss := c.Loss(tp, vars)
	tp.Backward(loss)
	for i, p := range c.Params {
		for k, v := range p.Value.Data {
			if v != before[i][k] && !(math.IsNaN(v) && math.IsNaN(before[i][k])) {
				return nil, fmt.Errorf("gradcheck %s: forward/backward changed %s[%d] from %g to %g", c.Name, p.Name, k, before[i][k], v)
			}
		}
	}

	var bad []Mismatch
	for _, p := range c.Params {
		got := append([]float64(nil), p.Grad.Data...)
		for k := range p.Value.Data {
			orig := p.Value.Data[k]
			p.Value.Data[k] = orig + h
			lp := eval()
			p.Value.Data[k] = orig - h
			lm := eval()
			p.Value.Data[k] = orig
			want := (lp - lm) / (2 * h)
			if p.Frozen {
				want = 0 // frozen parameters get no gradient at all
			}
			diff := math.Abs(got[k] - want)
			limit := tol.Abs + tol.Rel*math.Abs(want)
			if !(diff <= limit) {
				bad = append(bad, Mismatch{Param: p.Name, Index: k, Got: got[k], Want: want, Exceeded: diff - limit})
			}
		}
	}
	return bad, nil
}

// Check runs c and reports failures on t, at most five mismatches per case.
func Check(t testing.TB, c Case) {
	t.Helper()
	bad, err := Run(c)
	if err != nil {
		t.Error(err)
		return
	}
	report(t, c, bad)
}

// report prints at most five mismatches of c on t.
func report(t testing.TB, c Case, bad []Mismatch) {
	t.Helper()
	for i, m := range bad {
		if i == 5 {
			t.Errorf("%s: … and %d more mismatches", c.Name, len(bad)-5)
			break
		}
		t.Errorf("%s: %v (tolerance: %s)", c.Name, m, tolOrDefault(c.Tol).Why)
	}
}

// RunFused compares a fused computation with its unfused reference: c.Loss
// (the fused op) and reference must give the same loss value and the same
// gradient for every parameter, within c.Tol. Mismatches name the
// reference; the loss value is reported as parameter "loss", index 0. It
// does not run the finite-difference check; CheckFused does both.
func RunFused(c Case, reference LossFunc) []Mismatch {
	tol := tolOrDefault(c.Tol)
	fusedLoss, fusedGrads := lossAndGrads(c.Params, c.Loss)
	refLoss, refGrads := lossAndGrads(c.Params, reference)
	var bad []Mismatch
	cmp := func(name string, k int, got, want float64) {
		diff := math.Abs(got - want)
		if limit := tol.Abs + tol.Rel*math.Abs(want); !(diff <= limit) {
			bad = append(bad, Mismatch{Param: name, Index: k, Got: got, Want: want, Exceeded: diff - limit, Against: "unfused reference"})
		}
	}
	cmp("loss", 0, fusedLoss, refLoss)
	for i, p := range c.Params {
		for k := range fusedGrads[i] {
			cmp(p.Name, k, fusedGrads[i][k], refGrads[i][k])
		}
	}
	return bad
}

// CheckFused checks a fused op or cell the way every one in the project is
// checked: against its unfused reference (RunFused), and against finite
// differences (Check). c.Loss records the fused version.
func CheckFused(t testing.TB, c Case, reference LossFunc) {
	t.Helper()
	report(t, c, RunFused(c, reference))
	Check(t, c)
}

// lossAndGrads runs loss once with Backward on fresh gradients and returns
// the loss value and copies of the parameters' gradients.
func lossAndGrads(params []*autodiff.Param[float64], loss LossFunc) (float64, [][]float64) {
	tp := autodiff.NewTape[float64]()
	vars := make([]*autodiff.Var[float64], len(params))
	for i, p := range params {
		p.ZeroGrad()
		vars[i] = tp.Param(p)
	}
	l := loss(tp, vars)
	tp.Backward(l)
	grads := make([][]float64, len(params))
	for i, p := range params {
		grads[i] = append([]float64(nil), p.Grad.Data...)
	}
	return l.Value.Data[0], grads
}

func tolOrDefault(t Tolerance) Tolerance {
	if t.Rel == 0 && t.Abs == 0 {
		return DefaultTolerance()
	}
	return t
}
