package dynamics_test

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/dynamics"
	"github.com/rnntrain/rnntrain/layers"
)

// leaky returns a state-integrating tanh leaky layer with α = alpha and
// the given W_rec [n×n], W_in [n×in] and bias [n].
func leaky(t *testing.T, alpha float64, n, in int, w, wIn, b []float64) *layers.Leaky[float64] {
	t.Helper()
	l, err := layers.NewLeaky[float64](layers.LeakyConfig{Inputs: in, Units: n, Alpha: alpha}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	copy(l.RecurrentWeights().Value.Data, w)
	copy(l.InputWeights().Value.Data, wIn)
	copy(l.Params()[2].Value.Data, b)
	return l
}

// TestDrivenLinear: with W_rec = 0 the map F(x) = (1−α)x + α(W_in u + b)
// has the single fixed point x* = W_in u + b, stable, with every
// eigenvalue 1 − α.
func TestDrivenLinear(t *testing.T) {
	const n, alpha = 5, 0.2
	rng := rand.New(rand.NewPCG(2, 2))
	wIn, b := make([]float64, n*2), make([]float64, n)
	for i := range wIn {
		wIn[i] = rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	l := leaky(t, alpha, n, 2, make([]float64, n*n), wIn, b)
	u := []float64{0.7, -1.3}
	init := dynamics.Sample(make([]float64, n), n, 32, 1, rng)
	res, err := dynamics.Find(l, init, u, dynamics.Options{})
	require.NoError(t, err)
	require.Len(t, res.Points, 1, "one fixed point; dropped %d duplicates", res.Duplicates)
	p := res.Points[0]
	// q < 1e-12 leaves ‖F(x) − x‖ = α‖x − x*‖ < √2·1e-6, so ‖x − x*‖ < 7.1e-6.
	for i := range n {
		want := b[i] + wIn[2*i]*u[0] + wIn[2*i+1]*u[1]
		assert.InDelta(t, want, p.State[i], 7.1e-6, "x*[%d]", i)
	}
	assert.Less(t, p.Q, 1e-12)
	assert.Equal(t, dynamics.Stable, p.Class)
	for _, l := range p.Eigenvalues {
		assert.InDelta(t, 1-alpha, real(l), 1e-12)
		assert.InDelta(t, 0, imag(l), 1e-12)
	}
	assert.Equal(t, 31, res.Duplicates)
}

// TestBistablePair: two uncoupled bistable units, x' = x/2 + tanh(x)
// (α = 1/2, W_rec = 2I), have x = 2 tanh x in each coordinate: 0 or ±x₀,
// x₀ = 1.9150… So there are 9 fixed points: 4 stable corners (±x₀, ±x₀)
// with eigenvalues ½ + 1 − (x₀/2)², 4 saddles with one unstable mode
// (eigenvalue 3/2) and the unstable origin.
func TestBistablePair(t *testing.T) {
	l := leaky(t, 0.5, 2, 1, []float64{2, 0, 0, 2}, []float64{0, 0}, []float64{0, 0})
	x0 := 2.0
	for range 100 { // Newton on x − 2 tanh x
		c := math.Cosh(x0)
		x0 -= (x0 - 2*math.Tanh(x0)) / (1 - 2/(c*c))
	}
	init := pairStarts(400)
	res, err := dynamics.Find(l, init, []float64{0}, dynamics.Options{})
	require.NoError(t, err)
	count := map[dynamics.Class]int{}
	for _, p := range res.Points {
		count[p.Class]++
		assert.True(t, p.Fixed, "point of q = %g not marked fixed", p.Q)
		for _, v := range p.State {
			ok := math.Abs(v) < 1e-6 || math.Abs(math.Abs(v)-x0) < 1e-6
			assert.True(t, ok, "coordinate %g is neither 0 nor ±%g", v, x0)
		}
		switch p.Class {
		case dynamics.Stable:
			want := 0.5 + 1 - x0*x0/4
			for _, e := range p.Eigenvalues {
				assert.InDelta(t, want, cmplx.Abs(e), 1e-6)
			}
		case dynamics.Saddle:
			assert.Equal(t, 1, p.Unstable)
			assert.InDelta(t, 1.5, real(p.Eigenvalues[0]), 1e-6)
		}
	}
	assert.Equal(t, map[dynamics.Class]int{dynamics.Stable: 4, dynamics.Saddle: 4, dynamics.Unstable: 1}, count, "found %d points in %d iterations", len(res.Points), res.Iters)
}

// pairStarts returns n starting points of a two-unit network, drawn
// uniformly from [−3, 3)², around the fixed points of the bistable pair,
// by a fixed seed.
func pairStarts(n int) []float64 {
	rng := rand.New(rand.NewPCG(3, 3))
	init := make([]float64, 2*n)
	for i := range init {
		init[i] = 6*rng.Float64() - 3
	}
	return init
}

// TestSlowPointsMarked stops the search after one Adam iteration and no
// polishing: the points it leaves are slow points, q ≥ TolQ, and Find
// marks exactly those as not fixed.
func TestSlowPointsMarked(t *testing.T) {
	l := leaky(t, 0.5, 2, 1, []float64{2, 0, 0, 2}, []float64{0, 0}, []float64{0, 0})
	init := pairStarts(40)
	opt := dynamics.Options{MaxIters: 1, Polish: -1}
	res, err := dynamics.Find(l, init, []float64{0}, opt)
	require.NoError(t, err)
	slow := 0
	for _, p := range res.Points {
		assert.Equal(t, p.Q < opt.WithDefaults().TolQ, p.Fixed, "q = %g", p.Q)
		if !p.Fixed {
			slow++
		}
	}
	assert.Positive(t, slow, "one iteration left no slow point among %d", len(res.Points))
}

// TestMaxPoints: with more points left than MaxPoints, Find returns a
// *PointsError naming the counts instead of linearising them; with
// MaxPoints at the count it linearises them all.
func TestMaxPoints(t *testing.T) {
	l := leaky(t, 0.5, 2, 1, []float64{2, 0, 0, 2}, []float64{0, 0}, []float64{0, 0})
	init := pairStarts(400)
	_, err := dynamics.Find(l, init, []float64{0}, dynamics.Options{MaxPoints: 8})
	pe, ok := errors.AsType[*dynamics.PointsError](err)
	require.True(t, ok, "got %v, want a *PointsError", err)
	assert.Equal(t, dynamics.PointsError{Points: 9, Max: 8, Units: 2, Inputs: 1}, *pe)
	res, err := dynamics.Find(l, init, []float64{0}, dynamics.Options{MaxPoints: 9})
	require.NoError(t, err)
	assert.Len(t, res.Points, 9)
	// State, Jacobian, input Jacobian, eigenvalues, right and left
	// eigenvectors of 2 units and 1 input.
	assert.Equal(t, float64(8*(2+4+2)+16*(2+4+4)), dynamics.PointBytes(2, 1))
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []dynamics.Options{{TolQ: -1}, {TolUnique: math.NaN()}, {LR: math.Inf(1)}, {MaxIters: -1}, {OutlierDistance: -1}, {MaxPoints: -1}} {
		assert.Error(t, o.Validate(), "%+v", o)
	}
	assert.NoError(t, dynamics.Options{OutlierDistance: math.Inf(1)}.Validate())
}

func TestClassText(t *testing.T) {
	for _, c := range []dynamics.Class{dynamics.Stable, dynamics.Marginal, dynamics.Saddle, dynamics.Unstable} {
		b, err := c.MarshalText()
		require.NoError(t, err)
		var got dynamics.Class
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, c, got)
	}
	var c dynamics.Class
	assert.Error(t, c.UnmarshalText([]byte("wobbly")))
}
