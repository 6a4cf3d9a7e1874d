//go:build noasm || !amd64

package kernels

func alifStep(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []float32, thr, ba float32, subtract bool) int {
	return alifStepGo(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
}

func alifBack(arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []float32, thr, ba, k, c0 float32) {
	alifBackGo(arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
}
