package rnn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
)

// Network is input → recurrent layer → linear readout, run over whole
// sequences: the recurrent layer as one fused op, the readout as one GEMM
// over all steps.
type Network[T autodiff.Float] struct {
	cfg     Config
	rec     layers.Recurrent[T]
	readout *layers.Linear[T]  // nil when the low-rank layer reads out itself
	lowrank *lowrank.Layer[T]  // non-nil for LowRank
	h0      *autodiff.Param[T] // [1×Hidden]; the low-rank layer's own h0 for LowRank
	in, wr  []*autodiff.Param[T]
	out     []*autodiff.Param[T]
}

// New builds a network from cfg with every weight drawn from rng. It
// returns an error naming the bad field if cfg is invalid, or if the model
// is not available in this build.
func New[T autodiff.Float](cfg Config, rng *rand.Rand) (*Network[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("rnn: New needs an rng")
	}
	cfg = cfg.Defaults()
	n := &Network[T]{cfg: cfg}
	readoutC := layers.Constraint{}
	switch cfg.Kind {
	case Vanilla, Leaky:
		lc := cfg.leakyConfig()
		l, err := layers.NewLeaky[T](lc, rng)
		if err != nil {
			return nil, fmt.Errorf("rnn: %w", err)
		}
		n.rec = l
		n.in = []*autodiff.Param[T]{l.InputWeights()}
		n.wr = []*autodiff.Param[T]{l.RecurrentWeights()}
		if cfg.ExcFraction > 0 {
			// PsychRNN's W_out_eff = |W_out ⊙ M|·D_out: only excitatory
			// units are read out, with non-negative weights.
			s := layers.DaleSigns(cfg.Hidden, cfg.ExcFraction)
			for j := range s {
				s[j] = max(s[j], 0)
			}
			readoutC = layers.Constraint{Abs: true, ColSign: s}
		}
	case GRU:
		g := layers.NewGRU[T]("gru", cfg.Inputs, cfg.Hidden, rng)
		g.NoiseStd = cfg.NoiseStd
		g.WeightIH.Frozen, g.WeightHH.Frozen = cfg.FreezeInput, cfg.FreezeRecurrent
		g.BiasIH.Frozen, g.BiasHH.Frozen = cfg.FreezeBias, cfg.FreezeBias
		n.rec, n.in, n.wr = g, []*autodiff.Param[T]{g.WeightIH}, []*autodiff.Param[T]{g.WeightHH}
	case LowRank:
		if err := n.newLowRank(rng); err != nil {
			return nil, err
		}
		return n, nil
	}
	n.readout = layers.NewLinear[T]("readout", cfg.Hidden, cfg.Outputs, true, readoutC, rng)
	n.readout.Weight().Frozen = cfg.FreezeOutput
	n.readout.Bias().Frozen = cfg.FreezeOutput
	n.out = []*autodiff.Param[T]{n.readout.Weight()}
	n.h0 = autodiff.NewParam[T]("h0", 1, cfg.Hidden)
	n.h0.Frozen = !cfg.TrainInitialState
	return n, nil
}

// newLowRank builds the low-rank layer ("lowrank.m", ".n", ".wi", ".si",
// ".wo", ".so", ".b", ".h0") and, unless it reads out itself, a Linear
// readout.
func (n *Network[T]) newLowRank(rng *rand.Rand) error {
	cfg := n.cfg
	lc := lowrank.LayerConfig{Inputs: cfg.Inputs, Hidden: cfg.Hidden, Rank: cfg.Rank, Alpha: cfg.Alpha,
		NoiseStd: cfg.NoiseStd, Activation: cfg.Activation, Rates: cfg.Rates}
	own := cfg.Rates == lowrank.RatesTanh
	if own {
		lc.Outputs = cfg.Outputs
	}
	l, err := lowrank.NewLayer[T]("lowrank", lc, rng)
	if err != nil {
		return fmt.Errorf("rnn: %w", err)
	}
	for k := range l.SI.Value.Data {
		l.SI.Value.Data[k] = T(cfg.InputScale)
	}
	trained := lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI
	if own {
		trained = lowrank.LibraryTrained
		for k := range l.SO.Value.Data {
			l.SO.Value.Data[k] = T(cfg.OutputScale)
		}
	}
	if cfg.TrainInitialState {
		trained |= lowrank.ParamH0
	}
	if cfg.FreezeRecurrent {
		trained &^= lowrank.ParamM | lowrank.ParamN
	}
	if cfg.FreezeInput {
		trained &^= lowrank.ParamWI | lowrank.ParamSI
	}
	if cfg.FreezeOutput {
		trained &^= lowrank.ParamWO | lowrank.ParamSO
	}
	if !cfg.FreezeBias && !own {
		trained |= lowrank.ParamB
	}
	l.SetTrained(trained)
	n.rec, n.lowrank, n.h0 = l, l, l.H0
	n.in = []*autodiff.Param[T]{l.WI}
	n.wr = []*autodiff.Param[T]{l.M, l.N}
	if own {
		n.out = []*autodiff.Param[T]{l.WO}
		return nil
	}
	n.readout = layers.NewLinear[T]("readout", cfg.Hidden, cfg.Outputs, true, layers.Constraint{}, rng)
	n.readout.Weight().Frozen = cfg.FreezeOutput
	n.readout.Bias().Frozen = cfg.FreezeOutput
	n.out = []*autodiff.Param[T]{n.readout.Weight()}
	return nil
}

// Config returns the network's configuration with defaults filled in.
func (n *Network[T]) Config() Config { return n.cfg }

// Params returns every parameter with its stable dotted name, recurrent
// layer first, then "h0" [1×Hidden] (Frozen unless TrainInitialState), then
// "readout.weight" [Outputs×Hidden] and "readout.bias" [1×Outputs]. Leaky
// names its layer "leaky.weight_ih" [N×I], "leaky.weight_hh" [N×N],
// "leaky.bias" [1×N]; Vanilla uses torch.nn.RNN's names and layout
// ("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
// "rnn.bias_hh_l0"); GRU torch.nn.GRU's ("gru.weight_ih_l0" [3N×I],
// "gru.weight_hh_l0" [3N×N], "gru.bias_ih_l0", "gru.bias_hh_l0" [1×3N]).
// LowRank lists the library's state_dict names "lowrank.m", ".n" [N×R],
// ".wi" [I×N], ".si" [1×I], ".wo" [N×O], ".so" [1×O] (with Rates = tanh),
// ".b", ".h0" [1×N] (its own h0 instead of "h0"), then "readout.*" when
// Rates is not tanh. The slice is fresh; the parameters are the network's.
func (n *Network[T]) Params() []*autodiff.Param[T] {
	ps := append([]*autodiff.Param[T](nil), n.rec.Params()...)
	if n.lowrank == nil {
		ps = append(ps, n.h0)
	}
	if n.readout != nil {
		ps = append(ps, n.readout.Params()...)
	}
	return ps
}

// InputWeights returns the input weight parameters (for regularizers).
func (n *Network[T]) InputWeights() []*autodiff.Param[T] { return n.in }

// RecurrentWeights returns the recurrent weight parameters.
func (n *Network[T]) RecurrentWeights() []*autodiff.Param[T] { return n.wr }

// OutputWeights returns the readout weight (not its bias; W_out of the
// low-rank library readout).
func (n *Network[T]) OutputWeights() []*autodiff.Param[T] { return n.out }

// InitialState returns the network's own initial state h0 [1×Hidden].
func (n *Network[T]) InitialState() *autodiff.Param[T] { return n.h0 }

// Recurrent returns the recurrent layer (for analysis: effective weights,
// constraints).
func (n *Network[T]) Recurrent() layers.Recurrent[T] { return n.rec }

// Readout returns the linear readout, or nil for a low-rank network that
// reads out itself (Rates = tanh).
func (n *Network[T]) Readout() *layers.Linear[T] { return n.readout }

// Options control one run over a sequence.
type Options[T autodiff.Float] struct {
	// H0 is the initial state, [batch, Hidden] or [1, Hidden]; empty means
	// the network's own initial state (trained if TrainInitialState). A
	// given H0 is a constant: no gradient flows into it. For the leaky model
	// under state integration it is the state x_0, not the rate.
	H0 autodiff.Tensor[T]
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
	// Inactivation silences or clamps units inside the fused op (see
	// layers.Inactivation); nil leaves every unit intact.
	Inactivation *layers.Inactivation
}

// Result is what Forward returns. Every tensor lives in the tape's arena
// and is valid until the tape's Reset.
type Result[T autodiff.Float] struct {
	// Out is the readout at every step, [steps·batch, Outputs], time-major.
	Out *autodiff.Var[T]
	// Rates are the recurrent layer's rates at every step,
	// [steps·batch, Hidden], for firing-rate regularizers and recording.
	Rates *autodiff.Var[T]
	// Final is the state after the last step, [batch, Hidden]: pass a copy
	// as Options.H0 of the next window for truncated BPTT.
	Final autodiff.Tensor[T]
}

// Forward records the network over x ([steps·batch, Inputs], time-major:
// rows t·batch … t·batch+batch−1 are step t) on tp: the recurrent layer as
// one fused op, then the readout as one GEMM over all steps·batch rows.
//
// Truncated BPTT with window K: split x into windows of K steps and call
// Forward once per window, passing a copy of the previous window's Final
// as Options.H0 (copy it before tp.Reset, which recycles Final's memory).
// Gradients then stop at window boundaries, and the tape holds one window
// at a time, so memory per window does not depend on the sequence length.
//
// It panics if x is not [steps·batch, Inputs] or H0 has the wrong shape.
func (n *Network[T]) Forward(tp *autodiff.Tape[T], x autodiff.Tensor[T], steps, batch int, opt Options[T]) Result[T] {
	var h0 *autodiff.Var[T]
	if opt.H0.Data != nil {
		h0 = tp.Const(opt.H0)
	} else {
		h0 = tp.Param(n.h0)
	}
	rates, final := n.rec.Sequence(tp, tp.Const(x), h0, steps, batch, layers.SeqOptions{Noise: opt.Noise, Inactivation: opt.Inactivation})
	var out *autodiff.Var[T]
	if n.readout != nil {
		out = n.readout.Forward(tp, rates)
	} else {
		out = n.lowrank.Readout(tp, rates)
	}
	return Result[T]{Out: out, Rates: rates, Final: final}
}
