package rnn

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
)

// BenchmarkLeakyStep times Forward + Backward of a leaky tanh network at the
// anchor's smallest size (N=64, B=32, T=100), float32.
func BenchmarkLeakyStep(b *testing.B) {
	const n, batch, steps = 64, 32, 100
	cfg := Config{Inputs: 4, Hidden: n, Outputs: 2, Model: &LeakyConfig{Activation: layers.Tanh, Integration: layers.IntegrateRate}}
	net, err := New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	x := autodiff.NewTensor[float32](steps*batch, 4)
	tp := autodiff.NewTape[float32]()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		r := net.Forward(tp, x, steps, batch, model.Options[float32]{})
		tp.Backward(autodiff.Sum(r.Out))
	}
}
