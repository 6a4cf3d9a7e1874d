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

func TestRunFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x, w := randParam(rng, "x", 3, 4), randParam(rng, "w", 4, 2)
	ref := func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Tanh(autodiff.MatMul(v[0], false, v[1], false)))
	}
	// The same computation written another way (xᵀ stored, transposed back)
	// must match its reference.
	same := gradcheck.Case{Name: "same", Params: []*autodiff.Param[float64]{x, w},
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			wt := autodiff.MatMul(v[1], true, tp.Const(identity(4)), false) // wᵀ, [2 4]
			return autodiff.Sum(autodiff.Tanh(autodiff.MatMul(v[0], false, wt, true)))
		}}
	if bad := gradcheck.RunFused(same, ref); len(bad) != 0 {
		t.Errorf("equal computations reported as different: %v", bad)
	}
	gradcheck.CheckFused(t, same, ref)
	// A different computation must be reported, against the reference.
	other := same
	other.Loss = func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Sigmoid(autodiff.MatMul(v[0], false, v[1], false)))
	}
	bad := gradcheck.RunFused(other, ref)
	if len(bad) == 0 {
		t.Fatal("different computations accepted as equal")
	}
	if bad[0].Param != "loss" || bad[0].Against != "unfused reference" {
		t.Errorf("first mismatch %+v, want the loss value against the unfused reference", bad[0])
	}
}

func identity(n int) autodiff.Tensor[float64] {
	t := autodiff.NewTensor[float64](n, n)
	for i := range n {
		t.Set(i, i, 1)
	}
	return t
}
