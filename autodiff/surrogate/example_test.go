package surrogate_test

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// Example evaluates the pseudo-derivative of each surrogate, at its default
// parameters, at threshold (x = 0) and half a unit below it.
func Example() {
	for _, s := range []surrogate.Surrogate{
		surrogate.FastSigmoid{},
		surrogate.ArcTan{},
		surrogate.Sigmoid{},
		surrogate.Triangle{},
	} {
		fmt.Printf("%-27s %.4f %.4f\n", s, s.Deriv(0), s.Deriv(-0.5))
	}
	// Output:
	// FastSigmoid(k=25)           1.0000 0.0055
	// ArcTan(alpha=2)             1.0000 0.2884
	// Sigmoid(alpha=4)            1.0000 0.4200
	// Triangle(gamma=0.7, eps=1)  0.7000 0.3500
}

// ExampleParse reads a surrogate from config text, here with snnTorch's
// name for FastSigmoid and Norse's slope, and writes it back.
func ExampleParse() {
	s, err := surrogate.Parse("fast_sigmoid(k=100)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)

	_, err = surrogate.Parse("ArcTan(beta=2)")
	fmt.Println(err)
	// Output:
	// FastSigmoid(k=100)
	// surrogate "ArcTan(beta=2)": unknown parameter "beta" for ArcTan (want alpha)
}

// ExampleGradTo runs the reverse rule of a spike over a buffer: the upstream
// gradient g is scaled by the surrogate's derivative at each distance to
// threshold x and added to dst.
func ExampleGradTo() {
	x := []float32{-2, -0.5, 0, 0.5}
	g := []float32{1, 1, 1, 2}
	dst := make([]float32, len(x))
	surrogate.GradTo(surrogate.Triangle{}, dst, g, x)
	fmt.Println(dst)
	// Output:
	// [0 0.35 0.7 0.7]
}
