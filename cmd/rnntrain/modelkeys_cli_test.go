package main

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/layers"
)

// keysRun trains a tiny network (one step of 8 units on batches of 2,
// unless args, which follow these flags, say otherwise) into work/name and
// returns the run directory.
func keysRun(t *testing.T, work, name string, args ...string) string {
	t.Helper()
	dir := filepath.Join(work, name)
	rnntrain(t, work, append([]string{"train", "-steps", "1", "-hidden", "8", "-batch", "2", "-eval-trials", "4",
		"-quiet", "-plot-format", "svg", "-out", dir}, args...)...).want(t, 0)
	return dir
}

// tensorsAt returns the tensors of the checkpoint at path (a run
// directory stands for its latest checkpoint) by name, the optimizer's
// state included, and the checkpoint.
func tensorsAt(t *testing.T, path string) (map[string][]float32, *checkpoints.Checkpoint) {
	t.Helper()
	if !strings.HasSuffix(path, ".safetensors") {
		path = checkpoints.LatestPath(path)
	}
	c, err := checkpoints.Load(path)
	require.NoError(t, err)
	m := map[string][]float32{}
	for _, x := range c.Tensors {
		m[x.Name] = x.F32
	}
	return m, c
}

// firstMetrics returns the first line of the run's metrics.jsonl.
func firstMetrics(t *testing.T, run string) metricsLine {
	t.Helper()
	m := metricsOf(t, run)
	require.NotEmpty(t, m, "%s: metrics.jsonl has no line", run)
	return m[0]
}

// penaltyOf returns the penalties in the loss of the last step of the run,
// its checkpoint's loss less its task loss.
func penaltyOf(t *testing.T, run string) float64 {
	t.Helper()
	_, c := tensorsAt(t, run)
	return c.Meta.Metrics["loss"] - c.Meta.Metrics["task_loss"]
}

// recorded runs eval -record on the run with args (-noise=false unless
// they say otherwise) and returns the recording's arrays, which are
// [trials, T, size] with trials first.
func recorded(t *testing.T, work, run string, args ...string) map[string]npy.Array {
	t.Helper()
	file := run + strings.NewReplacer("-", "", "=", "").Replace(strings.Join(args, "")) + ".npz"
	rnntrain(t, work, append([]string{"eval", "-checkpoint", run, "-trials", "6", "-noise=false", "-record", file}, args...)...).want(t, 0)
	f, err := npy.OpenArchive(file)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]npy.Array{}
	for _, name := range f.Names() {
		if a, err := f.ReadNumeric(name); err == nil {
			out[name] = a
		}
	}
	return out
}

// near reports whether got is want to within abs + rel·|want|.
func near(got, want, abs, rel float64) bool { return math.Abs(got-want) <= abs+rel*math.Abs(want) }

// unchangedParams returns the names of the parameters the training of the
// run left bit for bit at their initial values and the names of the others.
func unchangedParams(t *testing.T, run string) (same, moved []string) {
	t.Helper()
	trained, c := tensorsAt(t, run)
	for pname, w0 := range initialParams(t, c) {
		w, ok := trained[pname]
		require.True(t, ok, "%s: no parameter %s in the checkpoint", run, pname)
		if slices.Equal(w, w0) {
			same = append(same, pname)
		} else {
			moved = append(moved, pname)
		}
	}
	slices.Sort(same)
	slices.Sort(moved)
	return same, moved
}

// TestCLIModelKeysEveryKind checks the keys every model kind has. Each of
// model.freeze_input, freeze_recurrent, freeze_bias and freeze_output,
// alone in a config file, keeps exactly its own parameters at their
// initial values through two updates while every other parameter moves;
// model.train_initial_state (-train-h0, given with freeze_output) moves the
// initial state, which the other runs keep. For each model kind the table
// names its parameter groups and the parameters its configuration never
// trains: the low-rank net reading out itself (rates tanh) trains neither
// its input weights W_I, its readout W_O nor its bias b, so freeze_bias,
// which would leave it as it is, is refused, as it is beside no_bias.
// model.noise σ enters the training pass: the freeze_input run with
// -noise 0 has another first loss or gradient norm.
func TestCLIModelKeysEveryKind(t *testing.T) {
	t.Parallel()
	type groups struct {
		input, recurrent, bias, output, never []string
	}
	readout := []string{"readout.bias", "readout.weight"}
	spiking := []string{"-threshold", "0.5"} // units that fire in the decision step, so that the readout trains
	for _, c := range []struct {
		kind string
		args []string
		h0   string
		groups
	}{
		{"rnn", nil, "h0", groups{[]string{"rnn.weight_ih_l0"}, []string{"rnn.weight_hh_l0"}, []string{"rnn.bias_hh_l0", "rnn.bias_ih_l0"}, readout, nil}},
		{"leaky", nil, "h0", groups{[]string{"leaky.weight_ih"}, []string{"leaky.weight_hh"}, []string{"leaky.bias"}, readout, nil}},
		{"gru", nil, "h0", groups{[]string{"gru.weight_ih_l0"}, []string{"gru.weight_hh_l0"}, []string{"gru.bias_hh_l0", "gru.bias_ih_l0"}, readout, nil}},
		{"lowrank", nil, "lowrank.h0", groups{[]string{"lowrank.si"}, []string{"lowrank.m", "lowrank.n"}, nil, []string{"lowrank.so"},
			[]string{"lowrank.b", "lowrank.wi", "lowrank.wo"}}},
		{"lowrank", []string{"-rates", "phi"}, "lowrank.h0", groups{[]string{"lowrank.wi"}, []string{"lowrank.m", "lowrank.n"}, []string{"lowrank.b"}, readout,
			[]string{"lowrank.si"}}},
		{"egru", nil, "h0", groups{[]string{"egru.weight_ih"}, []string{"egru.weight_hh"}, []string{"egru.bias_hh", "egru.bias_ih", "egru.threshold"}, readout, nil}},
		{"lif", spiking, "h0", groups{[]string{"lif.weight_ih"}, []string{"lif.weight_hh"}, []string{"lif.bias"}, readout, []string{"lif.beta"}}},
		{"alif", spiking, "h0", groups{[]string{"alif.weight_ih"}, []string{"alif.weight_hh"}, []string{"alif.bias"}, readout, []string{"alif.beta", "alif.rho"}}},
		{"ltc", nil, "h0", groups{[]string{"ltc.weight_ih"}, []string{"ltc.gate_b.weight", "ltc.gate_d.weight", "ltc.gate_u.weight", "ltc.weight_hh"},
			[]string{"ltc.bias", "ltc.gate.bias"}, readout, nil}},
	} {
		name := c.kind + strings.Join(c.args, "")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			for _, row := range []struct {
				keys   string
				frozen []string // besides c.never
			}{
				{"freeze_input", append([]string{c.h0}, c.input...)},
				{"freeze_recurrent", append([]string{c.h0}, c.recurrent...)},
				{"freeze_bias", append([]string{c.h0}, c.bias...)},
				{"freeze_output train_initial_state", c.output},
			} {
				toml := "[model]\n"
				for _, k := range strings.Fields(row.keys) {
					toml += k + " = true\n"
				}
				args := append([]string{"-model", c.kind, "-steps", "2", "-batch", "4", "-lr", "0.01", "-log-every", "1",
					"-config", writeSpec(t, work, row.keys+".toml", toml)}, c.args...)
				if row.keys == "freeze_bias" && c.bias == nil {
					rnntrain(t, work, append([]string{"train", "-out", filepath.Join(work, "refused")}, args...)...).
						want(t, 2, "model.freeze_bias: has no effect")
					continue
				}
				run := keysRun(t, work, row.keys, args...)
				same, moved := unchangedParams(t, run)
				want := slices.Sorted(slices.Values(append(slices.Clone(c.never), row.frozen...)))
				if !slices.Equal(same, want) {
					t.Errorf("%s %s: parameters at their initial values %v, want %v (moved: %v)", name, row.keys, same, want, moved)
				}
				if row.keys == "freeze_input" {
					quiet := keysRun(t, work, "noise0", append(slices.Clone(args), "-noise", "0")...)
					if m, noisy := firstMetrics(t, quiet), firstMetrics(t, run); m.Loss == noisy.Loss && m.GradNorm == noisy.GradNorm {
						t.Errorf("%s -noise 0: first loss %v and gradient norm %v, those of the default noise", name, m.Loss, m.GradNorm)
					}
				}
			}
		})
	}
	work := t.TempDir()
	rnntrain(t, work, "train", "-model", "lowrank", "-rates", "phi", "-out", filepath.Join(work, "refused"),
		"-config", writeSpec(t, work, "nobias.toml", "[model]\nno_bias = true\nfreeze_bias = true\n")).want(t, 2, "model.freeze_bias: has no effect")
	// An explicit false has no effect either, as no_bias = false with rates tanh.
	rnntrain(t, work, "train", "-model", "lowrank", "-out", filepath.Join(work, "refused"),
		"-config", writeSpec(t, work, "false.toml", "[model]\nfreeze_bias = false\n")).want(t, 2, "model.freeze_bias: has no effect")
}

// updates returns, for every parameter of the run's network, its change
// θ₀ − θ from the initial values to those of the checkpoint at path (a run
// directory: its latest).
func updates(t *testing.T, path string) map[string][]float64 {
	t.Helper()
	w, c := tensorsAt(t, path)
	out := map[string][]float64{}
	for name, w0 := range initialParams(t, c) {
		d := make([]float64, len(w0))
		for i := range w0 {
			d[i] = float64(w0[i]) - float64(w[name][i])
		}
		out[name] = d
	}
	return out
}

// sameUpdates reports the first element where the updates a and b differ
// by more than a float32 rounding, or "" when they agree.
func sameUpdates(a, b map[string][]float64) string {
	for name, x := range a {
		for i := range x {
			if !near(b[name][i], x[i], 1e-7, 1e-4) {
				return fmt.Sprintf("%s[%d]: %g against %g", name, i, x[i], b[name][i])
			}
		}
	}
	return ""
}

// TestCLIModelKeysEGRU: each egru key reaches the network.
//
//   - gamma and eps shape the pseudo-derivative γ·max(0, 1 − ε|c̃ − ϑ|) of
//     the backward pass alone: the first loss of plain SGD is the
//     default's, the first update is not, and a vanishing γ (1e-12) and a
//     vanishing support (ε = 1e30) both switch it off, giving one update.
//   - kernels sparse and dense give the same losses, gradient norms and
//     weights to float32 rounding, and the run's network runs the kernels
//     its config names.
//   - trace makes the recorded rates the output trace of the events y,
//     tr_t = 0.9 tr_{t−1} + 0.1 y_t from tr = 0.
//   - zoneout and drop_connect change the training pass of one seed (its
//     first loss); evaluation uses every connection, so a drop_connect net
//     is evaluated as the same net without it, and mixes c by zoneout's
//     rule (c̃ ← p c_{t−1} + (1 − p) c̃), so a zoneout net is not.
//   - activity_reg λ and activity_target add λ(a − target)² to the loss,
//     a the batch's activity: see checkQuadraticPenalty.
func TestCLIModelKeysEGRU(t *testing.T) {
	t.Parallel()
	egru := []string{"-model", "egru"}
	t.Run("gamma-eps", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		sgd := slices.Concat(egru, []string{"-optimizer", "sgd", "-lr", "0.1", "-clip", "0"})
		run := func(name string, args ...string) (metricsLine, map[string][]float64) {
			t.Helper()
			dir := keysRun(t, work, name, slices.Concat(sgd, args)...)
			return firstMetrics(t, dir), updates(t, dir)
		}
		base, u := run("default")
		flat, uGamma := run("gamma", "-gamma", "1e-12")
		narrow, uEps := run("eps", "-eps", "1e30")
		for _, m := range []metricsLine{flat, narrow} {
			if m.Loss != base.Loss {
				t.Errorf("first loss %v, the default's %v: γ or ε changed the forward pass", m.Loss, base.Loss)
			}
		}
		if sameUpdates(u, uGamma) == "" || sameUpdates(u, uEps) == "" {
			t.Errorf("the first update with -gamma 1e-12 or -eps 1e30 is the default's: the key does not reach the pseudo-derivative")
		}
		if d := sameUpdates(uGamma, uEps); d != "" {
			t.Errorf("first update with -gamma 1e-12 and with -eps 1e30, both without pseudo-derivative, differ at %s", d)
		}
	})
	t.Run("kernels", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		runs := map[string]string{}
		for _, k := range []string{"sparse", "dense"} {
			runs[k] = keysRun(t, work, k, append(egru, "-kernels", k, "-steps", "2", "-log-every", "1")...)
			s, _, err := loadSession(runs[k])
			require.NoError(t, err)
			// The network's layer embeds the *layers.EGRU that runs the kernels.
			e, ok := reflect.ValueOf(s.net.net.Recurrent()).FieldByName("EGRU").Interface().(*layers.EGRU[float32])
			require.True(t, ok, "the egru network's layer is no *layers.EGRU")
			require.Equal(t, k, e.Options.Kernels.String(), "the kernels of the network of a run with -kernels %s", k)
		}
		sparse, dense := metricsOf(t, runs["sparse"]), metricsOf(t, runs["dense"])
		require.Len(t, sparse, 2)
		require.Len(t, dense, 2)
		for i := range sparse {
			if !near(sparse[i].Loss, dense[i].Loss, 0, 1e-6) || !near(sparse[i].GradNorm, dense[i].GradNorm, 0, 1e-6) {
				t.Errorf("step %d: loss %v, gradient norm %v with sparse kernels, %v, %v with dense ones",
					sparse[i].Step, sparse[i].Loss, sparse[i].GradNorm, dense[i].Loss, dense[i].GradNorm)
			}
		}
		if d := sameUpdates(updates(t, runs["sparse"]), updates(t, runs["dense"])); d != "" {
			t.Errorf("the weights after 2 steps with sparse and dense kernels differ at %s", d)
		}
	})
	t.Run("trace", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		rec := recorded(t, work, keysRun(t, work, "trace", append(egru, "-trace", "-steps", "3", "-lr", "0.05")...))
		rates, y := rec["rates"], rec["state/y"].Float32()
		T, n := rates.Shape[1], rates.Shape[2]
		events := 0
		for b := range rates.Shape[0] {
			for i := range n {
				tr := 0.0
				for s := range T {
					k := (b*T+s)*n + i
					tr = 0.9*tr + 0.1*float64(y[k])
					if y[k] != 0 {
						events++
					}
					if !near(float64(rates.F32[k]), tr, 1e-6, 1e-4) {
						t.Fatalf("-trace: rates at trial %d, step %d, unit %d are %v, want the trace %v of state/y", b, s, i, rates.F32[k], tr)
					}
				}
			}
		}
		require.Positive(t, events, "no event in the recording: the trace is 0 throughout")
	})
	t.Run("zoneout-drop-connect", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		run := func(name string, args ...string) (float64, []float32) {
			t.Helper()
			dir := keysRun(t, work, name, slices.Concat(egru, []string{"-lr", "1e-9"}, args)...)
			return firstMetrics(t, dir).Loss, recorded(t, work, dir)["outputs"].Float32()
		}
		loss, out := run("default")
		for _, c := range []struct {
			flag     string
			sameEval bool
		}{{"-zoneout", false}, {"-drop-connect", true}} {
			l, o := run(c.flag[1:], c.flag, "0.5")
			if l == loss {
				t.Errorf("%s 0.5: first loss %v, that of the run without it: the training pass did not change", c.flag, l)
			}
			same := true
			for i := range o {
				same = same && near(float64(o[i]), float64(out[i]), 1e-6, 1e-4)
			}
			if same != c.sameEval {
				t.Errorf("%s 0.5: evaluation outputs the same as without it: %v, want %v", c.flag, same, c.sameEval)
			}
		}
	})
	t.Run("activity", func(t *testing.T) {
		t.Parallel()
		checkQuadraticPenalty(t, t.TempDir(), egru, "-activity-reg", "-activity-target")
		work := t.TempDir()
		m := firstMetrics(t, keysRun(t, work, "figure", append(egru, "-activity-reg", "2", "-activity-target", "0.5")...))
		if want := 2 * math.Pow(m.Figures["rate_per_step"]-0.5, 2); !near(m.Figures["activity_penalty"], want, 1e-12, 1e-9) {
			t.Errorf("activity_penalty figure %v, want 2·(rate_per_step − 0.5)² = %v", m.Figures["activity_penalty"], want)
		}
	})
}

// checkQuadraticPenalty trains one step of the model of args with the
// penalty weight flag reg and its target flag target, for which the loss
// gains P(λ, x) = λ·mean(a − x)² over the batch's activities a (one
// network and batch whatever λ and x): P(λ, 0.2) + P(λ, 1) − 2 P(λ, 0.6) =
// 2·0.4²·λ whatever the activities, and P(2λ, x) = 2 P(λ, x).
func checkQuadraticPenalty(t *testing.T, work string, args []string, reg, target string) {
	t.Helper()
	const lambda = 10
	p := func(l, x float64) float64 {
		t.Helper()
		return penaltyOf(t, keysRun(t, work, fmt.Sprint(l, "-", x), append(slices.Clone(args), reg, fmt.Sprint(l), target, fmt.Sprint(x))...))
	}
	lo, mid, hi := p(lambda, 0.2), p(lambda, 0.6), p(lambda, 1)
	if got := lo + hi - 2*mid; !near(got, 2*0.4*0.4*lambda, 1e-4, 1e-4) {
		t.Errorf("%s %d %s: P(0.2) + P(1) − 2 P(0.6) = %g + %g − 2·%g = %g, want 2·0.4²·%d = %g", reg, lambda, target, lo, hi, mid, got, lambda, 2*0.4*0.4*lambda)
	}
	if double := p(2*lambda, 0.6); !near(double, 2*mid, 1e-5, 1e-4) {
		t.Errorf("%s %d %s 0.6: penalty %g, want twice that of %s %d, %g", reg, 2*lambda, target, double, reg, lambda, 2*mid)
	}
}

// TestCLIModelKeysNoiseConvention: model.noise σ and model.noise_convention
// set the private noise of a leaky net, which eval adds unless -noise=false.
// The first recorded step of a trial run with and without it (the same
// trials and the same draws ξ of one -seed) differs by the noise term: with
// state integration √(2α)·σ·ξ (psychrnn, the default; α = 0.2 on
// context-dm) or σ·ξ (valente), outside φ; with yang's convention under
// rate integration by √(2/α)·σ·ξ inside φ, in the drive that the
// recording's pre holds.
func TestCLIModelKeysNoiseConvention(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const sigma, alpha = 0.1, 0.2
	// firstStep returns, for every trial and unit, the recorded array's
	// first step with the noise less that without it.
	firstStep := func(name, array string, args ...string) []float64 {
		t.Helper()
		run := keysRun(t, work, name, append([]string{"-noise", fmt.Sprint(sigma), "-lr", "1e-9"}, args...)...)
		noisy, clean := recorded(t, work, run, "-noise=true", "-trials", "32")[array], recorded(t, work, run, "-trials", "32")[array]
		T, n := noisy.Shape[1], noisy.Shape[2]
		var d []float64
		for b := range noisy.Shape[0] {
			for i := range n {
				k := b*T*n + i
				d = append(d, float64(noisy.F32[k])-float64(clean.F32[k]))
			}
		}
		return d
	}
	psych := firstStep("psychrnn", "state/x")
	ss := 0.0
	for _, x := range psych {
		ss += x * x
	}
	if sd, want := math.Sqrt(ss/float64(len(psych))), math.Sqrt(2*alpha)*sigma; !near(sd, want, 0, 0.2) {
		t.Errorf("psychrnn: the noise of the first step has standard deviation %g over %d values, want √(2α)σ = %g", sd, len(psych), want)
	}
	for _, c := range []struct {
		name, array string
		args        []string
		scale       float64 // of psychrnn's noise
	}{
		{"valente", "state/x", []string{"-noise-convention", "valente"}, 1 / math.Sqrt(2*alpha)},
		{"yang", "pre", []string{"-noise-convention", "yang", "-integration", "rate"}, 1 / alpha},
	} {
		for i, x := range firstStep(c.name, c.array, c.args...) {
			if want := c.scale * psych[i]; !near(x, want, 1e-6, 1e-3) {
				t.Fatalf("%s: noise of the first step's %s %g (value %d), want %g times psychrnn's %g = %g", c.name, c.array, x, i, c.scale, psych[i], want)
			}
		}
	}
}

// writeCells writes an [rows, cols] float32 .npy file, 1 where on(i, j) and
// 0 elsewhere, into dir and returns its path.
func writeCells(t *testing.T, dir, name string, rows, cols int, on func(i, j int) bool) string {
	t.Helper()
	a := npy.Array{Shape: []int{rows, cols}, F32: make([]float32, rows*cols)}
	for k := range a.F32 {
		if on(k/cols, k%cols) {
			a.F32[k] = 1
		}
	}
	p := filepath.Join(dir, name)
	require.NoError(t, npy.WriteFile(p, a))
	return p
}

// TestCLIModelKeysConnectivity: the connectivity keys of the models with
// W_rec and W_in (rnn, leaky, lif, alif, ltc) keep the raw weights they
// remove or fix at their initial values, which the optimizer never gets a
// gradient for, where a run of the same seed without them moves them:
// model.no_autapses the diagonal of W_rec, rec_mask and in_mask the cut
// connections, rec_fixed and in_fixed the fixed ones, and model.dale
// (leaky and the spiking models) the readout of its inhibitory units,
// which Dale's law leaves unread.
func TestCLIModelKeysConnectivity(t *testing.T) {
	t.Parallel()
	const n, in = 8, 4 // context-dm has 4 inputs
	work := t.TempDir()
	type cells = func(i, j int) bool
	autapse := func(i, j int) bool { return i == j }
	recCut := func(i, j int) bool { return j == (i+1)%n }
	recFixed := func(i, j int) bool { return j == (i+2)%n }
	inCut := func(i, k int) bool { return (i+k)%in == 0 }
	inFixed := func(i, k int) bool { return (i+k)%in == 1 }
	inhibitory := func(_, j int) bool { return j >= n/2 } // dale 0.5: units 4–7
	not := func(f cells) cells { return func(i, j int) bool { return !f(i, j) } }
	keys := []string{"-no-autapses",
		"-rec-mask", writeCells(t, work, "rec-mask.npy", n, n, not(recCut)),
		"-rec-fixed", writeCells(t, work, "rec-fixed.npy", n, n, recFixed),
		"-in-mask", writeCells(t, work, "in-mask.npy", n, in, not(inCut)),
		"-in-fixed", writeCells(t, work, "in-fixed.npy", n, in, inFixed)}
	for _, kind := range []string{"rnn", "leaky", "lif", "alif", "ltc"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			rec, inp := kind+".weight_hh", kind+".weight_ih"
			args := []string{"-model", kind, "-steps", "2", "-batch", "4", "-lr", "0.01"}
			if kind == "rnn" {
				rec, inp = rec+"_l0", inp+"_l0"
			}
			if kind == "lif" || kind == "alif" {
				args = append(args, "-threshold", "0.5")
			}
			rows := []struct {
				key, tensor string
				cols        int
				kept        cells
			}{
				{"no_autapses", rec, n, autapse}, {"rec_mask", rec, n, recCut}, {"rec_fixed", rec, n, recFixed},
				{"in_mask", inp, in, inCut}, {"in_fixed", inp, in, inFixed},
			}
			with := append(slices.Clone(args), keys...)
			if kind != "rnn" {
				with = append(with, "-dale", "0.5")
				rows = append(rows, struct {
					key, tensor string
					cols        int
					kept        cells
				}{"dale", "readout.weight", n, inhibitory})
			}
			base, keyed := updates(t, keysRun(t, work, "base", args...)), updates(t, keysRun(t, work, "keyed", with...))
			for _, r := range rows {
				shows := false
				for k, d := range keyed[r.tensor] {
					if !r.kept(k/r.cols, k%r.cols) {
						continue
					}
					if d != 0 {
						t.Errorf("%s %s: %s[%d, %d] moved by %g", kind, r.key, r.tensor, k/r.cols, k%r.cols, d)
					}
					shows = shows || base[r.tensor][k] != 0
				}
				if !shows {
					t.Errorf("%s %s: the run without it left the weights it keeps as they were too: the test shows nothing", kind, r.key)
				}
			}
		})
	}
}

// TestCLIModelKeysSpiking checks the spiking models' keys that
// TestCLISpikingForwardOptions and TestCLISpikeBackwardOptions do not:
//
//   - model.reset_grad and model.surrogate of lif and ltc change the
//     backward pass alone: the first loss and firing rate (after an update
//     too small to change a spike) are the default's, the gradient norm
//     is each run's own;
//   - model.encoding (poisson, delta) and its encoding_gain and
//     encoding_threshold change the inputs the first batch's units see,
//     so their firing rate, as the lif keys do alif's (beside its own,
//     which TestCLISpikingForwardOptions checks) and tau_mem_bias and
//     tau_adapt_bias, the gates' initial biases, the ltc's;
//   - model.readout leaky and readout_tau_ms make the recorded outputs
//     o_t = β_o o_{t−1} + W_out r_t + b with β_o = exp(−dt/τ_out) of the
//     recorded spikes r, the linear readout's o_t = W_out r_t + b;
//   - model.train_tau trains alif's decays β and ρ.
func TestCLIModelKeysSpiking(t *testing.T) {
	t.Parallel()
	first := func(t *testing.T, work, name string, args ...string) (metricsLine, string) {
		t.Helper()
		dir := keysRun(t, work, name, append([]string{"-hidden", "16", "-batch", "4", "-lr", "1e-9", "-threshold", "0.5"}, args...)...)
		m := firstMetrics(t, dir)
		if m.Figures["rate_hz"] == 0 || m.GradNorm == 0 {
			t.Fatalf("%s: first rate %v Hz, gradient norm %v: the test shows nothing", name, m.Figures["rate_hz"], m.GradNorm)
		}
		return m, dir
	}
	for _, model := range []string{"lif", "ltc"} {
		t.Run("backward-"+model, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			base, _ := first(t, work, "default", "-model", model)
			norms := map[float64]string{base.GradNorm: "the default"}
			for _, args := range [][]string{{"-reset-grad"}, {"-surrogate", "FastSigmoid"}} {
				m, _ := first(t, work, args[0][1:], append([]string{"-model", model}, args...)...)
				if m.Loss != base.Loss || m.Figures["rate_hz"] != base.Figures["rate_hz"] {
					t.Errorf("%s %v: first loss %v at %v Hz, the default's %v at %v Hz: the forward pass changed",
						model, args, m.Loss, m.Figures["rate_hz"], base.Loss, base.Figures["rate_hz"])
				}
				if other, ok := norms[m.GradNorm]; ok {
					t.Errorf("%s %v: first gradient norm %v, that of %s", model, args, m.GradNorm, other)
				}
				norms[m.GradNorm] = fmt.Sprint(args)
			}
		})
	}
	t.Run("forward", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		rates := map[string]float64{}
		rate := func(model string, args ...string) float64 {
			t.Helper()
			name := model + strings.Join(args, "")
			if _, ok := rates[name]; !ok {
				m, _ := first(t, work, name, append([]string{"-model", model}, args...)...)
				rates[name] = m.Figures["rate_hz"]
			}
			return rates[name]
		}
		gain := []string{"-input-gain", "8"}          // inputs that make the encoded spikes count
		ltcThreshold := []string{"-threshold", "0.1"} // the ltc's default, where its units fire
		ltcBias := func(key string) []string {
			return []string{"-config", writeSpec(t, work, key+".toml", "[model]\nkind = \"ltc\"\n"+key+" = 3\n")}
		}
		for _, c := range []struct {
			model      string
			base, args []string
		}{
			{"lif", gain, []string{"-encoding", "poisson"}},
			{"lif", append(gain, "-encoding", "poisson"), []string{"-encoding-gain", "3"}},
			{"lif", gain, []string{"-encoding", "delta"}},
			{"lif", append(gain, "-encoding", "delta"), []string{"-encoding-threshold", "0.01"}},
			{"alif", nil, []string{"-tau-mem", "50"}},
			{"alif", nil, []string{"-tau-syn", "10"}},
			{"alif", nil, []string{"-threshold", "0.8"}},
			{"alif", nil, []string{"-reset", "zero"}},
			{"alif", nil, []string{"-refractory", "2"}},
			{"alif", nil, []string{"-input-gain", "2"}},
			{"alif", nil, []string{"-beta", "0.9"}},
			{"alif", nil, []string{"-spectral-radius", "2"}},
			{"ltc", ltcThreshold, ltcBias("tau_mem_bias")},
			{"ltc", ltcThreshold, ltcBias("tau_adapt_bias")},
		} {
			if got, base := rate(c.model, append(slices.Clone(c.base), c.args...)...), rate(c.model, c.base...); got == base {
				t.Errorf("%s %v: first batch's rate %v Hz, that of the run without it (%v)", c.model, c.args, got, c.base)
			}
		}
	})
	t.Run("readout", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		for _, c := range []struct {
			name string
			args []string
			beta float64
		}{
			{"linear", nil, 0},
			{"leaky", []string{"-readout", "leaky", "-readout-tau", "30"}, math.Exp(-20.0 / 30)}, // dt 20 ms
		} {
			_, run := first(t, work, c.name, append([]string{"-model", "lif", "-lr", "0.05", "-steps", "2"}, c.args...)...)
			w, _ := tensorsAt(t, run)
			rec := recorded(t, work, run)
			r, out := rec["rates"].Float32(), rec["outputs"].Float32()
			T, n, spikes := rec["rates"].Shape[1], rec["rates"].Shape[2], 0
			for b := range rec["rates"].Shape[0] {
				o := 0.0
				for s := range T {
					drive := float64(w["readout.bias"][0])
					for j := range n {
						drive += float64(w["readout.weight"][j]) * float64(r[(b*T+s)*n+j])
						if r[(b*T+s)*n+j] != 0 {
							spikes++
						}
					}
					o = c.beta*o + drive
					if got := float64(out[b*T+s]); !near(got, o, 1e-5, 1e-4) {
						t.Fatalf("%s readout: output of trial %d at step %d %v, want %v", c.name, b, s, got, o)
					}
				}
			}
			require.Positive(t, spikes, "%s: no spike recorded", c.name)
		}
	})
	t.Run("train_tau", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		_, run := first(t, work, "alif", "-model", "alif", "-train-tau", "-lr", "0.05", "-steps", "2")
		u := updates(t, run)
		for _, name := range []string{"alif.beta", "alif.rho"} {
			if !slices.ContainsFunc(u[name], func(d float64) bool { return d != 0 }) {
				t.Errorf("alif -train-tau: %s stayed at its initial value", name)
			}
		}
	})
}

// activations are the rate nonlinearities φ of model.activation.
func activations() map[string]func(float64) float64 {
	return map[string]func(float64) float64{
		"tanh":     math.Tanh,
		"relu":     func(x float64) float64 { return max(x, 0) },
		"softplus": func(x float64) float64 { return math.Log1p(math.Exp(x)) },
		"identity": func(x float64) float64 { return x },
	}
}

// checkRates checks that every recorded rate is rate(i, x) of the same
// element x of the recorded state, i its unit.
func checkRates(t *testing.T, what string, rec map[string]npy.Array, state string, rate func(i int, x float64) float64) {
	t.Helper()
	r, x := rec["rates"], rec[state].Float32()
	n := r.Shape[2]
	require.Len(t, x, len(r.F32), "%s: %s against rates", what, state)
	for k, v := range r.F32 {
		if want := rate(k%n, float64(x[k])); !near(float64(v), want, 1e-6, 1e-5) {
			t.Fatalf("%s: rate %v of unit %d, want %v of %s %v", what, v, k%n, want, state, x[k])
		}
	}
}

// firstDrive returns, for every recorded trial and unit i of n, α (Σ_k
// w(i, k) u_k + b_i) of the trial's first input u (b_i = 0 without bias),
// [trials][units]: the first state from the zero initial state of a net
// whose φ(0) = 0.
func firstDrive(rec map[string]npy.Array, alpha float64, n int, w func(i, k int) float64, bias []float32) [][]float64 {
	u := rec["inputs"]
	T, nIn := u.Shape[1], u.Shape[2]
	out := make([][]float64, u.Shape[0])
	for b := range out {
		out[b] = make([]float64, n)
		for i := range n {
			s := 0.0
			if bias != nil {
				s = float64(bias[i])
			}
			for k := range nIn {
				s += w(i, k) * float64(u.F32[b*T*nIn+k])
			}
			out[b][i] = alpha * s
		}
	}
	return out
}

// checkFirstState checks the recorded first state against want
// [trials][units].
func checkFirstState(t *testing.T, what string, rec map[string]npy.Array, state string, want [][]float64) {
	t.Helper()
	x := rec[state]
	T, n := x.Shape[1], x.Shape[2]
	for b := range want {
		for i, w := range want[b] {
			if got := float64(x.F32[b*T*n+i]); !near(got, w, 1e-6, 1e-4) {
				t.Fatalf("%s: first %s of trial %d, unit %d: %v, want %v", what, state, b, i, got, w)
			}
		}
	}
}

// TestCLIModelKeysRateNets checks the keys of the rate networks that shape
// their dynamics, through eval -record without noise and the checkpoint's
// weights:
//
//   - leaky model.activation: every rate is φ of its state x;
//   - leaky model.alpha: the first state from x_0 = 0 is α (W_in u_0 + b);
//   - lowrank model.rates: the rates are tanh(h) (whatever φ), φ(h + b)
//     or h, and model.activation is that φ;
//   - lowrank model.alpha: the first state from h_0 = 0 is
//     α W_in diag(s_i) u_0 (wi holds W_inᵀ);
//   - lowrank model.rank: m and n have rank columns;
//   - lowrank model.init_from: a run from a leaky run's truncation, with
//     every group frozen, holds the tensors of truncate's rank-R network.
func TestCLIModelKeysRateNets(t *testing.T) {
	t.Parallel()
	phi := activations()
	t.Run("leaky", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		for _, c := range []struct {
			act   string
			alpha float64
		}{{"tanh", 0.5}, {"softplus", 0}, {"identity", 0}} {
			args := []string{"-activation", c.act, "-steps", "2"}
			if c.alpha != 0 {
				args = append(args, "-alpha", fmt.Sprint(c.alpha))
			}
			run := keysRun(t, work, c.act, args...)
			rec := recorded(t, work, run)
			checkRates(t, "-activation "+c.act, rec, "state/x", func(_ int, x float64) float64 { return phi[c.act](x) })
			if c.alpha != 0 {
				w, _ := tensorsAt(t, run)
				in := func(i, k int) float64 { return float64(w["leaky.weight_ih"][i*4+k]) } // [8, 4]
				checkFirstState(t, "-alpha 0.5", rec, "state/x", firstDrive(rec, c.alpha, 8, in, w["leaky.bias"]))
			}
		}
	})
	t.Run("lowrank", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		lowrank := []string{"-model", "lowrank", "-activation", "relu", "-steps", "2"}
		run := keysRun(t, work, "tanh", slices.Concat(lowrank, []string{"-alpha", "0.4"})...)
		rec := recorded(t, work, run)
		checkRates(t, "-rates tanh -activation relu", rec, "state/h", func(_ int, h float64) float64 { return math.Tanh(h) })
		w, _ := tensorsAt(t, run)
		in := func(i, k int) float64 { return float64(w["lowrank.wi"][k*8+i] * w["lowrank.si"][k]) } // W_in diag(s_i), wi [4, 8]
		checkFirstState(t, "lowrank -alpha 0.4", rec, "state/h", firstDrive(rec, 0.4, 8, in, nil))

		run = keysRun(t, work, "phi", slices.Concat(lowrank, []string{"-rates", "phi", "-rank", "2"})...)
		w, _ = tensorsAt(t, run)
		checkRates(t, "-rates phi -activation relu", recorded(t, work, run), "state/h", func(i int, h float64) float64 { return phi["relu"](h + float64(w["lowrank.b"][i])) })
		for _, f := range []string{"lowrank.m", "lowrank.n"} {
			require.Len(t, w[f], 8*2, "-rank 2: %s of 8 units", f)
		}
		run = keysRun(t, work, "state", slices.Concat(lowrank, []string{"-rates", "state"})...)
		checkRates(t, "-rates state", recorded(t, work, run), "state/h", func(_ int, h float64) float64 { return h })
	})
	t.Run("init_from", func(t *testing.T) {
		t.Parallel()
		work := t.TempDir()
		src := keysRun(t, work, "src", "-activation", "tanh", "-steps", "2")
		trunc := filepath.Join(work, "trunc")
		rnntrain(t, work, "truncate", "-checkpoint", src, "-rank", "2", "-trials", "8", "-out", trunc).want(t, 0)
		frozen := writeSpec(t, work, "frozen.toml", "[model]\nfreeze_input = true\nfreeze_recurrent = true\nfreeze_bias = true\nfreeze_output = true\n")
		run := keysRun(t, work, "init", "-model", "lowrank", "-rank", "2", "-rates", "phi", "-activation", "tanh", "-init-from", src,
			"-config", frozen, "-train-h0", "-steps", "2")
		want, _ := tensorsAt(t, trunc)
		got, c := tensorsAt(t, run)
		for name := range initialParams(t, c) {
			if name == "lowrank.h0" {
				continue
			}
			require.Contains(t, want, name, "truncate's network")
			for i, x := range got[name] {
				if !near(float64(x), float64(want[name][i]), 1e-6, 1e-5) {
					t.Fatalf("-init-from: %s[%d] = %v, truncate -rank 2 gives %v", name, i, x, want[name][i])
				}
			}
		}
	})
}

// TestCLIModelKeysInit: model.init and model.spectral_radius reach the
// initial recurrent weights of rnn, alif and ltc (TestCLIRecurrentInit
// checks leaky and lif): -init identity -spectral-radius 0.5 starts W_rec
// at 0.5·I, which freeze_recurrent keeps.
func TestCLIModelKeysInit(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	frozen := writeSpec(t, work, "frozen.toml", "[model]\nfreeze_recurrent = true\n")
	for _, c := range []struct{ kind, tensor string }{{"rnn", "rnn.weight_hh_l0"}, {"alif", "alif.weight_hh"}, {"ltc", "ltc.weight_hh"}} {
		run := keysRun(t, work, c.kind, "-model", c.kind, "-config", frozen, "-init", "identity", "-spectral-radius", "0.5", "-steps", "2")
		w, _ := tensorsAt(t, run)
		require.Len(t, w[c.tensor], 64, "%s: %s", c.kind, c.tensor)
		for k, x := range w[c.tensor] {
			if want := float32(0.5) * float32(max(0, 1-k%9)); x != want { // k%9 == 0 on the diagonal of 8×8
				t.Fatalf("%s -init identity -spectral-radius 0.5: %s[%d, %d] = %v, want %v", c.kind, c.tensor, k/8, k%8, x, want)
			}
		}
	}
}
