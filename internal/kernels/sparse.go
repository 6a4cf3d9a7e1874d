package kernels

import "fmt"

// The sparse row kernels of event-based layers (the EGRU): products that
// touch only the rows of a row-major matrix w (leading dimension ldw) that
// are listed in idx, so that silent units cost nothing. Each checks its
// lengths and indices once and panics on a mismatch or an index out of
// range. The vector versions add in another order than the loops below, so
// results agree to rounding, not bit for bit.

// SparseGather sets dst[q] = beta·dst[q] + Σ_k vals[k]·w[idx[k]·ldw + q]
// for q < len(dst), with beta 0 (overwrite, dst's old values ignored) or 1
// (accumulate): a row vector with nonzeros vals at idx times w.
func SparseGather(dst []float32, accumulate bool, w []float32, ldw int, idx []int32, vals []float32) {
	if len(vals) != len(idx) {
		panic(fmt.Sprintf("kernels: SparseGather has %d values for %d indices", len(vals), len(idx)))
	}
	rows := 0 // rows of w that hold len(dst) columns: w may start inside a row
	if len(w) >= len(dst) {
		rows = (len(w)-len(dst))/max(ldw, 1) + 1
	}
	checkSparse("SparseGather", len(dst), len(w), ldw, idx, rows)
	sparseGather(dst, accumulate, w, ldw, idx, vals)
}

// SparseDots sets dst[j] = Σ_q x[q]·w[j·ldw + q] for every j in idx (the
// entries of the product w·xᵀ at idx) and leaves the other entries of dst
// unchanged.
func SparseDots(dst, w []float32, ldw int, idx []int32, x []float32) {
	checkSparse("SparseDots", len(x), len(w), ldw, idx, len(dst))
	sparseDots(dst, w, ldw, idx, x)
}

// checkSparse panics unless every j in idx is below rows and w holds cols
// columns of row j.
func checkSparse(op string, cols, lenW, ldw int, idx []int32, rows int) {
	if cols > ldw {
		panic(fmt.Sprintf("kernels: %s needs %d columns with leading dimension %d", op, cols, ldw))
	}
	for _, j := range idx {
		if j < 0 || int(j) >= rows || int(j)*ldw+cols > lenW {
			panic(fmt.Sprintf("kernels: %s index %d out of range (%d rows, w of %d elements, ldw %d)", op, j, rows, lenW, ldw))
		}
	}
}

func sparseGatherGo(dst []float32, accumulate bool, w []float32, ldw int, idx []int32, vals []float32) {
	if !accumulate {
		clear(dst)
	}
	for k, j := range idx {
		a, r := vals[k], w[int(j)*ldw:int(j)*ldw+len(dst)]
		for q := range dst {
			dst[q] += a * r[q]
		}
	}
}

func sparseDotsGo(dst, w []float32, ldw int, idx []int32, x []float32) {
	for _, j := range idx {
		r := w[int(j)*ldw : int(j)*ldw+len(x)]
		var s float32
		for q, v := range x {
			s += v * r[q]
		}
		dst[j] = s
	}
}
