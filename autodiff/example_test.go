package autodiff_test

import (
	"fmt"

	ad "github.com/rnntrain/rnntrain/autodiff"
)

// Example records one forward pass of a tiny linear model, y = x·W + b,
// scores it with a masked mean squared error, and takes the gradient with
// respect to the parameters.
func Example() {
	w := &ad.Param[float64]{Name: "w", Value: ad.FromSlice(2, 1, []float64{0.5, -1}), Grad: ad.NewTensor[float64](2, 1)}
	b := ad.NewParam[float64]("b", 1, 1)
	x := ad.FromSlice(3, 2, []float64{1, 0, 0, 1, 1, 1})
	target := ad.FromSlice(3, 1, []float64{1, 0, 0})
	mask := ad.FromSlice(3, 1, []float64{1, 1, 0}) // the third row is not scored

	tp := ad.NewTape[float64]()
	y := ad.Add(ad.MatMul(tp.Const(x), false, tp.Param(w), false), tp.Param(b)) // [3 1]: 0.5, −1, −0.5
	loss := ad.MaskedMSE(y, target, mask)                                       // ((0.5−1)² + (−1−0)²) / 2
	tp.Backward(loss)

	fmt.Printf("loss %.3f\n", loss.Value.Data[0])
	fmt.Println("dL/dw", w.Grad.Data) // 2·Σ_i m_i·(y_i−t_i)·x_i / Σ_i m_i
	fmt.Println("dL/db", b.Grad.Data)
	// Output:
	// loss 0.625
	// dL/dw [-0.5 -1]
	// dL/db [-1.5]
}
