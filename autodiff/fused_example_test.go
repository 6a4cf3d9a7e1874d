package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// linearTanh is a fused op y = tanh(x·W + b) for x [n, in], W [in, out] and
// b [1, out]. It keeps references to the inputs' values and its output,
// which the tape owns until Reset.
type linearTanh[T ad.Float] struct {
	x, w, y ad.Tensor[T]
	dz      ad.Tensor[T] // scratch for the pre-activation gradient, from the tape's arena
}

var _ ad.FusedOp[float64] = (*linearTanh[float64])(nil)

func (*linearTanh[T]) Name() string { return "LinearTanh" }

// Backward: dz = g⊙(1−y²); dx += dz·Wᵀ; dW += xᵀ·dz; db += Σ_rows dz.
func (op *linearTanh[T]) Backward(g ad.Tensor[T], grads []ad.Tensor[T]) {
	n, in, out := op.x.Rows, op.x.Cols, op.w.Cols
	dz := op.dz.Data
	for k, v := range g.Data {
		dz[k] = v * (1 - op.y.Data[k]*op.y.Data[k])
	}
	if dx := grads[0].Data; dx != nil {
		kernels.Gemm(false, true, n, in, out, 1, dz, out, op.w.Data, out, 1, dx, in)
	}
	if dw := grads[1].Data; dw != nil {
		kernels.Gemm(true, false, in, out, n, 1, op.x.Data, in, dz, out, 1, dw, out)
	}
	if db := grads[2].Data; db != nil {
		for i := range n {
			for j, v := range dz[i*out : (i+1)*out] {
				db[j] += v
			}
		}
	}
}

// LinearTanh records tanh(x·W + b) as one fused node. It panics if the
// shapes do not fit.
func LinearTanh[T ad.Float](x, w, b *ad.Var[T]) *ad.Var[T] {
	tp := x.Tape()
	n, in, out := x.Value.Rows, x.Value.Cols, w.Value.Cols
	if w.Value.Rows != in || b.Value.Rows != 1 || b.Value.Cols != out {
		panic(fmt.Sprintf("LinearTanh: shapes x %v, W %v, b %v do not fit", x.Value.Shape(), w.Value.Shape(), b.Value.Shape()))
	}
	y := tp.Alloc(n, out)
	kernels.Gemm(false, false, n, out, in, 1, x.Value.Data, in, w.Value.Data, out, 0, y.Data, out)
	for i := range n {
		row := y.Data[i*out : (i+1)*out]
		for j := range row {
			row[j] = T(math.Tanh(float64(row[j] + b.Value.Data[j])))
		}
	}
	op := &linearTanh[T]{x: x.Value, w: w.Value, y: y, dz: tp.Alloc(n, out)}
	return tp.Fused(op, y, x, w, b)
}

// The composed reference the fused op must match.
func linearTanhRef[T ad.Float](x, w, b *ad.Var[T]) *ad.Var[T] {
	return ad.Tanh(ad.Add(ad.MatMul(x, false, w, false), b))
}

// ExampleTape_Fused records a hand-written fused op, tanh(x·W + b), as a
// single tape node and takes its gradient.
func ExampleTape_Fused() {
	x := ad.FromSlice(1, 2, []float64{1, 2})
	w := &ad.Param[float64]{Name: "w", Value: ad.FromSlice(2, 1, []float64{0.5, -0.25}), Grad: ad.NewTensor[float64](2, 1)}
	b := ad.NewParam[float64]("b", 1, 1)

	tp := ad.NewTape[float64]()
	y := LinearTanh(tp.Const(x), tp.Param(w), tp.Param(b)) // tanh(1·0.5 + 2·(−0.25) + 0) = 0
	tp.Backward(ad.Sum(y))
	fmt.Println("y:", y.Value.Data, "dL/dw:", w.Grad.Data, "dL/db:", b.Grad.Data)
	// Output: y: [0] dL/dw: [1 2] dL/db: [1]
}

// TestFusedLinearTanh checks the fused op against its unfused composition
// and against finite differences, through the helper every fused op and
// cell in the project uses.
func TestFusedLinearTanh(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	x, w, b := randParam(rng, "x", 5, 4), randParam(rng, "w", 4, 3), randParam(rng, "b", 1, 3)
	c := gradcheck.Case{
		Name:   "LinearTanh",
		Params: []*ad.Param[float64]{x, w, b},
		Loss: func(tp *tape, v []*v64) *v64 {
			return ad.MaskedMSE(LinearTanh(v[0], v[1], v[2]), pattern(5, 3, 0.3), mask01(5, 3))
		},
		Tol: gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-12, Why: "same float64 arithmetic as the reference, in another order: rounding only"},
	}
	ref := func(tp *tape, v []*v64) *v64 {
		return ad.MaskedMSE(linearTanhRef(v[0], v[1], v[2]), pattern(5, 3, 0.3), mask01(5, 3))
	}
	// The fused-vs-unfused comparison is tight; the finite-difference check
	// needs the usual smooth-op tolerance.
	if bad := gradcheck.RunFused(c, ref); len(bad) != 0 {
		t.Errorf("fused vs unfused: %v", bad)
	}
	c.Tol = tolSmooth
	gradcheck.CheckFused(t, c, ref)

	// The helper must catch a fused op whose backward is wrong: freezing the
	// bias in the fused version only drops its gradient.
	wrong := c
	wrong.Loss = func(tp *tape, v []*v64) *v64 {
		return ad.MaskedMSE(LinearTanh(v[0], v[1], tp.Const(v[2].Value)), pattern(5, 3, 0.3), mask01(5, 3))
	}
	if bad := gradcheck.RunFused(wrong, ref); len(bad) == 0 {
		t.Error("RunFused accepted a fused op that drops the bias gradient")
	}
}

func randParam(rng *rand.Rand, name string, r, c int) *ad.Param[float64] {
	p := ad.NewParam[float64](name, r, c)
	for i := range p.Value.Data {
		p.Value.Data[i] = rng.NormFloat64()
	}
	return p
}
