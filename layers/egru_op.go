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

// egruGatherCost is what one multiply-add of the sparse row kernels costs
// relative to one of the packed GEMM (BenchmarkSparseGather: the GEMM runs
// at two vector FMAs per cycle from packed panels, the row gathers at
// about one from rows picked by index). A sparse step whose batch rows have
// active units in nnz places, u distinct units in all, runs as a GEMM of
// the batch's values of those u units (the union) when u·B < egruGatherCost·nnz.
const egruGatherCost = 3

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
	r := e.Run(tp, x, init, steps, batch, opt, opt.Record)
	return Seq[T]{Rates: r.Rates, Final: r.Final, States: r.States, Pre: r.Pre}
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
// union is small enough (egruGatherCost), else row by row in column blocks
// (kernels.SparseGatherRows), and as the dense GEMM above egruDenseAbove
// activity with KernelsAuto. The backward pass walks time in reverse,
// computes the gradient reaching y_{t−1} only for units that were active or
// have a nonzero pseudo-derivative, and accumulates the recurrent-weight
// gradient only over active units, segment by segment of steps, again as a
// GEMM over a segment's union or by gathers. Every buffer comes from the tape's arena or the layer's
// reused work space, so a steady-state call allocates nothing.
//
// The op keeps references to x, the initial states, the parameters' values
// and opt.Inactivation; none may change before the tape's Backward.
//
// It panics if steps or batch is not positive, x is not [steps·batch, I], an
// initial state is not [batch, N] or [1, N], init has more entries than
// state variables, an inactivation mask does not have N entries, or
// e.Options is invalid.
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
		wihT:  tp.Alloc(in, 3*n),
		bias:  tp.Alloc(1, 3*n),
		inact: opt.Inactivation,
		zone:  T(o.Zoneout),
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
	if SplitBatch(steps, batch, n, false) {
		s.parts = 2 // the split loops draw no noise: any sequence may split
	}
	s.forward(e.BiasIH.Value, opt.Noise)
	s.out = s.y
	if o.Trace {
		s.out = s.tr
	}
	e.stats.put(&s.out.Data[0], s.stats)
	rates := tp.Fused(s, s.out, x, c0, tp.Param(e.WeightIH), tp.Param(e.WeightHH), tp.Param(e.BiasIH), tp.Param(e.BiasHH), tp.Param(e.Threshold))
	last := func(t autodiff.Tensor[T]) autodiff.Tensor[T] { return t.RowSlice(rows-batch, rows) }
	// Final and States live in the cached op record, so returning them
	// allocates nothing.
	s.final = [3]autodiff.Tensor[T]{last(s.c), last(s.y)}
	s.states = [3]autodiff.Tensor[T]{s.c, s.y}
	if o.Trace {
		s.final[2], s.states[2] = last(s.tr), s.tr
	}
	r := EGRURun[T]{Rates: rates, Final: s.final[:nstate]}
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
	wihT                autodiff.Tensor[T] // [I, 3N]
	bias                autodiff.Tensor[T] // [1, 3N] b_ih + (b_hr, b_hu, 0)
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

	fwdPacked, bwdPacked bool

	// parts (1 or 2) splits the sparse loops between the caller and a
	// worker of the kernels' pool; phase, pt, pbuf and pcarry are what the
	// current loop reads (RunPart).
	parts, phase, pt int
	pbuf, pcarry     []T
}

// egruWork is the storage a cached egruSeq keeps across calls: the packed
// dense GEMM operands and the active-unit lists.
type egruWork[T autodiff.Float] struct {
	fwd, bwd []packedCols[T]
	// ptr, idx and vals are y_{t−1} of every step in compressed-row form:
	// row r = t·B+b lists its active units idx[ptr[r]:ptr[r+1]] with the
	// values vals[ptr[r]:ptr[r+1]] = y_{t−1}[b, idx[…]].
	ptr  []int32
	idx  []int32
	vals []T
	// colPtr, colIdx and colVal are the same by unit, step by step: unit j
	// of step t was active at t−1 in the batch rows
	// colIdx[colPtr[t·(N+1)+j]:colPtr[t·(N+1)+j+1]] with the values colVal[…];
	// colCur is the fill cursor of one step.
	colPtr, colIdx, colCur []int32
	colVal                 []T
	// A forward step run on the union of the batch's active units: union
	// lists its u units, panel holds their values y_{t−1}, [B, u], and wu
	// their rows of W_hhᵀ, [u, 3N]; mark is the union's scratch (zero
	// between uses).
	union, mark []int32
	panel, wu   []T
	// segUnion[g] is whether segment g of the recurrent-weight gradient
	// runs on its union (byUnit).
	segUnion []bool
	// needCnt[t] counts the unit-steps of step t whose y-gradient is
	// needed: active, or with a nonzero pseudo-derivative.
	needCnt []int32
	// need is one row's list of units whose y-gradient is needed.
	need []int32
	// gct and zd are one row's ∂L/∂c̃ (after zoneout) and zoneout's direct
	// part of ∂L/∂c_{t−1}.
	gct, zd []T
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

func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

func (s *egruSeq[T]) forward(bih autodiff.Tensor[T], rng *rand.Rand) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	ws := s.ws
	ws.ptr = grow(ws.ptr, rows+1)
	ws.ptr[0] = 0
	ws.idx = grow(ws.idx, rows*n)
	ws.vals = grow(ws.vals, rows*n)
	ws.needCnt = grow(ws.needCnt, s.steps)
	clear(ws.needCnt)
	if s.opt.Kernels != KernelsDense {
		transposeTo(s.whhT, s.weff)
	}
	transposeTo(s.wihT, s.wih)
	copy(s.bias.Data, bih.Data)
	Axpy(s.bias.Data[:2*n], 1, s.bhh.Data[:2*n])
	for i := range rows {
		copy(s.gates.Data[i*n3:(i+1)*n3], s.bias.Data)
	}
	kernels.Gemm(false, false, rows, n3, s.in, 1, s.x.Data, s.in, s.wihT.Data, n3, 1, s.gates.Data, n3)

	bhz := s.bhh.Data[2*n:]
	thr := s.thr.Data
	gamma, eps := T(s.opt.Gamma), T(s.opt.Eps)
	var fired, flat, reads float64
	for t := range s.steps {
		yp, cp := s.prevY(t), s.prevC(t)
		ght := s.gh.Data[t*b*n3 : (t+1)*b*n3]
		active := 0
		for i := range b {
			active += s.activeList(t, i, yp[i*n:(i+1)*n])
		}
		reads += float64(active)
		if s.useDense(active, b*n) {
			if !s.fwdPacked {
				packColumns(&ws.fwd, true, n, n3, s.weff.Data, n, n3)
				s.fwdPacked = true
			}
			gemmColumns(b, 1, yp, n, ws.fwd, 0, ght, n3)
		} else if u := s.unionOf(t*b, (t+1)*b); u*b < egruGatherCost*active {
			s.unionGemm(t, u, ght)
		} else {
			s.phase, s.pt, s.pbuf = phaseGather, t, ght
			RunSplit(s.parts, s)
		}
		m := Perturbed(s.inact, t)
		// All rows' zoneout draws, then all rows' noise draws (RunReference's order).
		for i := range b {
			row := t*b + i
			cpr := cp[i*n : (i+1)*n]
			ct := s.ct.Data[row*n : (row+1)*n]
			gateRow(s.gates.Data[row*n3:(row+1)*n3], ght[i*n3:(i+1)*n3], cpr, ct, bhz)
			s.zoneout(row, ct, cpr, rng)
		}
		if rng != nil && s.opt.NoiseStd != 0 {
			AddNoise(s.ct.Data[t*b*n:(t+1)*b*n], s.opt.NoiseStd, rng)
		}
		for i := range b {
			row := t*b + i
			ct := s.ct.Data[row*n : (row+1)*n]
			if m != nil {
				v := T(m.ClampValue)
				if m.Silence {
					v = 0
				}
				for j, u := range m.Units {
					if u {
						ct[j] = v
					}
				}
			}
			ev := s.ev.Data[row*n : (row+1)*n]
			yr := s.y.Data[row*n : (row+1)*n]
			cr := s.c.Data[row*n : (row+1)*n]
			pd := s.pd.Data[row*n : (row+1)*n]
			for j, v := range ct {
				d := v - thr[j]
				ev[j], yr[j], cr[j] = 0, 0, v
				pd[j] = gamma * max(0, 1-eps*abs(d))
				if m != nil && m.Silence && m.Units[j] {
					pd[j] = 0 // o is held at 0: it depends on nothing
				} else if d > 0 {
					ev[j], yr[j], cr[j] = 1, v, d
					fired++
				}
				if pd[j] == 0 {
					flat++
				}
				if ev[j] != 0 || pd[j] != 0 {
					ws.needCnt[t]++
				}
			}
			if s.opt.Trace {
				tp := s.trPrev.Data[i*n : (i+1)*n]
				if t > 0 {
					tp = s.tr.Data[(row-b)*n : (row-b+1)*n]
				}
				trr := s.tr.Data[row*n : (row+1)*n]
				for j, v := range yr {
					trr[j] = 0.9*tp[j] + 0.1*v
				}
			}
		}
	}
	total := float64(rows * n)
	st := EGRUStats{
		Activity:         fired / total,
		BackwardSparsity: flat / total,
		EffectiveMACs:    (float64(s.in) + reads/float64(rows)) / float64(s.in+n),
	}
	if s.opt.ActivityReg > 0 {
		d := st.Activity - s.opt.ActivityTarget
		st.Penalty = s.opt.ActivityReg * d * d
	}
	s.stats = st
}

// activeList appends the units with y_{t−1} ≠ 0 of batch row i at step t to
// the compressed rows (rows are listed in order) and returns their number.
func (s *egruSeq[T]) activeList(t, i int, yp []T) int {
	row := t*s.batch + i
	p := int(s.ws.ptr[row])
	idx, vals := s.ws.idx[p:p+s.n], s.ws.vals[p:p+s.n]
	k := 0
	for j, v := range yp {
		if v != 0 {
			idx[k], vals[k] = int32(j), v
			k++
		}
	}
	s.ws.ptr[row+1] = int32(p + k)
	return k
}

// unionOf lists in union the units active in some of the compressed rows
// [r0, r1) (y_{t−1} of those batch rows and steps), in order, and returns
// their number; mark is left zero.
func (s *egruSeq[T]) unionOf(r0, r1 int) int {
	n := s.n
	ws := s.ws
	if len(ws.mark) != n {
		ws.union, ws.mark = make([]int32, n), make([]int32, n)
	}
	for _, j := range ws.idx[ws.ptr[r0]:ws.ptr[r1]] {
		ws.mark[j] = 1
	}
	u := 0
	for j, m := range ws.mark {
		if m != 0 {
			ws.union[u] = int32(j)
			u++
			ws.mark[j] = 0
		}
	}
	return u
}

// unionPanel returns the values of the compressed rows [r0, r1) at the u
// units of unionOf(r0, r1), [r1−r0, u] in panel (zero where a unit was
// silent); mark is left zero.
func (s *egruSeq[T]) unionPanel(r0, r1, u int) []T {
	ws := s.ws
	ws.panel = grow(ws.panel, max(s.batch, egruSegmentRows)*s.n)
	list := ws.union[:u]
	for q, j := range list {
		ws.mark[j] = int32(q + 1)
	}
	a := ws.panel[:(r1-r0)*u]
	clear(a)
	for r := r0; r < r1; r++ {
		for k := ws.ptr[r]; k < ws.ptr[r+1]; k++ {
			a[(r-r0)*u+int(ws.mark[ws.idx[k]])-1] = ws.vals[k]
		}
	}
	for _, j := range list {
		ws.mark[j] = 0
	}
	return a
}

// unionGemm sets gh [B, 3N] of step t to y_{t−1}·weffᵀ as one GEMM over the
// u units of unionOf(t·B, (t+1)·B): the batch's values of those units,
// [B, u], times their rows of W_hhᵀ, [u, 3N].
func (s *egruSeq[T]) unionGemm(t, u int, gh []T) {
	n, b, n3 := s.n, s.batch, 3*s.n
	ws := s.ws
	a := s.unionPanel(t*b, (t+1)*b, u)
	ws.wu = grow(ws.wu, n*n3)
	for q, j := range ws.union[:u] {
		copy(ws.wu[q*n3:(q+1)*n3], s.whhT.Data[int(j)*n3:(int(j)+1)*n3])
	}
	kernels.Gemm(false, false, b, n3, u, 1, a, u, ws.wu, n3, 0, gh, n3)
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

// Backward implements autodiff.FusedOp. grads are for x, c0, weight_ih,
// weight_hh, bias_ih, bias_hh and threshold.
func (s *egruSeq[T]) Backward(outGrad autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	gx, gc0, gwih, gwhh, gbih, gbhh, gthr := grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], grads[6]
	ws := s.ws
	tp := s.tp
	dgh := tp.Alloc(rows, n3)
	dgin := tp.Alloc(rows, n)
	carryC := tp.AllocZero(b, n)
	carryY := tp.AllocZero(b, n)
	var dtr autodiff.Tensor[T]
	if s.opt.Trace {
		dtr = tp.AllocZero(b, n)
	}
	thrAcc := tp.AllocZero(1, n)
	ws.gct = grow(ws.gct, n)
	ws.zd = grow(ws.zd, n)
	ws.need = grow(ws.need, 2*n) // one list per part
	var reg T
	if s.opt.ActivityReg > 0 {
		reg = T(2 * s.opt.ActivityReg * (s.stats.Activity - s.opt.ActivityTarget) / float64(rows*n))
	}
	thr := s.thr.Data
	bhz := s.bhh.Data[2*n:]
	ta := thrAcc.Data
	for t := s.steps - 1; t >= 0; t-- {
		m := Perturbed(s.inact, t)
		cp := s.prevC(t)
		for i := range b {
			row := t*b + i
			og := outGrad.Data[row*n : (row+1)*n]
			cy := carryY.Data[i*n : (i+1)*n]
			cc := carryC.Data[i*n : (i+1)*n]
			ct := s.ct.Data[row*n : (row+1)*n]
			ev, pd := s.ev.Data[row*n:(row+1)*n], s.pd.Data[row*n:(row+1)*n]
			gct, zd := ws.gct, ws.zd
			var dt []T
			if s.opt.Trace {
				dt = dtr.Data[i*n : (i+1)*n]
			}
			for j := range n {
				gy := cy[j]
				if dt != nil {
					dt[j] = og[j] + 0.9*dt[j]
					gy += 0.1 * dt[j]
				} else {
					gy += og[j]
				}
				gc, o, v, th, hd := cc[j], ev[j], ct[j], thr[j], pd[j]
				held := m != nil && m.Units[j]
				gO := gy*v - gc*th + reg
				g := gy*o + gc + gO*hd
				ta[j] -= gc*o + gO*hd
				if held {
					g = 0
				}
				zd[j] = 0
				if s.zone != 0 {
					keep := 1 - s.zone
					if len(s.zoneMask.Data) != 0 {
						keep = s.zoneMask.Data[row*n+j]
					}
					zd[j] = (1 - keep) * g
					g *= keep
				}
				gct[j] = g
				cc[j] = 0
			}
			gateGradRow(dgh.Data[row*n3:(row+1)*n3], dgin.Data[row*n:(row+1)*n], cc, gct,
				s.gates.Data[row*n3:(row+1)*n3], s.gh.Data[row*n3+2*n:(row+1)*n3], cp[i*n:(i+1)*n], bhz)
			if s.zone != 0 {
				Axpy(cc, 1, zd)
			}
		}
		if t == 0 {
			break // y_0 is a constant: no gradient needed
		}
		s.carryY(t, dgh.Data[t*b*n3:(t+1)*b*n3], carryY.Data)
	}
	AccReduceRows(gc0, carryC)
	if gthr.Data != nil {
		Axpy(gthr.Data, 1, ta)
	}
	if gwhh.Data != nil {
		s.recurrentGrad(gwhh, dgh)
	}
	gateInputGrads(tp, s.x, s.wih, dgh, dgin, gx, gwih, gbih, gbhh)
}

// carryY sets carry [B, N] to ∂L/∂y_{t−1} = dgh_t·weff for the units that
// need it (active at t−1 or with a nonzero pseudo-derivative there) and 0
// elsewhere; d is dgh_t, [B, 3N].
func (s *egruSeq[T]) carryY(t int, d, carry []T) {
	n, b, n3 := s.n, s.batch, 3*s.n
	ws := s.ws
	needed := int(ws.needCnt[t-1])
	if s.useDense(needed, b*n) {
		if !s.bwdPacked {
			packColumns(&ws.bwd, false, n3, n, s.weff.Data, n, n)
			s.bwdPacked = true
		}
		gemmColumns(b, 1, d, n3, ws.bwd, 0, carry, n)
		return
	}
	s.phase, s.pt, s.pbuf, s.pcarry = phaseDots, t, d, carry
	RunSplit(s.parts, s)
}

// Phases of the loops that run split between two goroutines (RunPart).
const (
	phaseGather = iota // forward: the sparse recurrent product of each batch row
	phaseDots          // backward: the needed y-gradients of each batch row
	phaseOuter         // backward: the recurrent-weight gradient's rows (units)
)

// RunPart runs part 0 or 1 of the current phase's loop (kernels.PartRunner,
// see RunSplit): the batch rows, or for phaseOuter the units, split in two
// halves. The parts write disjoint rows.
func (s *egruSeq[T]) RunPart(part int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	ws, t := s.ws, s.pt
	switch s.phase {
	case phaseGather:
		lo, hi := halfCols(n3, s.parts, part)
		sparseGatherRowsTo(s.pbuf, n3, lo, hi, false, s.whhT.Data, n3, ws.ptr[t*b:(t+1)*b+1], ws.idx, ws.vals)
	case phaseDots:
		lo, hi := HalfRows(b, s.parts, part)
		need := ws.need[part*n : (part+1)*n]
		for i := lo; i < hi; i++ {
			row := (t-1)*b + i
			ev, pd := s.ev.Data[row*n:(row+1)*n], s.pd.Data[row*n:(row+1)*n]
			k := 0
			cr := s.pcarry[i*n : (i+1)*n]
			for j, p := range pd {
				cr[j] = 0
				if ev[j] != 0 || p != 0 {
					need[k] = int32(j)
					k++
				}
			}
			sparseDotsTo(cr, s.whhT.Data, n3, need[:k], s.pbuf[i*n3:(i+1)*n3])
		}
	case phaseOuter:
		// Segment by segment of steps (byUnit), block by block of
		// columns: each unit's block of dW_hhᵀ sums over all its active
		// rows of the segment, which read the segment's block of dgh
		// from cache.
		lo, hi := halfCols(n3, s.parts, part)
		for g, use := range ws.segUnion {
			if use {
				continue // recurrentGrad runs it as a GEMM
			}
			r0, r1 := s.segmentRows(g)
			sparseGatherRowsTo(s.pcarry, n3, lo, hi, true, s.pbuf[r0*n3:r1*n3], n3,
				ws.colPtr[g*(n+1):(g+1)*(n+1)], ws.colIdx, ws.colVal)
		}
	}
}

// recurrentGrad adds ∂L/∂W_hh = (Σ_t dgh_tᵀ y_{t−1}) ⊙ dropMask to g: over
// the active units only when the sequence's activity is low, else as GEMMs.
func (s *egruSeq[T]) recurrentGrad(g, dgh autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	ws := s.ws
	active := int(ws.ptr[rows])
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
		s.byUnit()
		s.phase, s.pbuf, s.pcarry = phaseOuter, dgh.Data, dwT.Data
		RunSplit(s.parts, s)
		// The segments that run on the union of their active units: one
		// GEMM each, [rows, u]ᵀ·dgh, added into those units' rows.
		ws.wu = grow(ws.wu, n*n3)
		for g, use := range ws.segUnion {
			if !use {
				continue
			}
			r0, r1 := s.segmentRows(g)
			u := s.unionOf(r0, r1)
			a := s.unionPanel(r0, r1, u)
			kernels.Gemm(true, false, u, n3, r1-r0, 1, a, u, dgh.Data[r0*n3:r1*n3], n3, 0, ws.wu, n3)
			for q, j := range ws.union[:u] {
				Axpy(dwT.Data[int(j)*n3:(int(j)+1)*n3], 1, ws.wu[q*n3:(q+1)*n3])
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
// segment of the sparse recurrent-weight gradient: a 64-column block of the
// segment's dgh (2048 × 256 B = 512 KiB) stays in a core's L2 while every
// active unit gathers its rows from it, and each unit's block of dW_hhᵀ
// stays in registers over the whole segment.
const egruSegmentRows = 2048

// segmentRows returns the compressed rows [r0, r1) of segment g of the
// sparse recurrent-weight gradient: whole steps, at most egruSegmentRows
// rows unless one step has more.
func (s *egruSeq[T]) segmentRows(g int) (r0, r1 int) {
	seg := max(1, egruSegmentRows/s.batch)
	return g * seg * s.batch, min(s.steps, (g+1)*seg) * s.batch
}

// byUnit decides, segment by segment, whether the recurrent-weight gradient
// runs as a GEMM over the union of the segment's active units (segUnion, as
// unionGemm forward) and fills colPtr, colIdx and colVal for the others
// from the compressed rows: their active units by unit (a counting sort),
// listing rows relative to the segment's first.
func (s *egruSeq[T]) byUnit() {
	n, b := s.n, s.batch
	ws := s.ws
	seg := max(1, egruSegmentRows/b)
	nseg := (s.steps + seg - 1) / seg
	total := int(ws.ptr[s.steps*b])
	ws.colPtr = grow(ws.colPtr, nseg*(n+1))
	ws.colIdx = grow(ws.colIdx, total)
	ws.colVal = grow(ws.colVal, total)
	ws.colCur = grow(ws.colCur, n)
	ws.segUnion = grow(ws.segUnion, nseg)
	base := int32(0)
	for g := range nseg {
		r0, r1 := s.segmentRows(g)
		cp := ws.colPtr[g*(n+1) : (g+1)*(n+1)]
		nnz := int(ws.ptr[r1] - ws.ptr[r0])
		ws.segUnion[g] = s.unionOf(r0, r1)*(r1-r0) < egruGatherCost*nnz
		if ws.segUnion[g] {
			for j := range cp {
				cp[j] = base
			}
			continue
		}
		clear(cp)
		for _, j := range ws.idx[ws.ptr[r0]:ws.ptr[r1]] {
			cp[j+1]++
		}
		cp[0] = base
		for j := 1; j <= n; j++ {
			cp[j] += cp[j-1]
		}
		copy(ws.colCur, cp[:n])
		for row := r0; row < r1; row++ {
			for k := ws.ptr[row]; k < ws.ptr[row+1]; k++ {
				j := ws.idx[k]
				c := ws.colCur[j]
				ws.colIdx[c], ws.colVal[c] = int32(row-r0), ws.vals[k]
				ws.colCur[j]++
			}
		}
		base = cp[n]
	}
}

// egruStatsRing remembers the statistics of a layer's last few sequences,
// keyed by the first element of their output, for EGRU.Stats.
type egruStatsRing[T autodiff.Float] struct {
	mu    sync.Mutex
	keys  [seqCacheSize]*T
	stats [seqCacheSize]EGRUStats
	next  int
}

func (r *egruStatsRing[T]) put(key *T, st EGRUStats) {
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

func (r *egruStatsRing[T]) get(key *T) (EGRUStats, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range r.keys {
		if k == key {
			return r.stats[i], true
		}
	}
	return EGRUStats{}, false
}
