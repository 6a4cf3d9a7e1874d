// The EGRU op's time loops: each half of the batch runs its whole forward
// and backward loop on its own goroutine (as the GRU's do), with its own
// active-unit lists and work space, so the two cores meet once per loop,
// not at every step; only the backward loop of wide layers
// (egruStepSyncMin) meets at every step, to split the dense carry GEMM by
// columns.

package layers

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// egruPart is the work space of one half of the batch, rows [lo, hi).
type egruPart[T autodiff.Float] struct {
	lo, hi int
	// ptr, idx and vals are y_{t−1} of the part's rows of every step in
	// compressed-row form: row k = t·(hi−lo) + i − lo lists its active
	// units idx[ptr[k]:ptr[k+1]] with the values vals[ptr[k]:ptr[k+1]].
	ptr, idx []int32
	vals     []T
	// A step run on the union of the part's active units: union lists its
	// u units, panel holds their values, [rows, u], and wu their rows of
	// W_hhᵀ (or of dW_hhᵀ), [u, 3N]; mark is scratch, zero between uses.
	union, mark []int32
	panel, wu   []T
	// needCnt[t] counts the part's unit-steps of step t whose y-gradient
	// is needed: active, or with a nonzero pseudo-derivative; need is one
	// row's list of them.
	needCnt []int32
	need    []int32
	// gct and zd are one row's ∂L/∂c̃ (after zoneout) and zoneout's direct
	// part of ∂L/∂c_{t−1}; thrAcc the part's sum of ∂L/∂ϑ.
	gct, zd, thrAcc []T
	// dghPanels holds the part's columns of a segment of dgh for the
	// recurrent-weight gradient's gathers (float32, outerCols).
	dghPanels          kernels.GatherPanels
	fired, flat, reads float64
	// firedIn counts the events within the trials' lengths
	// (SeqOptions.Lengths), for the activity penalty.
	firedIn float64
}

// rows returns the part's batch rows per step.
func (p *egruPart[T]) rows() int { return p.hi - p.lo }

// prepare sizes the part's buffers for steps steps of n units.
func (p *egruPart[T]) prepare(lo, hi, steps, n int) {
	h := hi - lo
	p.lo, p.hi = lo, hi
	p.ptr = grow(p.ptr, steps*h+1)
	p.ptr[0] = 0
	p.idx = grow(p.idx, steps*h*n)
	p.vals = grow(p.vals, steps*h*n)
	p.needCnt = grow(p.needCnt, steps)
	clear(p.needCnt)
	if len(p.mark) != n {
		p.union, p.mark = make([]int32, n), make([]int32, n)
	}
	p.panel = grow(p.panel, h*n)
	p.wu = grow(p.wu, n*3*n)
	p.need = grow(p.need, n)
	p.gct = grow(p.gct, n)
	p.zd = grow(p.zd, n)
	p.thrAcc = grow(p.thrAcc, n)
	clear(p.thrAcc)
	p.fired, p.flat, p.reads, p.firedIn = 0, 0, 0, 0
}

// activeList appends the units with y ≠ 0 of yp (one row) as the part's
// compressed row k (rows are listed in order) and returns their number.
func (p *egruPart[T]) activeList(k int, yp []T) int {
	o := int(p.ptr[k])
	idx, vals := p.idx[o:o+len(yp)], p.vals[o:o+len(yp)]
	c := 0
	for j, v := range yp {
		if v != 0 {
			idx[c], vals[c] = int32(j), v
			c++
		}
	}
	p.ptr[k+1] = int32(o + c)
	return c
}

// unionOf lists in union the units active in some of the part's
// compressed rows [k0, k1), in order, and returns their number.
func (p *egruPart[T]) unionOf(k0, k1 int) int {
	p.addUnits(k0, k1)
	return p.takeUnion()
}

// addUnits marks the units of the part's compressed rows [k0, k1) in mark.
func (p *egruPart[T]) addUnits(k0, k1 int) {
	for _, j := range p.idx[p.ptr[k0]:p.ptr[k1]] {
		p.mark[j] = 1
	}
}

// takeUnion lists the marked units in union, in order, clears mark and
// returns their number.
func (p *egruPart[T]) takeUnion() int {
	u := 0
	for j, m := range p.mark {
		if m != 0 {
			p.union[u] = int32(j)
			u++
			p.mark[j] = 0
		}
	}
	return u
}

// fillRow writes the values of src's compressed row k at the u units of
// union into row r of a, [·, u], using mark as each unit's position + 1.
func (p *egruPart[T]) fillRow(a []T, u, r int, src *egruPart[T], k int) {
	for e := src.ptr[k]; e < src.ptr[k+1]; e++ {
		a[r*u+int(p.mark[src.idx[e]])-1] = src.vals[e]
	}
}

// setMarks sets mark to the positions + 1 of union's first u units, or
// back to zero.
func (p *egruPart[T]) setMarks(u int, on bool) {
	for q, j := range p.union[:u] {
		p.mark[j] = 0
		if on {
			p.mark[j] = int32(q + 1)
		}
	}
}

func (s *egruSeq[T]) forward(bih autodiff.Tensor[T], rng *rand.Rand) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	ws := s.ws
	if s.opt.Kernels != KernelsDense {
		transposeTo(s.whhT, s.weff)
		packWeightPanels(&ws.panels, s.whhT)
	}
	if s.opt.Kernels != KernelsSparse {
		half := (b + 1) / 2
		packColumns(&ws.fwd, true, n, n3, s.weff.Data, n, serialWidth(s.parts == 2, half, n, n3))
		packColumns(&ws.bwd, false, n3, n, s.weff.Data, n, s.carryWidth(half))
	}
	// The input projection of every step with its bias as one GEMM: x with
	// a column of ones times W_ihᵀ with the bias as its last row (writing
	// the bias into every row first would cost a pass over all the gates).
	in, in1 := s.in, s.in+1
	transposeTo(s.wihT.RowSlice(0, in), s.wih)
	bias := s.wihT.Data[in*n3:]
	copy(bias, bih.Data)
	Axpy(bias[:2*n], 1, s.bhh.Data[:2*n])
	kernels.Gemm(false, false, rows, n3, in1, 1, s.xb.Data, in1, s.wihT.Data, n3, 0, s.gates.Data, n3)
	for p := range s.parts {
		lo, hi := HalfRows(b, s.parts, p)
		ws.part[p].prepare(lo, hi, s.steps, n)
	}
	s.phase, s.rng = phaseForward, rng
	RunSplit(s.parts, s)
	s.rng = nil

	var fired, flat, reads, firedIn float64
	for p := range s.parts {
		pp := &ws.part[p]
		fired, flat, reads, firedIn = fired+pp.fired, flat+pp.flat, reads+pp.reads, firedIn+pp.firedIn
	}
	s.stats = egruStatsOf(fired, flat, reads, rows, n, s.in, s.opt)
	s.regActivity, s.regCount = s.stats.Activity, float64(rows*n)
	if s.lengths != nil && s.opt.ActivityReg > 0 {
		// The penalty's mean is over the unit-steps within the trials'
		// lengths; with none, it is 0.
		in := 0
		for _, l := range s.lengths {
			in += min(l, s.steps)
		}
		s.regActivity, s.regCount, s.stats.Penalty = 0, float64(in*n), 0
		if in > 0 {
			s.regActivity = firedIn / s.regCount
			d := s.regActivity - s.opt.ActivityTarget
			s.stats.Penalty = s.opt.ActivityReg * d * d
		}
	}
}

// egruStatsOf returns the statistics of rows rows of n units of a layer
// with in inputs and options o, in which fired events, flat zero
// pseudo-derivatives and reads nonzero y_{t−1} were counted.
func egruStatsOf(fired, flat, reads float64, rows, n, in int, o EGRUOptions) EGRUStats {
	total := float64(rows * n)
	st := EGRUStats{
		Activity:         fired / total,
		BackwardSparsity: flat / total,
		EffectiveMACs:    (float64(in) + reads/float64(rows)) / float64(in+n),
	}
	if o.ActivityReg > 0 {
		d := st.Activity - o.ActivityTarget
		st.Penalty = o.ActivityReg * d * d
	}
	return st
}

// pool returns the pool a loop's GEMMs may use: none inside a split loop
// (each half runs on one core), the default pool otherwise.
func (s *egruSeq[T]) pool() *kernels.Pool {
	if s.parts == 2 {
		return nil
	}
	return kernels.DefaultPool()
}

// forwardRows runs the forward time loop of the batch rows of part pp.
func (s *egruSeq[T]) forwardRows(pp *egruPart[T]) {
	n, b, n3 := s.n, s.batch, 3*s.n
	lo, hi, h := pp.lo, pp.hi, pp.rows()
	ws, rng := s.ws, s.rng
	bhz := s.bhh.Data[2*n:]
	for t := range s.steps {
		yp, cp := s.prevY(t), s.prevC(t)
		ght := s.gh.Data[(t*b+lo)*n3 : (t*b+hi)*n3]
		k0, k1 := t*h, (t+1)*h
		// The lists of step t > 0 were written by step t−1's events.
		active := int(pp.ptr[k1] - pp.ptr[k0])
		if t == 0 {
			for i := lo; i < hi; i++ {
				pp.activeList(k0+i-lo, yp[i*n:(i+1)*n])
			}
			active = int(pp.ptr[k1])
		}
		pp.reads += float64(active)
		if s.useDense(active, h*n) {
			gemmColumns(s.pool(), h, 1, yp[lo*n:hi*n], n, ws.fwd, 0, ght, n3)
		} else if u := pp.unionOf(k0, k1); float64(u*h) < egruPanelCost*float64(active) {
			// One GEMM over the union of the part's active units.
			a := pp.panel[:h*u]
			clear(a)
			pp.setMarks(u, true)
			for k := k0; k < k1; k++ {
				pp.fillRow(a, u, k-k0, pp, k)
			}
			pp.setMarks(u, false)
			for q, j := range pp.union[:u] {
				copy(pp.wu[q*n3:(q+1)*n3], s.whhT.Data[int(j)*n3:(int(j)+1)*n3])
			}
			kernels.GemmOn(s.pool(), false, false, h, n3, u, 1, a, u, pp.wu, n3, 0, ght, n3)
		} else {
			s.gatherForward(ght, pp.ptr[k0:k1+1], pp.idx, pp.vals)
		}
		m := Perturbed(s.inact, t)
		// All rows' zoneout draws, then all rows' noise draws (RunReference's
		// order; a sequence that draws runs as one part).
		for i := lo; i < hi; i++ {
			row := t*b + i
			cpr := cp[i*n : (i+1)*n]
			ct := s.ct.Data[row*n : (row+1)*n]
			gateRow(s.gates.Data[row*n3:(row+1)*n3], s.gh.Data[row*n3:(row+1)*n3], cpr, ct, bhz)
			s.zoneout(row, ct, cpr, rng)
		}
		if rng != nil && s.opt.NoiseStd != 0 {
			AddNoise(s.ct.Data[(t*b+lo)*n:(t*b+hi)*n], s.opt.NoiseStd, rng)
		}
		for i := lo; i < hi; i++ {
			row := t*b + i
			ct := s.ct.Data[row*n : (row+1)*n]
			if m != nil {
				v := T(m.ClampValue)
				if m.Silence {
					v = 0
				}
				perturb(m, ct, n, v)
			}
			s.events(pp, t, i, m)
			if s.opt.Trace {
				tp := s.trPrev.Data[i*n : (i+1)*n]
				if t > 0 {
					tp = s.tr.Data[(row-b)*n : (row-b+1)*n]
				}
				trr := s.tr.Data[row*n : (row+1)*n]
				for j, v := range s.y.Data[row*n : (row+1)*n] {
					trr[j] = 0.9*tp[j] + 0.1*v
				}
			}
		}
	}
}

// events runs the event step of batch row i of step t (o, y, c and the
// pseudo-derivative from c̃, with the part's counts; silenced units held
// at no event) and lists the row's active units as the part's compressed
// row of step t+1 (kernels.EGRUEvents).
func (s *egruSeq[T]) events(pp *egruPart[T], t, i int, m *Inactivation) {
	n, row := s.n, t*s.batch+i
	var idx []int32
	var vals []T
	next := t+1 < s.steps
	k := (t+1)*pp.rows() + i - pp.lo
	if next {
		o := int(pp.ptr[k])
		idx, vals = pp.idx[o:o+n], pp.vals[o:o+n]
	}
	var held []bool
	if m != nil && m.Silence {
		held = m.Units
	}
	r := func(a autodiff.Tensor[T]) []T { return a.Data[row*n : (row+1)*n] }
	c := kernels.EGRUEvents(r(s.ev), r(s.y), r(s.c), r(s.pd), r(s.ct), s.thr.Data, T(s.opt.Gamma), T(s.opt.Eps), held, idx, vals)
	pp.fired += float64(c.Fired)
	if s.lengths != nil && t < s.lengths[i] {
		pp.firedIn += float64(c.Fired)
	}
	pp.flat += float64(c.Flat)
	pp.needCnt[t] += int32(c.Need)
	if next {
		pp.ptr[k+1] = pp.ptr[k] + int32(c.Listed)
	}
}

// egruBackward is what the backward loops read: the output gradient and the
// buffers they fill.
type egruBackward[T autodiff.Float] struct {
	outGrad, dgh, dgin  autodiff.Tensor[T]
	carryC, carryY, dtr autodiff.Tensor[T]
	reg                 T // ∂(share·penalty)/∂o of a unit-step within its trial's length
}

// Backward implements autodiff.FusedOp. grads are for x, c0, weight_ih,
// weight_hh, bias_ih, bias_hh and threshold.
func (s *egruSeq[T]) Backward(outGrad autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	gx, gc0, gwih, gwhh, gbih, gbhh, gthr := grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], grads[6]
	tp := s.tp
	s.bw = egruBackward[T]{
		outGrad: outGrad,
		dgh:     tp.Alloc(rows, n3),
		dgin:    tp.Alloc(rows, n),
		carryC:  tp.AllocZero(b, n),
		carryY:  tp.AllocZero(b, n),
	}
	if s.opt.Trace {
		s.bw.dtr = tp.AllocZero(b, n)
	}
	if s.opt.ActivityReg > 0 && s.regCount > 0 {
		s.bw.reg = T(2 * s.share * s.opt.ActivityReg * (s.regActivity - s.opt.ActivityTarget) / s.regCount)
	}
	s.ws.inSums.alloc(tp, s.xb, b, n3, n)
	s.ws.inSums.start(gwih.Data != nil || gbih.Data != nil || gbhh.Data != nil)
	if s.parts == 2 && n >= egruStepSyncMin {
		s.backwardSteps()
	} else {
		s.phase = phaseBackward
		RunSplit(s.parts, s)
	}
	AccReduceRows(gc0, s.bw.carryC)
	if gthr.Data != nil {
		for p := range s.parts {
			Axpy(gthr.Data, 1, s.ws.part[p].thrAcc)
		}
	}
	if gwhh.Data != nil {
		s.recurrentGrad(gwhh, s.bw.dgh)
	}
	gateInputGrads(tp, &s.ws.inSums, s.x, s.wih, s.bw.dgh, s.bw.dgin, gx, gwih, gbih, gbhh)
	s.bw = egruBackward[T]{}
}

// backwardRows runs the backward time loop of the batch rows of part pp.
func (s *egruSeq[T]) backwardRows(pp *egruPart[T]) {
	for t := s.steps - 1; t >= 0; t-- {
		s.backStep(pp, t)
		if t == 0 {
			break // y_0 is a constant: no gradient needed
		}
		s.carryRows(pp, t)
	}
}

// backStep runs step t of the backward loop for the batch rows of part pp:
// the gradients of the events and of the gates (dgh, dgin) and the
// carried gradient of c.
func (s *egruSeq[T]) backStep(pp *egruPart[T], t int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	bw := &s.bw
	thr := s.thr.Data
	bhz := s.bhh.Data[2*n:]
	ta, reg := pp.thrAcc, bw.reg
	m := Perturbed(s.inact, t)
	cp := s.prevC(t)
	for i := pp.lo; i < pp.hi; i++ {
		row := t*b + i
		r := reg
		if s.lengths != nil && t >= s.lengths[i] {
			r = 0 // padding: no share of the penalty
		}
		og := bw.outGrad.Data[row*n : (row+1)*n]
		cy := bw.carryY.Data[i*n : (i+1)*n]
		cc := bw.carryC.Data[i*n : (i+1)*n]
		ct := s.ct.Data[row*n : (row+1)*n]
		ev, pd := s.ev.Data[row*n:(row+1)*n], s.pd.Data[row*n:(row+1)*n]
		gct := pp.gct
		if g, ok := any(gct).([]float32); ok && !s.opt.Trace && s.zone == 0 && m == nil {
			kernels.EGRUBackEvents(g, any(cc).([]float32), any(ta).([]float32), any(cy).([]float32), any(og).([]float32),
				any(ev).([]float32), any(ct).([]float32), any(thr).([]float32), any(pd).([]float32), float32(r))
		} else {
			s.backEvents(row, i, r, m, pp)
		}
		gateGradRow(bw.dgh.Data[row*n3:(row+1)*n3], bw.dgin.Data[row*n:(row+1)*n], cc, gct,
			s.gates.Data[row*n3:(row+1)*n3], s.gh.Data[row*n3+2*n:(row+1)*n3], cp[i*n:(i+1)*n], bhz)
		if s.zone != 0 {
			Axpy(cc, 1, pp.zd)
		}
	}
	part := 0
	if pp == &s.ws.part[1] {
		part = 1
	}
	r0, r1 := t*b+pp.lo, t*b+pp.hi
	s.ws.inSums.add(part, 0, r0, r1, bw.dgh.Data[r0*n3:r1*n3])
	s.ws.inSums.add(part, 1, r0, r1, bw.dgin.Data[r0*n:r1*n])
}

// carryRows sets, for the batch rows of part pp, carry = ∂L/∂y_{t−1} =
// dgh_t·weff for the units that need it (active at t−1 or with a nonzero
// pseudo-derivative there), 0 elsewhere: one dense GEMM of the part's rows
// when many units need it, else a dot product per needed unit.
func (s *egruSeq[T]) carryRows(pp *egruPart[T], t int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	lo, hi, h := pp.lo, pp.hi, pp.rows()
	bw := &s.bw
	d := bw.dgh.Data[(t*b+lo)*n3 : (t*b+hi)*n3]
	carry := bw.carryY.Data[lo*n : hi*n]
	if s.useDense(int(pp.needCnt[t-1]), h*n) {
		gemmColumns(s.pool(), h, 1, d, n3, s.ws.bwd, 0, carry, n)
		return
	}
	for i := lo; i < hi; i++ {
		row := (t-1)*b + i
		ev, pd := s.ev.Data[row*n:(row+1)*n], s.pd.Data[row*n:(row+1)*n]
		k := 0
		cr := carry[(i-lo)*n : (i-lo+1)*n]
		for j, p := range pd {
			cr[j] = 0
			if ev[j] != 0 || p != 0 {
				pp.need[k] = int32(j)
				k++
			}
		}
		sparseDotsTo(cr, s.whhT.Data, n3, pp.need[:k], d[(i-lo)*n3:(i-lo+1)*n3])
	}
}

// carryWidth returns the width of the column blocks of W_hh packed for the
// carry's GEMMs, for batch halves of half rows: blocks that keep each
// half's GEMM on its own core (serialWidth), or, when the backward loop
// splits the carry by columns (backwardSteps), one block per core — a
// core's whole half of the columns in one GEMM packs each block of dgh_t
// once instead of reading it in place for every 32 columns (about 8 %
// faster at N = 1024, 32 rows: 105–108 against 98–99 GFLOP/s on one core).
func (s *egruSeq[T]) carryWidth(half int) int {
	n := s.n
	if s.parts == 2 && n >= egruStepSyncMin {
		return (n/2 + 31) / 32 * 32
	}
	return serialWidth(s.parts == 2, half, 3*n, n)
}

// carryColumns is carryRows' dense GEMM for every batch row at once, split
// by columns: part p computes the carry of all rows for its half of the
// packed column blocks of weff, so that each core reads half of W_hh per
// step instead of all of it (backwardSteps).
func (s *egruSeq[T]) carryColumns(part, t int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	blocks := s.ws.bwd
	lo, hi := HalfRows(len(blocks), 2, part)
	gemmColumns(nil, b, 1, s.bw.dgh.Data[t*b*n3:(t+1)*b*n3], n3, blocks[lo:hi], 0, s.bw.carryY.Data, n)
}

// backwardSteps is the backward time loop for wide layers: the two batch
// halves meet at every step, first for their rows' event and gate
// gradients, then, when the step's carry is dense for the batch, for the
// carry's GEMM split by columns (or each half's own rows otherwise). At
// N ≥ egruStepSyncMin the halves' own dense GEMMs would each stream all of
// the recurrent weights from L3 at every step.
func (s *egruSeq[T]) backwardSteps() {
	n, b := s.n, s.batch
	for t := s.steps - 1; t >= 0; t-- {
		s.stepT, s.phase = t, phaseBackStep
		RunSplit(2, s)
		if t == 0 {
			break
		}
		need := int(s.ws.part[0].needCnt[t-1] + s.ws.part[1].needCnt[t-1])
		s.phase = phaseCarryRows
		if s.useDense(need, b*n) {
			s.phase = phaseCarryColumns
		}
		RunSplit(2, s)
	}
}

// backEvents is the plain loop of kernels.EGRUBackEvents for batch row i
// (tape row row, penalty gradient reg) with the output trace, zoneout and
// held units: it sets
// the part's gct (and zd, zoneout's direct share of ∂L/∂c_{t−1}),
// accumulates ∂L/∂ϑ and clears the row's carry of ∂L/∂c. Like the
// kernel's plain loop it rounds every product of the event gradients with
// T(·), so that a GOAMD64=v3 build does not fuse them into FMAs.
func (s *egruSeq[T]) backEvents(row, i int, reg T, m *Inactivation, pp *egruPart[T]) {
	n, bw := s.n, &s.bw
	og := bw.outGrad.Data[row*n : (row+1)*n]
	cy, cc := bw.carryY.Data[i*n:(i+1)*n], bw.carryC.Data[i*n:(i+1)*n]
	ct, ev, pd := s.ct.Data[row*n:(row+1)*n], s.ev.Data[row*n:(row+1)*n], s.pd.Data[row*n:(row+1)*n]
	thr, ta, gct, zd := s.thr.Data, pp.thrAcc, pp.gct, pp.zd
	var dt []T
	if s.opt.Trace {
		dt = bw.dtr.Data[i*n : (i+1)*n]
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
		gO := T(gy*v) - T(gc*th) + reg
		gp := T(gO * hd)
		g := T(gy*o) + gc + gp
		ta[j] -= T(gc*o) + gp
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
}

// Phases of the loops that run split between two goroutines (RunPart).
const (
	phaseForward      = iota // the forward time loop of each batch half
	phaseBackward            // the backward time loop of each batch half
	phaseBackStep            // one step of the backward loop, each half's rows (backwardSteps)
	phaseCarryRows           // one step's carry, each half's rows
	phaseCarryColumns        // one step's dense carry, each half of the columns
	phaseOuter               // the sparse recurrent-weight gradient's columns
)

// RunPart runs part 0 or 1 of the current phase's loop (kernels.PartRunner,
// see RunSplit): the batch rows, or for phaseOuter the columns, split in
// two halves. The parts write disjoint rows (or columns).
func (s *egruSeq[T]) RunPart(part int) {
	switch s.phase {
	case phaseForward:
		s.forwardRows(&s.ws.part[part])
	case phaseBackward:
		s.backwardRows(&s.ws.part[part])
	case phaseBackStep:
		s.backStep(&s.ws.part[part], s.stepT)
	case phaseCarryRows:
		s.carryRows(&s.ws.part[part], s.stepT)
	case phaseCarryColumns:
		s.carryColumns(part, s.stepT)
	case phaseOuter:
		s.outerCols(part)
	}
}
