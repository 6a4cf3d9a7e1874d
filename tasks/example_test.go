package tasks_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/tasks"
)

// Generate context-dm trials with the default preset and a fixed seed,
// look at one trial and score the outputs of an observer that answers
// every trial correctly.
func Example() {
	task, err := tasks.NewDefault("context-dm")
	if err != nil {
		panic(err)
	}
	info := tasks.Describe(task)
	fmt.Printf("%s preset=%s dt=%gms in=%d out=%d loss=%s scorer=%s\n",
		info.Name, info.Preset, info.DtMS, info.NIn, info.NOut, info.Loss, info.Scorer)

	b := task.Batch(rand.New(rand.NewPCG(1, 2)), 4)
	fmt.Printf("batch T=%d B=%d\n", b.T, b.B)
	tr := b.Trials[0]
	fmt.Printf("trial 0: %s choice=%d\n", tr.Condition, tr.Choice)
	for _, p := range tr.Periods {
		fmt.Printf("  %-8s steps [%d, %d)\n", p.Name, p.Start, p.End)
	}
	// Time-major: element (t, b, k) is at (t*B + b)*NOut + k.
	t := tr.ResponseStart
	fmt.Printf("target at step %d: %+g (mask %g)\n", t, b.Targets[(t*b.B+0)*b.NOut], b.Mask[(t*b.B+0)*b.NOut])

	// The targets themselves are a perfect output.
	r := task.Score(b.Targets, &b)
	fmt.Printf("accuracy %.2f on %d trials\n", r.Accuracy, r.Scored)
	// Output:
	// context-dm preset=dubreuil dt=20ms in=4 out=1 loss=mse scorer=sign-mean
	// batch T=68 B=4
	// trial 0: ctx=2 coh=+4 other=+2 choice=1
	//   fixation steps [0, 5)
	//   context  steps [5, 22)
	//   stimulus steps [22, 62)
	//   delay    steps [62, 67)
	//   decision steps [67, 68)
	// target at step 67: +1 (mask 1)
	// accuracy 1.00 on 4 trials
}

// Accumulate a psychometric curve: P(choice 1) and accuracy per signed
// coherence, here for an observer that reports the sign of the input at
// the first stimulus step only, so that weak coherences give graded
// choices (input coh·0.1 against noise std 0.1: expected accuracy Φ(1) ≈
// 0.84 at coherence ±1, Φ(2) ≈ 0.98 at ±2).
func ExamplePsychometric() {
	task, err := tasks.New("perceptual-dm", tasks.LowRank, tasks.Settings{})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var curve tasks.Psychometric
	for range 5 {
		b := task.Batch(rng, 200)
		out := make([]float32, b.T*b.B*b.NOut)
		for i, tr := range b.Trials {
			t0 := tr.Periods[1].Start // the stimulus period
			ev := b.Inputs[(t0*b.B+i)*b.NIn]
			for t := tr.ResponseStart; t < tr.ResponseEnd; t++ {
				out[(t*b.B+i)*b.NOut] = ev
			}
		}
		curve.Add(&b, task.Score(out, &b))
	}
	for _, p := range curve.Points() {
		fmt.Printf("coh %+g: P(choice 1) = %.2f, accuracy %.2f\n", p.Coherence, p.PChoice1, p.Accuracy)
	}
	// Output:
	// coh -4: P(choice 1) = 0.00, accuracy 1.00
	// coh -2: P(choice 1) = 0.01, accuracy 0.99
	// coh -1: P(choice 1) = 0.16, accuracy 0.84
	// coh +1: P(choice 1) = 0.87, accuracy 0.87
	// coh +2: P(choice 1) = 0.98, accuracy 0.98
	// coh +4: P(choice 1) = 1.00, accuracy 1.00
}
