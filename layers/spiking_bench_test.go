package layers

import (
	"fmt"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// BenchmarkSpikeInput times the recurrent input s·W_effᵀ of one step for
// 16 sequences (half of the reference batch of 32) at several activities:
// the dense packed GEMM against adding the rows of W_effᵀ of the units
// that spiked. sparseFraction is where the two cross.
func BenchmarkSpikeInput(b *testing.B) {
	const rows = 16
	for _, n := range []int{64, 256, 512, 1024} {
		for _, act := range []float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.5} {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			w := autodiff.NewTensor[float32](n, n)
			for k := range w.Data {
				w.Data[k] = float32(rng.NormFloat64())
			}
			s := make([]float32, rows*n)
			for k := range s {
				if rng.Float64() < act {
					s[k] = 1
				}
			}
			p := make([]float32, rows*n)
			tp := autodiff.NewTape[float32]()
			var si spikeInput[float32]
			si.prepare(tp, w, rows)
			si.packDense()
			b.Run(fmt.Sprintf("N=%d/act=%g/dense", n, act), func(b *testing.B) {
				for b.Loop() {
					kernels.GemmPackedOn(nil, false, rows, 1, s, n, &si.pb, 1, p, n)
				}
			})
			b.Run(fmt.Sprintf("N=%d/act=%g/sparse", n, act), func(b *testing.B) {
				for b.Loop() {
					si.sparseMax = rows * n
					si.add(nil, 0, p, s, rows, 0)
				}
			})
		}
	}
}

// benchLIFConfig is the PyTorch anchor's lif_loop (torch_rnn_bench.py):
// β = 0.9, threshold 1, reset by subtraction with the spike detached,
// fast-sigmoid surrogate of slope 25, U ~ N(0, 4/I), W ~ N(0, 0.25/N).
func benchLIFConfig(in, n int) LIFConfig {
	return LIFConfig{Inputs: in, Units: n, DtMS: 1, TauMemMS: -1 / math.Log(0.9), Threshold: 1,
		SpikeOptions: SpikeOptions{Surrogate: Surrogate{surrogate.FastSigmoid{Slope: 25}}, Radius: 0.5, InputGain: 2}}
}

// BenchmarkLIFStep times the anchor's training step without the optimizer:
// the LIF layer, a readout N→2 at every step, squared error and the full
// backward pass, at the five reference sizes. BenchmarkALIFStep is the same
// with an adaptive threshold (β_a = 0.5, τ_adapt = 200 steps).
func BenchmarkLIFStep(b *testing.B) { benchSpikingStep(b, 0) }

func BenchmarkALIFStep(b *testing.B) { benchSpikingStep(b, 0.5) }

// BenchmarkLIFStepLength is BenchmarkLIFStep at N = 512 and 1024 with
// sequences of 25 to 200 steps, reporting the time per step of the
// sequence (µs/t): a time that grew with T would show the step bound by
// memory (the states of all steps outgrow the caches), a flat one by the
// work of a step.
func BenchmarkLIFStepLength(b *testing.B) {
	var sizes [][3]int
	for _, nb := range [][2]int{{512, 64}, {1024, 32}} {
		for _, steps := range []int{25, 50, 100, 200} {
			sizes = append(sizes, [3]int{nb[0], nb[1], steps})
		}
	}
	benchSpikingSizes(b, 0, sizes, true)
}

func benchSpikingStep(b *testing.B, adapt float64) {
	benchSpikingSizes(b, adapt, [][3]int{{64, 32, 100}, {128, 32, 200}, {256, 64, 100}, {512, 64, 200}, {1024, 32, 100}}, false)
}

// benchSpikingSizes times the step of BenchmarkLIFStep (BenchmarkALIFStep
// with adapt > 0) at each size {N, B, T}, also per step of the sequence
// when perStep.
func benchSpikingSizes(b *testing.B, adapt float64, sizes [][3]int, perStep bool) {
	for _, s := range sizes {
		n, batch, steps := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("N=%d/B=%d/T=%d", n, batch, steps), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			cfg := benchLIFConfig(4, n)
			if adapt > 0 {
				cfg.AdaptStrength, cfg.TauAdaptMS = adapt, 200
			}
			l, err := NewLIF[float32](cfg, rng)
			if err != nil {
				b.Fatal(err)
			}
			readout := NewLinear[float32]("readout", n, 2, true, Constraint{}, rng)
			x := autodiff.NewTensor[float32](steps*batch, 4)
			negY := autodiff.NewTensor[float32](steps*batch, 2)
			for i := range x.Data {
				x.Data[i] = float32(rng.NormFloat64())
			}
			for i := range negY.Data {
				negY.Data[i] = -float32(rng.NormFloat64())
			}
			params := append(l.Params(), readout.Params()...)
			tp := autodiff.NewTape[float32]()
			var rates []float32
			step := func() {
				for _, p := range params {
					p.ZeroGrad()
				}
				tp.Reset()
				res := l.Sequence(tp, tp.Const(x), nil, steps, batch, SeqOptions{})
				rates = res.Rates.Value.Data
				d := autodiff.Add(readout.Forward(tp, res.Rates), tp.Const(negY))
				tp.Backward(autodiff.Sum(autodiff.Mul(d, d)))
			}
			step()
			b.ReportAllocs()
			for b.Loop() {
				step()
			}
			// Counted once after the timing: a pass over every rate is not
			// part of the step that rnntrain bench and the anchor time.
			if perStep {
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(steps), "us/t")
			}
			b.ReportMetric(float64(spikeCount(rates))/float64(len(rates)), "activity")
		})
	}
}

// BenchmarkLIFDenseFloor times, at the reference sizes of BenchmarkLIFStep,
// the one product of the LIF's training step that spikes cannot make
// sparse: the backward dL/ds_{t−1} = dL/dp_t·W_eff, a dense [B/2×N]·[N×N]
// GEMM per step on each of the two batch halves at once, T steps (with W_eff
// packed once, as the op does). A LIF step cannot take less; set beside
// PyTorch's best it bounds the ratio vs-torch can show.
func BenchmarkLIFDenseFloor(b *testing.B) {
	for _, s := range [][3]int{{64, 32, 100}, {128, 32, 200}, {256, 64, 100}, {512, 64, 200}, {1024, 32, 100}} {
		n, batch, steps := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("N=%d/B=%d/T=%d", n, batch, steps), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			w := make([]float32, n*n)
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			f := &denseFloor{n: n, half: batch / 2, steps: steps}
			kernels.PackB(&f.pb, false, n, n, w, n)
			for p := range f.dp {
				f.dp[p], f.gs[p] = make([]float32, f.half*n), make([]float32, f.half*n)
				for i := range f.dp[p] {
					f.dp[p][i] = float32(rng.NormFloat64())
				}
			}
			for b.Loop() {
				RunSplit(2, f)
			}
			b.ReportMetric(2*float64(batch)*float64(n*n)*float64(steps)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// denseFloor runs BenchmarkLIFDenseFloor's products of one batch half.
type denseFloor struct {
	n, half, steps int
	pb             kernels.PackedB[float32]
	dp, gs         [2][]float32
}

func (f *denseFloor) RunPart(p int) {
	for range f.steps {
		kernels.GemmPackedOn(nil, false, f.half, 1, f.dp[p], f.n, &f.pb, 1, f.gs[p], f.n)
	}
}

func BenchmarkSpikePrepare(b *testing.B) {
	for _, n := range []int{256, 512, 1024} {
		w := autodiff.NewTensor[float32](n, n)
		tp := autodiff.NewTape[float32]()
		var si spikeInput[float32]
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				tp.Reset()
				si.prepare(tp, w, 32)
			}
		})
	}
}
