package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// leakyOp is the fused whole-sequence op of a Leaky layer: one record per
// Sequence call, reused through the layer's SeqCache.
//
// Buffers (all from the tape's arena, time-major, B = batch, N = units):
//
//	S [(T+1)·B, N]  integrated quantity: x (state integration) or r (rate)
//	R [(T+1)·B, N]  rates φ(x) (state integration); aliases S for rate
//	P [T·B, N]      drive W_in u + b + W r; under rate integration φ(drive)
//	                after the forward pass; overwritten by dP in Backward
//	noise [T·B, N]  the noise of every step, drawn before the time loop
//
// The sequences of a batch evolve independently, so the time loops of the
// forward and backward passes run the two halves of the batch on two
// goroutines, each with serial GEMMs on W packed once per pass: one handoff
// per pass instead of one per GEMM when the GEMM kernels split each step's
// GEMM over the cores (see splitLeakyBatch). The weight gradients are then formed over
// all rows at once by the parallel GEMM, as always.
type leakyOp[T autodiff.Float] struct {
	l            *Leaky[T]
	steps, batch int
	inact        *Inactivation
	u            autodiff.Tensor[T] // inputs [T·B, I]
	wEff, wInEff autodiff.Tensor[T]
	S, R, P      autodiff.Tensor[T]
	noise        autodiff.Tensor[T] // empty without noise
	noiseInside  bool
	pre          autodiff.Tensor[T] // [T·B, N] the drive before φ under rate integration, when recording; else empty
	gr, gs, grec autodiff.Tensor[T] // [B, N] backward scratch
	dE, dEin     autodiff.Tensor[T] // scratch for constrained weight gradients
	needH0       bool
	outGrad      autodiff.Tensor[T]

	// final and rec hold Seq.Final and Seq.States, so that Sequence does
	// not allocate.
	final, rec [1]autodiff.Tensor[T]

	// Two-goroutine split of the time loops: rows [0, half) run on the
	// caller, [half, batch) on a worker of the kernels' pool.
	half     int
	pool     *kernels.Pool // nil (serial GEMMs, on the default pool's buffers) when split, else the default pool
	backward bool          // which pass RunPart runs

	// W_effᵀ and W_eff packed once per pass for the per-step GEMMs (the
	// storage is reused with the record).
	pbFwd, pbBwd kernels.PackedB[T]
}

// RunPart runs batch rows [0, half) (part 0) or [half, batch) (part 1) of
// the current pass; RunSplit calls it on the caller and on a worker of the
// kernels' pool.
func (o *leakyOp[T]) RunPart(part int) {
	lo, hi := 0, o.half
	if part == 1 {
		lo, hi = o.half, o.batch
	}
	if o.backward {
		o.backwardRows(lo, hi)
	} else {
		o.forwardRows(lo, hi)
	}
}

// parts is 2 when the time loops are split, else 1.
func (o *leakyOp[T]) parts() int {
	if o.half < o.batch {
		return 2
	}
	return 1
}

// splitMinBatch is the smallest batch whose time loops are split. The
// split does not depend on GOMAXPROCS, so results are the same bits on any
// number of cores.
const splitMinBatch = 8

// splitLeakyBatch reports whether the time loops of a batch of sequences run as two batch halves on two goroutines, each step's GEMM serial on
// the calling goroutine, rather than on one goroutine with each step's GEMM
// split by columns of W over the default pool. Both use W packed once per
// pass and give the same bits. Measured on the 2-core reference machine
// (2026-11-28, leaky and vanilla, best of interleaved runs), the halves win
// at every reference size: 19.4 vs 26.1 ms at N = 128, 44.8 vs 71.5 at
// N = 256, 230 vs 275 at N = 1024; the column split never synchronises less
// than once per GEMM.
func splitLeakyBatch(batch int) bool {
	return batch >= splitMinBatch
}

func (o *leakyOp[T]) Name() string { return "leaky" }

// Run records the layer over steps steps of batch sequences as one fused
// op; see Recurrent. x is [steps·batch, Inputs], time-major. h0 is the
// initial integrated quantity (x_0 under state integration, r_0 under rate
// integration), [batch, N] or [1, N] broadcast over the batch. The
// returned rates are r_1 … r_T and final is the integrated quantity after
// the last step (x_T or r_T), a view of the tape's arena valid until
// Reset.
//
// Inactivation acts at step t on the values that step produces (x_{t+1},
// r_{t+1}): Silence zeroes the units' rates (under rate integration, their
// state), Clamp sets the integrated quantity to ClampValue; both cut the
// gradient through the Perturbed values.
//
// It panics if x is not [steps·batch, Inputs], h0 is not [batch, N] or
// [1, N], or an Inactivation mask does not have N entries.
func (l *Leaky[T]) Run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	rates, final, _ := l.run(tp, x, h0, steps, batch, opt)
	return rates, final
}

// StateVars returns the one state variable: "x" (the pre-activation state
// under state integration) or "r" (the rate, under rate integration).
func (l *Leaky[T]) StateVars() []StateVar {
	if l.cfg.Integration == IntegrateState {
		return []StateVar{{Name: "x", Size: l.cfg.Units}}
	}
	return []StateVar{{Name: "r", Size: l.cfg.Units}}
}

// Sequence implements Recurrent: Run with init[0] as the initial state.
// With opt.Record, States[0] is the state after every step and Pre the
// argument of φ that produced each step's rates (x itself under state
// integration, the drive under rate integration).
func (l *Leaky[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T] {
	rates, final, o := l.run(tp, x, SingleInit(tp, init, l.cfg.Units), steps, batch, opt)
	o.final[0] = final
	s := Seq[T]{Rates: rates, Final: o.final[:]}
	if opt.Record {
		tb := steps * batch
		st := o.S.RowSlice(batch, tb+batch)
		o.rec[0] = st
		s.States = o.rec[:]
		s.Pre = st
		if o.pre.Data != nil {
			s.Pre = o.pre
		}
	}
	return s
}

func (l *Leaky[T]) run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T], *leakyOp[T]) {
	n, in := l.cfg.Units, l.cfg.Inputs
	CheckSequence("Leaky", x, h0, steps, batch, in, n, opt)
	tb := steps * batch
	P := tp.Alloc(tb, n)
	o := l.ops.Get(&P.Data[0])
	o.l, o.steps, o.batch, o.inact, o.u, o.P = l, steps, batch, opt.Inactivation, x.Value, P
	o.S = tp.Alloc(tb+batch, n)
	o.R = o.S
	if l.cfg.Integration == IntegrateState {
		o.R = tp.Alloc(tb+batch, n)
	}
	o.wEff, o.wInEff = l.wRec.effective(tp), l.wIn.effective(tp)
	o.gr, o.gs, o.grec = tp.Alloc(batch, n), tp.Alloc(batch, n), tp.Alloc(batch, n)
	if !l.wRec.c.IsIdentity() {
		o.dE = tp.Alloc(n, n)
	}
	if !l.wIn.c.IsIdentity() {
		o.dEin = tp.Alloc(n, in)
	}
	o.noise = autodiff.Tensor[T]{}
	std, inside := l.cfg.Noise.Scale(l.cfg.NoiseStd, l.cfg.Alpha)
	if opt.Noise != nil && std > 0 {
		// Drawn in the order a step-by-step loop would draw it.
		o.noise = tp.AllocZero(tb, n)
		AddNoise(o.noise.Data, std, opt.Noise)
	}
	o.noiseInside = inside
	o.pre = autodiff.Tensor[T]{}
	if opt.Record && l.cfg.Integration == IntegrateRate {
		o.pre = tp.Alloc(tb, n)
	}
	o.half, o.pool = batch, kernels.DefaultPool()
	if splitLeakyBatch(batch) {
		o.half, o.pool = batch/2, nil
	}
	kernels.PackB(&o.pbFwd, true, n, n, o.wEff.Data, n) // op(B) = W_effᵀ
	o.forward(h0.Value)

	vars := [maxLeakyInputs]*autodiff.Var[T]{x, h0, tp.Param(l.wIn.p), tp.Param(l.wRec.p)}
	k := 4
	for _, b := range l.bias {
		vars[k] = tp.Param(b)
		k++
	}
	out := tp.Fused(o, o.R.RowSlice(batch, tb+batch), vars[:k]...)
	return out, o.S.RowSlice(tb, tb+batch), o
}

const maxLeakyInputs = 6

// fillBias writes the effective bias (the sum of the bias parameters) into
// every row of p.
func (l *Leaky[T]) fillBias(p autodiff.Tensor[T]) {
	n := p.Cols
	b0 := l.bias[0].Value.Data
	row0 := p.Data[:n]
	copy(row0, b0)
	for _, b := range l.bias[1:] {
		for j, v := range b.Value.Data {
			row0[j] += v
		}
	}
	for i := 1; i < p.Rows; i++ {
		copy(p.Data[i*n:(i+1)*n], row0)
	}
}

// sumRows adds the rows of g [rows, n] into dst [1, n] (AccReduceRows with a
// vector loop in float32, the same bits). dst.Data nil means no gradient is
// wanted.
func sumRows[T autodiff.Float](dst, g autodiff.Tensor[T]) {
	if dst.Data == nil {
		return
	}
	if d, ok := any(dst.Data).([]float32); ok && dst.Rows == 1 {
		kernels.SumRowsInto(d, any(g.Data).([]float32))
		return
	}
	AccReduceRows(dst, g)
}

// perturb applies inactivation to the rows [batch, N] of v at step t: set
// holds the Perturbed units to val when on.
func perturb[T autodiff.Float](m *Inactivation, v []T, n int, val T) {
	for i := 0; i < len(v); i += n {
		row := v[i : i+n]
		for j, on := range m.Units {
			if on {
				row[j] = val
			}
		}
	}
}

// forward runs the time loop, split over two goroutines when o.half < batch.
func (o *leakyOp[T]) forward(h0 autodiff.Tensor[T]) {
	n, in, b := o.l.cfg.Units, o.l.cfg.Inputs, o.batch
	BroadcastRowsTo(o.S.RowSlice(0, b), h0)
	if o.l.cfg.Integration == IntegrateState {
		ApplyTo(o.l.cfg.Activation, o.R.Data[:b*n], o.S.Data[:b*n])
	}
	o.l.fillBias(o.P)
	if in > 0 {
		kernels.Gemm(false, true, o.steps*b, n, in, 1, o.u.Data, in, o.wInEff.Data, in, 1, o.P.Data, n)
	}
	o.backward = false
	RunSplit(o.parts(), o)
}

// loopConsts are the constants of the time loops.
type loopConsts[T autodiff.Float] struct {
	n         int
	alpha, a1 T
	act       Activation
	state     bool
}

func (o *leakyOp[T]) loopConsts() loopConsts[T] {
	cfg := &o.l.cfg
	alpha := T(cfg.Alpha)
	return loopConsts[T]{n: cfg.Units, alpha: alpha, a1: 1 - alpha, act: cfg.Activation, state: cfg.Integration == IntegrateState}
}

// forwardRows runs the time loop for the sequences lo … hi−1 of the batch.
func (o *leakyOp[T]) forwardRows(lo, hi int) {
	k := o.loopConsts()
	n, b, steps, alpha, a1, act, state, m := k.n, o.batch, o.steps, k.alpha, k.a1, k.act, k.state, o.inact
	rows := hi - lo
	for t := 0; t < steps; t++ {
		cur, nxt := (t*b+lo)*n, ((t+1)*b+lo)*n
		st, rt := o.S.Data[cur:cur+rows*n], o.R.Data[cur:cur+rows*n]
		sn, rn := o.S.Data[nxt:nxt+rows*n], o.R.Data[nxt:nxt+rows*n]
		pt := o.P.Data[cur : cur+rows*n]
		kernels.GemmPackedOn(o.pool, false, rows, 1, rt, n, &o.pbFwd, 1, pt, n)
		var nz []T
		if o.noise.Data != nil {
			nz = o.noise.Data[cur : cur+rows*n]
			if o.noiseInside {
				for k, v := range nz {
					pt[k] += v
				}
			}
		}
		if !state {
			if o.pre.Data != nil {
				copy(o.pre.Data[cur:cur+rows*n], pt)
			}
			ApplyTo(act, pt, pt)
		}
		if f, ok := any(sn).([]float32); ok {
			kernels.LeakyMix(f, any(st).([]float32), any(pt).([]float32), float32(a1), float32(alpha))
		} else {
			for k, v := range pt {
				sn[k] = a1*st[k] + alpha*v
			}
		}
		if nz != nil && !o.noiseInside {
			for k, v := range nz {
				sn[k] += v
			}
		}
		active := m.Active(t)
		if active && m.Clamp {
			perturb(m, sn, n, T(m.ClampValue))
		}
		if state {
			ApplyTo(act, rn, sn)
		}
		if active && m.Silence {
			perturb(m, rn, n, 0)
		}
	}
}

// Backward implements autodiff.FusedOp. Inputs: x, h0, W_in, W_rec, biases.
func (o *leakyOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, in, b, steps := o.l.cfg.Units, o.l.cfg.Inputs, o.batch, o.steps
	o.outGrad, o.needH0 = g, grads[1].Data != nil
	kernels.PackB(&o.pbBwd, false, n, n, o.wEff.Data, n) // op(B) = W_eff
	o.backward = true
	RunSplit(o.parts(), o)
	o.outGrad = autodiff.Tensor[T]{}
	if o.needH0 {
		AccReduceRows(grads[1], o.grec)
	}
	tb := steps * b
	if d := grads[3]; d.Data != nil {
		tgt := o.l.wRec.gradTarget(d, o.dE)
		kernels.Gemm(true, false, n, n, tb, 1, o.P.Data, n, o.R.Data[:tb*n], n, 1, tgt.Data, n)
		o.l.wRec.finish(d, o.dE)
	}
	if d := grads[2]; d.Data != nil && in > 0 {
		tgt := o.l.wIn.gradTarget(d, o.dEin)
		kernels.Gemm(true, false, n, in, tb, 1, o.P.Data, n, o.u.Data, in, 1, tgt.Data, in)
		o.l.wIn.finish(d, o.dEin)
	}
	if d := grads[0]; d.Data != nil && in > 0 {
		kernels.Gemm(false, false, tb, in, n, 1, o.P.Data, n, o.wInEff.Data, in, 1, d.Data, in)
	}
	if len(o.l.bias) == 1 {
		sumRows(grads[4], o.P)
		return
	}
	// Several biases get the same gradient: sum the columns of dP once.
	db := o.grec.RowSlice(0, 1) // free scratch by now
	db.Zero()
	sumRows(db, o.P)
	for i := range o.l.bias {
		if d := grads[4+i]; d.Data != nil {
			for j, v := range db.Data {
				d.Data[j] += v
			}
		}
	}
}

// backwardRows walks time in reverse for the sequences lo … hi−1, turning
// the output gradient into dP (in place of P) and, if wanted, the initial
// state's gradient (into rows lo … hi−1 of grec).
func (o *leakyOp[T]) backwardRows(lo, hi int) {
	k := o.loopConsts()
	n, b, steps, alpha, a1, act, state, m := k.n, o.batch, o.steps, k.alpha, k.a1, k.act, k.state, o.inact
	rows := hi - lo
	w := rows * n
	gx := o.gs.Data[lo*n : hi*n] // running gradient of the integrated quantity
	gr := o.gr.Data[lo*n : hi*n]
	grec := o.grec.Data[lo*n : hi*n]
	clear(gx)
	clear(grec)
	for t := steps - 1; t >= 0; t-- {
		cur := (t*b + lo) * n
		gt := o.outGrad.Data[cur : cur+w]
		dp := o.P.Data[cur : cur+w]
		active := m.Active(t)
		switch {
		case state && act == Tanh && !active:
			// The common case in one pass: φ' = 1 − r².
			nxt := ((t+1)*b + lo) * n
			rn, grec, gx, dp := o.R.Data[nxt:nxt+w], grec[:w], gx[:w], dp[:w] // one bounds check each
			if f, ok := any(gx).([]float32); ok {
				kernels.TanhStateGrad(f, any(dp).([]float32), any(gt).([]float32), any(grec).([]float32), any(rn).([]float32), float32(alpha), float32(a1))
				break
			}
			for k, v := range gt {
				r := rn[k]
				g := (v+grec[k])*(1-r*r) + a1*gx[k]
				gx[k] = g
				dp[k] = alpha * g
			}
		case !state && act == Tanh && !active:
			grec, gx, dp := grec[:w], gx[:w], dp[:w]
			if f, ok := any(gx).([]float32); ok {
				kernels.TanhRateGrad(f, any(dp).([]float32), any(gt).([]float32), any(grec).([]float32), float32(alpha), float32(a1))
				break
			}
			for k, v := range gt {
				g := v + grec[k] + a1*gx[k]
				gx[k] = g
				y := dp[k]
				dp[k] = alpha * g * (1 - y*y)
			}
		case state:
			// gr = dL/dr_{t+1}; gx = φ'(x_{t+1})·gr + (1−α)·gx; dP_t = α·gx
			nxt := ((t+1)*b + lo) * n
			rn := o.R.Data[nxt : nxt+w]
			for k, v := range gt {
				gr[k] = v + grec[k]
			}
			mulDerivOutTo(act, gr, gr, rn)
			if active && m.Silence {
				perturb(m, gr, n, 0)
			}
			for k, v := range gr {
				gx[k] = v + a1*gx[k]
			}
			if active && m.Clamp {
				perturb(m, gx, n, 0)
			}
			for k, v := range gx {
				dp[k] = alpha * v
			}
		default:
			// gs = dL/dr_{t+1} (all paths); dP_t = α·φ'(p_t)·gs
			for k, v := range gt {
				gx[k] = v + grec[k] + a1*gx[k]
			}
			if active && (m.Silence || m.Clamp) {
				perturb(m, gx, n, 0)
			}
			mulDerivOutTo(act, dp, gx, dp)
			for k, v := range dp {
				dp[k] = alpha * v
			}
		}
		if t > 0 || o.needH0 {
			kernels.GemmPackedOn(o.pool, false, rows, 1, dp, n, &o.pbBwd, 0, grec, n)
		}
	}
	if o.needH0 {
		// dL/ds_0 = φ'(x_0)·(dP_0 W) + (1−α)·gx under state integration,
		// dP_0 W + (1−α)·gs under rate integration.
		if state {
			mulDerivOutTo(act, grec, grec, o.R.Data[lo*n:hi*n])
		}
		for k := range grec {
			grec[k] += a1 * gx[k]
		}
	}
}
