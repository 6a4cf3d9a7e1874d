package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/train"
)

// TestCLIFPTT trains with trainer fptt from a config file ([train] trainer
// and the [train.fptt] keys) and from the flags -trainer, -parts and
// -fptt-k: the run header and the recorded config hold the options, the
// checkpoint holds W̄ and λ, 3 updates resumed to 6 equal 6 in one go bit
// for bit, and bad values are usage errors naming the key.
func TestCLIFPTT(t *testing.T) {
	work := t.TempDir()
	conf := `seed = 2
[task]
name = "adding"
[task.settings]
steps = 40
[model]
kind = "gru"
hidden = 8
[train]
steps = 3
batch_size = 8
eval_every = 0
eval_trials = 16
trainer = "fptt"
[train.fptt]
parts = 4
k = 2
alpha = 0.2
loss = "progressive"
reset_every = 2
`
	require.NoError(t, os.WriteFile(filepath.Join(work, "run.toml"), []byte(conf), 0o644))
	rnntrain(t, work, "train", "-config", "run.toml", "-out", "a").want(t, 0,
		"fptt   4 parts (windows of 10 steps), k 2, α 0.2", "progressive loss, reset every 2 updates")
	c, err := checkpoints.Load(checkpoints.LatestPath(filepath.Join(work, "a")))
	require.NoError(t, err)
	cfg, err := checkpointConfig(c)
	require.NoError(t, err)
	f := cfg.Train.FPTT
	require.Equal(t, train.FPTT, cfg.Train.Trainer)
	require.Equal(t, []any{4, 2, 0.2, train.Progressive, 2}, []any{f.Parts, f.K, f.Alpha, f.Loss, f.ResetEvery})
	var mean, lambda int
	for _, ts := range c.Tensors {
		switch {
		case strings.HasSuffix(ts.Name, ".fptt_mean"):
			mean++
		case strings.HasSuffix(ts.Name, ".fptt_lambda"):
			lambda++
		}
	}
	require.Positive(t, mean, "no W̄ tensors in the checkpoint")
	require.Equal(t, mean, lambda)

	rnntrain(t, work, "train", "-resume", "a", "-steps", "6").want(t, 0, "resume from step 3")
	rnntrain(t, work, "train", "-config", "run.toml", "-steps", "6", "-out", "ref").want(t, 0)
	s1, x := loadTensors(t, filepath.Join(work, "a"))
	s2, y := loadTensors(t, filepath.Join(work, "ref"))
	require.Equal(t, []int{6, 6}, []int{s1, s2})
	require.NoError(t, sameBits(x, y), "3 updates resumed to 6 against 6 in one go")

	rnntrain(t, work, "train", "-task", "adding", "-model", "gru", "-hidden", "8", "-steps", "1", "-batch", "4",
		"-eval-trials", "4", "-trainer", "fptt", "-parts", "5", "-fptt-k", "3", "-out", "b").want(t, 0,
		"fptt   5 parts (windows of 40 steps), k 3", "window loss, reset every epoch")
	// More parts than steps: one window a step, not 1000.
	rnntrain(t, work, "train", "-task", "adding", "-model", "gru", "-hidden", "8", "-steps", "1", "-batch", "4",
		"-eval-trials", "4", "-trainer", "fptt", "-parts", "1000", "-out", "c").want(t, 0,
		"fptt   200 windows of 1 step (parts 1000 is more than the 200 steps of a trial: one window a step), k 1")
	rnntrain(t, work, "train", "-trainer", "rtrl", "-steps", "1").want(t, 2, "rtrl", "bptt, fptt")
	rnntrain(t, work, "train", "-trainer", "fptt", "-parts", "0", "-steps", "1").want(t, 2, "fptt.parts")
	rnntrain(t, work, "train", "-trainer", "fptt", "-tbptt", "5", "-steps", "1").want(t, 2, "tbptt")
	// Truncated BPTT: windows shorter than a trial, or none (a window longer than every trial).
	rnntrain(t, work, "train", "-hidden", "8", "-steps", "1", "-batch", "4", "-eval-trials", "4", "-tbptt", "20",
		"-out", "d").want(t, 0, "tbptt  windows of 20 steps\n")
	rnntrain(t, work, "train", "-hidden", "8", "-steps", "1", "-batch", "4", "-eval-trials", "4", "-tbptt", "100000",
		"-out", "e").want(t, 0, "tbptt  windows of 100000 steps: no trial is longer (at most 68 steps), so every trial runs as one window, full BPTT")
}

// TestFPTTWindowsText: the run header says how many windows FPTT cuts a
// trial into and of how many steps, as the trainer does (window ⌊T/parts⌋
// steps, at least 1, the remainder in one more window), not the parts asked
// for.
func TestFPTTWindowsText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		parts, minT, maxT int
		want              string
	}{
		{4, 40, 40, "4 parts (windows of 10 steps)"},
		{1000, 40, 40, "40 windows of 1 step (parts 1000 is more than the 40 steps of a trial: one window a step)"},
		{100, 150, 150, "150 windows of 1 step (parts 100: windows of ⌊150/100⌋ = 1 step)"},
		{3, 40, 40, "4 windows of 13 steps, the last of 1 (parts 3: windows of ⌊40/3⌋ = 13 steps)"},
		{10, 80, 125, "windows of ⌊T/10⌋ steps for a batch of T steps (its longest trial, 80–125): from 10 parts (windows of 8 steps) to 11 windows of 12 steps, the last of 5"},
	} {
		if got := fpttWindows(c.parts, c.minT, c.maxT); got != c.want {
			t.Errorf("fpttWindows(%d, %d, %d) = %q, want %q", c.parts, c.minT, c.maxT, got, c.want)
		}
	}
}

// TestCLIFPTTSettings: the [train.fptt] keys reach the update. One update
// of one window (parts 1) from W₀ = W̄₀ with λ₀ = 0 leaves
//
//	λ₁ = −α (W₁ − W₀),   W̄₁ = (1 − β) W₀ + β W₁ − (β/α) λ₁ = W₀ + 2β (W₁ − W₀),
//
// so the checkpoint's W₁, W̄₁ and λ₁ against the config's W₀ show α and β;
// reset_every 1 leaves W = W̄ and λ = 0. ρ and reg enter once λ and W − W̄
// are not 0, in the second update (the first window of context-dm, before
// the answer, does not move W); prior_after 2 in the second update too,
// whose progressive cross-entropy takes the uniform prior in place of the
// running one the first update estimated. Changing one changes the weights.
func TestCLIFPTTSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const param = "leaky.weight_hh"
	type fpttState struct{ w, mean, lambda, w0 []float32 }
	run := func(name, fptt string, args ...string) fpttState {
		t.Helper()
		dir := filepath.Join(work, name)
		cfg := writeSpec(t, work, name+".toml", "[train]\ntrainer = \"fptt\"\n[train.fptt]\n"+fptt+"\n")
		rnntrain(t, work, append([]string{"train", "-config", cfg, "-steps", "1", "-eval-every", "0", "-hidden", "8", "-batch", "4",
			"-eval-trials", "4", "-lr", "0.05", "-quiet", "-plot-format", "svg", "-out", dir}, args...)...).want(t, 0)
		ts, c := tensorsAt(t, dir)
		opt := checkpoints.OptimizerPrefix + param
		s := fpttState{w: ts[param], mean: ts[opt+".fptt_mean"], lambda: ts[opt+".fptt_lambda"], w0: initialParams(t, c)[param]}
		require.Len(t, s.mean, len(s.w), "%s: W̄ of %s", name, param)
		require.Len(t, s.lambda, len(s.w), "%s: λ of %s", name, param)
		require.Len(t, s.w0, len(s.w), "%s: the initial %s", name, param)
		return s
	}
	near := func(what string, i int, got float32, want float64) {
		t.Helper()
		if math.Abs(float64(got)-want) > 1e-6+1e-4*math.Abs(want) {
			t.Fatalf("%s, element %d: got %g, want %g", what, i, got, want)
		}
	}
	s := run("one", "parts = 1\nalpha = 0.2\nbeta = 0.3")
	moved := false
	for i := range s.w {
		step := float64(s.w[i]) - float64(s.w0[i])
		moved = moved || step != 0
		near("λ₁ = −α (W₁ − W₀)", i, s.lambda[i], -0.2*step)
		near("W̄₁ = W₀ + 2β (W₁ − W₀)", i, s.mean[i], float64(s.w0[i])+2*0.3*step)
	}
	require.True(t, moved, "the update left %s as it was: the test shows nothing", param)

	r := run("reset", "parts = 1\nreset_every = 1")
	require.Equal(t, r.mean, r.w, "reset_every 1: W = W̄ after the update")
	require.Equal(t, make([]float32, len(r.lambda)), r.lambda, "reset_every 1: λ = 0 after the update")

	base := run("two", "parts = 2", "-steps", "2")
	for _, c := range []struct{ name, fptt string }{{"rho", "parts = 2\nrho = 0.5"}, {"reg", "parts = 2\nreg = 3"}} {
		if o := run(c.name, c.fptt, "-steps", "2"); slices.Equal(o.w, base.w) {
			t.Errorf("%s: the weights are those of the run without it", c.fptt)
		}
	}
	ce := []string{"-task", "perceptual-dm", "-preset", "neurogym", "-steps", "2"}
	prior := run("prior", "parts = 2\nloss = \"progressive\"", ce...)
	if o := run("prior-after", "parts = 2\nloss = \"progressive\"\nprior_after = 2", ce...); slices.Equal(o.w, prior.w) {
		t.Errorf("prior_after 2: the weights are those of the run without it")
	}
}
