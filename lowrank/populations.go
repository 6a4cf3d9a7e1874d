package lowrank

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Populations (Dubreuil et al. 2022): every unit i of a low-rank network
// has a loading vector (m_i1…m_iR, n_i1…n_iR, I_i1…I_iS, w_i1…w_iO) with
// I_s = s_i[s]·wi[s, i] its input weights and w_o = wo[i, o]·s_o[o] its
// readout weights; the network is described by the distribution of these
// vectors, modelled as a mixture of Gaussians, one per population.
//
// gonum has no Gaussian-mixture fit, so EM is written here (on gonum's
// Cholesky).

// Loadings returns the loading vectors of l's units, [Units, Dim] row-major
// with Dim = 2R + Inputs + Outputs (Outputs only when the layer has its own
// readout).
func Loadings[T autodiff.Float](l *Layer[T]) (x []float64, dim int) {
	c := l.Config
	n, r, in := c.Hidden, c.Rank, c.Inputs
	out := 0
	if l.WO != nil {
		out = c.Outputs
	}
	dim = 2*r + in + out
	x = make([]float64, n*dim)
	for i := range n {
		row := x[i*dim : (i+1)*dim]
		for q := range r {
			row[q] = float64(l.M.Value.Data[i*r+q])
			row[r+q] = float64(l.N.Value.Data[i*r+q])
		}
		for s := range in {
			row[2*r+s] = float64(l.SI.Value.Data[s] * l.WI.Value.Data[s*n+i])
		}
		for o := range out {
			row[2*r+in+o] = float64(l.WO.Value.Data[i*out+o] * l.SO.Value.Data[o])
		}
	}
	return x, dim
}

// SetLoadings writes loading vectors x ([Units, Dim], as Loadings returns)
// into l's m, n, wi and wo, and sets s_i and s_o to 1 (the scales are in
// the loadings). It panics if x does not have Loadings' shape.
func SetLoadings[T autodiff.Float](l *Layer[T], x []float64) {
	_, dim := Loadings(l)
	c := l.Config
	n, r, in := c.Hidden, c.Rank, c.Inputs
	if len(x) != n*dim {
		panic(fmt.Sprintf("lowrank: SetLoadings of %d values, want %d units × %d", len(x), n, dim))
	}
	out := dim - 2*r - in
	for i := range n {
		row := x[i*dim : (i+1)*dim]
		for q := range r {
			l.M.Value.Data[i*r+q] = T(row[q])
			l.N.Value.Data[i*r+q] = T(row[r+q])
		}
		for s := range in {
			l.WI.Value.Data[s*n+i] = T(row[2*r+s])
		}
		for o := range out {
			l.WO.Value.Data[i*out+o] = T(row[2*r+in+o])
		}
	}
	for s := range in {
		l.SI.Value.Data[s] = 1
	}
	for o := range out {
		l.SO.Value.Data[o] = 1
	}
}

// Mixture is a mixture of K Gaussians in Dim dimensions.
type Mixture struct {
	K, Dim  int
	Weights []float64   // [K], summing to 1
	Means   [][]float64 // K × [Dim]
	Covs    [][]float64 // K × [Dim·Dim] row-major
	// LogLik is the log-likelihood of the data it was fitted to, BIC its
	// Bayesian information criterion −2·LogLik + p·ln(samples) with
	// p = K−1 + K·Dim + K·Dim(Dim+1)/2.
	LogLik, BIC float64
}

// MixtureConfig controls FitMixture.
type MixtureConfig struct {
	// Iters bounds the EM iterations per start (default 200); EM stops
	// earlier once the log-likelihood gains less than 1e-8 per sample.
	Iters int
	// Starts is the number of random starts, the best kept (default 5).
	Starts int
	// Reg is added to every covariance's diagonal, relative to the data's
	// mean variance (default 1e-4), so that a component cannot collapse.
	Reg float64
}

func (c MixtureConfig) defaults() MixtureConfig {
	if c.Iters == 0 {
		c.Iters = 200
	}
	if c.Starts == 0 {
		c.Starts = 5
	}
	if c.Reg == 0 {
		c.Reg = 1e-4
	}
	return c
}

// FitMixture fits a K-component Gaussian mixture with full covariances to
// the samples x ([samples, dim] row-major) by EM from c.Starts starts (means
// at samples drawn k-means++-style from rng) and returns the one of
// highest likelihood. It returns an error if there are fewer samples than
// components, a value is not finite, or no start converges.
func FitMixture(x []float64, dim, k int, c MixtureConfig, rng *rand.Rand) (*Mixture, error) {
	c = c.defaults()
	if dim < 1 || len(x)%dim != 0 {
		return nil, fmt.Errorf("mixture: %d values are not rows of %d", len(x), dim)
	}
	n := len(x) / dim
	if k < 1 || n < k {
		return nil, fmt.Errorf("mixture: %d components for %d samples", k, n)
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("mixture: non-finite loading")
		}
	}
	data := mat.NewDense(n, dim, x)
	var all mat.SymDense
	stat.CovarianceMatrix(&all, data, nil)
	reg := c.Reg * (mat.Trace(&all)/float64(dim) + 1e-12)
	var best *Mixture
	for range c.Starts {
		m, err := emStart(x, n, dim, k, reg, c.Iters, rng)
		if err != nil {
			continue
		}
		if best == nil || m.LogLik > best.LogLik {
			best = m
		}
	}
	if best == nil {
		return nil, fmt.Errorf("mixture: EM with %d components failed from every start", k)
	}
	p := float64(k-1) + float64(k*dim) + float64(k*dim*(dim+1)/2)
	best.BIC = -2*best.LogLik + p*math.Log(float64(n))
	return best, nil
}

// emStart runs EM from one k-means++ start.
func emStart(x []float64, n, dim, k int, reg float64, iters int, rng *rand.Rand) (*Mixture, error) {
	row := func(i int) []float64 { return x[i*dim : (i+1)*dim] }
	m := &Mixture{K: k, Dim: dim, Weights: make([]float64, k), Means: make([][]float64, k), Covs: make([][]float64, k)}
	// k-means++ seeding of the means; every covariance starts as the
	// data's.
	d2 := make([]float64, n)
	m.Means[0] = append([]float64(nil), row(rng.IntN(n))...)
	for q := 1; q < k; q++ {
		for i := range n {
			d2[i] = math.Inf(1)
			for p := range q {
				d2[i] = min(d2[i], floats.Distance(row(i), m.Means[p], 2))
			}
			d2[i] *= d2[i]
		}
		pick, tot := n-1, floats.Sum(d2)
		for i, u := 0, rng.Float64()*tot; i < n; i++ {
			if u -= d2[i]; u <= 0 {
				pick = i
				break
			}
		}
		m.Means[q] = append([]float64(nil), row(pick)...)
	}
	var all mat.SymDense
	stat.CovarianceMatrix(&all, mat.NewDense(n, dim, x), nil)
	for q := range k {
		m.Weights[q] = 1 / float64(k)
		m.Covs[q] = make([]float64, dim*dim)
		for a := range dim {
			for b := range dim {
				m.Covs[q][a*dim+b] = all.At(a, b)
			}
			m.Covs[q][a*dim+a] += reg
		}
	}
	resp := make([]float64, n*k)
	prev := math.Inf(-1)
	for it := 0; it < iters; it++ {
		ll, err := m.responsibilities(x, resp)
		if err != nil {
			return nil, err
		}
		m.LogLik = ll
		if ll-prev < 1e-8*float64(n) {
			break
		}
		prev = ll
		for q := range k {
			var w float64
			mu := make([]float64, dim)
			for i := range n {
				w += resp[i*k+q]
				floats.AddScaled(mu, resp[i*k+q], row(i))
			}
			if w < 1e-12 {
				return nil, errors.New("mixture: empty component")
			}
			floats.Scale(1/w, mu)
			cov := m.Covs[q]
			clear(cov)
			for i := range n {
				ri := resp[i*k+q]
				xi := row(i)
				for a := range dim {
					da := ri * (xi[a] - mu[a])
					for b := range dim {
						cov[a*dim+b] += da * (xi[b] - mu[b])
					}
				}
			}
			floats.Scale(1/w, cov)
			for a := range dim {
				cov[a*dim+a] += reg
			}
			m.Weights[q], m.Means[q] = w/float64(n), mu
		}
	}
	return m, nil
}

// gaussian is one component ready for densities and draws.
type gaussian struct {
	mu     []float64
	l      mat.TriDense // Σ = L·Lᵀ
	logDet float64
}

// logProb returns log N(x; μ, Σ); diff is scratch of length Dim.
func (g *gaussian) logProb(x, diff []float64) float64 {
	floats.SubTo(diff, x, g.mu)
	v := mat.NewVecDense(len(diff), diff)
	if err := v.SolveVec(&g.l, v); err != nil { // never for a Cholesky factor
		return math.Inf(-1)
	}
	// diff now holds L⁻¹(x−μ); |L⁻¹(x−μ)|² = (x−μ)ᵀΣ⁻¹(x−μ).
	return -0.5 * (float64(len(diff))*math.Log(2*math.Pi) + g.logDet + floats.Dot(diff, diff))
}

// components returns the mixture's Gaussians.
func (m *Mixture) components() ([]*gaussian, error) {
	out := make([]*gaussian, m.K)
	for q := range m.K {
		var ch mat.Cholesky
		if !ch.Factorize(mat.NewSymDense(m.Dim, append([]float64(nil), m.Covs[q]...))) {
			return nil, fmt.Errorf("mixture: covariance of component %d is not positive definite", q)
		}
		g := &gaussian{mu: m.Means[q], logDet: ch.LogDet()}
		ch.LTo(&g.l)
		out[q] = g
	}
	return out, nil
}

// responsibilities writes P(component q | sample i) into resp ([n, K]) and
// returns the log-likelihood of x.
func (m *Mixture) responsibilities(x, resp []float64) (float64, error) {
	gs, err := m.components()
	if err != nil {
		return 0, err
	}
	n, k := len(x)/m.Dim, m.K
	var ll float64
	lp, diff := make([]float64, k), make([]float64, m.Dim)
	for i := range n {
		for q, g := range gs {
			lp[q] = math.Log(m.Weights[q]) + g.logProb(x[i*m.Dim:(i+1)*m.Dim], diff)
		}
		z := floats.LogSumExp(lp)
		ll += z
		for q := range k {
			resp[i*k+q] = math.Exp(lp[q] - z)
		}
	}
	return ll, nil
}

// Assign returns the most likely component of every sample of x
// ([samples, Dim]).
func (m *Mixture) Assign(x []float64) ([]int, error) {
	n := len(x) / m.Dim
	resp := make([]float64, n*m.K)
	if _, err := m.responsibilities(x, resp); err != nil {
		return nil, err
	}
	out := make([]int, n)
	for i := range n {
		out[i] = floats.MaxIdx(resp[i*m.K : (i+1)*m.K])
	}
	return out, nil
}

// Groups assigns every sample of x ([samples, Dim]) to its most likely
// component and returns the sample indices of each component, ascending,
// the components ordered by size, largest first (ties by component
// index); a component no sample belongs to gives an empty group. For a
// network's loadings the groups are its populations.
func (m *Mixture) Groups(x []float64) ([][]int, error) {
	a, err := m.Assign(x)
	if err != nil {
		return nil, err
	}
	groups := make([][]int, m.K)
	for i, q := range a {
		groups[q] = append(groups[q], i)
	}
	slices.SortStableFunc(groups, func(p, q []int) int { return len(q) - len(p) })
	return groups, nil
}

// Sample draws n samples ([n, Dim] row-major) from the mixture with rng:
// a component by its weight, then a Gaussian draw.
func (m *Mixture) Sample(n int, rng *rand.Rand) ([]float64, error) {
	gs, err := m.components()
	if err != nil {
		return nil, err
	}
	out := make([]float64, n*m.Dim)
	z := make([]float64, m.Dim)
	for i := range n {
		q, u := m.K-1, rng.Float64()
		for p, w := range m.Weights {
			if u -= w; u < 0 {
				q = p
				break
			}
		}
		for a := range z {
			z[a] = rng.NormFloat64()
		}
		dst := mat.NewVecDense(m.Dim, out[i*m.Dim:(i+1)*m.Dim])
		dst.MulVec(&gs[q].l, mat.NewVecDense(m.Dim, z)) // μ + L·z
		floats.Add(dst.RawVector().Data, gs[q].mu)
	}
	return out, nil
}

// SelectMixture fits mixtures of 1…kMax components to x ([samples, dim])
// and returns them all and the index of the one of lowest BIC (the number
// of populations). Sizes that cannot be fitted (more components than
// samples, EM failing) are skipped; it returns an error if none fits.
func SelectMixture(x []float64, dim, kMax int, c MixtureConfig, rng *rand.Rand) (fits []*Mixture, best int, err error) {
	best = -1
	for k := 1; k <= kMax; k++ {
		m, err := FitMixture(x, dim, k, c, rng)
		if err != nil {
			if k == 1 {
				return nil, -1, err
			}
			continue
		}
		fits = append(fits, m)
		if best < 0 || m.BIC < fits[best].BIC {
			best = len(fits) - 1
		}
	}
	return fits, best, nil
}
