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

// gatherBlock is the width, in columns, of the blocks SparseGatherRows
// walks: a block of w is rows × 256 B (128 KiB at 512 rows), so it stays in
// a core's L2 cache while every row of the batch reads it, where a whole
// row-by-row pass streams all of w from L3 for each row.
const gatherBlock = 64

// SparseGatherRows runs SparseGather for every row i of a sparse matrix in
// compressed-row form (row i's nonzeros are vals[ptr[i]:ptr[i+1]] at the
// rows idx[ptr[i]:ptr[i+1]] of w), restricted to the columns [lo, hi):
//
//	dst[i·ldd + q] = beta·dst[i·ldd + q] + Σ_{k=ptr[i]}^{ptr[i+1]−1} vals[k]·w[idx[k]·ldw + q],  lo ≤ q < hi,
//
// for i < len(ptr)−1, with beta 0 (accumulate false: dst's old values
// ignored) or 1. It walks the columns in blocks of gatherBlock and, within
// a block, every row, so the block of w is read from cache by all rows. The
// other columns of dst are untouched; it allocates nothing. It panics if ptr
// is empty or decreasing, ptr's last entry exceeds len(idx) or len(vals),
// lo > hi, hi > ldw, an index is out of w's range or a row of dst is out of
// range.
func SparseGatherRows(dst []float32, ldd, lo, hi int, accumulate bool, w []float32, ldw int, ptr, idx []int32, vals []float32) {
	rows := len(ptr) - 1
	if rows < 0 || lo < 0 || lo > hi || hi > ldw || len(idx) != len(vals) || (rows > 0 && (rows-1)*ldd+hi > len(dst)) {
		panic(fmt.Sprintf("kernels: SparseGatherRows: %d row pointers, columns [%d, %d), ldw %d, ldd %d, %d entries of dst, %d indices, %d values",
			len(ptr), lo, hi, ldw, ldd, len(dst), len(idx), len(vals)))
	}
	for i := range rows {
		if ptr[i] < 0 || ptr[i] > ptr[i+1] || int(ptr[i+1]) > len(idx) {
			panic(fmt.Sprintf("kernels: SparseGatherRows: row pointers %d, %d of row %d out of order or beyond %d indices", ptr[i], ptr[i+1], i, len(idx)))
		}
	}
	checkSparse("SparseGatherRows", hi, len(w), ldw, idx[ptr[0]:ptr[rows]], len(w)/max(ldw, 1))
	for c := lo; c < hi; c += gatherBlock {
		e := min(c+gatherBlock, hi)
		for i := range rows {
			p, q := ptr[i], ptr[i+1]
			sparseGather(dst[i*ldd+c:i*ldd+e], accumulate, w[c:], ldw, idx[p:q], vals[p:q])
		}
	}
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
