//go:build !noasm

package kernels

// The 8-lane AVX2 loops of the GRU kernels over the first n elements; n must
// be a positive multiple of 8. GRUGateGrad runs in two passes, the first
// leaving dh unchanged and the second writing dz and dh, so that each loop
// needs at most ten pointers.
//
//go:noescape
func gruCandidateAVX2(c, r, ghn, bhn *float32, n int)

//go:noescape
func gruMixAVX2(h, c, z, hp *float32, n int)

//go:noescape
func gruGradRCAVX2(dr, dc, dn, dh, og, r, z, c, ghn, bhn *float32, n int)

//go:noescape
func gruGradZAVX2(dz, dh, og, z, c, hp *float32, n int)

func gruCandidate(c, r, ghn, bhn []float32) {
	n := vecLen(len(c))
	if n > 0 {
		gruCandidateAVX2(&c[0], &r[0], &ghn[0], &bhn[0], n)
	}
	gruCandidateGo(c[n:], r[n:], ghn[n:], bhn[n:])
}

func gruMix(h, c, z, hp []float32) {
	n := vecLen(len(h))
	if n > 0 {
		gruMixAVX2(&h[0], &c[0], &z[0], &hp[0], n)
	}
	gruMixGo(h[n:], c[n:], z[n:], hp[n:])
}

func gruGateGrad(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp []float32) {
	n := vecLen(len(dh))
	if n > 0 {
		gruGradRCAVX2(&dr[0], &dc[0], &dn[0], &dh[0], &og[0], &r[0], &z[0], &c[0], &ghn[0], &bhn[0], n)
		gruGradZAVX2(&dz[0], &dh[0], &og[0], &z[0], &c[0], &hp[0], n)
	}
	gruGateGradGo(dr[n:], dz[n:], dc[n:], dn[n:], dh[n:], og[n:], r[n:], z[n:], c[n:], ghn[n:], bhn[n:], hp[n:])
}
