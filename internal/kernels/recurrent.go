package kernels

import "fmt"

// The element-wise steps of a leaky tanh recurrence, the backward ones fused
// into one pass over the rows of a time step. They walk the arrays once, read every
// input once and give the same bits as the plain loops below (the vector
// versions round after every multiply and add, in the same order), so results
// do not depend on the CPU. The plain loops round every product that feeds a
// sum with a conversion float32(·): without it the compiler may fuse the two
// into one FMA (it does for GOAMD64=v3).

// TanhRateGrad is one backward step of the rate-integrated recurrence
// r_{t+1} = (1−α)·r_t + α·tanh(p_t). For every k:
//
//	s      = (g[k] + grec[k]) + decay·gx[k]
//	gx[k]  = s
//	dp[k]  = (alpha·s)·(1 − dp[k]²)
//
// where dp holds tanh(p_t) on entry and dL/dp_t on return, g the gradient
// arriving at r_{t+1} from the readout, grec the one through the recurrent
// weights, and gx the running gradient of r (decay = 1−α). It panics if the
// lengths differ.
func TanhRateGrad(gx, dp, g, grec []float32, alpha, decay float32) {
	checkLens("TanhRateGrad", len(gx), len(dp), len(g), len(grec), len(gx))
	tanhRateGrad(gx, dp, g, grec, alpha, decay)
}

// TanhStateGrad is one backward step of the state-integrated recurrence
// x_{t+1} = (1−α)·x_t + α·p_t, r = tanh(x). For every k:
//
//	s      = (g[k] + grec[k])·(1 − r[k]²) + decay·gx[k]
//	gx[k]  = s
//	dp[k]  = alpha·s
//
// where r holds r_{t+1}, g and grec the gradients arriving at r_{t+1}, gx the
// running gradient of x (decay = 1−α) and dp receives dL/dp_t. It panics if
// the lengths differ.
func TanhStateGrad(gx, dp, g, grec, r []float32, alpha, decay float32) {
	checkLens("TanhStateGrad", len(gx), len(dp), len(g), len(grec), len(r))
	tanhStateGrad(gx, dp, g, grec, r, alpha, decay)
}

// TanhCarry is the backward step of the low-rank recurrence
// h_{t+1} = (1−α)·h_t + α·tanh(h_t)·n·mᵀ/N + …, with the rates read from h.
// For every k:
//
//	dst[k] = (og[k] + decay·d[k]) + da[k]·(1 − a[k]²)
//
// where d holds ∂L/∂h_{t+1}, da the gradient reaching tanh(h_t) through the
// recurrent factors, a = tanh(h_t), og the readout's gradient at h_t and
// decay = 1−α; dst receives ∂L/∂h_t. dst may be og. It panics if the lengths
// differ.
func TanhCarry(dst, og, d, da, a []float32, decay float32) {
	checkLens("TanhCarry", len(dst), len(og), len(d), len(da), len(a))
	tanhCarry(dst, og, d, da, a, decay)
}

// LeakyMix sets dst[k] = decay·x[k] + alpha·y[k], the leaky integration
// step (1−α)·s_t + α·drive. dst may be x or y. It panics if the lengths
// differ.
func LeakyMix(dst, x, y []float32, decay, alpha float32) {
	checkLens("LeakyMix", len(dst), len(x), len(y), len(dst), len(dst))
	leakyMix(dst, x, y, decay, alpha)
}

func leakyMixGo(dst, x, y []float32, decay, alpha float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for k := range dst {
		dst[k] = float32(decay*x[k]) + float32(alpha*y[k])
	}
}

// SumRowsInto adds the rows of src, len(dst) values each, into dst one row
// after another: dst[j] += src[0·n+j] + src[1·n+j] + … in that order, so it
// gives the same bits as the plain double loop. It panics if len(src) is not
// a multiple of len(dst).
func SumRowsInto(dst, src []float32) {
	n := len(dst)
	if n == 0 || len(src)%n != 0 {
		panic(fmt.Sprintf("kernels: SumRowsInto %d values into rows of %d", len(src), n))
	}
	for i := 0; i < len(src); i += n {
		leakyMix(dst, dst, src[i:i+n], 1, 1) // 1·x is exact
	}
}

func checkLens(op string, n, a, b, c, d int) {
	if a != n || b != n || c != n || d != n {
		panic(fmt.Sprintf("kernels: %s length mismatch %d, %d, %d, %d, %d", op, n, a, b, c, d))
	}
}

func tanhRateGradGo(gx, dp, g, grec []float32, alpha, decay float32) {
	dp, g, grec = dp[:len(gx)], g[:len(gx)], grec[:len(gx)]
	for k, x := range gx {
		s := (g[k] + grec[k]) + float32(decay*x)
		gx[k] = s
		y := dp[k]
		dp[k] = (alpha * s) * (1 - float32(y*y))
	}
}

func tanhStateGradGo(gx, dp, g, grec, r []float32, alpha, decay float32) {
	dp, g, grec, r = dp[:len(gx)], g[:len(gx)], grec[:len(gx)], r[:len(gx)]
	for k, x := range gx {
		y := r[k]
		s := float32((g[k]+grec[k])*(1-float32(y*y))) + float32(decay*x)
		gx[k] = s
		dp[k] = alpha * s
	}
}

func tanhCarryGo(dst, og, d, da, a []float32, decay float32) {
	og, d, da, a = og[:len(dst)], d[:len(dst)], da[:len(dst)], a[:len(dst)]
	for k := range dst {
		y := a[k]
		dst[k] = (og[k] + float32(decay*d[k])) + float32(da[k]*(1-float32(y*y)))
	}
}
