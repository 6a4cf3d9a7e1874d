package layers

import (
	"fmt"
	"sync"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// spikeOp is what the fused spiking ops share: the drive W_in x + b +
// noise, the recurrent input of the spikes, the split of the batch into
// two halves and the gradients of W_in, W_rec, b and x.
type spikeOp[T autodiff.Float] struct {
	w            *spikingWeights[T]
	steps, batch int
	inact        *Inactivation
	sur          surrogate.Surrogate
	x            autodiff.Tensor[T] // inputs [T·B, I]
	xb           autodiff.Tensor[T] // x with a column of ones [T·B, I+1]; empty without inputs
	wEff, wInEff autodiff.Tensor[T]
	P            autodiff.Tensor[T] // drive [T·B, N]
	dE, dEin     autodiff.Tensor[T] // scratch for constrained weight gradients
	outGrad      autodiff.Tensor[T]
	rec          spikeInput[T]
	pbBwd        kernels.PackedB[T] // W_eff for dL/ds
	dW           spikeWeightGrad[T]
	// dPs is dP [T·B, N] in the weight gradient's blocks of strips
	// (kernels.PackStripBlocks), written by the backward loop as each
	// step's rows are final when packDP is set (float32, N a multiple of
	// kernels.SpikeStrip, W_rec's gradient wanted); grown once.
	dPs    []float32
	packDP bool
	// rows lists, in the reverse loop, the spikes of every row of S[:T·B]
	// while the row is in cache, for the W_rec gradient's per-unit lists
	// (float32 with packDP, the plain and adaptive loops); spikes counts
	// each batch half's spikes in the forward loop, to size it.
	rows   spikeRowLists
	spikes [2]int
	// inSums forms [x, 1]ᵀ·dP in the reverse loop, each step's final rows
	// while they are in cache (stepGrads), when the gradient of W_in or b is
	// wanted: row i < I is dL/dW_in[:, i], row I dL/db.
	inSums inputSums[T]

	// The time loops run batch rows [0, half) and [half, batch) on two
	// goroutines when half < batch (see splitLeakyBatch).
	half     int
	pool     *kernels.Pool
	backward bool
	loops    spikeLoops
}

// spikeLoops are the time loops of one spiking op over batch rows lo … hi−1;
// part is 0 or 1, the half of the batch.
type spikeLoops interface {
	forwardRows(lo, hi int)
	backwardRows(part, lo, hi int)
}

// RunPart runs batch rows [0, half) (part 0) or [half, batch) (part 1) of
// the current pass.
func (o *spikeOp[T]) RunPart(part int) {
	lo, hi := 0, o.half
	if part == 1 {
		lo, hi = o.half, o.batch
	}
	if o.backward {
		o.loops.backwardRows(part, lo, hi)
	} else {
		o.loops.forwardRows(lo, hi)
	}
}

// run runs the forward (backward false) or backward time loops over the
// whole batch.
func (o *spikeOp[T]) run(backward bool) {
	o.backward = backward
	parts := 1
	if o.half < o.batch {
		parts = 2
	}
	RunSplit(parts, o)
}

// start prepares a call: effective weights, the drive P = b + W_in x (+ σξ
// when opt has an rng and noiseStd > 0), the split and the recurrent
// spike input.
func (o *spikeOp[T]) start(tp *autodiff.Tape[T], w *spikingWeights[T], loops spikeLoops, P autodiff.Tensor[T], x *autodiff.Var[T], steps, batch int, opt SeqOptions, o2 *SpikeOptions) {
	n, in := w.wRec.p.Value.Rows, w.wIn.p.Value.Cols
	o.w, o.loops, o.P, o.x = w, loops, P, x.Value
	o.steps, o.batch, o.inact, o.sur = steps, batch, opt.Inactivation, o2.Surrogate.Get()
	o.wEff, o.wInEff = w.wRec.effective(tp), w.wIn.effective(tp)
	o.dE, o.dEin = autodiff.Tensor[T]{}, autodiff.Tensor[T]{}
	if !w.wRec.c.IsIdentity() {
		o.dE = tp.Alloc(n, n)
	}
	if !w.wIn.c.IsIdentity() {
		o.dEin = tp.Alloc(n, in)
	}
	o.half, o.pool = batch, kernels.DefaultPool()
	if splitLeakyBatch(batch) {
		o.half, o.pool = batch/2, nil
	}
	o.rec.prepare(tp, o.wEff, o.half)
	o.xb = autodiff.Tensor[T]{}
	if in == 0 {
		fillRows(o.P, w.bias.Value.Data)
	} else {
		// P = [x, 1]·[W_in, b]ᵀ: one GEMM on the pool's cores, where
		// writing b into every row first would be a serial pass over P.
		tb, in1 := steps*batch, in+1
		o.xb = withOnes(tp, o.x)
		wb := tp.Alloc(n, in1)
		for i := range n {
			copy(wb.Data[i*in1:i*in1+in], o.wInEff.Data[i*in:(i+1)*in])
			wb.Data[i*in1+in] = w.bias.Value.Data[i]
		}
		kernels.Gemm(false, true, tb, n, in1, 1, o.xb.Data, in1, wb.Data, in1, 0, o.P.Data, n)
	}
	o.inSums.alloc(tp, o.xb, batch, n)
	if opt.Noise != nil && o2.NoiseStd > 0 {
		AddNoise(o.P.Data, o2.NoiseStd, opt.Noise)
	}
}

// preparePackDP sets packDP for a backward pass whose W_rec gradient is
// wanted (want) and grows dPs for it.
func (o *spikeOp[T]) preparePackDP(want bool) {
	n := o.wEff.Rows
	_, f32 := any(o.P.Data).([]float32)
	o.packDP = want && f32 && n%kernels.SpikeStrip == 0
	if o.packDP && len(o.dPs) < o.steps*o.batch*n {
		o.dPs = make([]float32, o.steps*o.batch*n)
	}
	if o.packDP {
		o.rows.prepare(o.steps*o.batch, n, o.batch, o.half, o.spikes)
	}
}

// spikeRowLists holds the nonzero columns of every row of S[:T·B], each
// batch half's rows in a buffer of its own (the halves list their rows at
// once), as kernels.RowLists.
type spikeRowLists struct {
	buf      [2][]int32
	off, cnt []int32 // per row
	used     [2]int
	ok       [2]bool // every row of the half listed, every spike 1
	n, batch int
	half     int
}

// Row implements kernels.RowLists.
func (rl *spikeRowLists) Row(r int) []int32 {
	h := 0
	if r%rl.batch >= rl.half {
		h = 1
	}
	o := int(rl.off[r])
	return rl.buf[h][o : o+int(rl.cnt[r])]
}

// prepare sizes the lists for tb rows of n units in batches split at half,
// the halves holding at most spikes[0] and spikes[1] spikes.
func (rl *spikeRowLists) prepare(tb, n, batch, half int, spikes [2]int) {
	rl.n, rl.batch, rl.half = n, batch, half
	if len(rl.off) < tb {
		rl.off, rl.cnt = make([]int32, tb), make([]int32, tb)
	}
	for h := range 2 {
		if need := spikes[h] + n; len(rl.buf[h]) < need {
			rl.buf[h] = make([]int32, need+need/8)
		}
		rl.used[h], rl.ok[h] = 0, true
	}
}

// add lists row r of half h, s [n]; with check it verifies that every
// spike listed is 1 (else the half's lists are not used).
func (rl *spikeRowLists) add(h, r int, s []float32, check bool) {
	off := rl.used[h]
	if !rl.ok[h] || off+rl.n > len(rl.buf[h]) {
		rl.ok[h] = false
		return
	}
	list := rl.buf[h][off : off+rl.n]
	k := kernels.SpikeIndices(list, s)
	if check {
		for _, j := range list[:k] {
			if s[j] != 1 {
				rl.ok[h] = false
				return
			}
		}
	}
	rl.off[r], rl.cnt[r] = int32(off), int32(k)
	rl.used[h] = off + k
}

// listRows lists, in half part, the rows of S of step t for the
// sequences lo … hi−1 (spikeOp.rows) when packDP is set. The loops that
// call it (the plain and adaptive steps) write spikes of 0 or 1 only, so
// only the initial spikes (t = 0, which the caller gives) are checked.
func (o *spikeOp[T]) listRows(part, t, lo, hi int, S []T) {
	if !o.packDP {
		return
	}
	n := o.wEff.Rows
	s := any(S).([]float32)
	for b := lo; b < hi; b++ {
		r := t*o.batch + b
		o.rows.add(part, r, s[r*n:(r+1)*n], t == 0)
	}
}

// rowLists returns the row lists for the W_rec gradient when the reverse
// loop made them all, else nil.
func (o *spikeOp[T]) rowLists() kernels.RowLists {
	if !o.packDP || !o.rows.ok[0] || (o.half < o.batch && !o.rows.ok[1]) {
		return nil
	}
	return &o.rows
}

// prepareFold starts the reverse loop's sums [x, 1]ᵀ·dP (of an op that
// calls stepGrads) when the gradient of W_in or b is wanted.
func (o *spikeOp[T]) prepareFold(grads []autodiff.Tensor[T]) {
	o.inSums.start(grads[1].Data != nil || grads[3].Data != nil)
}

// stepGrads takes the final dP rows of step t for sequences lo … hi−1, dp,
// in batch half part: into dPs when packDP is set, and into the half's
// sums [x_t, 1]ᵀ·dp (inSums), where a GEMM over all T·B rows after the
// loop would read dP back from memory twice (for W_in and for b).
func (o *spikeOp[T]) stepGrads(part, t, lo, hi int, dp []T) {
	n, tb := o.wEff.Rows, o.steps*o.batch
	if o.packDP {
		kernels.PackStripBlocks(o.dPs[:tb*n], any(dp).([]float32), t*o.batch+lo, tb, n, gradRows)
	}
	o.inSums.add(part, 0, t*o.batch+lo, t*o.batch+hi, dp)
}

// inputGrads accumulates, from dP [T·B, N] (the gradient of the drive) and
// the spikes s [T·B, N] that entered each step, the gradients of the fused
// op's first four inputs: x, W_in, W_rec, b.
func (o *spikeOp[T]) inputGrads(grads []autodiff.Tensor[T], dP, s autodiff.Tensor[T]) {
	w := o.w
	n, in, tb := dP.Cols, o.x.Cols, dP.Rows
	if d := grads[2]; d.Data != nil {
		tgt := w.wRec.gradTarget(d, o.dE)
		var strips []float32
		if o.packDP {
			strips = o.dPs[:tb*n]
		}
		o.dW.accumulate(dP.Data, s.Data[:tb*n], tgt.Data, n, strips, o.rowLists())
		w.wRec.finish(d, o.dE)
	}
	if d := grads[0]; d.Data != nil && in > 0 {
		kernels.Gemm(false, false, tb, in, n, 1, dP.Data, n, o.wInEff.Data, in, 1, d.Data, in)
	}
	if o.inSums.on {
		o.foldedInputGrads(grads)
		return
	}
	// dL/dW_in = dPᵀ·x, a GEMM split over the pool's cores, and dL/db, the
	// sum of dP's rows: one vector pass over dP (kernels.SumRowsInto) takes
	// about half as long as the GEMM dPᵀ·1 (N = 512, T·B = 12 800: 0.8–1.0
	// against 1.6–2.0 ms).
	if dIn := grads[1]; dIn.Data != nil && in > 0 {
		tgt := w.wIn.gradTarget(dIn, o.dEin)
		kernels.Gemm(true, false, n, in, tb, 1, dP.Data, n, o.x.Data, in, 1, tgt.Data, in)
		w.wIn.finish(dIn, o.dEin)
	}
	sumRows(grads[3], dP)
}

// foldedInputGrads adds the reverse loop's sums [x, 1]ᵀ·dP (stepGrads),
// half 0's then half 1's, to grads[1] (rows 0 … I−1, transposed) and
// grads[3] (row I).
func (o *spikeOp[T]) foldedInputGrads(grads []autodiff.Tensor[T]) {
	w := o.w
	n, in := o.wEff.Rows, o.x.Cols
	if dIn := grads[1]; dIn.Data != nil {
		tgt := w.wIn.gradTarget(dIn, o.dEin)
		for p := range o.inSums.acc {
			acc := o.inSums.acc[p][0].Data
			for j := range n {
				row := tgt.Data[j*in : (j+1)*in]
				for i := range row {
					row[i] += acc[i*n+j]
				}
			}
		}
		w.wIn.finish(dIn, o.dEin)
	}
	if db := grads[3]; db.Data != nil {
		for p := range o.inSums.acc {
			Axpy(db.Data, 1, o.inSums.acc[p][0].Data[in*n:])
		}
	}
}

// record records o on tp as one node with output the spikes S[B:], the
// inputs vars[:k] and, when init has a first entry, the initial state
// init[0] as the last input; it reports whether init[0] is an input.
func (o *spikeOp[T]) record(tp *autodiff.Tape[T], op autodiff.FusedOp[T], S autodiff.Tensor[T], vars []*autodiff.Var[T], k int, init []*autodiff.Var[T]) (*autodiff.Var[T], bool) {
	has := len(init) > 0 && init[0] != nil
	if has {
		vars[k] = init[0]
		k++
	}
	return tp.Fused(op, S.RowSlice(o.batch, S.Rows), vars[:k]...), has
}

// stateBuffer returns a [(T+1)·B, N] state buffer whose first batch rows
// hold init (broadcast) or zeros.
func stateBuffer[T autodiff.Float](tp *autodiff.Tape[T], init *autodiff.Var[T], steps, batch, n int) autodiff.Tensor[T] {
	s := tp.Alloc((steps+1)*batch, n)
	if init != nil {
		BroadcastRowsTo(s.RowSlice(0, batch), init.Value)
	} else {
		clear(s.Data[:batch*n])
	}
	return s
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

// sparseFraction and packedFraction are the fractions of spiking units
// (of the rows·N presynaptic entries of a step) up to which the recurrent
// input is formed by adding the rows of W_effᵀ of the units that spiked
// instead of a dense GEMM: packedFraction for binary float32 spikes with
// N a multiple of 64 (kernels.SumStripLists on W_effᵀ packed in strips),
// sparseFraction otherwise (kernels.SparseGather, or the plain loop).
// BenchmarkSpikeInput (16 rows, 2-core machine at load average 10–12,
// 2026-12-06, least of two runs, µs per step, dense GEMM vs the strip sums):
// N = 64: 2.6 vs 1.2 at 10 %, 5.3 vs 3.8 at 30 %, 2.5 vs 5.8 at 50 %;
// N = 256: 32 vs 5.4 at 10 %, 33 vs 8.7 at 20 %, 112 vs 24 at 30 %, 77 vs
// 105 at 50 %; N = 1024: 326 vs 91 at 10 %, 381 vs 196 at 20 %, 460 vs
// 851 at 50 %. SparseGather crossed the GEMM near 15 %.
const (
	packedFraction = 0.35
	sparseFraction = 0.15
)

// gatherBlockBytes bounds the block of W_effᵀ columns (all N rows) that
// the sparse recurrent input adds for every sequence of a part before it
// moves to the next block, so that the block stays in the core's L2 cache
// across the sequences instead of being read again from L3 for each.
const gatherBlockBytes = 128 << 10

// spikeInput forms the recurrent input W_eff·s of binary spikes s.
type spikeInput[T autodiff.Float] struct {
	n         int
	wT        autodiff.Tensor[T] // W_effᵀ [N×N] (row j: what a spike of unit j adds); empty when packed is set
	w         autodiff.Tensor[T] // W_eff, packed into pb at the first dense step of a call
	pb        kernels.PackedB[T] // W_effᵀ packed for the dense GEMM once pbReady
	pbMu      sync.Mutex         // guards pb and pbReady: the batch halves step at once
	pbReady   bool
	sparseMax int // nonzero spikes of a part up to which rows of wT are added
	block     int // columns of wT per block of the sparse path (gatherBlockBytes)
	// Per batch half (float32 path): every row's nonzero spikes.
	lists [2]kernels.SpikeLists
	packT packStripsT // the packing of packed, on one or two workers
	// packed is W_effᵀ in strips for kernels.SumStripLists (float32, N a
	// multiple of kernels.SpikeStrip), grown once; nil otherwise.
	packed []float32
}

// packTSplitMin is the number of weights from which the strips of W_effᵀ
// are packed on two workers.
const packTSplitMin = 1 << 18

// packStripsT packs the strips of W_effᵀ [n×n] (kernels.PackStripsTHalf):
// as one part, all of them, as two, a half each.
type packStripsT struct {
	dst, w []float32
	n      int
	split  bool
}

// RunPart packs part p's strips (kernels.PartRunner).
func (j *packStripsT) RunPart(p int) {
	half := p
	if !j.split {
		half = -1
	}
	kernels.PackStripsTHalf(j.dst, j.w, j.n, j.n, half)
}

// prepare packs the effective weight w [N×N] for a pass whose parts have
// up to rows sequences: for the dense GEMM, and in strips of W_effᵀ
// (float32, N a multiple of kernels.SpikeStrip) or as W_effᵀ for the sums
// of rows.
func (si *spikeInput[T]) prepare(tp *autodiff.Tape[T], w autodiff.Tensor[T], rows int) {
	n := w.Rows
	si.n, si.w, si.pbReady = n, w, false
	si.sparseMax = int(sparseFraction * float64(rows*n))
	si.block = min(n, max(64, gatherBlockBytes/(4*n)&^63))
	if wf, ok := any(w.Data).([]float32); ok && n%kernels.SpikeStrip == 0 {
		if len(si.packed) != n*n {
			si.packed = make([]float32, n*n)
		}
		parts := 1
		if n*n >= packTSplitMin {
			parts = 2
		}
		si.packT = packStripsT{dst: si.packed, w: wf, n: n, split: parts == 2}
		RunSplit(parts, &si.packT)
		si.packT = packStripsT{}
		si.sparseMax = int(packedFraction * float64(rows*n))
		si.wT = autodiff.Tensor[T]{}
		return
	}
	si.packed = nil
	si.wT = tp.Alloc(n, n)
	transposeTo(si.wT, w)
}

// add adds s·W_effᵀ to p for rows sequences, given the number of nonzero
// entries of s: a dense GEMM on pool when there are more than sparseMax,
// else, for every nonzero s_j, s_j times row j of W_effᵀ (the column of
// W_eff of the unit that spiked).
//
// part (0 or 1) is the batch half calling, which owns its index buffers.
// float32 adds the rows with the vector kernels (kernels.SumStripLists,
// kernels.SparseGather).
func (si *spikeInput[T]) add(pool *kernels.Pool, part int, p, s []T, rows, nonzero int) {
	n := si.n
	if nonzero > si.sparseMax {
		si.packDense()
		kernels.GemmPackedOn(pool, false, rows, 1, s, n, &si.pb, 1, p, n)
		return
	}
	if f, ok := any(p).([]float32); ok {
		si.gather(part, f, any(s).([]float32), n)
		return
	}
	addSpikeRows(p, s, si.wT.Data, n)
}

// packDense packs W_effᵀ for the dense GEMM unless this call has done so:
// a sequence whose steps all take the sparse path never packs it (an N×N
// pass per call, 4 MiB read and written at N = 1024).
func (si *spikeInput[T]) packDense() {
	si.pbMu.Lock()
	if !si.pbReady {
		kernels.PackB(&si.pb, true, si.n, si.n, si.w.Data, si.n) // op(B) = W_effᵀ
		si.pbReady = true
	}
	si.pbMu.Unlock()
}

// gather is addSpikeRows in float32: the nonzero spikes of every row are
// listed in part's lists (kernels.SpikeLists.ListRows), then the strips of
// W_effᵀ are summed (kernels.SumStripLists; spikes other than 0 and 1 scale
// their rows in a plain loop), or, without strips, each block of si.block
// columns of wT is added for every row before the next block
// (kernels.SparseGather).
func (si *spikeInput[T]) gather(part int, p, s []float32, n int) {
	rows := len(s) / n
	l := &si.lists[part]
	l.ListRows(s, rows, n)
	switch {
	case si.packed != nil && l.Binary():
		kernels.SumStripLists(p, n, si.packed, n, n, l)
	case si.packed != nil:
		for c := 0; c < n; c += kernels.SpikeStrip {
			strip := si.packed[c*n : (c+kernels.SpikeStrip)*n]
			for r := range rows {
				pr := p[r*n+c : r*n+c+kernels.SpikeStrip]
				idx, vals := l.Entries(r)
				for q, j := range idx {
					v, w := vals[q], strip[int(j)*kernels.SpikeStrip:(int(j)+1)*kernels.SpikeStrip]
					for e := range pr {
						pr[e] += v * w[e]
					}
				}
			}
		}
	default:
		wT := any(si.wT.Data).([]float32)
		for c := 0; c < n; c += si.block {
			w := min(si.block, n-c)
			for r := range rows {
				if idx, vals := l.Entries(r); len(idx) > 0 {
					kernels.SparseGather(p[r*n+c:r*n+c+w], true, wT[c:], n, idx, vals)
				}
			}
		}
	}
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
