package dynamics_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/dynamics"
	"github.com/rnntrain/rnntrain/layers"
)

// A single bistable unit, x' = x/2 + tanh(x) (a leaky tanh unit with
// α = 1/2 and a self-connection of 2): Find reaches its two stable points
// ±1.915 and the unstable point 0 between them.
func ExampleFind() {
	rng := rand.New(rand.NewPCG(1, 1))
	l, err := layers.NewLeaky[float64](layers.LeakyConfig{Inputs: 1, Units: 1, Alpha: 0.5}, rng)
	if err != nil {
		panic(err)
	}
	l.RecurrentWeights().Value.Data[0] = 2
	l.InputWeights().Value.Data[0] = 0
	init := []float64{-3, -1, -0.1, 0.2, 1, 2.5}
	res, err := dynamics.Find(l, init, []float64{0}, dynamics.Options{})
	if err != nil {
		panic(err)
	}
	for _, p := range res.Points {
		x := math.Round(p.State[0]*1000)/1000 + 0 // + 0 turns −0 into +0
		fmt.Printf("x* = %+.3f  λ = %.3f  %v\n", x, real(p.Eigenvalues[0]), p.Class)
	}
	// Unordered output:
	// x* = -1.915  λ = 0.583  stable
	// x* = +1.915  λ = 0.583  stable
	// x* = +0.000  λ = 1.500  unstable
}
