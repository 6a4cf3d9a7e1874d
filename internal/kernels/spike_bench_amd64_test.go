//go:build !noasm

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSpikeKernels times the float32 LIF and ALIF kernels on every
// vector set the machine has, for one step of a batch of 32 sequences of
// N = 256 units (32 KiB a row slice) at about 20 % activity, and reports
// the time per unit.
func BenchmarkSpikeKernels(b *testing.B) {
	const n, rows = 256, 32
	m := n * rows
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func(k int, lo, hi float64) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return v
	}
	beta, rho := vec(n, 0.8, 0.99), vec(n, 0.9, 0.99)
	vPrev, p, aPrev, aNew := vec(m, -0.5, 1), vec(m, -0.6, 0.8), vec(m, 0, 0.5), vec(m, 0, 0.5)
	u, s, v, a, th := make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m)
	sPrev := make([]float32, m)
	for i := range sPrev {
		if rng.Float64() < 0.2 {
			sPrev[i] = 1
		}
	}
	dp, gv, ga, gsr, gx, og := vec(m, -1, 1), vec(m, -1, 1), vec(m, -1, 1), vec(m, -1, 1), vec(m, -1, 1), vec(m, -1, 1)
	gBeta, gRho := vec(n, -1, 1), vec(n, -1, 1)
	idx := make([]int32, m)
	const patterns = 8 // SpikeIndices cycles through 8 patterns, which the branch predictor cannot learn
	spikes := make([]float32, patterns*m)
	for i := range spikes {
		if rng.Float64() < 0.2 {
			spikes[i] = 1
		}
	}
	next := 0
	for _, isa := range isasHere() {
		for _, k := range []struct {
			name string
			f    func()
		}{
			{"LIFStep", func() { lifStepOn(isa, u, s, v, vPrev, p, beta, 0.5, true) }},
			{"LIFBackFastSigmoid", func() { lifBackOn(isa, false, dp, gv, gBeta, og, gsr, v, spikes, vPrev, beta, 0.5, 25, 0) }},
			{"LIFBackArcTan", func() { lifBackOn(isa, true, dp, gv, gBeta, og, gsr, v, spikes, vPrev, beta, 0.5, 3, 1) }},
			{"ALIFStep", func() { alifStepOn(isa, u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, 0.5, 0.2, true) }},
			{"ALIFBack", func() {
				alifBackOn(isa, false, dp, gv, ga, gsr, gx, gBeta, gRho, og, sPrev, sPrev, u, aPrev, aNew, vPrev, beta, rho, 0.5, 0.2, 25, 0)
			}},
			{"SpikeIndices", func() {
				next = (next + 1) % patterns
				spikeIndicesOn(isa, idx, spikes[next*m:(next+1)*m])
			}},
		} {
			b.Run(fmt.Sprintf("%s/%s", k.name, isa), func(b *testing.B) {
				for b.Loop() {
					k.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m), "ns/unit")
			})
		}
	}
}
