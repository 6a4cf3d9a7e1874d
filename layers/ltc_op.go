package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// ltcOp is the fused whole-sequence op of an LTC layer.
//
// Buffers (tape arena, time-major; a state buffer's row block 0 is the
// initial state, block t+1 the value after step t):
//
//	P  [T·B, N]      drive d_t
//	Z  [T·B, 2N]     gates [τm | τa] (σ applied); dL/d(pre-σ gates) after Backward
//	U  [T·B, N]      membrane before the reset, ũ_t
//	GD [T·B, N]      dL/dd_t (Backward)
//	Uv, Bv, S [(T+1)·B, N]  state u, adaptation b, spikes z
type ltcOp[T autodiff.Float] struct {
	spikeOp[T]
	l           *LTC[T]
	Z, U, GD    autodiff.Tensor[T]
	Uv, Bv, S   autodiff.Tensor[T]
	gu, gb, gsr autodiff.Tensor[T] // running gradients [B, N]
	gs, xs, gx  autodiff.Tensor[T] // scratch: dL/ds_t, ũ_t − θ_t and the surrogate's share [B, N]
	needU0      bool
	finals      [3]autodiff.Tensor[T]
	states      [3]autodiff.Tensor[T]
	// Gate weights packed once per pass: forward op(B) = Gᵀ, backward G.
	pGd, pGu, pGb    kernels.PackedB[T]
	pGdB, pGuB, pGbB kernels.PackedB[T]
}

func (o *ltcOp[T]) Name() string { return "ltc" }

// Sequence implements Recurrent, as LIF.Sequence does (state variables u,
// b, z; Pre is the drive d_t).
// Inactivation acts at step t: Silence forces the units' spikes to 0,
// Clamp sets their post-reset membrane to ClampValue, both cutting the
// gradient through the perturbed values. It panics on wrong shapes.
func (l *LTC[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T] {
	n, in := l.cfg.Units, l.cfg.Inputs
	checkSpiking("LTC", x, init, 3, steps, batch, in, n, opt)
	tb := steps * batch
	P := tp.Alloc(tb, n)
	o := l.ops.Get(&P.Data[0])
	o.l = l
	o.Z, o.U, o.GD = tp.Alloc(tb, 2*n), tp.Alloc(tb, n), tp.Alloc(tb, n)
	for k, s := range [3]*autodiff.Tensor[T]{&o.Uv, &o.Bv, &o.S} {
		var v0 *autodiff.Var[T]
		if k < len(init) {
			v0 = init[k]
		}
		*s = stateBuffer(tp, v0, steps, batch, n)
		o.finals[k] = s.RowSlice(tb, tb+batch)
		o.states[k] = s.RowSlice(batch, tb+batch)
	}
	o.gu, o.gb, o.gsr = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	o.gs, o.xs, o.gx = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	o.start(tp, &l.spikingWeights, o, P, x, steps, batch, opt, &l.cfg.SpikeOptions)
	fillRows(o.Z, l.gBias.Value.Data)
	kernels.PackB(&o.pGd, true, n, 2*n, l.gd.Value.Data, n)
	kernels.PackB(&o.pGu, true, n, n, l.gu.Value.Data, n)
	kernels.PackB(&o.pGb, true, n, n, l.gb.Value.Data, n)
	o.run(false)

	res := Seq[T]{Final: o.finals[:]}
	if opt.Record {
		res.Pre = tp.Alloc(tb, n)
		copy(res.Pre.Data, o.P.Data)
		res.States = o.states[:]
	}
	vars := [10]*autodiff.Var[T]{x, tp.Param(l.wIn.p), tp.Param(l.wRec.p), tp.Param(l.bias),
		tp.Param(l.gd), tp.Param(l.gu), tp.Param(l.gb), tp.Param(l.gBias)}
	k := 8
	res.Rates, o.needU0 = o.record(tp, o, o.S, vars[:], k, init)
	return res
}

// forwardRows runs the time loop for the sequences lo … hi−1.
func (o *ltcOp[T]) forwardRows(lo, hi int) {
	n, b, rows := o.l.cfg.Units, o.batch, hi-lo
	w := rows * n
	thr, ba := T(o.l.cfg.Threshold), T(o.l.cfg.AdaptStrength)
	m := o.inact
	spiked := spikeCount(o.S.Data[lo*n : hi*n]) // nonzero entries of the previous step's spikes
	for t := 0; t < o.steps; t++ {
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		d, z := o.P.Data[cur:cur+w], o.Z.Data[2*cur:2*(cur+w)]
		sPrev, uPrev, bPrev := o.S.Data[cur:cur+w], o.Uv.Data[cur:cur+w], o.Bv.Data[cur:cur+w]
		sNew, uNew, bNew := o.S.Data[nxt:nxt+w], o.Uv.Data[nxt:nxt+w], o.Bv.Data[nxt:nxt+w]
		u := o.U.Data[cur : cur+w]
		o.rec.add(o.pool, min(lo, 1), d, sPrev, rows, spiked)
		kernels.GemmPackedOn(o.pool, false, rows, 1, d, n, &o.pGd, 1, z, 2*n)
		kernels.GemmPackedOn(o.pool, false, rows, 1, uPrev, n, &o.pGu, 1, z, 2*n)
		kernels.GemmPackedOn(o.pool, false, rows, 1, bPrev, n, &o.pGb, 1, z[n:], 2*n)
		sigmoidTo(z, z)
		active := m.Active(t)
		spiked = 0
		for r := 0; r < rows; r++ {
			zr := z[2*r*n : 2*(r+1)*n]
			for j := 0; j < n; j++ {
				e := r*n + j
				tm, ta := zr[j], zr[n+j]
				bt := ta*bPrev[e] + (1-ta)*sPrev[e]
				bNew[e] = bt
				th := thr + ba*bt
				uu := (1-tm)*uPrev[e] + tm*d[e]
				u[e] = uu
				var s T
				if uu-th > 0 {
					s = 1
				}
				if active && m.Silence && m.Units[j] {
					s = 0
				}
				sNew[e] = s
				if s != 0 {
					spiked++
				}
				un := uu * (1 - s)
				if active && m.Clamp && m.Units[j] {
					un = T(m.ClampValue)
				}
				uNew[e] = un
			}
		}
	}
}

// Backward implements autodiff.FusedOp. Inputs: x, W_in, W_rec, b, G_d,
// G_u, G_b, c, [u0].
func (o *ltcOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	l := o.l
	n, tb := l.cfg.Units, o.steps*o.batch
	o.outGrad = g
	kernels.PackB(&o.pbBwd, false, n, n, o.wEff.Data, n)
	kernels.PackB(&o.pGdB, false, 2*n, n, l.gd.Value.Data, n)
	kernels.PackB(&o.pGuB, false, n, n, l.gu.Value.Data, n)
	kernels.PackB(&o.pGbB, false, n, n, l.gb.Value.Data, n)
	o.run(true)
	o.outGrad = autodiff.Tensor[T]{}
	if o.needU0 {
		AccReduceRows(grads[8], o.gu)
	}
	o.inputGrads(grads, o.GD, o.S)
	if d := grads[4]; d.Data != nil {
		kernels.Gemm(true, false, 2*n, n, tb, 1, o.Z.Data, 2*n, o.P.Data, n, 1, d.Data, n)
	}
	if d := grads[5]; d.Data != nil {
		kernels.Gemm(true, false, n, n, tb, 1, o.Z.Data, 2*n, o.Uv.Data[:tb*n], n, 1, d.Data, n)
	}
	if d := grads[6]; d.Data != nil {
		kernels.Gemm(true, false, n, n, tb, 1, o.Z.Data[n:], 2*n, o.Bv.Data[:tb*n], n, 1, d.Data, n)
	}
	sumRows(grads[7], o.Z)
}

// backwardRows walks time in reverse for the sequences lo … hi−1, writing
// dL/dd_t into GD, the gates' pre-σ gradients into Z, and the gradient of
// u_0 into rows lo … hi−1 of gu.
func (o *ltcOp[T]) backwardRows(_, lo, hi int) {
	n, b, rows := o.l.cfg.Units, o.batch, hi-lo
	w := rows * n
	thr, ba := T(o.l.cfg.Threshold), T(o.l.cfg.AdaptStrength)
	resetG := o.l.cfg.ResetGrad
	m := o.inact
	gu, gb, gsr := o.gu.Data[lo*n:hi*n], o.gb.Data[lo*n:hi*n], o.gsr.Data[lo*n:hi*n]
	clear(gu)
	clear(gb)
	clear(gsr)
	sur := o.sur
	for t := o.steps - 1; t >= 0; t-- {
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		og := o.outGrad.Data[cur : cur+w]
		d, z, gd := o.P.Data[cur:cur+w], o.Z.Data[2*cur:2*(cur+w)], o.GD.Data[cur:cur+w]
		sPrev, uPrev, bPrev := o.S.Data[cur:cur+w], o.Uv.Data[cur:cur+w], o.Bv.Data[cur:cur+w]
		sNew, bNew := o.S.Data[nxt:nxt+w], o.Bv.Data[nxt:nxt+w]
		u := o.U.Data[cur : cur+w]
		active := m.Active(t)
		// Without a perturbation the surrogate's share is taken for all
		// rows at once (surrogate.GradTo: the same operations as the loop
		// below, without an interface call per unit). Both round their
		// products with T(·), so that no fused multiply-add (GOAMD64=v3)
		// makes one differ from the other.
		plain := m == nil
		if plain {
			gsv, xv, gxv := o.gs.Data[lo*n:hi*n], o.xs.Data[lo*n:hi*n], o.gx.Data[lo*n:hi*n]
			for e, uu := range u {
				g := og[e] + gsr[e]
				if resetG {
					g -= T(uu * gu[e])
				}
				gsv[e], xv[e] = g, uu-(thr+T(ba*bNew[e]))
			}
			clear(gxv)
			surrogate.GradTo(sur, gxv, gsv, xv)
		}
		for r := 0; r < rows; r++ {
			zr := z[2*r*n : 2*(r+1)*n]
			for j := 0; j < n; j++ {
				e := r*n + j
				s, uu := sNew[e], u[e]
				gv := gu[e]
				if active && m.Clamp && m.Units[j] {
					gv = 0
				}
				gU := gv * (1 - s)
				var gth T
				switch {
				case plain:
					gx := o.gx.Data[lo*n+e]
					gU += gx
					gth = -gx
				case !(active && m.Silence && m.Units[j]):
					th := thr + T(ba*bNew[e])
					gs := og[e] + gsr[e]
					if resetG {
						gs -= T(uu * gv)
					}
					gx := T(gs * T(sur.Deriv(float64(uu-th))))
					gU += gx
					gth = -gx
				}
				gbt := gb[e] + ba*gth
				tm, ta := zr[j], zr[n+j]
				gtm := gU * (d[e] - uPrev[e])
				gd[e] = tm * gU
				gu[e] = (1 - tm) * gU
				gta := gbt * (bPrev[e] - sPrev[e])
				gb[e] = ta * gbt
				gsr[e] = (1 - ta) * gbt
				zr[j] = gtm * tm * (1 - tm)
				zr[n+j] = gta * ta * (1 - ta)
			}
		}
		// dL/dd_t += dZ·G_d; then the state gradients through the gates and
		// W_rec (the initial b and z are constants: skipped at t = 0).
		kernels.GemmPackedOn(o.pool, false, rows, 1, z, 2*n, &o.pGdB, 1, gd, n)
		if t > 0 || o.needU0 {
			kernels.GemmPackedOn(o.pool, false, rows, 1, z, 2*n, &o.pGuB, 1, gu, n)
		}
		if t > 0 {
			kernels.GemmPackedOn(o.pool, false, rows, 1, z[n:], 2*n, &o.pGbB, 1, gb, n)
			kernels.GemmPackedOn(o.pool, false, rows, 1, gd, n, &o.pbBwd, 1, gsr, n)
		}
	}
}
