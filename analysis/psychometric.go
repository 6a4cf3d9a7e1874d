package analysis

import (
	"math"
	"slices"
)

// PsychFit is a logistic psychometric function fitted to one context's
// points: P(choice 1 | c) = 1 / (1 + exp(−(Bias + Slope·c))), c the signed
// coherence. Bias is the log-odds of choice 1 at zero coherence (0 for an
// unbiased observer; defined also for a flat curve, unlike the point of
// subjective equality −Bias/Slope), Slope the change of the log-odds per
// unit of coherence (0 for a flat curve).
type PsychFit struct {
	Context int     `json:"context"`
	Bias    float64 `json:"bias"`
	Slope   float64 `json:"slope"`
	// Trials is the number of trials the fit is based on.
	Trials int `json:"trials"`
	// Fitted is false, and Bias and Slope 0, when the context has fewer
	// than two coherences with trials.
	Fitted bool `json:"fitted"`
}

// FitPsychometric fits a logistic function per context to pts (sorted or
// not) by maximum likelihood on the binomial counts, with half a trial
// added to each point's choice-1 and choice-2 counts (the Haldane–Anscombe
// correction): a perfect observer separates the choices completely, which
// sends the plain maximum-likelihood slope to infinity; with the
// correction it is finite and still grows with the trials. Points with no
// trials or NaN values are skipped. It returns the fits sorted by context;
// pts is not modified.
func FitPsychometric(pts []PsychPoint) []PsychFit {
	byCtx := map[int][]PsychPoint{}
	for _, p := range pts {
		byCtx[p.Context] = append(byCtx[p.Context], p)
	}
	ctxs := make([]int, 0, len(byCtx))
	for c := range byCtx {
		ctxs = append(ctxs, c)
	}
	slices.Sort(ctxs)
	fits := make([]PsychFit, 0, len(ctxs))
	for _, c := range ctxs {
		fits = append(fits, fitLogistic(c, byCtx[c]))
	}
	return fits
}

// fitLogistic fits logit P = a + b·c to one context's points by Newton's
// method on the corrected counts (a two-parameter concave problem).
func fitLogistic(ctx int, pts []PsychPoint) PsychFit {
	f := PsychFit{Context: ctx}
	var xs, ks, ns []float64
	coh := map[float64]bool{}
	for _, p := range pts {
		if p.Trials == 0 || math.IsNaN(p.PChoice1) || math.IsNaN(p.Coherence) {
			continue
		}
		f.Trials += p.Trials
		xs = append(xs, p.Coherence)
		ks = append(ks, p.PChoice1*float64(p.Trials)+0.5)
		ns = append(ns, float64(p.Trials)+1)
		coh[p.Coherence] = true
	}
	if len(coh) < 2 {
		return f
	}
	a, b := 0.0, 0.0
	loglik := func(a, b float64) float64 {
		var l float64
		for i, x := range xs {
			z := a + b*x
			// log σ(z) = −log(1+e^−z), log(1−σ(z)) = −log(1+e^z)
			l -= ks[i]*softplus(-z) + (ns[i]-ks[i])*softplus(z)
		}
		return l
	}
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, x := range xs {
			p := 1 / (1 + math.Exp(-(a + b*x)))
			r := ks[i] - ns[i]*p
			w := ns[i] * p * (1 - p)
			ga, gb = ga+r, gb+r*x
			haa, hab, hbb = haa+w, hab+w*x, hbb+w*x*x
		}
		det := haa*hbb - hab*hab
		if !(det > 0) {
			break
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		// Newton steps on this concave likelihood; halve until it rises.
		l0, step := loglik(a, b), 1.0
		for range 30 {
			if loglik(a+step*da, b+step*db) >= l0 {
				break
			}
			step /= 2
		}
		a, b = a+step*da, b+step*db
		if math.Abs(step*da)+math.Abs(step*db) < 1e-10 {
			break
		}
	}
	f.Bias, f.Slope, f.Fitted = a, b, true
	return f
}

// softplus returns log(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}
