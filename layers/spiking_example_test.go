package layers_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/layers"
)

// ExampleLIF builds an adaptive LIF layer (ALIF: AdaptStrength > 0), runs
// it over a batch of sequences, takes the gradient of a loss on its spikes
// through the surrogate and reads its firing rate.
func ExampleLIF() {
	rng := rand.New(rand.NewPCG(1, 1))
	cfg := layers.LIFConfig{
		Inputs: 2, Units: 16,
		DtMS: 1, TauMemMS: 20, TauAdaptMS: 200, AdaptStrength: 0.5,
		Threshold: 1,
		Reset:     layers.ResetSubtract,
	}
	cfg.Surrogate = layers.Surrogate{S: surrogate.FastSigmoid{Slope: 25}}
	l, err := layers.NewLIF[float64](cfg, rng)
	if err != nil {
		panic(err)
	}
	const steps, batch = 50, 3
	x := autodiff.NewTensor[float64](steps*batch, cfg.Inputs)
	for i := range x.Data {
		x.Data[i] = 1 + rng.NormFloat64()
	}
	tp := autodiff.NewTape[float64]()
	s := l.Sequence(tp, tp.Const(x), nil, steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Mean(s.Rates))
	for i, v := range l.StateVars() {
		fmt.Println(v.Name, s.Final[i].Shape())
	}
	fmt.Println("spikes", s.Rates.Value.Shape())
	tally, _ := l.Tally(s.Rates, nil)
	fig := tally.Map()
	fmt.Printf("rate %.1f Hz, silent units %.0f\n", fig["rate_hz"], fig["silent_units"])
	fmt.Println("W_in gradient nonzero:", l.InputWeights().Grad.Data[0] != 0)
	// Output:
	// v [3 16]
	// a [3 16]
	// z [3 16]
	// spikes [150 16]
	// rate 351.7 Hz, silent units 0
	// W_in gradient nonzero: true
}

// ExampleLTC builds a layer of liquid-time-constant spiking neurons, runs
// it over a batch of sequences and takes the gradient of a loss on its
// spikes, which reaches the gates that set each step's time constants.
func ExampleLTC() {
	rng := rand.New(rand.NewPCG(1, 1))
	l, err := layers.NewLTC[float64](layers.LTCConfig{Inputs: 2, Units: 8, AdaptStrength: 1.8, DtMS: 1}, rng)
	if err != nil {
		panic(err)
	}
	const steps, batch = 30, 2
	x := autodiff.NewTensor[float64](steps*batch, 2)
	for i := range x.Data {
		x.Data[i] = 1 + rng.NormFloat64()
	}
	tp := autodiff.NewTape[float64]()
	s := l.Sequence(tp, tp.Const(x), nil, steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Mean(s.Rates))
	for _, p := range l.Params() {
		nonzero := false
		for _, g := range p.Grad.Data {
			nonzero = nonzero || g != 0
		}
		fmt.Println(p.Name, p.Value.Shape(), "gradient nonzero:", nonzero)
	}
	tally, _ := l.Tally(s.Rates, nil)
	fmt.Printf("rate %.1f Hz\n", tally.Map()["rate_hz"])
	// Output:
	// ltc.weight_ih [8 2] gradient nonzero: true
	// ltc.weight_hh [8 8] gradient nonzero: true
	// ltc.bias [1 8] gradient nonzero: true
	// ltc.gate_d.weight [16 8] gradient nonzero: true
	// ltc.gate_u.weight [8 8] gradient nonzero: true
	// ltc.gate_b.weight [8 8] gradient nonzero: true
	// ltc.gate.bias [1 16] gradient nonzero: true
	// rate 179.2 Hz
}
