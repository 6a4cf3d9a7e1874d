package layers

import (
	"fmt"

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
//	U [T·B, N]      membrane before the reset, u_t
//	st[k] [(T+1)·B, N]  state variable k in StateNames order (v, i, a, z, r)
//
// The spikes z double as the op's output (rows B … (T+1)·B).
type lifOp[T autodiff.Float] struct {
	l            *LIF[T]
	steps, batch int
	inact        *Inactivation
	sur          surrogate.Surrogate
	u            autodiff.Tensor[T] // inputs [T·B, I]
	wEff, wInEff autodiff.Tensor[T]
	wT           autodiff.Tensor[T] // W_effᵀ [N×N]: row j is what a spike of unit j adds
	P, U         autodiff.Tensor[T]
	V, I, A, S   autodiff.Tensor[T] // state buffers; I, A empty when off
	C            autodiff.Tensor[T] // refractory counters; empty when off
	beta, alpha  []T                // clamped decays [N]
	rho          []T
	decays       autodiff.Tensor[T] // [3, N]: β, α, ρ clamped
	// Backward scratch: running gradients [B, N] and per-part decay
	// gradients [2·3, N].
	gv, gi, ga, gsr autodiff.Tensor[T]
	gDecay          autodiff.Tensor[T]
	dE, dEin        autodiff.Tensor[T]
	outGrad         autodiff.Tensor[T]
	needV0          bool
	finals, states  [5]autodiff.Tensor[T] // per state variable: after the last step, after every step
	sparseMax       int                   // spikes per part up to which the recurrent input is added column by column

	half         int
	pool         *kernels.Pool
	backward     bool
	pbFwd, pbBwd kernels.PackedB[T]
}

func (o *lifOp[T]) Name() string { return "lif" }

// RunPart runs batch rows [0, half) (part 0) or [half, batch) (part 1).
func (o *lifOp[T]) RunPart(part int) {
	lo, hi := 0, o.half
	if part == 1 {
		lo, hi = o.half, o.batch
	}
	if o.backward {
		o.backwardRows(part, lo, hi)
	} else {
		o.forwardRows(lo, hi)
	}
}

func (o *lifOp[T]) parts() int {
	if o.half < o.batch {
		return 2
	}
	return 1
}

// SpikeSeq is what a spiking layer's sequence run returns.
type SpikeSeq[T autodiff.Float] struct {
	// Rates are the spikes of every step, [steps·batch, N].
	Rates *autodiff.Var[T]
	// Final holds one tensor per state variable (StateNames order), the
	// value after the last step, [batch, N], in the tape's arena.
	Final []autodiff.Tensor[T]
	// States (only when recording) holds one tensor per state variable,
	// [steps·batch, N], the value after each step; Pre the drive p_t.
	States []autodiff.Tensor[T]
	Pre    autodiff.Tensor[T]
}

// sparseFraction is the fraction of spiking units (of the rows·N
// presynaptic entries of a step) up to which the recurrent input is formed
// by adding the rows of W_effᵀ of the units that spiked instead of a dense
// GEMM. See BenchmarkLIFRecurrent.
const sparseFraction = 0.06

// Run records the layer over steps steps of batch sequences as one fused
// op. x is [steps·batch, Inputs], time-major. init has one entry per state
// variable (StateNames), each [batch, N] or [1, N] (broadcast) or nil
// (zero); init may be shorter than the state list (missing = zero). Only
// init[0] (the membrane v) may carry a gradient. With record, the result
// holds every state variable after each step and the drive.
//
// Inactivation acts at step t: Silence forces the units' spikes to 0
// (no reset, no gradient through them), Clamp sets their post-reset
// membrane to ClampValue (cutting its gradient).
//
// It panics if x or an init entry has the wrong shape, init has more
// entries than state variables, or an Inactivation mask does not have N
// entries.
func (l *LIF[T]) Run(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions, record bool) SpikeSeq[T] {
	n, in := l.cfg.Units, l.cfg.Inputs
	names := l.names
	checkSpiking("LIF", x, init, len(names), steps, batch, in, n, opt)
	tb := steps * batch
	P := tp.Alloc(tb, n)
	o := l.ops.Get(&P.Data[0])
	o.l, o.steps, o.batch, o.inact, o.u, o.P = l, steps, batch, opt.Inactivation, x.Value, P
	o.sur = l.cfg.Surrogate.Get()
	o.U = tp.Alloc(tb, n)
	state := func(k int) autodiff.Tensor[T] {
		s := tp.Alloc(tb+batch, n)
		if k < len(init) && init[k] != nil {
			BroadcastRowsTo(s.RowSlice(0, batch), init[k].Value)
		} else {
			clear(s.Data[:batch*n])
		}
		return s
	}
	o.I, o.A, o.C = autodiff.Tensor[T]{}, autodiff.Tensor[T]{}, autodiff.Tensor[T]{}
	for k, name := range names {
		s := state(k)
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
	o.wEff, o.wInEff = l.wRec.effective(tp), l.wIn.effective(tp)
	o.wT = tp.Alloc(n, n)
	transposeTo(o.wT, o.wEff)
	o.gv, o.gi, o.ga, o.gsr = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	o.gDecay = tp.Alloc(6, n)
	o.dE, o.dEin = autodiff.Tensor[T]{}, autodiff.Tensor[T]{}
	if !l.wRec.c.IsIdentity() {
		o.dE = tp.Alloc(n, n)
	}
	if !l.wIn.c.IsIdentity() {
		o.dEin = tp.Alloc(n, in)
	}
	o.half, o.pool = batch, kernels.DefaultPool()
	if splitLeakyBatch(batch) {
		o.half, o.pool = batch/2, nil
	}
	o.sparseMax = int(sparseFraction * float64(o.half*n))

	// Drive without the recurrent part: b + W_in x (+ noise).
	fillRows(o.P, l.bias.Value.Data)
	if in > 0 {
		kernels.Gemm(false, true, tb, n, in, 1, o.u.Data, in, o.wInEff.Data, in, 1, o.P.Data, n)
	}
	if opt.Noise != nil && l.cfg.NoiseStd > 0 {
		AddNoise(o.P.Data, l.cfg.NoiseStd, opt.Noise)
	}
	kernels.PackB(&o.pbFwd, true, n, n, o.wEff.Data, n) // op(B) = W_effᵀ
	o.backward = false
	RunSplit(o.parts(), o)

	res := SpikeSeq[T]{Final: o.finals[:len(names)]}
	if record {
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
	o.needV0 = len(init) > 0 && init[0] != nil
	if o.needV0 {
		vars[k] = init[0]
		k++
	}
	res.Rates = tp.Fused(o, o.S.RowSlice(batch, tb+batch), vars[:k]...)
	return res
}

// checkSpiking panics, naming the layer, unless x is [steps·batch, inputs],
// every init entry is [batch, n] or [1, n], there are at most nState of
// them, steps and batch are positive and an inactivation mask has n
// entries.
func checkSpiking[T autodiff.Float](layer string, x *autodiff.Var[T], init []*autodiff.Var[T], nState, steps, batch, inputs, n int, opt SeqOptions) {
	if steps <= 0 || batch <= 0 {
		panic(fmt.Sprintf("layers: %s.Sequence needs steps and batch > 0, got steps=%d batch=%d", layer, steps, batch))
	}
	if x.Value.Rows != steps*batch || x.Value.Cols != inputs {
		panic(fmt.Sprintf("layers: %s.Sequence input shape %v, want [%d %d] (steps·batch = %d·%d, inputs)", layer, x.Value.Shape(), steps*batch, inputs, steps, batch))
	}
	if len(init) > nState {
		panic(fmt.Sprintf("layers: %s.Sequence got %d initial states, the layer has %d state variables", layer, len(init), nState))
	}
	for k, v := range init {
		if v != nil && ((v.Value.Rows != batch && v.Value.Rows != 1) || v.Value.Cols != n) {
			panic(fmt.Sprintf("layers: %s.Sequence initial state %d shape %v, want [%d %d] or [1 %d]", layer, k, v.Value.Shape(), batch, n, n))
		}
	}
	if m := opt.Inactivation; m != nil && len(m.Units) != n {
		panic(fmt.Sprintf("layers: %s.Sequence inactivation mask has %d units, want %d", layer, len(m.Units), n))
	}
}

// fillRows copies row [n] into every row of p.
func fillRows[T autodiff.Float](p autodiff.Tensor[T], row []T) {
	for i := 0; i < p.Rows; i++ {
		copy(p.Data[i*p.Cols:(i+1)*p.Cols], row)
	}
}

// addSpikeInput adds s·W_effᵀ to p for rows sequences of n units: a dense
// GEMM when more than o.sparseMax entries of s are nonzero, else, for
// every nonzero s_j, s_j times row j of W_effᵀ (the column of W_eff of the
// unit that spiked).
func (o *lifOp[T]) addSpikeInput(p, s []T, rows int) {
	n := o.l.cfg.Units
	if spikeCount(s) > o.sparseMax {
		kernels.GemmPackedOn(o.pool, false, rows, 1, s, n, &o.pbFwd, 1, p, n)
		return
	}
	addSpikeRows(p, s, o.wT.Data, n)
}

// addSpikeRows adds, for every row r of s [rows×n] and every nonzero
// s[r, j], s[r, j]·wT[j, :] to p[r, :].
func addSpikeRows[T autodiff.Float](p, s, wT []T, n int) {
	for r := 0; r*n < len(s); r++ {
		pr := p[r*n : (r+1)*n]
		for j, v := range s[r*n : (r+1)*n] {
			if v == 0 {
				continue
			}
			w := wT[j*n : (j+1)*n]
			w = w[:len(pr)]
			if v == 1 {
				for k, x := range w {
					pr[k] += x
				}
				continue
			}
			for k, x := range w {
				pr[k] += v * x
			}
		}
	}
}

// lifConsts are the per-call constants of the time loops.
type lifConsts[T autodiff.Float] struct {
	n                 int
	syn, adapt, refr  bool
	thr, ba, refSteps T
	subtract, resetG  bool
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
	for t := 0; t < o.steps; t++ {
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		sPrev, sNew := o.S.Data[cur:cur+w], o.S.Data[nxt:nxt+w]
		vPrev, vNew := o.V.Data[cur:cur+w], o.V.Data[nxt:nxt+w]
		p, u := o.P.Data[cur:cur+w], o.U.Data[cur:cur+w]
		o.addSpikeInput(p, sPrev, rows)
		if !k.syn && !k.adapt && !k.refr && m == nil {
			lifStep(u, sNew, vNew, vPrev, p, o.beta, k.thr, k.subtract)
			continue
		}
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
					uu = o.beta[j]*vPrev[e] + p[e]
				}
				th := k.thr
				if k.adapt {
					an := o.rho[j]*o.A.Data[cur+e] + (1-o.rho[j])*sPrev[e]
					o.A.Data[nxt+e] = an
					th = k.thr + k.ba*an
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

// lifStep is one step of the plain LIF (no synaptic current, adaptation,
// refractory period or perturbation) for rows of n units: u = β⊙v + p,
// s = H(u − θ), v' = u − θs (subtract) or (1 − s)u.
func lifStep[T autodiff.Float](u, sNew, vNew, vPrev, p, beta []T, thr T, subtract bool) {
	n := len(beta)
	for r := 0; r*n < len(u); r++ {
		ur, sr, vr := u[r*n:(r+1)*n], sNew[r*n:(r+1)*n], vNew[r*n:(r+1)*n]
		vp, pr := vPrev[r*n:(r+1)*n], p[r*n:(r+1)*n]
		for j, bj := range beta {
			uu := bj*vp[j] + pr[j]
			ur[j] = uu
			var s T
			if uu-thr > 0 {
				s = 1
			}
			sr[j] = s
			if subtract {
				vr[j] = uu - thr*s
			} else {
				vr[j] = uu * (1 - s)
			}
		}
	}
}

// Backward implements autodiff.FusedOp. Inputs: x, W_in, W_rec, bias,
// beta, [alpha], [rho], [v0].
func (o *lifOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	l := o.l
	n, in, b, steps := l.cfg.Units, l.cfg.Inputs, o.batch, o.steps
	o.outGrad = g
	o.gDecay.Zero()
	kernels.PackB(&o.pbBwd, false, n, n, o.wEff.Data, n) // op(B) = W_eff
	o.backward = true
	RunSplit(o.parts(), o)
	o.outGrad = autodiff.Tensor[T]{}
	tb := steps * b
	k := 4
	decay := func(p *autodiff.Param[T], row int) {
		d := grads[k]
		k++
		if d.Data == nil {
			return
		}
		for part := 0; part < 2; part++ {
			accClampGrad(d.Data, o.gDecay.Data[(2*row+part)*n:(2*row+part+1)*n], p.Value.Data)
		}
	}
	decay(l.beta, 0)
	if l.alpha != nil {
		decay(l.alpha, 1)
	}
	if l.rho != nil {
		decay(l.rho, 2)
	}
	if o.needV0 {
		AccReduceRows(grads[k], o.gv)
	}
	if d := grads[2]; d.Data != nil {
		tgt := l.wRec.gradTarget(d, o.dE)
		kernels.Gemm(true, false, n, n, tb, 1, o.P.Data, n, o.S.Data[:tb*n], n, 1, tgt.Data, n)
		l.wRec.finish(d, o.dE)
	}
	if d := grads[1]; d.Data != nil && in > 0 {
		tgt := l.wIn.gradTarget(d, o.dEin)
		kernels.Gemm(true, false, n, in, tb, 1, o.P.Data, n, o.u.Data, in, 1, tgt.Data, in)
		l.wIn.finish(d, o.dEin)
	}
	if d := grads[0]; d.Data != nil && in > 0 {
		kernels.Gemm(false, false, tb, in, n, 1, o.P.Data, n, o.wInEff.Data, in, 1, d.Data, in)
	}
	sumRows(grads[3], o.P)
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
		dp, u := o.P.Data[cur:cur+w], o.U.Data[cur:cur+w]
		active := m.Active(t)
		for r := 0; r < rows; r++ {
			for j := 0; j < n; j++ {
				e := r*n + j
				s, uu := sNew[e], u[e]
				th := k.thr
				if k.adapt {
					th = k.thr + k.ba*o.A.Data[nxt+e]
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
						gs -= th * gvk
					}
				} else {
					gu = gvk * (1 - s)
					if k.resetG {
						gs -= uu * gvk
					}
				}
				refractory := k.refr && o.C.Data[cur+e] > 0
				silenced := active && m.Silence && m.Units[j]
				if !refractory && !silenced {
					gx := gs * T(sur.Deriv(float64(uu-th)))
					gu += gx
					gth -= gx
				}
				var gs0 T // dL/ds_{t−1} from this step's adaptation
				if k.adapt {
					ga1 := ga[e] + k.ba*gth
					gRho[j] += ga1 * (o.A.Data[cur+e] - sPrev[e])
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
					gBeta[j] += gu * vPrev[e]
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
	}
}
