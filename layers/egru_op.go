// The EGRU's fused whole-sequence op: forward time loop, backward time loop
// and the weight gradients.

package layers

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// egruDenseAbove is the fraction of active (forward) or needed (backward)
// unit-steps of a step above which KernelsAuto runs the dense GEMM instead
// of the sparse row kernels. Measured with BenchmarkEGRUSwitch (README,
// "EGRU"): the sparse kernels stay faster up to about this activity.
const egruDenseAbove = 0.35

// egruStepSyncMin is the layer width from which the backward time loop
// splits each step's dense carry GEMM by columns between the cores
// (backwardSteps) instead of running each batch half's loop on its own:
// the packed W_hh (12·N² bytes, 12 MiB at N = 1024) is then streamed from
// L3 once per step instead of once per half. Measured on the idle 2-core
// machine (bench/egrusweep, two interleaved rounds, least times): 4–6 %
// faster at N = 1024 and 5–20 % activity, no difference at N = 512.
const egruStepSyncMin = 1024

// egruGatherCost is what one multiply-add of the recurrent-weight
// gradient's gathers costs relative to one of the GEMM over a segment's
// union: float32 packs the part's columns of the segment's dgh into panels
// and runs the panel gather (kernels.SparseGatherPanels, at about 60 % of
// the GEMM's rate), which with the packing is about half the GEMM's rate. A
// segment whose rows have active units in nnz places, u distinct units in
// all, runs as a GEMM over the union when u·rows < egruGatherCost·nnz. In
// interleaved runs of the sweep's step (N = 512 and 1024, 5–20 % activity)
// 2 was as fast as or faster than 3.
const egruGatherCost = 2

// egruPanelCost is the same ratio for the forward product's gathers from
// the panels of W_hhᵀ (kernels.SparseGatherPanels): a step's rows run as
// one GEMM over their union of u units when u·rows < egruPanelCost·nnz.
// BenchmarkSparseGatherPanels (package kernels, a union of 1.7·nnz at
// N = 512 and 1024) measured the panel gathers at 74 and 45 GFLOP/s of
// useful work against the union GEMM's 92 and 68 counting its zeros, a
// break-even near 1.25 and 1.5.
const egruPanelCost = 1.4

// EGRURun is what one recorded EGRU sequence returns.
type EGRURun[T autodiff.Float] struct {
	// Rates is [steps·batch, N]: y, or tr with Options.Trace.
	Rates *autodiff.Var[T]
	// Final holds the state variables after the last step, [batch, N]
	// each, in EGRUStateNames order (tape arena, valid until Reset).
	Final []autodiff.Tensor[T]
	// States, only with record, holds every state variable after every
	// step, [steps·batch, N] each, in EGRUStateNames order.
	States []autodiff.Tensor[T]
	// Pre, only with record, is c̃ of every step, [steps·batch, N].
	Pre autodiff.Tensor[T]
	// Penalty is the activity penalty the loss gets from this call,
	// SeqOptions.PenaltyShare (1 when 0) times EGRUStats.Penalty; Run adds
	// its gradient in the backward pass.
	Penalty float64
}

// StateVars returns the EGRU's state variables (EGRUStateNames): c, the
// primary one, then y (and tr with the output trace), N each.
func (e *EGRU[T]) StateVars() []StateVar {
	names := EGRUStateNames(e.Options.Trace)
	vars := make([]StateVar, len(names))
	for i, name := range names {
		vars[i] = StateVar{Name: name, Size: e.hidden}
	}
	return vars
}

// Sequence implements Recurrent through Run: opt.Record fills States and
// Pre.
func (e *EGRU[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T] {
	return Seq[T](e.Run(tp, x, init, steps, batch, opt, opt.Record))
}

// Run records the EGRU over steps steps of batch sequences as one fused tape
// node and returns its rates and states. x is [steps·batch, I], time-major.
// init has at most one entry per state variable (EGRUStateNames), each
// [batch, N], [1, N] (broadcast) or nil (zero); only init[0] (c) carries a
// gradient, the others are constants. With record, EGRURun.States and Pre
// are filled.
//
// The input projection of all steps is one GEMM. Each step's recurrent
// product y_{t−1}·W_hhᵀ reads only the rows of W_hhᵀ whose unit was active
// at t−1: as one GEMM over the union of the batch's active units when that
// union is small enough (egruPanelCost), else row by row in column panels
// (kernels.SparseGatherPanels), and as the dense GEMM above egruDenseAbove
// activity with KernelsAuto. The backward pass walks time in reverse,
// computes the gradient reaching y_{t−1} only for units that were active or
// have a nonzero pseudo-derivative, and accumulates the recurrent-weight
// gradient only over active units, segment by segment of steps, again as a
// GEMM over a segment's union or by gathers. Every buffer comes from the tape's arena or the layer's
// reused work space, so a steady-state call allocates nothing.
//
// The activity penalty (EGRUOptions.ActivityReg) is of the mean of o over
// the unit-steps within opt.Lengths when they are given, else over every
// unit-step; padded unit-steps get no gradient from it. Its gradient is that
// of opt.PenaltyShare (1 when 0) times the penalty: a window of truncated
// BPTT adds its share of the batch's penalty, not a whole one.
//
// The op keeps references to x, the initial states, the parameters' values,
// opt.Inactivation and opt.Lengths; none may change before the tape's
// Backward.
//
// It panics if steps or batch is not positive, x is not [steps·batch, I], an
// initial state is not [batch, N] or [1, N], init has more entries than
// state variables, an inactivation mask does not have N entries, opt.Lengths
// is not nil and not one non-negative length per trial, opt.PenaltyShare is
// negative or not finite, or e.Options is invalid.
func (e *EGRU[T]) Run(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions, record bool) EGRURun[T] {
	n, in := e.hidden, e.inputs
	o := e.Options
	if err := o.Validate(); err != nil {
		panic("layers: EGRU.Run: " + err.Error())
	}
	nstate := len(EGRUStateNames(o.Trace))
	if len(init) > nstate {
		panic(fmt.Sprintf("layers: EGRU.Run got %d initial states, want at most %d", len(init), nstate))
	}
	var inits [3]*autodiff.Var[T]
	for k := range nstate {
		if k < len(init) && init[k] != nil {
			inits[k] = init[k]
		} else {
			inits[k] = tp.Const(tp.AllocZero(1, n))
		}
		CheckSequence("EGRU", x, inits[k], steps, batch, in, n, opt)
	}
	c0 := inits[0]
	rows := steps * batch
	c := tp.Alloc(rows, n)
	s := e.cache.Get(&c.Data[0])
	ws := s.ws
	if ws == nil {
		ws = new(egruWork[T])
	}
	training := opt.Noise != nil
	*s = egruSeq[T]{
		ws: ws, tp: tp, steps: steps, batch: batch, n: n, in: in, opt: o,
		x: x.Value, wih: e.WeightIH.Value, whh: e.WeightHH.Value, bhh: e.BiasHH.Value, thr: e.Threshold.Value,
		c:     c,
		y:     tp.Alloc(rows, n),
		ct:    tp.Alloc(rows, n),
		ev:    tp.Alloc(rows, n),
		pd:    tp.Alloc(rows, n),
		gates: tp.Alloc(rows, 3*n),
		gh:    tp.Alloc(rows, 3*n),
		cPrev: tp.Alloc(batch, n),
		yPrev: tp.Alloc(batch, n),
		whhT:  tp.Alloc(n, 3*n),
		wihT:  tp.Alloc(in+1, 3*n),
		xb:    withOnes(tp, x.Value),
		inact: opt.Inactivation,
		zone:  T(o.Zoneout),
	}
	s.lengths = opt.Lengths
	s.share = opt.PenaltyShare
	if s.share == 0 {
		s.share = 1
	}
	BroadcastRowsTo(s.cPrev, c0.Value)
	BroadcastRowsTo(s.yPrev, inits[1].Value)
	if o.Trace {
		s.tr = tp.Alloc(rows, n)
		s.trPrev = tp.Alloc(batch, n)
		BroadcastRowsTo(s.trPrev, inits[2].Value)
	}
	s.weff = s.whh
	if training && o.DropConnect > 0 {
		s.dropMask = tp.Alloc(3*n, n)
		s.weff = tp.Alloc(3*n, n)
		scale := T(1 / (1 - o.DropConnect))
		for k, w := range s.whh.Data {
			m := T(0)
			if opt.Noise.Float64() >= o.DropConnect {
				m = scale
			}
			s.dropMask.Data[k] = m
			s.weff.Data[k] = w * m
		}
	}
	if training && o.Zoneout > 0 {
		s.zoneMask = tp.Alloc(rows, n)
	}
	s.parts = 1
	if SplitBatch(steps, batch, n, training && (o.Zoneout > 0 || o.NoiseStd > 0)) {
		s.parts = 2
	}
	s.forward(e.BiasIH.Value, opt.Noise)
	s.out = s.y
	if o.Trace {
		s.out = s.tr
	}
	e.stats.put(&s.out.Data[0], egruRecord[T]{stats: s.stats, steps: steps, ev: s.ev, pd: s.pd, y: s.y, yPrev: s.yPrev})
	rates := tp.Fused(s, s.out, x, c0, tp.Param(e.WeightIH), tp.Param(e.WeightHH), tp.Param(e.BiasIH), tp.Param(e.BiasHH), tp.Param(e.Threshold))
	last := func(t autodiff.Tensor[T]) autodiff.Tensor[T] { return t.RowSlice(rows-batch, rows) }
	// Final and States live in the cached op record, so returning them
	// allocates nothing.
	s.final = [3]autodiff.Tensor[T]{last(s.c), last(s.y)}
	s.states = [3]autodiff.Tensor[T]{s.c, s.y}
	if o.Trace {
		s.final[2], s.states[2] = last(s.tr), s.tr
	}
	r := EGRURun[T]{Rates: rates, Final: s.final[:nstate], Penalty: s.share * s.stats.Penalty}
	if record {
		r.States, r.Pre = s.states[:nstate], s.ct
	}
	return r
}

// egruSeq is one recorded EGRU sequence: what the backward pass needs.
type egruSeq[T autodiff.Float] struct {
	ws                  *egruWork[T]
	tp                  *autodiff.Tape[T]
	steps, batch, n, in int
	opt                 EGRUOptions
	x, wih, whh, bhh    autodiff.Tensor[T]
	thr                 autodiff.Tensor[T] // [1, N] ϑ
	weff                autodiff.Tensor[T] // [3N, N] W_hh, or W_hh ⊙ dropMask in training with DropConnect
	dropMask            autodiff.Tensor[T] // [3N, N] 0 or 1/(1−p); empty without DropConnect in training
	whhT                autodiff.Tensor[T] // [N, 3N] weffᵀ: row j is what unit j sends to the gates
	wihT                autodiff.Tensor[T] // [I+1, 3N] W_ihᵀ, then the bias row b_ih + (b_hr, b_hu, 0)
	xb                  autodiff.Tensor[T] // [T·B, I+1] x with a column of ones, for the bias
	c, y, ct, ev        autodiff.Tensor[T] // [T·B, N] c_t, y_t, c̃_t, o_t
	pd                  autodiff.Tensor[T] // [T·B, N] ∂o/∂c̃ = γ·max(0, 1 − ε|c̃ − ϑ|) (0 where silenced)
	tr                  autodiff.Tensor[T] // [T·B, N] tr_t with Trace
	gates               autodiff.Tensor[T] // [T·B, 3N] r, u, z of every step
	gh                  autodiff.Tensor[T] // [T·B, 3N] y_{t−1}·weffᵀ (no bias)
	zoneMask            autodiff.Tensor[T] // [T·B, N] 1 where c̃ took the new value (training zoneout)
	cPrev, yPrev        autodiff.Tensor[T] // [B, N] initial c and y, broadcast
	trPrev              autodiff.Tensor[T] // [B, N] initial tr with Trace
	out                 autodiff.Tensor[T] // the op's output: y or tr
	inact               *Inactivation
	zone                T // zoneout probability
	stats               EGRUStats
	final, states       [3]autodiff.Tensor[T]
	lengths             []int // SeqOptions.Lengths; nil: every trial runs all steps
	// The activity penalty is λ·(regActivity − target)², regActivity the
	// mean of o over the regCount unit-steps within the lengths; the loss
	// gets share (SeqOptions.PenaltyShare, 1 when 0) times it.
	regActivity, regCount, share float64

	// parts (1 or 2) splits the batch's time loops (and the columns of
	// the sparse weight gradient) between the caller and a worker of the
	// kernels' pool; phase says which loop RunPart runs, rng, pbuf and
	// pcarry are what it reads.
	parts, phase int
	stepT        int // the step of phaseBackStep, phaseCarryRows, phaseCarryColumns
	rng          *rand.Rand
	pbuf, pcarry []T
	bw           egruBackward[T]
}

// egruWork is the storage a cached egruSeq keeps across calls: the packed
// dense GEMM operands, each batch half's work space and the recurrent-weight
// gradient's lists.
type egruWork[T autodiff.Float] struct {
	inSums   inputSums[T] // the input side's gradients, summed in the backward loop
	fwd, bwd []packedCols[T]
	// panels is weffᵀ in column panels for the forward gathers (float32).
	panels kernels.GatherPanels
	part   [2]egruPart[T]
	// colPtr, colIdx and colVal are y_{t−1} by unit, segment by segment
	// of steps (byUnit): unit j of segment g was active at the segment's
	// rows colIdx[colPtr[g·(N+1)+j]:colPtr[g·(N+1)+j+1]] (rows of dgh
	// relative to the segment's first) with the values colVal[…]; colCur
	// is the fill cursor.
	colPtr, colIdx, colCur []int32
	colVal                 []T
	// segUnion[g] is whether segment g of the recurrent-weight gradient
	// runs on its union (byUnit).
	segUnion []bool
}

var _ autodiff.FusedOp[float32] = (*egruSeq[float32])(nil)

// Name implements autodiff.FusedOp.
func (s *egruSeq[T]) Name() string { return "EGRU.Run" }

// prevC and prevY return c_{t−1} and y_{t−1}, [B, N].
func (s *egruSeq[T]) prevC(t int) []T {
	if t == 0 {
		return s.cPrev.Data
	}
	return s.c.Data[(t-1)*s.batch*s.n : t*s.batch*s.n]
}

func (s *egruSeq[T]) prevY(t int) []T {
	if t == 0 {
		return s.yPrev.Data
	}
	return s.y.Data[(t-1)*s.batch*s.n : t*s.batch*s.n]
}

// useDense reports whether a step with active of total unit-steps runs the
// dense GEMM.
func (s *egruSeq[T]) useDense(active, total int) bool {
	switch s.opt.Kernels {
	case KernelsDense:
		return true
	case KernelsSparse:
		return false
	}
	return float64(active) > egruDenseAbove*float64(total)
}

// grow returns s resized to n, reallocated with a quarter's headroom when
// too small: the sizes that follow the activity (active lists, their
// transposes) drift upwards step by step as training changes the
// network, and an exact fit would reallocate at nearly every step.
func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n, n+n/4)
	}
	return s[:n]
}

// zoneout mixes c_{t−1} into c̃ (one row): in training with the kept units
// drawn from rng and recorded in zoneMask, in evaluation with the expected
// weights p and 1−p.
func (s *egruSeq[T]) zoneout(row int, ct, cp []T, rng *rand.Rand) {
	p := s.opt.Zoneout
	if p == 0 {
		return
	}
	if len(s.zoneMask.Data) == 0 {
		for j := range ct {
			ct[j] = s.zone*cp[j] + (1-s.zone)*ct[j]
		}
		return
	}
	zm := s.zoneMask.Data[row*s.n : (row+1)*s.n]
	for j := range ct {
		zm[j] = 1
		if rng.Float64() < p {
			zm[j] = 0
			ct[j] = cp[j]
		}
	}
}

func abs[T autodiff.Float](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// recurrentGrad adds ∂L/∂W_hh = (Σ_t dgh_tᵀ y_{t−1}) ⊙ dropMask to g: over
// the active units only when the sequence's activity is low, else as GEMMs.
func (s *egruSeq[T]) recurrentGrad(g, dgh autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	ws := s.ws
	active := 0
	for p := range s.parts {
		pp := &ws.part[p]
		active += int(pp.ptr[s.steps*pp.rows()])
	}
	dst := g
	if len(s.dropMask.Data) != 0 {
		dst = s.tp.AllocZero(n3, n)
	}
	if s.useDense(active, rows*n) {
		kernels.Gemm(true, false, n3, n, b, 1, dgh.Data[:b*n3], n3, s.yPrev.Data, n, 1, dst.Data, n)
		if s.steps > 1 {
			kernels.Gemm(true, false, n3, n, rows-b, 1, dgh.Data[b*n3:], n3, s.y.Data[:(rows-b)*n], n, 1, dst.Data, n)
		}
	} else {
		// dW_hhᵀ [N, 3N]: row j gathers y_{t−1,j}·dgh_t over the batch rows
		// where j was active at t−1.
		dwT := s.tp.AllocZero(n, n3)
		s.byUnit(active)
		s.phase, s.pbuf, s.pcarry = phaseOuter, dgh.Data, dwT.Data
		RunSplit(s.parts, s)
		// The segments that run on the union of their active units: one
		// GEMM each, [rows, u]ᵀ·dgh, added into those units' rows.
		p0 := &ws.part[0]
		for sg, use := range ws.segUnion {
			if !use {
				continue
			}
			t0, t1 := s.segmentSteps(sg)
			u := s.segmentUnion(t0, t1)
			r := (t1 - t0) * b
			p0.panel = grow(p0.panel, r*n)
			a := p0.panel[:r*u]
			clear(a)
			p0.setMarks(u, true)
			for p := range s.parts {
				pp := &ws.part[p]
				h := pp.rows()
				for k := t0 * h; k < t1*h; k++ {
					p0.fillRow(a, u, (k/h-t0)*b+pp.lo+k%h, pp, k)
				}
			}
			p0.setMarks(u, false)
			kernels.Gemm(true, false, u, n3, r, 1, a, u, dgh.Data[t0*b*n3:t1*b*n3], n3, 0, p0.wu, n3)
			for q, j := range p0.union[:u] {
				Axpy(dwT.Data[int(j)*n3:(int(j)+1)*n3], 1, p0.wu[q*n3:(q+1)*n3])
			}
		}
		AddTransposed(dst, dwT)
	}
	if len(s.dropMask.Data) != 0 {
		for k, v := range dst.Data {
			g.Data[k] += v * s.dropMask.Data[k]
		}
	}
}

// egruSegmentRows is the number of batch rows (steps × batch) of one
// segment of the sparse recurrent-weight gradient: a 64-column panel of the
// segment's dgh (128 × 256 B = 32 KiB) stays in a core's L1 while every
// active unit gathers its rows from it, and each unit's block of dW_hhᵀ
// stays in registers over the whole segment. BenchmarkGatherSegments
// (package kernels) measured the gathers at 128 rows 1.3–1.6 times as fast
// as at 512 rows at 20 % activity and 1.05–1.2 times at 5 %.
const egruSegmentRows = 128

// segmentSteps returns the steps [t0, t1) of segment g of the sparse
// recurrent-weight gradient: at most egruSegmentRows rows unless one step
// has more.
func (s *egruSeq[T]) segmentSteps(g int) (t0, t1 int) {
	seg := max(1, egruSegmentRows/s.batch)
	return g * seg, min(s.steps, (g+1)*seg)
}

// segmentUnion lists in part 0's union the units active in some row of the
// steps [t0, t1) and returns their number.
func (s *egruSeq[T]) segmentUnion(t0, t1 int) int {
	p0 := &s.ws.part[0]
	for p := range s.parts {
		pp := &s.ws.part[p]
		for _, j := range pp.idx[pp.ptr[t0*pp.rows()]:pp.ptr[t1*pp.rows()]] {
			p0.mark[j] = 1
		}
	}
	return p0.takeUnion()
}

// byUnit decides, segment by segment, whether the recurrent-weight gradient
// runs as a GEMM over the union of the segment's active units (segUnion, as
// the forward steps do) and fills colPtr, colIdx and colVal for the others
// from the parts' compressed rows: their active units by unit (a counting
// sort), listing rows of dgh relative to the segment's first. active is the
// number of entries of the compressed rows.
func (s *egruSeq[T]) byUnit(active int) {
	n, b := s.n, s.batch
	ws := s.ws
	seg := max(1, egruSegmentRows/b)
	nseg := (s.steps + seg - 1) / seg
	ws.colPtr = grow(ws.colPtr, nseg*(n+1))
	ws.colIdx = grow(ws.colIdx, active)
	ws.colVal = grow(ws.colVal, active)
	ws.colCur = grow(ws.colCur, n)
	ws.segUnion = grow(ws.segUnion, nseg)
	base := int32(0)
	for g := range nseg {
		t0, t1 := s.segmentSteps(g)
		cp := ws.colPtr[g*(n+1) : (g+1)*(n+1)]
		nnz := 0
		for p := range s.parts {
			pp := &ws.part[p]
			nnz += int(pp.ptr[t1*pp.rows()] - pp.ptr[t0*pp.rows()])
		}
		ws.segUnion[g] = s.segmentUnion(t0, t1)*(t1-t0)*b < egruGatherCost*nnz
		if ws.segUnion[g] {
			for j := range cp {
				cp[j] = base
			}
			continue
		}
		clear(cp)
		for p := range s.parts {
			pp := &ws.part[p]
			for _, j := range pp.idx[pp.ptr[t0*pp.rows()]:pp.ptr[t1*pp.rows()]] {
				cp[j+1]++
			}
		}
		cp[0] = base
		for j := 1; j <= n; j++ {
			cp[j] += cp[j-1]
		}
		copy(ws.colCur, cp[:n])
		for p := range s.parts {
			pp := &ws.part[p]
			h := pp.rows()
			for k := t0 * h; k < t1*h; k++ {
				r := int32((k/h-t0)*b + pp.lo + k%h)
				for e := pp.ptr[k]; e < pp.ptr[k+1]; e++ {
					j := pp.idx[e]
					c := ws.colCur[j]
					ws.colIdx[c], ws.colVal[c] = r, pp.vals[e]
					ws.colCur[j]++
				}
			}
		}
		base = cp[n]
	}
}

// outerCols runs part 0 or 1 (a half of the columns) of the gathered
// segments of the sparse recurrent-weight gradient: segment by segment of
// steps, block by block of columns, each unit's block of dW_hhᵀ sums over
// all its active rows of the segment, which read the segment's block of
// dgh from cache (float32: the part's columns of the segment's dgh are
// packed into panels first, kernels.SparseGatherPanels).
func (s *egruSeq[T]) outerCols(part int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	ws := s.ws
	lo, hi := halfCols(n3, s.parts, part)
	if lo == hi {
		return // fewer columns than one block: part 0 has them all
	}
	for g, use := range ws.segUnion {
		if use {
			continue // recurrentGrad runs it as a GEMM
		}
		t0, t1 := s.segmentSteps(g)
		ptr, d := ws.colPtr[g*(n+1):(g+1)*(n+1)], s.pbuf[t0*b*n3:t1*b*n3]
		if dw, ok := any(s.pcarry).([]float32); ok {
			// The segment's columns of dgh in panels, then the panel gather.
			pan := &ws.part[part].dghPanels
			kernels.PackGatherPanels(pan, false, (t1-t0)*b, hi-lo, any(d[lo:]).([]float32), n3)
			kernels.SparseGatherPanels(dw[lo:], n3, 0, hi-lo, true, pan, ptr, ws.colIdx, any(ws.colVal).([]float32))
			continue
		}
		sparseGatherRowsTo(s.pcarry, n3, lo, hi, true, d, n3, ptr, ws.colIdx, ws.colVal)
	}
}

// egruStatsRing remembers the statistics of a layer's last few sequences,
// keyed by the first element of their output, for EGRU.Stats, with the
// op's events for EGRU.Tally.
type egruStatsRing[T autodiff.Float] struct {
	mu    sync.Mutex
	keys  [seqCacheSize]*T
	stats [seqCacheSize]egruRecord[T]
	next  int
}

// egruRecord is what EGRU.Stats and EGRU.Tally read of one sequence: its
// statistics over every row and the op's per-unit-step tensors (tape
// arena, valid until the tape's Reset), from which Tally counts the rows
// of a trial's own steps.
type egruRecord[T autodiff.Float] struct {
	stats  EGRUStats
	steps  int
	ev, pd autodiff.Tensor[T] // [T·B, N] o_t and ∂o/∂c̃
	y      autodiff.Tensor[T] // [T·B, N] y_t
	yPrev  autodiff.Tensor[T] // [B, N] y before the first step
}

func (r *egruStatsRing[T]) put(key *T, st egruRecord[T]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range r.keys {
		if k == key {
			r.stats[i] = st
			return
		}
	}
	r.keys[r.next], r.stats[r.next] = key, st
	r.next = (r.next + 1) % seqCacheSize
}

func (r *egruStatsRing[T]) get(key *T) (egruRecord[T], bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range r.keys {
		if k == key {
			return r.stats[i], true
		}
	}
	return egruRecord[T]{}, false
}
