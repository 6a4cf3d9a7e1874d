//go:build !noasm

package kernels

// The 16-lane (AVX-512F) loops of ALIFStep and ALIFBack over one row's
// first n units; n must be a positive multiple of 16. ALIFStep is
// alifAdaptAVX512 then lifStepThAVX512 (which LIFStep runs with one
// threshold for all units); ALIFBack is alifSurrAVX512,
// alifBackAdaptAVX512 and lifBackTailAVX512, each a pass over the row.
//
//go:noescape
func alifAdaptAVX512(a, th, aPrev, sPrev, rho *float32, n int, thr, ba float32)

//go:noescape
func lifStepThAVX512(u, s, v, vPrev, p, beta, th *float32, thStep, n int, subtract bool) int

//go:noescape
func alifSurrAVX512(gx, og, gsr, u, aNew *float32, n int, thr, ba, k, c0 float32, arcTan bool)

//go:noescape
func alifBackAdaptAVX512(gv, s, gx, ga, gRho, aPrev, sPrev, rho, gsr *float32, n int, ba float32)

//go:noescape
func lifBackTailAVX512(dp, gv, gx, gBeta, vPrev, beta *float32, n int)

// The 8-lane (AVX2) loops of the same kernels (alif_avx2_amd64.s), op for
// op as above; n must be a positive multiple of 8.
//
//go:noescape
func alifAdaptAVX2(a, th, aPrev, sPrev, rho *float32, n int, thr, ba float32)

//go:noescape
func lifStepThAVX2(u, s, v, vPrev, p, beta, th *float32, thStep, n int, subtract bool) int

//go:noescape
func alifSurrAVX2(gx, og, gsr, u, aNew *float32, n int, thr, ba, k, c0 float32, arcTan bool)

//go:noescape
func alifBackAdaptAVX2(gv, s, gx, ga, gRho, aPrev, sPrev, rho, gsr *float32, n int, ba float32)

//go:noescape
func lifBackTailAVX2(dp, gv, gx, gBeta, vPrev, beta *float32, n int)

// lifStepTh runs lifStepThAVX512 or, for isaAVX2, lifStepThAVX2 (th then
// needs 16 or 8 copies for thStep 0).
func lifStepTh(isa vecISA, u, s, v, vPrev, p, beta, th *float32, thStep, n int, subtract bool) int {
	if isa == isaAVX512 {
		return lifStepThAVX512(u, s, v, vPrev, p, beta, th, thStep, n, subtract)
	}
	return lifStepThAVX2(u, s, v, vPrev, p, beta, th, thStep, n, subtract)
}

func alifStep(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []float32, thr, ba float32, subtract bool) int {
	return alifStepOn(bestISA(), u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
}

// alifStepOn is alifStep on isa's vector loops; the units past
// isa.part(n) run the plain loop.
func alifStepOn(isa vecISA, u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []float32, thr, ba float32, subtract bool) int {
	n := len(beta)
	m := isa.part(n)
	if m == 0 {
		return alifStepGo(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
	}
	spiked := 0
	for o := 0; o < len(u); o += n {
		if isa == isaAVX512 {
			alifAdaptAVX512(&a[o], &th[o], &aPrev[o], &sPrev[o], &rho[0], m, thr, ba)
		} else {
			alifAdaptAVX2(&a[o], &th[o], &aPrev[o], &sPrev[o], &rho[0], m, thr, ba)
		}
		spiked += lifStepTh(isa, &u[o], &s[o], &v[o], &vPrev[o], &p[o], &beta[0], &th[o], 1, m, subtract)
		if m < n {
			e := o + n
			spiked += alifStepGo(u[o+m:e], s[o+m:e], v[o+m:e], a[o+m:e], th[o+m:e], vPrev[o+m:e], aPrev[o+m:e], sPrev[o+m:e], p[o+m:e], beta[m:], rho[m:], thr, ba, subtract)
		}
	}
	return spiked
}

func alifBack(arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []float32, thr, ba, k, c0 float32) {
	alifBackOn(bestISA(), arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
}

// alifBackOn is alifBack on isa's vector loops; the units past
// isa.part(n) run the plain loop.
func alifBackOn(isa vecISA, arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []float32, thr, ba, k, c0 float32) {
	n := len(beta)
	m := isa.part(n)
	if m == 0 {
		alifBackGo(arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
		return
	}
	for o := 0; o < len(dp); o += n {
		if isa == isaAVX512 {
			alifSurrAVX512(&gx[o], &og[o], &gsr[o], &u[o], &aNew[o], m, thr, ba, k, c0, arcTan)
			alifBackAdaptAVX512(&gv[o], &s[o], &gx[o], &ga[o], &gRho[0], &aPrev[o], &sPrev[o], &rho[0], &gsr[o], m, ba)
			lifBackTailAVX512(&dp[o], &gv[o], &gx[o], &gBeta[0], &vPrev[o], &beta[0], m)
		} else {
			alifSurrAVX2(&gx[o], &og[o], &gsr[o], &u[o], &aNew[o], m, thr, ba, k, c0, arcTan)
			alifBackAdaptAVX2(&gv[o], &s[o], &gx[o], &ga[o], &gRho[0], &aPrev[o], &sPrev[o], &rho[0], &gsr[o], m, ba)
			lifBackTailAVX2(&dp[o], &gv[o], &gx[o], &gBeta[0], &vPrev[o], &beta[0], m)
		}
		if m < n {
			e := o + n
			alifBackGo(arcTan, dp[o+m:e], gv[o+m:e], ga[o+m:e], gsr[o+m:e], gx[o+m:e], gBeta[m:n], gRho[m:n], og[o+m:e], s[o+m:e], sPrev[o+m:e], u[o+m:e], aPrev[o+m:e], aNew[o+m:e], vPrev[o+m:e], beta[m:], rho[m:], thr, ba, k, c0)
		}
	}
}
