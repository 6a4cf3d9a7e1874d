// The EGRU's sparse row kernels: products that touch only the rows of
// W_hhᵀ of the units listed in idx.

package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// sparseRowsTo sets dst ([K]) to Σ_{j ∈ idx} y[j]·w[j·ldw : j·ldw+K]: the
// product of a row y whose nonzero entries are listed in idx with the
// matrix w (rows of leading dimension ldw). float32 runs the vector kernel.
func sparseRowsTo[T autodiff.Float](dst, w []T, ldw int, idx []int32, y []T) {
	if d, ok := any(dst).([]float32); ok {
		kernels.SparseRows(d, any(w).([]float32), ldw, idx, any(y).([]float32))
		return
	}
	clear(dst)
	k := len(dst)
	for _, j := range idx {
		Axpy(dst, y[j], w[int(j)*ldw:int(j)*ldw+k])
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

// sparseOuterTo adds y[j]·d to row j of w (leading dimension ldw, len(d)
// columns) for every j in idx: the rank-1 update y dᵀ restricted to the
// listed rows. float32 runs the vector kernel.
func sparseOuterTo[T autodiff.Float](w []T, ldw int, idx []int32, y, d []T) {
	if f, ok := any(w).([]float32); ok {
		kernels.SparseOuter(f, ldw, idx, any(y).([]float32), any(d).([]float32))
		return
	}
	k := len(d)
	for _, j := range idx {
		Axpy(w[int(j)*ldw:int(j)*ldw+k], y[j], d)
	}
}
