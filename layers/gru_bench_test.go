package layers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/seqbench"
)

// BenchmarkGRUStep times the bench's GRU model (linear readout of h) at the
// five reference sizes.
func BenchmarkGRUStep(b *testing.B) {
	for _, s := range seqbench.Sizes() {
		n, batch, steps := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("N%d_B%d_T%d", n, batch, steps), func(b *testing.B) {
			g := newGRU[float32](b, "gru", 4, n, rand.New(rand.NewPCG(1, 1)))
			h0 := autodiff.NewTensor[float32](1, n)
			seqbench.Step(b, g, func(tp *autodiff.Tape[float32]) *autodiff.Var[float32] { return tp.Const(h0) }, n, batch, steps)
		})
	}
}
