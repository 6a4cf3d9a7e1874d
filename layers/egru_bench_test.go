package layers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/seqbench"
	"github.com/rnntrain/rnntrain/layers"
)

// BenchmarkEGRUStep times the bench's training step (linear readout of y,
// squared error, full backward) of the EGRU at the sweep's sizes and
// activities, with the kernels chosen by activity, only sparse and only
// dense. The thresholds are shifted to each activity on the benchmark's
// input (layers.EGRU.TuneActivity); the reported "activity" is reached.
func BenchmarkEGRUStep(b *testing.B) {
	for _, s := range seqbench.Sizes()[2:] {
		n, batch, steps := s[0], s[1], s[2]
		for _, act := range []float64{0.05, 0.1, 0.2, 0.35, 0.5, 1} {
			for _, k := range []layers.EGRUKernels{layers.KernelsAuto, layers.KernelsSparse, layers.KernelsDense} {
				b.Run(fmt.Sprintf("N%d_B%d_T%d/act%g/%v", n, batch, steps, act*100, k), func(b *testing.B) {
					o := layers.DefaultEGRUOptions()
					o.Kernels = k
					e := layers.NewEGRU[float32]("egru", 4, n, o, rand.New(rand.NewPCG(1, 1)))
					x := seqbench.Input(steps, batch)
					got := e.TuneActivity(x, steps, batch, act, 14)
					c0 := autodiff.NewTensor[float32](1, n)
					seqbench.Step(b, e, func(tp *autodiff.Tape[float32]) *autodiff.Var[float32] { return tp.Const(c0) }, n, batch, steps)
					b.ReportMetric(got, "activity")
				})
			}
		}
	}
}
