// The EGRU's sparse row kernels: products that touch only the rows of a
// matrix listed in idx (or in compressed rows).

package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// egruColBlock is the column block of the EGRU's blocked gathers
// (kernels.SparseGatherRows walks blocks of the same width).
const egruColBlock = 64

// halfCols returns the columns [lo, hi) of part (0 or 1) of cols columns
// split in two at a multiple of egruColBlock, or all of them when parts is 1.
func halfCols(cols, parts, part int) (lo, hi int) {
	if parts == 1 {
		return 0, cols
	}
	mid := min(cols, (cols/2+egruColBlock-1)/egruColBlock*egruColBlock)
	if part == 0 {
		return 0, mid
	}
	return mid, cols
}

// sparseGatherRowsTo sets, for every row i < len(ptr)−1 and lo ≤ q < hi,
// dst[i·ldd + q] = (accumulate ? dst[i·ldd + q] : 0) + Σ_k vals[k]·w[idx[k]·ldw + q]
// over k in [ptr[i], ptr[i+1]): the rows of a compressed-row sparse matrix
// times w, over one column range. float32 runs kernels.SparseGatherRows.
func sparseGatherRowsTo[T autodiff.Float](dst []T, ldd, lo, hi int, accumulate bool, w []T, ldw int, ptr, idx []int32, vals []T) {
	if d, ok := any(dst).([]float32); ok {
		kernels.SparseGatherRows(d, ldd, lo, hi, accumulate, any(w).([]float32), ldw, ptr, idx, any(vals).([]float32))
		return
	}
	for i := range len(ptr) - 1 {
		row := dst[i*ldd+lo : i*ldd+hi]
		if !accumulate {
			clear(row)
		}
		for k := ptr[i]; k < ptr[i+1]; k++ {
			j := int(idx[k])
			Axpy(row, vals[k], w[j*ldw+lo:j*ldw+hi])
		}
	}
}

// sparseDotsTo sets dst[j] = x · w[j·ldw : j·ldw+len(x)] for every j in idx
// and leaves the other entries of dst alone. float32 runs the vector kernel.
func sparseDotsTo[T autodiff.Float](dst, w []T, ldw int, idx []int32, x []T) {
	if d, ok := any(dst).([]float32); ok {
		kernels.SparseDots(d, any(w).([]float32), ldw, idx, any(x).([]float32))
		return
	}
	k := len(x)
	for _, j := range idx {
		r := w[int(j)*ldw : int(j)*ldw+k]
		var s T
		for q, v := range x {
			s += v * r[q]
		}
		dst[j] = s
	}
}

// packWeightPanels packs wT ([N, 3N], weffᵀ) into p for gatherForward;
// float64 layers keep no panels.
func packWeightPanels[T autodiff.Float](p *kernels.GatherPanels, wT autodiff.Tensor[T]) {
	if w, ok := any(wT.Data).([]float32); ok {
		kernels.PackGatherPanels(p, false, wT.Rows, wT.Cols, w, wT.Cols)
	}
}

// gatherForward sets dst [rows, 3N] to the compressed rows (ptr, idx, vals)
// of y_{t−1} times weffᵀ: float32 from the panels of packWeightPanels
// (kernels.SparseGatherPanels), float64 by sparseGatherRowsTo on whhT.
func (s *egruSeq[T]) gatherForward(dst []T, ptr, idx []int32, vals []T) {
	n3 := 3 * s.n
	if d, ok := any(dst).([]float32); ok {
		kernels.SparseGatherPanels(d, n3, 0, n3, false, &s.ws.panels, ptr, idx, any(vals).([]float32))
		return
	}
	sparseGatherRowsTo(dst, n3, 0, n3, false, s.whhT.Data, n3, ptr, idx, vals)
}
