package rnn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// TestCutRecurrent cuts every connection out of units 0 and 1 for every
// model of the table: the other units' rates then no longer depend on
// what units 0 and 1 do (silenced or not), while without the cut they do.
// The restore puts every weight back; the low-rank model is refused.
func TestCutRecurrent(t *testing.T) {
	t.Parallel()
	const n, steps, batch = 8, 12, 3
	cut := make([]bool, n*n)
	for i := range n {
		cut[i*n+0], cut[i*n+1] = true, true // from units 0 and 1 to every unit
	}
	silence := &layers.Inactivation{Units: make([]bool, n), Silence: true}
	silence.Units[0], silence.Units[1] = true, true
	for _, m := range rnn.Models() {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			net, err := rnn.New[float64](rnn.Config{Inputs: 2, Hidden: n, Outputs: 1, Model: m.New()}, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(3, 4))
			x := autodiff.NewTensor[float64](steps*batch, 2)
			for k := range x.Data {
				x.Data[k] = 2 * rng.NormFloat64()
			}
			rates := func(in *layers.Inactivation) []float64 {
				tp := autodiff.NewTape[float64]()
				r := net.Forward(tp, x, steps, batch, model.Options[float64]{Inactivation: in})
				return append([]float64(nil), r.Rates.Value.Data...)
			}
			// differ is the largest change of units 2… between the plain
			// run and the one with units 0 and 1 silenced.
			differ := func() float64 {
				a, b := rates(nil), rates(silence)
				var d float64
				for k := range a {
					if k%n >= 2 {
						d = max(d, math.Abs(a[k]-b[k]))
					}
				}
				return d
			}
			before := snapshot(net)
			restore, err := net.CutRecurrent(cut)
			if m.Name == "lowrank" {
				require.ErrorContains(t, err, "model lowrank has no recurrent weight matrix")
				return
			}
			require.NoError(t, err)
			require.Zero(t, differ(), "with the cut, the other units must not see units 0 and 1")
			restore()
			require.Equal(t, before, snapshot(net), "restore must put every weight back")
			require.Greater(t, differ(), 1e-6, "without the cut, silencing units 0 and 1 must reach the others")
		})
	}
	net, err := rnn.New[float64](rnn.Config{Inputs: 2, Hidden: n, Outputs: 1, Model: rnn.Models()[0].New()}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	require.Panics(t, func() { _, _ = net.CutRecurrent(cut[:n]) })
}

// snapshot copies every parameter's values.
func snapshot(net *rnn.Network[float64]) [][]float64 {
	var s [][]float64
	for _, p := range net.Params() {
		s = append(s, append([]float64(nil), p.Value.Data...))
	}
	return s
}
