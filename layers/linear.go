package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// Linear is an affine layer y = x·Wᵀ + b with W [Out×In] and b [1×Out], the
// layout of torch.nn.Linear, so weights interchange unchanged. Its weight may
// carry a Constraint (Dale's law on a readout: |W ⊙ M|·D with D zero on
// inhibitory units, masks, fixed weights).
type Linear[T autodiff.Float] struct {
	w    constrained[T]
	b    *autodiff.Param[T] // nil without bias
	in   int
	out  int
	ops  SeqCache[T, linearOp[T]]
	name string
}

// NewLinear returns a layer named name ("readout" → "readout.weight",
// "readout.bias") with W ~ U(−1/√in, 1/√in) as torch.nn.Linear and zero
// bias, drawn from rng. It panics if in or out is not positive or the
// constraint does not fit [out×in].
func NewLinear[T autodiff.Float](name string, in, out int, bias bool, c Constraint, rng *rand.Rand) *Linear[T] {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("layers: NewLinear %s needs positive sizes, got in=%d out=%d", name, in, out))
	}
	c.check(name+".weight", out, in)
	l := &Linear[T]{in: in, out: out, name: name}
	l.w.p = autodiff.NewParam[T](name+".weight", out, in)
	l.w.c = c
	bound := 1 / math.Sqrt(float64(in))
	for k := range l.w.p.Value.Data {
		l.w.p.Value.Data[k] = T(bound * (2*rng.Float64() - 1))
	}
	if bias {
		l.b = autodiff.NewVector[T](name+".bias", out)
	}
	return l
}

// Weight returns the raw weight [Out×In]; Bias the bias [1×Out] or nil.
func (l *Linear[T]) Weight() *autodiff.Param[T] { return l.w.p }

// Bias returns the bias parameter [1×Out], or nil for a layer without one.
func (l *Linear[T]) Bias() *autodiff.Param[T] { return l.b }

// Constraint returns the map from the raw to the effective weight.
func (l *Linear[T]) Constraint() Constraint { return l.w.c }

// Params returns the weight and, if present, the bias.
func (l *Linear[T]) Params() []*autodiff.Param[T] {
	if l.b == nil {
		return []*autodiff.Param[T]{l.w.p}
	}
	return []*autodiff.Param[T]{l.w.p, l.b}
}

// Forward records y = x·W_effᵀ + b for x [rows×In] as one fused op (one
// GEMM) and returns y [rows×Out]. It panics if x has the wrong width.
func (l *Linear[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Var[T]) *autodiff.Var[T] {
	if x.Value.Cols != l.in {
		panic(fmt.Sprintf("layers: Linear %s: x is %v, want [rows %d]", l.name, x.Value.Shape(), l.in))
	}
	rows := x.Value.Rows
	y := tp.Alloc(rows, l.out)
	o := l.ops.Get(&y.Data[0])
	o.l, o.x = l, x.Value
	o.w = l.w.effective(tp)
	if !l.w.c.IsIdentity() {
		o.dE = tp.Alloc(l.out, l.in)
	}
	beta := T(0)
	if l.b != nil {
		for i := 0; i < rows; i++ {
			copy(y.Data[i*l.out:(i+1)*l.out], l.b.Value.Data)
		}
		beta = 1
	}
	kernels.Gemm(false, true, rows, l.out, l.in, 1, x.Value.Data, l.in, o.w.Data, l.in, beta, y.Data, l.out)
	if l.b == nil {
		return tp.Fused(o, y, x, tp.Param(l.w.p))
	}
	return tp.Fused(o, y, x, tp.Param(l.w.p), tp.Param(l.b))
}

// ForwardRef is Forward composed of the engine's primitive ops (MatMul,
// Add, and the constraint's reference map); tests compare the two.
func (l *Linear[T]) ForwardRef(tp *autodiff.Tape[T], x *autodiff.Var[T]) *autodiff.Var[T] {
	y := autodiff.MatMul(x, false, effectiveRef(tp, tp.Param(l.w.p), &l.w.c), true)
	if l.b != nil {
		y = autodiff.Add(y, tp.Param(l.b))
	}
	return y
}

type linearOp[T autodiff.Float] struct {
	l    *Linear[T]
	x, w autodiff.Tensor[T]
	dE   autodiff.Tensor[T]
}

func (o *linearOp[T]) Name() string { return "linear " + o.l.name }

// Backward implements autodiff.FusedOp: dx += dy·W, dW += dyᵀ·x, db += Σ dy.
func (o *linearOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	o.BackwardSet(g, grads, nil)
}

// SetsGrad implements autodiff.GradSetter: the input's gradient dy·W can
// be written rather than added.
func (o *linearOp[T]) SetsGrad(i int) bool { return i == 0 }

// BackwardSet implements autodiff.GradSetter: Backward, with dx = dy·W
// written when set[0].
func (o *linearOp[T]) BackwardSet(g autodiff.Tensor[T], grads []autodiff.Tensor[T], set []bool) {
	l := o.l
	rows := g.Rows
	if d := grads[0]; d.Data != nil {
		var beta T = 1
		if len(set) > 0 && set[0] {
			beta = 0
		}
		kernels.Gemm(false, false, rows, l.in, l.out, 1, g.Data, l.out, o.w.Data, l.in, beta, d.Data, l.in)
	}
	if d := grads[1]; d.Data != nil {
		tgt := l.w.gradTarget(d, o.dE)
		kernels.Gemm(true, false, l.out, l.in, rows, 1, g.Data, l.out, o.x.Data, l.in, 1, tgt.Data, l.in)
		l.w.finish(d, o.dE)
	}
	if len(grads) > 2 && grads[2].Data != nil {
		d := grads[2].Data
		for i := 0; i < rows; i++ {
			for j, v := range g.Data[i*l.out : (i+1)*l.out] {
				d[j] += v
			}
		}
	}
}
