package lowrank

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
	"github.com/rnntrain/rnntrain/layers"
)

// Layer is a low-rank rate RNN (Mastrogiuseppe & Ostojic 2018; Dubreuil
// et al. 2022; Valente et al. 2022) as in the low_rank_rnns library's
// LowRankRNN. The connectivity J = M Nᵀ/N is kept as its factors m, n
// [N, R] and never formed. One step, with α = dt/τ, is
//
//	h_{t+1} = h_t + σ·ξ_t + α(−h_t + φ(h_t + b)·n·mᵀ/N + u_t·W_in_full),
//	W_in_full = diag(s_i)·W_in,
//
// and the rates at step t are tanh(h_{t+1}), φ(h_{t+1} + b) or h_{t+1}
// (LayerConfig.Rates). The library's output is
//
//	z_t = tanh(h_{t+1})·(W_out ⊙ s_o)/N,
//
// which Readout computes from RatesTanh rates.
//
// # Wiring a readout (rnn.Network)
//
//   - Library model: Outputs > 0, Rates = RatesTanh; y := l.Readout(tp,
//     rates), no separate linear layer. wo and so are the layer's.
//   - Bench model (torch lowrank_loop, h ← h + α(−h + (tanh(h)·n)·mᵀ/N +
//     x_t·Uᵀ), linear readout of h): Outputs = 0, Rates = RatesState,
//     layers.Activation = layers.Tanh, b = 0, si = 1, and SetTrained(ParamM|ParamN|
//     ParamWI); wi is Uᵀ. The network reads out the rates with its own
//     Linear layer.
//
// The initial state is the caller's: pass l.InitialState(tp) (the layer's
// h0, trained when ParamH0 is in the trained set) or a carried state.
//
// Differences from the library: the first step uses φ(h_0 + b) where the
// library uses φ(h_0) (the same while b = 0, the library's default); the
// noise is drawn per step from layers.SeqOptions.Noise.
//
// layers.Inactivation at step t: Silence zeroes the masked units' φ(h_t + b) in the
// recurrent drive of step t and their rates at step t; Clamp holds their
// h_{t+1} at ClampValue.
type Layer[T autodiff.Float] struct {
	// Config is the layer's configuration. Alpha, NoiseStd, layers.Activation and
	// Rates may change between calls; the sizes must not (the parameters
	// were built from them).
	Config LayerConfig
	// Parameters with their library names under the layer's prefix. WO and
	// SO are nil when Config.Outputs is 0.
	M, N, WI, SI, WO, SO, B, H0 *autodiff.Param[T]

	cache layers.SeqCache[T, lowRankSeq[T]]
}

var _ layers.Recurrent[float32] = (*Layer[float32])(nil)

// NewLayer returns a low-rank RNN with parameters named prefix+".m", ".n",
// ".wi", ".si", ".wo", ".so", ".b" and ".h0" (the library's state_dict
// names), initialised as the library does: m, n, wi ~ N(0, 1), wo ~ N(0, 4²)
// drawn from rng in that order; si = so = 1; b = h0 = 0. Which parameters
// train is the library's default, LibraryTrained; change it with
// SetTrained, and load given factors with SetFactors.
//
// It returns an error if cfg is invalid.
func NewLayer[T autodiff.Float](prefix string, cfg LayerConfig, rng *rand.Rand) (*Layer[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n, r, in, out := cfg.Hidden, cfg.Rank, cfg.Inputs, cfg.Outputs
	l := &Layer[T]{
		Config: cfg,
		M:      autodiff.NewParam[T](prefix+".m", n, r),
		N:      autodiff.NewParam[T](prefix+".n", n, r),
		WI:     autodiff.NewParam[T](prefix+".wi", in, n),
		SI:     autodiff.NewVector[T](prefix+".si", in),
		B:      autodiff.NewVector[T](prefix+".b", n),
		H0:     autodiff.NewVector[T](prefix+".h0", n),
	}
	if out > 0 {
		l.WO = autodiff.NewParam[T](prefix+".wo", n, out)
		l.SO = autodiff.NewVector[T](prefix+".so", out)
	}
	for _, p := range []*autodiff.Param[T]{l.M, l.N, l.WI} {
		fillNormal(p.Value.Data, 1, rng)
	}
	fill(l.SI.Value.Data, 1)
	if out > 0 {
		fillNormal(l.WO.Value.Data, 4, rng)
		fill(l.SO.Value.Data, 1)
	}
	l.SetTrained(LibraryTrained)
	return l, nil
}

func fillNormal[T autodiff.Float](dst []T, std float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = T(std * rng.NormFloat64())
	}
}

func fill[T autodiff.Float](dst []T, v T) {
	for i := range dst {
		dst[i] = v
	}
}

// Size returns the number of units N.
func (l *Layer[T]) Size() int { return l.Config.Hidden }

// Params returns m, n, wi, si, wo, so, b and h0, in that order (wo and so
// only when the layer has outputs). Frozen ones are included: they belong
// to the model and its checkpoints.
func (l *Layer[T]) Params() []*autodiff.Param[T] {
	ps := []*autodiff.Param[T]{l.M, l.N, l.WI, l.SI}
	if l.WO != nil {
		ps = append(ps, l.WO, l.SO)
	}
	return append(ps, l.B, l.H0)
}

func (l *Layer[T]) byFlag() [8]*autodiff.Param[T] {
	return [8]*autodiff.Param[T]{l.M, l.N, l.WI, l.SI, l.WO, l.SO, l.B, l.H0}
}

// SetTrained makes exactly the parameters in set trainable and freezes the
// others (Param.Frozen). Flags for wo and so are ignored when the layer has
// no outputs.
func (l *Layer[T]) SetTrained(set ParamSet) {
	for i, p := range l.byFlag() {
		if p != nil {
			p.Frozen = set&(1<<i) == 0
		}
	}
}

// Trained returns the set of parameters that are not frozen.
func (l *Layer[T]) Trained() ParamSet {
	var set ParamSet
	for i, p := range l.byFlag() {
		if p != nil && !p.Frozen {
			set |= 1 << i
		}
	}
	return set
}

// SetFactors copies m and n (each [N, R]) into the layer's factors, for
// networks initialised from given connectivity (e.g. from the SVD of a
// trained full-rank network: m = U_R·S_R·√N, n = V_R·√N). It panics if a
// shape differs.
func (l *Layer[T]) SetFactors(m, n autodiff.Tensor[T]) {
	if !m.SameShape(l.M.Value) || !n.SameShape(l.N.Value) {
		panic(fmt.Sprintf("lowrank: Layer.SetFactors shapes %v, %v, want %v", m.Shape(), n.Shape(), l.M.Value.Shape()))
	}
	l.M.Value.CopyFrom(m)
	l.N.Value.CopyFrom(n)
}

// InitialState records the layer's own initial state h0 ([1, N], broadcast
// over the batch by Sequence) on tp.
func (l *Layer[T]) InitialState(tp *autodiff.Tape[T]) *autodiff.Var[T] { return tp.Param(l.H0) }

// Run runs the layer over steps steps of batch sequences as one fused
// tape node. x is [steps·batch, Inputs] time-major; h0 is [batch, N] or
// [1, N] (broadcast). It returns the rates of every step ([steps·batch, N],
// as Config.Rates says) and the state h_steps ([batch, N], from the tape's
// arena, valid until Reset).
//
// The input projection of all steps is one GEMM; each step does the two thin
// products (B×N)·(N×R) and (B×R)·(R×N) as GEMMs on factors packed once per
// call; the backward pass walks time in reverse and forms the gradients of
// m, n and wi as GEMMs over all steps·batch rows. Without noise, the two
// halves of a large enough batch run on two goroutines (a worker of the
// kernels' pool and the caller), each over the whole time loop. Every buffer comes from the tape's arena, so a
// steady-state call allocates nothing.
//
// The op keeps references to x, h0, the parameters' values and
// opt.Inactivation; none may change before the tape's Backward.
//
// It panics if steps or batch is not positive, x is not [steps·batch,
// Inputs], h0 is not [batch, N] or [1, N], or an inactivation mask does not
// have N entries.
func (l *Layer[T]) Run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	rates, s := l.run(tp, x, h0, steps, batch, opt)
	return rates, s.h.RowSlice(steps*batch-batch, steps*batch)
}

// StateVars returns the one state variable "h".
func (l *Layer[T]) StateVars() []layers.StateVar {
	return []layers.StateVar{{Name: "h", Size: l.Config.Hidden}}
}

// Sequence implements layers.Recurrent: Run with init[0] as h0 (the layer's
// own H0 is used by networks that train it). With opt.Record, States[0] is
// h after every step, and Pre is empty (h is the pre-activation).
func (l *Layer[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) layers.Seq[T] {
	rates, s := l.run(tp, x, layers.SingleInit(tp, init, l.Config.Hidden), steps, batch, opt)
	rows := steps * batch
	s.final[0], s.rec[0] = s.h.RowSlice(rows-batch, rows), s.h
	out := layers.Seq[T]{Rates: rates, Final: s.final[:]}
	if opt.Record {
		out.States = s.rec[:]
	}
	return out
}

func (l *Layer[T]) run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[T], *lowRankSeq[T]) {
	c := l.Config
	n, r, in := c.Hidden, c.Rank, c.Inputs
	layers.CheckSequence("lowrank", x, h0, steps, batch, in, n, opt)
	rows := steps * batch
	h := tp.Alloc(rows, n)
	s := l.cache.Get(&h.Data[0])
	ws := s.ws
	*s = lowRankSeq[T]{
		layer: l, ws: ws, tp: tp, cfg: c, steps: steps, batch: batch,
		x: x.Value, h0: h0.Value, m: l.M.Value, n: l.N.Value, wi: l.WI.Value, si: l.SI.Value, b: l.B.Value,
		h:     h,
		rates: h,
		act:   tp.Alloc(rows, n),
		kappa: tp.Alloc(rows, r+in),
		hPrev: tp.Alloc(batch, n),
		wFull: tp.Alloc(in, n),
		inact: opt.Inactivation,
		parts: 1,
	}
	if layers.SplitBatch(steps, batch, n, opt.Noise != nil && c.NoiseStd != 0) {
		s.parts = 2
	}
	if c.Rates != RatesState || (opt.Inactivation != nil && opt.Inactivation.Silence) {
		s.rates = tp.Alloc(rows, n)
	}
	s.forward(opt.Noise)
	out := tp.Fused(s, s.rates, x, h0, tp.Param(l.M), tp.Param(l.N), tp.Param(l.WI), tp.Param(l.SI), tp.Param(l.B))
	return out, s
}

// lowRankSeq is one recorded low-rank sequence: what the backward pass needs.
type lowRankSeq[T autodiff.Float] struct {
	layer               *Layer[T]
	ws                  *lowRankWork[T]
	tp                  *autodiff.Tape[T]
	cfg                 LayerConfig
	steps, batch        int
	x, h0, m, n, wi, si autodiff.Tensor[T]
	b                   autodiff.Tensor[T]
	h                   autodiff.Tensor[T] // [T·B, N] states h_1 … h_T
	rates               autodiff.Tensor[T] // [T·B, N] the op's output; aliases h for RatesState
	act                 autodiff.Tensor[T] // [T·B, N] φ(h_t + b) used by step t, silenced
	kappa               autodiff.Tensor[T] // [T·B, R+I] κ_t = φ(h_t + b)·n/N of step t, then u_t
	hPrev               autodiff.Tensor[T] // [B, N] h0 broadcast over the batch
	wFull               autodiff.Tensor[T] // [I, N] diag(si)·wi
	inact               *layers.Inactivation
	zeroBias            bool // b is all zero: φ(h_t + b) = φ(h_t)

	// final and rec hold Seq.Final and Seq.States, so that Sequence does
	// not allocate.
	final, rec [1]autodiff.Tensor[T]

	// The time loops split the batch in parts (1 or 2) and run in phase
	// (forward or backward); the backward pass keeps its buffers here.
	parts    int
	backward bool
	rng      *rand.Rand
	outGrad  autodiff.Tensor[T]
	gb       autodiff.Tensor[T]
	delta    autodiff.Tensor[T] // [T·B, N] ∂L/∂h_{t+1}
	dkappa   autodiff.Tensor[T] // [T·B, R] ∂L/∂κ_t
	carry    autodiff.Tensor[T] // [B, N] ∂L/∂h_{t+1} through step t+1
	pre      autodiff.Tensor[T] // [2, N] scratch: a pre-activation row per part
	da       autodiff.Tensor[T] // [B, N] scratch: ∂L/∂φ(h_t + b) of one step
}

// lowRankWork is the storage a cached lowRankSeq keeps across calls: the
// factors packed for the per-step GEMMs.
type lowRankWork[T autodiff.Float] struct {
	n, nT, m, mT kernels.PackedB[T] // n, nᵀ, m, mᵀ as GEMM right operands
}

var _ autodiff.FusedOp[float32] = (*lowRankSeq[float32])(nil)

// Name implements autodiff.FusedOp.
func (s *lowRankSeq[T]) Name() string { return "lowrank.Layer.Sequence" }

func (s *lowRankSeq[T]) prev(t int) []T {
	if t == 0 {
		return s.hPrev.Data
	}
	n := s.cfg.Hidden
	return s.h.Data[(t-1)*s.batch*n : t*s.batch*n]
}

// RunPart runs part 0 or 1 of the batch (kernels.PartRunner, see layers.RunSplit).
func (s *lowRankSeq[T]) RunPart(part int) {
	lo, hi := layers.HalfRows(s.batch, s.parts, part)
	if s.backward {
		s.backwardRows(part, lo, hi)
	} else {
		s.forwardRows(lo, hi)
	}
}

func (s *lowRankSeq[T]) forward(rng *rand.Rand) {
	c := s.cfg
	n, r, b, in := c.Hidden, c.Rank, s.batch, c.Inputs
	if s.ws == nil {
		s.ws = new(lowRankWork[T])
	}
	layers.BroadcastRowsTo(s.hPrev, s.h0)
	for i := 0; i < in; i++ {
		si := s.si.Data[i]
		for j, v := range s.wi.Data[i*n : (i+1)*n] {
			s.wFull.Data[i*n+j] = si * v
		}
	}
	s.zeroBias = true
	for _, v := range s.b.Data {
		if v != 0 {
			s.zeroBias = false
			break
		}
	}
	kernels.PackB(&s.ws.n, false, n, r, s.n.Data, r)
	kernels.PackB(&s.ws.mT, true, r, n, s.m.Data, r)
	// Input projection of every step at once, into the state buffer that
	// each step then updates in place.
	rows := s.steps * b
	kernels.Gemm(false, false, rows, n, in, 1, s.x.Data, in, s.wFull.Data, n, 0, s.h.Data, n)
	// The inputs beside κ, for the joint gradient GEMM of m and wi.
	for i := 0; i < rows; i++ {
		copy(s.kappa.Data[i*(r+in)+r:(i+1)*(r+in)], s.x.Data[i*in:(i+1)*in])
	}
	s.rng, s.backward = rng, false
	layers.RunSplit(s.parts, s)
	s.rng = nil
}

// forwardRows runs the forward time loop for the batch rows [lo, hi).
func (s *lowRankSeq[T]) forwardRows(lo, hi int) {
	c := s.cfg
	n, r, b := c.Hidden, c.Rank, s.batch
	nb := hi - lo
	alpha, invN := T(c.Alpha), 1/T(n)
	for t := 0; t < s.steps; t++ {
		base := t * b
		hp := s.prev(t)[lo*n : hi*n]
		m := layers.Perturbed(s.inact, t)
		at := s.act.Data[(base+lo)*n : (base+hi)*n]
		if s.zeroBias {
			layers.ApplyTo(c.Activation, at, hp)
		} else {
			for i := 0; i < nb; i++ {
				a := at[i*n : (i+1)*n]
				for j, v := range hp[i*n : (i+1)*n] {
					a[j] = v + s.b.Data[j]
				}
			}
			layers.ApplyTo(c.Activation, at, at)
		}
		if m != nil && m.Silence {
			for i := 0; i < nb; i++ {
				silenceRow(at[i*n:(i+1)*n], m.Units)
			}
		}
		// κ_t = φ(h_t + b)·n/N, [B, R]; h_{t+1} = h_t + α(u_t·W_in_full −
		// h_t) + α·κ_t·mᵀ, the state rows holding u_t·W_in_full on entry.
		kw := r + c.Inputs
		kt := s.kappa.Data[(base+lo)*kw : (base+hi)*kw]
		ht := s.h.Data[(base+lo)*n : (base+hi)*n]
		kernels.GemmPacked(false, nb, invN, at, n, &s.ws.n, 0, kt, kw)
		ht = ht[:len(hp)]
		if h32, ok := any(ht).([]float32); ok {
			kernels.LeakyMix(h32, any(hp).([]float32), h32, float32(1-alpha), float32(alpha))
		} else {
			for k, v := range hp {
				ht[k] = (1-alpha)*v + alpha*ht[k]
			}
		}
		kernels.GemmPacked(false, nb, alpha, kt, kw, &s.ws.mT, 1, ht, n)
		if s.rng != nil && c.NoiseStd != 0 { // never split: one part
			layers.AddNoise(ht, c.NoiseStd, s.rng)
		}
		if m != nil && m.Clamp {
			v := T(m.ClampValue)
			for i := 0; i < nb; i++ {
				for j, u := range m.Units {
					if u {
						ht[i*n+j] = v
					}
				}
			}
		}
		s.ratesOf(t, m, lo, hi)
	}
}

// ratesOf writes the rates of step t from h_{t+1}, batch rows [lo, hi).
func (s *lowRankSeq[T]) ratesOf(t int, m *layers.Inactivation, lo, hi int) {
	n, b := s.cfg.Hidden, s.batch
	ht := s.h.Data[(t*b+lo)*n : (t*b+hi)*n]
	rt := s.rates.Data[(t*b+lo)*n : (t*b+hi)*n]
	switch s.cfg.Rates {
	case RatesTanh:
		layers.ApplyTo(layers.Tanh, rt, ht)
	case RatesPhi:
		for i := 0; i < hi-lo; i++ {
			for j, v := range ht[i*n : (i+1)*n] {
				rt[i*n+j] = v + s.b.Data[j]
			}
		}
		layers.ApplyTo(s.cfg.Activation, rt, rt)
	case RatesState:
		copy(rt, ht) // a no-op when rates alias h
	default:
		panic(fmt.Sprintf("lowrank: Layer.Sequence: unknown rates %v", s.cfg.Rates))
	}
	if m != nil && m.Silence {
		for i := 0; i < hi-lo; i++ {
			silenceRow(rt[i*n:(i+1)*n], m.Units)
		}
	}
}

func silenceRow[T autodiff.Float](row []T, units []bool) {
	for j, u := range units {
		if u {
			row[j] = 0
		}
	}
}

func dot[T autodiff.Float](a, b []T) T {
	b = b[:len(a)]
	var s0, s1 T
	j := 0
	for ; j+1 < len(a); j += 2 {
		s0 += a[j] * b[j]
		s1 += a[j+1] * b[j+1]
	}
	if j < len(a) {
		s0 += a[j] * b[j]
	}
	return s0 + s1
}

// Backward implements autodiff.FusedOp. grads are for x, h0, m, n, wi, si, b.
func (s *lowRankSeq[T]) Backward(outGrad autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	c := s.cfg
	n, r, b, in, rows := c.Hidden, c.Rank, s.batch, c.Inputs, s.steps*s.batch
	alpha, invN := T(c.Alpha), 1/T(n)
	gx, gh0, gm, gn, gwi, gsi, gb := grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], grads[6]
	s.outGrad, s.gb = outGrad, gb
	s.delta = s.tp.Alloc(rows, n)
	s.dkappa = s.tp.Alloc(rows, r)
	s.carry = s.tp.AllocZero(b, n)
	s.pre = s.tp.Alloc(2, n)
	s.da = s.tp.Alloc(b, n)
	kernels.PackB(&s.ws.m, false, n, r, s.m.Data, r)
	kernels.PackB(&s.ws.nT, true, r, n, s.n.Data, r)
	if gb.Data != nil {
		s.parts = 1 // the bias gradient sums over the batch
	}
	s.backward = true
	layers.RunSplit(s.parts, s)
	layers.AccReduceRows(gh0, s.carry)
	// ∂L/∂m = α·Δᵀ·K, ∂L/∂W_in_full = α·Δᵀ·U and ∂L/∂n = Aᵀ·dK/N, as two
	// GEMMs over all steps·batch rows (m and W_in_full together, from
	// [K | U]), formed transposed ([R+I, N]) so that the long rows of Δ and
	// A stream through memory.
	kw := r + in
	tmp := s.tp.Alloc(kw, n)
	needW := gwi.Data != nil || gsi.Data != nil
	if gm.Data != nil || needW {
		kernels.Gemm(true, false, kw, n, rows, alpha, s.kappa.Data, kw, s.delta.Data, n, 0, tmp.Data, n)
		if gm.Data != nil {
			layers.AddTransposed(gm, tmp.RowSlice(0, r))
		}
		for i := 0; needW && i < in; i++ {
			dwr, wir := tmp.Data[(r+i)*n:(r+i+1)*n], s.wi.Data[i*n:(i+1)*n]
			if gwi.Data != nil {
				layers.Axpy(gwi.Data[i*n:(i+1)*n], s.si.Data[i], dwr)
			}
			if gsi.Data != nil {
				gsi.Data[i] += dot(dwr, wir)
			}
		}
	}
	if gn.Data != nil {
		kernels.Gemm(true, false, r, n, rows, invN, s.dkappa.Data, r, s.act.Data, n, 0, tmp.Data[:r*n], n)
		layers.AddTransposed(gn, tmp.RowSlice(0, r))
	}
	if gx.Data != nil { // ∂L/∂x = α·Δ·W_in_fullᵀ
		kernels.Gemm(false, true, rows, in, n, alpha, s.delta.Data, n, s.wFull.Data, n, 1, gx.Data, in)
	}
}

// backwardRows walks time in reverse for the batch rows [lo, hi), filling
// their rows of delta, dkappa and carry. part selects the scratch row.
func (s *lowRankSeq[T]) backwardRows(part, lo, hi int) {
	c := s.cfg
	n, r, b := c.Hidden, c.Rank, s.batch
	nb := hi - lo
	alpha, invN := T(c.Alpha), 1/T(n)
	pre := s.pre.Data[part*n : (part+1)*n]
	carry := s.carry.Data[lo*n : hi*n]
	da := s.da.Data[lo*n : hi*n]
	plain := c.Rates == RatesState && c.Activation == layers.Tanh
	// fast reports whether step t takes the fused path: the bench model,
	// no inactivation, no bias gradient. There δ_t = og_t + carry, and the
	// step after (t−1) gets its δ written directly instead of the carry.
	fast := func(t int) bool { return plain && layers.Perturbed(s.inact, t) == nil && s.gb.Data == nil }
	filled := false // δ_t already written by step t+1
	for t := s.steps - 1; t >= 0; t-- {
		m := layers.Perturbed(s.inact, t)
		base := t * b
		dt := s.delta.Data[(base+lo)*n : (base+hi)*n]
		if filled {
			filled = false
		} else if plain && m == nil {
			og := s.outGrad.Data[(base+lo)*n : (base+hi)*n]
			og, carry := og[:len(dt)], carry[:len(dt)]
			for k, v := range og {
				dt[k] = v + carry[k]
			}
		} else {
			for i := lo; i < hi; i++ {
				row := base + i
				d := dt[(i-lo)*n : (i-lo+1)*n]
				s.rateGrad(d, s.outGrad.Data[row*n:(row+1)*n], row, m, pre, s.gb)
				layers.Axpy(d, 1, carry[(i-lo)*n:(i-lo+1)*n])
				if m != nil && m.Clamp {
					silenceRow(d, m.Units) // the held state depends on nothing
				}
			}
		}
		// dκ_t = α·δ_t·m, then ∂L/∂φ(h_t + b) = dκ_t·nᵀ/N.
		dkt := s.dkappa.Data[(base+lo)*r : (base+hi)*r]
		kernels.GemmPacked(false, nb, alpha, dt, n, &s.ws.m, 0, dkt, r)
		kernels.GemmPacked(false, nb, invN, dkt, r, &s.ws.nT, 0, da, n)
		at := s.act.Data[(base+lo)*n : (base+hi)*n]
		if fast(t) {
			// carry = (1−α)·δ_t + da·(1 − φ²), φ = tanh; written as
			// δ_{t−1} = og_{t−1} + carry when step t−1 is fast too.
			at, da := at[:len(dt)], da[:len(dt)]
			if t > 0 && fast(t-1) {
				pb := (t - 1) * b
				next := s.delta.Data[(pb+lo)*n : (pb+hi)*n]
				og := s.outGrad.Data[(pb+lo)*n : (pb+hi)*n]
				next, og = next[:len(dt)], og[:len(dt)]
				tanhCarry(next, og, dt, da, at, 1-alpha)
				filled = true
				continue
			}
			carry := carry[:len(dt)]
			for k, v := range dt {
				a := at[k]
				carry[k] = (1-alpha)*v + da[k]*(1-a*a)
			}
			continue
		}
		hp := s.prev(t)
		for i := lo; i < hi; i++ {
			row := base + i
			dar := da[(i-lo)*n : (i-lo+1)*n]
			if m != nil && m.Silence {
				silenceRow(dar, m.Units)
			}
			if c.Activation == layers.ReLU || c.Activation == layers.Softplus {
				// Their derivatives need the pre-activation; tanh's and the
				// identity's need only the stored rates.
				for j, v := range hp[i*n : (i+1)*n] {
					pre[j] = v + s.b.Data[j]
				}
			}
			layers.MulDerivTo(c.Activation, dar, dar, pre, s.act.Data[row*n:(row+1)*n])
			if s.gb.Data != nil {
				layers.Axpy(s.gb.Data, 1, dar)
			}
			cr := carry[(i-lo)*n : (i-lo+1)*n]
			for j, v := range dt[(i-lo)*n : (i-lo+1)*n] {
				cr[j] = (1-alpha)*v + dar[j]
			}
		}
	}
}

// rateGrad writes into d the gradient reaching h_{t+1} (row of step t)
// through the rates, og·∂rate/∂h, zero for silenced units; for RatesPhi it
// also adds that gradient to gb (∂rate/∂b = ∂rate/∂h). pre is scratch [N].
func (s *lowRankSeq[T]) rateGrad(d, og []T, row int, m *layers.Inactivation, pre []T, gb autodiff.Tensor[T]) {
	n := s.cfg.Hidden
	h, rt := s.h.Data[row*n:(row+1)*n], s.rates.Data[row*n:(row+1)*n]
	switch s.cfg.Rates {
	case RatesTanh:
		for j, v := range og {
			// rt is tanh(h) unless silenced, and silenced entries are zeroed below.
			d[j] = v * (1 - rt[j]*rt[j])
		}
	case RatesPhi:
		for j, v := range h {
			pre[j] = v + s.b.Data[j]
		}
		layers.MulDerivTo(s.cfg.Activation, d, og, pre, rt)
	case RatesState:
		copy(d, og)
	}
	if m != nil && m.Silence {
		silenceRow(d, m.Units)
	}
	if s.cfg.Rates == RatesPhi && gb.Data != nil {
		for j, v := range d {
			gb.Data[j] += v
		}
	}
}

// tanhCarry sets dst[k] = (og[k] + decay·d[k]) + da[k]·(1 − a[k]²), with the
// vector kernel in float32.
func tanhCarry[T autodiff.Float](dst, og, d, da, a []T, decay T) {
	if f, ok := any(dst).([]float32); ok {
		kernels.TanhCarry(f, any(og).([]float32), any(d).([]float32), any(da).([]float32), any(a).([]float32), float32(decay))
		return
	}
	og, d, da, a = og[:len(dst)], d[:len(dst)], da[:len(dst)], a[:len(dst)]
	for k := range dst {
		y := a[k]
		dst[k] = (og[k] + decay*d[k]) + da[k]*(1-y*y)
	}
}
