//go:build noasm || !amd64

package kernels

func gruCandidate(c, r, ghn, bhn []float32) { gruCandidateGo(c, r, ghn, bhn) }

func gruMix(h, c, z, hp []float32) { gruMixGo(h, c, z, hp) }

func gruGateGrad(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp []float32) {
	gruGateGradGo(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp)
}
