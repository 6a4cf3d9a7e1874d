package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

func randParam(name string, rows, cols int, rng *rand.Rand) *autodiff.Param[float64] {
	p := autodiff.NewParam[float64](name, rows, cols)
	for k := range p.Value.Data {
		p.Value.Data[k] = rng.NormFloat64()
	}
	return p
}

func randSlice(n int, rng *rand.Rand, f func(*rand.Rand) float64) []float64 {
	s := make([]float64, n)
	for k := range s {
		s[k] = f(rng)
	}
	return s
}

func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const rows, cols = 6, 3
	target := randSlice(rows*cols, rng, (*rand.Rand).NormFloat64)
	mask := randSlice(rows*cols, rng, func(r *rand.Rand) float64 { return float64(r.IntN(3)) / 2 })
	onehot := make([]float64, rows*cols)
	rowMask := make([]float64, rows*cols)
	for r := range rows {
		onehot[r*cols+rng.IntN(cols)] = 1
		w := float64(rng.IntN(2))
		for k := range cols {
			rowMask[r*cols+k] = w
		}
	}
	cases := []gradcheck.Case{
		{Name: "MaskedMSE", Params: []*autodiff.Param[float64]{randParam("p", rows, cols, rng)},
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return MaskedMSE(v[0], target, mask, 7)
			}},
		{Name: "MaskedCrossEntropy", Params: []*autodiff.Param[float64]{randParam("z", rows, cols, rng)},
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return MaskedCrossEntropy(v[0], onehot, rowMask, 3)
			}},
		{Name: "MaskedCrossEntropy/soft-targets", Params: []*autodiff.Param[float64]{randParam("z", rows, cols, rng)},
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return MaskedCrossEntropy(v[0], mask, target, 2) // any weights and targets
			}},
		{Name: "MeanSquare", Params: []*autodiff.Param[float64]{randParam("r", rows, cols, rng)},
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return MeanSquare(v[0], rows*cols)
			}},
	}
	for _, c := range cases {
		gradcheck.Check(t, c)
	}
}

func TestLeakyDoubleGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	m := newLeaky[float64](2, 5, 2, 0, rng)
	for k := range m.b.Value.Data {
		m.b.Value.Data[k] = 0.1 * rng.NormFloat64()
	}
	const steps, batch = 4, 3
	x := autodiff.FromSlice(steps*batch, 2, randSlice(steps*batch*2, rng, (*rand.Rand).NormFloat64))
	h0 := autodiff.FromSlice(batch, 5, randSlice(batch*5, rng, (*rand.Rand).NormFloat64))
	target := randSlice(steps*batch*2, rng, (*rand.Rand).NormFloat64)
	mask := randSlice(steps*batch*2, rng, (*rand.Rand).Float64)
	gradcheck.Check(t, gradcheck.Case{Name: "leaky double", Params: m.Params(),
		Loss: func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			out, rates, _ := m.record(tp, x, steps, batch, h0, nil)
			return autodiff.Add(MaskedMSE(out, target, mask, 5), MeanSquare(rates, 10))
		}})
}

// TestLossValues checks the forward values against direct formulas.
func TestLossValues(t *testing.T) {
	tp := autodiff.NewTape[float64]()
	// Two rows of logits: log-softmax by hand.
	z := tp.Const(autodiff.FromSlice(2, 2, []float64{0, math.Log(3), 1, 1}))
	target := []float64{0, 1, 1, 0}
	mask := []float64{1, 1, 0.5, 0.5}
	got := MaskedCrossEntropy(z, target, mask, 1.5).Value.Data[0]
	// Row 0: p = (1/4, 3/4), CE = −log(3/4), weight 1; row 1: p = (½, ½), CE = log 2, weight ½.
	want := (-math.Log(0.75) + 0.5*math.Log(2)) / 1.5
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("MaskedCrossEntropy = %v, want %v", got, want)
	}
	p := tp.Const(autodiff.FromSlice(1, 3, []float64{1, 2, 3}))
	got = MaskedMSE(p, []float64{0, 0, 1}, []float64{1, 0, 2}, MaskSum([]float32{1, 0, 2})).Value.Data[0]
	if want := (1.0 + 2*4) / 3; math.Abs(got-want) > 1e-12 {
		t.Errorf("MaskedMSE = %v, want %v", got, want)
	}
	if got := MaskedMSE(p, []float64{0, 0, 0}, []float64{0, 0, 0}, 0).Value.Data[0]; got != 0 {
		t.Errorf("MaskedMSE with zero normaliser = %v, want 0", got)
	}
}
