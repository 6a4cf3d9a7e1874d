package kernels_test

import (
	"fmt"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// A recurrent step h·Wᵀ for a batch of two hidden states of three units:
// W is stored row-major N×N, so the product uses the NT layout.
func ExampleGemm() {
	h := []float32{
		1, 0, 2,
		0, 1, -1,
	}
	w := []float32{
		1, 2, 3,
		0, 1, 0,
		-1, 0, 1,
	}
	out := make([]float32, 2*3)
	kernels.Gemm(false, true, 2, 3, 3, 1, h, 3, w, 3, 0, out, 3)
	fmt.Println(out[:3])
	fmt.Println(out[3:])
	// Output:
	// [7 0 1]
	// [-1 1 -1]
}

func ExampleTanhTo() {
	x := []float32{-2, -0.5, 0, 0.5, 2}
	kernels.TanhTo(x, x)
	for _, v := range x {
		fmt.Printf("%.5f ", v)
	}
	fmt.Println()
	// Output:
	// -0.96403 -0.46212 0.00000 0.46212 0.96403
}
