package rnn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/rnn/rnntest"
)

// TestModelsConform runs the conformance suite on every model of the table.
func TestModelsConform(t *testing.T) {
	for _, m := range rnn.Models() {
		t.Run(m.Name, func(t *testing.T) { rnntest.Conform(t, m) })
	}
}

// TestToyModelConforms defines a model in this file alone, the linear RNN
// below, and runs the whole suite on its entry: a new model is one file
// like this (its config, its layer with a fused op and an unfused
// reference) plus one line in rnn.Models.
func TestToyModelConforms(t *testing.T) { rnntest.Conform(t, linearModel()) }

// linearConfig is the toy linear RNN, model "linear".
type linearConfig struct {
	// Gain scales the initial W, drawn N(0, gain²/N) (default 0.9).
	Gain float64 `json:"gain"`
}

func linearModel() layers.Model {
	return layers.Model{
		Name:      "linear",
		Summary:   "linear RNN (a test model)",
		Equations: "h_{t+1} = W h_t + U u_t + σ ξ_t, r = h, h_0 = 0",
		New:       func() layers.ModelConfig { return &linearConfig{} },
	}
}

func (c *linearConfig) Model() layers.Model { return linearModel() }

func (c *linearConfig) Resolve(layers.Spec) {
	if c.Gain == 0 {
		c.Gain = 0.9
	}
}

func (c *linearConfig) Validate(layers.Spec) error {
	if !(c.Gain >= 0) || math.IsInf(c.Gain, 0) {
		return fmt.Errorf("gain = %g, need a finite value ≥ 0", c.Gain)
	}
	return nil
}

func (c *linearConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newLinear[float32](c, s, rng), nil
}

func (c *linearConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newLinear[float64](c, s, rng), nil
}

// linear is the layer: W [N, N] and U [N, I], in rows h_{t+1} = h_t Wᵀ + u_t Uᵀ.
type linear[T autodiff.Float] struct {
	w, u  *autodiff.Param[T]
	sigma float64
	cache layers.SeqCache[T, linearOp[T]]
}

func newLinear[T autodiff.Float](c *linearConfig, s layers.Spec, rng *rand.Rand) *linear[T] {
	l := &linear[T]{w: autodiff.NewParam[T]("linear.w", s.Hidden, s.Hidden), u: autodiff.NewParam[T]("linear.u", s.Hidden, s.Inputs), sigma: s.NoiseStd}
	for k := range l.w.Value.Data {
		l.w.Value.Data[k] = T(c.Gain / math.Sqrt(float64(s.Hidden)) * rng.NormFloat64())
	}
	for k := range l.u.Value.Data {
		l.u.Value.Data[k] = T(rng.NormFloat64() / math.Sqrt(float64(s.Inputs)))
	}
	l.w.Frozen, l.u.Frozen = s.FreezeRecurrent, s.FreezeInput
	return l
}

func (l *linear[T]) Size() int                    { return l.w.Value.Rows }
func (l *linear[T]) Params() []*autodiff.Param[T] { return []*autodiff.Param[T]{l.w, l.u} }
func (l *linear[T]) StateVars() []layers.StateVar {
	return []layers.StateVar{{Name: "h", Size: l.Size()}}
}

// Sequence runs the recurrence as one fused op.
func (l *linear[T]) Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) layers.Seq[T] {
	n := l.Size()
	h0 := layers.SingleInit(tp, init, n)
	layers.CheckSequence("linear", x, h0, steps, batch, l.u.Value.Cols, n, opt)
	h := tp.Alloc(steps*batch, n)
	o := l.cache.Get(&h.Data[0])
	*o = linearOp[T]{l: l, steps: steps, batch: batch, x: x.Value, h0: h0.Value, h: h,
		prev: tp.Alloc(batch, n), dh: tp.Alloc(batch, n), dp: tp.Alloc(batch, n), inact: opt.Inactivation}
	layers.BroadcastRowsTo(o.prev, h0.Value)
	if opt.Noise != nil && l.sigma > 0 {
		o.noise = tp.AllocZero(steps*batch, n)
		layers.AddNoise(o.noise.Data, l.sigma, opt.Noise)
	}
	o.forward()
	o.final[0], o.rec[0] = h.RowSlice((steps-1)*batch, steps*batch), h
	s := layers.Seq[T]{Rates: tp.Fused(o, h, x, h0, tp.Param(l.w), tp.Param(l.u)), Final: o.final[:]}
	if opt.Record {
		s.States = o.rec[:]
	}
	return s
}

// linearOp is one recorded sequence of the linear layer.
type linearOp[T autodiff.Float] struct {
	l              *linear[T]
	steps, batch   int
	x, h0, h       autodiff.Tensor[T]
	prev, dh, dp   autodiff.Tensor[T] // [B, N]: h_0 broadcast; backward scratch
	noise          autodiff.Tensor[T]
	inact          *layers.Inactivation
	final, rec     [1]autodiff.Tensor[T]
	wData, uData   []T
	nUnits, nInput int
}

func (o *linearOp[T]) Name() string { return "linear" }

// state returns h_t, [B, N] (h_0 broadcast for t = 0).
func (o *linearOp[T]) state(t int) []T {
	if t == 0 {
		return o.prev.Data
	}
	return o.h.Data[(t-1)*o.batch*o.nUnits : t*o.batch*o.nUnits]
}

// held applies the inactivation of step t to row, returning whether it did.
func (o *linearOp[T]) held(t int, row []T) bool {
	m := layers.Perturbed(o.inact, t)
	if m == nil {
		return false
	}
	v := T(m.ClampValue)
	if m.Silence {
		v = 0
	}
	for j, on := range m.Units {
		if on {
			row[j] = v
		}
	}
	return true
}

func (o *linearOp[T]) forward() {
	n, in := o.l.Size(), o.x.Cols
	o.nUnits, o.nInput, o.wData, o.uData = n, in, o.l.w.Value.Data, o.l.u.Value.Data
	for t := range o.steps {
		prev := o.state(t)
		for b := range o.batch {
			row := o.h.Data[(t*o.batch+b)*n : (t*o.batch+b+1)*n]
			u := o.x.Data[(t*o.batch+b)*in : (t*o.batch+b+1)*in]
			for i := range n {
				var s T
				for j := range n {
					s += o.wData[i*n+j] * prev[b*n+j]
				}
				for k := range in {
					s += o.uData[i*in+k] * u[k]
				}
				if o.noise.Data != nil {
					s += o.noise.Data[(t*o.batch+b)*n+i]
				}
				row[i] = s
			}
			o.held(t, row)
		}
	}
}

// Backward walks time in reverse: with δ = ∂L/∂h_{t+1} (zero on held
// units), dW += δᵀ h_t, dU += δᵀ u_t, du_t += δ U and ∂L/∂h_t = δ W.
func (o *linearOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	n, in, B := o.nUnits, o.nInput, o.batch
	dx, dh0, dw, du := grads[0].Data, grads[1].Data, grads[2].Data, grads[3].Data
	clear(o.dh.Data)
	for t := o.steps - 1; t >= 0; t-- {
		delta := o.dh.Data
		for k, v := range g.Data[t*B*n : (t+1)*B*n] {
			delta[k] += v
		}
		if m := layers.Perturbed(o.inact, t); m != nil {
			for b := range B {
				for j, on := range m.Units {
					if on {
						delta[b*n+j] = 0
					}
				}
			}
		}
		prev := o.state(t)
		clear(o.dp.Data)
		for b := range B {
			u := o.x.Data[(t*B+b)*in : (t*B+b+1)*in]
			for i := range n {
				d := delta[b*n+i]
				for j := range n {
					if dw != nil {
						dw[i*n+j] += d * prev[b*n+j]
					}
					o.dp.Data[b*n+j] += d * o.wData[i*n+j]
				}
				for k := range in {
					if du != nil {
						du[i*in+k] += d * u[k]
					}
					if dx != nil {
						dx[(t*B+b)*in+k] += d * o.uData[i*in+k]
					}
				}
			}
		}
		copy(o.dh.Data, o.dp.Data)
	}
	if dh0 != nil {
		for k, v := range o.dh.Data {
			dh0[k%len(dh0)] += v // [1, N] sums over the batch
		}
	}
}

// SequenceReference is the recurrence composed of primitive ops, one step
// at a time (layers.Reference).
func (l *linear[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) *autodiff.Var[T] {
	n := l.Size()
	c := layers.RefConsts[T]{Tape: tp}
	w, u := tp.Param(l.w), tp.Param(l.u)
	h := autodiff.Add(c.Zeros(batch, n), layers.SingleInit(tp, init, n))
	var rates *autodiff.Var[T]
	for t := range steps {
		pick := c.SelectRows(t*batch, batch, steps*batch)
		ut := autodiff.MatMul(pick, false, x, false)
		h = autodiff.Add(autodiff.MatMul(h, false, w, true), autodiff.MatMul(ut, false, u, true))
		if opt.Noise != nil && l.sigma > 0 {
			h = autodiff.Add(h, c.Noise(batch, n, l.sigma, opt.Noise))
		}
		if m := layers.Perturbed(opt.Inactivation, t); m != nil {
			v := m.ClampValue
			if m.Silence {
				v = 0
			}
			h = c.Hold(h, m.Units, v)
		}
		rates = layers.PlaceRows(rates, pick, h)
	}
	return rates
}
