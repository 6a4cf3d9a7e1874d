package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

func linearCases(rng *rand.Rand) map[string]*Linear[float64] {
	const in, out = 5, 3
	dale := Constraint{Abs: true, ColSign: []float64{1, 1, 1, 0, 0}, Mask: randMask(rng, in*out, 0.7)}
	return map[string]*Linear[float64]{
		"plain":   NewLinear[float64]("readout", in, out, true, Constraint{}, rng),
		"no bias": NewLinear[float64]("readout", in, out, false, Constraint{}, rng),
		"dale":    NewLinear[float64]("readout", in, out, true, dale, rng),
	}
}

func TestLinearFusedMatchesReferenceAndGradcheck(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	for name, l := range linearCases(rng) {
		x := autodiff.NewParam[float64]("x", 7, 5)
		coef := autodiff.NewTensor[float64](7, 3)
		for k := range x.Value.Data {
			x.Value.Data[k] = rng.NormFloat64()
		}
		for k := range coef.Data {
			coef.Data[k] = rng.NormFloat64()
		}
		if l.Bias() != nil {
			for k := range l.Bias().Value.Data {
				l.Bias().Value.Data[k] = rng.NormFloat64()
			}
		}
		params := append(l.Params(), x)
		loss := func(ref bool) func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			return func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				xv := v[len(v)-1]
				var y *autodiff.Var[float64]
				if ref {
					y = l.ForwardRef(tp, xv)
				} else {
					y = l.Forward(tp, xv)
				}
				return autodiff.Sum(autodiff.Mul(y, tp.Const(coef)))
			}
		}
		run := func(ref bool) (val []float64, gs [][]float64) {
			for _, p := range params {
				p.ZeroGrad()
			}
			tp := autodiff.NewTape[float64]()
			vars := make([]*autodiff.Var[float64], len(params))
			for i, p := range params {
				vars[i] = tp.Param(p)
			}
			lv := loss(ref)(tp, vars)
			tp.Backward(lv)
			for _, p := range params {
				gs = append(gs, append([]float64(nil), p.Grad.Data...))
			}
			return lv.Value.Data, gs
		}
		fv, fg := run(false)
		rv, rg := run(true)
		if k, ok := allClose(fv, rv, 1e-13); !ok {
			t.Errorf("%s: loss fused %g, reference %g", name, fv[k], rv[k])
		}
		for i, p := range params {
			if k, ok := allClose(fg[i], rg[i], 1e-12); !ok {
				t.Errorf("%s: d%s[%d]: fused %g, reference %g", name, p.Name, k, fg[i][k], rg[i][k])
			}
		}
		tol := gradcheck.Tolerance{}
		if name == "dale" {
			tol = kinkTol()
		}
		gradcheck.Check(t, gradcheck.Case{Name: "linear fused " + name, Params: params, Loss: loss(false), Tol: tol})
		gradcheck.Check(t, gradcheck.Case{Name: "linear reference " + name, Params: params, Loss: loss(true), Tol: tol})
	}
}

// TestLinearSetsInputGradient checks the readout's input gradient when the
// layer is the input's only use, so that the tape leaves its buffer
// uncleared (autodiff.GradSetter): over repeated steps on one tape, whose
// buffers then hold the previous step's values, the gradient reaching a
// parameter through tanh equals the one computed on a fresh tape, and
// with a second use of the input it still accumulates both.
func TestLinearSetsInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for name, l := range linearCases(rng) {
		x := autodiff.NewParam[float64]("x", 7, 5)
		for k := range x.Value.Data {
			x.Value.Data[k] = rng.NormFloat64()
		}
		for _, twice := range []bool{false, true} {
			run := func(tp *autodiff.Tape[float64]) []float64 {
				x.ZeroGrad()
				for _, p := range l.Params() {
					p.ZeroGrad()
				}
				tp.Reset()
				h := autodiff.Tanh(tp.Param(x))
				y := l.Forward(tp, h)
				loss := autodiff.Sum(autodiff.Mul(y, y))
				if twice {
					loss = autodiff.Add(loss, autodiff.Sum(autodiff.Mul(h, h)))
				}
				tp.Backward(loss)
				return append([]float64(nil), x.Grad.Data...)
			}
			want := run(autodiff.NewTape[float64]())
			tp := autodiff.NewTape[float64]()
			for step := range 3 {
				got := run(tp)
				for k := range want {
					if d := got[k] - want[k]; d > 1e-12 || d < -1e-12 {
						t.Fatalf("%s (second use %t), step %d: dL/dx[%d] = %v, want %v", name, twice, step, k, got[k], want[k])
					}
				}
			}
		}
	}
}
