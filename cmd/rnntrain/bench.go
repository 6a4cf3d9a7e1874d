package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/train"
)

// Benchmark constants of the PyTorch anchor, torch_rnn_bench.py (see
// bench/vs_torch.sh).
const (
	benchInputs  = 4
	benchOutputs = 2
	benchLR      = 1e-3
)

// benchSize is one (N, B, T) configuration.
type benchSize struct{ hidden, batch, seqlen int }

// referenceSizes returns the five sizes of the PyTorch anchor.
func referenceSizes() []benchSize {
	return []benchSize{{64, 32, 100}, {128, 32, 200}, {256, 64, 100}, {512, 64, 200}, {1024, 32, 100}}
}

// benchResult is one configuration's timing, also the -json line.
type benchResult struct {
	Model         string  `json:"model"`
	Hidden        int     `json:"hidden"`
	Batch         int     `json:"batch"`
	Seqlen        int     `json:"seqlen"`
	MsMedian      float64 `json:"ms_median"`
	MsMin         float64 `json:"ms_min"`
	MsMax         float64 `json:"ms_max"`
	AllocsPerStep float64 `json:"allocs_per_step"`
	// BytesPerStep is the heap bytes allocated per step. The runtime's
	// parking records (112 bytes, allocated now and then when goroutines
	// hand work to each other) tell apart from buffers by their size.
	BytesPerStep float64 `json:"bytes_per_step"`
	Reps         int     `json:"reps"`
	Gomaxprocs   int     `json:"gomaxprocs"`
	// Activity is the fraction of active unit-steps reached with -activity
	// (event-based models), on the benchmark's input; nil without.
	Activity *float64 `json:"activity,omitempty"`
}

func benchCommand() *command {
	return &command{
		Name:  "bench",
		Short: "time one training step against the PyTorch anchor",
		Usage: "[-model rnn,leaky,gru,lowrank] [-hidden N -batch B -seqlen T] [-activity a] [-reps n] [-warmup n] [-json]",
		Long: `Bench times one training step exactly as the PyTorch anchor defines it:
input T×B×4 (float32, standard normal), h0 = 0, the recurrent layer over T
steps, a linear readout N→2 at every step, the MSE (mean over all T·B·2
elements) against a fixed random target, the full backward pass, and an Adam
step (lr 1e-3). It times rnntrain only and needs nothing else.

The anchor is the script torch_rnn_bench.py, which times the same step in
PyTorch and is not part of this repository. bench/vs_torch.sh runs it and
this command back to back, size by size, and prints both times and their
ratio; it needs python3 with torch and takes the script's path from the
environment variable TORCH_BENCH (default: shared/bench/torch_rnn_bench.py
in the directory that holds the repository's checkout). docs/performance.md
has the numbers of such runs.

Models: rnn (torch.nn.RNN, tanh), leaky (r ← (1−α) r + α tanh(W r + U u + b),
α = 0.2), gru (torch.nn.GRU), lowrank (h ← h + α(−h + (tanh(h)·n)·mᵀ/N + U u),
R = 2, α = 0.2, readout of h), lif (the anchor's lif_loop:
v ← 0.9 v + U u + W s, s = H(v − 1), v ← v − s with the spike detached,
fast-sigmoid surrogate of slope 25). Every other model of the table (alif,
ltc, …) runs with its default configuration.

Without -hidden, -batch or -seqlen it runs the five reference sizes
(N,B,T) = (64,32,100), (128,32,200), (256,64,100), (512,64,200), (1024,32,100).
Each configuration runs -warmup untimed steps, collects the garbage of the
setup, refills the Go runtime's caches of goroutine wait records that the
collection emptied (a training run does so by itself within a few hundred
steps), runs more untimed steps (about 0.5 s, at least 2, at most 40) so that
the allocations are counted in the steady state, then at least -reps timed
steps, more until about 2 s of timing (at most 40). It prints the median, min
and max wall time per step and the heap allocations per step (-json adds the
bytes per step).

-activity a (event-based models: egru) shifts every threshold by one common
offset, found by bisection on the benchmark's input, so that the fraction of
active unit-steps is close to a (0 < a ≤ 1), and reports the activity reached;
bench/egru_sweep.sh sweeps it.`,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			models := fs.String("model", "rnn,leaky,gru,lowrank", "comma-separated models: "+strings.Join(rnn.ModelNames(), ", "))
			hidden := fs.Int("hidden", 0, "hidden units N: one size instead of the five reference sizes (default 64 when -batch or -seqlen is given)")
			batch := fs.Int("batch", 0, "batch size B (default 32 when -hidden or -seqlen is given)")
			seqlen := fs.Int("seqlen", 0, "sequence length T (default 100 when -hidden or -batch is given)")
			reps := fs.Int("reps", 7, "minimum number of timed steps")
			warmup := fs.Int("warmup", 2, "untimed warm-up steps")
			asJSON := fs.Bool("json", false, "print one JSON object per configuration")
			seed := fs.Uint64("seed", 1, "seed of weights, inputs and targets")
			activity := fs.Float64("activity", 0, "event-based models: tune the thresholds to this activity (0 < a ≤ 1; 0 = as initialised)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments %q", args)
				}
				kinds, err := parseBenchModels(*models)
				if err != nil {
					return err
				}
				sizes := referenceSizes()
				if flagGiven(fs, "hidden") || flagGiven(fs, "batch") || flagGiven(fs, "seqlen") {
					s := benchSize{*hidden, *batch, *seqlen}
					if !flagGiven(fs, "hidden") {
						s.hidden = 64
					}
					if !flagGiven(fs, "batch") {
						s.batch = 32
					}
					if !flagGiven(fs, "seqlen") {
						s.seqlen = 100
					}
					switch {
					case s.hidden <= 0 || s.batch <= 0 || s.seqlen <= 0:
						return usagef("-hidden, -batch and -seqlen must be positive, got %d, %d, %d", s.hidden, s.batch, s.seqlen)
					case s.hidden > maxUnits:
						return usagef("-hidden %d: at most %d units", s.hidden, maxUnits)
					case s.batch > 1<<20:
						return usagef("-batch %d: at most %d sequences", s.batch, 1<<20)
					case s.seqlen > 1<<20:
						return usagef("-seqlen %d: at most %d steps", s.seqlen, 1<<20)
					}
					sizes = []benchSize{s}
				}
				if *reps < 1 || *warmup < 0 {
					return usagef("-reps must be ≥ 1 and -warmup ≥ 0, got %d and %d", *reps, *warmup)
				}
				if *reps > maxBenchReps {
					return usagef("-reps %d: at most %d timed steps", *reps, maxBenchReps)
				}
				if *warmup > maxBenchReps {
					return usagef("-warmup %d: at most %d untimed steps", *warmup, maxBenchReps)
				}
				if !(*activity >= 0 && *activity <= 1) {
					return usagef("-activity must be in (0, 1], or 0 for the thresholds as initialised, got %g", *activity)
				}
				// Fail before any timing if a model is not built in.
				for _, k := range kinds {
					net, err := benchNetwork(k, 8, rand.New(rand.NewPCG(*seed, 0)))
					if err != nil {
						return fmt.Errorf("-model %v: %w", k.Name, err)
					}
					if _, ok := net.Recurrent().(activityTuner); *activity > 0 && !ok {
						return usagef("-activity: model %s has no event thresholds to tune (event-based models: egru)", k.Name)
					}
					if err := checkBenchMemory(k, sizes); err != nil {
						return err
					}
				}
				// A line that cannot be written (a full disk) is a
				// failure: the times measured would be lost.
				if !*asJSON {
					if _, err := fmt.Fprintf(e.stdout, "rnntrain bench: seed %d, GOMAXPROCS %d, float32; ms per training step\n%-8s %5s %4s %4s %10s %10s %10s %12s\n",
						*seed, runtime.GOMAXPROCS(0), "model", "N", "B", "T", "median", "min", "max", "allocs/step"); err != nil {
						return err
					}
				}
				for _, s := range sizes {
					for _, k := range kinds {
						if err := ctx.Err(); err != nil {
							return err
						}
						r, err := benchOne(k, s, *reps, *warmup, *seed, *activity)
						if err != nil {
							return err
						}
						var line string
						if *asJSON {
							b, _ := json.Marshal(r)
							line = string(b) + "\n"
						} else {
							line = fmt.Sprintf("%-8s %5d %4d %4d %10.3f %10.3f %10.3f %12.1f\n", r.Model, r.Hidden, r.Batch, r.Seqlen, r.MsMedian, r.MsMin, r.MsMax, r.AllocsPerStep)
							if r.Activity != nil {
								line += fmt.Sprintf("%-8s activity reached %.3f\n", "", *r.Activity)
							}
						}
						if _, err := io.WriteString(e.stdout, line); err != nil {
							return err
						}
					}
				}
				return nil
			}
		},
	}
}

// activityTuner is a layer whose activity a benchmark can set
// (layers.EGRU.TuneActivity).
type activityTuner interface {
	TuneActivity(x autodiff.Tensor[float32], steps, batch int, target float64, iters int) float64
}

// benchConfig is the benchmark's model k with n hidden units, in the
// configuration of the PyTorch anchor's loop for it (the model's Bench
// config).
func benchConfig(k layers.Model, n int) rnn.Config {
	mc := k.New()
	if k.Bench != nil {
		mc = k.Bench()
	}
	return rnn.Config{Inputs: benchInputs, Hidden: n, Outputs: benchOutputs, Model: mc}
}

// benchNetwork builds the network of benchConfig(k, n).
func benchNetwork(k layers.Model, n int, rng *rand.Rand) (*rnn.Network[float32], error) {
	return rnn.New[float32](benchConfig(k, n), rng)
}

// checkBenchMemory refuses, naming the sizes, a training step of model k
// at one of sizes that needs more memory than the system has available.
func checkBenchMemory(k layers.Model, sizes []benchSize) error {
	avail, ok := train.AvailableMemory()
	if !ok {
		return nil
	}
	for _, s := range sizes {
		f := netFootprint(benchConfig(k, s.hidden), benchInputs, benchOutputs)
		f.Steps, f.Batch = s.seqlen, s.batch
		if m := f.Estimate(); m.Total() > avail {
			return usagef("-hidden %d -batch %d -seqlen %d: a step of %s needs about %s, more than the memory available (%s)",
				s.hidden, s.batch, s.seqlen, k.Name, m, train.FormatBytes(avail))
		}
	}
	return nil
}

// maxBenchReps bounds bench -reps, the timed steps whose times are kept,
// and -warmup, the untimed steps before them.
const maxBenchReps = 1_000_000

// benchOne times the training step of model k at size s.
func benchOne(k layers.Model, s benchSize, minReps, warmup int, seed uint64, activity float64) (benchResult, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(s.hidden)))
	net, err := benchNetwork(k, s.hidden, rng)
	if err != nil {
		return benchResult{}, err
	}
	rows := s.seqlen * s.batch
	x := autodiff.NewTensor[float32](rows, benchInputs)
	negY := autodiff.NewTensor[float32](rows, benchOutputs)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range negY.Data {
		negY.Data[i] = -float32(rng.NormFloat64())
	}
	scale := autodiff.FromSlice(1, 1, []float32{1 / float32(rows*benchOutputs)})
	var reached *float64
	if activity > 0 {
		a := net.Recurrent().(activityTuner).TuneActivity(x, s.seqlen, s.batch, activity, 14)
		reached = &a
	}
	params := net.Params()
	var opt train.Adam
	tp := autodiff.NewTape[float32]()
	step := func() {
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Reset()
		out := net.Forward(tp, x, s.seqlen, s.batch, model.Options[float32]{}).Out
		d := autodiff.Add(out, tp.Const(negY))
		loss := autodiff.Mul(autodiff.Sum(autodiff.Mul(d, d)), tp.Const(scale))
		tp.Backward(loss)
		opt.Step(params, benchLR)
	}
	est := time.Duration(1<<63 - 1)
	for i := 0; i < max(warmup, 1); i++ {
		t0 := time.Now()
		step()
		est = min(est, time.Since(t0))
	}
	// Collect the garbage of the setup now rather than during the timed
	// steps, then run more steps so that the runtime's per-goroutine caches
	// (emptied by a collection) are warm again: the allocations counted
	// below are those of the steady state. Cheap steps get more of them
	// (about 0.5 s, at most 40), expensive ones at least two.
	runtime.GC()
	warmRuntime()
	settle := int(min(40, max(2, 0.5/max(est.Seconds(), 1e-9))))
	for range settle {
		step()
	}
	// At least minReps timed steps; cheap steps get more, up to about 2 s
	// of timing (at most 40).
	reps := max(minReps, int(min(40, 2/max(est.Seconds(), 1e-9))))
	times := make([]float64, reps)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range times {
		t0 := time.Now()
		step()
		times[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
	}
	runtime.ReadMemStats(&after)
	slices.Sort(times)
	med := times[reps/2]
	if reps%2 == 0 {
		med = (times[reps/2-1] + times[reps/2]) / 2
	}
	return benchResult{
		Model: k.Name, Hidden: s.hidden, Batch: s.batch, Seqlen: s.seqlen, Activity: reached,
		MsMedian: med, MsMin: times[0], MsMax: times[reps-1],
		AllocsPerStep: float64(after.Mallocs-before.Mallocs) / float64(reps),
		BytesPerStep:  float64(after.TotalAlloc-before.TotalAlloc) / float64(reps),
		Reps:          reps, Gomaxprocs: runtime.GOMAXPROCS(0),
	}, nil
}

// warmRuntime brings the Go runtime to the state a long training run
// reaches, so that the allocations counted next are those of the step
// itself:
//
//   - Its caches of goroutine wait records (sudogs), which a collection
//     empties centrally: a goroutine that blocks on a channel takes one
//     from its processor's cache, refilled from the heap when both that
//     cache and the central one are empty, and the record goes back to the
//     cache of whichever processor the goroutine resumes on. Blocking a few
//     hundred goroutines at once and releasing them fills the caches.
//   - Every processor's heap of timers, which grows once: each goroutine
//     sleeps first (kernels.Pool's workers and waits sleep in short steps
//     once yielding has not sufficed, as in a virtual machine's slow
//     spells).
//   - Its threads: starting one allocates its records (about seven
//     objects), and the runtime keeps every thread it starts, so the first
//     step that needs one thread more than any before would count as
//     allocating (7 allocations in the timed steps of 2 of 10 runs of
//     'rnntrain bench -model lif -hidden 1024 -batch 32 -seqlen 100').
//     GOMAXPROCS+2 of the goroutines lock themselves to their threads while
//     they block, so that the runtime starts others for the processors
//     meanwhile, then unlock, which returns their threads to its idle list
//     (in a fresh process: 7 threads started before the call, 10 after, and
//     none by a second call).
func warmRuntime() {
	const n = 512
	locked := runtime.GOMAXPROCS(0) + 2
	release := make(chan struct{})
	var blocked, done sync.WaitGroup
	blocked.Add(n)
	done.Add(n)
	for i := range n {
		lock := i < locked
		go func() {
			if lock {
				runtime.LockOSThread()
			}
			time.Sleep(100 * time.Microsecond)
			blocked.Done()
			<-release
			if lock {
				runtime.UnlockOSThread()
			}
			done.Done()
		}()
	}
	blocked.Wait()
	time.Sleep(time.Millisecond) // let the last ones reach the receive
	close(release)
	done.Wait()
}

// maxBenchModels bounds the -model list of bench: a name may come more
// than once (each is timed again), but not without end.
const maxBenchModels = 64

// parseBenchModels reads bench's -model value, model names separated by
// commas (spaces around a name are dropped). It returns a usage error
// naming -model for an empty or unknown name or a list of more than
// maxBenchModels names.
func parseBenchModels(list string) ([]layers.Model, error) {
	if n := strings.Count(list, ",") + 1; n > maxBenchModels {
		return nil, usagef("-model: %d names, at most %d", n, maxBenchModels)
	}
	names := strings.Split(list, ",")
	kinds := make([]layers.Model, 0, len(names))
	for _, s := range names {
		k, err := rnn.Lookup(strings.TrimSpace(s))
		if err != nil {
			return nil, usagef("-model: %v", err)
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}
