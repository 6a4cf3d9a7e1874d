package layers

import "github.com/rnntrain/rnntrain/autodiff"

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

// transposeTile is the side of the square tiles of the transposes.
const transposeTile = 32

// transposeTiles sets (or with add, adds) srcᵀ into dst, tile by tile.
func transposeTiles[T autodiff.Float](dst, src autodiff.Tensor[T], add bool) {
	for q0 := 0; q0 < src.Rows; q0 += transposeTile {
		q1 := min(q0+transposeTile, src.Rows)
		for j0 := 0; j0 < src.Cols; j0 += transposeTile {
			j1 := min(j0+transposeTile, src.Cols)
			for q := q0; q < q1; q++ {
				for j, v := range src.Data[q*src.Cols+j0 : q*src.Cols+j1] {
					if add {
						dst.Data[(j0+j)*dst.Cols+q] += v
					} else {
						dst.Data[(j0+j)*dst.Cols+q] = v
					}
				}
			}
		}
	}
}
