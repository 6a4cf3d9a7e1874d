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
	if gbih.Data != nil || gbhh.Data != nil {
		accH, accI := tp.AllocZero(1, n3), tp.AllocZero(1, n)
		sumRows(accH, dgh)
		sumRows(accI, dgin)
		if gbhh.Data != nil {
			Axpy(gbhh.Data, 1, accH.Data)
		}
		if gbih.Data != nil {
			Axpy(gbih.Data[:2*n], 1, accH.Data[:2*n])
			Axpy(gbih.Data[2*n:], 1, accI.Data)
		}
	}
	if gwih.Data != nil {
		dw := tp.Alloc(in, n3)
		kernels.Gemm(true, false, in, 2*n, rows, 1, x.Data, in, dgh.Data, n3, 0, dw.Data, n3)
		kernels.Gemm(true, false, in, n, rows, 1, x.Data, in, dgin.Data, n, 0, dw.Data[2*n:], n3)
		AddTransposed(gwih, dw)
	}
	if gx.Data != nil {
		kernels.Gemm(false, false, rows, in, 2*n, 1, dgh.Data, n3, wih.Data[:2*n*in], in, 1, gx.Data, in)
		kernels.Gemm(false, false, rows, in, n, 1, dgin.Data, n, wih.Data[2*n*in:], in, 1, gx.Data, in)
	}
}
