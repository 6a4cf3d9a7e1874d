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
// column sum. sums holds the backward loop's [x, 1]ᵀ·dgh (array 0) and
// [x, 1]ᵀ·dgin (array 1); it is on whenever gwih, gbih or gbhh is wanted.
func gateInputGrads[T autodiff.Float](tp *autodiff.Tape[T], sums *inputSums[T], x, wih, dgh, dgin, gx, gwih, gbih, gbhh autodiff.Tensor[T]) {
	in, n := x.Cols, dgin.Cols
	n3 := 3 * n
	if sums.on {
		// The backward loop's sums [x, 1]ᵀ·dgh and [x, 1]ᵀ·dgin: the input
		// weights' gradients and, in the last row, the column sums the
		// biases take.
		dw, dwI := tp.Alloc(in+1, n3), tp.Alloc(in+1, n)
		sums.total(0, dw.Data)
		sums.total(1, dwI.Data)
		accH, accI := dw.Data[in*n3:], dwI.Data[in*n:]
		if gbhh.Data != nil {
			Axpy(gbhh.Data, 1, accH)
		}
		if gbih.Data != nil {
			Axpy(gbih.Data[:2*n], 1, accH[:2*n])
			Axpy(gbih.Data[2*n:], 1, accI)
		}
		if gwih.Data != nil {
			// The candidate's columns of xᵀ·dgh are its recurrent side's;
			// its input weights take xᵀ·dgin.
			for i := range in {
				copy(dw.Data[i*n3+2*n:(i+1)*n3], dwI.Data[i*n:(i+1)*n])
			}
			AddTransposed(gwih, dw.RowSlice(0, in))
		}
	}
	rows := x.Rows
	if gx.Data != nil {
		kernels.Gemm(false, false, rows, in, 2*n, 1, dgh.Data, n3, wih.Data[:2*n*in], in, 1, gx.Data, in)
		kernels.Gemm(false, false, rows, in, n, 1, dgin.Data, n, wih.Data[2*n*in:], in, 1, gx.Data, in)
	}
}
