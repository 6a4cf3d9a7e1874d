package kernels

import "fmt"

// The sparse row kernels of event-based layers (the EGRU): products with a
// row vector whose nonzero entries are listed in idx, which touch only the
// listed rows of a row-major matrix w (leading dimension ldw). Silent units
// cost nothing. Each checks its lengths once and panics on a mismatch or an
// index out of range.

// SparseRows sets dst[q] = Σ_{j ∈ idx} y[j]·w[j·ldw + q] for q < len(dst):
// the product y·w of a row y, nonzero only at idx, with w [len(y), ≥ len(dst)].
func SparseRows(dst, w []float32, ldw int, idx []int32, y []float32) {
	checkSparse("SparseRows", len(dst), len(w), ldw, idx, len(y))
	sparseRows(dst, w, ldw, idx, y)
}

// SparseDots sets dst[j] = Σ_q x[q]·w[j·ldw + q] for every j in idx (the
// entries of the product w·xᵀ at idx) and leaves the other entries of dst
// unchanged.
func SparseDots(dst, w []float32, ldw int, idx []int32, x []float32) {
	checkSparse("SparseDots", len(x), len(w), ldw, idx, len(dst))
	sparseDots(dst, w, ldw, idx, x)
}

// SparseOuter adds y[j]·d[q] to w[j·ldw + q] for every j in idx and q <
// len(d): the rank-1 update w += yᵀd restricted to the rows listed in idx.
func SparseOuter(w []float32, ldw int, idx []int32, y, d []float32) {
	checkSparse("SparseOuter", len(d), len(w), ldw, idx, len(y))
	sparseOuter(w, ldw, idx, y, d)
}

// checkSparse panics unless every row j of idx is a valid index of the
// vector of length rows and w holds cols columns of that row.
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

func sparseRowsGo(dst, w []float32, ldw int, idx []int32, y []float32) {
	clear(dst)
	for _, j := range idx {
		a, r := y[j], w[int(j)*ldw:int(j)*ldw+len(dst)]
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

func sparseOuterGo(w []float32, ldw int, idx []int32, y, d []float32) {
	for _, j := range idx {
		a, r := y[j], w[int(j)*ldw:int(j)*ldw+len(d)]
		for q, v := range d {
			r[q] += a * v
		}
	}
}
