//go:build noasm || !amd64

package kernels

func tanhRateGrad(gx, dp, g, grec []float32, alpha, decay float32) {
	tanhRateGradGo(gx, dp, g, grec, alpha, decay)
}

func tanhStateGrad(gx, dp, g, grec, r []float32, alpha, decay float32) {
	tanhStateGradGo(gx, dp, g, grec, r, alpha, decay)
}

func leakyMix(dst, x, y []float32, decay, alpha float32) { leakyMixGo(dst, x, y, decay, alpha) }

func tanhCarry(dst, og, d, da, a []float32, decay float32) { tanhCarryGo(dst, og, d, da, a, decay) }
