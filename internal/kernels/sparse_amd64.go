//go:build !noasm

package kernels

// sparseGatherAVX2 runs SparseGather over the first cols columns (a positive
// multiple of 8): blocks of 64 columns in eight accumulators, then blocks of
// 8, each block summing over every listed row. ldw is in elements.
//
//go:noescape
func sparseGatherAVX2(dst, w *float32, ldw int, idx *int32, vals *float32, nnz, cols int, accumulate bool)

// sparseDotsAVX2 runs SparseDots with x of cols elements (a positive
// multiple of 8), each dot product in four accumulators.
//
//go:noescape
func sparseDotsAVX2(dst, w *float32, ldw int, idx *int32, nnz int, x *float32, cols int)

func sparseGather(dst []float32, accumulate bool, w []float32, ldw int, idx []int32, vals []float32) {
	n := vecLen(len(dst))
	if n == 0 || len(idx) == 0 {
		sparseGatherGo(dst, accumulate, w, ldw, idx, vals)
		return
	}
	sparseGatherAVX2(&dst[0], &w[0], ldw, &idx[0], &vals[0], len(idx), n, accumulate)
	if n < len(dst) {
		// The tail columns: the same sum over a column offset of w.
		sparseGatherGo(dst[n:], accumulate, w[n:], ldw, idx, vals)
	}
}

func sparseDots(dst, w []float32, ldw int, idx []int32, x []float32) {
	n := vecLen(len(x))
	if n == 0 || len(idx) == 0 {
		sparseDotsGo(dst, w, ldw, idx, x)
		return
	}
	sparseDotsAVX2(&dst[0], &w[0], ldw, &idx[0], len(idx), &x[0], n)
	if n < len(x) {
		for _, j := range idx {
			r := w[int(j)*ldw+n : int(j)*ldw+len(x)]
			s := dst[j]
			for q, v := range x[n:] {
				s += v * r[q]
			}
			dst[j] = s
		}
	}
}
