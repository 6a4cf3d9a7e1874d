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
	e := newEGRU[float32](b, "egru", 4, n, o, rand.New(rand.NewPCG(1, 1)))
	x := seqbench.Input(steps, batch)
	got := e.TuneActivity(x, steps, batch, act, 12)
	tp := autodiff.NewTape[float32]()
	st, _ := e.Stats(e.Run(tp, tp.Const(x), nil, steps, batch, layers.SeqOptions{}, false).Rates)
	c0 := autodiff.NewTensor[float32](1, n)
	seqbench.Step(b, e, func(tp *autodiff.Tape[float32]) *autodiff.Var[float32] { return tp.Const(c0) }, n, batch, steps)
	b.ReportMetric(got, "activity")
	b.ReportMetric(st.BackwardSparsity, "bwd-sparsity")
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

// BenchmarkEGRUStep is the training step to profile (go test -cpuprofile;
// pprof -focus seqbench.Step leaves out the threshold tuning): our GRU
// and the EGRU at 20 % activity, ε = 1 and 3.6, at the sweep's N = 512 and
// 1024 sizes.
func BenchmarkEGRUStep(b *testing.B) {
	for _, sz := range [][3]int{{512, 64, 200}, {1024, 32, 100}} {
		n, batch, steps := sz[0], sz[1], sz[2]
		b.Run(fmt.Sprintf("N%d/gru", n), func(b *testing.B) {
			g := newGRU[float32](b, "gru", 4, n, rand.New(rand.NewPCG(1, 1)))
			seqbench.Step(b, g, nil, n, batch, steps)
		})
		for _, eps := range []float64{1, 3.6} {
			b.Run(fmt.Sprintf("N%d/egru-eps%g", n, eps), func(b *testing.B) {
				egruBench(b, n, batch, steps, 0.2, eps, layers.KernelsAuto)
			})
		}
	}
}
