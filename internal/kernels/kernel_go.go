package kernels

import "unsafe"

// microGo is the portable 4×4 micro-kernel (see microFn). It keeps the 16
// accumulators in locals so the compiler holds them in registers.
func microGo[E float32 | float64](kc int, a *E, rsA, psA int, b *E, c *E, ldc int, alpha, beta E) {
	as := unsafe.Slice(a, (kc-1)*psA+3*rsA+1)
	bs := unsafe.Slice(b, kc*4)
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 E
	ai := 0
	for p := 0; p < kc; p++ {
		a0, a1, a2, a3 := as[ai], as[ai+rsA], as[ai+2*rsA], as[ai+3*rsA]
		bp := bs[p*4 : p*4+4 : p*4+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ai += psA
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	store := func(row []E, v0, v1, v2, v3 E) {
		row = row[:4:4]
		if beta == 0 {
			row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
			return
		}
		row[0] = alpha*v0 + beta*row[0]
		row[1] = alpha*v1 + beta*row[1]
		row[2] = alpha*v2 + beta*row[2]
		row[3] = alpha*v3 + beta*row[3]
	}
	store(cs[0:], c00, c01, c02, c03)
	store(cs[ldc:], c10, c11, c12, c13)
	store(cs[2*ldc:], c20, c21, c22, c23)
	store(cs[3*ldc:], c30, c31, c32, c33)
}

// goKernel returns the portable kernel with its block sizes.
func goKernel[E float32 | float64]() kernel[E] {
	var k kernel[E]
	switch kp := any(&k).(type) {
	case *kernel[float32]:
		*kp = kernel[float32]{name: "go4x4", mr: 4, nr: 4, kc: 256, mc: 64, nc: 512}
		kp.packed[3], kp.strided[3] = microGo32, microGo32
	case *kernel[float64]:
		*kp = kernel[float64]{name: "go4x4", mr: 4, nr: 4, kc: 256, mc: 64, nc: 512}
		kp.packed[3], kp.strided[3] = microGo64, microGo64
	}
	return k
}

// microGo32 and microGo64 are the concrete instantiations, so that taking
// them as function values does not allocate a closure.
func microGo32(kc int, a *float32, rsA, psA int, b *float32, c *float32, ldc int, alpha, beta float32) {
	microGo(kc, a, rsA, psA, b, c, ldc, alpha, beta)
}

func microGo64(kc int, a *float64, rsA, psA int, b *float64, c *float64, ldc int, alpha, beta float64) {
	microGo(kc, a, rsA, psA, b, c, ldc, alpha, beta)
}
