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
func gateInputGrads[T autodiff.Float](tp *autodiff.Tape[T], x, wih, dgh, dgin, gx, gwih, gbih, gbhh autodiff.Tensor[T]) {
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
		x1 := tp.Alloc(rows, c1)
		for r := range rows {
			copy(x1.Data[r*c1:r*c1+cols], x.Data[r*in:r*in+cols])
			x1.Data[r*c1+cols] = 1
		}
		dw, dwI := tp.Alloc(c1, n3), tp.Alloc(c1, n)
		kernels.Gemm(true, false, c1, n3, rows, 1, x1.Data, c1, dgh.Data, n3, 0, dw.Data, n3)
		kernels.Gemm(true, false, c1, n, rows, 1, x1.Data, c1, dgin.Data, n, 0, dwI.Data, n)
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
