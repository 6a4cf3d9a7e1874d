package tasks

import (
	"fmt"
	"math/rand/v2"
)

// This file holds the adding problem (Hochreiter & Schmidhuber 1997,
// experiment 4), in the form the FPTT paper trains it (Kag & Saligrama
// 2021, anilkagak2/FPTT datasets.py adding_problem_generator).

// addingThreshold is the squared error at the last step under which an
// adding trial counts as solved: |y − target| < 0.1, and the
// mean over a batch of solved trials is below 0.01, the usual success
// level of the task (chance, always answering 1, is 1/6 ≈ 0.167).
const addingThreshold = 0.01

// maxLongSteps bounds the trial length of the long-horizon tasks, so that
// a mistyped setting fails instead of allocating gigabytes per trial.
const maxLongSteps = 1_000_000

// newAdding builds the adding problem: T = Steps steps (default 200; Kag
// & Saligrama use 200 to 1000). Input 0 ("value") is uniform in [0, 1) at
// every step; input 1 ("marker") is 1 at two steps, one drawn uniformly
// from [0, ⌊T/2⌋) and one from [⌈T/2⌉, T), and 0 elsewhere. The target
// is the sum of the two marked values at the last step only (mask 1
// there, 0 elsewhere); MSE loss. Trial.Value is the sum,
// ResponseStart/End the last step. Scored by ScoreMSEThreshold with
// threshold 0.01 (|error| < 0.1). Always answering 1 gives MSE
// Var(sum) = 1/6 ≈ 0.167 and solves 19 % of trials (the sum's triangular
// density integrated over (0.9, 1.1)). The time step is abstract; DtMS is
// a nominal 100 ms (α = 1 for a leaky net with τ = 100 ms).
func newAdding(p Preset, s Settings) (Task, error) {
	const name = "adding"
	s = resolve(s, Settings{DtMS: 100, Steps: 200})
	T := s.Steps
	if T < 2 || T > maxLongSteps {
		return nil, fmt.Errorf("tasks: adding: steps = %d: want 2..%d", T, maxLongSteps)
	}
	sum, _ := Summary(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: true, Summary: sum, DtMS: s.DtMS, NIn: 2, NOut: 1,
			Inputs: []string{"value", "marker"}, Outputs: []string{"sum"}, MinSteps: T, MaxSteps: T,
			Loss: MSE, Scorer: MSEThreshold, Chance: 0.19},
		cfg: Config{Task: name, Preset: p, Settings: s},
		gen: func(rng *rand.Rand, tb *trialBuf) {
			var tl timeline
			all := tl.add("trial", T)
			tb.start(&tl)
			for t := range T {
				tb.in[t*2] = float32(rng.Float64())
			}
			half := T / 2
			i1 := rng.IntN(half)
			i2 := (T+1)/2 + rng.IntN(T-(T+1)/2)
			tb.in[i1*2+1], tb.in[i2*2+1] = 1, 1
			target := float64(tb.in[i1*2]) + float64(tb.in[i2*2])
			last := span("answer", T-1, T)
			tb.value(0, last, target)
			tb.trial = Trial{Condition: "adding", Value: target, Choice: -1,
				ResponseStart: last.Start, ResponseEnd: last.End, Periods: []Period{all}}
		},
		score: func(out []float32, b *Batch) Result { return ScoreMSEThreshold(out, b, addingThreshold) },
	}, nil
}

// ScoreMSEThreshold judges continuous outputs by their absolute error: a
// trial is correct when its mask-weighted mean squared error over its steps
// and channels is below threshold (a trial with an empty mask is correct).
// Response is -1. It panics if outputs does not have the batch's size.
func ScoreMSEThreshold(outputs []float32, b *Batch, threshold float64) Result {
	checkOutputs("ScoreMSEThreshold", outputs, b)
	r := newResult(outputs, b)
	for i := range b.B {
		se, _, msum := trialErrors(outputs, b, i)
		r.Response[i] = -1
		r.Correct[i] = msum == 0 || se/msum < threshold
	}
	r.finish()
	return r
}
