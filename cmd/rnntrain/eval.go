package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/train"
)

const evalLong = `
Eval loads a checkpoint (a .safetensors file or a run directory), runs fresh
held-out trials of the task it was trained on through the network (with its
private recurrent noise, as during training's evaluations, unless
-noise=false), and prints the accuracy by the task's own scorer with its binomial
standard error, and a table of accuracy per condition. -json prints one JSON
object instead, with the fields accuracy, accuracy_stderr, mse, trials,
conditions and, for decision tasks, psychometric (P(choice right) per
context and signed coherence).

-record FILE.npz also writes, for analysis in Python (numpy.load), float32
arrays with trials as the first axis:

	inputs     [trials, T, n_in]
	rates      [trials, T, N]      what the readout sees at every step:
	                               φ(x) (GRU, rnn: h)
	state/x    [trials, T, N]      the state after every step (leaky: x;
	state/h                        rnn, gru and lowrank: h)
	outputs    [trials, T, n_out]
	targets    [trials, T, n_out]  (not with -inputs)
	mask       [trials, T, n_out]  (not with -inputs; 0 where not scored and
	                                where a shorter trial is padded to T)

Outputs are the readout's values (logits for cross-entropy tasks).

-inputs FILE.npy drives the network with your own inputs instead of task
trials: a float32 or float64 array [trials, T, n_in] with the checkpoint's
number of inputs; it needs -record to say where the outputs go.
`

func evalCommand() *command {
	return &command{
		Name:  "eval",
		Short: "evaluate a checkpoint on held-out trials; record rates and states",
		Usage: "-checkpoint PATH [-trials N] [-json] [-record FILE.npz] [-inputs FILE.npy] [-seed S]",
		Long:  evalLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "checkpoint file or run directory (required)")
			trials := fs.Int("trials", 1000, "number of held-out trials")
			asJSON := fs.Bool("json", false, "print one JSON object")
			record := fs.String("record", "", "write inputs, rates, states, outputs (+ targets, mask) to this .npz file")
			inputs := fs.String("inputs", "", "drive the network with this .npy array [trials, T, n_in] (needs -record)")
			seed := fs.Uint64("seed", 1, "seed of the held-out trials and noise (independent of the training trials)")
			noisy := fs.Bool("noise", true, "run with the model's private recurrent noise σ, as training's held-out evaluation does; -noise=false runs noiseless")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments %q", args)
				}
				if *ckpt == "" {
					return usagef("-checkpoint PATH is required")
				}
				if *trials < 1 {
					return usagef("-trials must be positive, got %d", *trials)
				}
				if *inputs != "" && *record == "" {
					return usagef("-inputs needs -record FILE.npz to write the outputs to")
				}
				s, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				var noise func(train.Stream) *rand.Rand
				noise = func(k train.Stream) *rand.Rand {
					if !*noisy {
						return nil
					}
					return newStream(*seed, k+1<<8)
				}
				if *inputs != "" {
					return evalInputs(e.stdout, s, *inputs, *record, noise(streamRecord))
				}
				rep := analysis.Evaluate(s.net, s.task, analysis.EvalOptions{Trials: *trials, Draw: newStream(*seed, streamEvalCmd), Noise: noise(streamEvalCmd)})
				rep.Checkpoint, rep.Step, rep.Seed, rep.Model = c.Path, c.Meta.Step, *seed, s.cfg.Model.Kind.String()
				if *record != "" {
					if err := recordTrials(s, *seed, *trials, *record, noise(streamRecord)); err != nil {
						return err
					}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				printReport(e.stdout, rep)
				if *record != "" {
					fmt.Fprintf(e.stdout, "recorded %d trials to %s\n", *trials, *record)
				}
				return nil
			}
		},
	}
}

// recordTrials runs n task trials (one batch, padded to a common length)
// and writes the recording to path.
func recordTrials(s *session, seed uint64, n int, path string, noise *rand.Rand) error {
	return analysis.Record(s.net, s.task, newStream(seed, streamRecord), noise, n).WriteNPZ(path)
}

// evalInputs drives the network with the user's inputs and records the
// result.
func evalInputs(w io.Writer, s *session, inputs, path string, noise *rand.Rand) error {
	nIn, N, nOut := s.net.Dims()
	x, n, T, err := readInputs(inputs, nIn)
	if err != nil {
		return err
	}
	if err := analysis.RecordInputs(s.net, x, n, T, noise).WriteNPZ(path); err != nil {
		return err
	}
	fmt.Fprintf(w, "ran %d trials of %d steps from %s; wrote inputs, rates [%d, %d, %d] and outputs [%d, %d, %d] to %s\n",
		n, T, inputs, n, T, N, n, T, nOut, path)
	return nil
}
