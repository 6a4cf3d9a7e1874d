package rnn

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

func benchKind(b *testing.B, cfg Config, batch, steps int) {
	net, err := New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	x := autodiff.NewTensor[float32](steps*batch, 4)
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3
	}
	tp := autodiff.NewTape[float32]()
	for b.Loop() {
		tp.Reset()
		r := net.Forward(tp, x, steps, batch, Options[float32]{})
		tp.Backward(autodiff.Sum(r.Out))
	}
}
func BenchmarkP64(b *testing.B) {
	benchKind(b, Config{Kind: Leaky, Inputs: 4, Hidden: 64, Outputs: 2, Integration: layers.IntegrateRate}, 32, 100)
}
func BenchmarkP256(b *testing.B) {
	benchKind(b, Config{Kind: Leaky, Inputs: 4, Hidden: 256, Outputs: 2, Integration: layers.IntegrateRate}, 64, 100)
}
