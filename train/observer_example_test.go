package train_test

import (
	"context"
	"fmt"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// ExampleStepFunc watches a short run with an observer: it sees every
// update, notes the held-out evaluations, and ends the run early by
// returning ErrStop.
func ExampleStepFunc() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	cfg := train.DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials, cfg.Seed = 20, 8, 2, 16, 1
	in, out := task.Dims()
	net, err := rnn.New[float32](rnn.Config{Inputs: in, Hidden: 8, Outputs: out},
		train.NewRNG(cfg.Seed, train.StreamInit))
	if err != nil {
		panic(err)
	}

	watch := train.StepFunc(func(s train.Step) error {
		if s.Eval != nil {
			fmt.Printf("update %d: evaluated on %d %s\n", s.Step, s.Eval.Trials, s.Eval.Split)
		}
		if s.Step == 5 {
			return train.ErrStop
		}
		return nil
	})
	sum, err := train.Run(context.Background(), cfg, net, []tasks.Task{task}, watch)
	fmt.Println(sum.Reason, "after", sum.Steps, "updates, err:", err)
	// Output:
	// update 2: evaluated on 16 fresh trials
	// update 4: evaluated on 16 fresh trials
	// stopped after 5 updates, err: <nil>
}
