package train_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/rnntrain/rnntrain/checkpoints"
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
	net, err := rnn.New[float32](rnn.Config{Inputs: in, Hidden: 16, Outputs: out, NoiseStd: 0.05},
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

// Interrupt a run, save it with the Checkpointer, and resume it from the
// file: the parameters end bitwise equal to those of an uninterrupted run.
func ExampleRestoreState() {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		panic(err)
	}
	cfg := train.DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials = 10, 8, 5, 32
	in, out := task.Dims()
	newNet := func() *rnn.Network[float32] {
		net, err := rnn.New[float32](rnn.Config{Inputs: in, Hidden: 8, Outputs: out, NoiseStd: 0.05},
			train.NewRNG(cfg.Seed, train.StreamInit))
		if err != nil {
			panic(err)
		}
		return net
	}
	stages := []tasks.Task{task}

	whole := newNet()
	if _, err := train.Run(context.Background(), cfg, whole, stages); err != nil {
		panic(err)
	}

	// The first run is cancelled after update 4, as Ctrl-C would; the
	// Checkpointer saves at the end.
	dir, err := os.MkdirTemp("", "rnntrain-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	first := newNet()
	ck := &train.Checkpointer{Dir: dir, Keep: 2, Model: first, Meta: checkpoints.Meta{Model: "leaky", Task: task.Name()}}
	stop := train.StepFunc(func(s train.Step) error {
		if s.Step == 4 {
			cancel()
		}
		return nil
	})
	sum, err := train.Run(ctx, cfg, first, stages, ck, stop)
	fmt.Println("interrupted:", errors.Is(err, train.ErrInterrupted), "after", sum.Steps, "steps")

	c, err := checkpoints.Load(checkpoints.LatestPath(dir))
	if err != nil {
		panic(err)
	}
	second := newNet()
	st, err := train.RestoreState(c, second)
	if err != nil {
		panic(err)
	}
	sum, err = train.Resume(context.Background(), cfg, second, stages, st)
	if err != nil {
		panic(err)
	}
	same := true
	for i, p := range whole.Params() {
		for k, v := range p.Value.Data {
			same = same && math.Float32bits(v) == math.Float32bits(second.Params()[i].Value.Data[k])
		}
	}
	fmt.Println(sum.Reason, "at step", sum.Steps, "- identical to the uninterrupted run:", same)
	// Output:
	// interrupted: true after 4 steps
	// completed at step 10 - identical to the uninterrupted run: true
}
