package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/tasks"
)

// settingRun is a run of TestCLITaskSettingsEffects, trained for one step
// from a config file, and the recording eval made of it.
type settingRun struct {
	name string // what the messages call it: "default" or the setting's key
	dir  string // the run directory
	rec  string // the eval -record file
	trialTable
}

// inAt, targetAt and maskAt return element (n, s, k) of the recording's
// inputs, targets and mask: trial n, step s, channel k.
func (r *settingRun) inAt(n, s, k int) float32     { return r.inputs[(n*r.T+s)*r.nIn+k] }
func (r *settingRun) targetAt(n, s, k int) float32 { return r.targets[(n*r.T+s)*r.nOut+k] }
func (r *settingRun) maskAt(n, s, k int) float32   { return r.mask[(n*r.T+s)*r.nOut+k] }

// period returns trial n's period name, [start, end) in steps, or
// [−1, −1] when the recording has none of that name.
func (r *settingRun) period(n int, name string) [2]int {
	if p, ok := r.periods[name]; ok {
		return p[n]
	}
	return [2]int{-1, -1}
}

// within reports whether step s lies in the period p.
func within(s int, p [2]int) bool { return s >= p[0] && s < p[1] }

// trainSetting writes config to dir/file.toml, trains a tiny network on
// it for one step into dir/file, records that run's trials with eval
// (-seed 1 and evalArgs) into dir/file.npz and reads the recording; name
// is what failure messages call the run.
func trainSetting(t *testing.T, dir, file, name, config string, evalArgs []string) *settingRun {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, file+".toml"), []byte(config), 0o644))
	run, rec := filepath.Join(dir, file), filepath.Join(dir, file+".npz")
	rnntrain(t, dir, "train", "-config", file+".toml", "-out", run, "-steps", "1", "-hidden", "4", "-batch", "2",
		"-eval-trials", "4", "-quiet", "-plot-format", "svg").want(t, 0)
	if t.Failed() {
		t.FailNow()
	}
	rnntrain(t, dir, append([]string{"eval", "-checkpoint", run, "-record", rec, "-seed", "1"}, evalArgs...)...).want(t, 0)
	tab, err := readRecording(rec)
	require.NoError(t, err, "%s: %s", name, config)
	return &settingRun{name: name, dir: run, rec: rec, trialTable: tab}
}

// settingCase is one task setting and how TestCLITaskSettingsEffects
// shows its effect.
type settingCase struct {
	key  string
	task string // the [task] table's lines
	base string // the [task.settings] lines both runs share
	set  string // the lines the run of the setting adds
	// eval are eval's arguments beyond -checkpoint, -record and -seed;
	// nil means -trials 8.
	eval []string
	// check compares the run without the setting (def, the preset's
	// default) and the run with it (got).
	check func(t *testing.T, def, got *settingRun)
}

// TestCLITaskSettingsEffects trains a tiny network for one step on a task
// with one [task.settings] key set (or task.eval_settings), and on the
// same task without it, and shows the setting's effect on the trials
// eval records (or on the run's metrics and final evaluation), with the
// numbers the task's code and the README's "Task presets" give for both.
func TestCLITaskSettingsEffects(t *testing.T) {
	t.Parallel()
	digits := filepath.Join(t.TempDir(), "digits")
	writePixelMNIST(t, digits)
	const mante = "name = \"context-dm\"\npreset = \"dubreuil\"\n"
	cases := []settingCase{
		dmCase("dt_ms", "dt_ms = 10\n", dmLayout{10, 80, 10, 2, 0.1, dubreuilCohs}), // every period twice the steps
		dmCase("fixation_ms", "fixation_ms = 300\n", dmLayout{15, 40, 5, 1, 0.1, dubreuilCohs}),
		dmCase("stimulus_ms", "stimulus_ms = 400\n", dmLayout{5, 20, 5, 1, 0.1, dubreuilCohs}),
		dmCase("delay_ms", "delay_ms = 300\n", dmLayout{5, 40, 15, 1, 0.1, dubreuilCohs}),
		dmCase("decision_ms", "decision_ms = 100\n", dmLayout{5, 40, 5, 5, 0.1, dubreuilCohs}),
		dmCase("input_scale", "input_scale = 0.5\n", dmLayout{5, 40, 5, 1, 0.5, dubreuilCohs}),
		dmCase("coherences", "coherences = [3]\n", dmLayout{5, 40, 5, 1, 0.1, []float64{3}}),
		{key: "catch_fraction", task: dm, base: noNoise, set: "catch_fraction = 0.9\n", check: func(t *testing.T, def, got *settingRun) {
			// checkDM holds catch trials to rdm.py's: no stimulus, target
			// 0 in the decision period, not scored.
			checkDM(t, def, dubreuilDM())
			checkDM(t, got, dubreuilDM())
			if n := countCatch(def); n != 0 {
				t.Errorf("default: %d catch trials of %d, want 0", n, def.trials)
			}
			if n := countCatch(got); n < got.trials/2 {
				t.Errorf("catch_fraction = 0.9: %d catch trials of %d, want most", n, got.trials)
			}
		}},
		{key: "noise", task: dm, set: "noise = 0.3\n", check: func(t *testing.T, def, got *settingRun) {
			// The lowrank noise is the per-step std itself (0.1 by
			// default), drawn first in a trial: the same N(0, 1) draws,
			// three times as large.
			for n := range def.trials {
				coh := def.vars["coherence"][n]
				if g := got.vars["coherence"][n]; g != coh {
					t.Fatalf("trial %d: coherence %g with noise = 0.3, want the default's %g (the same draws)", n, g, coh)
				}
				stim := def.period(n, "stimulus")
				for s := range def.steps(n) {
					shift := 0.0
					if within(s, stim) {
						shift = float64(float32(coh * 0.1))
					}
					d, g := float64(def.inAt(n, s, 0))-shift, float64(got.inAt(n, s, 0))-shift
					if d == 0 || math.Abs(g-3*d) > 1e-6 {
						t.Fatalf("trial %d step %d: noise %g with noise = 0.3, want 3 × the default's %g", n, s, g, d)
					}
				}
			}
		}},
		{key: "loss_norm", task: dm, set: "loss_norm = \"all\"\n", check: func(t *testing.T, def, got *settingRun) {
			// The first batch's loss (same weights, same trials) divided
			// by B·T·NOut instead of Σ mask: a trial of 51 steps scores
			// its one decision step.
			d, g := lastMetrics(t, def.dir).Loss, lastMetrics(t, got.dir).Loss
			if d <= 0 || math.Abs(g*51/d-1) > 1e-5 {
				t.Errorf("loss with loss_norm = \"all\" %g, want the default's %g / 51 = %g", g, d, d/51)
			}
		}},
		{key: "context_ms", task: mante, base: noNoise, set: "context_ms = 100\n", check: func(t *testing.T, def, got *settingRun) {
			checkContext(t, def, 17, 0.1) // 350 ms floored to 17 steps of 20 ms
			checkContext(t, got, 5, 0.1)
		}},
		{key: "context_scale", task: mante, base: noNoise, set: "context_scale = 0.5\n", check: func(t *testing.T, def, got *settingRun) {
			checkContext(t, def, 17, 0.1)
			checkContext(t, got, 17, 0.5)
		}},
		{key: "cue_span", task: "name = \"multisensory\"\npreset = \"dubreuil\"\n", base: noNoise, set: "cue_span = \"response\"\n",
			check: func(t *testing.T, def, got *settingRun) {
				checkCues(t, def, 62) // to the end of the stimulus (raposo.py L76, L83)
				checkCues(t, got, 67) // to the decision, as mante.py's context cues
			}},
		{key: "fixation_cue", task: "name = \"perceptual-dm\"\npreset = \"neurogym\"\n", set: "fixation_cue = \"fixation-period\"\n",
			check: func(t *testing.T, def, got *settingRun) {
				checkFixationInput(t, def, 21) // until the decision
				checkFixationInput(t, got, 1)  // the fixation period, 100 ms
			}},
		{key: "implicit_context", task: "name = \"context-dm\"\npreset = \"neurogym\"\n", base: noNoise, set: "implicit_context = true\n",
			check: func(t *testing.T, def, got *settingRun) {
				if def.nIn != 7 || got.nIn != 5 {
					t.Fatalf("inputs: %d by default and %d with implicit_context, want 7 (with the 2 context inputs) and 5", def.nIn, got.nIn)
				}
				seen := map[int]bool{}
				for n := range def.trials {
					ctx := int(def.vars["context"][n])
					seen[ctx] = true
					for s := range def.steps(n) {
						if on, off := def.inAt(n, s, 5+ctx), def.inAt(n, s, 6-ctx); on != 1 || off != 0 {
							t.Fatalf("default: trial %d of context %d, step %d: context inputs %g and %g, want 1 on its own and 0", n, ctx, s, on, off)
						}
					}
				}
				if !seen[0] || !seen[1] {
					t.Errorf("default: contexts %v drawn, want both", seen)
				}
				checkRelevant(t, got, 0)
			}},
		{key: "context_modality", task: "name = \"context-dm\"\npreset = \"neurogym\"\n", base: noNoise + "implicit_context = true\n",
			set: "context_modality = 1\n", check: func(t *testing.T, def, got *settingRun) {
				checkRelevant(t, def, 0)
				checkRelevant(t, got, 1)
			}},
		{key: "empty_trials", task: "name = \"parametric-wm\"\npreset = \"psychrnn\"\n", set: "empty_trials = \"exclude\"\n",
			eval: []string{"-trials", "200"}, check: func(t *testing.T, def, got *settingRun) {
				// A decision period shorter than a step holds none (2 %
				// of trials at dt 10): PsychRNN counts such a trial
				// correct, "exclude" leaves it unscored.
				defCorrect := recordedInts(t, def.rec, "correct")
				empty := 0
				for n := range def.trials {
					d := def.period(n, "decision")
					if g := got.period(n, "decision"); g != d {
						t.Fatalf("trial %d: decision %v with empty_trials, want the default's %v (the same draws)", n, g, d)
					}
					isEmpty := d[0] == d[1]
					if isEmpty {
						empty++
					}
					if !def.isScored(n) || isEmpty && defCorrect[n] != 1 {
						t.Errorf("default: trial %d (decision %v): scored %v, correct %d; want scored, and correct when empty", n, d, def.isScored(n), defCorrect[n])
					}
					if got.isScored(n) == isEmpty {
						t.Errorf("empty_trials = \"exclude\": trial %d (decision %v): scored %v, want %v", n, d, got.isScored(n), !isEmpty)
					}
				}
				if empty == 0 {
					t.Errorf("no trial of %d has an empty decision period; the check needs one", def.trials)
				}
			}},
		{key: "delay_min_ms", task: dms, set: "delay_min_ms = 3000\n", check: func(t *testing.T, def, got *settingRun) {
			// dms.py floors U(500, 3000) ms, which excludes 3000, to
			// 25…149 steps; U(3000, 3000) ms is 150.
			checkDelays(t, def, 25, 149)
			checkDelays(t, got, 150, 150)
		}},
		{key: "delay_max_ms", task: dms, set: "delay_max_ms = 500\n", check: func(t *testing.T, def, got *settingRun) {
			if longest := checkDelays(t, def, 25, 149); longest == 25 {
				t.Errorf("default: every delay 25 steps, want some longer")
			}
			checkDelays(t, got, 25, 25) // U(500, 500) ms
		}},
		{key: "steps", task: "name = \"adding\"\n", set: "steps = 10\n", check: func(t *testing.T, def, got *settingRun) {
			checkAdding(t, def, 200)
			checkAdding(t, got, 10)
		}},
		{key: "bits", task: "name = \"flip-flop\"\n", set: "bits = 2\n", check: func(t *testing.T, def, got *settingRun) {
			checkFlipFlop(t, def, 3)
			checkFlipFlop(t, got, 2)
		}},
		{key: "copy_length", task: "name = \"copy\"\n", base: "steps = 5\n", set: "copy_length = 3\n", check: func(t *testing.T, def, got *settingRun) {
			checkCopy(t, def, 10, 8)
			checkCopy(t, got, 3, 8)
		}},
		{key: "symbols", task: "name = \"copy\"\n", base: "steps = 5\n", set: "symbols = 3\n", check: func(t *testing.T, def, got *settingRun) {
			checkCopy(t, def, 10, 8)
			checkCopy(t, got, 10, 3)
		}},
		{key: "permutation_seed", task: "name = \"mnist-permuted\"\n", base: fmt.Sprintf("mnist_dir = %q\n", digits),
			set: "permutation_seed = 7\n", eval: []string{"-split", "train"}, check: func(t *testing.T, def, got *settingRun) {
				d, g := pixelOrder(t, def), pixelOrder(t, got)
				identity := make([]int, 784)
				for i := range identity {
					identity[i] = i
				}
				if slices.Equal(d, identity) || slices.Equal(g, d) {
					t.Errorf("pixel order: default (seed 0) starts %v, permutation_seed = 7 %v; want a shuffled order and another", d[:8], g[:8])
				}
			}},
		{key: "eval_settings", task: dm, base: noNoise, set: "[task.eval_settings]\ncoherences = [2]\n", check: func(t *testing.T, def, got *settingRun) {
			// The run's own task keeps the preset's coherences; its final
			// evaluation, 1000 fresh trials, has the eval_settings'.
			checkDM(t, def, dubreuilDM())
			checkDM(t, got, dubreuilDM())
			for _, c := range []struct {
				r    *settingRun
				want []string
			}{
				{def, []string{"coh=-4", "coh=-2", "coh=-1", "coh=+1", "coh=+2", "coh=+4"}},
				{got, []string{"coh=+2"}},
			} {
				rep := readReport(t, c.r.dir)
				var conds []string
				trials := 0
				for _, row := range rep.Conditions {
					conds, trials = append(conds, row.Condition), trials+row.Trials
				}
				if !slices.Equal(conds, c.want) || trials != 1000 {
					t.Errorf("%s: final evaluation of conditions %v on %d trials, want %v on 1000", c.r.name, conds, trials, c.want)
				}
			}
		}},
	}
	// Every settings key has a case here or, for the dataset tasks', the
	// test named.
	elsewhere := map[string]string{
		"path": "TestCLITrainEvalInspectResume", "split": "TestCLISplitHeldOut",
		"validation_fraction": "TestCLITrainEvalInspectResume", "test_fraction": "TestCLITrainEvalInspectResume",
		"split_seed": "TestCLITrainEvalInspectResume", "validation_trials": "TestCLIFitHoldoutIsValidationSplit",
		"mnist_dir": "TestCLIMNISTSplits", "loss": "TestCLINPZCrossEntropy",
	}
	sources := testSources(t)
	for _, h := range tasks.SettingsHelp() {
		covered := slices.ContainsFunc(cases, func(c settingCase) bool { return c.key == h.Key })
		if name, ok := elsewhere[h.Key]; ok && !covered {
			// The named test exists and sets the key (or its flag).
			_, body, found := strings.Cut(sources, "func "+name+"(t *testing.T)")
			body, _, _ = strings.Cut(body, "\nfunc ")
			flag := "-" + strings.ReplaceAll(h.Key, "_", "-")
			covered = found && (strings.Contains(body, h.Key) || strings.Contains(body, `"`+flag+`"`) || h.Key == "path" && strings.Contains(body, `"-data"`))
		}
		if !covered {
			t.Errorf("task setting %s: no case shows its effect, and no test is named for it", h.Key)
		}
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := "[task]\n" + c.task + "[task.settings]\n" + c.base
			args := c.eval
			if args == nil {
				args = []string{"-trials", "8"}
			}
			def := trainSetting(t, dir, "default", "default", cfg, args)
			got := trainSetting(t, dir, "set", c.key, cfg+c.set, args)
			c.check(t, def, got)
		})
	}
}

// dubreuilCohs are perceptual-dm's coherences at the dubreuil preset
// (rdm.py L45).
var dubreuilCohs = []float64{-4, -2, -1, 1, 2, 4}

// dm is the [task] table of perceptual-dm (dubreuil), dms that of
// match-to-sample (dubreuil), noNoise the setting of noiseless inputs.
const (
	dm      = "name = \"perceptual-dm\"\npreset = \"dubreuil\"\n"
	dms     = "name = \"match-to-sample\"\npreset = \"dubreuil\"\n"
	noNoise = "noise = 0\n"
)

// dmCase is the case of a setting of perceptual-dm (dubreuil) without
// noise that gives its trials the layout l, in place of dubreuilDM's.
func dmCase(key, set string, l dmLayout) settingCase {
	return settingCase{key: key, task: dm, base: noNoise, set: set, check: func(t *testing.T, def, got *settingRun) {
		checkDM(t, def, dubreuilDM())
		checkDM(t, got, l)
	}}
}

// dmLayout is a trial of perceptual-dm (dubreuil) without noise: its
// periods in steps, the factor of the coherence in the input, and the
// coherences drawn.
type dmLayout struct {
	fix, stim, delay, dec int
	scale                 float64
	cohs                  []float64
}

// dubreuilDM is the dubreuil preset's layout (rdm.py L9-15): fixation
// 100, stimulus 800, delay 100, decision 20 ms at dt 20, input coh·0.1.
func dubreuilDM() dmLayout { return dmLayout{5, 40, 5, 1, 0.1, dubreuilCohs} }

// checkPeriods checks that every trial of r is the named periods of the
// given lengths in steps, in order from step 0, and ends with them.
func checkPeriods(t *testing.T, r *settingRun, names []string, lens ...int) bool {
	t.Helper()
	for n := range r.trials {
		if !checkTrialPeriods(t, r, n, names, lens) {
			return false
		}
	}
	return true
}

// checkTrialPeriods is checkPeriods for trial n of r.
func checkTrialPeriods(t *testing.T, r *settingRun, n int, names []string, lens []int) bool {
	t.Helper()
	start := 0
	for i, name := range names {
		if got, want := r.period(n, name), [2]int{start, start + lens[i]}; got != want {
			t.Errorf("%s: trial %d: %s period %v, want %v", r.name, n, name, got, want)
			return false
		}
		start += lens[i]
	}
	if got := r.steps(n); got != start {
		t.Errorf("%s: trial %d: %d steps, want %d", r.name, n, got, start)
		return false
	}
	return true
}

// checkDM checks every trial of r, perceptual-dm (dubreuil) without noise,
// against l: its periods, the input coh·scale during the stimulus and 0
// elsewhere, and the target ±1 (+1 for coh > 0, rdm.py L55) with mask 1
// in the decision period only. A catch trial has input 0 throughout and
// target 0 with mask 1 in the decision period (rdm.py L51-56), and is not
// scored.
func checkDM(t *testing.T, r *settingRun, l dmLayout) {
	t.Helper()
	if !checkPeriods(t, r, []string{"fixation", "stimulus", "delay", "decision"}, l.fix, l.stim, l.delay, l.dec) {
		return
	}
	for n := range r.trials {
		catch, coh := r.vars["catch"][n] == 1, r.vars["coherence"][n]
		if !catch && !slices.Contains(l.cohs, coh) {
			t.Errorf("%s: trial %d: coherence %g, want one of %v", r.name, n, coh, l.cohs)
			return
		}
		if r.isScored(n) == catch {
			t.Errorf("%s: trial %d (catch %v): scored %v, want %v", r.name, n, catch, r.isScored(n), !catch)
		}
		stim, dec := r.period(n, "stimulus"), r.period(n, "decision")
		for s := range r.steps(n) {
			var x, y, m float32
			if within(s, stim) && !catch {
				x = float32(coh * l.scale)
			}
			if within(s, dec) {
				m = 1
				if !catch {
					y = float32(math.Copysign(1, coh))
				}
			}
			if gx, gy, gm := r.inAt(n, s, 0), r.targetAt(n, s, 0), r.maskAt(n, s, 0); gx != x || gy != y || gm != m {
				t.Errorf("%s: trial %d (coherence %g, catch %v), step %d: input %g, target %g, mask %g; want %g, %g, %g",
					r.name, n, coh, catch, s, gx, gy, gm, x, y, m)
				return
			}
		}
	}
}

// countCatch returns the number of catch trials of r.
func countCatch(r *settingRun) int {
	n := 0
	for _, c := range r.vars["catch"] {
		if c == 1 {
			n++
		}
	}
	return n
}

// checkContext checks every trial of r, context-dm (dubreuil) without
// noise and with a context period of ctx steps: each modality's coh·0.1
// during the stimulus, the cue on the trial's context input from the end
// of fixation to the decision (mante.py L89, L92) and 0 on the other, and
// the target of the relevant modality's sign in the decision period.
func checkContext(t *testing.T, r *settingRun, ctx int, cue float32) {
	t.Helper()
	if !checkPeriods(t, r, []string{"fixation", "context", "stimulus", "delay", "decision"}, 5, ctx, 40, 5, 1) {
		return
	}
	for n := range r.trials {
		c := [2]float64{r.vars["coherence_mod1"][n], r.vars["coherence_mod2"][n]}
		k := int(r.vars["context"][n])
		fix, stim, dec := r.period(n, "fixation"), r.period(n, "stimulus"), r.period(n, "decision")
		for s := range r.steps(n) {
			var want [4]float32
			if within(s, stim) {
				want[0], want[1] = float32(c[0]*0.1), float32(c[1]*0.1)
			}
			if s >= fix[1] && s < dec[0] {
				want[2+k] = cue
			}
			var y float32
			if within(s, dec) {
				y = float32(math.Copysign(1, c[k]))
			}
			got := [4]float32{r.inAt(n, s, 0), r.inAt(n, s, 1), r.inAt(n, s, 2), r.inAt(n, s, 3)}
			if got != want || r.targetAt(n, s, 0) != y {
				t.Errorf("%s: trial %d (context %d, coherences %v), step %d: inputs %v, target %g; want %v, %g",
					r.name, n, k+1, c, s, got, r.targetAt(n, s, 0), want, y)
				return
			}
		}
	}
}

// checkCues checks the modality cues of every trial of r, multisensory
// (dubreuil) without noise: 0.1 on the cue input of each modality the
// trial shows (context 0 visual, 1 auditory, 2 both) from the end of
// fixation, step 5, to step end, and 0 elsewhere.
func checkCues(t *testing.T, r *settingRun, end int) {
	t.Helper()
	if !checkPeriods(t, r, []string{"fixation", "context", "stimulus", "delay", "decision"}, 5, 17, 40, 5, 1) {
		return
	}
	for n := range r.trials {
		ctx := int(r.vars["context"][n])
		for m := range 2 {
			shown := ctx == m || ctx == 2
			for s := range r.steps(n) {
				var want float32
				if shown && s >= 5 && s < end {
					want = 0.1
				}
				if got := r.inAt(n, s, 2+m); got != want {
					t.Errorf("%s: trial %d (context %d), step %d: cue of modality %d %g, want %g", r.name, n, ctx, s, m+1, got, want)
					return
				}
			}
		}
	}
}

// checkFixationInput checks the fixation input of every trial of r,
// perceptual-dm (neurogym): 22 steps of 100 ms, the input 1 before step
// end and 0 from it.
func checkFixationInput(t *testing.T, r *settingRun, end int) {
	t.Helper()
	if !checkPeriods(t, r, []string{"fixation", "stimulus", "delay", "decision"}, 1, 20, 0, 1) {
		return
	}
	for n := range r.trials {
		for s := range r.steps(n) {
			want := float32(0)
			if s < end {
				want = 1
			}
			if got := r.inAt(n, s, 0); got != want {
				t.Errorf("%s: trial %d step %d: fixation input %g, want %g", r.name, n, s, got, want)
				return
			}
		}
	}
}

// checkRelevant checks every trial of r, context-dm (neurogym) with the
// implicit context and no noise: the context is modality m, and the
// correct choice, the decision's target, is the direction modality m's
// ring favours (0.5 ± coh/200 on its two inputs); some trial's other
// modality favours the other direction.
func checkRelevant(t *testing.T, r *settingRun, m int) {
	t.Helper()
	if r.nIn != 5 {
		t.Fatalf("%s: %d inputs, want 5 (fixation and two rings of two)", r.name, r.nIn)
	}
	differ := 0
	for n := range r.trials {
		if ctx := int(r.vars["context"][n]); ctx != m {
			t.Fatalf("%s: trial %d: context %d, want %d", r.name, n, ctx, m)
		}
		stim, dec := r.period(n, "stimulus"), r.period(n, "decision")
		dir := func(k int) int {
			if r.inAt(n, stim[0], 1+2*k) > r.inAt(n, stim[0], 2+2*k) {
				return 1
			}
			return 2
		}
		if c := r.choice[n]; c != dir(m) || r.targetAt(n, dec[0], c) != 1 {
			t.Errorf("%s: trial %d: choice %d (target %g), want modality %d's direction %d", r.name, n, c, r.targetAt(n, dec[0], c), m+1, dir(m))
		}
		if dir(0) != dir(1) {
			differ++
		}
	}
	if differ == 0 {
		t.Errorf("%s: the modalities favour the same direction in all %d trials; the check needs one where they differ", r.name, r.trials)
	}
}

// checkDelays checks that every trial of r, match-to-sample (dubreuil),
// is fixation 5, stimulus 25, a delay of lo…hi, stimulus 25 and decision
// 50 steps (dms.py's 100, 500, 500 and 1000 ms at dt 20), and returns the
// longest delay.
func checkDelays(t *testing.T, r *settingRun, lo, hi int) int {
	t.Helper()
	longest := 0
	for n := range r.trials {
		p := r.period(n, "delay")
		d := p[1] - p[0]
		if d < lo || d > hi {
			t.Errorf("%s: trial %d: delay of %d steps, want %d…%d", r.name, n, d, lo, hi)
			return longest
		}
		if !checkTrialPeriods(t, r, n, []string{"fixation", "stimulus1", "delay", "stimulus2", "decision"}, []int{5, 25, d, 25, 50}) {
			return longest
		}
		longest = max(longest, d)
	}
	return longest
}

// checkAdding checks every trial of r, adding with T steps: a value in
// [0, 1) and a marker on two steps, one in each half (⌊T/2⌋ steps, then
// the rest), and the sum of the two marked values as the target of the
// last step, the only one scored.
func checkAdding(t *testing.T, r *settingRun, T int) {
	t.Helper()
	if !checkPeriods(t, r, []string{"trial"}, T) {
		return
	}
	for n := range r.trials {
		var marked []int
		for s := range T {
			if v := r.inAt(n, s, 0); v < 0 || v >= 1 {
				t.Errorf("%s: trial %d step %d: value %g, want [0, 1)", r.name, n, s, v)
				return
			}
			if r.inAt(n, s, 1) == 1 {
				marked = append(marked, s)
			}
			if want := float32(b2f(s == T-1)); r.maskAt(n, s, 0) != want {
				t.Errorf("%s: trial %d step %d: mask %g, want %g", r.name, n, s, r.maskAt(n, s, 0), want)
				return
			}
		}
		if len(marked) != 2 || marked[0] >= T/2 || marked[1] < (T+1)/2 {
			t.Errorf("%s: trial %d: markers at %v, want one in [0, %d) and one in [%d, %d)", r.name, n, marked, T/2, (T+1)/2, T)
			return
		}
		sum := float32(float64(r.inAt(n, marked[0], 0)) + float64(r.inAt(n, marked[1], 0)))
		if got := r.targetAt(n, T-1, 0); got != sum {
			t.Errorf("%s: trial %d: target %g, want the marked values' sum %g", r.name, n, got, sum)
		}
	}
}

// b2f is 1 for true and 0 for false.
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// checkFlipFlop checks every trial of r, flip-flop of 64 steps with bits
// channels: each bit pulses ±1 at step 0 and 0 or ±1 after, and its
// target is the sign of its last pulse, on every step.
func checkFlipFlop(t *testing.T, r *settingRun, bits int) {
	t.Helper()
	if r.nIn != bits || r.nOut != bits {
		t.Fatalf("%s: %d inputs and %d outputs, want %d of each", r.name, r.nIn, r.nOut, bits)
	}
	if !checkPeriods(t, r, []string{"trial"}, 64) {
		return
	}
	for n := range r.trials {
		for k := range bits {
			var state float32
			for s := range 64 {
				x := r.inAt(n, s, k)
				if x != 0 {
					state = x
				}
				if (x != 0 && x != 1 && x != -1) || state == 0 || r.targetAt(n, s, k) != state {
					t.Errorf("%s: trial %d bit %d step %d: input %g, target %g; want a pulse of ±1 or 0 (±1 at step 0) and the last pulse %g",
						r.name, n, k, s, x, r.targetAt(n, s, k), state)
					return
				}
			}
		}
	}
}

// checkCopy checks every trial of r, copy with a delay of 5 steps, L
// symbols of an alphabet of S: S + 2 one-hot inputs (blank, the symbols,
// the cue) and S + 1 outputs (blank, the symbols); L symbols, 4 blanks,
// the cue, L blanks; the target blank until the recall, then the L
// symbols in order; mask 1 throughout.
func checkCopy(t *testing.T, r *settingRun, L, S int) {
	t.Helper()
	if r.nIn != S+2 || r.nOut != S+1 {
		t.Fatalf("%s: %d inputs and %d outputs, want %d and %d", r.name, r.nIn, r.nOut, S+2, S+1)
	}
	if !checkPeriods(t, r, []string{"symbols", "delay", "cue", "recall"}, L, 4, 1, L) {
		return
	}
	onehot := func(row func(k int) float32, size int) int {
		hot := -1
		for k := range size {
			switch v := row(k); {
			case v == 1 && hot < 0:
				hot = k
			case v != 0:
				return -1
			}
		}
		return hot
	}
	for n := range r.trials {
		for s := range 2*L + 5 {
			in := onehot(func(k int) float32 { return r.inAt(n, s, k) }, S+2)
			out := onehot(func(k int) float32 { return r.targetAt(n, s, k) }, S+1)
			want, wantOut := 0, 0 // blank
			switch {
			case s < L:
				if in < 1 || in > S {
					t.Errorf("%s: trial %d step %d: input %d, want a symbol 1…%d", r.name, n, s, in, S)
					return
				}
				want = in
			case s == L+4:
				want = S + 1
			case s >= L+5:
				wantOut = onehot(func(k int) float32 { return r.inAt(n, s-L-5, k) }, S+2)
			}
			if in != want || out != wantOut || r.maskAt(n, s, 0) != 1 {
				t.Errorf("%s: trial %d step %d: input %d, target %d, mask %g; want %d, %d, 1", r.name, n, s, in, out, r.maskAt(n, s, 0), want, wantOut)
				return
			}
		}
	}
}

// writePixelMNIST writes to dir the four MNIST files of 20 training and
// 10 test digits whose pixels spell their own index p = 256·hi + lo:
// digit i has the label i mod 2, and pixel p holds lo = p mod 256 when i
// is even, hi = ⌊p/256⌋ when it is odd.
func writePixelMNIST(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range []struct {
		prefix string
		n      int
	}{{"train", 20}, {"t10k", 10}} {
		pixels := make([]byte, f.n*784)
		labels := make([]byte, f.n)
		for i := range f.n {
			labels[i] = byte(i % 2)
			for p := range 784 {
				pixels[i*784+p] = byte(p % 256)
				if i%2 == 1 {
					pixels[i*784+p] = byte(p / 256)
				}
			}
		}
		writeIDX(t, filepath.Join(dir, f.prefix+"-images-idx3-ubyte.gz"), []int32{0x803, int32(f.n), 28, 28}, pixels)
		writeIDX(t, filepath.Join(dir, f.prefix+"-labels-idx1-ubyte.gz"), []int32{0x801, int32(f.n)}, labels)
	}
}

// pixelOrder returns the pixel each step of r shows, r a recording of
// writePixelMNIST's digits pixel by pixel: lo from a trial of label 0, hi
// from one of label 1. It fails the test unless the order is a
// permutation of the 784 pixels.
func pixelOrder(t *testing.T, r *settingRun) []int {
	t.Helper()
	lo, hi := slices.Index(r.choice, 0), slices.Index(r.choice, 1)
	if lo < 0 || hi < 0 || r.T != 784 {
		t.Fatalf("%s: labels %v of %d steps, want both 0 and 1 of 784", r.name, r.choice, r.T)
	}
	px := func(n, s int) int { return int(math.Round(255 * float64(r.inAt(n, s, 0)))) }
	order := make([]int, r.T)
	for s := range order {
		order[s] = px(lo, s) + 256*px(hi, s)
	}
	sorted := slices.Sorted(slices.Values(order))
	for i, p := range sorted {
		if p != i {
			t.Fatalf("%s: the steps show pixels %v…, not a permutation of the 784", r.name, sorted[:min(len(sorted), 8)])
		}
	}
	return order
}

// lastMetrics returns the last line of the metrics.jsonl of the run in
// dir.
func lastMetrics(t *testing.T, dir string) metricsLine {
	t.Helper()
	m := metricsOf(t, dir)
	require.NotEmpty(t, m, dir)
	return m[len(m)-1]
}

// recordedInts reads the per-trial array name of the recording at path.
func recordedInts(t *testing.T, path, name string) []int {
	t.Helper()
	f, err := npy.OpenArchive(path)
	require.NoError(t, err)
	defer f.Close()
	a, err := f.ReadNumeric(name)
	require.NoError(t, err, name)
	out := make([]int, 0, a.Len())
	for _, v := range a.Float64() {
		out = append(out, int(v))
	}
	return out
}

// TestCLINPZCrossEntropy: an npz task's loss = "cross-entropy" trains on
// its one-hot targets with the cross-entropy, scores the masked-mean
// argmax and reports the cross-entropy, where mse (the default) reports
// the MSE; targets that are not one-hot are refused, naming the array and
// the loss.
func TestCLINPZCrossEntropy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := make([][][]float32, 8)
	tgt := make([][][]float32, 8)
	for i := range in {
		in[i] = [][]float32{{float32(i % 2)}, {0}}
		tgt[i] = [][]float32{{1, 0}, {float32(i % 2), float32(1 - i%2)}}
	}
	require.NoError(t, npy.WriteArchiveValues(filepath.Join(dir, "onehot.npz"), map[string]any{"inputs": in, "targets": tgt}))
	writeTinyNPZ(t, filepath.Join(dir, "scalar.npz"))
	tiny := []string{"-steps", "2", "-hidden", "4", "-batch", "2", "-eval-trials", "4", "-validation-fraction", "0.25"}
	for _, c := range []struct{ name, data, loss, want string }{
		{"ce", "onehot.npz", "loss = \"cross-entropy\"\n", "), cross-entropy "},
		{"mse", "onehot.npz", "", "), mse "},
	} {
		writeSpec(t, dir, c.name+".toml", "[task]\nname = \"npz\"\n[task.settings]\n"+c.loss)
		r := rnntrain(t, dir, append([]string{"train", "-config", c.name + ".toml", "-data", c.data, "-out", c.name}, tiny...)...)
		r.want(t, 0, c.want)
	}
	configOf := func(run string) string {
		b, err := os.ReadFile(filepath.Join(dir, run, "config.json"))
		require.NoError(t, err)
		return string(b)
	}
	require.Contains(t, configOf("ce"), `"loss": "cross-entropy"`)
	require.NotContains(t, configOf("mse"), `"loss": "cross-entropy"`)
	rnntrain(t, dir, append([]string{"train", "-config", "ce.toml", "-data", "scalar.npz", "-out", "bad"}, tiny...)...).
		want(t, 1, "scalar.npz: array targets, trial 0: step 0 has no one (loss cross-entropy needs one-hot targets)")
}

// testSources returns the text of this package's test files.
func testSources(t *testing.T) string {
	t.Helper()
	names, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	var b strings.Builder
	for _, n := range names {
		src, err := os.ReadFile(n)
		require.NoError(t, err)
		b.Write(src)
	}
	return b.String()
}
