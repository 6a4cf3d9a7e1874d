package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rnntrain/rnntrain/tasks"
)

// Example is one trial laid out for display, per step up to the trial's
// own length.
type Example struct {
	// Trial is what the task drew.
	Trial tasks.Trial
	// Inputs [T][nIn], Targets and Outputs [T][nOut]. For cross-entropy
	// tasks Outputs holds the softmax of the logits, the action
	// probabilities the one-hot targets compare with.
	Inputs, Targets, Outputs [][]float64
	// Rates [T][N] are the recurrent layer's rates (spikes for a spiking
	// model).
	Rates [][]float64
	// Scored[t] is true where any output channel's mask is positive.
	Scored []bool
	// Excluded and Correct are the task scorer's verdict.
	Excluded, Correct bool
}

// Examples draws 4·k trials of task from rng (the network's private noise
// from rng too), runs them through net and returns up to k of them,
// choosing first one trial per distinct (context, correct choice) so the
// examples show different conditions. It panics if k < 1 or net's sizes
// are not the task's.
func Examples(net Runner, task tasks.Task, rng *rand.Rand, k int) []Example {
	if k < 1 {
		panic(fmt.Sprintf("analysis: Examples: k = %d < 1", k))
	}
	checkDims("Examples", net, task)
	batch := task.Batch(rng, 4*k)
	act := net.Run(batch.Inputs, batch.T, batch.B, RunOptions{Noise: rng})
	out := act.Out
	_, units, _ := net.Dims()
	res := task.Score(out, &batch)
	if task.Loss() == tasks.CrossEntropy {
		softmaxRowsTo(out, batch.NOut)
	}
	type kind struct{ ctx, choice int }
	seen := map[kind]bool{}
	var pick []int
	for pass := 0; pass < 2 && len(pick) < k; pass++ {
		for b := 0; b < batch.B && len(pick) < k; b++ {
			tr := batch.Trials[b]
			kd := kind{tr.Context, tr.Choice}
			if slices.Contains(pick, b) || (pass == 0 && seen[kd]) {
				continue
			}
			seen[kd] = true
			pick = append(pick, b)
		}
	}
	var exs []Example
	for _, b := range pick {
		T := batch.T
		if b < len(batch.Lengths) && batch.Lengths[b] > 0 {
			T = batch.Lengths[b]
		}
		ex := Example{Trial: batch.Trials[b], Excluded: res.Excluded[b], Correct: res.Correct[b]}
		at := func(x []float32, t, dim int) []float64 {
			v := make([]float64, dim)
			for i := range v {
				v[i] = float64(x[(t*batch.B+b)*dim+i])
			}
			return v
		}
		for t := range T {
			ex.Inputs = append(ex.Inputs, at(batch.Inputs, t, batch.NIn))
			ex.Targets = append(ex.Targets, at(batch.Targets, t, batch.NOut))
			ex.Outputs = append(ex.Outputs, at(out, t, batch.NOut))
			ex.Rates = append(ex.Rates, at(act.Rates, t, units))
			ex.Scored = append(ex.Scored, slices.ContainsFunc(at(batch.Mask, t, batch.NOut), func(m float64) bool { return m > 0 }))
		}
		exs = append(exs, ex)
	}
	return exs
}

// softmaxRowsTo replaces each run of n values of x by its softmax.
func softmaxRowsTo(x []float32, n int) {
	for i := 0; i+n <= len(x); i += n {
		row := x[i : i+n]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - m))
			row[j] = float32(e)
			sum += e
		}
		for j := range row {
			row[j] = float32(float64(row[j]) / sum)
		}
	}
}
