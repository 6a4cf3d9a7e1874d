package seqbench

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Sizes returns the (N, B, T) sizes of rnntrain bench and the PyTorch
// anchor.
func Sizes() [][3]int {
	return [][3]int{{64, 32, 100}, {128, 32, 200}, {256, 64, 100}, {512, 64, 200}, {1024, 32, 100}}
}

// Input returns the benchmark's input, [steps·batch, 4] standard normal
// draws from a fixed seed.
func Input(steps, batch int) autodiff.Tensor[float32] {
	rng := rand.New(rand.NewPCG(2, 2))
	x := autodiff.NewTensor[float32](steps*batch, 4)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	return x
}

// NewStep returns one training step of rnntrain bench around a recurrent
// layer, without the optimizer: the sequence from the initial state that
// h0 records (nil h0: the zero state), a linear readout N→2 of every step,
// a squared-error loss and the full backward pass. The first call grows the tape's arena; later calls
// allocate nothing.
func NewStep(rec layers.Recurrent[float32], h0 func(tp *autodiff.Tape[float32]) *autodiff.Var[float32], n, batch, steps int) func() {
	x := Input(steps, batch)
	rng := rand.New(rand.NewPCG(2, 3))
	readout := layers.NewLinear[float32]("readout", n, 2, true, layers.Constraint{}, rng)
	negY := autodiff.NewTensor[float32](steps*batch, 2)
	for i := range negY.Data {
		negY.Data[i] = -float32(rng.NormFloat64())
	}
	params := append(rec.Params(), readout.Params()...)
	tp := autodiff.NewTape[float32]()
	// One slice for the initial state, reused: a slice made in the step
	// escapes through the Recurrent interface and is allocated every call.
	initBuf := make([]*autodiff.Var[float32], 1)
	return func() {
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Reset()
		var init []*autodiff.Var[float32]
		if h0 != nil {
			initBuf[0] = h0(tp)
			init = initBuf
		}
		rates := rec.Sequence(tp, tp.Const(x), init, steps, batch, layers.SeqOptions{}).Rates
		d := autodiff.Add(readout.Forward(tp, rates), tp.Const(negY))
		tp.Backward(autodiff.Sum(autodiff.Mul(d, d)))
	}
}

// Step times NewStep's training step with b.
func Step(b *testing.B, rec layers.Recurrent[float32], h0 func(tp *autodiff.Tape[float32]) *autodiff.Var[float32], n, batch, steps int) {
	step := NewStep(rec, h0, n, batch, steps)
	step() // grow the tape's arena outside the timing
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
