package layers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// GRU is a gated recurrent unit layer with torch.nn.GRU's equations, gate
// order and weight layout, so that weights interchange with a one-layer
// torch.nn.GRU unchanged:
//
//	r  = σ(W_ir x + b_ir + W_hr h + b_hr)
//	z  = σ(W_iz x + b_iz + W_hz h + b_hz)
//	n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//	h' = (1 − z) ⊙ n + z ⊙ h  (+ NoiseStd·ξ when SeqOptions.Noise is set)
//
// The weights stack the gates in the order (r, z, n): WeightIH is [3N, I]
// (torch's weight_ih_l0), WeightHH is [3N, N] (weight_hh_l0), BiasIH and
// BiasHH are [1, 3N] (bias_ih_l0, bias_hh_l0). The rates a readout sees are
// the states h.
//
// Inactivation: the state and the rate of a GRU are the same signal, so
// silencing a unit holds its h at 0 and clamping holds it at ClampValue
// (silencing wins when both are set); the held value is what the unit's
// neighbours and the readout see and what the next step starts from.
type GRU[T autodiff.Float] struct {
	WeightIH, WeightHH, BiasIH, BiasHH *autodiff.Param[T]
	// NoiseStd is the standard deviation σ of the private noise σ·ξ added to
	// h' at every step when SeqOptions.Noise is non-nil (not part of
	// torch.nn.GRU; zero by default).
	NoiseStd float64

	inputs, hidden int
	cache          SeqCache[T, gruSeq[T]]
}

var _ Recurrent[float32] = (*GRU[float32])(nil)

// NewGRU returns a GRU with inputs inputs and hidden units whose parameters
// are named prefix+".weight_ih_l0", ".weight_hh_l0", ".bias_ih_l0" and
// ".bias_hh_l0", initialised as torch does: every element ~ U(−1/√N, 1/√N),
// drawn from rng in the order weight_ih, weight_hh, bias_ih, bias_hh.
//
// It returns an error if inputs or hidden is not positive or rng is nil.
func NewGRU[T autodiff.Float](prefix string, inputs, hidden int, rng *rand.Rand) (*GRU[T], error) {
	if inputs <= 0 || hidden <= 0 {
		return nil, fmt.Errorf("layers: NewGRU needs inputs, hidden > 0, got %d, %d", inputs, hidden)
	}
	if rng == nil {
		return nil, errors.New("layers: NewGRU needs an rng")
	}
	g := &GRU[T]{
		WeightIH: autodiff.NewParam[T](prefix+".weight_ih_l0", 3*hidden, inputs),
		WeightHH: autodiff.NewParam[T](prefix+".weight_hh_l0", 3*hidden, hidden),
		BiasIH:   autodiff.NewVector[T](prefix+".bias_ih_l0", 3*hidden),
		BiasHH:   autodiff.NewVector[T](prefix+".bias_hh_l0", 3*hidden),
		inputs:   inputs,
		hidden:   hidden,
	}
	k := 1 / math.Sqrt(float64(hidden))
	for _, p := range g.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = T(k * (2*rng.Float64() - 1))
		}
	}
	return g, nil
}

// Size returns the number of units N.
func (g *GRU[T]) Size() int { return g.hidden }

// Inputs returns the input dimension I.
func (g *GRU[T]) Inputs() int { return g.inputs }

// Params returns weight_ih, weight_hh, bias_ih and bias_hh, in that order.
func (g *GRU[T]) Params() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{g.WeightIH, g.WeightHH, g.BiasIH, g.BiasHH}
}

// Run runs the GRU over steps steps of batch sequences as one fused tape
// node. x is [steps·batch, I] time-major; h0 is [batch, N] or [1, N]
// (broadcast over the batch). It returns the states h_1 … h_steps as
// [steps·batch, N] (the rates) and h_steps ([batch, N], a view of the last
// rows of rates, valid until the tape's Reset).
//
// The input projection of all steps is one GEMM; each step does one
// recurrent GEMM [batch, N]·[N, 3N] on W_hh packed once per call and the
// gate arithmetic in one pass per row; the backward pass walks time in
// reverse (one GEMM [batch, 3N]·[3N, N] per step on W_hh packed once) and
// forms the weight gradients as GEMMs over all steps·batch rows. For small
// layers without noise, the two halves of the batch run on two goroutines
// (a worker of the kernels' pool and the caller), each over the whole time loop;
// larger layers split each step's GEMM instead. Every
// buffer comes from the tape's arena, so a steady-state call allocates
// nothing.
//
// The op keeps references to x, h0, the parameters' values and
// opt.Inactivation; none may change before the tape's Backward.
//
// It panics if steps or batch is not positive, x is not [steps·batch, I],
// h0 is not [batch, N] or [1, N], or an inactivation mask does not have N
// entries.
func (g *GRU[T]) Run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	rates, s := g.run(tp, x, h0, steps, batch, opt)
	return rates, s.h.RowSlice((steps-1)*batch, steps*batch)
}

func (g *GRU[T]) run(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], *gruSeq[T]) {
	n, in := g.hidden, g.inputs
	CheckSequence("GRU", x, h0, steps, batch, in, n, opt)
	rows := steps * batch
	h := tp.Alloc(rows, n)
	s := g.cache.Get(&h.Data[0])
	ws := s.ws
	if ws == nil {
		ws = new(gruWork[T])
	}
	*s = gruSeq[T]{
		layer: g, ws: ws, parts: 1,
		tp: tp, steps: steps, batch: batch, n: n, in: in,
		x: x.Value, h0: h0.Value, wih: g.WeightIH.Value, whh: g.WeightHH.Value,
		h:     h,
		bhh:   g.BiasHH.Value,
		gates: tp.Alloc(rows, 3*n),
		gh:    tp.Alloc(rows, 3*n),
		hPrev: tp.Alloc(batch, n),
		wihT:  tp.Alloc(in, 3*n),
		bias:  tp.Alloc(1, 3*n),
		inact: opt.Inactivation,
	}
	if noisy := opt.Noise != nil && g.NoiseStd != 0; SplitBatch(steps, batch, n, noisy) && gruSplitPays(n) {
		s.parts = 2
	}
	s.forward(g.BiasIH.Value, g.NoiseStd, opt.Noise)
	rates := tp.Fused(s, h, x, h0, tp.Param(g.WeightIH), tp.Param(g.WeightHH), tp.Param(g.BiasIH), tp.Param(g.BiasHH))
	return rates, s
}

// gruSplitPays reports whether splitting the batch beats splitting each
// step's GEMM: true while W_hh (3N·N elements) fits in a core's L2 cache
// (1 MiB of float32), so that each half's own pass over it stays cheap;
// larger layers stream W_hh from memory and read it once per step instead.
func gruSplitPays(n int) bool {
	return 3*n*n <= 1<<18
}

// gruSeq is one recorded GRU sequence: what the backward pass needs.
type gruSeq[T autodiff.Float] struct {
	layer                *GRU[T]
	ws                   *gruWork[T]
	tp                   *autodiff.Tape[T]
	steps, batch, n, in  int
	x, h0, wih, whh, bhh autodiff.Tensor[T]
	h                    autodiff.Tensor[T] // [T·B, N] states h_1 … h_T (the op's output)
	gates                autodiff.Tensor[T] // [T·B, 3N] r, z, n of every step
	gh                   autodiff.Tensor[T] // [T·B, 3N] W_hh h of every step (no bias)
	hPrev                autodiff.Tensor[T] // [B, N] h0 broadcast over the batch
	wihT                 autodiff.Tensor[T] // transposed input weights [I, 3N]
	bias                 autodiff.Tensor[T] // [1, 3N] b_ih + (b_hr, b_hz, 0)
	inact                *Inactivation

	// The time loops split the batch in parts (1 or 2) and run forward or
	// backward; these are what the loops read beyond the above.
	parts    int
	backward bool
	noiseStd float64
	rng      *rand.Rand
	outGrad  autodiff.Tensor[T]
	dgh      autodiff.Tensor[T] // [T·B, 3N] ∂L/∂(W_hh h + b_hh) per step (r, z, n)
	dgin     autodiff.Tensor[T] // [T·B, N] ∂L/∂(W_in x + b_in) per step
	carry    autodiff.Tensor[T] // [B, N] ∂L/∂h_{t} through later steps

	// final and rec hold Seq.Final and Seq.States, so that Sequence does
	// not allocate.
	final, rec [1]autodiff.Tensor[T]
}

// gruWork is the storage a cached gruSeq keeps across calls: W_hh packed for
// the forward (as W_hhᵀ) and backward GEMMs.
//
// When the batch is split, each half's per-step GEMM must stay below the
// size at which the kernels' pool splits a GEMM between its workers (the
// two halves already use both cores, and competing for the pool's worker
// would stall them), so W_hh is packed in blocks of output columns, each
// block one GEMM small enough to run serially. Unsplit calls use one block.
type gruWork[T autodiff.Float] struct {
	inSums   inputSums[T] // the input side's gradients, summed in the backward loop
	fwd, bwd []packedCols[T]
}

// packedCols is a block of output columns [lo, lo+pb.N()) of a GEMM's
// right operand, packed.
type packedCols[T autodiff.Float] struct {
	lo int
	pb kernels.PackedB[T]
}

// packColumns packs op(B) (k×cols; B row-major with leading dimension ldb,
// transposed if transB) into blocks of output columns of at most width
// columns (a multiple of 32, the micro-kernel's panel width, unless it is
// all of cols), reusing blocks' storage from *dst.
func packColumns[T autodiff.Float](dst *[]packedCols[T], transB bool, k, cols int, b []T, ldb, width int) {
	blocks := *dst
	nblk := (cols + width - 1) / width
	for len(blocks) < nblk {
		blocks = append(blocks, packedCols[T]{})
	}
	blocks = blocks[:nblk]
	for i := range blocks {
		lo := i * width
		w := min(width, cols-lo)
		off := lo // first column of op(B): a row of B if transposed
		if transB {
			off *= ldb
		}
		blocks[i].lo = lo
		kernels.PackB(&blocks[i].pb, transB, k, w, b[off:], ldb)
	}
	*dst = blocks[:nblk:nblk]
}

// gemmColumns computes C = alpha·A·op(B) + beta·C for A [m, k] (leading
// dimension lda) and op(B) packed in column blocks, each block's GEMM on
// pool (nil: on the calling goroutine); C has leading dimension ldc.
func gemmColumns[T autodiff.Float](pool *kernels.Pool, m int, alpha T, a []T, lda int, blocks []packedCols[T], beta T, c []T, ldc int) {
	for i := range blocks {
		bl := &blocks[i]
		kernels.GemmPackedOn(pool, false, m, alpha, a, lda, &bl.pb, beta, c[bl.lo:], ldc)
	}
}

// serialWidth returns the widest block of output columns (a multiple of 32,
// or all cols) for which a GEMM of m rows and inner dimension k stays below
// the kernels' parallel threshold (2·m·width·k < 2²²), or cols when split
// is false.
func serialWidth(split bool, m, k, cols int) int {
	if !split {
		return cols
	}
	w := ((1<<22 - 1) / (2 * m * k)) / 32 * 32
	return min(cols, max(w, 32))
}

var _ autodiff.FusedOp[float32] = (*gruSeq[float32])(nil)

// Name implements autodiff.FusedOp.
func (s *gruSeq[T]) Name() string { return "GRU.Sequence" }

func transposeTo[T autodiff.Float](dst, src autodiff.Tensor[T]) { transposeTiles(dst, src, false) }

// prev returns the state the step t starts from, [B, N].
func (s *gruSeq[T]) prev(t int) []T {
	if t == 0 {
		return s.hPrev.Data
	}
	return s.h.Data[(t-1)*s.batch*s.n : t*s.batch*s.n]
}

// RunPart runs part 0 or 1 of the batch (kernels.PartRunner, see RunSplit).
func (s *gruSeq[T]) RunPart(part int) {
	lo, hi := HalfRows(s.batch, s.parts, part)
	if s.backward {
		s.backwardRows(lo, hi)
	} else {
		s.forwardRows(lo, hi)
	}
}

func (s *gruSeq[T]) forward(bih autodiff.Tensor[T], noiseStd float64, rng *rand.Rand) {
	n, b, n3 := s.n, s.batch, 3*s.n
	half := (b + 1) / 2
	packColumns(&s.ws.fwd, true, n, n3, s.whh.Data, n, serialWidth(s.parts == 2, half, n, n3))
	transposeTo(s.wihT, s.wih)
	BroadcastRowsTo(s.hPrev, s.h0)
	// b_hr and b_hz add to the input projection; b_hn stays inside r ⊙ (·).
	copy(s.bias.Data, bih.Data)
	Axpy(s.bias.Data[:2*n], 1, s.bhh.Data[:2*n])
	// Input projection of every step at once: gates = x·W_ihᵀ + bias.
	rows := s.steps * b
	for i := 0; i < rows; i++ {
		copy(s.gates.Data[i*n3:(i+1)*n3], s.bias.Data)
	}
	kernels.Gemm(false, false, rows, n3, s.in, 1, s.x.Data, s.in, s.wihT.Data, n3, 1, s.gates.Data, n3)
	s.noiseStd, s.rng, s.backward = noiseStd, rng, false
	RunSplit(s.parts, s)
	s.rng = nil
}

// forwardRows runs the forward time loop for the batch rows [lo, hi).
func (s *gruSeq[T]) forwardRows(lo, hi int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	bhn := s.bhh.Data[2*n:]
	for t := 0; t < s.steps; t++ {
		hp := s.prev(t)[lo*n : hi*n]
		ght := s.gh.Data[(t*b+lo)*n3 : (t*b+hi)*n3]
		gemmColumns(kernels.DefaultPool(), hi-lo, 1, hp, n, s.ws.fwd, 0, ght, n3)
		for i := 0; i < hi-lo; i++ {
			row := t*b + lo + i
			gi := s.gates.Data[row*n3 : (row+1)*n3]
			gh := ght[i*n3 : (i+1)*n3]
			hpr := hp[i*n : (i+1)*n]
			hr := s.h.Data[row*n : (row+1)*n]
			gateRow(gi, gh, hpr, hr, bhn)
		}
		ht := s.h.Data[(t*b+lo)*n : (t*b+hi)*n]
		if s.rng != nil && s.noiseStd != 0 { // never split: one part
			AddNoise(ht, s.noiseStd, s.rng)
		}
		if m := Perturbed(s.inact, t); m != nil {
			v := T(m.ClampValue)
			if m.Silence {
				v = 0
			}
			for i := 0; i < hi-lo; i++ {
				for j, u := range m.Units {
					if u {
						ht[i*n+j] = v
					}
				}
			}
		}
	}
}

// gateRow finishes the gates of one row and writes its new state: gi ([3N])
// holds W_i x + b_i + (b_hr, b_hz, 0) on entry and r, z, n on return; gh is
// W_hh h ([3N]), hp the previous state and hr the new one ([N]).
func gateRow[T autodiff.Float](gi, gh, hp, hr, bhn []T) {
	n := len(hr)
	gi, gh, hp, bhn = gi[:3*n], gh[:3*n], hp[:n], bhn[:n]
	rz := gi[:2*n]
	r, z, c := gi[:n], gi[n:2*n], gi[2*n:]
	if f, ok := any(gi).([]float32); ok { // the same bits through the vector kernels
		g, hp, hr, bhn := any(gh).([]float32), any(hp).([]float32), any(hr).([]float32), any(bhn).([]float32)
		kernels.LeakyMix(f[:2*n], f[:2*n], g[:2*n], 1, 1) // 1·x is exact
		kernels.SigmoidTo(f[:2*n], f[:2*n])
		kernels.GRUCandidate(f[2*n:], f[:n], g[2*n:], bhn)
		kernels.TanhTo(f[2*n:], f[2*n:])
		kernels.GRUMix(hr, f[2*n:], f[n:2*n], hp)
		return
	}
	for j, v := range gh[:2*n] {
		rz[j] += v
	}
	sigmoidTo(rz, rz)
	for j, v := range gh[2*n:] {
		c[j] += r[j] * (v + bhn[j])
	}
	ApplyTo(Tanh, c, c)
	for j := range hr {
		zj := z[j]
		hr[j] = c[j] + zj*(hp[j]-c[j])
	}
}

// Backward implements autodiff.FusedOp. grads are for x, h0, weight_ih,
// weight_hh, bias_ih, bias_hh.
func (s *gruSeq[T]) Backward(outGrad autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	gx, gh0, gwih, gwhh, gbih, gbhh := grads[0], grads[1], grads[2], grads[3], grads[4], grads[5]
	packColumns(&s.ws.bwd, false, n3, n, s.whh.Data, n, serialWidth(s.parts == 2, (b+1)/2, n3, n))
	s.outGrad = outGrad
	s.dgh = s.tp.Alloc(rows, n3)
	s.dgin = s.tp.Alloc(rows, n)
	s.carry = s.tp.AllocZero(b, n)
	s.backward = true
	s.ws.inSums.alloc(s.tp, withOnes(s.tp, s.x), b, n3, n)
	s.ws.inSums.start(gwih.Data != nil || gbih.Data != nil || gbhh.Data != nil)
	RunSplit(s.parts, s)
	dgh, dgin := s.dgh, s.dgin
	AccReduceRows(gh0, s.carry)
	if gwhh.Data != nil {
		// dW_hh = Σ_t dgh_tᵀ h_{t−1}: the first step against h0, the rest in one GEMM.
		kernels.Gemm(true, false, n3, n, b, 1, dgh.Data[:b*n3], n3, s.hPrev.Data, n, 1, gwhh.Data, n)
		if s.steps > 1 {
			kernels.Gemm(true, false, n3, n, rows-b, 1, dgh.Data[b*n3:], n3, s.h.Data[:(rows-b)*n], n, 1, gwhh.Data, n)
		}
	}
	// ∂L/∂b_hh sums dgh; ∂L/∂b_ih sums dgh for r and z and dgin for n:
	// column sums over all steps·batch rows, after the time loop.
	gateInputGrads(s.tp, &s.ws.inSums, s.x, s.wih, dgh, dgin, gx, gwih, gbih, gbhh)
}

// backwardRows walks time in reverse for the batch rows [lo, hi), filling
// their rows of dgh, dgin and carry.
func (s *gruSeq[T]) backwardRows(lo, hi int) {
	n, b, n3 := s.n, s.batch, 3*s.n
	bhn := s.bhh.Data[2*n:]
	carry := s.carry.Data[lo*n : hi*n]
	for t := s.steps - 1; t >= 0; t-- {
		hp := s.prev(t)
		m := Perturbed(s.inact, t)
		for i := lo; i < hi; i++ {
			row := t*b + i
			g := s.gates.Data[row*n3 : (row+1)*n3]
			ghn := s.gh.Data[row*n3+2*n : (row+1)*n3]
			hpr := hp[i*n : (i+1)*n]
			dh := s.carry.Data[i*n : (i+1)*n]
			og := s.outGrad.Data[row*n : (row+1)*n]
			d := s.dgh.Data[row*n3 : (row+1)*n3]
			dn := s.dgin.Data[row*n : (row+1)*n]
			gateGradRow(d, dn, dh, og, g, ghn, hpr, bhn)
			if m != nil {
				// The held state depends on nothing: δ = 0 for its units.
				for j, u := range m.Units {
					if u {
						d[j], d[n+j], d[2*n+j], dn[j], dh[j] = 0, 0, 0, 0, 0
					}
				}
			}
		}
		// carry += dgh_t · W_hh: the gradient reaching h_{t−1} through the gates.
		gemmColumns(kernels.DefaultPool(), hi-lo, 1, s.dgh.Data[(t*b+lo)*n3:(t*b+hi)*n3], n3, s.ws.bwd, 1, carry, n)
		r0, r1 := t*b+lo, t*b+hi
		s.ws.inSums.add(min(lo, 1), 0, r0, r1, s.dgh.Data[r0*n3:r1*n3])
		s.ws.inSums.add(min(lo, 1), 1, r0, r1, s.dgin.Data[r0*n:r1*n])
	}
}

// gateGradRow back-propagates one row of one step: from δ = dh + og (the
// gradient reaching the row's new state) it writes the gate gradients d
// ([3N]: ∂L/∂ of W_hr h + b_hr, W_hz h + b_hz, W_hn h + b_hn), dn (∂L/∂(W_in
// x + b_in), [N]) and sets dh to the part of δ that reaches the previous
// state directly, δ ⊙ z. g holds r, z, n; ghn is W_hn h; hp the previous
// state.
func gateGradRow[T autodiff.Float](d, dn, dh, og, g, ghn, hp, bhn []T) {
	n := len(dh)
	d, dn, og, g, ghn, hp, bhn = d[:3*n], dn[:n], og[:n], g[:3*n], ghn[:n], hp[:n], bhn[:n]
	if f, ok := any(d).([]float32); ok { // the same bits through the vector kernel
		gf := any(g).([]float32)
		kernels.GRUGateGrad(f[:n], f[n:2*n], f[2*n:], any(dn).([]float32), any(dh).([]float32), any(og).([]float32),
			gf[:n], gf[n:2*n], gf[2*n:], any(ghn).([]float32), any(bhn).([]float32), any(hp).([]float32))
		return
	}
	for j := 0; j < n; j++ {
		delta := dh[j] + og[j]
		r, z, c := g[j], g[n+j], g[2*n+j]
		dnPre := delta * (1 - z) * (1 - c*c)
		d[j] = dnPre * (ghn[j] + bhn[j]) * r * (1 - r)
		d[n+j] = delta * (hp[j] - c) * z * (1 - z)
		d[2*n+j] = dnPre * r
		dn[j] = dnPre
		dh[j] = delta * z
	}
}

// StateVars returns the one state variable "h" (the GRU's output).
func (g *GRU[T]) StateVars() []StateVar { return []StateVar{{Name: "h", Size: g.hidden}} }

// Sequence implements Recurrent: Run with init[0] as h0. With opt.Record,
// States[0] is h after every step (the rates themselves); Pre is empty.
func (g *GRU[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T] {
	rates, o := g.run(tp, x, SingleInit(tp, init, g.hidden), steps, batch, opt)
	o.final[0], o.rec[0] = o.h.RowSlice((steps-1)*batch, steps*batch), o.h
	s := Seq[T]{Rates: rates, Final: o.final[:]}
	if opt.Record {
		s.States = o.rec[:]
	}
	return s
}
