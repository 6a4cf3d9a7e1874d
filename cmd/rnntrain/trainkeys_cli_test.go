package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLITrainKeysRateTarget: train.regularization.rate_target is the
// target of the l2_rate_target penalty λ·mean_j(r̄_j − target)², of each
// unit's mean rate r̄_j, which the loss gains (checkQuadraticPenalty).
func TestCLITrainKeysRateTarget(t *testing.T) {
	t.Parallel()
	checkQuadraticPenalty(t, t.TempDir(), nil, "-rate-target-reg", "-rate-target")
}

// TestCLITrainKeysTBPTT: train.tbptt cuts the backward pass, not the
// forward one. Truncated runs have the first loss of full BPTT; windows of
// 10 steps stop every gradient at the first window's end, before the
// scored decision step of context-dm, so the trained initial state keeps
// its initial value, which full BPTT moves; a window longer than every
// trial is full BPTT, bit for bit.
func TestCLITrainKeysTBPTT(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	runs := map[string]string{}
	for _, k := range []string{"0", "10", "1000"} {
		runs[k] = keysRun(t, work, "tbptt"+k, "-tbptt", k, "-train-h0")
	}
	full := firstMetrics(t, runs["0"]).Loss
	for _, k := range []string{"10", "1000"} {
		if l := firstMetrics(t, runs[k]).Loss; !near(l, full, 0, 1e-6) {
			t.Errorf("-tbptt %s: first loss %v, full BPTT's %v", k, l, full)
		}
	}
	_, a := loadTensors(t, runs["0"])
	_, b := loadTensors(t, runs["1000"])
	require.NoError(t, sameBits(a, b), "-tbptt 1000 (no trial is longer) against full BPTT")
	h0 := func(run string) bool {
		w := updates(t, run)["h0"]
		require.NotEmpty(t, w, "%s: no initial state", run)
		return slices.ContainsFunc(w, func(d float64) bool { return d != 0 })
	}
	if !h0(runs["0"]) {
		t.Fatalf("full BPTT left the initial state as it was: the test shows nothing")
	}
	if h0(runs["10"]) {
		t.Errorf("-tbptt 10 moved the initial state: its gradient crossed the first window's end")
	}
}

// TestCLITrainKeysOptimizer: train.optimizer.beta1, beta2 and eps of a
// config file and -weight-decay reach Adam's and Adamax's updates
// (TestCLIOptimizerSettings checks SGD's keys and AdamW's decay). With β1
// = 0.5, β2 = 0.9, ε = 0.01 the checkpoints of two steps hold the moments
// m, v (Adamax: u) and the weights θ, from which, per element, with g_t
// the gradient (m_1 = (1 − β1) g_1):
//
//	Adam:    v_t = β2 v_{t−1} + (1 − β2) g_t²,   θ_{t−1} − θ_t = lr/(1 − β1ᵗ) · m_t / (√(v_t/(1 − β2ᵗ)) + ε)
//	Adamax:  u_t = max(β2 u_{t−1}, |g_t| + ε),   θ_{t−1} − θ_t = lr/(1 − β1ᵗ) · m_t / u_t
//
// and L2 weight decay λ adds λθ_0 to the first gradient: m_1(λ) − m_1 =
// (1 − β1) λ θ_0.
func TestCLITrainKeysOptimizer(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const lr, b1, b2, eps, wd = 0.01, 0.5, 0.9, 0.01, 0.5
	hyper := writeSpec(t, work, "hyper.toml", fmt.Sprintf("[train.optimizer]\nbeta1 = %v\nbeta2 = %v\neps = %v\n", b1, b2, eps))
	for _, opt := range []string{"adam", "adamax"} {
		args := []string{"-optimizer", opt, "-lr", fmt.Sprint(lr), "-config", hyper, "-batch", "4"}
		run := keysRun(t, work, opt, slices.Concat(args, []string{"-steps", "2", "-save-every", "1"})...)
		decayed, _ := tensorsAt(t, keysRun(t, work, opt+"-wd", slices.Concat(args, []string{"-weight-decay", fmt.Sprint(wd)})...))
		one, c := tensorsAt(t, checkpoints.StepPath(run, 1))
		two, _ := tensorsAt(t, run)
		second := map[string]string{"adam": ".exp_avg_sq", "adamax": ".exp_inf"}[opt]
		slot := func(ts map[string][]float32, param, name string) []float32 {
			t.Helper()
			s, ok := ts[checkpoints.OptimizerPrefix+param+name]
			require.True(t, ok, "%s: no %s%s in the checkpoint", opt, param, name)
			return s
		}
		check := func(what, param string, k int, got, want float64) {
			t.Helper()
			if !near(got, want, 1e-7, 1e-4) {
				t.Fatalf("%s: %s of %s[%d]: got %g, want %g", opt, what, param, k, got, want)
			}
		}
		moved := 0
		for param, w0 := range initialParams(t, c) {
			if param == "h0" { // not trained
				continue
			}
			m1, v1, m2, v2 := slot(one, param, ".exp_avg"), slot(one, param, second), slot(two, param, ".exp_avg"), slot(two, param, second)
			mw := slot(decayed, param, ".exp_avg")
			for k := range w0 {
				g1, g2 := float64(m1[k])/(1-b1), (float64(m2[k])-b1*float64(m1[k]))/(1-b1)
				step1, step2 := float64(w0[k])-float64(one[param][k]), float64(one[param][k])-float64(two[param][k])
				if opt == "adam" {
					check("v_1", param, k, float64(v1[k]), (1-b2)*g1*g1)
					check("v_2", param, k, float64(v2[k]), b2*float64(v1[k])+(1-b2)*g2*g2)
					check("θ_0 − θ_1", param, k, step1, lr/(1-b1)*float64(m1[k])/(math.Sqrt(float64(v1[k])/(1-b2))+eps))
					check("θ_1 − θ_2", param, k, step2, lr/(1-b1*b1)*float64(m2[k])/(math.Sqrt(float64(v2[k])/(1-b2*b2))+eps))
				} else {
					check("u_1", param, k, float64(v1[k]), math.Abs(g1)+eps)
					check("u_2", param, k, float64(v2[k]), max(b2*float64(v1[k]), math.Abs(g2)+eps))
					check("θ_0 − θ_1", param, k, step1, lr/(1-b1)*float64(m1[k])/float64(v1[k]))
					check("θ_1 − θ_2", param, k, step2, lr/(1-b1*b1)*float64(m2[k])/float64(v2[k]))
				}
				check("m_1(λ) − m_1", param, k, float64(mw[k])-float64(m1[k]), (1-b1)*wd*float64(w0[k]))
				if g1 != 0 {
					moved++
				}
			}
		}
		require.Positive(t, moved, "%s: no gradient", opt)
	}
}

// TestCLITrainKeysSchedule: the learning-rate schedule's keys set the rate
// plain SGD (-clip 0) updates with, θ_{t−1} − θ_t = lr_t g_t
// (TestCLILearningRateSchedules checks the rate metrics.jsonl logs). One
// seed's runs take the same first gradient, and the same second one while
// their first updates agree: -warmup 2 halves the first update, and a
// cosine schedule over 2 updates towards min_lr = 0.02 (from lr 0.1)
// makes the first at lr and the second at (lr + min_lr)/2 = 0.06, 0.6
// times the constant rate's.
func TestCLITrainKeysSchedule(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	sgd := []string{"-optimizer", "sgd", "-lr", "0.1", "-clip", "0", "-steps", "2", "-save-every", "1"}
	runs := map[string]string{
		"constant": keysRun(t, work, "constant", sgd...),
		"warmup":   keysRun(t, work, "warmup", slices.Concat(sgd, []string{"-warmup", "2"})...),
		"cosine": keysRun(t, work, "cosine", slices.Concat(sgd, []string{"-schedule", "cosine",
			"-config", writeSpec(t, work, "cos.toml", "[train.schedule]\nmin_lr = 0.02\n")})...),
	}
	first, second := map[string]map[string][]float64{}, map[string]map[string][]float64{}
	for name, run := range runs {
		first[name] = updates(t, checkpoints.StepPath(run, 1))
		second[name] = updates(t, run)
		for p, d := range second[name] {
			for i := range d {
				d[i] -= first[name][p][i] // θ_1 − θ_2
			}
		}
	}
	for _, c := range []struct {
		what  string
		got   map[string][]float64
		scale float64
		want  map[string][]float64
	}{
		{"-warmup 2: the first update", first["warmup"], 0.5, first["constant"]},
		{"cosine: the first update", first["cosine"], 1, first["constant"]},
		{"cosine, min_lr 0.02: the second update", second["cosine"], 0.6, second["constant"]},
	} {
		for p, d := range c.want {
			for i, x := range d {
				if !near(c.got[p][i], c.scale*x, 1e-6, 1e-4) {
					t.Fatalf("%s, %s[%d]: %g, want %g times the constant rate's %g", c.what, p, i, c.got[p][i], c.scale, x)
				}
			}
		}
	}
}

// TestCLITrainKeysFPTT: train.fptt.reset_every sets when FPTT resets
// W ← W̄ and λ ← 0 (after an update that moved W, λ = −α(W₁ − W₀) is not
// 0): every reset_every updates, with 0 once per epoch, train.eval_every
// updates for a generated task, and with −1 never (TestCLIFPTTSettings
// checks reset_every 1 and the keys of the update). train.fptt.k, the
// optimizer steps per window, and train.fptt.loss progressive, which
// trains the windows before the answer of context-dm on it, change the
// weights of one seed's update.
func TestCLITrainKeysFPTT(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const param = "leaky.weight_hh"
	run := func(name, fptt string, args ...string) map[string][]float32 {
		t.Helper()
		cfg := writeSpec(t, work, name+".toml", "[train]\ntrainer = \"fptt\"\n[train.fptt]\n"+fptt+"\n")
		ts, _ := tensorsAt(t, keysRun(t, work, name, append([]string{"-config", cfg, "-lr", "0.05"}, args...)...))
		return ts
	}
	for _, c := range []struct {
		name, every string
		args        []string
		reset       bool
	}{
		{"epoch", "0", []string{"-eval-every", "1"}, true},
		{"never", "-1", []string{"-eval-every", "1"}, false},
		{"two", "2", []string{"-steps", "2", "-eval-every", "0"}, true},
	} {
		ts := run(c.name, "parts = 1\nreset_every = "+c.every, c.args...)
		mean, lambda := ts[checkpoints.OptimizerPrefix+param+".fptt_mean"], ts[checkpoints.OptimizerPrefix+param+".fptt_lambda"]
		require.Len(t, lambda, len(ts[param]), "%s: λ of %s", c.name, param)
		reset := slices.Equal(mean, ts[param]) && !slices.ContainsFunc(lambda, func(x float32) bool { return x != 0 })
		if reset != c.reset {
			t.Errorf("reset_every %s %v: W = W̄ and λ = 0 after the run: %v, want %v", c.every, c.args, reset, c.reset)
		}
	}
	for _, c := range []struct{ key, base, with string }{
		{"k", "parts = 1", "parts = 1\nk = 2"},
		{"loss", "parts = 2", "parts = 2\nloss = \"progressive\""},
	} {
		if slices.Equal(run(c.key+"-base", c.base)[param], run(c.key, c.with)[param]) {
			t.Errorf("%q: %s after the update is that of %q", c.with, param, c.base)
		}
	}
}

// TestCLITrainKeysRunLength: train.keep keeps that many step checkpoints,
// the newest; train.target_accuracy ends a run at the first evaluation that
// reaches it; train.eval_trials is the number of trials of each held-out
// evaluation; train.batch_size is the number of trials of each batch, whose
// train_accuracy, the fraction right of its trials, is a multiple of
// 1/batch_size.
func TestCLITrainKeysRunLength(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "keep")
	rnntrain(t, work, "train", "-steps", "4", "-save-every", "1", "-keep", "2", "-log-every", "1", "-hidden", "8", "-batch", "5",
		"-eval-trials", "7", "-eval-every", "2", "-plot-format", "svg", "-out", run).want(t, 0, "on 7 fresh trials")
	steps, err := checkpoints.Steps(run)
	require.NoError(t, err)
	require.Equal(t, []int{3, 4}, steps, "step checkpoints of -steps 4 -save-every 1 -keep 2")
	fractional := false
	for _, m := range metricsOf(t, run) {
		right := m.Accuracy * 5
		require.InDelta(t, math.Round(right), right, 1e-9, "-batch 5: train_accuracy %v at step %d", m.Accuracy, m.Step)
		fractional = fractional || m.Accuracy > 0 && m.Accuracy < 1
	}
	require.True(t, fractional, "every train_accuracy is 0 or 1: the batch size does not show")

	run = filepath.Join(work, "target")
	rnntrain(t, work, "train", "-steps", "5", "-eval-every", "1", "-eval-trials", "64", "-target-accuracy", "0.01", "-hidden", "8",
		"-batch", "2", "-plot-format", "svg", "-out", run).want(t, 0, "stopped at step 1", "reached the target 0.01")
	steps, err = checkpoints.Steps(run)
	require.NoError(t, err)
	require.Equal(t, []int{1}, steps, "-target-accuracy 0.01 reached at the first evaluation")
}
