//go:build noasm || !amd64

package kernels

func transpose(dst []float32, ldd int, src []float32, lds, rows, cols int, add bool) {
	TransposeGo(dst, ldd, src, lds, rows, cols, add)
}
