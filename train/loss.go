package train

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/tasks"
)

// The losses are fused ops: one tape node each, with a hand-written
// backward. They take an explicit normaliser so that truncated BPTT can
// split one trial's loss over windows and still differentiate exactly the
// full-trial loss: each window contributes its masked sum divided by the
// mask total of the whole batch.

// MaskSum returns Σ mask, the normaliser of a mask-weighted mean over a
// whole batch, in float64.
func MaskSum(mask []float32) float64 {
	var s float64
	for _, v := range mask {
		s += float64(v)
	}
	return s
}

// RowMaskSum returns Σ_r w_r with w_r the mean of mask over row r of width
// cols: the normaliser of MaskedCrossEntropy over a whole batch.
func RowMaskSum(mask []float32, cols int) float64 {
	return MaskSum(mask) / float64(cols)
}

// MaskedMSE records the mask-weighted squared error
//
//	L = Σ_{r,k} m_rk (p_rk − y_rk)² / norm
//
// of pred [rows, cols] against target and mask (flat, rows·cols, the same
// time-major layout). With norm = Σ m it is the mask-weighted mean squared
// error; PsychRNN's mean(square(mask·(p − y))) is the same with the mask
// squared and norm = rows·cols (psychrnn/backend/loss_functions.py). target
// and mask are aliased, not copied, and must not change before Backward.
// norm ≤ 0 records a zero loss. It panics if the lengths differ.
func MaskedMSE[T autodiff.Float](pred *autodiff.Var[T], target, mask []T, norm float64) *autodiff.Var[T] {
	op := &mseOp[T]{}
	return op.record(pred, target, mask, norm)
}

// MaskedCrossEntropy records the mask-weighted softmax cross-entropy over
// the columns of logits [rows, cols]:
//
//	L = Σ_r w_r · (−Σ_k y_rk log softmax(z_r)_k) / norm,  w_r = (1/cols) Σ_k m_rk
//
// Targets are one-hot (or any distribution) per row; the per-row weight is
// the row's mean mask, so a mask that is uniform across output channels
// weighs each time step once. With norm = RowMaskSum(mask, cols) it is the
// weighted mean over scored time steps (NeuroGym's supervised CE over
// actions). It panics if the lengths differ.
func MaskedCrossEntropy[T autodiff.Float](logits *autodiff.Var[T], target, mask []T, norm float64) *autodiff.Var[T] {
	op := &ceOp[T]{}
	return op.record(logits, target, mask, norm)
}

// MeanSquare records Σ x² / norm over every element of x; with norm the
// element count it is mean(x²), the firing-rate penalty.
func MeanSquare[T autodiff.Float](x *autodiff.Var[T], norm float64) *autodiff.Var[T] {
	op := &sqOp[T]{}
	return op.record(x, norm)
}

// TaskLoss records the loss kind on the outputs of a window: MaskedMSE for
// tasks.MSE, MaskedCrossEntropy for tasks.CrossEntropy. norm is the
// batch-wide normaliser (MaskSum or RowMaskSum of the whole batch's mask).
func TaskLoss[T autodiff.Float](kind tasks.Loss, out *autodiff.Var[T], target, mask []T, norm float64) *autodiff.Var[T] {
	if kind == tasks.CrossEntropy {
		return MaskedCrossEntropy(out, target, mask, norm)
	}
	return MaskedMSE(out, target, mask, norm)
}

// LossNorm returns the normaliser TaskLoss needs for a whole batch mask of
// width cols.
func LossNorm(kind tasks.Loss, mask []float32, cols int) float64 {
	if kind == tasks.CrossEntropy {
		return RowMaskSum(mask, cols)
	}
	return MaskSum(mask)
}

func inv(norm float64) float64 {
	if norm <= 0 {
		return 0
	}
	return 1 / norm
}

func checkLen[T autodiff.Float](name string, x *autodiff.Var[T], target, mask []T) {
	n := x.Value.Len()
	if len(target) != n || len(mask) != n {
		panic(fmt.Sprintf("train: %s: input %v has %d elements, target %d, mask %d", name, x.Value.Shape(), n, len(target), len(mask)))
	}
}

// mseOp is the fused masked squared error. The loop keeps one and reuses it
// at every window, so recording it allocates nothing.
type mseOp[T autodiff.Float] struct {
	pred         autodiff.Tensor[T]
	target, mask []T
	scale        T
}

func (o *mseOp[T]) Name() string { return "MaskedMSE" }

func (o *mseOp[T]) record(pred *autodiff.Var[T], target, mask []T, norm float64) *autodiff.Var[T] {
	checkLen("MaskedMSE", pred, target, mask)
	o.pred, o.target, o.mask, o.scale = pred.Value, target, mask, T(inv(norm))
	tp := pred.Tape()
	var s float64
	for k, p := range pred.Value.Data {
		d := float64(p - target[k])
		s += float64(mask[k]) * d * d
	}
	out := tp.Alloc(1, 1)
	out.Data[0] = T(s * inv(norm))
	return tp.Fused(o, out, pred)
}

func (o *mseOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	gp := grads[0].Data
	if gp == nil {
		return
	}
	c := 2 * g.Data[0] * o.scale
	for k, p := range o.pred.Data {
		gp[k] += c * o.mask[k] * (p - o.target[k])
	}
}

// ceOp is the fused masked softmax cross-entropy. It keeps the softmax of
// every row (from the tape's arena) for the backward pass.
type ceOp[T autodiff.Float] struct {
	prob         autodiff.Tensor[T]
	target, mask []T
	scale        T
}

func (o *ceOp[T]) Name() string { return "MaskedCrossEntropy" }

func (o *ceOp[T]) record(z *autodiff.Var[T], target, mask []T, norm float64) *autodiff.Var[T] {
	checkLen("MaskedCrossEntropy", z, target, mask)
	tp := z.Tape()
	rows, cols := z.Value.Rows, z.Value.Cols
	o.prob = tp.Alloc(rows, cols)
	o.target, o.mask, o.scale = target, mask, T(inv(norm))
	var s float64
	for r := range rows {
		zr := z.Value.Data[r*cols : (r+1)*cols]
		pr := o.prob.Data[r*cols : (r+1)*cols]
		mx := zr[0]
		for _, v := range zr {
			mx = max(mx, v)
		}
		var sum float64
		for k, v := range zr {
			e := math.Exp(float64(v - mx))
			pr[k] = T(e)
			sum += e
		}
		lse := float64(mx) + math.Log(sum)
		var w, ce float64
		for k, v := range zr {
			pr[k] = T(float64(pr[k]) / sum)
			w += float64(mask[r*cols+k])
			ce -= float64(target[r*cols+k]) * (float64(v) - lse)
		}
		s += w / float64(cols) * ce
	}
	out := tp.Alloc(1, 1)
	out.Data[0] = T(s * inv(norm))
	return tp.Fused(o, out, z)
}

func (o *ceOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	gz := grads[0].Data
	if gz == nil {
		return
	}
	cols := o.prob.Cols
	c := g.Data[0] * o.scale
	for r := range o.prob.Rows {
		lo, hi := r*cols, (r+1)*cols
		var w, ysum T
		for k := lo; k < hi; k++ {
			w += o.mask[k]
			ysum += o.target[k]
		}
		f := c * w / T(cols)
		if f == 0 {
			continue
		}
		for k := lo; k < hi; k++ {
			gz[k] += f * (o.prob.Data[k]*ysum - o.target[k])
		}
	}
}

// sqOp is the fused Σ x² / norm.
type sqOp[T autodiff.Float] struct {
	x     autodiff.Tensor[T]
	scale T
}

func (o *sqOp[T]) Name() string { return "MeanSquare" }

func (o *sqOp[T]) record(x *autodiff.Var[T], norm float64) *autodiff.Var[T] {
	o.x, o.scale = x.Value, T(inv(norm))
	tp := x.Tape()
	out := tp.Alloc(1, 1)
	var s float64
	for _, v := range x.Value.Data {
		s += float64(v) * float64(v)
	}
	out.Data[0] = T(s * inv(norm))
	return tp.Fused(o, out, x)
}

func (o *sqOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	gx := grads[0].Data
	if gx == nil {
		return
	}
	c := 2 * g.Data[0] * o.scale
	for k, v := range o.x.Data {
		gx[k] += c * v
	}
}
