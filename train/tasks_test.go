package train

import (
	"context"
	"testing"
	"time"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// trainOn trains a fresh network of config net on the named task's default
// preset and returns the summary and the wall time.
func trainOn(t *testing.T, name string, net rnn.Config, cfg Config) (Summary, time.Duration) {
	t.Helper()
	task, err := tasks.NewDefault(name)
	if err != nil {
		t.Fatal(err)
	}
	net.Inputs, net.Outputs = task.Dims()
	m, err := rnn.New[float32](net, NewRNG(cfg.Seed, StreamInit))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{task}, &Logger{W: testWriter{t}, Every: 0})
	if err != nil {
		t.Fatal(err)
	}
	return sum, time.Since(start)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b[:len(b)-1]))
	return len(b), nil
}

// TestPerceptualDM trains a small leaky RNN on perceptual-dm (default
// preset, Dubreuil et al. 2022's rdm timing, unchanged) to ≥ 90 % held-out
// accuracy with a fixed seed.
func TestPerceptualDM(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Steps = 600
	cfg.BatchSize = 32
	cfg.LR = 1e-2
	cfg.EvalEvery = 50
	cfg.EvalTrials = 512
	cfg.TargetAccuracy = 0.95
	cfg.Seed = 1
	sum, dt := trainOn(t, "perceptual-dm", rnn.Config{Hidden: 32, NoiseStd: 0.05}, cfg)
	t.Logf("perceptual-dm: %s after %d steps, held-out accuracy %.3f, %.1fs", sum.Reason, sum.Steps, sum.Eval.Accuracy, dt.Seconds())
	if sum.Eval.Accuracy < 0.9 {
		t.Errorf("held-out accuracy %.3f, want ≥ 0.9", sum.Eval.Accuracy)
	}
}

// TestFlipFlop trains a small leaky RNN on the 3-bit flip-flop (default
// preset: FixedPointFinder's FlipFlopData, 64 steps, pulses with p = 0.5)
// to a held-out MSE ≤ 0.1. The bound: targets are ±1, so an output of 0
// scores 1; a network that follows the pulses without holding the bits
// plateaus at 0.30–0.34 (seen during training, steps 25–200); 0.1 is the
// task's own per-trial criterion (tasks: normalized MSE < 0.1, i.e. 90 % of
// the target's power explained) and is reached only by holding the bits.
func TestFlipFlop(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Steps = 600
	cfg.BatchSize = 16
	cfg.LR = 2e-2
	cfg.EvalEvery = 25
	cfg.EvalTrials = 128
	cfg.TargetAccuracy = 0.9
	cfg.Seed = 1
	sum, dt := trainOn(t, "flip-flop", rnn.Config{Hidden: 32}, cfg)
	t.Logf("flip-flop: %s after %d steps, held-out MSE %.4f accuracy %.3f, %.1fs", sum.Reason, sum.Steps, sum.Eval.MSE, sum.Eval.Accuracy, dt.Seconds())
	if sum.Eval.MSE > 0.1 {
		t.Errorf("held-out MSE %.4f, want ≤ 0.1", sum.Eval.MSE)
	}
}

// TestPerceptualDMCrossEntropy trains on the NeuroGym preset of
// perceptual-dm (fixate/left/right actions, softmax cross-entropy, scored
// on the decision-period action), the loop's cross-entropy path on a real
// task, to ≥ 75 % held-out accuracy: chance is 50 % (two choices), and the
// ceiling is below 100 % because a fifth of the trials have coherence 0
// (NeuroGym's {0, 6.4, 12.8, 25.6, 51.2}). A 400-step run reached 0.90.
func TestPerceptualDMCrossEntropy(t *testing.T) {
	task, err := tasks.New("perceptual-dm", mustPreset(t, "neurogym"), tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps = 300
	cfg.BatchSize = 32
	cfg.LR = 1e-2
	cfg.EvalEvery = 25
	cfg.EvalTrials = 512
	cfg.TargetAccuracy = 0.8
	cfg.Seed = 1
	in, out := task.Dims()
	m, err := rnn.New[float32](rnn.Config{Inputs: in, Hidden: 32, Outputs: out, NoiseStd: 0.05}, NewRNG(cfg.Seed, StreamInit))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{task}, &Logger{W: testWriter{t}, Every: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("perceptual-dm/neurogym: %s after %d steps, held-out accuracy %.3f, %.1fs", sum.Reason, sum.Steps, sum.Eval.Accuracy, time.Since(start).Seconds())
	if sum.Eval.Accuracy < 0.75 {
		t.Errorf("held-out accuracy %.3f, want ≥ 0.75", sum.Eval.Accuracy)
	}
}

func mustPreset(t *testing.T, s string) tasks.Preset {
	t.Helper()
	p, err := tasks.ParsePreset(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
