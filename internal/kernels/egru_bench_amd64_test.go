//go:build !noasm

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// egruBenchBatch is the batch of the event-kernel benchmarks: one call
// runs every row of a 64-row batch, as one step of the layer does.
const egruBenchBatch = 64

// egruBenchRows draws batch rows of n units whose c̃ is above its
// threshold ϑ with probability act.
func egruBenchRows(rng *rand.Rand, batch, n int, act float64) (ct, thr []float32) {
	ct, thr = make([]float32, batch*n), make([]float32, n)
	for j := range thr {
		thr[j] = 0.5 + 0.1*float32(rng.NormFloat64())
	}
	for i := range ct {
		d := 0.05 + 0.5*float32(rng.ExpFloat64())
		if rng.Float64() >= act {
			d = -d
		}
		ct[i] = thr[i%n] + d
	}
	return ct, thr
}

// BenchmarkEGRUEvents times EGRUEvents with the active list (as the layer
// calls it for every step but the last) over a batch of 64 rows of N = 512
// and 1024 units at 10 % and 20 % activity, with each vector set of this
// machine.
func BenchmarkEGRUEvents(b *testing.B) {
	for _, n := range []int{512, 1024} {
		for _, act := range []float64{0.1, 0.2} {
			rng := rand.New(rand.NewPCG(1, 1))
			ct, thr := egruBenchRows(rng, egruBenchBatch, n, act)
			m := len(ct)
			ev, y, c, pd := make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m)
			idx, vals := make([]int32, m), make([]float32, m)
			for _, isa := range isasHere() {
				b.Run(fmt.Sprintf("N%d/act%g/%v", n, act, isa), func(b *testing.B) {
					for b.Loop() {
						for o := 0; o < m; o += n {
							egruEventsOn(isa, ev[o:o+n], y[o:o+n], c[o:o+n], pd[o:o+n], ct[o:o+n], thr, 0.3, 1, idx[o:o+n], vals[o:o+n])
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m), "ns/unit")
				})
			}
		}
	}
}

// BenchmarkEGRUBackEvents times EGRUBackEvents over a batch of 64 rows of
// N = 512 and 1024 units at 20 % activity, with each vector set of this
// machine.
func BenchmarkEGRUBackEvents(b *testing.B) {
	for _, n := range []int{512, 1024} {
		rng := rand.New(rand.NewPCG(1, 1))
		m := egruBenchBatch * n
		ct, thr := egruBenchRows(rng, egruBenchBatch, n, 0.2)
		ev, y, c, pd := make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m)
		for o := 0; o < m; o += n {
			EGRUEvents(ev[o:o+n], y[o:o+n], c[o:o+n], pd[o:o+n], ct[o:o+n], thr, 0.3, 1, nil, nil, nil)
		}
		cy, og, gc := randSlice(rng, m), randSlice(rng, m), make([]float32, m)
		gct, thrAcc := make([]float32, m), make([]float32, n)
		for _, isa := range isasHere() {
			b.Run(fmt.Sprintf("N%d/%v", n, isa), func(b *testing.B) {
				for b.Loop() {
					for o := 0; o < m; o += n {
						egruBackEventsOn(isa, gct[o:o+n], gc[o:o+n], thrAcc, cy[o:o+n], og[o:o+n], ev[o:o+n], ct[o:o+n], thr, pd[o:o+n], 0.01)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m), "ns/unit")
			})
		}
	}
}
