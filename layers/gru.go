package layers

import (
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
	cache          seqCache[T, gruSeq[T]]
}

var _ Recurrent[float32] = (*GRU[float32])(nil)

// NewGRU returns a GRU with inputs inputs and hidden units whose parameters
// are named prefix+".weight_ih_l0", ".weight_hh_l0", ".bias_ih_l0" and
// ".bias_hh_l0", initialised as torch does: every element ~ U(−1/√N, 1/√N),
// drawn from rng in the order weight_ih, weight_hh, bias_ih, bias_hh.
//
// It panics if inputs or hidden is not positive.
func NewGRU[T autodiff.Float](prefix string, inputs, hidden int, rng *rand.Rand) *GRU[T] {
	if inputs <= 0 || hidden <= 0 {
		panic(fmt.Sprintf("layers: NewGRU needs inputs, hidden > 0, got %d, %d", inputs, hidden))
	}
	g := &GRU[T]{
		WeightIH: autodiff.NewParam[T](prefix+".weight_ih_l0", 3*hidden, inputs),
		WeightHH: autodiff.NewParam[T](prefix+".weight_hh_l0", 3*hidden, hidden),
		BiasIH:   autodiff.NewParam[T](prefix+".bias_ih_l0", 1, 3*hidden),
		BiasHH:   autodiff.NewParam[T](prefix+".bias_hh_l0", 1, 3*hidden),
		inputs:   inputs,
		hidden:   hidden,
	}
	k := 1 / math.Sqrt(float64(hidden))
	for _, p := range g.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = T(k * (2*rng.Float64() - 1))
		}
	}
	return g
}

// Size returns the number of units N.
func (g *GRU[T]) Size() int { return g.hidden }

// Inputs returns the input dimension I.
func (g *GRU[T]) Inputs() int { return g.inputs }

// Params returns weight_ih, weight_hh, bias_ih and bias_hh, in that order.
func (g *GRU[T]) Params() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{g.WeightIH, g.WeightHH, g.BiasIH, g.BiasHH}
}

// Sequence runs the GRU over steps steps of batch sequences as one fused tape
// node. x is [steps·batch, I] time-major; h0 is [batch, N] or [1, N]
// (broadcast over the batch). It returns the states h_1 … h_steps as
// [steps·batch, N] (the rates) and h_steps ([batch, N], a view of the last
// rows of rates, valid until the tape's Reset).
//
// The input projection of all steps is one GEMM; each step does one
// recurrent GEMM [batch, N]·[N, 3N]; the backward pass walks time in reverse
// and forms the weight gradients as GEMMs over all steps·batch rows. Every
// buffer comes from the tape's arena, so a steady-state call allocates
// nothing.
//
// The op keeps references to x, h0, the parameters' values and
// opt.Inactivation; none may change before the tape's Backward.
//
// It panics if steps or batch is not positive, x is not [steps·batch, I],
// h0 is not [batch, N] or [1, N], or an inactivation mask does not have N
// entries.
func (g *GRU[T]) Sequence(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	n, in := g.hidden, g.inputs
	checkSequence("GRU", x, h0, steps, batch, in, n, opt)
	rows := steps * batch
	h := tp.Alloc(rows, n)
	s := g.cache.get(&h.Data[0])
	*s = gruSeq[T]{
		tp: tp, steps: steps, batch: batch, n: n, in: in,
		x: x.Value, h0: h0.Value, wih: g.WeightIH.Value, whh: g.WeightHH.Value,
		h:     h,
		bhh:   g.BiasHH.Value,
		gates: tp.Alloc(rows, 3*n),
		gh:    tp.Alloc(rows, 3*n),
		hPrev: tp.Alloc(batch, n),
		whhT:  tp.Alloc(n, 3*n),
		wihT:  tp.Alloc(in, 3*n),
		bias:  tp.Alloc(1, 3*n),
		inact: opt.Inactivation,
	}
	s.forward(g.BiasIH.Value, g.NoiseStd, opt.Noise)
	rates := tp.Fused(s, h, x, h0, tp.Param(g.WeightIH), tp.Param(g.WeightHH), tp.Param(g.BiasIH), tp.Param(g.BiasHH))
	return rates, h.RowSlice(rows-batch, rows)
}

// gruSeq is one recorded GRU sequence: what the backward pass needs.
type gruSeq[T autodiff.Float] struct {
	tp                   *autodiff.Tape[T]
	steps, batch, n, in  int
	x, h0, wih, whh, bhh autodiff.Tensor[T]
	h                    autodiff.Tensor[T] // [T·B, N] states h_1 … h_T (the op's output)
	gates                autodiff.Tensor[T] // [T·B, 3N] r, z, n of every step
	gh                   autodiff.Tensor[T] // [T·B, 3N] W_hh h of every step (no bias)
	hPrev                autodiff.Tensor[T] // [B, N] h0 broadcast over the batch
	whhT, wihT           autodiff.Tensor[T] // transposed weights, [N, 3N] and [I, 3N]
	bias                 autodiff.Tensor[T] // [1, 3N] b_ih + (b_hr, b_hz, 0)
	inact                *Inactivation
}

var _ autodiff.FusedOp[float32] = (*gruSeq[float32])(nil)

// Name implements autodiff.FusedOp.
func (s *gruSeq[T]) Name() string { return "GRU.Sequence" }

func transposeTo[T autodiff.Float](dst, src autodiff.Tensor[T]) {
	for i := 0; i < src.Rows; i++ {
		for j, v := range src.Data[i*src.Cols : (i+1)*src.Cols] {
			dst.Data[j*dst.Cols+i] = v
		}
	}
}

// prev returns the state the step t starts from, [B, N].
func (s *gruSeq[T]) prev(t int) []T {
	if t == 0 {
		return s.hPrev.Data
	}
	return s.h.Data[(t-1)*s.batch*s.n : t*s.batch*s.n]
}

func (s *gruSeq[T]) forward(bih autodiff.Tensor[T], noiseStd float64, rng *rand.Rand) {
	n, b, n3 := s.n, s.batch, 3*s.n
	transposeTo(s.whhT, s.whh)
	transposeTo(s.wihT, s.wih)
	broadcastRowsTo(s.hPrev, s.h0)
	// b_hr and b_hz add to the input projection; b_hn stays inside r ⊙ (·).
	copy(s.bias.Data, bih.Data)
	axpy(s.bias.Data[:2*n], 1, s.bhh.Data[:2*n])
	bhn := s.bhh.Data[2*n:]
	// Input projection of every step at once: gates = x·W_ihᵀ + bias.
	rows := s.steps * b
	for i := 0; i < rows; i++ {
		copy(s.gates.Data[i*n3:(i+1)*n3], s.bias.Data)
	}
	kernels.Gemm(false, false, rows, n3, s.in, 1, s.x.Data, s.in, s.wihT.Data, n3, 1, s.gates.Data, n3)
	for t := 0; t < s.steps; t++ {
		hp := s.prev(t)
		ght := s.gh.Data[t*b*n3 : (t+1)*b*n3]
		kernels.Gemm(false, false, b, n3, n, 1, hp, n, s.whhT.Data, n3, 0, ght, n3)
		for i := 0; i < b; i++ {
			row := t*b + i
			gi := s.gates.Data[row*n3 : (row+1)*n3]
			gh := ght[i*n3 : (i+1)*n3]
			hpr := hp[i*n : (i+1)*n]
			hr := s.h.Data[row*n : (row+1)*n]
			axpy(gi[:2*n], 1, gh[:2*n])
			sigmoidTo(gi[:2*n], gi[:2*n]) // r, z
			for j, v := range gh[2*n:] {
				gi[2*n+j] += gi[j] * (v + bhn[j])
			}
			ApplyTo(Tanh, gi[2*n:], gi[2*n:]) // n
			for j := range hr {
				z := gi[n+j]
				hr[j] = (1-z)*gi[2*n+j] + z*hpr[j]
			}
		}
		ht := s.h.Data[t*b*n : (t+1)*b*n]
		if rng != nil && noiseStd != 0 {
			addNoise(ht, noiseStd, rng)
		}
		if m := perturbed(s.inact, t); m != nil {
			v := T(m.ClampValue)
			if m.Silence {
				v = 0
			}
			for i := 0; i < b; i++ {
				for j, u := range m.Units {
					if u {
						ht[i*n+j] = v
					}
				}
			}
		}
	}
}

// Backward implements autodiff.FusedOp. grads are for x, h0, weight_ih,
// weight_hh, bias_ih, bias_hh.
func (s *gruSeq[T]) Backward(outGrad autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, b, n3, rows := s.n, s.batch, 3*s.n, s.steps*s.batch
	gx, gh0, gwih, gwhh, gbih, gbhh := grads[0], grads[1], grads[2], grads[3], grads[4], grads[5]
	dgh := s.tp.Alloc(rows, n3) // ∂L/∂(W_hh h + b_hh) per step (r, z, n)
	dgin := s.tp.Alloc(rows, n) // ∂L/∂(W_in x + b_in) per step
	carry := s.tp.AllocZero(b, n)
	for t := s.steps - 1; t >= 0; t-- {
		hp := s.prev(t)
		m := perturbed(s.inact, t)
		for i := 0; i < b; i++ {
			row := t*b + i
			g := s.gates.Data[row*n3 : (row+1)*n3]
			ghn := s.gh.Data[row*n3+2*n : (row+1)*n3]
			bhn := s.bhh.Data[2*n:]
			hpr := hp[i*n : (i+1)*n]
			dh := carry.Data[i*n : (i+1)*n]
			og := outGrad.Data[row*n : (row+1)*n]
			d := dgh.Data[row*n3 : (row+1)*n3]
			dn := dgin.Data[row*n : (row+1)*n]
			for j := 0; j < n; j++ {
				delta := dh[j] + og[j]
				if m != nil && m.Units[j] {
					delta = 0 // the held state depends on nothing
				}
				r, z, c := g[j], g[n+j], g[2*n+j]
				dnPre := delta * (1 - z) * (1 - c*c)
				dr := dnPre * (ghn[j] + bhn[j]) * r * (1 - r)
				dz := delta * (hpr[j] - c) * z * (1 - z)
				d[j], d[n+j], d[2*n+j] = dr, dz, dnPre*r
				dn[j] = dnPre
				dh[j] = delta * z
			}
		}
		// carry += dgh_t · W_hh: the gradient reaching h_{t−1} through the gates.
		kernels.Gemm(false, false, b, n, n3, 1, dgh.Data[t*b*n3:(t+1)*b*n3], n3, s.whh.Data, n, 1, carry.Data, n)
	}
	accReduceRows(gh0, carry)
	if gwhh.Data != nil {
		// dW_hh = Σ_t dgh_tᵀ h_{t−1}: the first step against h0, the rest in one GEMM.
		kernels.Gemm(true, false, n3, n, b, 1, dgh.Data[:b*n3], n3, s.hPrev.Data, n, 1, gwhh.Data, n)
		if s.steps > 1 {
			kernels.Gemm(true, false, n3, n, rows-b, 1, dgh.Data[b*n3:], n3, s.h.Data[:(rows-b)*n], n, 1, gwhh.Data, n)
		}
	}
	if gbhh.Data != nil {
		accReduceRows(gbhh, dgh)
	}
	// ∂L/∂(W_i x + b_i) equals dgh for r and z, and dgin for n.
	if gbih.Data != nil {
		for i := 0; i < rows; i++ {
			d := dgh.Data[i*n3 : i*n3+2*n]
			for j, v := range d {
				gbih.Data[j] += v
			}
			for j, v := range dgin.Data[i*n : (i+1)*n] {
				gbih.Data[2*n+j] += v
			}
		}
	}
	if gwih.Data != nil {
		kernels.Gemm(true, false, 2*n, s.in, rows, 1, dgh.Data, n3, s.x.Data, s.in, 1, gwih.Data[:2*n*s.in], s.in)
		kernels.Gemm(true, false, n, s.in, rows, 1, dgin.Data, n, s.x.Data, s.in, 1, gwih.Data[2*n*s.in:], s.in)
	}
	if gx.Data != nil {
		kernels.Gemm(false, false, rows, s.in, 2*n, 1, dgh.Data, n3, s.wih.Data[:2*n*s.in], s.in, 1, gx.Data, s.in)
		kernels.Gemm(false, false, rows, s.in, n, 1, dgin.Data, n, s.wih.Data[2*n*s.in:], s.in, 1, gx.Data, s.in)
	}
}
