//go:build !noasm

package kernels

// spikeKernelSets returns the exported functions and the dispatchers on
// every vector set this machine has (isasHere).
func spikeKernelSets() []spikeKernels {
	ks := []spikeKernels{apiSpikeKernels()}
	for _, isa := range isasHere() {
		ks = append(ks, spikeKernels{
			name: isa.String(),
			lifStep: func(u, s, v, vPrev, p, beta []float32, thr float32, subtract bool) int {
				return lifStepOn(isa, u, s, v, vPrev, p, beta, thr, subtract)
			},
			lifBack: func(arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32) {
				lifBackOn(isa, arcTan, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k, c0)
			},
			indices: func(idx []int32, s []float32) int { return spikeIndicesOn(isa, idx, s) },
			alifStep: func(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []float32, thr, ba float32, subtract bool) int {
				return alifStepOn(isa, u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
			},
			alifBack: func(arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []float32, thr, ba, k, c0 float32) {
				alifBackOn(isa, arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
			},
		})
	}
	return ks
}
