package layers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/seqbench"
	"github.com/rnntrain/rnntrain/layers"
)

// egruBench times the bench's training step (linear readout of y, squared
// error, full backward; no optimizer) of an EGRU with the given kernels and
// eps whose thresholds are shifted to activity act on the benchmark's input
// (layers.EGRU.TuneActivity); it reports the activity and backward sparsity
// reached.
func egruBench(b *testing.B, n, batch, steps int, act, eps float64, k layers.EGRUKernels) {
	o := layers.DefaultEGRUOptions()
	o.Kernels, o.Eps = k, eps
	e := layers.NewEGRU[float32]("egru", 4, n, o, rand.New(rand.NewPCG(1, 1)))
	x := seqbench.Input(steps, batch)
	got := e.TuneActivity(x, steps, batch, act, 12)
	tp := autodiff.NewTape[float32]()
	st, _ := e.Stats(e.Run(tp, tp.Const(x), nil, steps, batch, layers.SeqOptions{}, false).Rates)
	c0 := autodiff.NewTensor[float32](1, n)
	seqbench.Step(b, e, func(tp *autodiff.Tape[float32]) *autodiff.Var[float32] { return tp.Const(c0) }, n, batch, steps)
	b.ReportMetric(got, "activity")
	b.ReportMetric(st.BackwardSparsity, "bwd-sparsity")
}

// egruSweepActivities are the activities of the sparsity sweep (README).
func egruSweepActivities() []float64 { return []float64{0.05, 0.1, 0.2, 0.5, 1} }

// BenchmarkEGRUSweep is the README's sparsity sweep: at the reference sizes
// with N ≥ 256, the dense GRU's step and then the EGRU's (ε = 1 and 3.6,
// kernels chosen by activity) at each sweep activity, back to back.
func BenchmarkEGRUSweep(b *testing.B) {
	for _, s := range seqbench.Sizes()[2:] {
		n, batch, steps := s[0], s[1], s[2]
		size := fmt.Sprintf("N%d_B%d_T%d", n, batch, steps)
		b.Run(size+"/gru", func(b *testing.B) {
			g := layers.NewGRU[float32]("gru", 4, n, rand.New(rand.NewPCG(1, 1)))
			h0 := autodiff.NewTensor[float32](1, n)
			seqbench.Step(b, g, func(tp *autodiff.Tape[float32]) *autodiff.Var[float32] { return tp.Const(h0) }, n, batch, steps)
		})
		for _, eps := range []float64{1, 3.6} {
			for _, act := range egruSweepActivities() {
				b.Run(fmt.Sprintf("%s/egru_eps%g_act%g", size, eps, act*100), func(b *testing.B) {
					egruBench(b, n, batch, steps, act, eps, layers.KernelsAuto)
				})
			}
		}
	}
}

// BenchmarkEGRUSwitch measures where the dense kernels overtake the sparse
// ones (egruDenseAbove): the EGRU step at N = 512 with only sparse and only
// dense kernels, ε = 3.6 so that the backward products are sparse too.
func BenchmarkEGRUSwitch(b *testing.B) {
	const n, batch, steps = 512, 64, 200
	for _, act := range []float64{0.1, 0.2, 0.35, 0.5, 0.7} {
		for _, k := range []layers.EGRUKernels{layers.KernelsSparse, layers.KernelsDense} {
			b.Run(fmt.Sprintf("act%g/%v", act*100, k), func(b *testing.B) {
				egruBench(b, n, batch, steps, act, 3.6, k)
			})
		}
	}
}
