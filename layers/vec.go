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

// transposeTile is the side of the square tiles of the transposes: a tile
// row of float32 is one 64-byte cache line.
const transposeTile = 16

// transposeTiles sets (or with add, adds) srcᵀ into dst, tile by tile (see
// transposeStrided).
func transposeTiles[T autodiff.Float](dst, src autodiff.Tensor[T], add bool) {
	transposeStrided(dst.Data, dst.Cols, src.Data, src.Cols, src.Rows, src.Cols, add)
}

// transposeStrided sets (or with add, adds) the transpose of the
// [rows×cols] matrix in src (leading dimension lds) into dst [cols×rows]
// (leading dimension ldd), tile by tile. A whole tile is first copied into
// a small buffer, so that every cache line of src and of dst is touched
// once per tile: writing a tile straight into dst keeps one line of each
// of its rows open at once, and with a row stride of 4 KiB (N = 1024)
// those lines all fall in one set of the L1 cache and evict each other.
//
// float32 runs kernels.Transpose (a register transpose of each tile with
// AVX-512); the values moved or added are the same.
func transposeStrided[T autodiff.Float](dst []T, ldd int, src []T, lds, rows, cols int, add bool) {
	if d, ok := any(dst).([]float32); ok {
		kernels.Transpose(d, ldd, any(src).([]float32), lds, rows, cols, add)
		return
	}
	const t = transposeTile
	var buf [t * t]T
	for q0 := 0; q0 < rows; q0 += t {
		q1 := min(q0+t, rows)
		for j0 := 0; j0 < cols; j0 += t {
			j1 := min(j0+t, cols)
			if q1-q0 < t || j1-j0 < t {
				for q := q0; q < q1; q++ {
					for j, v := range src[q*lds+j0 : q*lds+j1] {
						if add {
							dst[(j0+j)*ldd+q] += v
						} else {
							dst[(j0+j)*ldd+q] = v
						}
					}
				}
				continue
			}
			for q := range t {
				copy(buf[q*t:(q+1)*t], src[(q0+q)*lds+j0:])
			}
			for j := range t {
				row := dst[(j0+j)*ldd+q0 : (j0+j)*ldd+q0+t]
				if add {
					for q := range row {
						row[q] += buf[q*t+j]
					}
				} else {
					for q := range row {
						row[q] = buf[q*t+j]
					}
				}
			}
		}
	}
}
