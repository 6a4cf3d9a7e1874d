package rnn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// TestEncodeTo checks Poisson rates and signs against their probabilities
// and delta spikes against the changes of a known sequence.
func TestEncodeTo(t *testing.T) {
	t.Parallel()
	const steps, batch = 4000, 1
	x := autodiff.NewTensor[float64](steps*batch, 4)
	for r := range steps {
		copy(x.Data[r*4:], []float64{0.1, -0.3, 0.8, 2}) // rates 0.05, 0.15, 0.4, 1 at gain 0.5
	}
	dst := autodiff.NewTensor[float64](x.Rows, x.Cols)
	rnn.EncodeTo(dst, x, autodiff.Tensor[float64]{}, batch, rnn.EncodePoisson, 0.5, 0, rand.New(rand.NewPCG(1, 2)))
	for k, want := range []float64{0.05, 0.15, 0.4, 1} {
		var n float64
		for r := range steps {
			v := dst.Data[r*4+k]
			require.Contains(t, []float64{0, math.Copysign(1, x.Data[k])}, v, "input %d step %d", k, r)
			n += math.Abs(v)
		}
		sd := math.Sqrt(want * (1 - want) / steps)
		require.InDelta(t, want, n/steps, 5*sd+1e-12, "Poisson rate of input %d", k)
	}

	// Delta, batch 2: input 0 of sequence 0 steps 0, 0.05, 0.2, 0.2, 0.05;
	// sequence 1 constant 1 (one spike at the first step, from x_{−1} = 0).
	seq := []float64{0, 0.05, 0.2, 0.2, 0.05}
	y := autodiff.NewTensor[float64](len(seq)*2, 1)
	for t, v := range seq {
		y.Data[2*t], y.Data[2*t+1] = v, 1
	}
	d := autodiff.NewTensor[float64](y.Rows, 1)
	rnn.EncodeTo(d, y, autodiff.Tensor[float64]{}, 2, rnn.EncodeDelta, 0, 0.1, nil)
	require.Equal(t, []float64{0, 1, 0, 0, 1, 0, 0, 0, -1, 0}, d.Data)
}

// TestNetworkEncodingAndLeakyReadout builds a LIF network with Poisson
// inputs and the leaky readout: the outputs integrate those of the linear
// readout with the same weights, a pass without noise rng draws the same
// spikes every time from the encoding seed, and a rate network's leaky
// readout passes the finite-difference gradient check.
func TestNetworkEncodingAndLeakyReadout(t *testing.T) {
	t.Parallel()
	const steps, batch = 6, 3
	rng := rand.New(rand.NewPCG(4, 4))
	x := autodiff.NewTensor[float64](steps*batch, 3)
	for k := range x.Data {
		x.Data[k] = rng.Float64()
	}
	lif, err := rnn.NewModelConfig("lif")
	require.NoError(t, err)
	cfg := rnn.Config{Inputs: 3, Hidden: 8, Outputs: 2, Model: lif, Encoding: rnn.EncodePoisson, EncodingSeed: 9, DtMS: 10}
	run := func(c rnn.Config) []float64 {
		net, err := rnn.New[float64](c, rand.New(rand.NewPCG(1, 1)))
		require.NoError(t, err)
		tp := autodiff.NewTape[float64]()
		return append([]float64(nil), net.Forward(tp, x, steps, batch, model.Options[float64]{}).Out.Value.Data...)
	}
	lin := run(cfg)
	require.Equal(t, lin, run(cfg), "two passes without noise rng")
	other := cfg
	other.EncodingSeed = 10
	require.NotEqual(t, lin, run(other), "another encoding seed")

	leaky := cfg
	leaky.Readout, leaky.ReadoutTauMS = rnn.ReadoutLeaky, 50
	out, beta := run(leaky), math.Exp(-10.0/50)
	w := batch * 2
	for k := range out {
		want := lin[k]
		if k >= w {
			want += beta * out[k-w]
		}
		require.InDelta(t, want, out[k], 1e-12, "leaky readout output %d", k)
	}

	rate := rnn.Config{Inputs: 3, Hidden: 5, Outputs: 2, Readout: rnn.ReadoutLeaky, Encoding: rnn.EncodeDelta, EncodingThreshold: 0.3}
	net, err := rnn.New[float64](rate, rand.New(rand.NewPCG(2, 2)))
	require.NoError(t, err)
	gradcheck.Check(t, gradcheck.Case{
		Name:   "leaky readout, delta inputs",
		Params: net.Params(),
		Loss: func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			o := net.Forward(tp, x, steps, batch, model.Options[float64]{}).Out
			return autodiff.Sum(autodiff.Mul(o, o))
		},
	})
}

// TestWindowsCarryEncodingAndReadout runs a network with delta inputs, a
// leaky readout or both in two windows, the second from the first's Final
// (truncated BPTT, a connection lesion's parts), and checks that the
// outputs and the recorded states are those of one pass: the delta
// encoder's previous input and the readout's membrane are state too.
func TestWindowsCarryEncodingAndReadout(t *testing.T) {
	t.Parallel()
	const steps, batch, split = 9, 2, 4
	rng := rand.New(rand.NewPCG(5, 5))
	x := autodiff.NewTensor[float64](steps*batch, 3)
	for k := range x.Data {
		x.Data[k] = 1 + 0.3*rng.NormFloat64() // far from 0, so a restarted delta encoder spikes
	}
	for _, c := range []struct {
		name string
		enc  rnn.Encoding
		ro   rnn.Readout
		vars []string
	}{
		{"delta", rnn.EncodeDelta, rnn.ReadoutLinear, []string{"v", "z", "input"}},
		{"leaky readout", rnn.EncodeNone, rnn.ReadoutLeaky, []string{"v", "z", "readout"}},
		{"both", rnn.EncodeDelta, rnn.ReadoutLeaky, []string{"v", "z", "readout", "input"}},
	} {
		lif, err := rnn.NewModelConfig("lif")
		require.NoError(t, err)
		cfg := rnn.Config{Inputs: 3, Hidden: 6, Outputs: 2, DtMS: 10, Model: lif, Encoding: c.enc, Readout: c.ro, ReadoutTauMS: 100}
		net, err := rnn.New[float64](cfg, rand.New(rand.NewPCG(3, 3)))
		require.NoError(t, err)
		var names []string
		for _, v := range net.StateVars() {
			names = append(names, v.Name)
		}
		require.Equal(t, c.vars, names, "%s: state variables", c.name)
		tp := autodiff.NewTape[float64]()
		full := net.Forward(tp, x, steps, batch, model.Options[float64]{Record: true})
		require.Len(t, full.Final, len(names), "%s: Final", c.name)
		want := full.Out.Value.Clone().Data
		var wantStates [][]float64
		for _, s := range full.States {
			wantStates = append(wantStates, s.Clone().Data)
		}

		tp2 := autodiff.NewTape[float64]()
		first := net.Forward(tp2, x.RowSlice(0, split*batch), split, batch, model.Options[float64]{Record: true})
		got := first.Out.Value.Clone().Data
		gotStates := make([][]float64, len(first.States))
		for i, s := range first.States {
			gotStates[i] = s.Clone().Data
		}
		var init []autodiff.Tensor[float64]
		for _, f := range first.Final {
			init = append(init, f.Clone())
		}
		tp2.Reset()
		second := net.Forward(tp2, x.RowSlice(split*batch, steps*batch), steps-split, batch, model.Options[float64]{Init: init, Record: true})
		got = append(got, second.Out.Value.Data...)
		for i, s := range second.States {
			gotStates[i] = append(gotStates[i], s.Data...)
		}
		require.InDeltaSlice(t, want, got, 1e-12, "%s: outputs of two windows", c.name)
		for i := range wantStates {
			require.InDeltaSlice(t, wantStates[i], gotStates[i], 1e-12, "%s: state %s of two windows", c.name, names[i])
		}
	}
}
