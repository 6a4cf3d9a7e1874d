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

func expTo(dst, src []float32)     { vector512(dst, src, unaryExp, expToGo) }
func sigmoidTo(dst, src []float32) { vector512(dst, src, unarySigmoid, sigmoidToGo) }
func tanhTo(dst, src []float32)    { vector512(dst, src, unaryTanh, tanhToGo) }

// unaryKernel names one of the vectorised functions. The kernels are called
// through its method run, a direct call, so that the tail block of vectorTo
// stays on the stack (through a func value it would escape to the heap).
type unaryKernel int

const (
	unaryExp unaryKernel = iota
	unarySigmoid
	unaryTanh
)

// run calls k's 16-lane (AVX-512, wide) or 8-lane (AVX2) kernel on n values.
func (k unaryKernel) run(wide bool, dst, src *float32, n int) {
	switch {
	case k == unaryExp && wide:
		expAVX512(dst, src, n)
	case k == unaryExp:
		expAVX2(dst, src, n)
	case k == unarySigmoid && wide:
		sigmoidAVX512(dst, src, n)
	case k == unarySigmoid:
		sigmoidAVX2(dst, src, n)
	case wide:
		tanhAVX512(dst, src, n)
	default:
		tanhAVX2(dst, src, n)
	}
}

// vector512 runs k's 16-lane kernel over the first len&^15 values when the
// CPU has AVX-512, and vectorTo over the rest.
func vector512(dst, src []float32, k unaryKernel, portable func(dst, src []float32)) {
	n := 0
	if hasAVX512() {
		n = len(src) &^ 15
	}
	if n > 0 {
		k.run(true, &dst[0], &src[0], n)
	}
	vectorTo(dst[n:], src[n:], k, portable)
}

// vectorTo runs k's 8-lane kernel over src, the last len%8 values through
// a zero-padded block so that every element gets the same arithmetic, or the
// whole slice through the portable loop when the CPU lacks AVX2 and FMA.
// It does not allocate.
func vectorTo(dst, src []float32, k unaryKernel, portable func(dst, src []float32)) {
	if !hasAVX2() {
		portable(dst, src)
		return
	}
	n := len(src) &^ 7
	if n > 0 {
		k.run(false, &dst[0], &src[0], n)
	}
	if n < len(src) {
		var in, out [8]float32
		copy(in[:], src[n:])
		k.run(false, &out[0], &in[0], 8)
		copy(dst[n:], out[:len(src)-n])
	}
}
