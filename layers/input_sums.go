package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// withOnes returns [x, 1] [rows, I+1] on tp: x [rows, I] with a column of
// ones, the operand whose product with a gradient gives an input weight's
// gradient and, in its last row, the bias's (and whose product with
// [W_in, b]ᵀ gives the drive with its bias).
func withOnes[T autodiff.Float](tp *autodiff.Tape[T], x autodiff.Tensor[T]) autodiff.Tensor[T] {
	rows, in := x.Rows, x.Cols
	in1 := in + 1
	xb := tp.Alloc(rows, in1)
	for i := range rows {
		copy(xb.Data[i*in1:i*in1+in], x.Data[i*in:(i+1)*in])
		xb.Data[i*in1+in] = 1
	}
	return xb
}

// inputSums forms, inside a fused op's backward time loop, the products
// x1ᵀ·d of the inputs with a column of ones, x1 = [x, 1] [rows, c1], and
// the gradient arrays d that reach them (the drive's, a gated op's two):
// each batch half adds its step's rows while they are in cache (add), where
// a GEMM over all steps·batch rows after the loop would read the arrays
// back from memory (a GEMM this narrow is bound by that read, and one per
// step costs more in packing than in products). Row i < I of a sum is the
// gradient of the inputs' weights, the last row the column sums a bias
// takes. The halves' sums are kept apart and added in order (total), so the
// result does not depend on the machine.
type inputSums[T autodiff.Float] struct {
	on   bool
	x1   autodiff.Tensor[T]
	acc  [2][2]autodiff.Tensor[T] // per batch half, per gradient array: [c1, cols]
	idx  [2][]int32               // 0 … rowsMax−1
	vals [2][]float32             // one column of x1 for a step's rows (float32)
}

// alloc sizes the sums for x1 [rows, c1], steps of at most rowsMax rows per
// half and gradient arrays of the given widths (one or two), and turns them
// off until start.
func (a *inputSums[T]) alloc(tp *autodiff.Tape[T], x1 autodiff.Tensor[T], rowsMax int, cols ...int) {
	a.on, a.x1 = false, x1
	for p := range a.acc {
		for k := range a.acc[p] {
			a.acc[p][k] = autodiff.Tensor[T]{}
			if k < len(cols) {
				a.acc[p][k] = tp.Alloc(x1.Cols, cols[k])
			}
		}
		if len(a.idx[p]) < rowsMax {
			a.idx[p], a.vals[p] = make([]int32, rowsMax), make([]float32, rowsMax)
			for r := range a.idx[p] {
				a.idx[p][r] = int32(r)
			}
		}
	}
}

// start begins a backward pass: the sums are formed only when on (a
// gradient that wants them) and zero.
func (a *inputSums[T]) start(on bool) {
	a.on = on && a.x1.Data != nil
	if !a.on {
		return
	}
	for p := range a.acc {
		for k := range a.acc[p] {
			a.acc[p][k].Zero()
		}
	}
}

// add adds x1[r0:r1]ᵀ·d to half p's sum of gradient array k, d being the
// array's rows r0 … r1−1 only.
func (a *inputSums[T]) add(p, k, r0, r1 int, d []T) {
	if !a.on {
		return
	}
	c1, h := a.x1.Cols, r1-r0
	x1 := a.x1.Data[r0*c1 : r1*c1]
	acc := a.acc[p][k]
	cols := acc.Cols
	df, ok := any(d).([]float32)
	if !ok {
		kernels.GemmOn(nil, true, false, c1, cols, h, 1, x1, c1, d, cols, 1, acc.Data, cols)
		return
	}
	af := any(acc.Data).([]float32)
	idx, vals := a.idx[p][:h], a.vals[p][:h]
	for c := range c1 {
		for r := range vals {
			vals[r] = any(x1[r*c1+c]).(float32)
		}
		kernels.SparseGather(af[c*cols:(c+1)*cols], true, df, cols, idx, vals)
	}
}

// total sets dst [c1, cols] to the sum of gradient array k over both
// halves, half 0's then half 1's.
func (a *inputSums[T]) total(k int, dst []T) {
	copy(dst, a.acc[0][k].Data)
	Axpy(dst, 1, a.acc[1][k].Data)
}
