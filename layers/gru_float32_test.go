package layers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/layers/layertest"
)

func TestFloat32MatchesFloat64(t *testing.T) {
	const steps, batch, inputs, n = 6, 3, 2, 8
	g64 := newGRU[float64](t, "gru", inputs, n, rand.New(rand.NewPCG(1, 1)))
	g32 := newGRU[float32](t, "gru", inputs, n, rand.New(rand.NewPCG(1, 1)))
	for _, p := range g64.Params() {
		for k := range p.Value.Data {
			p.Value.Data[k] *= 4 // reach the saturated parts of σ and tanh
		}
	}
	layertest.CopyParams(g32.Params(), g64.Params())
	layertest.ComparePrecisions(t, "GRU", layertest.PrecisionRun[float32]{Params: g32.Params(), Seq: g32.Run}, layertest.PrecisionRun[float64]{Params: g64.Params(), Seq: g64.Run}, steps, batch, inputs, n)

}
