package rnn

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
)

// Network is input → recurrent layer → linear readout, run over whole
// sequences: the recurrent layer (any model of Models) as one fused op, the
// readout as one GEMM over all steps.
type Network[T autodiff.Float] struct {
	cfg     Config
	rec     layers.Recurrent[T]
	readout *layers.Linear[T]          // nil when the layer reads out itself
	self    layers.SelfReadout[T]      // non-nil when the layer reads out itself
	leak    *layers.LeakyIntegrator[T] // the leaky readout's integrator; nil for linear
	h0      *autodiff.Param[T]         // [1×size]: initial state of the primary state variable
	ownH0   bool                       // h0 belongs to the layer
	in, wr  []*autodiff.Param[T]
	out     []*autodiff.Param[T]
	vars    []layers.StateVar // rec.StateVars(), asked once, then the network's own (see StateVars)
	nl      int               // the layer's state variables: vars[:nl]
	inits   initBufs[T]       // Forward's initial states, reused
	bufs    layers.SeqCache[T, netBufs[T]]
}

// netBufs hold Result.Final and Result.States of a pass with the network's
// own state variables, so that Forward does not allocate.
type netBufs[T autodiff.Float] struct {
	final, states []autodiff.Tensor[T]
}

var _ model.Network[float32] = (*Network[float32])(nil)
var _ model.WeightGroups[float32] = (*Network[float32])(nil)

// New builds a network from cfg with every weight drawn from rng. It
// returns an error naming the bad key if cfg is invalid.
func New[T autodiff.Float](cfg Config, rng *rand.Rand) (*Network[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("rnn: New needs an rng")
	}
	cfg = cfg.Resolved()
	rec, err := layers.NewLayer[T](cfg.Model, cfg.Spec(), rng)
	if err != nil {
		return nil, fmt.Errorf("model (%s): %w", cfg.Kind(), err)
	}
	n := &Network[T]{cfg: cfg, rec: rec, vars: slices.Clone(rec.StateVars())}
	n.nl = len(n.vars)
	if cfg.Readout == ReadoutLeaky {
		n.leak = layers.NewLeakyIntegrator[T](cfg.readoutDecay())
		n.vars = append(n.vars, layers.StateVar{Name: "readout", Size: cfg.Outputs})
	}
	if cfg.Encoding == EncodeDelta {
		n.vars = append(n.vars, layers.StateVar{Name: "input", Size: cfg.Inputs})
	}
	n.inits.n = len(n.vars)
	if w, ok := rec.(layers.Weighted[T]); ok {
		n.in, n.wr = w.WeightGroups()
	}
	if s, ok := rec.(layers.SelfReadout[T]); ok {
		n.self = s
		n.out = s.ReadoutWeights()
		if f, ok := rec.(interface{ SetReadoutFrozen() }); ok && cfg.FreezeOutput {
			f.SetReadoutFrozen()
		}
	} else {
		var c layers.Constraint
		if rc, ok := rec.(layers.ReadoutConstrained); ok {
			c = rc.ReadoutConstraint()
		}
		n.readout = layers.NewLinear[T]("readout", cfg.Hidden, cfg.Outputs, true, c, rng)
		n.readout.Weight().Frozen = cfg.FreezeOutput
		n.readout.Bias().Frozen = cfg.FreezeOutput
		n.out = []*autodiff.Param[T]{n.readout.Weight()}
	}
	if o, ok := rec.(layers.OwnInitialState[T]); ok {
		n.h0, n.ownH0 = o.InitialStateParam(), true
	} else {
		n.h0 = autodiff.NewVector[T]("h0", rec.StateVars()[0].Size)
	}
	n.h0.Frozen = !cfg.TrainInitialState
	return n, nil
}

// Config returns the network's configuration with defaults filled in.
func (n *Network[T]) Config() Config { return n.cfg }

// Params returns every parameter with its stable dotted name: the
// recurrent layer's first (leaky: "leaky.weight_ih" [N×I],
// "leaky.weight_hh" [N×N], "leaky.bias" [1×N]; rnn: torch.nn.RNN's
// "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
// "rnn.bias_hh_l0"; gru: torch.nn.GRU's "gru.weight_ih_l0" [3N×I],
// "gru.weight_hh_l0" [3N×N], "gru.bias_ih_l0", "gru.bias_hh_l0" [1×3N];
// lowrank: the low_rank_rnns state_dict names "lowrank.m", ".n" [N×R],
// ".wi" [I×N], ".si" [1×I], ".wo" [N×O], ".so" [1×O] (rates = tanh), ".b",
// ".h0" [1×N]), then "h0" [1×N] (Frozen unless TrainInitialState; absent
// when the layer keeps its own, as lowrank does), then "readout.weight"
// [Outputs×Hidden] and "readout.bias" [1×Outputs] unless the layer reads
// out itself. The slice is fresh; the parameters are the network's.
func (n *Network[T]) Params() []*autodiff.Param[T] {
	ps := append([]*autodiff.Param[T](nil), n.rec.Params()...)
	if !n.ownH0 {
		ps = append(ps, n.h0)
	}
	if n.readout != nil {
		ps = append(ps, n.readout.Params()...)
	}
	return ps
}

// StateVars returns the recurrent layer's state variables, then the
// network's own: "readout" (the leaky readout's membrane o_t, [Outputs])
// and "input" (the inputs x_t, [Inputs], from which the delta encoding
// measures the next step's change), each only with that readout or
// encoding. Carried from one window to the next (Forward's Options.Init),
// they make a sequence run in windows compute what one pass does.
func (n *Network[T]) StateVars() []layers.StateVar { return slices.Clone(n.vars) }

// InputWeights returns the input weight parameters (for regularizers).
func (n *Network[T]) InputWeights() []*autodiff.Param[T] { return n.in }

// RecurrentWeights returns the recurrent weight parameters.
func (n *Network[T]) RecurrentWeights() []*autodiff.Param[T] { return n.wr }

// OutputWeights returns the readout weight (not its bias; W_out of the
// low-rank library readout).
func (n *Network[T]) OutputWeights() []*autodiff.Param[T] { return n.out }

// InitialState returns the initial state parameter of the primary state
// variable, [1×size].
func (n *Network[T]) InitialState() *autodiff.Param[T] { return n.h0 }

// EncodingRNG returns a fresh stream of the Poisson input spikes of a
// pass without noise, seeded with Config.EncodingSeed: the stream Forward
// draws them from when its options give neither Encoding nor Noise.
func (n *Network[T]) EncodingRNG() *rand.Rand {
	return rand.New(rand.NewPCG(n.cfg.EncodingSeed, encodingStream))
}

// Recurrent returns the recurrent layer (for analysis: effective weights,
// constraints).
func (n *Network[T]) Recurrent() layers.Recurrent[T] { return n.rec }

// Readout returns the linear readout, or nil for a layer that reads out
// itself (the low-rank library readout).
func (n *Network[T]) Readout() *layers.Linear[T] { return n.readout }

// Forward records the network over x ([steps·batch, Inputs], time-major:
// rows t·batch … t·batch+batch−1 are step t) on tp: the recurrent layer as
// one fused op, then the readout as one GEMM over all steps·batch rows.
//
// Truncated BPTT with window K: split x into windows of K steps and call
// Forward once per window, passing copies of the previous window's Final
// as Options.Init (copy them before tp.Reset, which recycles their memory).
// Gradients then stop at window boundaries, and the tape holds one window
// at a time, so memory per window does not depend on the sequence length.
//
// It panics if x is not [steps·batch, Inputs], opt.Init has more entries
// than state variables, or an initial state has the wrong shape.
func (n *Network[T]) Forward(tp *autodiff.Tape[T], x autodiff.Tensor[T], steps, batch int, opt model.Options[T]) model.Result[T] {
	vars := n.vars
	if len(opt.Init) > len(vars) {
		panic(fmt.Sprintf("rnn: Forward got %d initial states for %d state variables", len(opt.Init), len(vars)))
	}
	init := n.inits.get()
	defer n.inits.put(init)
	for i := range n.nl {
		switch {
		case i < len(opt.Init) && opt.Init[i].Data != nil:
			init[i] = tp.Const(opt.Init[i])
		case i == 0:
			init[i] = tp.Param(n.h0)
		default:
			init[i] = tp.Const(tp.AllocZero(1, vars[i].Size))
		}
	}
	// own returns the given initial value of the network's own state
	// variable name (empty: none given, 0).
	own := func(name string) autodiff.Tensor[T] {
		for i := n.nl; i < len(vars); i++ {
			if vars[i].Name == name && i < len(opt.Init) {
				return opt.Init[i]
			}
		}
		return autodiff.Tensor[T]{}
	}
	raw := x
	if e := n.cfg.Encoding; e != EncodeNone {
		var rng *rand.Rand
		if e == EncodePoisson {
			rng = cmp.Or(opt.Encoding, opt.Noise)
			if rng == nil {
				rng = n.EncodingRNG()
			}
		}
		enc := tp.Alloc(x.Rows, x.Cols)
		EncodeTo(enc, x, own("input"), batch, e, n.cfg.EncodingGain, n.cfg.EncodingThreshold, rng)
		x = enc
	}
	seq := n.rec.Sequence(tp, tp.Const(x), init[:n.nl], steps, batch, layers.SeqOptions{Noise: opt.Noise, Inactivation: opt.Inactivation, Record: opt.Record, Lengths: opt.Lengths, PenaltyShare: opt.PenaltyShare})
	var out *autodiff.Var[T]
	if n.readout != nil {
		out = n.readout.Forward(tp, seq.Rates)
	} else {
		out = n.self.Readout(tp, seq.Rates)
	}
	if n.leak != nil {
		out = n.leak.Forward(tp, out, own("readout"), steps, batch)
	}
	res := model.Result[T]{Out: out, Rates: seq.Rates, Final: seq.Final, States: seq.States, Pre: seq.Pre, Penalty: seq.Penalty}
	if len(vars) == n.nl {
		return res
	}
	// The network's own state variables after the last step, and with
	// Record after every step.
	b := n.bufs.Get(&out.Value.Data[0])
	b.final = append(b.final[:0], seq.Final...)
	if opt.Record {
		b.states = append(b.states[:0], seq.States...)
	}
	last := (steps - 1) * batch
	for _, v := range vars[n.nl:] {
		all := out.Value
		if v.Name == "input" {
			all = raw
		}
		f := tp.Alloc(batch, all.Cols)
		copy(f.Data, all.RowSlice(last, last+batch).Data)
		b.final = append(b.final, f)
		if opt.Record {
			b.states = append(b.states, all)
		}
	}
	res.Final = b.final
	if opt.Record {
		res.States = b.states
	}
	return res
}

// Dims returns the network's numbers of inputs and outputs.
func (n *Network[T]) Dims() (inputs, outputs int) { return n.cfg.Inputs, n.cfg.Outputs }

// initBufs keeps Forward's slices of initial states for reuse: a stack
// under a mutex rather than a sync.Pool, whose per-processor caches miss
// (and allocate) when the calling goroutine moves to another processor
// and are emptied by every collection, so that a training step would not
// be free of allocations. Forward may run on several goroutines at once;
// each takes its own slice.
type initBufs[T autodiff.Float] struct {
	mu   sync.Mutex
	free [][]*autodiff.Var[T]
	n    int // entries per slice: the network's state variables
}

// get returns a slice of n entries, reused when one is free.
func (b *initBufs[T]) get() []*autodiff.Var[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k := len(b.free); k > 0 {
		s := b.free[k-1]
		b.free = b.free[:k-1]
		return s
	}
	return make([]*autodiff.Var[T], b.n)
}

// put returns s, cleared, for reuse.
func (b *initBufs[T]) put(s []*autodiff.Var[T]) {
	clear(s)
	b.mu.Lock()
	b.free = append(b.free, s)
	b.mu.Unlock()
}
