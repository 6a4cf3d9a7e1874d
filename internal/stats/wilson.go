package stats

import "math"

// Z95 is Φ⁻¹(0.975), the standard normal quantile of a two-sided 95 %
// interval.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval (Wilson 1927) of a binomial
// proportion p observed on n trials, at the standard normal quantile z
// (Z95 for a 95 % interval):
//
//	centre   = (p + z²/(2n)) / (1 + z²/n)
//	half     = z/(1 + z²/n) · √(p(1−p)/n + z²/(4n²))
//	[lo, hi] = [centre − half, centre + half]
//
// It is the interval of statsmodels' proportion_confint(method="wilson").
// Unlike the normal approximation p ± z·√(p(1−p)/n), it lies within
// [0, 1] and keeps a width at p = 0 or 1: 1000 correct of 1000 give
// [0.9962, 1]. lo is exactly 0 when p = 0 and hi exactly 1 when p = 1;
// with n = 0 the interval is [0, 1]. It panics if p is not in [0, 1], n is
// negative or z is negative.
func Wilson(p float64, n int, z float64) (lo, hi float64) {
	if !(p >= 0 && p <= 1) || n < 0 || !(z >= 0) {
		panic("stats: Wilson of a proportion outside [0, 1], a negative count or a negative z")
	}
	if n == 0 {
		return 0, 1
	}
	nf, z2 := float64(n), z*z
	d := 1 + z2/nf
	centre := (p + z2/(2*nf)) / d
	half := z / d * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = max(centre-half, 0), min(centre+half, 1)
	if p == 0 {
		lo = 0
	}
	if p == 1 {
		hi = 1
	}
	return lo, hi
}
