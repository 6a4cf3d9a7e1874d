package gradcheck_test

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

func randParam(rng *rand.Rand, name string, r, c int) *autodiff.Param[float64] {
	p := autodiff.NewParam[float64](name, r, c)
	for i := range p.Value.Data {
		p.Value.Data[i] = rng.NormFloat64()
	}
	return p
}

func TestCheckPassesAndFails(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, w, bias := randParam(rng, "a", 3, 4), randParam(rng, "w", 4, 2), randParam(rng, "b", 1, 2)
	c := gradcheck.Case{
		Name:   "tanh(a·w+b)",
		Params: []*autodiff.Param[float64]{a, w, bias},
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			return autodiff.Sum(autodiff.Tanh(autodiff.Add(autodiff.MatMul(v[0], false, v[1], false), v[2])))
		},
	}
	bad, err := gradcheck.Run(c)
	if err != nil || len(bad) != 0 {
		t.Fatalf("correct gradient rejected: err=%v mismatches=%v", err, bad)
	}
	// A loss that lies about its gradient must be caught: scaling the value
	// after the tape's last node changes finite differences but not Backward.
	wrong := c
	wrong.Loss = func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		l := c.Loss(tp, v)
		l.Value.Data[0] *= 2
		return l
	}
	bad, err = gradcheck.Run(wrong)
	if err != nil || len(bad) == 0 {
		t.Fatalf("wrong gradient accepted: err=%v", err)
	}
}
