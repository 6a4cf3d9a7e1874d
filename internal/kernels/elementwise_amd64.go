//go:build !noasm

package kernels

// dst[i] = f(src[i]) for i < n; n must be a multiple of 8.
//
//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

//go:noescape
func tanhAVX2(dst, src *float32, n int)

// The same on 16 lanes (AVX-512F), n a multiple of 16, with the same
// operations in the same order: the same bits as the 8-lane loops.
//
//go:noescape
func expAVX512(dst, src *float32, n int)

//go:noescape
func sigmoidAVX512(dst, src *float32, n int)

//go:noescape
func tanhAVX512(dst, src *float32, n int)

func expTo(dst, src []float32)     { vector512(dst, src, expAVX512, expAVX2, expToGo) }
func sigmoidTo(dst, src []float32) { vector512(dst, src, sigmoidAVX512, sigmoidAVX2, sigmoidToGo) }
func tanhTo(dst, src []float32)    { vector512(dst, src, tanhAVX512, tanhAVX2, tanhToGo) }

// vector512 runs the 16-lane kernel v512 over the first len&^15 values when
// the CPU has AVX-512, and vectorTo with the 8-lane kernel over the rest.
func vector512(dst, src []float32, v512, vec func(dst, src *float32, n int), portable func(dst, src []float32)) {
	n := 0
	if hasAVX512() {
		n = len(src) &^ 15
	}
	if n > 0 {
		v512(&dst[0], &src[0], n)
	}
	vectorTo(dst[n:], src[n:], vec, portable)
}

// vectorTo runs the 8-lane kernel vec over src, the last len%8 values through
// a zero-padded block so that every element gets the same arithmetic, or the
// whole slice through the portable loop when the CPU lacks AVX2 and FMA.
func vectorTo(dst, src []float32, vec func(dst, src *float32, n int), portable func(dst, src []float32)) {
	if !hasAVX2() {
		portable(dst, src)
		return
	}
	n := len(src) &^ 7
	if n > 0 {
		vec(&dst[0], &src[0], n)
	}
	if n < len(src) {
		var in, out [8]float32
		copy(in[:], src[n:])
		vec(&out[0], &in[0], 8)
		copy(dst[n:], out[:len(src)-n])
	}
}
