// Gradients of the gated units' input side, shared by the fused GRU-type
// ops (gates stacked r, u/z, candidate).

package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// gateInputGrads adds to gx, gwih, gbih and gbhh (each skipped when its Data
// is nil) the gradients of a gated layer's input side over all rows: dgh
// [rows, 3N] is ∂L/∂ of the recurrent pre-activations (r, update, candidate)
// and dgin [rows, N] ∂L/∂ of the candidate's input pre-activation W_iz x +
// b_iz; x is [rows, I] and wih [3N, I]. The r and update gates share one
// pre-activation between input and recurrent side, so their input gradient
// is dgh's; b_hz sits inside the reset gate's product, so ∂L/∂b_iz is dgin's
// column sum.
func gateInputGrads[T autodiff.Float](tp *autodiff.Tape[T], acc *gateInputAcc[T], x, wih, dgh, dgin, gx, gwih, gbih, gbhh autodiff.Tensor[T]) {
	rows, in, n := x.Rows, x.Cols, dgin.Cols
	n3 := 3 * n
	bias := gbih.Data != nil || gbhh.Data != nil
	if gwih.Data != nil || bias {
		// [x, 1]ᵀ·dgh and [x, 1]ᵀ·dgin: the weight gradients and, in the
		// last row, the column sums that the biases take, from the GEMMs
		// on the pool's cores in one read of dgh and dgin. Summing the
		// biases in a pass of their own read the two again on one core
		// (an eighth of the EGRU's reverse time at N = 512).
		cols := 0
		if gwih.Data != nil {
			cols = in
		}
		c1 := cols + 1
		dw, dwI := tp.Alloc(c1, n3), tp.Alloc(c1, n)
		if acc != nil && acc.on {
			// The loop's sums, half 0's then half 1's.
			copy(dw.Data, acc.h[0].Data)
			copy(dwI.Data, acc.i[0].Data)
			Axpy(dw.Data, 1, acc.h[1].Data)
			Axpy(dwI.Data, 1, acc.i[1].Data)
		} else {
			x1 := tp.Alloc(rows, c1)
			for r := range rows {
				copy(x1.Data[r*c1:r*c1+cols], x.Data[r*in:r*in+cols])
				x1.Data[r*c1+cols] = 1
			}
			kernels.Gemm(true, false, c1, n3, rows, 1, x1.Data, c1, dgh.Data, n3, 0, dw.Data, n3)
			kernels.Gemm(true, false, c1, n, rows, 1, x1.Data, c1, dgin.Data, n, 0, dwI.Data, n)
		}
		accH, accI := dw.Data[cols*n3:(cols+1)*n3], dwI.Data[cols*n:(cols+1)*n]
		if gbhh.Data != nil {
			Axpy(gbhh.Data, 1, accH)
		}
		if gbih.Data != nil {
			Axpy(gbih.Data[:2*n], 1, accH[:2*n])
			Axpy(gbih.Data[2*n:], 1, accI)
		}
		if gwih.Data != nil {
			// The candidate's columns of [x]ᵀ·dgh are its recurrent side's;
			// its input weights take [x]ᵀ·dgin.
			for i := range in {
				copy(dw.Data[i*n3+2*n:(i+1)*n3], dwI.Data[i*n:(i+1)*n])
			}
			AddTransposed(gwih, dw.RowSlice(0, in))
		}
	}
	if gx.Data != nil {
		kernels.Gemm(false, false, rows, in, 2*n, 1, dgh.Data, n3, wih.Data[:2*n*in], in, 1, gx.Data, in)
		kernels.Gemm(false, false, rows, in, n, 1, dgin.Data, n, wih.Data[2*n*in:], in, 1, gx.Data, in)
	}
}

// gateInputAcc sums, step by step inside a gated op's backward time loop,
// the products [x, 1]ᵀ·dgh and [x, 1]ᵀ·dgin of each batch half's rows
// while they are in cache (add), for gateInputGrads: the weight gradient
// of the inputs and, in the last row, the column sums the biases take. A
// GEMM over all steps·batch rows after the loop read the two [rows, 3N] and
// [rows, N] arrays back from memory. The halves' sums are added in order,
// so the result does not depend on the machine.
type gateInputAcc[T autodiff.Float] struct {
	on       bool
	c1       int
	x1       autodiff.Tensor[T]    // [rows, c1]: x (when W_ih's gradient is wanted) and a column of ones
	h, i     [2]autodiff.Tensor[T] // per half: [c1, 3N] and [c1, N]
	idx      [2][]int32            // 0 … rows of a step's half − 1
	vals     [2][]float32          // one column of x1 for a step's half
	withXCol bool
}

// prepare readies the sums for a backward pass over x [rows, I] with 3N
// gate columns, rows at most per step and half: on only when the
// input weights' or the biases' gradient is wanted.
func (a *gateInputAcc[T]) prepare(tp *autodiff.Tape[T], x autodiff.Tensor[T], n, rowsMax int, gwih, gbih, gbhh autodiff.Tensor[T]) {
	a.on = gwih.Data != nil || gbih.Data != nil || gbhh.Data != nil
	if !a.on {
		return
	}
	rows, in := x.Rows, x.Cols
	cols := 0
	if a.withXCol = gwih.Data != nil; a.withXCol {
		cols = in
	}
	a.c1 = cols + 1
	c1 := a.c1
	a.x1 = tp.Alloc(rows, c1)
	for r := range rows {
		copy(a.x1.Data[r*c1:r*c1+cols], x.Data[r*in:r*in+cols])
		a.x1.Data[r*c1+cols] = 1
	}
	for p := range 2 {
		a.h[p], a.i[p] = tp.AllocZero(c1, 3*n), tp.AllocZero(c1, n)
		if len(a.idx[p]) < rowsMax {
			a.idx[p], a.vals[p] = make([]int32, rowsMax), make([]float32, rowsMax)
			for r := range a.idx[p] {
				a.idx[p][r] = int32(r)
			}
		}
	}
}

// add adds half p's rows r0 … r1−1 (of x1, dgh and dgin; dgh and dgin are
// those rows only) to the half's sums.
func (a *gateInputAcc[T]) add(p, r0, r1 int, dgh, dgin []T) {
	if !a.on {
		return
	}
	c1, h := a.c1, r1-r0
	x1 := a.x1.Data[r0*c1 : r1*c1]
	n3, n := a.h[p].Cols, a.i[p].Cols
	dh, ok := any(dgh).([]float32)
	if !ok {
		kernels.GemmOn(nil, true, false, c1, n3, h, 1, x1, c1, dgh, n3, 1, a.h[p].Data, n3)
		kernels.GemmOn(nil, true, false, c1, n, h, 1, x1, c1, dgin, n, 1, a.i[p].Data, n)
		return
	}
	di := any(dgin).([]float32)
	accH, accI := any(a.h[p].Data).([]float32), any(a.i[p].Data).([]float32)
	idx, vals := a.idx[p][:h], a.vals[p][:h]
	for c := range c1 {
		for r := range vals {
			vals[r] = any(x1[r*c1+c]).(float32)
		}
		kernels.SparseGather(accH[c*n3:(c+1)*n3], true, dh, n3, idx, vals)
		kernels.SparseGather(accI[c*n:(c+1)*n], true, di, n, idx, vals)
	}
}
