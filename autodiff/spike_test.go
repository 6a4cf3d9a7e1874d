package autodiff_test

import (
	"math"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// TestSpike checks the exact Heaviside forward and that the reverse rule is
// upstream gradient × surrogate derivative, for every surrogate and both
// element types. A finite difference of the forward would give 0 almost
// everywhere, so the rule is checked against Deriv instead (whose formulas
// package surrogate checks).
func TestSpike(t *testing.T) {
	t.Parallel()
	v := []float64{-1.2, -0.3, -1e-9, 0, 1e-9, 0.05, 0.4, 2}
	for _, s := range []surrogate.Surrogate{surrogate.FastSigmoid{}, surrogate.ArcTan{}, surrogate.Sigmoid{},
		surrogate.Triangle{}, surrogate.MultiGaussian{}} {
		checkSpike[float64](t, s, v, 1e-15)
		checkSpike[float32](t, s, v, 1e-6)
	}
}

func checkSpike[T ad.Float](t *testing.T, s surrogate.Surrogate, v []float64, tol float64) {
	t.Helper()
	p := ad.NewParam[T]("v", 2, len(v)/2)
	for i, x := range v {
		p.Value.Data[i] = T(x)
	}
	w := ad.NewTensor[T](2, len(v)/2) // upstream gradient: dL/dS = w
	for i := range w.Data {
		w.Data[i] = T(i) - 3
	}
	tp := ad.NewTape[T]()
	out := ad.Spike(tp.Param(p), s)
	tp.Backward(ad.Sum(ad.Mul(out, tp.Const(w))))
	for i, x := range p.Value.Data {
		want := 0.0
		if x > 0 {
			want = 1
		}
		if got := float64(out.Value.Data[i]); got != want {
			t.Errorf("%v %T: Spike(%g) = %g, want %g", s, x, x, got, want)
		}
		wantG := float64(w.Data[i]) * s.Deriv(float64(x))
		if got := float64(p.Grad.Data[i]); math.Abs(got-wantG) > tol*math.Max(1, math.Abs(wantG)) {
			t.Errorf("%v %T: gradient at %g = %g, want %g", s, x, x, got, wantG)
		}
	}
}
