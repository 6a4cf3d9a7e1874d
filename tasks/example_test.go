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
	// context-dm preset=lowrank dt=20ms in=4 out=1 loss=mse scorer=sign-mean
	// batch T=68 B=4
	// trial 0: ctx=1 coh=+4 other=+2 choice=1
	//   fixation steps [0, 5)
	//   context  steps [5, 22)
	//   stimulus steps [22, 62)
	//   delay    steps [62, 67)
	//   decision steps [67, 68)
	// target at step 67: +1 (mask 1)
	// accuracy 1.00 on 4 trials
}
