package layers_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/train"
)

// trainStep returns one training step of `rnntrain bench` (MSE against a
// fixed target at every step, full backward, Adam) for a float32 network of
// the given model and size.
func trainStep(tb testing.TB, m layers.ModelConfig, n, batch, steps int) func() {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	cfg := rnn.Config{Inputs: 4, Hidden: n, Outputs: 2, Model: m}
	net, err := rnn.New[float32](cfg, rng)
	if err != nil {
		tb.Fatal(err)
	}
	rows := steps * batch
	x := autodiff.NewTensor[float32](rows, 4)
	negY := autodiff.NewTensor[float32](rows, 2)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range negY.Data {
		negY.Data[i] = -float32(rng.NormFloat64())
	}
	scale := autodiff.FromSlice(1, 1, []float32{1 / float32(rows*2)})
	params := net.Params()
	var opt train.Adam
	tp := autodiff.NewTape[float32]()
	return func() {
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Reset()
		out := net.Forward(tp, x, steps, batch, model.Options[float32]{}).Out
		d := autodiff.Add(out, tp.Const(negY))
		loss := autodiff.Mul(autodiff.Sum(autodiff.Mul(d, d)), tp.Const(scale))
		tp.Backward(loss)
		opt.Step(params, 1e-3)
	}
}

// TestTrainStepNoAllocs checks that a warmed-up training step of a vanilla
// and a leaky network allocates nothing with two cores, at sizes that take
// every path of the fused op: unsplit (batch 4), split with packed per-half
// GEMMs (N = 64) and split with per-step GEMMs large enough to be divided
// between the cores (N = 256).
func TestTrainStepNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, kind := range []string{"rnn", "leaky"} {
		for _, s := range []struct{ n, batch, steps int }{{16, 4, 5}, {64, 32, 5}, {256, 64, 3}, {1024, 32, 2}} {
			step := trainStep(t, benchModel(t, kind), s.n, s.batch, s.steps)
			for range 3 {
				step()
			}
			// No buffer now and then, with two cores: the only allocations
			// the runtime may make are parking records of 112 bytes when
			// goroutines hand work to each other, far below one GEMM
			// workspace (≥ 100 KB). (AllocsPerRun below runs on one core.)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 20 {
				step()
			}
			runtime.ReadMemStats(&after)
			if b := after.TotalAlloc - before.TotalAlloc; b > 16<<10 {
				t.Errorf("%v N=%d B=%d: %d bytes allocated over 20 warmed-up steps, want none", kind, s.n, s.batch, b)
			}
			if a := testing.AllocsPerRun(20, step); a != 0 {
				t.Errorf("%v N=%d B=%d: %v allocations per warmed-up step, want 0", kind, s.n, s.batch, a)
			}
		}
	}
}

// benchModel returns the configuration `rnntrain bench` times for the model
// named name (the vanilla RNN; the leaky rate-integrating tanh network with
// α = 0.2), from the model table.
func benchModel(tb testing.TB, name string) layers.ModelConfig {
	tb.Helper()
	m, err := rnn.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	return m.Bench()
}

// BenchmarkTrainStep times the training step of `rnntrain bench` for a leaky
// network at N = 256, B = 64, T = 100.
func BenchmarkTrainStep(b *testing.B) {
	step := trainStep(b, benchModel(b, "leaky"), 256, 64, 100)
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
