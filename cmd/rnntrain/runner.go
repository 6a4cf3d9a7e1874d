package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

var _ analysis.Runner = (*rnnNet)(nil)

// Dims implements analysis.Runner.
func (n *rnnNet) Dims() (nIn, units, nOut int) { return n.nIn, n.hidden, n.nOut }

// Run implements analysis.Runner: one fused pass over the whole sequence;
// with opt.Record the layer also hands back every state variable after
// every step and its pre-activations. A connection lesion (opt.Lesion)
// splits the sequence at its window: the steps before it, in it (with the
// recurrent weights cut, rnn.Network.CutRecurrent) and after it run one
// after another, each from the state the last one ended in, with the same
// noise stream. It panics if the model cannot cut its connections, or if
// opt.Inactivation silences units at the last step before a part begins:
// a part starts from the state alone, and a silenced unit's rate is not a
// function of its state (a clamped unit's is).
func (n *rnnNet) Run(x []float32, T, B int, opt analysis.RunOptions) analysis.Activity {
	if len(x) != T*B*n.nIn {
		panic(fmt.Sprintf("rnntrain: run: %d inputs, want %d×%d×%d", len(x), T, B, n.nIn))
	}
	enc := n.encodingStream(opt.Noise)
	if opt.Lesion == nil {
		act, _ := n.run(x, T, B, opt, nil, enc)
		return act
	}
	l := opt.Lesion
	from, to := min(l.From, T), T
	if l.To != 0 {
		to = min(l.To, T)
	}
	var all analysis.Activity
	var init []autodiff.Tensor[float32]
	for _, seg := range [3][2]int{{0, from}, {from, to}, {to, T}} {
		a, b := seg[0], seg[1]
		if b <= a {
			continue
		}
		if m := opt.Inactivation; a > 0 && m.Active(a-1) && m.Silence {
			panic(fmt.Sprintf("rnntrain: run: units silenced at step %d, across the start of the connection lesion's part [%d, %d)", a-1, a, b))
		}
		o := opt
		o.Inactivation = shiftInactivation(opt.Inactivation, a, b)
		o.Lengths = shiftLengths(opt.Lengths, a, b)
		restore := func() {}
		if a == from && b == to {
			var err error
			if restore, err = n.net.CutRecurrent(l.Cut); err != nil {
				panic("rnntrain: run: " + err.Error())
			}
		}
		act, final := n.run(x[a*B*n.nIn:b*B*n.nIn], b-a, B, o, init, enc)
		restore()
		init = final
		all.Out = append(all.Out, act.Out...)
		all.Rates = append(all.Rates, act.Rates...)
		all.Pre = append(all.Pre, act.Pre...)
		for i, s := range act.States {
			if i == len(all.States) {
				all.States = append(all.States, analysis.State{Name: s.Name, Size: s.Size})
			}
			all.States[i].Data = append(all.States[i].Data, s.Data...)
		}
		if act.Tally != nil {
			if all.Tally == nil {
				all.Tally = &layers.Tally{}
			}
			all.Tally.Add(*act.Tally)
		}
	}
	return all
}

// shiftInactivation returns m as it applies to the steps [a, b) of a
// sequence run on their own (steps counted from a), or nil when it does
// not act there.
func shiftInactivation(m *layers.Inactivation, a, b int) *layers.Inactivation {
	if m == nil {
		return nil
	}
	to := b
	if m.To != 0 {
		to = min(m.To, b)
	}
	from := max(m.From, a)
	if to <= from {
		return nil
	}
	c := *m
	c.From, c.To = from-a, to-a
	return &c
}

// shiftLengths returns the steps each trial of lengths has among the
// steps [a, b) of a sequence run on their own, or nil for nil lengths.
func shiftLengths(lengths []int, a, b int) []int {
	if lengths == nil {
		return nil
	}
	s := make([]int, len(lengths))
	for i, l := range lengths {
		s[i] = min(max(l-a, 0), b-a)
	}
	return s
}

// encodingStream returns the stream of the Poisson input spikes of one Run
// of a Poisson-encoded network, nil for any other: the run's seed's without
// noise, else one seeded by two draws of noise. Every part of a split run
// continues it, so the parts draw the spikes, and between them the noise,
// that one pass draws.
func (n *rnnNet) encodingStream(noise *rand.Rand) *rand.Rand {
	switch {
	case n.net.Config().Encoding != rnn.EncodePoisson:
		return nil
	case noise == nil:
		return n.net.EncodingRNG()
	}
	return rand.New(rand.NewPCG(noise.Uint64(), noise.Uint64()))
}

// run forwards x from init (nil: the network's own initial state), drawing
// Poisson inputs without noise from enc (nil: a fresh stream), and returns
// the activity and copies of the final state variables.
func (n *rnnNet) run(x []float32, T, B int, opt analysis.RunOptions, init []autodiff.Tensor[float32], enc *rand.Rand) (analysis.Activity, []autodiff.Tensor[float32]) {
	tp := n.evalTape
	tp.Reset()
	defer tp.Reset()
	r := n.net.Forward(tp, autodiff.FromSlice(T*B, n.nIn, x), T, B, model.Options[float32]{Init: init, Noise: opt.Noise, Encoding: enc, Record: opt.Record, Inactivation: opt.Inactivation, Lengths: opt.Lengths})
	act := analysis.Activity{
		Out:   append([]float32(nil), r.Out.Value.Data...),
		Rates: append([]float32(nil), r.Rates.Value.Data...),
	}
	final := make([]autodiff.Tensor[float32], len(r.Final))
	for i, f := range r.Final {
		final[i] = f.Clone()
	}
	if rep, ok := n.net.Recurrent().(layers.Reporter[float32]); ok {
		if t, ok := rep.Tally(r.Rates, opt.Lengths); ok {
			act.Tally = &t
		}
	}
	if !opt.Record {
		return act, final
	}
	for i, v := range n.net.StateVars() {
		act.States = append(act.States, analysis.State{Name: v.Name, Size: v.Size, Data: append([]float32(nil), r.States[i].Data...)})
	}
	if r.Pre.Data != nil {
		act.Pre = append([]float32(nil), r.Pre.Data...)
	}
	return act, final
}
