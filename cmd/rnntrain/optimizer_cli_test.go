package main

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLIOptimizerSettings: the optimizer keys a config file sets reach the
// update. Runs of one seed take the same batches and, until their weights
// part, the same gradients g₁, g₂, so each key's effect is a relation
// between their weights or momentum buffers b:
//
//	weight_decay λ, sgd or adamw, 1 step:  θ₁ − θ₁(λ) = lr·λ·θ₀ (adamw: λ = 0.01 when not given)
//	nesterov, 1 step:                      θ₀ − θ₁ = (1 + μ)·(θ₀ − θ₁ without it)
//	dampening τ, 2 steps:                  b₂(τ) = μ b₁ + (1 − τ)(b₂(0) − μ b₁),  b₁ = g₁
//
// with θ₀ the weights the run's config initialises.
func TestCLIOptimizerSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const lr, param = 0.1, "leaky.weight_hh"
	type state struct{ w, b, w0 []float32 }
	run := func(name string, steps int, optimizer, toml string) state {
		t.Helper()
		dir := filepath.Join(work, name)
		args := []string{"train", "-steps", strconv.Itoa(steps), "-hidden", "8", "-batch", "4", "-eval-trials", "8",
			"-lr", "0.1", "-optimizer", optimizer, "-quiet", "-plot-format", "svg", "-out", dir}
		if toml != "" {
			args = append(args, "-config", writeSpec(t, work, name+".toml", "[train.optimizer]\n"+toml+"\n"))
		}
		rnntrain(t, work, args...).want(t, 0)
		ts, c := tensorsAt(t, dir)
		s := state{w: ts[param], b: ts[checkpoints.OptimizerPrefix+param+".momentum_buffer"], w0: initialParams(t, c)[param]}
		require.NotEmpty(t, s.w, "%s: %s", name, param)
		require.Len(t, s.w0, len(s.w), "%s: the initial %s", name, param)
		return s
	}
	near := func(what string, got, want []float64) {
		t.Helper()
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-5+1e-3*math.Abs(want[i]) {
				t.Fatalf("%s, element %d: got %g, want %g", what, i, got[i], want[i])
			}
		}
	}
	f64 := func(xs []float32) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = float64(x)
		}
		return out
	}
	combine := func(a []float32, ka float64, b []float32, kb float64) []float64 {
		out := make([]float64, len(a))
		for i := range a {
			out[i] = ka*float64(a[i]) + kb*float64(b[i])
		}
		return out
	}

	// Weight decay, L2 in sgd's gradient and decoupled in adamw's step.
	// AdamW's decay left out is PyTorch's 0.01.
	for _, opt := range []string{"sgd", "adamw"} {
		plain := run(opt, 1, opt, "weight_decay = 0")
		decayed := run(opt+"-wd", 1, opt, "weight_decay = 0.5")
		near(opt+" weight_decay 0.5: θ₁ − θ₁(λ)", combine(plain.w, 1, decayed.w, -1), combine(plain.w0, lr*0.5, plain.w0, 0)) // lr·λ·θ₀
		if opt == "adamw" {
			unset := run(opt+"-unset", 1, opt, "")
			near("adamw, weight_decay left out: θ₁ − θ₁(0.01)", combine(plain.w, 1, unset.w, -1), combine(plain.w0, lr*0.01, plain.w0, 0))
		}
	}

	// Nesterov's first step is (1 + μ) plain momentum's.
	mom := run("momentum", 1, "sgd", "momentum = 0.5")
	nest := run("nesterov", 1, "sgd", "momentum = 0.5\nnesterov = true")
	near("nesterov: θ₀ − θ₁", combine(nest.w0, 1, nest.w, -1), combine(mom.w0, 1.5, mom.w, -1.5))
	require.NotEmpty(t, mom.b, "momentum 0.5: the checkpoint keeps no momentum buffer")

	// Dampening scales the second gradient's share of the buffer.
	undamped := run("undamped", 2, "sgd", "momentum = 0.5")
	damped := run("damped", 2, "sgd", "momentum = 0.5\ndampening = 0.25")
	g2 := combine(undamped.b, 1, mom.b, -0.5)
	want := make([]float64, len(g2))
	for i := range g2 {
		want[i] = 0.5*float64(mom.b[i]) + 0.75*g2[i]
	}
	near("dampening 0.25: b₂", f64(damped.b), want)
}

// initialParams rebuilds, from the config stored in c, the network its run
// started from, and returns its parameters' values by name: what a test
// compares a trained checkpoint's tensors with.
func initialParams(t *testing.T, c *checkpoints.Checkpoint) map[string][]float32 {
	t.Helper()
	cfg, err := checkpointConfig(c)
	require.NoError(t, err)
	fresh, err := newSession(cfg)
	require.NoError(t, err)
	out := map[string][]float32{}
	for _, p := range fresh.net.params() {
		out[p.Name] = p.Value.Data
	}
	return out
}

// TestCLIWeightDecayHeader: the run header names the weight decay an
// optimizer trains with, AdamW's default 0.01 as one given, and none
// where it is 0.
func TestCLIWeightDecayHeader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tiny := []string{"-steps", "1", "-hidden", "4", "-batch", "2", "-eval-trials", "4", "-plot-format", "svg"}
	rnntrain(t, dir, append([]string{"train", "-optimizer", "adamw", "-out", "adamw"}, tiny...)...).want(t, 0, "  train  adamw (weight decay 0.01) lr 0.003,")
	rnntrain(t, dir, append([]string{"train", "-optimizer", "sgd", "-weight-decay", "0.5", "-out", "sgd"}, tiny...)...).want(t, 0, "  train  sgd (weight decay 0.5) lr")
	rnntrain(t, dir, append([]string{"train", "-optimizer", "adamw", "-weight-decay", "0", "-out", "none"}, tiny...)...).want(t, 0, "  train  adamw lr 0.003,")
}
