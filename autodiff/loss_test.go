package autodiff_test

import (
	"math"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
)

// lossAndGrad records loss on a fresh tape from a parameter holding value,
// runs Backward and returns the loss and the parameter's gradient.
func lossAndGrad[T ad.Float](value ad.Tensor[T], loss func(*ad.Var[T]) *ad.Var[T]) (T, []T) {
	p := &ad.Param[T]{Name: "p", Value: value, Grad: ad.NewTensor[T](value.Rows, value.Cols)}
	tp := ad.NewTape[T]()
	l := loss(tp.Param(p))
	tp.Backward(l)
	return l.Value.Data[0], p.Grad.Data
}

// TestMaskedMSENormaliser checks the documented normaliser: the total mask
// weight over pred's shape, so a [rows, 1] mask counts every column of a
// scored row.
func TestMaskedMSENormaliser(t *testing.T) {
	pred := ad.FromSlice(2, 3, []float64{1, 2, 3, 10, 20, 30})
	target := ad.NewTensor[float64](2, 3)
	rowMask := ad.FromSlice(2, 1, []float64{1, 0})
	l, g := lossAndGrad(pred, func(p *v64) *v64 { return ad.MaskedMSE(p, target, rowMask) })
	if want := (1.0 + 4 + 9) / 3; l != want { // row 0 only, mean over its 3 elements
		t.Errorf("loss = %g, want %g", l, want)
	}
	if want := []float64{2.0 / 3, 4.0 / 3, 6.0 / 3, 0, 0, 0}; !equal(g, want) {
		t.Errorf("gradient = %v, want %v", g, want)
	}
}

// TestLossesEmptyMask: a mask that sums to zero scores nothing; the loss and
// its gradient are zero, not NaN.
func TestLossesEmptyMask(t *testing.T) {
	z := ad.FromSlice(2, 3, []float64{1, -2, 3, 0.5, 0, -1})
	target := oneHot(2, 3)
	for name, f := range map[string]func(*v64) *v64{
		"MaskedMSE":       func(p *v64) *v64 { return ad.MaskedMSE(p, target, ad.NewTensor[float64](2, 3)) },
		"MaskedSoftmaxCE": func(p *v64) *v64 { return ad.MaskedSoftmaxCE(p, target, ad.NewTensor[float64](2, 1)) },
	} {
		l, g := lossAndGrad(z.Clone(), f)
		if l != 0 || !equal(g, make([]float64, 6)) {
			t.Errorf("%s with an all-zero mask: loss %g, gradient %v; want 0 and zeros", name, l, g)
		}
	}
}

// TestMaskedSoftmaxCEStable: logits of ±1000 overflow a naive softmax; the
// log-sum-exp form gives the exact cross-entropies. Row 0 puts its target
// on the large logit (CE = log(1+e^−2000) ≈ 0), row 1 on the small one
// (CE = 2000); uniform logits give log(classes).
func TestMaskedSoftmaxCEStable(t *testing.T) {
	testSoftmaxCEStable[float64](t)
	testSoftmaxCEStable[float32](t)
}

func testSoftmaxCEStable[T ad.Float](t *testing.T) {
	z := ad.FromSlice(3, 2, []T{1000, -1000, 1000, -1000, 7, 7})
	target := ad.FromSlice(3, 2, []T{1, 0, 0, 1, 0, 1})
	mask := ad.FromSlice(3, 1, []T{1, 1, 1})
	l, g := lossAndGrad(z, func(p *ad.Var[T]) *ad.Var[T] { return ad.MaskedSoftmaxCE(p, target, mask) })
	want := (0 + 2000 + math.Log(2)) / 3
	if math.Abs(float64(l)-want) > 1e-6*want {
		t.Errorf("%T: loss = %v, want %v", l, l, want)
	}
	// ∂L/∂z = m_i·(p − t)/Σm: row 0 ≈ 0, row 1 = ±1/3, row 2 = ±1/6.
	wantG := []float64{0, 0, 1.0 / 3, -1.0 / 3, 1.0 / 6, -1.0 / 6}
	for k := range wantG {
		if math.Abs(float64(g[k])-wantG[k]) > 1e-6 {
			t.Errorf("%T: gradient = %v, want %v", l, g, wantG)
			break
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-15 {
			return false
		}
	}
	return true
}

// TestLossesSkipUnscored: targets where the mask is zero may be NaN (tasks
// may leave unscored targets undefined); they must not reach the loss or
// the gradient.
func TestLossesSkipUnscored(t *testing.T) {
	nan := math.NaN()
	z := ad.FromSlice(2, 2, []float64{0.3, -0.2, 1, 2})
	target := ad.FromSlice(2, 2, []float64{1, 0, nan, nan})
	for name, f := range map[string]func(*v64) *v64{
		"MaskedMSE/element": func(p *v64) *v64 { return ad.MaskedMSE(p, target, ad.FromSlice(2, 2, []float64{1, 1, 0, 0})) },
		"MaskedMSE/row":     func(p *v64) *v64 { return ad.MaskedMSE(p, target, ad.FromSlice(2, 1, []float64{1, 0})) },
		"MaskedSoftmaxCE":   func(p *v64) *v64 { return ad.MaskedSoftmaxCE(p, target, ad.FromSlice(2, 1, []float64{1, 0})) },
	} {
		l, g := lossAndGrad(z.Clone(), f)
		if math.IsNaN(l) || l <= 0 {
			t.Errorf("%s: loss %g, want a positive number", name, l)
		}
		if math.IsNaN(g[0]) || math.IsNaN(g[1]) || g[2] != 0 || g[3] != 0 {
			t.Errorf("%s: gradient %v, want finite on row 0 and zero on the unscored row", name, g)
		}
	}
}
