package main

import (
	"fmt"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
)

var _ analysis.Runner = (*rnnNet)(nil)

// Dims implements analysis.Runner.
func (n *rnnNet) Dims() (nIn, units, nOut int) { return n.nIn, n.hidden, n.nOut }

// Run implements analysis.Runner: one fused pass over the whole sequence;
// with opt.Record the layer also hands back every state variable after
// every step and its pre-activations.
func (n *rnnNet) Run(x []float32, T, B int, opt analysis.RunOptions) analysis.Activity {
	if len(x) != T*B*n.nIn {
		panic(fmt.Sprintf("rnntrain: run: %d inputs, want %d×%d×%d", len(x), T, B, n.nIn))
	}
	tp := n.evalTape
	tp.Reset()
	defer tp.Reset()
	r := n.net.Forward(tp, autodiff.FromSlice(T*B, n.nIn, x), T, B, model.Options[float32]{Noise: opt.Noise, Record: opt.Record, Inactivation: opt.Inactivation})
	act := analysis.Activity{
		Out:   append([]float32(nil), r.Out.Value.Data...),
		Rates: append([]float32(nil), r.Rates.Value.Data...),
	}
	if rep, ok := n.net.Recurrent().(layers.Reporter[float32]); ok {
		for _, f := range rep.Figures(r.Rates) {
			if act.Figures == nil {
				act.Figures = map[string]float64{}
			}
			act.Figures[f.Name] = f.Value
		}
	}
	if !opt.Record {
		return act
	}
	for i, v := range n.net.StateVars() {
		act.States = append(act.States, analysis.State{Name: v.Name, Size: v.Size, Data: append([]float32(nil), r.States[i].Data...)})
	}
	if r.Pre.Data != nil {
		act.Pre = append([]float32(nil), r.Pre.Data...)
	}
	return act
}
