//go:build noasm || !amd64

package kernels

func sparseGather(dst []float32, accumulate bool, w []float32, ldw int, idx []int32, vals []float32) {
	sparseGatherGo(dst, accumulate, w, ldw, idx, vals)
}

func sparseDots(dst, w []float32, ldw int, idx []int32, x []float32) {
	sparseDotsGo(dst, w, ldw, idx, x)
}
