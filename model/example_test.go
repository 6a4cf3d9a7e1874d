package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// Example runs a network through the Network interface over a sequence of
// 8 steps, once whole and once as two windows of 4 steps, passing the
// first window's final state as the second's initial state (truncated
// BPTT). The forward values agree.
func Example() {
	const steps, batch, window = 8, 2, 4
	built, err := rnn.New[float64](rnn.Config{Inputs: 1, Hidden: 5, Outputs: 1}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	var net model.Network[float64] = built

	x := autodiff.NewTensor[float64](steps*batch, 1) // time-major [steps·batch, 1]
	for t := range steps {
		for b := range batch {
			x.Set(t*batch+b, 0, math.Sin(float64(t+b)))
		}
	}
	for _, v := range net.StateVars() {
		fmt.Println("state", v.Name, "size", v.Size)
	}

	tp := autodiff.NewTape[float64]()
	whole := net.Forward(tp, x, steps, batch, model.Options[float64]{})
	last := whole.Out.Value.RowSlice((steps-1)*batch, steps*batch)
	fmt.Printf("whole:   out %v, last step %.4f\n", whole.Out.Value.Shape(), last.Data)

	var init []autodiff.Tensor[float64]
	var out autodiff.Tensor[float64]
	for w := 0; w < steps; w += window {
		tp.Reset()
		xw := x.RowSlice(w*batch, (w+window)*batch)
		res := net.Forward(tp, xw, window, batch, model.Options[float64]{Init: init})
		init = init[:0]
		for _, f := range res.Final { // copy before the next Reset recycles it
			c := autodiff.NewTensor[float64](f.Rows, f.Cols)
			c.CopyFrom(f)
			init = append(init, c)
		}
		out = res.Out.Value.RowSlice((window-1)*batch, window*batch)
	}
	fmt.Printf("windows: final %v, last step %.4f\n", init[0].Shape(), out.Data)
	// Output:
	// state x size 5
	// whole:   out [16 1], last step [-0.0423 -0.0220]
	// windows: final [2 5], last step [-0.0423 -0.0220]
}
