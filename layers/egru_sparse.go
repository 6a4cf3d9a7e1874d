// The EGRU's sparse row kernels: products that touch only the rows of a
// matrix listed in idx.

package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// sparseGatherTo sets dst[q] = (accumulate ? dst[q] : 0) + Σ_k
// vals[k]·w[idx[k]·ldw + q]: a row vector with the nonzero entries vals at
// idx, times the matrix w (rows of leading dimension ldw). float32 runs the
// vector kernel.
func sparseGatherTo[T autodiff.Float](dst []T, accumulate bool, w []T, ldw int, idx []int32, vals []T) {
	if d, ok := any(dst).([]float32); ok {
		kernels.SparseGather(d, accumulate, any(w).([]float32), ldw, idx, any(vals).([]float32))
		return
	}
	if !accumulate {
		clear(dst)
	}
	k := len(dst)
	for q, j := range idx {
		Axpy(dst, vals[q], w[int(j)*ldw:int(j)*ldw+k])
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
