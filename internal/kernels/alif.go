package kernels

// The kernels of the adaptive LIF (ALIF, Bellec et al. 2018) step and its
// reverse step, on rows of n = len(beta) units like LIFStep. float32 runs
// 16-lane (AVX-512) or 8-lane (AVX2) vector loops that give the same bits
// as the plain loops below (same operations, same order, no fused
// multiply-add); float64 and -tags noasm run the plain loops. The plain
// loops round every product that feeds a sum with a conversion E(·): without
// it the compiler may fuse the two into one FMA (it does for GOAMD64=v3).

// ALIFStep runs one step of the adaptive LIF for every row of n = len(beta)
// units:
//
//	a = ρ⊙aPrev + (1 − ρ)⊙sPrev,  θ = thr + ba·a
//	u = β⊙vPrev + p
//	s = 1 where u − θ > 0, else 0
//	v = u − θ⊙s (subtract) or u⊙(1 − s)
//
// writing θ to th, and returns the number of spikes. It panics unless the
// row slices have the same length, a multiple of n, and rho has n entries.
func ALIFStep[E Float](u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []E, thr, ba E, subtract bool) int {
	checkRows("ALIFStep", len(beta), len(u), len(s), len(v), len(a), len(th), len(vPrev), len(aPrev), len(sPrev), len(p))
	checkLens("ALIFStep", len(rho), len(beta), len(beta), len(beta), len(beta))
	if f, ok := any(u).([]float32); ok {
		c := func(x []E) []float32 { return any(x).([]float32) }
		return alifStep(f, c(s), c(v), c(a), c(th), c(vPrev), c(aPrev), c(sPrev), c(p), c(beta), c(rho), float32(thr), float32(ba), subtract)
	}
	return alifStepGo(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
}

// ALIFBack is the reverse step of ALIFStep for the detached subtractive
// reset and the fast-sigmoid surrogate 1/(1 + k·|x|)² (arcTan false, k the
// slope) or the arctangent surrogate c0/(1 + (k·x)²) (arcTan), for every
// row of n = len(beta) units:
//
//	x   = u − (thr + ba·aNew),  gx = (og + gsr)·σ'(x)
//	gθ  = −(s⊙gv + gx),  g1 = ga + ba·gθ
//	gRho += g1⊙(aPrev − sPrev),  ga = ρ⊙g1,  gsr = (1 − ρ)⊙g1
//	d   = gv + gx,  dp = d,  gv = β⊙d,  gBeta += d⊙vPrev
//
// where gv and ga are the running gradients of the membrane and the
// adaptation, og and gsr the gradients arriving at the step's spikes s
// (gsr then receives the share carried to the previous step's spikes sPrev
// through the adaptation; the caller adds the recurrent one), aPrev and
// aNew the adaptation before and after the step and gx is scratch. It
// panics unless the row slices have the same length, a multiple of n, and
// gBeta, gRho and rho have n entries.
func ALIFBack[E Float](arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []E, thr, ba, k, c0 E) {
	checkRows("ALIFBack", len(beta), len(dp), len(gv), len(ga), len(gsr), len(gx), len(og), len(s), len(sPrev), len(u), len(aPrev), len(aNew), len(vPrev))
	checkLens("ALIFBack", len(beta), len(gBeta), len(gRho), len(rho), len(beta))
	if f, ok := any(dp).([]float32); ok {
		c := func(x []E) []float32 { return any(x).([]float32) }
		alifBack(arcTan, f, c(gv), c(ga), c(gsr), c(gx), c(gBeta), c(gRho), c(og), c(s), c(sPrev), c(u), c(aPrev), c(aNew), c(vPrev), c(beta), c(rho), float32(thr), float32(ba), float32(k), float32(c0))
		return
	}
	alifBackGo(arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
}

func alifStepGo[E Float](u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []E, thr, ba E, subtract bool) int {
	n := len(beta)
	rho = rho[:n]
	for o := 0; o < len(u); o += n {
		ar, tr, ap, sp := a[o:o+n], th[o:o+n], aPrev[o:o+n], sPrev[o:o+n]
		for j, r := range rho {
			an := E(r*ap[j]) + E((1-r)*sp[j])
			ar[j] = an
			tr[j] = thr + E(ba*an)
		}
	}
	return lifStepThGo(u, s, v, vPrev, p, beta, th, 1, subtract)
}

func alifBackGo[E Float](arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []E, thr, ba, k, c0 E) {
	n := len(beta)
	gBeta, gRho, rho = gBeta[:n], gRho[:n], rho[:n]
	for o := 0; o < len(dp); o += n {
		alifSurrGo(arcTan, gx[o:o+n], og[o:o+n], gsr[o:o+n], u[o:o+n], aNew[o:o+n], thr, ba, k, c0)
		alifBackAdaptGo(gv[o:o+n], s[o:o+n], gx[o:o+n], ga[o:o+n], gRho, aPrev[o:o+n], sPrev[o:o+n], rho, gsr[o:o+n], ba)
		lifBackTailGo(dp[o:o+n], gv[o:o+n], gx[o:o+n], gBeta, vPrev[o:o+n], beta)
	}
}

// alifSurrGo sets gx = (og + gsr)·σ'(u − thr − ba·aNew) over one row.
func alifSurrGo[E Float](arcTan bool, gx, og, gsr, u, aNew []E, thr, ba, k, c0 E) {
	og, gsr, u, aNew = og[:len(gx)], gsr[:len(gx)], u[:len(gx)], aNew[:len(gx)]
	for j := range gx {
		gx[j] = surrShareGo(arcTan, og[j]+gsr[j], u[j]-(thr+E(ba*aNew[j])), k, c0)
	}
}

// alifBackAdaptGo is the adaptation's share of the reverse step over one
// row: gθ = −(s⊙gv + gx), g1 = ga + ba·gθ, gRho += g1⊙(aPrev − sPrev),
// ga = ρ⊙g1, gsr = (1 − ρ)⊙g1.
func alifBackAdaptGo[E Float](gv, s, gx, ga, gRho, aPrev, sPrev, rho, gsr []E, ba E) {
	s, gx, ga, aPrev, sPrev, rho, gsr = s[:len(gv)], gx[:len(gv)], ga[:len(gv)], aPrev[:len(gv)], sPrev[:len(gv)], rho[:len(gv)], gsr[:len(gv)]
	gRho = gRho[:len(gv)]
	for j, g := range gv {
		gth := -(E(s[j]*g) + gx[j])
		g1 := ga[j] + E(ba*gth)
		gRho[j] += E(g1 * (aPrev[j] - sPrev[j]))
		ga[j] = rho[j] * g1
		gsr[j] = (1 - rho[j]) * g1
	}
}

// lifBackTailGo is d = gv + gx, dp = d, gv = β⊙d, gBeta += d⊙vPrev over
// one row.
func lifBackTailGo[E Float](dp, gv, gx, gBeta, vPrev, beta []E) {
	gv, gx, gBeta, vPrev, beta = gv[:len(dp)], gx[:len(dp)], gBeta[:len(dp)], vPrev[:len(dp)], beta[:len(dp)]
	for j := range dp {
		d := gx[j] + gv[j]
		dp[j] = d
		gv[j] = beta[j] * d
		gBeta[j] += E(d * vPrev[j])
	}
}
