package layers

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// lifOp is the fused whole-sequence op of a LIF layer.
//
// Buffers (tape arena, time-major, B = batch, N = units; a state buffer's
// row block 0 is the initial state, block t+1 the value after step t):
//
//	P [T·B, N]      drive p_t; overwritten by dL/dp_t in Backward
//	U [T·B, N]      membrane before the reset, u_t; empty for the plain
//	                LIF with the subtractive reset, whose reverse step finds
//	                u_t − θ from v_t and z_t (kernels.LIFBackFastSigmoid)
//	st[k] [(T+1)·B, N]  state variable k in StateVars order (v, i, a, z, r)
//
// The spikes z double as the op's output (rows B … (T+1)·B).
type lifOp[T autodiff.Float] struct {
	spikeOp[T]
	l           *LIF[T]
	U           autodiff.Tensor[T]
	V, I, A, S  autodiff.Tensor[T] // state buffers; I, A empty when off
	C           autodiff.Tensor[T] // refractory counters; empty when off
	beta, alpha []T                // clamped decays [N]
	rho         []T
	decays      autodiff.Tensor[T] // [3, N]: β, α, ρ clamped
	// Backward scratch: running gradients [B, N] and per-part decay
	// gradients [2·3, N].
	gv, gi, ga, gsr autodiff.Tensor[T]
	gs, xs, gx      autodiff.Tensor[T] // backward scratch: dL/ds_t, u_t − θ and the surrogate's share [B, N]; xs holds θ_t in the ALIF's forward
	gDecay          autodiff.Tensor[T]
	needV0          bool
	finals, states  [5]autodiff.Tensor[T] // per state variable: after the last step, after every step
}

func (o *lifOp[T]) Name() string { return "lif" }

// Sequence implements Recurrent: it records the layer over steps steps of
// batch sequences as one fused op. x is [steps·batch, Inputs], time-major.
// init has one entry per state variable (StateVars), each [batch, N] or
// [1, N] (broadcast) or nil (zero); init may be shorter than the state list
// (missing = zero). Only init[0] (the membrane v) may carry a gradient.
// The rates are the spikes. With opt.Record, the result holds every state
// variable after each step, and Pre the drive p_t.
//
// Inactivation acts at step t: Silence forces the units' spikes to 0
// (no reset, no gradient through them), Clamp sets their post-reset
// membrane to ClampValue (cutting its gradient).
//
// It panics if x or an init entry has the wrong shape, init has more
// entries than state variables, or an Inactivation mask does not have N
// entries.
func (l *LIF[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T] {
	n, in := l.cfg.Units, l.cfg.Inputs
	names := l.names
	checkSpiking("LIF", x, init, len(names), steps, batch, in, n, opt)
	tb := steps * batch
	P := tp.Alloc(tb, n)
	o := l.ops.Get(&P.Data[0])
	o.l = l
	o.U = autodiff.Tensor[T]{}
	if c := &l.cfg; c.Reset != ResetSubtract || l.alpha != nil || l.rho != nil || c.RefractorySteps > 0 || opt.Inactivation != nil {
		o.U = tp.Alloc(tb, n)
	}
	o.I, o.A, o.C = autodiff.Tensor[T]{}, autodiff.Tensor[T]{}, autodiff.Tensor[T]{}
	for k, name := range names {
		var v0 *autodiff.Var[T]
		if k < len(init) {
			v0 = init[k]
		}
		s := stateBuffer(tp, v0, steps, batch, n)
		switch name {
		case "v":
			o.V = s
		case "i":
			o.I = s
		case "a":
			o.A = s
		case "z":
			o.S = s
		case "r":
			o.C = s
		}
		o.finals[k] = s.RowSlice(tb, tb+batch)
		o.states[k] = s.RowSlice(batch, tb+batch)
	}
	o.decays = tp.Alloc(3, n)
	o.beta, o.alpha, o.rho = o.decays.Data[:n], o.decays.Data[n:2*n], o.decays.Data[2*n:]
	clamp01To(o.beta, l.beta.Value.Data)
	if l.alpha != nil {
		clamp01To(o.alpha, l.alpha.Value.Data)
	}
	if l.rho != nil {
		clamp01To(o.rho, l.rho.Value.Data)
	}
	o.gv, o.gi, o.ga, o.gsr = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	o.gs, o.xs, o.gx = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	o.gDecay = tp.Alloc(6, n)
	o.start(tp, &l.spikingWeights, o, P, x, steps, batch, opt, &l.cfg.SpikeOptions)
	o.run(false)

	res := Seq[T]{Final: o.finals[:len(names)]}
	if opt.Record {
		res.Pre = tp.Alloc(tb, n)
		copy(res.Pre.Data, o.P.Data)
		res.States = o.states[:len(names)]
	}
	vars := [8]*autodiff.Var[T]{x, tp.Param(l.wIn.p), tp.Param(l.wRec.p), tp.Param(l.bias), tp.Param(l.beta)}
	k := 5
	if l.alpha != nil {
		vars[k] = tp.Param(l.alpha)
		k++
	}
	if l.rho != nil {
		vars[k] = tp.Param(l.rho)
		k++
	}
	res.Rates, o.needV0 = o.record(tp, o, o.S, vars[:], k, init)
	return res
}

// lifConsts are the per-call constants of the time loops.
type lifConsts[T autodiff.Float] struct {
	n                 int
	syn, adapt, refr  bool
	thr, ba, refSteps T
	subtract, resetG  bool
}

// plain reports whether a step runs the plain LIF: no synaptic current,
// adaptation, refractory period or perturbation.
func (k *lifConsts[T]) plain(m *Inactivation) bool { return !k.syn && !k.adapt && !k.refr && m == nil }

// adaptive reports whether a step runs the ALIF with nothing else: an
// adaptive threshold, no synaptic current, refractory period or
// perturbation (alifStep, alifBackStep).
func (k *lifConsts[T]) adaptive(m *Inactivation) bool {
	return k.adapt && !k.syn && !k.refr && m == nil
}

func (o *lifOp[T]) consts() lifConsts[T] {
	c := &o.l.cfg
	return lifConsts[T]{n: c.Units, syn: o.l.alpha != nil, adapt: o.l.rho != nil, refr: c.RefractorySteps > 0,
		thr: T(c.Threshold), ba: T(c.AdaptStrength), refSteps: T(c.RefractorySteps),
		subtract: c.Reset == ResetSubtract, resetG: c.ResetGrad}
}

// forwardRows runs the time loop for the sequences lo … hi−1.
func (o *lifOp[T]) forwardRows(lo, hi int) {
	k := o.consts()
	n, b, rows := k.n, o.batch, hi-lo
	w := rows * n
	m := o.inact
	spiked := spikeCount(o.S.Data[lo*n : hi*n]) // nonzero entries of the previous step's spikes
	total := spiked
	defer func() { o.spikes[min(lo, 1)] = total }()
	for t := 0; t < o.steps; t++ {
		if t > 0 {
			total += spiked
		}
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		sPrev, sNew := o.S.Data[cur:cur+w], o.S.Data[nxt:nxt+w]
		vPrev, vNew := o.V.Data[cur:cur+w], o.V.Data[nxt:nxt+w]
		p := o.P.Data[cur : cur+w]
		u := o.xs.Data[lo*n : hi*n] // the plain step's u, not kept
		if o.U.Data != nil {
			u = o.U.Data[cur : cur+w]
		}
		o.rec.add(o.pool, min(lo, 1), p, sPrev, rows, spiked)
		if k.plain(m) {
			spiked = kernels.LIFStep(u, sNew, vNew, vPrev, p, o.beta, k.thr, k.subtract)
			continue
		}
		if k.adaptive(m) {
			th := o.xs.Data[lo*n : hi*n]
			spiked = kernels.ALIFStep(u, sNew, vNew, o.A.Data[nxt:nxt+w], th, vPrev, o.A.Data[cur:cur+w], sPrev, p, o.beta, o.rho, k.thr, k.ba, k.subtract)
			continue
		}
		// The general loop. T(·) rounds each product that feeds a sum where
		// the plain and adaptive steps (kernels.LIFStep, kernels.ALIFStep)
		// round it: without it the compiler may fuse the two into one FMA (it
		// does for GOAMD64=v3) and the bits would differ.
		spiked = 0
		active := m.Active(t)
		for r := 0; r < rows; r++ {
			for j := 0; j < n; j++ {
				e := r*n + j
				var uu T
				if k.syn {
					ip := o.I.Data[cur+e]
					uu = o.beta[j]*vPrev[e] + (1-o.beta[j])*ip
					o.I.Data[nxt+e] = o.alpha[j]*ip + p[e]
				} else {
					uu = T(o.beta[j]*vPrev[e]) + p[e]
				}
				th := k.thr
				if k.adapt {
					an := T(o.rho[j]*o.A.Data[cur+e]) + T((1-o.rho[j])*sPrev[e])
					o.A.Data[nxt+e] = an
					th = k.thr + T(k.ba*an)
				}
				refractory := k.refr && o.C.Data[cur+e] > 0
				if refractory {
					uu = vPrev[e]
				}
				u[e] = uu
				var s T
				if !refractory && uu-th > 0 {
					s = 1
				}
				if active && m.Silence && m.Units[j] {
					s = 0
				}
				sNew[e] = s
				if s != 0 {
					spiked++
				}
				var vn T
				if k.subtract {
					vn = uu - th*s
				} else {
					vn = uu * (1 - s)
				}
				if active && m.Clamp && m.Units[j] {
					vn = T(m.ClampValue)
				}
				vNew[e] = vn
				if k.refr {
					c := o.C.Data[cur+e]
					if s != 0 {
						c = k.refSteps
					} else {
						c = max(c-1, 0)
					}
					o.C.Data[nxt+e] = c
				}
			}
		}
	}
}

// Backward implements autodiff.FusedOp. Inputs: x, W_in, W_rec, bias,
// beta, [alpha], [rho], [v0].
func (o *lifOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	l := o.l
	n := l.cfg.Units
	o.outGrad = g
	o.gDecay.Zero()
	kernels.PackB(&o.pbBwd, false, n, n, o.wEff.Data, n) // op(B) = W_eff
	o.preparePackDP(grads[2].Data != nil)
	o.prepareFold(grads)
	o.run(true)
	o.outGrad = autodiff.Tensor[T]{}
	k := 4
	for row, p := range [3]*autodiff.Param[T]{l.beta, l.alpha, l.rho} {
		if p == nil {
			continue
		}
		if d := grads[k]; d.Data != nil {
			for part := 0; part < 2; part++ {
				accClampGrad(d.Data, o.gDecay.Data[(2*row+part)*n:(2*row+part+1)*n], p.Value.Data)
			}
		}
		k++
	}
	if o.needV0 {
		AccReduceRows(grads[k], o.gv)
	}
	o.inputGrads(grads, o.P, o.S)
}

// backwardRows walks time in reverse for the sequences lo … hi−1, turning
// the output gradient into dL/dp_t (in place of P), the gradient of v_0
// (into rows lo … hi−1 of gv) and this part's decay gradients.
func (o *lifOp[T]) backwardRows(part, lo, hi int) {
	k := o.consts()
	n, b, rows := k.n, o.batch, hi-lo
	w := rows * n
	m := o.inact
	gv, gi, ga, gsr := o.gv.Data[lo*n:hi*n], o.gi.Data[lo*n:hi*n], o.ga.Data[lo*n:hi*n], o.gsr.Data[lo*n:hi*n]
	clear(gv)
	clear(gi)
	clear(ga)
	clear(gsr)
	gBeta := o.gDecay.Data[part*n : (part+1)*n]
	gAlpha := o.gDecay.Data[(2+part)*n : (3+part)*n]
	gRho := o.gDecay.Data[(4+part)*n : (5+part)*n]
	clear(gBeta)
	clear(gAlpha)
	clear(gRho)
	sur := o.sur
	for t := o.steps - 1; t >= 0; t-- {
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		og := o.outGrad.Data[cur : cur+w]
		sPrev, sNew := o.S.Data[cur:cur+w], o.S.Data[nxt:nxt+w]
		vPrev := o.V.Data[cur : cur+w]
		dp := o.P.Data[cur : cur+w]
		var u []T
		if o.U.Data != nil {
			u = o.U.Data[cur : cur+w]
		}
		if k.plain(m) {
			o.plainBackStep(dp, gv, gsr, gBeta, og, sNew, o.V.Data[nxt:nxt+w], vPrev, u, lo, hi, k)
			kernels.GemmPackedOn(o.pool, false, rows, 1, dp, n, &o.pbBwd, 0, gsr, n)
			o.stepGrads(part, t, lo, hi, dp)
			o.listRows(part, t, lo, hi, o.S.Data)
			continue
		}
		if k.adaptive(m) {
			o.alifBackStep(dp, gv, ga, gsr, gBeta, gRho, og, sNew, sPrev, vPrev, u, o.A.Data[cur:cur+w], o.A.Data[nxt:nxt+w], lo, hi, k)
			if t > 0 {
				kernels.GemmPackedOn(o.pool, false, rows, 1, dp, n, &o.pbBwd, 1, gsr, n)
			}
			o.stepGrads(part, t, lo, hi, dp)
			o.listRows(part, t, lo, hi, o.S.Data)
			continue
		}
		// The general loop, with T(·) rounding the products that
		// plainBackStep, alifBackStep and the kernels round (see forwardRows).
		o.rows.ok[part] = false
		active := m.Active(t)
		for r := 0; r < rows; r++ {
			for j := 0; j < n; j++ {
				e := r*n + j
				s, uu := sNew[e], u[e]
				th := k.thr
				if k.adapt {
					th = k.thr + T(k.ba*o.A.Data[nxt+e])
				}
				gs := og[e] + gsr[e]
				gvk := gv[e]
				if active && m.Clamp && m.Units[j] {
					gvk = 0
				}
				var gu, gth T
				if k.subtract {
					gu, gth = gvk, -s*gvk
					if k.resetG {
						gs -= T(th * gvk)
					}
				} else {
					gu = gvk * (1 - s)
					if k.resetG {
						gs -= T(uu * gvk)
					}
				}
				refractory := k.refr && o.C.Data[cur+e] > 0
				silenced := active && m.Silence && m.Units[j]
				if !refractory && !silenced {
					gx := T(gs * T(sur.Deriv(float64(uu-th))))
					gu += gx
					gth -= gx
				}
				var gs0 T // dL/ds_{t−1} from this step's adaptation
				if k.adapt {
					ga1 := ga[e] + T(k.ba*gth)
					gRho[j] += T(ga1 * (o.A.Data[cur+e] - sPrev[e]))
					ga[e] = o.rho[j] * ga1
					gs0 = (1 - o.rho[j]) * ga1
				}
				var d T // dL/dp_t
				switch {
				case refractory:
					gv[e] = gu
				case k.syn:
					ip := o.I.Data[cur+e]
					gBeta[j] += gu * (vPrev[e] - ip)
					gv[e] = o.beta[j] * gu
				default:
					gBeta[j] += T(gu * vPrev[e])
					gv[e] = o.beta[j] * gu
					d = gu
				}
				if k.syn {
					ip := o.I.Data[cur+e]
					gi1 := gi[e]
					d = gi1
					gAlpha[j] += gi1 * ip
					gi[e] = o.alpha[j] * gi1
					if !refractory {
						gi[e] += (1 - o.beta[j]) * gu
					}
				}
				dp[e] = d
				gsr[e] = gs0
			}
		}
		if t > 0 {
			kernels.GemmPackedOn(o.pool, false, rows, 1, dp, n, &o.pbBwd, 1, gsr, n)
		}
		o.stepGrads(part, t, lo, hi, dp)
	}
}

// vectorSurrogate reports whether the reverse steps run on the vector
// kernels (the detached subtractive reset with the fast-sigmoid or the
// arctangent surrogate), with the surrogate's constants: the slope (c1) of
// FastSigmoid, or c0 = α/2 and c1 = πα/2 of ArcTan(α).
func (o *lifOp[T]) vectorSurrogate(k lifConsts[T]) (arcTan bool, c1, c0 T, ok bool) {
	if !k.subtract || k.resetG {
		return false, 0, 0, false
	}
	switch sg := o.sur.(type) {
	case surrogate.FastSigmoid:
		return false, T(sg.K()), 0, true
	case surrogate.ArcTan:
		a := sg.A()
		return true, T(math.Pi * a / 2), T(a / 2), true
	}
	return false, 0, 0, false
}

// plainBackStep is one reverse step of the plain LIF for batch rows
// lo … hi−1: dp = ∂L/∂u (the reset's share, then the surrogate's through
// surrogate.GradTo), gv = β⊙dp, gBeta += dp⊙v_{t−1}. It leaves gsr for the
// caller to overwrite with dp·W_eff. vNew is the membrane after the step's
// reset; u (before it) is nil with the subtractive reset, where u − θ is
// vNew − θ·(1 − s) to the bit.
func (o *lifOp[T]) plainBackStep(dp, gv, gsr, gBeta, og, sNew, vNew, vPrev, u []T, lo, hi int, k lifConsts[T]) {
	n := k.n
	if arcTan, c1, c0, ok := o.vectorSurrogate(k); ok {
		// The common case (snnTorch's defaults) in one vector pass.
		if arcTan {
			kernels.LIFBackArcTan(dp, gv, gBeta, og, gsr, vNew, sNew, vPrev, o.beta, k.thr, c0, c1)
		} else {
			kernels.LIFBackFastSigmoid(dp, gv, gBeta, og, gsr, vNew, sNew, vPrev, o.beta, k.thr, c1)
		}
		return
	}
	gs, x := o.gs.Data[lo*n:hi*n], o.xs.Data[lo*n:hi*n]
	for e, v := range og {
		g, gvk := v+gsr[e], gv[e]
		if k.subtract {
			dp[e] = gvk
			if k.resetG {
				g -= T(k.thr * gvk)
			}
			x[e] = vNew[e] - T(k.thr*(1-sNew[e]))
		} else {
			uu := u[e]
			dp[e] = gvk * (1 - sNew[e])
			if k.resetG {
				g -= T(uu * gvk)
			}
			x[e] = uu - k.thr
		}
		gs[e] = g
	}
	surrogate.GradTo(o.sur, dp, gs, x)
	for r := 0; r*n < len(dp); r++ {
		d, gvr, vp := dp[r*n:(r+1)*n], gv[r*n:(r+1)*n], vPrev[r*n:(r+1)*n]
		for j, bj := range o.beta {
			gvr[j] = bj * d[j]
			gBeta[j] += T(d[j] * vp[j])
		}
	}
}

// alifBackStep is one reverse step of the adaptive LIF (lifConsts.adaptive)
// for batch rows lo … hi−1: the vector kernel kernels.ALIFBack where
// vectorSurrogate allows it, else the operations of the general loop of
// backwardRows in the same order (the same bits), the surrogate's
// derivative taken for all rows at once (surrogate.GradTo) instead of one
// interface call per unit: dp = ∂L/∂u, gv = β⊙dp, ga and gsr the
// gradients carried to the previous step's adaptation and spikes, gBeta and
// gRho accumulated. The caller adds dp·W_eff to gsr.
func (o *lifOp[T]) alifBackStep(dp, gv, ga, gsr, gBeta, gRho, og, sNew, sPrev, vPrev, u, aPrev, aNew []T, lo, hi int, k lifConsts[T]) {
	n := k.n
	gs, x, gx := o.gs.Data[lo*n:hi*n], o.xs.Data[lo*n:hi*n], o.gx.Data[lo*n:hi*n]
	if arcTan, c1, c0, ok := o.vectorSurrogate(k); ok {
		kernels.ALIFBack(arcTan, dp, gv, ga, gsr, gx, gBeta, gRho, og, sNew, sPrev, u, aPrev, aNew, vPrev, o.beta, o.rho, k.thr, k.ba, c1, c0)
		return
	}
	for e, uu := range u {
		th := k.thr + T(k.ba*aNew[e])
		g, gvk := og[e]+gsr[e], gv[e]
		if k.subtract {
			dp[e] = gvk
			if k.resetG {
				g -= T(th * gvk)
			}
		} else {
			dp[e] = gvk * (1 - sNew[e])
			if k.resetG {
				g -= T(uu * gvk)
			}
		}
		gs[e], x[e] = g, uu-th
	}
	clear(gx)
	surrogate.GradTo(o.sur, gx, gs, x)
	rho, beta := o.rho[:n], o.beta[:n]
	gBeta, gRho = gBeta[:n], gRho[:n]
	for r := 0; r*n < len(u); r++ {
		e0 := r * n
		for j, bj := range beta {
			e := e0 + j
			var gth T
			if k.subtract {
				gth = -sNew[e] * gv[e]
			}
			gu := dp[e] + gx[e]
			gth -= gx[e]
			ga1 := ga[e] + T(k.ba*gth)
			gRho[j] += T(ga1 * (aPrev[e] - sPrev[e]))
			ga[e] = rho[j] * ga1
			gsr[e] = (1 - rho[j]) * ga1
			gBeta[j] += T(gu * vPrev[e])
			gv[e] = bj * gu
			dp[e] = gu
		}
	}
}
