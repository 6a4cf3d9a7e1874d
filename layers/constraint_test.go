package layers_test

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/train"
)

// eigMods returns the moduli of the eigenvalues of the n×n matrix w,
// largest first.
func eigMods(t *testing.T, w []float64, n int) []float64 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(mat.NewDense(n, n, append([]float64(nil), w...)), mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	var mods []float64
	for _, v := range e.Values(nil) {
		mods = append(mods, cmplx.Abs(v))
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(mods)))
	return mods
}

// TestDaleBalancedSpectrum checks PsychRNN-style E/I balancing: the
// effective weight |W|·D has its bulk at radius ρ and no outlier eigenvalue.
// Without balancing, the mean of |W|·D gives an outlier near
// N·E|z|·(2f−1)·scale ≈ 5ρ here; balancing only in expectation (PsychRNN)
// still gave |λ₁| = 2.12 against a third eigenvalue of 1.75 for this seed,
// failing both bounds below.
func TestDaleBalancedSpectrum(t *testing.T) {
	t.Parallel()
	const n, f, rho = 200, 0.8, 1.5
	l, err := layers.NewLeaky[float64](layers.LeakyConfig{Inputs: 1, Units: n, Alpha: 0.1, ExcFraction: f, Radius: rho}, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	e := make([]float64, n*n)
	l.EffectiveRecurrent(e)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := e[i*n+j]
			if (j < 160 && v < 0) || (j >= 160 && v > 0) {
				t.Fatalf("effective weight (%d,%d) = %g has the wrong sign for a %s unit", i, j, v, map[bool]string{true: "excitatory", false: "inhibitory"}[j < 160])
			}
		}
	}
	mods := eigMods(t, e, n)
	if mods[0] > 1.25*rho {
		t.Errorf("largest |λ| = %.3f, want ≤ 1.25ρ = %.3f (no outlier)", mods[0], 1.25*rho)
	}
	if mods[0] > 1.2*mods[2] {
		t.Errorf("largest |λ| = %.3f stands out from the third %.3f by more than 20 %%: outlier", mods[0], mods[2])
	}
	if mods[0] < 0.8*rho {
		t.Errorf("largest |λ| = %.3f, want the bulk near ρ = %.3f", mods[0], rho)
	}
}

func TestInitSpectra(t *testing.T) {
	t.Parallel()
	const n, rho = 120, 0.9
	rng := rand.New(rand.NewPCG(9, 9))
	w := make([]float64, n*n)

	layers.InitTo(layers.InitGaussian, w, n, rho, rng)
	if m := eigMods(t, w, n)[0]; math.Abs(m/rho-1) > 0.15 {
		t.Errorf("gaussian: spectral radius %.3f, want %.3f within 15 %% (finite-N circular law)", m, rho)
	}

	layers.InitTo(layers.InitOrthogonal, w, n, rho, rng)
	for _, m := range eigMods(t, w, n) {
		if math.Abs(m-rho) > 1e-9 {
			t.Fatalf("orthogonal: eigenvalue modulus %.12f, want exactly %g", m, rho)
		}
	}
	q := mat.NewDense(n, n, w)
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			want := 0.0
			if i == j {
				want = rho * rho
			}
			if math.Abs(qtq.At(i, j)-want) > 1e-9 {
				t.Fatalf("orthogonal: (WᵀW)[%d,%d] = %g, want %g", i, j, qtq.At(i, j), want)
			}
		}
	}

	layers.InitTo(layers.InitIdentity, w, n, rho, rng)
	for k, v := range w {
		want := 0.0
		if k/n == k%n {
			want = rho
		}
		if v != want {
			t.Fatalf("identity: w[%d] = %g, want %g", k, v, want)
		}
	}
}

// TestConstraintsHoldAfterAdam trains one Adam step with large gradients and
// checks that the effective weights keep Dale's signs and the masks' zeros,
// and that fixed weights do not move while the others do.
func TestConstraintsHoldAfterAdam(t *testing.T) {
	t.Parallel()
	const n, in, steps, batch = 12, 3, 5, 4
	rng := rand.New(rand.NewPCG(4, 4))
	mask := make([]bool, n*n)
	fixed := make([]bool, n*n)
	for k := range mask {
		mask[k] = rng.Float64() < 0.7
		fixed[k] = rng.Float64() < 0.3
	}
	cfg := layers.LeakyConfig{Inputs: in, Units: n, Alpha: 0.2, Activation: layers.ReLU, ExcFraction: 0.75, RecMask: mask, RecFixed: fixed}
	l, err := layers.NewLeaky[float32](cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	before := l.RecurrentWeights().Value.Clone()
	x := autodiff.NewTensor[float32](steps*batch, in)
	for k := range x.Data {
		x.Data[k] = float32(rng.NormFloat64())
	}
	h0 := autodiff.NewTensor[float32](1, n)
	for k := range h0.Data {
		h0.Data[k] = 1
	}
	tp := autodiff.NewTape[float32]()
	r, _ := l.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Sum(r))
	var opt train.Adam
	opt.Step(l.Params(), 0.5) // a huge step, so any sign that could flip does
	e := make([]float32, n*n)
	l.EffectiveRecurrent(e)
	w := l.RecurrentWeights().Value.Data
	moved := 0
	for k, v := range e {
		i, j := k/n, k%n
		if !mask[k] && v != 0 {
			t.Errorf("masked connection (%d,%d) has effective weight %g, want 0", i, j, v)
		}
		if (j < 9 && v < 0) || (j >= 9 && v > 0) {
			t.Errorf("effective weight (%d,%d) = %g breaks Dale's law", i, j, v)
		}
		if fixed[k] && w[k] != before.Data[k] {
			t.Errorf("fixed weight (%d,%d) moved from %g to %g", i, j, before.Data[k], w[k])
		}
		if !fixed[k] && mask[k] && w[k] != before.Data[k] {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no trainable weight moved: the test would pass vacuously")
	}
	ein := make([]float32, n*in)
	l.EffectiveInput(ein)
	for k, v := range ein {
		if v < 0 {
			t.Errorf("effective input weight %d = %g, want ≥ 0 under Dale's law", k, v)
		}
	}
}

// TestDaleOneSign checks Dale's law with every unit excitatory (f = 1) or
// every unit rounded to one sign: no row can balance, so the effective
// weight's spectral radius is its Perron root, which the initialisation
// sets to ρ exactly; drawing the magnitudes without that gave a Perron
// root near ρ·√(2N/π) (7 at N = 64), and training diverged at once. A
// fraction that leaves no excitatory unit is refused, naming the units.
func TestDaleOneSign(t *testing.T) {
	t.Parallel()
	const n, rho = 64, 1.1
	for _, f := range []float64{1, 0.995} {
		l, err := layers.NewLeaky[float64](layers.LeakyConfig{Inputs: 1, Units: n, Alpha: 0.1, ExcFraction: f, Radius: rho}, rand.New(rand.NewPCG(4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		e := make([]float64, n*n)
		l.EffectiveRecurrent(e)
		if m := eigMods(t, e, n)[0]; math.Abs(m-rho) > 1e-9 {
			t.Errorf("f = %g: spectral radius %.6f, want ρ = %g", f, m, rho)
		}
		for k, v := range e {
			if v < 0 {
				t.Fatalf("f = %g: effective weight %d = %g < 0 with every unit excitatory", f, k, v)
			}
		}
	}
	lif, err := layers.NewLIF[float64](layers.LIFConfig{Inputs: 1, Units: n, DtMS: 1, TauMemMS: 10, Threshold: 1,
		SpikeOptions: layers.SpikeOptions{ExcFraction: 1, Radius: rho}}, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	w := lif.RecurrentWeights().Value.Data
	abs := make([]float64, len(w))
	for k, v := range w {
		abs[k] = math.Abs(v)
	}
	if m := eigMods(t, abs, n)[0]; math.Abs(m-rho) > 1e-9 {
		t.Errorf("lif, f = 1: spectral radius %.6f, want ρ = %g", m, rho)
	}
	_, err = layers.NewLeaky[float64](layers.LeakyConfig{Inputs: 1, Units: 8, Alpha: 0.1, ExcFraction: 0.01}, rand.New(rand.NewPCG(4, 4)))
	if err == nil || !strings.Contains(err.Error(), "none of the 8 units excitatory") {
		t.Errorf("ExcFraction 0.01 of 8 units: error %v, want one naming no excitatory unit", err)
	}
	_, err = layers.NewLIF[float64](layers.LIFConfig{Inputs: 1, Units: 8, DtMS: 1, TauMemMS: 10, Threshold: 1,
		SpikeOptions: layers.SpikeOptions{ExcFraction: 0.01}}, rand.New(rand.NewPCG(4, 4)))
	if err == nil || !strings.Contains(err.Error(), "none of the 8 units excitatory") {
		t.Errorf("lif ExcFraction 0.01 of 8 units: error %v, want one naming no excitatory unit", err)
	}
}
