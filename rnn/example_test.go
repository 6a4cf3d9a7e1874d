package rnn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// Build a small leaky network with Dale's law, run a batch of sequences,
// and take the gradient of a loss with respect to every parameter.
func Example() {
	cfg := rnn.Config{Inputs: 2, Hidden: 8, Outputs: 1, Model: &rnn.LeakyConfig{Activation: layers.ReLU, Dale: 0.75}}
	net, err := rnn.New[float64](cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	const steps, batch = 10, 2
	x := autodiff.NewTensor[float64](steps*batch, cfg.Inputs) // time-major [steps·batch, inputs]
	for t := 0; t < steps; t++ {
		for b := 0; b < batch; b++ {
			x.Set(t*batch+b, 0, 1)          // a constant drive on input 0
			x.Set(t*batch+b, 1, float64(b)) // input 1 on for sequence 1 only
		}
	}
	tp := autodiff.NewTape[float64]()
	res := net.Forward(tp, x, steps, batch, model.Options[float64]{})
	loss := autodiff.Sum(autodiff.Mul(res.Out, res.Out)) // Σ y²
	tp.Backward(loss)

	fmt.Println("outputs:", res.Out.Value.Shape(), "rates:", res.Rates.Value.Shape(), "final:", res.Final[0].Shape())
	for _, p := range net.Params() {
		fmt.Printf("%-15s %v trained=%v\n", p.Name, p.Value.Shape(), !p.Frozen)
	}
	fmt.Printf("loss %.6f\n", loss.Value.Data[0])
	var g2 float64
	for _, v := range net.RecurrentWeights()[0].Grad.Data {
		g2 += v * v
	}
	fmt.Printf("|dloss/dW_rec|² %.6f\n", g2)
	// Output:
	// outputs: [20 1] rates: [20 8] final: [2 8]
	// leaky.weight_ih [8 2] trained=true
	// leaky.weight_hh [8 8] trained=true
	// leaky.bias      [1 8] trained=true
	// h0              [1 8] trained=false
	// readout.weight  [1 8] trained=true
	// readout.bias    [1 1] trained=true
	// loss 20.773166
	// |dloss/dW_rec|² 2334.600966
}
