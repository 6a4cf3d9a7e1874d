package rnn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// TestForwardPassesLengths checks that Options.Lengths reach the recurrent
// layer: the EGRU's activity penalty is then over the trials' own steps,
// as its tally with the lengths is, not over the padding too.
func TestForwardPassesLengths(t *testing.T) {
	const steps, batch, in, n = 12, 2, 3, 32
	mc := &rnn.EGRUConfig{Gamma: 0.7, Eps: 1, ActivityReg: 0.5, ActivityTarget: 0.05}
	net, err := rnn.New[float64](rnn.Config{Inputs: in, Hidden: n, Outputs: 1, Model: mc}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	e, ok := net.Recurrent().(interface {
		layers.Reporter[float64]
		Stats(*autodiff.Var[float64]) (layers.EGRUStats, bool)
	})
	require.True(t, ok, "%T reports no EGRU stats", net.Recurrent())
	rng := rand.New(rand.NewPCG(3, 3))
	x := autodiff.NewTensor[float64](steps*batch, in)
	for i := range x.Data {
		x.Data[i] = 2 * rng.NormFloat64()
	}
	lengths := []int{steps, 4}
	tp := autodiff.NewTape[float64]()
	r := net.Forward(tp, x, steps, batch, model.Options[float64]{Lengths: lengths})
	st, ok := e.Stats(r.Rates)
	require.True(t, ok)
	tl, ok := e.Tally(r.Rates, lengths)
	require.True(t, ok)
	act := 1 - tl.Map()["activity_sparsity"]
	require.Greater(t, act, 0.02)
	require.NotEqual(t, act, st.Activity, "the padding's activity must differ for the test to tell")
	require.InDelta(t, tl.Map()["activity_penalty"], st.Penalty, 1e-12)
}

// TestForwardPassesPenaltyShare checks that Options.PenaltyShare reaches
// the recurrent layer: the gradient of the EGRU's activity penalty alone
// (the outputs' own gradient is 0) and Result.Penalty scale with it.
func TestForwardPassesPenaltyShare(t *testing.T) {
	const steps, batch, in, n, share = 6, 2, 3, 16, 0.25
	mc := &rnn.EGRUConfig{Gamma: 0.7, Eps: 1, ActivityReg: 0.5, ActivityTarget: 0.05}
	net, err := rnn.New[float64](rnn.Config{Inputs: in, Hidden: n, Outputs: 1, Model: mc}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 3))
	x := autodiff.NewTensor[float64](steps*batch, in)
	for i := range x.Data {
		x.Data[i] = 2 * rng.NormFloat64()
	}
	grads := func(s float64) [][]float64 {
		var g [][]float64
		for _, p := range net.Params() {
			p.ZeroGrad()
		}
		tp := autodiff.NewTape[float64]()
		r := net.Forward(tp, x, steps, batch, model.Options[float64]{PenaltyShare: s})
		st, ok := net.Recurrent().(interface {
			Stats(*autodiff.Var[float64]) (layers.EGRUStats, bool)
		}).Stats(r.Rates)
		require.True(t, ok)
		require.Greater(t, st.Penalty, 0.0)
		w := s
		if w == 0 {
			w = 1
		}
		require.InDelta(t, w*st.Penalty, r.Penalty, 1e-15, "the penalty the loss gets")
		tp.Backward(autodiff.Scale(autodiff.Sum(r.Out), 0))
		for _, p := range net.Params() {
			g = append(g, append([]float64(nil), p.Grad.Data...))
		}
		return g
	}
	whole, part := grads(0), grads(share)
	nonzero := false
	for i, g := range whole {
		for k, v := range g {
			nonzero = nonzero || v != 0
			require.InDelta(t, share*v, part[i][k], 1e-12, "%s[%d]", net.Params()[i].Name, k)
		}
	}
	require.True(t, nonzero, "the penalty has no gradient; the test would not tell")
}
