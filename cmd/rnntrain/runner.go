package main

import (
	"fmt"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/rnn"
)

var _ analysis.Runner = (*rnnNet)(nil)

// Dims implements analysis.Runner.
func (n *rnnNet) Dims() (nIn, units, nOut int) { return n.nIn, n.hidden, n.nOut }

// Run implements analysis.Runner. With opt.Record it runs one step at a
// time, carrying the state, so that it can copy the state after every step
// (the noise is drawn in the same step-major order as in one pass); the
// state is named "x" for the leaky model and "h" for the others. The
// network does not expose its pre-activations, so Activity.Pre stays nil.
func (n *rnnNet) Run(x []float32, T, B int, opt analysis.RunOptions) analysis.Activity {
	if len(x) != T*B*n.nIn {
		panic(fmt.Sprintf("rnntrain: run: %d inputs, want %d×%d×%d", len(x), T, B, n.nIn))
	}
	tp := n.evalTape
	defer tp.Reset()
	if !opt.Record {
		tp.Reset()
		r := n.net.Forward(tp, autodiff.FromSlice(T*B, n.nIn, x), T, B, rnn.Options[float32]{Noise: opt.Noise})
		return analysis.Activity{
			Out:   append([]float32(nil), r.Out.Value.Data...),
			Rates: append([]float32(nil), r.Rates.Value.Data...),
		}
	}
	name := "h"
	if n.net.Config().Kind == rnn.Leaky {
		name = "x"
	}
	act := analysis.Activity{States: []analysis.State{{Name: name, Size: n.hidden}}}
	var h0 autodiff.Tensor[float32]
	for t := range T {
		tp.Reset()
		xt := autodiff.FromSlice(B, n.nIn, x[t*B*n.nIn:(t+1)*B*n.nIn])
		r := n.net.Forward(tp, xt, 1, B, rnn.Options[float32]{H0: h0, Noise: opt.Noise})
		act.Out = append(act.Out, r.Out.Value.Data...)
		act.Rates = append(act.Rates, r.Rates.Value.Data...)
		act.States[0].Data = append(act.States[0].Data, r.Final.Data...)
		if h0.Data == nil {
			h0 = autodiff.NewTensor[float32](r.Final.Rows, r.Final.Cols)
		}
		h0.CopyFrom(r.Final)
	}
	return act
}
