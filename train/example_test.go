package train_test

import (
	"context"
	"fmt"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// Train a small leaky RNN on perceptual-dm (default preset) with a fixed
// seed until its held-out accuracy reaches 90 %.
func Example() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	cfg := train.DefaultConfig()
	cfg.Steps = 200
	cfg.BatchSize = 32
	cfg.LR = 1e-2
	cfg.EvalEvery = 25
	cfg.EvalTrials = 256
	cfg.TargetAccuracy = 0.9
	cfg.Seed = 1

	in, out := task.Dims()
	net, err := rnn.New[float32](rnn.Config{Kind: rnn.Leaky, Inputs: in, Hidden: 16, Outputs: out, NoiseStd: 0.05},
		train.NewRNG(cfg.Seed, train.StreamInit))
	if err != nil {
		panic(err)
	}
	sum, err := train.Run(context.Background(), cfg, net, []tasks.Task{task})
	if err != nil {
		panic(err)
	}
	fmt.Println(sum.Reason)
	fmt.Println("held-out accuracy ≥ 0.9:", sum.Eval.Accuracy >= 0.9)
	// Output:
	// target-reached
	// held-out accuracy ≥ 0.9: true
}
