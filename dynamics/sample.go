package dynamics

import (
	"fmt"
	"math/rand/v2"
)

// Sample returns k initial states [k·N] drawn with replacement from the
// rows of traj ([rows·N], states visited on recorded trials, e.g. the
// primary state of analysis.Record's States[0]), each plus independent
// Gaussian noise of standard deviation noise, as FixedPointFinder's
// sample_states does. Every draw comes from rng. It panics if traj is not a
// positive multiple of n, k < 1 or noise < 0.
func Sample(traj []float64, n, k int, noise float64, rng *rand.Rand) []float64 {
	if n < 1 || len(traj) == 0 || len(traj)%n != 0 || k < 1 || !(noise >= 0) {
		panic(fmt.Sprintf("dynamics: Sample: %d values, N = %d, k = %d, noise %g", len(traj), n, k, noise))
	}
	rows := len(traj) / n
	out := make([]float64, k*n)
	for i := range k {
		r := rng.IntN(rows)
		copy(out[i*n:(i+1)*n], traj[r*n:(r+1)*n])
	}
	if noise > 0 {
		for i := range out {
			out[i] += noise * rng.NormFloat64()
		}
	}
	return out
}
