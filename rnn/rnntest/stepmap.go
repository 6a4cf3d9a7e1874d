package rnntest

import (
	"math"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/rnn"
)

// CheckStepMap checks the one-step map of the network cfg builds, if its
// layer implements layers.StepMap (others are skipped), in float64: Step
// against one step of the fused Sequence (noise off) from random states
// and inputs, the analytic Jacobians against central finite differences of
// that fused step, and Step's gradients (into the state, the input and the
// parameters) against finite differences.
func CheckStepMap(t *testing.T, cfg rnn.Config) {
	t.Helper()
	net := build[float64](t, cfg, 1)
	sm, ok := net.Recurrent().(layers.StepMap[float64])
	if !ok {
		t.Skipf("%s does not implement layers.StepMap", cfg.Kind())
	}
	rec := net.Recurrent()
	n, in := rec.Size(), cfg.Inputs
	rng := newRand(11)
	s, u := randTensor[float64](rng, batch, n), randTensor[float64](rng, batch, in)
	for k := range s.Data {
		s.Data[k] *= 0.5
	}
	// fused returns one step of Sequence from s under u.
	fused := func(s, u autodiff.Tensor[float64]) []float64 {
		tp := autodiff.NewTape[float64]()
		seq := rec.Sequence(tp, tp.Const(u), []*autodiff.Var[float64]{tp.Const(s)}, 1, s.Rows, layers.SeqOptions{})
		return seq.Final[0].Clone().Data
	}
	tp := autodiff.NewTape[float64]()
	requireClose(t, cfg.Kind()+": Step vs one step of Sequence", sm.Step(tp, tp.Const(s), tp.Const(u)).Value.Data, fused(s, u))

	const h = 1e-6
	js, ju := make([]float64, n*n), make([]float64, n*in)
	for b := range batch {
		sb, ub := s.RowSlice(b, b+1).Clone(), u.RowSlice(b, b+1).Clone()
		sm.Jacobians(js, ju, sb.Data, ub.Data)
		for _, c := range []struct {
			name string
			x    autodiff.Tensor[float64]
			jac  []float64
		}{{"∂F/∂s", sb, js}, {"∂F/∂u", ub, ju}} {
			m := c.x.Cols
			for j := range m {
				v := c.x.Data[j]
				c.x.Data[j] = v + h
				fp := fused(sb, ub)
				c.x.Data[j] = v - h
				fm := fused(sb, ub)
				c.x.Data[j] = v
				for i := range n {
					want := (fp[i] - fm[i]) / (2 * h)
					got := c.jac[i*m+j]
					if d := math.Abs(got - want); !(d <= 1e-7+1e-6*math.Abs(want)) {
						t.Fatalf("%s: %s[%d, %d] at point %d: got %.10g want %.10g (central differences)", cfg.Kind(), c.name, i, j, b, got, want)
					}
				}
			}
		}
	}

	sp, up := autodiff.NewParam[float64]("state", batch, n), autodiff.NewParam[float64]("input", batch, in)
	sp.Value.CopyFrom(s)
	up.Value.CopyFrom(u)
	coef := randTensor[float64](rng, batch, n)
	ps := append(rec.Params(), sp, up)
	gradcheck.Check(t, gradcheck.Case{Name: cfg.Kind() + " Step", Params: ps, Loss: func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
		return weighted(tp, sm.Step(tp, tp.Param(sp), tp.Param(up)), coef)
	}})
}
