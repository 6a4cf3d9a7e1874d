package kernels

// The element-wise parts of a GRU step (torch.nn.GRU's equations), over the N
// units of one batch row. Like the other recurrence kernels they give the
// same bits as the plain loops below: the vector versions round after every
// multiply and add, in the same order. The plain loops round every product
// that feeds a sum with a conversion float32(·): without it the compiler may
// fuse the two into one FMA (as it can for GOAMD64=v3).

// GRUCandidate adds the reset-gated recurrent term to the candidate
// pre-activation: c[j] += r[j]·(ghn[j] + bhn[j]), where ghn is W_hn·h and
// bhn is b_hn. It panics if the lengths differ.
func GRUCandidate(c, r, ghn, bhn []float32) {
	checkLens("GRUCandidate", len(c), len(r), len(ghn), len(bhn), len(c))
	gruCandidate(c, r, ghn, bhn)
}

// GRUMix writes the new state h[j] = c[j] + z[j]·(hp[j] − c[j]), that is
// (1 − z)·n + z·h_prev. It panics if the lengths differ.
func GRUMix(h, c, z, hp []float32) {
	checkLens("GRUMix", len(h), len(c), len(z), len(hp), len(h))
	gruMix(h, c, z, hp)
}

// GRUGateGrad back-propagates one row of one GRU step. With δ = dh + og
// (the gradient reaching the new state) and the gates r, z, c (= n) of the
// step, for every j:
//
//	dnPre  = (δ·(1 − z))·(1 − c²)
//	dr[j]  = ((dnPre·(ghn + bhn))·r)·(1 − r)
//	dz[j]  = ((δ·(hp − c))·z)·(1 − z)
//	dc[j]  = dnPre·r
//	dn[j]  = dnPre
//	dh[j]  = δ·z
//
// dr, dz and dc are the gradients of the recurrent pre-activations
// (W_hr h + b_hr, W_hz h + b_hz, W_hn h + b_hn), dn that of W_in x + b_in,
// and dh becomes the part of δ that reaches the previous state directly. It
// panics if the lengths differ.
func GRUGateGrad(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp []float32) {
	n := len(dh)
	checkLens("GRUGateGrad", n, len(dr), len(dz), len(dc), len(dn))
	checkLens("GRUGateGrad", n, len(og), len(r), len(z), len(c))
	checkLens("GRUGateGrad", n, len(ghn), len(bhn), len(hp), n)
	gruGateGrad(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp)
}

func gruCandidateGo(c, r, ghn, bhn []float32) {
	r, ghn, bhn = r[:len(c)], ghn[:len(c)], bhn[:len(c)]
	for j := range c {
		c[j] += float32(r[j] * (ghn[j] + bhn[j]))
	}
}

func gruMixGo(h, c, z, hp []float32) {
	c, z, hp = c[:len(h)], z[:len(h)], hp[:len(h)]
	for j := range h {
		h[j] = c[j] + float32(z[j]*(hp[j]-c[j]))
	}
}

func gruGateGradGo(dr, dz, dc, dn, dh, og, r, z, c, ghn, bhn, hp []float32) {
	n := len(dh)
	dr, dz, dc, dn, og, r, z, c, ghn, bhn, hp = dr[:n], dz[:n], dc[:n], dn[:n], og[:n], r[:n], z[:n], c[:n], ghn[:n], bhn[:n], hp[:n]
	for j := range dh {
		delta := dh[j] + og[j]
		rj, zj, cj := r[j], z[j], c[j]
		dnPre := delta * (1 - zj) * (1 - float32(cj*cj))
		dr[j] = dnPre * (ghn[j] + bhn[j]) * rj * (1 - rj)
		dz[j] = delta * (hp[j] - cj) * zj * (1 - zj)
		dc[j] = dnPre * rj
		dn[j] = dnPre
		dh[j] = delta * zj
	}
}
