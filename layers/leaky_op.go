package layers

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// leakyOp is the fused whole-sequence op of a Leaky layer: one record per
// Sequence call, reused through the layer's opCache.
//
// Buffers (all from the tape's arena, time-major, B = batch, N = units):
//
//	S [(T+1)·B, N]  integrated quantity: x (state integration) or r (rate)
//	R [(T+1)·B, N]  rates φ(x) (state integration); aliases S for rate
//	P [T·B, N]      drive W_in u + b + W r; under rate integration φ(drive)
//	                after the forward pass; overwritten by dP in Backward
type leakyOp[T autodiff.Float] struct {
	l            *Leaky[T]
	steps, batch int
	inact        *Inactivation
	u            autodiff.Tensor[T] // inputs [T·B, I]
	wEff, wInEff autodiff.Tensor[T]
	S, R, P      autodiff.Tensor[T]
	gr, gs, grec autodiff.Tensor[T] // [B, N] backward scratch
	dE, dEin     autodiff.Tensor[T] // scratch for constrained weight gradients
}

func (o *leakyOp[T]) Name() string { return "leaky" }

// Sequence records the layer over steps steps of batch sequences as one
// fused op; see Recurrent. h0 is the initial integrated quantity (x_0 under
// state integration, r_0 under rate integration), [batch, N] or [1, N]
// broadcast over the batch. The returned rates are r_1 … r_T and final is
// the integrated quantity after the last step (x_T or r_T), a view of the
// tape's arena valid until Reset.
//
// Inactivation acts at step t on the values that step produces (x_{t+1},
// r_{t+1}): Silence zeroes the units' rates (under rate integration, their
// state), Clamp sets the integrated quantity to ClampValue; both cut the
// gradient through the perturbed values.
//
// It panics if x is not [steps·batch, Inputs], h0 is not [batch, N] or
// [1, N], or an Inactivation mask does not have N entries.
func (l *Leaky[T]) Sequence(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	n, in := l.cfg.Units, l.cfg.Inputs
	checkSequence("Leaky", x, h0, steps, batch, in, n, opt)
	tb := steps * batch
	P := tp.Alloc(tb, n)
	o := l.ops.get(&P.Data[0])
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
	o.forward(h0.Value, opt.Noise)

	vars := [maxLeakyInputs]*autodiff.Var[T]{x, h0, tp.Param(l.wIn.p), tp.Param(l.wRec.p)}
	k := 4
	for _, b := range l.bias {
		vars[k] = tp.Param(b)
		k++
	}
	out := tp.Fused(o, o.R.RowSlice(batch, tb+batch), vars[:k]...)
	return out, o.S.RowSlice(tb, tb+batch)
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

// perturb applies inactivation to the rows [batch, N] of v at step t: set
// holds the perturbed units to val when on.
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

func (o *leakyOp[T]) forward(h0 autodiff.Tensor[T], rng *rand.Rand) {
	cfg := &o.l.cfg
	n, in, b, steps := cfg.Units, cfg.Inputs, o.batch, o.steps
	alpha := T(cfg.Alpha)
	a1 := 1 - alpha
	act := cfg.Activation
	state := cfg.Integration == IntegrateState
	m := o.inact
	std, inside := cfg.Noise.Scale(cfg.NoiseStd, cfg.Alpha)
	noisy := rng != nil && std > 0

	broadcastRowsTo(o.S.RowSlice(0, b), h0)
	if state {
		ApplyTo(act, o.R.Data[:b*n], o.S.Data[:b*n])
	}
	o.l.fillBias(o.P)
	if in > 0 {
		kernels.Gemm(false, true, steps*b, n, in, 1, o.u.Data, in, o.wInEff.Data, in, 1, o.P.Data, n)
	}
	bn := b * n
	for t := 0; t < steps; t++ {
		st, rt := o.S.Data[t*bn:(t+1)*bn], o.R.Data[t*bn:(t+1)*bn]
		sn, rn := o.S.Data[(t+1)*bn:(t+2)*bn], o.R.Data[(t+1)*bn:(t+2)*bn]
		pt := o.P.Data[t*bn : (t+1)*bn]
		kernels.Gemm(false, true, b, n, n, 1, rt, n, o.wEff.Data, n, 1, pt, n)
		if noisy && inside {
			addNoise(pt, std, rng)
		}
		if !state {
			ApplyTo(act, pt, pt)
		}
		for k, v := range pt {
			sn[k] = a1*st[k] + alpha*v
		}
		if noisy && !inside {
			addNoise(sn, std, rng)
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
	cfg := &o.l.cfg
	n, in, b, steps := cfg.Units, cfg.Inputs, o.batch, o.steps
	alpha := T(cfg.Alpha)
	a1 := 1 - alpha
	act := cfg.Activation
	state := cfg.Integration == IntegrateState
	m := o.inact
	bn := b * n
	gx := o.gs.Data // running gradient of the integrated quantity
	gr := o.gr.Data
	grec := o.grec.Data
	clear(gx)
	clear(grec)
	needH0 := grads[1].Data != nil
	for t := steps - 1; t >= 0; t-- {
		gt := g.Data[t*bn : (t+1)*bn]
		dp := o.P.Data[t*bn : (t+1)*bn]
		active := m.Active(t)
		if state {
			// gr = dL/dr_{t+1}; gx = φ'(x_{t+1})·gr + (1−α)·gx; dP_t = α·gx
			rn := o.R.Data[(t+1)*bn : (t+2)*bn]
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
		} else {
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
		if t > 0 || needH0 {
			kernels.Gemm(false, false, b, n, n, 1, dp, n, o.wEff.Data, n, 0, grec, n)
		}
	}
	if needH0 {
		// dL/ds_0 = φ'(x_0)·(dP_0 W) + (1−α)·gx under state integration,
		// dP_0 W + (1−α)·gs under rate integration.
		if state {
			mulDerivOutTo(act, grec, grec, o.R.Data[:bn])
		}
		for k := range grec {
			grec[k] += a1 * gx[k]
		}
		accReduceRows(grads[1], o.grec)
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
	for i := range o.l.bias {
		accReduceRows(grads[4+i], o.P)
	}
}
