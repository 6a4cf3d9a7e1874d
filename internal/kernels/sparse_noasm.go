//go:build noasm || !amd64

package kernels

func sparseRows(dst, w []float32, ldw int, idx []int32, y []float32) {
	sparseRowsGo(dst, w, ldw, idx, y)
}

func sparseDots(dst, w []float32, ldw int, idx []int32, x []float32) {
	sparseDotsGo(dst, w, ldw, idx, x)
}

func sparseOuter(w []float32, ldw int, idx []int32, y, d []float32) { sparseOuterGo(w, ldw, idx, y, d) }
