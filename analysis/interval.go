package analysis

import (
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/rnntrain/rnntrain/internal/stats"
)

// Z95 is Φ⁻¹(0.975), the standard normal quantile of a two-sided 95 %
// interval.
const Z95 = stats.Z95

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
// negative or z is negative. The figures draw the same interval
// (internal/stats, which they share without depending on this package).
func Wilson(p float64, n int, z float64) (lo, hi float64) { return stats.Wilson(p, n, z) }

// Interval95 returns the 95 % confidence interval of s.Accuracy. For one
// evaluation (Repeats ≤ 1) it is the Wilson score interval of the fraction
// correct on s.Trials trials (Wilson). For several, Accuracy is a mean over
// evaluations (draws of units) that all score the same trials, and two
// things could change it: another draw of units, measured by the spread
// across the draws, Accuracy ± t95 times its standard error across them
// (t95 the 0.975 quantile of Student's t with Repeats − 1 degrees of
// freedom: 2.262 for 10 draws, Z95 only in the limit of many), and other
// trials, whose sampling error the shared trials do not average out,
// Wilson's interval on one evaluation's s.Trials. The interval is the wider
// of the two at each end, within [0, 1]: draws that all give the same
// accuracy (every unit silenced, or none) still get the trials' interval
// rather than none.
func (s Summary) Interval95() (lo, hi float64) {
	return interval95(s.Accuracy, s.StdErr, s.Trials, s.Repeats)
}

// PsychInterval95 returns the 95 % confidence interval of the P(choice 1)
// of s.Psychometric[i], by the rule of Interval95: for one evaluation the
// Wilson score interval on the point's trials; for several, PChoice1 is a
// mean over evaluations (draws of units) and the interval is the wider, at
// each end, of PChoice1 ± t95 times its standard error across them
// (StdErr) and Wilson's on the point's trials of one evaluation, within
// [0, 1]. Every draw scores the same trials, so pooling the draws' trials
// into one Wilson interval would count each trial once per draw. It panics
// if i is out of range.
func (s Summary) PsychInterval95(i int) (lo, hi float64) {
	p := s.Psychometric[i]
	return interval95(p.PChoice1, p.StdErr, p.Trials, s.Repeats)
}

// interval95 is the 95 % interval of a proportion p: Wilson's on trials
// trials for repeats ≤ 1, else the envelope of p ± t95(repeats − 1)·se and
// Wilson's on trials, within [0, 1].
func interval95(p, se float64, trials, repeats int) (lo, hi float64) {
	wlo, whi := Wilson(p, trials, Z95)
	if repeats <= 1 {
		return wlo, whi
	}
	t := t95(repeats - 1)
	return max(min(p-t*se, wlo), 0), min(max(p+t*se, whi), 1)
}

// t95 returns the 0.975 quantile of Student's t distribution with df
// degrees of freedom, the factor of a two-sided 95 % interval of a mean
// of df+1 values: 12.71 for df = 1, 2.262 for df = 9. It panics if df < 1.
func t95(df int) float64 {
	if df < 1 {
		panic("analysis: Student's t quantile with fewer than 1 degree of freedom")
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}
