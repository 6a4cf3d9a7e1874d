package lowrank_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/internal/seqbench"
	"github.com/rnntrain/rnntrain/lowrank"
)

// BenchmarkLowRankStep times the bench's low-rank model (R=2, α=0.2, tanh,
// linear readout of the state) at the five reference sizes.
func BenchmarkLowRankStep(b *testing.B) {
	for _, s := range seqbench.Sizes() {
		n, batch, steps := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("N%d_B%d_T%d", n, batch, steps), func(b *testing.B) {
			cfg := lowrank.LayerConfig{Inputs: 4, Hidden: n, Rank: 2, Alpha: 0.2, Rates: lowrank.RatesState}
			l, err := lowrank.NewLayer[float32]("lowrank", cfg, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				b.Fatal(err)
			}
			l.SetTrained(lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI)
			seqbench.Step(b, l, l.InitialState, n, batch, steps)
		})
	}
}
