package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// Vector helpers shared by the fused recurrent layers of this and other
// packages.

// Axpy computes y += alpha·x.
func Axpy[T autodiff.Float](y []T, alpha T, x []T) {
	x = x[:len(y)]
	for j := range y {
		y[j] += alpha * x[j]
	}
}

// AddTransposed adds srcᵀ ([R, N]) into dst ([N, R]), in square tiles so
// that both matrices are walked through cache lines they reuse.
func AddTransposed[T autodiff.Float](dst, src autodiff.Tensor[T]) {
	transposeTiles(dst, src, true)
}

// transposeTiles sets (or with add, adds) srcᵀ into dst, tile by tile (see
// transposeStrided).
func transposeTiles[T autodiff.Float](dst, src autodiff.Tensor[T], add bool) {
	transposeStrided(dst.Data, dst.Cols, src.Data, src.Cols, src.Rows, src.Cols, add)
}

// transposeStrided sets (or with add, adds) the transpose of the
// [rows×cols] matrix in src (leading dimension lds) into dst [cols×rows]
// (leading dimension ldd), in the square tiles of kernels.Transpose (in
// float32 each a register transpose with AVX-512).
func transposeStrided[T autodiff.Float](dst []T, ldd int, src []T, lds, rows, cols int, add bool) {
	kernels.Transpose(dst, ldd, src, lds, rows, cols, add)
}
