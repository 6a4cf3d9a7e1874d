package gradcheck_test

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

// ExampleRun checks the gradient of L = Σ tanh(x·w) against central finite
// differences: a correct reverse rule gives no mismatches.
func ExampleRun() {
	x := autodiff.NewParam[float64]("x", 2, 3)
	w := autodiff.NewParam[float64]("w", 3, 1)
	copy(x.Value.Data, []float64{0.1, -0.4, 0.3, 0.7, 0.2, -0.5})
	copy(w.Value.Data, []float64{0.6, -0.2, 0.9})

	c := gradcheck.Case{
		Name:   "tanh(x·w)",
		Params: []*autodiff.Param[float64]{x, w},
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			return autodiff.Sum(autodiff.Tanh(autodiff.MatMul(v[0], false, v[1], false)))
		},
		// Tol left zero: DefaultTolerance.
	}
	bad, err := gradcheck.Run(c)
	fmt.Println("mismatches:", len(bad), "err:", err)
	fmt.Printf("dL/dw[0] = %.4f\n", w.Grad.Data[0]) // Run leaves the reverse-mode gradient in Grad
	// Output:
	// mismatches: 0 err: <nil>
	// dL/dw[0] = 0.7815
}

// ExampleRunFused compares a "fused" computation, here Σ x², with its
// unfused reference Σ x⊙x: values and gradients agree.
func ExampleRunFused() {
	x := autodiff.NewParam[float64]("x", 1, 3)
	copy(x.Value.Data, []float64{1, -2, 0.5})

	c := gradcheck.Case{
		Name:   "square",
		Params: []*autodiff.Param[float64]{x},
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			return autodiff.Sum(autodiff.Square(v[0]))
		},
	}
	reference := func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Mul(v[0], v[0]))
	}
	fmt.Println("mismatches:", len(gradcheck.RunFused(c, reference)))
	fmt.Println("dL/dx:", x.Grad.Data)
	// Output:
	// mismatches: 0
	// dL/dx: [2 -4 1]
}
