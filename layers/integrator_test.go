package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

// integratorRef is the unfused LeakyIntegrator: o = M·y with the constant
// M[(t,b), (s,b)] = β^(t−s) for s ≤ t (time-major rows t·batch + b).
func integratorRef(tp *autodiff.Tape[float64], y *autodiff.Var[float64], steps, batch int, beta float64) *autodiff.Var[float64] {
	n := steps * batch
	m := autodiff.NewTensor[float64](n, n)
	for t := range steps {
		for s := 0; s <= t; s++ {
			for b := range batch {
				m.Data[(t*batch+b)*n+s*batch+b] = math.Pow(beta, float64(t-s))
			}
		}
	}
	return autodiff.MatMul(tp.Const(m), false, y, false)
}

// TestLeakyIntegrator checks the fused integrator against its unfused
// reference and finite differences, under a readout-like loss.
func TestLeakyIntegrator(t *testing.T) {
	t.Parallel()
	const steps, batch, c, beta = 5, 3, 2, 0.8
	rng := rand.New(rand.NewPCG(7, 7))
	y := autodiff.NewParam[float64]("y", steps*batch, c)
	target := autodiff.NewTensor[float64](steps*batch, c)
	for k := range y.Value.Data {
		y.Value.Data[k], target.Data[k] = rng.NormFloat64(), rng.NormFloat64()
	}
	li := NewLeakyIntegrator[float64](beta)
	loss := func(o *autodiff.Var[float64]) *autodiff.Var[float64] {
		d := autodiff.Sub(o, o.Tape().Const(target))
		return autodiff.Sum(autodiff.Mul(d, d))
	}
	cs := gradcheck.Case{
		Name:   "LeakyIntegrator",
		Params: []*autodiff.Param[float64]{y},
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			return loss(li.Forward(tp, v[0], autodiff.Tensor[float64]{}, steps, batch))
		},
		Tol: gradcheck.Tolerance{Rel: 1e-6, Abs: 1e-8, Why: "linear op in float64, h = 1e-6"},
	}
	gradcheck.CheckFused(t, cs, func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		return loss(integratorRef(tp, v[0], steps, batch, beta))
	})
}
