package autodiff

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// backward applies the reverse rule of one primitive node: it accumulates
// into each input's Grad the contribution of n.out.Grad. All rules live
// here; each reuses the forward output where the math allows.
func backward[T Float](n *node[T]) {
	g := n.out.Grad.Data
	a := n.in[0]
	switch n.op {
	case opMatMul:
		backwardMatMul(n)
		return
	case opAdd, opSub, opMul, opDiv:
		backwardBinary(n)
		return
	case opConcat:
		cols, off := n.out.Value.Cols, 0
		for _, in := range n.in[:n.nIn] {
			c := in.Value.Cols
			if in.needsGrad {
				for i := range in.Value.Rows {
					addTo(in.Grad.Data[i*c:(i+1)*c], g[i*cols+off:i*cols+off+c])
				}
			}
			off += c
		}
		return
	}
	if !a.needsGrad {
		return
	}
	x, y, ga := a.Value.Data, n.out.Value.Data, a.Grad.Data
	switch n.op {
	case opScale:
		c := n.scalar
		for k, v := range g {
			ga[k] += c * v
		}
	case opTanh: // y = tanh x, y' = 1 − y²
		for k, v := range g {
			ga[k] += v * (1 - y[k]*y[k])
		}
	case opSigmoid: // y = σ(x), y' = y(1 − y)
		for k, v := range g {
			ga[k] += v * y[k] * (1 - y[k])
		}
	case opReLU:
		for k, v := range g {
			if x[k] > 0 {
				ga[k] += v
			}
		}
	case opSoftplus: // y' = σ(x)
		for k, v := range g {
			ga[k] += v * T(sigmoid(float64(x[k])))
		}
	case opExp: // y' = y
		for k, v := range g {
			ga[k] += v * y[k]
		}
	case opLog:
		for k, v := range g {
			ga[k] += v / x[k]
		}
	case opSquare:
		for k, v := range g {
			ga[k] += 2 * v * x[k]
		}
	case opAbs:
		for k, v := range g {
			switch {
			case x[k] > 0:
				ga[k] += v
			case x[k] < 0:
				ga[k] -= v
			}
		}
	case opSpike:
		surrogate.GradTo(n.sur, ga, g, x)
	case opSum, opMean:
		s := n.scalar * g[0]
		for k := range ga {
			ga[k] += s
		}
	case opSumAxis, opMeanAxis:
		f, c := n.scalar, a.Value.Cols
		for i := range a.Value.Rows {
			row := ga[i*c : (i+1)*c]
			if n.i0 == 0 { // g is [1, cols]
				for j, v := range g {
					row[j] += f * v
				}
				continue
			}
			s := f * g[i] // g is [rows, 1]
			for j := range row {
				row[j] += s
			}
		}
	case opSlice:
		from, to, c := n.i0, n.i1, a.Value.Cols
		w := to - from
		for i := range a.Value.Rows {
			addTo(ga[i*c+from:i*c+to], g[i*w:(i+1)*w])
		}
	case opMaskedMSE:
		backwardMaskedMSE(n)
	case opMaskedSoftmaxCE:
		backwardMaskedSoftmaxCE(n)
	default:
		panic(fmt.Sprintf("autodiff: no reverse rule for %v", n.op))
	}
}

// addTo adds src into dst element-wise; both have the same length.
func addTo[T Float](dst, src []T) {
	dst = dst[:len(src)]
	for k, v := range src {
		dst[k] += v
	}
}

// backwardMatMul is the rule of C = op(A)·op(B): two GEMMs that accumulate
// into the inputs' gradients (beta = 1).
func backwardMatMul[T Float](n *node[T]) {
	a, b, g := n.in[0], n.in[1], n.out.Grad.Data
	ta, tb := n.b0, n.b1
	m, nn := n.out.Value.Rows, n.out.Value.Cols
	k := a.Value.Cols
	if ta {
		k = a.Value.Rows
	}
	if a.needsGrad {
		ga := a.Grad
		if !ta { // dA = dC·op(B)ᵀ  (m×k)
			kernels.Gemm(false, !tb, m, k, nn, 1, g, nn, b.Value.Data, b.Value.Cols, 1, ga.Data, ga.Cols)
		} else { // A is k×m: dA = op(B)·dCᵀ
			kernels.Gemm(tb, true, k, m, nn, 1, b.Value.Data, b.Value.Cols, g, nn, 1, ga.Data, ga.Cols)
		}
	}
	if b.needsGrad {
		gb := b.Grad
		if !tb { // dB = op(A)ᵀ·dC  (k×n)
			kernels.Gemm(!ta, false, k, nn, m, 1, a.Value.Data, a.Value.Cols, g, nn, 1, gb.Data, gb.Cols)
		} else { // B is n×k: dB = dCᵀ·op(A)
			kernels.Gemm(true, ta, nn, k, m, 1, g, nn, a.Value.Data, a.Value.Cols, 1, gb.Data, gb.Cols)
		}
	}
}

// backwardBinary is the rule of y = a ∘ b for ∘ ∈ {+, −, ⊙, ⊘}, with b
// broadcast. b's contribution is formed at a's shape and summed over the
// broadcast dimensions by accBroadcast.
func backwardBinary[T Float](n *node[T]) {
	a, b, g := n.in[0], n.in[1], n.out.Grad.Data
	bc := broadcastOf(n.op, a.Value, b.Value)
	if n.op == opAdd || n.op == opSub {
		if a.needsGrad {
			addTo(a.Grad.Data, g)
		}
		if b.needsGrad {
			sign := T(1)
			if n.op == opSub {
				sign = -1
			}
			accBroadcast(b.Grad.Data, g, bc, sign)
		}
		return
	}
	x, y, bv, w := a.Value.Data, n.out.Value.Data, b.Value.Data, bc.width
	if a.needsGrad { // Mul: da = g⊙b; Div: da = g⊘b
		ga := a.Grad.Data
		for r := range bc.runs {
			gr, dr := g[r*w:(r+1)*w], ga[r*w:(r+1)*w]
			switch {
			case bc.scalar && n.op == opMul:
				s := bv[r*bc.step]
				for j, v := range gr {
					dr[j] += v * s
				}
			case bc.scalar: // opDiv
				s := bv[r*bc.step]
				for j, v := range gr {
					dr[j] += v / s
				}
			case n.op == opMul:
				z := bv[:w]
				for j, v := range gr {
					dr[j] += v * z[j]
				}
			default: // opDiv
				z := bv[:w]
				for j, v := range gr {
					dr[j] += v / z[j]
				}
			}
		}
	}
	if !b.needsGrad {
		return
	}
	// Mul: db = g⊙a; Div: db = −g⊙y⊘b, since ∂(a/b)/∂b = −(a/b)/b.
	t := b.Grad.Data
	if !bc.same() {
		t = n.out.tape.AllocZero(a.Value.Rows, a.Value.Cols).Data
	}
	if n.op == opMul {
		for k, v := range g {
			t[k] += v * x[k]
		}
	} else {
		for r := range bc.runs {
			gr, yr, tr := g[r*w:(r+1)*w], y[r*w:(r+1)*w], t[r*w:(r+1)*w]
			if bc.scalar {
				s := bv[r*bc.step]
				for j, v := range gr {
					tr[j] -= v * yr[j] / s
				}
				continue
			}
			z := bv[:w]
			for j, v := range gr {
				tr[j] -= v * yr[j] / z[j]
			}
		}
	}
	if !bc.same() {
		accBroadcast(b.Grad.Data, t, bc, 1)
	}
}

// backwardMaskedMSE: ∂L/∂p = 2·m⊙(p − t) / Σm (n.scalar holds 1/Σm, or 0
// when the mask sums to 0).
func backwardMaskedMSE[T Float](n *node[T]) {
	p, t, m := n.in[0].Value.Data, n.in[1].Value.Data, n.in[2].Value
	ga := n.in[0].Grad.Data
	c := 2 * n.scalar * n.out.Grad.Data[0]
	if c == 0 {
		return
	}
	bc := broadcastOf(opMaskedMSE, n.in[0].Value, m)
	w := bc.width
	for r := range bc.runs {
		pr, tr, dr := p[r*w:(r+1)*w], t[r*w:(r+1)*w], ga[r*w:(r+1)*w]
		if bc.scalar {
			if s := c * m.Data[r*bc.step]; s != 0 {
				for j, v := range pr {
					dr[j] += s * (v - tr[j])
				}
			}
			continue
		}
		mr := m.Data[:w]
		for j, v := range pr {
			if mr[j] != 0 { // skipped, not ×0: unscored targets may be NaN
				dr[j] += c * mr[j] * (v - tr[j])
			}
		}
	}
}

// backwardMaskedSoftmaxCE: ∂L/∂z_ij = m_i·(p_ij·Σ_k t_ik − t_ij) / Σm, which
// is m_i·(p − t)/Σm for targets that sum to one. n.aux holds p.
func backwardMaskedSoftmaxCE[T Float](n *node[T]) {
	z, t, m := n.in[0].Value, n.in[1].Value.Data, n.in[2].Value
	ga, p := n.in[0].Grad.Data, n.aux.Data
	c := n.scalar * n.out.Grad.Data[0]
	if c == 0 {
		return
	}
	step := 0
	if m.Rows == z.Rows {
		step = 1
	}
	cols := z.Cols
	for i := range z.Rows {
		s := c * m.Data[i*step]
		if s == 0 {
			continue
		}
		tr, pr, dr := t[i*cols:(i+1)*cols], p[i*cols:(i+1)*cols], ga[i*cols:(i+1)*cols]
		var tsum T
		for _, v := range tr {
			tsum += v
		}
		for j, v := range pr {
			dr[j] += s * (v*tsum - tr[j])
		}
	}
}
