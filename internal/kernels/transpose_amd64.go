//go:build !noasm

package kernels

// transpose16AVX512 sets (add false) or adds the transpose of the 16×16
// tile at src (row stride lds elements) into dst (row stride ldd).
//
//go:noescape
func transpose16AVX512(dst *float32, ldd int, src *float32, lds int, add bool)

func transpose(dst []float32, ldd int, src []float32, lds, rows, cols int, add bool) {
	transposeOn(bestISA(), dst, ldd, src, lds, rows, cols, add)
}

// transposeOn is Transpose with the vector set's tile kernel.
func transposeOn(isa vecISA, dst []float32, ldd int, src []float32, lds, rows, cols int, add bool) {
	const t = transposeTileSide
	if isa != isaAVX512 || rows < t || cols < t {
		TransposeGo(dst, ldd, src, lds, rows, cols, add)
		return
	}
	r16, c16 := rows&^(t-1), cols&^(t-1)
	for i := 0; i < r16; i += t {
		for j := 0; j < c16; j += t {
			transposeTile(dst[j*ldd+i:], ldd, src[i*lds+j:], lds, add)
		}
	}
	if c16 < cols { // the last columns of src: the last rows of dst
		TransposeGo(dst[c16*ldd:], ldd, src[c16:], lds, r16, cols-c16, add)
	}
	if r16 < rows { // the last rows of src, every column
		TransposeGo(dst[r16:], ldd, src[r16*lds:], lds, rows-r16, cols, add)
	}
}

// transposeTile moves one 16×16 tile (transpose16AVX512); the slices start
// at the tile's first element.
func transposeTile(dst []float32, ldd int, src []float32, lds int, add bool) {
	_ = dst[15*ldd+15]
	_ = src[15*lds+15]
	transpose16AVX512(&dst[0], ldd, &src[0], lds, add)
}
