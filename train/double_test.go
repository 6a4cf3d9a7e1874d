package train

import (
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/tasks"
)

// leaky is a small test double of a leaky tanh rate RNN, the loop's
// collaborator until (and besides) package rnn:
//
//	x_{t+1} = (1−α) x_t + α (r_t W_rec + u_t W_in + b) + σ ξ_t,  r = tanh(x)
//	y_t     = r_{t+1} W_out + b_out
//
// The recurrence is one fused op with a hand-written backward (checked by
// finite differences in TestLeakyDoubleGradient); the readout uses the
// tape's MatMul and Add.
type leaky[T autodiff.Float] struct {
	in, hid, out int
	alpha, sigma float64
	wIn, wRec, b *autodiff.Param[T]
	wOut, bOut   *autodiff.Param[T]
	op           leakyOp[T]
	final        [1]autodiff.Tensor[T] // Result.Final's storage: recording allocates nothing
	poison       bool                  // Backward writes a NaN into the gradient of w_rec at [3 7]
}

func newLeaky[T autodiff.Float](in, hid, out int, sigma float64, rng *rand.Rand) *leaky[T] {
	m := &leaky[T]{in: in, hid: hid, out: out, alpha: 0.2, sigma: sigma,
		wIn:  autodiff.NewParam[T]("rnn.w_in", in, hid),
		wRec: autodiff.NewParam[T]("rnn.w_rec", hid, hid),
		b:    autodiff.NewParam[T]("rnn.b", 1, hid),
		wOut: autodiff.NewParam[T]("readout.w", hid, out),
		bOut: autodiff.NewParam[T]("readout.b", 1, out),
	}
	fill := func(p *autodiff.Param[T], std float64) {
		for k := range p.Value.Data {
			p.Value.Data[k] = T(rng.NormFloat64() * std)
		}
	}
	fill(m.wIn, 1/math.Sqrt(float64(in)))
	fill(m.wRec, 1.1/math.Sqrt(float64(hid)))
	fill(m.wOut, 1/math.Sqrt(float64(hid)))
	return m
}

func (m *leaky[T]) Params() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{m.wIn, m.wRec, m.b, m.wOut, m.bOut}
}

func (m *leaky[T]) InputWeights() []*autodiff.Param[T]     { return []*autodiff.Param[T]{m.wIn} }
func (m *leaky[T]) RecurrentWeights() []*autodiff.Param[T] { return []*autodiff.Param[T]{m.wRec} }
func (m *leaky[T]) OutputWeights() []*autodiff.Param[T]    { return []*autodiff.Param[T]{m.wOut} }

// record is Forward, generic so that the gradient check runs in float64.
func (m *leaky[T]) record(tp *autodiff.Tape[T], x autodiff.Tensor[T], steps, batch int, h0 autodiff.Tensor[T], noise *rand.Rand) (out, rates *autodiff.Var[T], final autodiff.Tensor[T]) {
	op := &m.op // reused: recording allocates nothing
	*op = leakyOp[T]{m: m, steps: steps, batch: batch, x: x}
	H := m.hid
	op.r = tp.Alloc((steps+1)*batch, H)
	op.dx, op.dp, op.dr = tp.Alloc(batch, H).Data, tp.Alloc(batch, H).Data, tp.Alloc(batch, H).Data
	xs := tp.Alloc(batch, H)
	if h0.Data == nil {
		clear(xs.Data)
	} else {
		xs.CopyFrom(h0)
	}
	for k, v := range xs.Data {
		op.r.Data[k] = T(math.Tanh(float64(v)))
	}
	pre := tp.Alloc(batch, H)
	a := T(m.alpha)
	ns := 0.0
	if noise != nil {
		ns = m.sigma
	}
	for t := range steps {
		rt := op.r.Data[t*batch*H : (t+1)*batch*H]
		for i := range batch {
			copy(pre.Data[i*H:(i+1)*H], m.b.Value.Data)
		}
		kernels.Gemm(false, false, batch, H, H, 1, rt, H, m.wRec.Value.Data, H, 1, pre.Data, H)
		kernels.Gemm(false, false, batch, H, m.in, 1, x.Data[t*batch*m.in:], m.in, m.wIn.Value.Data, H, 1, pre.Data, H)
		rn := op.r.Data[(t+1)*batch*H : (t+2)*batch*H]
		for k := range xs.Data {
			xs.Data[k] = (1-a)*xs.Data[k] + a*pre.Data[k]
			if ns != 0 {
				xs.Data[k] += T(ns * noise.NormFloat64())
			}
			rn[k] = T(math.Tanh(float64(xs.Data[k])))
		}
	}
	ratesVal := op.r.RowSlice(batch, (steps+1)*batch)
	rates = tp.Fused(op, ratesVal, tp.Param(m.wIn), tp.Param(m.wRec), tp.Param(m.b))
	out = autodiff.Add(autodiff.MatMul(rates, false, tp.Param(m.wOut), false), tp.Param(m.bOut))
	return out, rates, xs
}

// leaky32 adapts the float32 double to Model.
type leaky32 struct{ *leaky[float32] }

func (m leaky32) Forward(tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch int, opt model.Options[float32]) model.Result[float32] {
	var h0 autodiff.Tensor[float32]
	if len(opt.Init) > 0 {
		h0 = opt.Init[0]
	}
	out, rates, final := m.record(tp, x, steps, batch, h0, opt.Noise)
	m.final[0] = final
	return model.Result[float32]{Out: out, Rates: rates, Final: m.final[:]}
}

// StateVars returns the double's one state variable, x.
func (m leaky32) StateVars() []layers.StateVar { return []layers.StateVar{{Name: "x", Size: m.hid}} }

type leakyOp[T autodiff.Float] struct {
	m            *leaky[T]
	steps, batch int
	x            autodiff.Tensor[T]
	r            autodiff.Tensor[T] // rates at t = 0 … steps, [(steps+1)·batch, H]
	dx, dp, dr   []T                // backward scratch from the arena
}

func (o *leakyOp[T]) Name() string { return "leakyDouble" }

func (o *leakyOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	m, B, H := o.m, o.batch, o.m.hid
	a := T(m.alpha)
	dx, dp, dr := o.dx, o.dp, o.dr // ∂L/∂x_{t+1}, ∂L/∂pre_t, ∂L/∂r_t via W_rec
	clear(dx)
	for t := o.steps - 1; t >= 0; t-- {
		rn := o.r.Data[(t+1)*B*H : (t+2)*B*H]
		gt := g.Data[t*B*H : (t+1)*B*H]
		for k := range dx {
			dx[k] += gt[k] * (1 - rn[k]*rn[k])
			dp[k] = a * dx[k]
		}
		rt := o.r.Data[t*B*H : (t+1)*B*H]
		if grads[0].Data != nil {
			kernels.Gemm(true, false, m.in, H, B, 1, o.x.Data[t*B*m.in:(t+1)*B*m.in], m.in, dp, H, 1, grads[0].Data, H)
		}
		if grads[1].Data != nil {
			kernels.Gemm(true, false, H, H, B, 1, rt, H, dp, H, 1, grads[1].Data, H)
		}
		if grads[2].Data != nil {
			for k, v := range dp {
				grads[2].Data[k%H] += v
			}
		}
		if m.poison && grads[1].Data != nil {
			grads[1].Data[3*H+7] = T(math.NaN())
		}
		kernels.Gemm(false, true, B, H, H, 1, dp, H, m.wRec.Value.Data, H, 0, dr, H)
		for k := range dx {
			dx[k] = (1-a)*dx[k] + dr[k]*(1-rt[k]*rt[k])
		}
	}
}

// toyTask is a small task double: two noisy evidence channels over T steps;
// the target is the channel with the larger mean, scored in the last
// third. With ce it is a one-hot cross-entropy task, else an MSE task with
// PsychRNN's targets 1 (chosen channel) and 0.2 (the other).
type toyTask struct {
	steps int
	ce    bool
}

func (t toyTask) Name() string     { return "toy" }
func (t toyTask) Dims() (int, int) { return 2, 2 }
func (t toyTask) Loss() tasks.Loss {
	if t.ce {
		return tasks.CrossEntropy
	}
	return tasks.MSE
}

func (t toyTask) Batch(rng *rand.Rand, n int) tasks.Batch {
	T := t.steps
	b := tasks.Batch{T: T, B: n, NIn: 2, NOut: 2,
		Inputs: make([]float32, T*n*2), Targets: make([]float32, T*n*2), Mask: make([]float32, T*n*2),
		Lengths: make([]int, n), Trials: make([]tasks.Trial, n)}
	for i := range n {
		choice := rng.IntN(2)
		coh := 0.1 + 0.3*rng.Float64()
		b.Lengths[i] = T
		b.Trials[i] = tasks.Trial{Choice: choice + 1, Coherence: coh}
		for s := range T {
			for c := range 2 {
				mean := 0.5
				if c == choice {
					mean += coh
				}
				b.Inputs[(s*n+i)*2+c] = float32(mean + 0.3*rng.NormFloat64())
				if s >= 2*T/3 {
					b.Mask[(s*n+i)*2+c] = 1
					if c == choice {
						b.Targets[(s*n+i)*2+c] = 1
					} else if !t.ce {
						b.Targets[(s*n+i)*2+c] = 0.2 // PsychRNN's lo target
					}
				}
			}
		}
	}
	return b
}

// Score: the choice is the argmax of the masked mean output (PsychRNN's
// accuracy_function).
func (t toyTask) Score(out []float32, b *tasks.Batch) tasks.Result {
	res := tasks.Result{Correct: make([]bool, b.B)}
	var se, ms float64
	for i := range b.B {
		var s [2]float64
		for st := range b.T {
			for c := range 2 {
				k := (st*b.B+i)*2 + c
				s[c] += float64(out[k] * b.Mask[k])
				d := float64(out[k] - b.Targets[k])
				se += float64(b.Mask[k]) * d * d
				ms += float64(b.Mask[k])
			}
		}
		pick := 0
		if s[1] > s[0] {
			pick = 1
		}
		if pick+1 == b.Trials[i].Choice {
			res.Correct[i] = true
			res.Accuracy++
		}
	}
	res.Accuracy /= float64(b.B)
	res.MSE = se / ms
	return res
}
