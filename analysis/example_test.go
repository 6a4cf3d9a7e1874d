package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/tasks"
)

// integrator is a one-unit "network" that accumulates its first input
// channel and reads the sum out: on a perceptual decision task with one
// evidence channel it is close to the ideal observer.
type integrator struct{ nIn int }

func (n integrator) Dims() (nIn, units, nOut int) { return n.nIn, 1, 1 }

func (n integrator) Run(x []float32, steps, batch int, opt analysis.RunOptions) analysis.Activity {
	act := analysis.Activity{Out: make([]float32, steps*batch), Rates: make([]float32, steps*batch)}
	for b := range batch {
		var sum float32
		for t := range steps {
			if in := opt.Inactivation; in.Active(t) && in.Units[0] {
				continue // silenced: the unit neither integrates nor reads out
			}
			sum += x[(t*batch+b)*n.nIn]
			act.Rates[t*batch+b] = sum
			act.Out[t*batch+b] = sum
		}
	}
	if opt.Record {
		act.States = []analysis.State{{Name: "x", Size: 1, Data: append([]float32(nil), act.Rates...)}}
	}
	return act
}

// Evaluate scores a network on fresh trials with the task's own scorer.
func ExampleEvaluate() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	nIn, _ := task.Dims()
	rep := analysis.Evaluate(integrator{nIn}, task, analysis.EvalOptions{Trials: 2000, Draw: rand.New(rand.NewPCG(1, 2))})
	fmt.Printf("%s: %d trials, accuracy above 0.9: %v\n", rep.Task, rep.Trials, rep.Accuracy > 0.9)
	for _, c := range rep.Conditions { // sorted numerically
		fmt.Print(c.Condition, " ")
	}
	fmt.Println()
	// Output:
	// perceptual-dm: 2000 trials, accuracy above 0.9: true
	// coh=-4 coh=-2 coh=-1 coh=+1 coh=+2 coh=+4
}

// Record runs trials and keeps everything a numpy analysis needs.
func ExampleRecord() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	nIn, _ := task.Dims()
	rec := analysis.Record(integrator{nIn}, task, rand.New(rand.NewPCG(1, 2)), nil, 8)
	fmt.Println(rec.Trials, rec.T, rec.N, len(rec.Rates) == rec.Trials*rec.T*rec.N, rec.States[0].Name)
	// Output:
	// 8 51 1 true x
}

// Inactivate silences the integrator during one period of every trial: the
// fixation period, where there is nothing to integrate, and the stimulus,
// where the evidence arrives.
func ExampleInactivate() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	nIn, _ := task.Dims()
	streams := func() (draw, noise *rand.Rand) { return rand.New(rand.NewPCG(1, 2)), nil }
	for _, period := range []string{"fixation", "stimulus"} {
		in := analysis.Inactivation{Units: []int{0}, Window: analysis.Window{Period: period}}
		eff := analysis.Inactivate(integrator{nIn}, task, 1000, streams, in)
		after := analysis.Summarize(eff.After)
		fmt.Printf("silenced during %s: accuracy %.2f before, above 0.9 after: %v\n", period, eff.Before.Accuracy, after.Accuracy > 0.9)
	}
	// Output:
	// silenced during fixation: accuracy 1.00 before, above 0.9 after: true
	// silenced during stimulus: accuracy 1.00 before, above 0.9 after: false
}

// FitPsychometric turns psychometric points into a bias and a slope per
// context; an inactivation's shift is the after fit minus the before fit.
func ExampleFitPsychometric() {
	var pts []analysis.PsychPoint
	for _, c := range []float64{-4, -2, -1, 1, 2, 4} {
		p := 1 / (1 + math.Exp(-(0.5 + 0.8*c))) // biased towards choice 1
		pts = append(pts, analysis.PsychPoint{Context: 0, Coherence: c, Trials: 100000, PChoice1: p})
	}
	for _, f := range analysis.FitPsychometric(pts) {
		fmt.Printf("context %d: bias %.2f, slope %.2f\n", f.Context, f.Bias, f.Slope)
	}
	// Output:
	// context 0: bias 0.50, slope 0.80
}

// Wilson gives a perfect score on 1000 trials an interval with a width,
// where p ± 1.96·√(p(1−p)/n) would give 1–1.
func ExampleWilson() {
	lo, hi := analysis.Wilson(1, 1000, analysis.Z95)
	fmt.Printf("1000 of 1000 correct: 95%% CI %.4f–%.4f\n", lo, hi)
	lo, hi = analysis.Wilson(0.5, 1000, analysis.Z95)
	fmt.Printf("500 of 1000 correct: 95%% CI %.4f–%.4f\n", lo, hi)
	// Output:
	// 1000 of 1000 correct: 95% CI 0.9962–1.0000
	// 500 of 1000 correct: 95% CI 0.4691–0.5309
}
