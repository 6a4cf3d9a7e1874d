//go:build !noasm

package kernels

// The 8-lane AVX2 loops of TanhRateGrad, TanhStateGrad and LeakyMix over the first n
// elements; n must be a multiple of 8.
//
//go:noescape
func tanhRateGradAVX2(gx, dp, gt, grec *float32, n int, alpha, decay float32)

//go:noescape
func tanhStateGradAVX2(gx, dp, gt, grec, r *float32, n int, alpha, decay float32)

//go:noescape
func tanhCarryAVX2(dst, og, d, da, a *float32, n int, decay float32)

//go:noescape
func leakyMixAVX2(dst, x, y *float32, n int, decay, alpha float32)

// vecLen returns the part of n that the AVX2 loops take.
func vecLen(n int) int {
	if !hasAVX2() {
		return 0
	}
	return n &^ 7
}

func leakyMix(dst, x, y []float32, decay, alpha float32) {
	n := vecLen(len(dst))
	if n > 0 {
		leakyMixAVX2(&dst[0], &x[0], &y[0], n, decay, alpha)
	}
	leakyMixGo(dst[n:], x[n:], y[n:], decay, alpha)
}

func tanhRateGrad(gx, dp, g, grec []float32, alpha, decay float32) {
	n := vecLen(len(gx))
	if n > 0 {
		tanhRateGradAVX2(&gx[0], &dp[0], &g[0], &grec[0], n, alpha, decay)
	}
	tanhRateGradGo(gx[n:], dp[n:], g[n:], grec[n:], alpha, decay)
}

func tanhStateGrad(gx, dp, g, grec, r []float32, alpha, decay float32) {
	n := vecLen(len(gx))
	if n > 0 {
		tanhStateGradAVX2(&gx[0], &dp[0], &g[0], &grec[0], &r[0], n, alpha, decay)
	}
	tanhStateGradGo(gx[n:], dp[n:], g[n:], grec[n:], r[n:], alpha, decay)
}

func tanhCarry(dst, og, d, da, a []float32, decay float32) {
	n := vecLen(len(dst))
	if n > 0 {
		tanhCarryAVX2(&dst[0], &og[0], &d[0], &da[0], &a[0], n, decay)
	}
	tanhCarryGo(dst[n:], og[n:], d[n:], da[n:], a[n:], decay)
}
