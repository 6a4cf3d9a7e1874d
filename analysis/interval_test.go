package analysis

import (
	"math"
	"testing"
)

// TestWilson checks the Wilson score interval against values computed
// independently. The first six rows are Newcombe (1998, Stat. Med. 17:857,
// Table I, method 3, "score method without continuity correction"), given
// there to 4 decimals; the rest, and all the 1e-12 checks, are the closed
// form evaluated in Python 3.11 with z = statistics.NormalDist().inv_cdf(0.975):
//
//	d = 1 + z*z/n; c = (p + z*z/(2*n))/d; h = z/d*sqrt(p*(1-p)/n + z*z/(4*n*n))
//	lo, hi = c - h, c + h
//
// (for p = 0 and p = 1 Python gives lo = 2.2e-19 or 2.8e-17 and hi = 1 up to
// rounding; the exact values are 0 and 1).
func TestWilson(t *testing.T) {
	t.Parallel()
	cases := []struct {
		k, n   int
		lo, hi float64
		tol    float64
	}{
		{81, 263, 0.2553, 0.3662, 5e-5}, // Newcombe, 4 decimals
		{15, 148, 0.0624, 0.1605, 5e-5},
		{0, 20, 0, 0.1611, 5e-5},
		{1, 29, 0.0061, 0.1718, 5e-5},
		{29, 29, 0.8830, 1, 5e-5},
		{0, 10, 0, 0.2775, 5e-5},
		{81, 263, 0.2552885198782743, 0.3662095769828001, 1e-12}, // Python
		{1000, 1000, 0.996173241514445, 1, 1e-12},
		{0, 1000, 0, 0.0038267584855551217, 1e-12},
		{999, 1000, 0.9943574414020421, 0.9998234536293739, 1e-12},
		{500, 1000, 0.4690696003681042, 0.5309303996318958, 1e-12},
		{2, 1000, 0.0005486435881207267, 0.007262807863492175, 1e-12},
		{1, 1, 0.20654931437723745, 1, 1e-12},
		{0, 1, 0, 0.7934506856227626, 1e-12},
		{1, 2, 0.09453120573423074, 0.9054687942657693, 1e-12},
		{3, 5, 0.23072428127601297, 0.8823792257673521, 1e-12},
	}
	for _, c := range cases {
		p := float64(c.k) / float64(c.n)
		lo, hi := Wilson(p, c.n, Z95)
		if math.Abs(lo-c.lo) > c.tol || math.Abs(hi-c.hi) > c.tol {
			t.Errorf("Wilson(%d/%d) = [%.17g, %.17g], want [%.17g, %.17g] ± %g", c.k, c.n, lo, hi, c.lo, c.hi, c.tol)
		}
		if p == 0 && lo != 0 || p == 1 && hi != 1 {
			t.Errorf("Wilson(%d/%d) = [%.17g, %.17g], want the end at p exactly", c.k, c.n, lo, hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("Wilson on no trials = [%g, %g], want [0, 1]", lo, hi)
	}
	if lo, hi := Wilson(0.3, 10, 0); lo != 0.3 || hi != 0.3 {
		t.Errorf("Wilson at z = 0 = [%g, %g], want [0.3, 0.3]", lo, hi)
	}
	for _, bad := range []struct {
		p float64
		n int
		z float64
	}{{-0.1, 10, Z95}, {1.1, 10, Z95}, {math.NaN(), 10, Z95}, {0.5, -1, Z95}, {0.5, 10, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Wilson(%g, %d, %g) did not panic", bad.p, bad.n, bad.z)
				}
			}()
			Wilson(bad.p, bad.n, bad.z)
		}()
	}
}

// TestInterval95: one evaluation gets the Wilson interval of its trials,
// several the mean ± t95 s.e. across them within [0, 1], widened to
// Wilson's on one evaluation's trials where that is wider, t95 the Student-t
// quantile with draws − 1 degrees of freedom (2.2621571627982055 for 10
// draws, from TestT95).
func TestInterval95(t *testing.T) {
	t.Parallel()
	one := Summary{Accuracy: 1, StdErr: 0, Trials: 1000, Repeats: 1}
	if lo, hi := one.Interval95(); math.Abs(lo-0.996173241514445) > 1e-12 || hi != 1 {
		t.Errorf("1000/1000: Interval95 = [%g, %g], want [0.99617, 1] (Wilson)", lo, hi)
	}
	const t9 = 2.2621571627982055
	draws := Summary{Accuracy: 0.8, StdErr: 0.05, Trials: 1000, Repeats: 10}
	if lo, hi := draws.Interval95(); math.Abs(lo-(0.8-t9*0.05)) > 1e-9 || math.Abs(hi-(0.8+t9*0.05)) > 1e-9 {
		t.Errorf("10 draws: Interval95 = [%g, %g], want 0.8 ± %g", lo, hi, t9*0.05)
	}
	edge := Summary{Accuracy: 0.99, StdErr: 0.02, Trials: 1000, Repeats: 10}
	if _, hi := edge.Interval95(); hi != 1 {
		t.Errorf("10 draws at 0.99 ± 0.02: upper end %g, want 1", hi)
	}
	// Draws that all score the same (every unit silenced, or none) keep the
	// trials' uncertainty: Wilson's interval, not a point.
	same := Summary{Accuracy: 1, StdErr: 0, Trials: 1000, Repeats: 10}
	if lo, hi := same.Interval95(); math.Abs(lo-0.996173241514445) > 1e-12 || hi != 1 {
		t.Errorf("10 equal draws of 1000/1000: Interval95 = [%g, %g], want [0.99617, 1] (Wilson)", lo, hi)
	}
	// A spread narrower than the trials' at one end only: 0.9 ± 2.262·0.005
	// = [0.8887, 0.9113] against Wilson's [0.8797, 0.9170] on 1000 trials.
	narrow := Summary{Accuracy: 0.9, StdErr: 0.005, Trials: 1000, Repeats: 10}
	lo, hi := narrow.Interval95()
	if wlo, whi := Wilson(0.9, 1000, Z95); lo != wlo || hi != whi {
		t.Errorf("10 draws of 0.9 ± 0.005: Interval95 = [%g, %g], want Wilson's [%g, %g]", lo, hi, wlo, whi)
	}
	two := Summary{Accuracy: 0.5, StdErr: 0.01, Trials: 1000, Repeats: 2}
	if lo, hi := two.Interval95(); math.Abs(lo-(0.5-12.706204736174705*0.01)) > 1e-9 || math.Abs(hi-(0.5+12.706204736174705*0.01)) > 1e-9 {
		t.Errorf("2 draws: Interval95 = [%g, %g], want 0.5 ± 12.706 s.e.", lo, hi)
	}
}

// TestPsychInterval95: a psychometric point of one evaluation gets the
// Wilson interval of its trials, a mean over draws the mean ± t95 times its
// s.e. across the draws (Summarize), as Interval95 does for the accuracy.
// Wilson's interval on one draw's trials, or on all draws' trials pooled,
// would leave out how much the point moves from draw to draw.
func TestPsychInterval95(t *testing.T) {
	t.Parallel()
	rep := func(p1 ...float64) Report {
		r := Report{Trials: 40, Accuracy: 0.9}
		for i, p := range p1 {
			r.Psychometric = append(r.Psychometric, PsychPoint{Coherence: float64(2*i - 1), Trials: 20, PChoice1: p})
		}
		return r
	}
	one := Summarize([]Report{rep(0, 1)})
	if one.Psychometric[0].StdErr != 0 {
		t.Errorf("one evaluation: StdErr %g, want 0", one.Psychometric[0].StdErr)
	}
	for i, p := range []float64{0, 1} {
		lo, hi := one.PsychInterval95(i)
		wlo, whi := Wilson(p, 20, Z95)
		if lo != wlo || hi != whi {
			t.Errorf("one evaluation, point %d: [%g, %g], want Wilson's [%g, %g]", i, lo, hi, wlo, whi)
		}
	}
	// Three draws: P(choice 1) 0.1, 0.2, 0.3 at the first point (mean 0.2,
	// s.e. 0.1/√3), 0.95 at the second in every draw (s.e. 0).
	three := Summarize([]Report{rep(0.1, 0.95), rep(0.2, 0.95), rep(0.3, 0.95)})
	const t2 = 4.3026527297494638523 // TestT95
	se := 0.1 / math.Sqrt(3)
	if p := three.Psychometric[0]; math.Abs(p.PChoice1-0.2) > 1e-12 || math.Abs(p.StdErr-se) > 1e-12 {
		t.Errorf("three draws, point 0: %g ± %g, want 0.2 ± %g", p.PChoice1, p.StdErr, se)
	}
	if lo, hi := three.PsychInterval95(0); math.Abs(lo-max(0.2-t2*se, 0)) > 1e-9 || math.Abs(hi-(0.2+t2*se)) > 1e-9 {
		t.Errorf("three draws, point 0: [%g, %g], want 0.2 ± %g within [0, 1]", lo, hi, t2*se)
	}
	// Equal draws have no spread; the point keeps Wilson's interval on its
	// 20 trials, which every draw scored.
	lo, hi := three.PsychInterval95(1)
	if wlo, whi := Wilson(0.95, 20, Z95); lo != wlo || hi != whi {
		t.Errorf("three equal draws: [%g, %g], want Wilson's [%g, %g]", lo, hi, wlo, whi)
	}
}

// TestT95 checks the Student-t quantile against values computed
// independently, with mpmath 1.3.0 at 30 digits, by solving
// 1 − I_{ν/(ν+t²)}(ν/2, 1/2)/2 = 0.975 for t (findroot on betainc). They
// agree with printed tables (12.706, 4.303, 2.776, 2.262, 2.093, 2.045,
// 1.984). The tolerance, 1e-12 relative, allows for the rounding of gonum's
// inverse regularized incomplete beta function (about 1e-14 here); t95
// tends to Z95 as df grows.
func TestT95(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		df   int
		want float64
	}{
		{1, 12.706204736174704646}, // tan(0.475π)
		{2, 4.3026527297494638523},
		{4, 2.7764451051977943578},
		{9, 2.2621571627982055426},
		{19, 2.0930240544083097692},
		{29, 2.0452296421327042982},
		{99, 1.9842169515864174951},
	} {
		if got := t95(c.df); math.Abs(got-c.want) > 1e-12*c.want {
			t.Errorf("t95(%d) = %.17g, want %.17g", c.df, got, c.want)
		}
	}
	if got := t95(1_000_000); math.Abs(got-Z95) > 1e-5 {
		t.Errorf("t95(1e6) = %.17g, want Z95 = %.17g within 1e-5", got, Z95)
	}
	defer func() {
		if recover() == nil {
			t.Error("t95(0) did not panic")
		}
	}()
	t95(0)
}
