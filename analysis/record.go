package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/tasks"
)

// Recording is a set of trials run through a network, trial-major: element
// (n, t, i) of Inputs is Inputs[(n·T+t)·NIn+i]; likewise Rates and Pre
// with N, each State with its Size, Outputs, Targets and Mask with NOut.
// Trials shorter than T are padded with zero inputs and a zero mask.
type Recording struct {
	Trials, T, NIn, N, NOut int
	Inputs                  []float32 // [trials, T, n_in]
	Rates                   []float32 // [trials, T, N]
	Outputs                 []float32 // [trials, T, n_out]
	Targets                 []float32 // [trials, T, n_out]; nil when the inputs came from the user
	Mask                    []float32 // [trials, T, n_out]; nil when the inputs came from the user
	States                  []State   // each [trials, T, size]; empty when the runner records none
	Pre                     []float32 // [trials, T, N]; nil when the runner does not provide it

	// Per trial, for task trials only (nil with user inputs): what the
	// task drew (latent variables, correct choice, periods) and how the
	// task's scorer judged the network.
	Drawn   []tasks.Trial // [trials]
	Lengths []int         // [trials]: steps before padding
	Score   tasks.Result  // the scorer's verdict on Outputs
}

// Record runs n trials of task through net in one batch, padded to its
// longest trial, with private noise from noise (nil: none), recording
// states and pre-activations, and returns the recording. A generated task's
// trials are drawn from draw; a dataset's (tasks.Finite) are n of its
// trials spread evenly over it (tasks.Spread; all of them if it has fewer)
// and draw is unused. It panics if n < 1, a generated task gets no draw, or
// net's sizes are not the task's.
func Record(net Runner, task tasks.Task, draw, noise *rand.Rand, n int) *Recording {
	f, finite := task.(tasks.Finite)
	if n < 1 || (draw == nil && !finite) {
		panic(fmt.Sprintf("analysis: Record: %d trials, draw %v: want >= 1 trials and a generator", n, draw))
	}
	checkDims("Record", net, task)
	var batch tasks.Batch
	if finite {
		batch = f.BatchOf(tasks.Spread(f.Len(), n))
		n = batch.B
	} else {
		batch = task.Batch(draw, n)
	}
	act := net.Run(batch.Inputs, batch.T, batch.B, RunOptions{Noise: noise, Record: true})
	r := fromActivity(net, batch.Inputs, batch.T, n, act)
	r.Targets = trialMajor(batch.Targets, batch.T, n, batch.NOut)
	r.Mask = trialMajor(batch.Mask, batch.T, n, batch.NOut)
	r.Drawn, r.Lengths = batch.Trials, batch.Lengths
	r.Score = task.Score(act.Out, &batch)
	return r
}

// RecordInputs runs the user's inputs x, trial-major [trials][T][nIn],
// through net with private noise from noise (nil: none), recording states
// and pre-activations. The recording has no targets or mask. It panics if
// len(x) is not trials·T·nIn for net's nIn.
func RecordInputs(net Runner, x []float32, trials, T int, noise *rand.Rand) *Recording {
	nIn, _, _ := net.Dims()
	if trials < 1 || T < 1 || len(x) != trials*T*nIn {
		panic(fmt.Sprintf("analysis: RecordInputs: len(x) = %d, want trials·T·nIn = %d·%d·%d", len(x), trials, T, nIn))
	}
	xt := timeMajor(x, T, trials, nIn)
	act := net.Run(xt, T, trials, RunOptions{Noise: noise, Record: true})
	return fromActivity(net, xt, T, trials, act)
}

// fromActivity converts a time-major run of B trials of T steps into a
// trial-major recording.
func fromActivity(net Runner, xt []float32, T, B int, act Activity) *Recording {
	nIn, N, nOut := net.Dims()
	r := &Recording{Trials: B, T: T, NIn: nIn, N: N, NOut: nOut,
		Inputs:  trialMajor(xt, T, B, nIn),
		Rates:   trialMajor(act.Rates, T, B, N),
		Outputs: trialMajor(act.Out, T, B, nOut),
	}
	for _, s := range act.States {
		r.States = append(r.States, State{Name: s.Name, Size: s.Size, Data: trialMajor(s.Data, T, B, s.Size)})
	}
	if act.Pre != nil {
		r.Pre = trialMajor(act.Pre, T, B, N)
	}
	return r
}

// swapAxes01 returns x, of shape [a][b][dim], with its first two axes
// swapped: [b][a][dim]. It allocates the result and panics if len(x) is not
// a·b·dim.
func swapAxes01(x []float32, a, b, dim int) []float32 {
	if len(x) != a*b*dim {
		panic(fmt.Sprintf("analysis: swapAxes01: len %d, want %d×%d×%d", len(x), a, b, dim))
	}
	out := make([]float32, len(x))
	for i := range a {
		for j := range b {
			copy(out[(j*a+i)*dim:(j*a+i+1)*dim], x[(i*b+j)*dim:(i*b+j+1)*dim])
		}
	}
	return out
}

// trialMajor converts a time-major [T][B][dim] slice into trial-major
// [B][T][dim], allocating the result.
func trialMajor(x []float32, T, B, dim int) []float32 { return swapAxes01(x, T, B, dim) }

// timeMajor is the inverse of trialMajor: [B][T][dim] to [T][B][dim].
func timeMajor(x []float32, T, B, dim int) []float32 { return swapAxes01(x, B, T, dim) }

// nest3 views a flat [a, b, c] slice as nested slices, which npy writes
// with shape (a, b, c). The nested slices share x's memory.
func nest3(x []float32, a, b, c int) [][][]float32 {
	out := make([][][]float32, a)
	for i := range out {
		out[i] = make([][]float32, b)
		for j := range out[i] {
			off := (i*b + j) * c
			out[i][j] = x[off : off+c : off+c]
		}
	}
	return out
}

// Arrays returns the recording's arrays by the names WriteNPZ gives them
// (without ".npy"). Float32 [trials, T, dim] arrays sharing the
// recording's memory: inputs, rates, outputs, targets and mask (task
// trials), state/<name> per state variable, pre (when present). For task
// trials also, per trial: int64 [trials] arrays choice (the correct
// response, Trial.Choice), response (the model's, read out by the task's
// scorer), correct (1/0), scored (0 for trials the scorer excludes) and
// length (steps before padding); int64 [trials, 2] arrays
// response_window and periods/<name> per period name (start and end
// step, end exclusive; −1 where a trial lacks the period); float64
// [trials] arrays task/<name> per latent variable (Trial.Latents; NaN
// where a trial lacks it).
func (r *Recording) Arrays() map[string]any {
	a := map[string]any{
		"inputs":  nest3(r.Inputs, r.Trials, r.T, r.NIn),
		"rates":   nest3(r.Rates, r.Trials, r.T, r.N),
		"outputs": nest3(r.Outputs, r.Trials, r.T, r.NOut),
	}
	if r.Targets != nil {
		a["targets"] = nest3(r.Targets, r.Trials, r.T, r.NOut)
		a["mask"] = nest3(r.Mask, r.Trials, r.T, r.NOut)
	}
	for _, s := range r.States {
		a["state/"+s.Name] = nest3(s.Data, r.Trials, r.T, s.Size)
	}
	if r.Pre != nil {
		a["pre"] = nest3(r.Pre, r.Trials, r.T, r.N)
	}
	if len(r.Drawn) == r.Trials && r.Trials > 0 {
		r.trialArrays(a)
	}
	return a
}

// trialArrays adds the per-trial arrays of Arrays to a.
func (r *Recording) trialArrays(a map[string]any) {
	n := len(r.Drawn)
	ints := func(f func(i int) int) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(f(i))
		}
		return v
	}
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	a["choice"] = ints(func(i int) int { return r.Drawn[i].Choice })
	a["response"] = ints(func(i int) int { return r.Score.Response[i] })
	a["correct"] = ints(func(i int) int { return flag(r.Score.Correct[i]) })
	a["scored"] = ints(func(i int) int { return flag(!r.Score.Excluded[i]) })
	a["length"] = ints(func(i int) int { return r.Lengths[i] })
	window := make([][]int64, n)
	periods := map[string][][]int64{}
	latents := map[string][]float64{}
	for i, tr := range r.Drawn {
		window[i] = []int64{int64(tr.ResponseStart), int64(tr.ResponseEnd)}
		for _, p := range tr.Periods {
			if p.Name == "" {
				continue
			}
			v, ok := periods[p.Name]
			if !ok {
				v = make([][]int64, n)
				for j := range v {
					v[j] = []int64{-1, -1}
				}
				periods[p.Name] = v
			}
			if v[i][0] < 0 { // the first period of that name
				v[i] = []int64{int64(p.Start), int64(p.End)}
			}
		}
		for _, l := range tr.Latents() {
			v, ok := latents[l.Name]
			if !ok {
				v = make([]float64, n)
				for j := range v {
					v[j] = math.NaN()
				}
				latents[l.Name] = v
			}
			v[i] = l.Value
		}
	}
	a["response_window"] = window
	for k, v := range periods {
		a["periods/"+k] = v
	}
	for k, v := range latents {
		a["task/"+k] = v
	}
}

// WriteNPZ stores the recording at path as an .npz archive (numpy.load
// reads it) holding Arrays, as members NAME.npy the way numpy.savez writes
// them. The file is written in full or not at all: the archive goes to a
// temporary file in the same directory, renamed into place. Errors name
// path.
func (r *Recording) WriteNPZ(path string) error {
	return npy.WriteArchiveValues(path, r.Arrays())
}
