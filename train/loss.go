package train

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/tasks"
)

// Loss records the task loss of kind on the outputs out [rows, cols]
// against target and mask (both [rows, cols], the time-major layout of
// tasks.Batch):
//
//   - tasks.MSE: autodiff.MaskedMSE, the mask-weighted mean squared error
//     Σ m (y − t)² / Σ m. PsychRNN's mean(square(mask·(y − t)))
//     (psychrnn/backend/loss_functions.py) is the same up to squaring the
//     mask and dividing by rows·cols instead of Σ m.
//   - tasks.CrossEntropy: autodiff.MaskedSoftmaxCE over the columns of each
//     row, weighted per row by w_r, the mean of the row's mask (so a mask
//     that is uniform across output channels weighs each time step once):
//     Σ_r w_r·(−Σ_k t_rk log softmax(y_r)_k) / Σ_r w_r.
//
// rowMask is scratch of length rows for the per-row weights of
// cross-entropy; it must stay unchanged until Backward (nil allocates one).
// The tape aliases target and mask. It panics if the shapes differ.
func Loss(kind tasks.Loss, out *autodiff.Var[float32], target, mask autodiff.Tensor[float32], rowMask []float32) *autodiff.Var[float32] {
	if kind != tasks.CrossEntropy {
		return autodiff.MaskedMSE(out, target, mask)
	}
	rows, cols := mask.Rows, mask.Cols
	if rowMask == nil {
		rowMask = make([]float32, rows)
	}
	if len(rowMask) != rows {
		panic(fmt.Sprintf("train: Loss: rowMask has %d entries for %d rows", len(rowMask), rows))
	}
	RowMaskTo(rowMask, mask.Data, cols)
	return autodiff.MaskedSoftmaxCE(out, target, autodiff.FromSlice(rows, 1, rowMask))
}

// RowMaskTo writes into dst the mean of each row of mask (rows of width
// cols): the per-row weight of cross-entropy. It panics if the lengths do
// not match.
func RowMaskTo(dst, mask []float32, cols int) {
	if len(mask) != len(dst)*cols {
		panic(fmt.Sprintf("train: RowMaskTo: mask of %d elements is not %d rows of %d", len(mask), len(dst), cols))
	}
	for r := range dst {
		var s float32
		for _, v := range mask[r*cols : (r+1)*cols] {
			s += v
		}
		dst[r] = s / float32(cols)
	}
}

// LossWeight returns the normaliser of Loss for a mask of width cols: Σ m
// for MSE, Σ_r w_r for cross-entropy, in float64. Truncated BPTT scales each
// window's loss by LossWeight(window)/LossWeight(batch), so that the windows
// sum to the loss of the whole batch.
func LossWeight(kind tasks.Loss, mask []float32, cols int) float64 {
	var s float64
	for _, v := range mask {
		s += float64(v)
	}
	if kind == tasks.CrossEntropy {
		return s / float64(cols)
	}
	return s
}
