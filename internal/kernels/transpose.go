package kernels

import "fmt"

// transposeTileSide is the side of the square tiles Transpose moves at
// once: a tile row of float32 is one 64-byte cache line, and a whole tile
// is sixteen AVX-512 registers.
const transposeTileSide = 16

// Transpose sets (or, with add, adds) the transpose of the [rows×cols]
// matrix in src (leading dimension lds) into dst [cols×rows] (leading
// dimension ldd): dst[j·ldd+i] (+)= src[i·lds+j]. It works in 16×16 tiles,
// so that every cache line of src and dst is read and written once per
// tile; in float32 each tile is one AVX-512 register transpose where the
// machine has AVX-512 (TransposeGo otherwise, for float64 and at the
// edges). Every path gives the same bits. It allocates nothing and panics
// if a leading dimension is below the row length or a slice is too short.
func Transpose[T Float](dst []T, ldd int, src []T, lds, rows, cols int, add bool) {
	checkTranspose(len(dst), ldd, len(src), lds, rows, cols)
	if d, ok := any(dst).([]float32); ok {
		transpose(d, ldd, any(src).([]float32), lds, rows, cols, add)
		return
	}
	TransposeGo(dst, ldd, src, lds, rows, cols, add)
}

func checkTranspose(nDst, ldd, nSrc, lds, rows, cols int) {
	if rows < 0 || cols < 0 || lds < cols || ldd < rows ||
		(rows > 0 && cols > 0 && (nSrc < (rows-1)*lds+cols || nDst < (cols-1)*ldd+rows)) {
		panic(fmt.Sprintf("kernels: Transpose of [%d×%d] with lds=%d ldd=%d: src %d, dst %d values", rows, cols, lds, ldd, nSrc, nDst))
	}
}

// TransposeGo is Transpose in plain Go loops, the reference the tile
// kernel is tested against; it works in the same 16×16 tiles.
func TransposeGo[T Float](dst []T, ldd int, src []T, lds, rows, cols int, add bool) {
	checkTranspose(len(dst), ldd, len(src), lds, rows, cols)
	const t = transposeTileSide
	for i0 := 0; i0 < rows; i0 += t {
		i1 := min(i0+t, rows)
		for j0 := 0; j0 < cols; j0 += t {
			j1 := min(j0+t, cols)
			for j := j0; j < j1; j++ {
				row := dst[j*ldd+i0 : j*ldd+i1]
				for k := range row {
					v := src[(i0+k)*lds+j]
					if add {
						row[k] += v
					} else {
						row[k] = v
					}
				}
			}
		}
	}
}
