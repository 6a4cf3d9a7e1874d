package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// TestLIFOddBatchInputGrads runs the split time loops on a batch whose
// second half has one row more than the first (9 = 4 + 5): the input
// weights' and bias's gradients, summed in the reverse loop per half, must
// match the float64 op's.
func TestLIFOddBatchInputGrads(t *testing.T) {
	const in, n, steps, batch = 3, 64, 12, 9
	cfg := LIFConfig{Inputs: in, Units: n, DtMS: 1, TauMemMS: 10, Threshold: 1,
		SpikeOptions: SpikeOptions{Radius: 0.5, InputGain: 3}}
	l32, err := NewLIF[float32](cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	l64, err := NewLIF[float64](cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range l32.Params() {
		for i, v := range p.Value.Data {
			l64.Params()[k].Value.Data[i] = float64(v)
		}
	}
	rng := rand.New(rand.NewPCG(3, 3))
	x32, coef32 := randTensor32(rng, steps*batch, in), randTensor32(rng, steps*batch, n)
	x64, coef64 := autodiff.NewTensor[float64](x32.Rows, x32.Cols), autodiff.NewTensor[float64](coef32.Rows, coef32.Cols)
	for i, v := range x32.Data {
		x64.Data[i] = float64(v)
	}
	for i, v := range coef32.Data {
		coef64.Data[i] = float64(v)
	}
	tp32, tp64 := autodiff.NewTape[float32](), autodiff.NewTape[float64]()
	r32 := l32.Sequence(tp32, tp32.Const(x32), nil, steps, batch, SeqOptions{})
	r64 := l64.Sequence(tp64, tp64.Const(x64), nil, steps, batch, SeqOptions{})
	tp32.Backward(autodiff.Sum(autodiff.Mul(r32.Rates, tp32.Const(coef32))))
	tp64.Backward(autodiff.Sum(autodiff.Mul(r64.Rates, tp64.Const(coef64))))
	for k, p := range l32.Params() {
		want := l64.Params()[k].Grad.Data
		got, w32 := make([]float32, len(want)), make([]float32, len(want))
		for i := range want {
			got[i], w32[i] = p.Grad.Data[i], float32(want[i])
		}
		if i := firstDiff(got, w32, 2e-4); i >= 0 {
			t.Errorf("%s gradient [%d] = %v in float32, %v in float64", p.Name, i, got[i], want[i])
		}
	}
}
