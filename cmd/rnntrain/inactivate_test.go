package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// TestCheckWindow: where trials differ in length (parametric-wm: 45 to 70
// steps), a -window FROM:TO may run past a shorter trial's end, which
// ends it there, but not past the longest trial's, which no trial has.
func TestCheckWindow(t *testing.T) {
	t.Parallel()
	task, err := tasks.NewDefault("parametric-wm")
	require.NoError(t, err)
	d := tasks.Describe(task)
	require.Equal(t, []int{45, 70}, []int{d.MinSteps, d.MaxSteps}, "the test's task must have trials of different lengths")
	for _, w := range []analysis.Window{{From: 10, To: 70}, {From: 50, To: 60}, {From: 69}} {
		require.NoError(t, checkWindow(task, w, 1), "window %s", w)
	}
	err = checkWindow(task, analysis.Window{From: 10, To: 71}, 1)
	require.ErrorContains(t, err, "-window 10:71 ends at step 71, after the end of every trial of task parametric-wm (the longest has 70 steps, 0 to 69); give a TO of at most 70, or 10: to run to the end")
	require.ErrorAs(t, err, new(usageError))
	require.ErrorContains(t, checkWindow(task, analysis.Window{From: 70}, 1), "-window 70: starts at step 70")
}

// TestCLIInactivate trains a small Dale's-law net and checks the
// inactivation experiment's sanity cases through the command.
func TestCLIInactivate(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-seed", "2", "-steps", "300", "-dale", "0.75", "-out", run}, small...)
	rnntrain(t, work, args...).want(t, 0, "stopped at step 300")

	var eval analysis.Report
	r := rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "400", "-json")
	r.want(t, 0)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &eval))
	require.Greater(t, eval.Accuracy, 0.75, "the test net must have learned the task")

	inactivate := func(args ...string) inactivateResult {
		t.Helper()
		return inactivateJSON(t, work, run, "400", args...)
	}

	// Silencing no unit reproduces eval exactly, before and after.
	none := inactivate("-fraction", "0")
	require.Equal(t, eval.Accuracy, none.Before.Accuracy)
	require.Equal(t, eval.Accuracy, none.After.Accuracy)
	require.Len(t, none.After.Conditions, len(eval.Conditions))

	// Silencing every unit leaves the readout only its bias: chance on a
	// two-choice task.
	all := inactivate()
	require.Len(t, all.Units[0], 24)
	require.Equal(t, eval.Accuracy, all.Before.Accuracy)
	require.InDelta(t, 0.5, all.After.Accuracy, 0.1)

	// Dale's populations: 18 excitatory and 6 inhibitory units; 50 % of
	// each, drawn three times.
	exc := inactivate("-population", "exc", "-fraction", "0.5", "-repeats", "3", "-seed", "5")
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, exc.Selected)
	require.Len(t, exc.Units, 3)
	require.Equal(t, 3, exc.After.Repeats)
	require.Len(t, exc.After.Accuracies, 3)
	for _, u := range exc.Units {
		require.Len(t, u, 9)
		for _, i := range u {
			require.Less(t, i, 18)
		}
	}
	inh := inactivate("-population", "inh")
	require.Equal(t, []int{18, 19, 20, 21, 22, 23}, inh.Selected)

	// A named set from a file, clamped, in one period only; sweeps.
	pops := filepath.Join(work, "pops.json")
	require.NoError(t, os.WriteFile(pops, []byte(`{"a": [3, 1, 1], "b": [0]}`), 0o644))
	named := inactivate("-population", pops+":a", "-mode", "clamp", "-clamp-value", "0.5", "-window", "stimulus", "-each-unit", "-fractions", "0,1")
	require.Equal(t, []int{1, 3}, named.Selected)
	require.Equal(t, analysis.Clamp, named.Mode)
	require.Equal(t, "stimulus", named.Window.Period)
	require.Len(t, named.EachUnit, 2)
	require.GreaterOrEqual(t, named.EachUnit[0].Drop, named.EachUnit[1].Drop)
	require.Len(t, named.Fractions, 2)
	require.Equal(t, eval.Accuracy, named.Fractions[0].Accuracy)
	require.Equal(t, named.After.Accuracy, named.Fractions[1].Accuracy)
	// Each dose–response point carries the 95 % interval the text prints
	// and the figure draws; with one draw, Wilson's on its trials, which
	// keeps a width at accuracy 0 or 1.
	for _, f := range named.Fractions {
		lo, hi := analysis.Summary{Accuracy: f.Accuracy, Trials: named.After.Trials, Repeats: 1}.Interval95()
		require.Equal(t, [2]float64{lo, hi}, f.CI95, "fraction %g", f.Fraction)
		require.Less(t, f.CI95[0], f.CI95[1], "fraction %g", f.Fraction)
	}

	// The logistic fit per context: silencing every unit flattens the
	// psychometric curve.
	require.Len(t, all.Before.PsychometricFit, 2)
	require.Len(t, all.After.PsychometricFit, 2)
	for i, f := range all.After.PsychometricFit {
		require.True(t, f.Fitted)
		require.Greater(t, all.Before.PsychometricFit[i].Slope, 1.0, "context %d before", f.Context)
		require.Less(t, math.Abs(f.Slope), 0.1, "context %d after", f.Context)
	}

	// -versus adds a second population's dose–response.
	vs := inactivate("-population", "exc", "-fractions", "0,1", "-versus", "inh")
	require.Len(t, vs.Fractions, 4)
	require.Equal(t, []string{"exc", "exc", "inh", "inh"}, []string{vs.Fractions[0].Population, vs.Fractions[1].Population, vs.Fractions[2].Population, vs.Fractions[3].Population})
	require.Equal(t, 6, vs.Fractions[3].Units)

	// Text output and -out with the figures.
	out := filepath.Join(work, "out")
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "200", "-units", "0-3,7", "-window", "0:5", "-each-unit", "-fractions", "0,1", "-out", out).
		want(t, 0, "silence 5 of 5 selected units", "before: accuracy", "after:  accuracy", "95% CI", "condition",
			"on fresh trials", "logistic fit per context", "single-unit lesions", "dose–response (fresh trials)")
	b, err := os.ReadFile(filepath.Join(out, "inactivation.json"))
	require.NoError(t, err)
	var res inactivateResult
	require.NoError(t, json.Unmarshal(b, &res))
	require.Equal(t, []int{0, 1, 2, 3, 7}, res.Selected)
	require.Equal(t, "fresh trials", res.Split)
	require.False(t, math.IsNaN(res.After.Accuracy))
	for _, f := range []string{"psychometric-inactivated.png", "unit-ranking.png", "dose-response.png", "dose-response.svg"} {
		st, err := os.Stat(filepath.Join(out, f))
		require.NoError(t, err)
		require.Greater(t, st.Size(), int64(1000), f)
	}

	// Connection lesions: E→I has 18·6 connections; cutting every
	// connection during the fixation period only (before any stimulus)
	// leaves the accuracy as it was, for the whole trial it does not.
	ei := inactivate("-cut", "exc:inh")
	require.Equal(t, []cutEffect{{From: "exc", To: "inh", Connections: 108}}, ei.Cuts)
	require.Empty(t, ei.Selected, "a cut alone silences no unit")
	require.Equal(t, "none", ei.Population)
	fix := inactivate("-cut", "0-23->0-23", "-window", "fixation")
	require.Equal(t, 576, fix.Cuts[0].Connections)
	require.Equal(t, eval.Accuracy, fix.Before.Accuracy)
	require.InDelta(t, fix.Before.Accuracy, fix.After.Accuracy, 0.02)
	whole := inactivate("-cut", "0-23:0-23")
	require.Less(t, whole.After.Accuracy, whole.Before.Accuracy-0.1)
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "100", "-cut", "exc:inh", "-cut", pops+":a:0").
		want(t, 0, "cut exc→inh (108 connections), cut "+pops+":a→0 (2 connections), window all")

	// The lesion's three parts run on from each other's state with the
	// same noise: an empty mask over steps [7, 19) changes nothing, also
	// with units clamped across its start. Units silenced across it are
	// refused: a part starts from the state, which does not hold a
	// silenced unit's zero rate.
	s, _, err := loadSession(run)
	require.NoError(t, err)
	nIn, n, _ := s.net.Dims()
	const T, B = 30, 5
	x := make([]float32, T*B*nIn)
	rng := rand.New(rand.NewPCG(3, 4))
	for k := range x {
		x[k] = float32(rng.NormFloat64())
	}
	mask := make([]bool, n)
	mask[2], mask[20] = true, true
	opt := analysis.RunOptions{Record: true, Inactivation: &layers.Inactivation{Units: mask, From: 4, To: 12, Clamp: true, ClampValue: 0.4}}
	opt.Noise = rand.New(rand.NewPCG(5, 6))
	plain := s.net.Run(x, T, B, opt)
	opt.Noise, opt.Lesion = rand.New(rand.NewPCG(5, 6)), &analysis.Lesion{Cut: make([]bool, n*n), From: 7, To: 19}
	parts := s.net.Run(x, T, B, opt)
	require.InDeltaSlice(t, plain.Out, parts.Out, 1e-5)
	require.InDeltaSlice(t, plain.Rates, parts.Rates, 1e-5)
	require.Len(t, parts.States, len(plain.States))
	require.InDeltaSlice(t, plain.States[0].Data, parts.States[0].Data, 1e-5)
	opt.Inactivation.Clamp, opt.Inactivation.Silence = false, true
	require.Panics(t, func() { s.net.Run(x, T, B, opt) })

	// Usage errors name the flag (status 2); a missing file is status 1.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-units", "3,x"}, 2, "-units"},
		{[]string{"-units", "0-24"}, 2, "-units"},
		{[]string{"-units", "1", "-population", "exc"}, 2, "-population"},
		{[]string{"-population", pops}, 2, "-population"},
		{[]string{"-population", pops + ":c"}, 2, `no set "c"`},
		{[]string{"-fraction", "1.5"}, 2, "-fraction"},
		{[]string{"-repeats", "0"}, 2, "-repeats"},
		// Every draw of all (or none) of the selected units is the same.
		{[]string{"-units", "0,1", "-repeats", "3"}, 2, "-repeats 3: -fraction 1 of the 2 selected units draws the same units every time"},
		{[]string{"-units", "0,1", "-each-unit", "-repeats", "3"}, 2, "-repeats 3: -fraction 1 of the 2 selected units"},
		{[]string{"-units", "0,1", "-fraction", "0.1", "-repeats", "3"}, 2, "-fraction 0.1 of the 2 selected units"},
		{[]string{"-mode", "cut"}, 2, "-mode"},
		{[]string{"-window", "5:2"}, 2, "-window"},
		{[]string{"-window", "nap"}, 2, "-window nap"},
		{[]string{"-window", "0:99999999999999999999"}, 2, "TO 99999999999999999999 is too large a step"},
		// Steps after the end of every trial would perturb nothing.
		{[]string{"-units", "0", "-window", "1000:1200"}, 2, "-window 1000:1200 starts at step 1000, after the end of every trial of task context-dm"},
		// So would steps past the end of the longest trial: TO is at most its
		// length (a window is [FROM, TO)).
		{[]string{"-units", "0", "-window", "10:1000"}, 2, "-window 10:1000 ends at step 1000, after the end of every trial of task context-dm (every trial has 68 steps, 0 to 67); give a TO of at most 68, or 10: to run to the end"},
		{[]string{"-units", "0", "-window", "0:69"}, 2, "-window 0:69 ends at step 69"},
		{[]string{"-fractions", "0,2"}, 2, "-fractions"},
		{[]string{"-versus", "inh"}, 2, "-versus needs -fractions"},
		{[]string{"-fractions", "0", "-versus", "nope.json"}, 1, "-versus nope.json"},
		{[]string{"-split", "holdout"}, 2, "-split"},
		{[]string{"-cut", "exc"}, 2, "-cut exc: want FROM:TO"},
		{[]string{"-cut", "0-30:1"}, 2, "-cut 0-30:1"},
		{[]string{"-cut", "exc:nope.json"}, 1, "-cut nope.json"},
		{[]string{"-cut", "exc:inh", "-each-unit"}, 2, "-each-unit"},
		// -cut alone perturbs no unit: the flags that choose or perturb
		// units would have no effect.
		{[]string{"-cut", "exc:inh", "-mode", "clamp"}, 2, "-mode clamp clamps the units of -units or -population; with -cut alone there are none"},
		{[]string{"-cut", "exc:inh", "-mode", "clamp", "-clamp-value", "1"}, 2, "-mode clamp clamps the units"},
		{[]string{"-cut", "exc:inh", "-fraction", "0.5"}, 2, "-fraction 0.5 draws from the units of -units or -population; with -cut alone there are none"},
		{[]string{"-cut", "exc:inh", "-units", "1", "-window", "stimulus"}, 2, "-cut with silenced units"},
		{[]string{"-population", "cluster:0"}, 2, "not low-rank"},
		{[]string{"-population", filepath.Join(work, "none.json")}, 1, "none.json"},
		// A misspelled population is a usage error that lists the valid ones.
		{[]string{"-population", "inhib"}, 2, "-population inhib: no such population (want exc, inh, "},
	} {
		rnntrain(t, work, append([]string{"inactivate", "-checkpoint", run}, c.args...)...).want(t, c.code, c.want)
	}
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-units", "0", "-window", "60:68", "-trials", "20").want(t, 0, "window 60:68")
	// With -fractions, -repeats draws each dose; the one draw of -fraction
	// 1 that cannot vary runs once, and inactivate says so.
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-units", "0,1", "-fractions", "0.5", "-repeats", "3", "-trials", "20", "-json").
		want(t, 0, `"repeats": 1`, "runs -fraction 1 of the 2 selected units once")
	rnntrain(t, work, "inactivate").want(t, 2, "-checkpoint")
	rnntrain(t, work, "inactivate", "-checkpoint", filepath.Join(work, "none")).want(t, 1, "no such file")
	// An -out that cannot be a directory fails before the experiment (so
	// before the checkpoint is even read), not after it.
	afile := filepath.Join(work, "afile")
	require.NoError(t, os.WriteFile(afile, nil, 0o644))
	rnntrain(t, work, "inactivate", "-checkpoint", filepath.Join(work, "none"), "-out", afile).want(t, 1, "-out "+afile+": ")
}

// FuzzParseFractions feeds -fractions arbitrary text: no panic, and what
// it accepts is one fraction in [0, 1] per comma-separated item, at most
// 1000 of them.
func FuzzParseFractions(f *testing.F) {
	for _, s := range []string{"", "0,0.25,1", "0.5", "1.5", "NaN", "-0", "1e-300", ",", " 0.5 , 1 ", strings.Repeat("0,", 1000) + "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := parseFractions(s)
		if err != nil {
			if !strings.Contains(err.Error(), "-fractions") {
				t.Errorf("parseFractions(%q): error %q does not name the flag", s, err)
			}
			return
		}
		if s != "" && len(fs) != strings.Count(s, ",")+1 || len(fs) > 1000 {
			t.Fatalf("parseFractions(%q) = %d values", s, len(fs))
		}
		for _, x := range fs {
			if !(x >= 0 && x <= 1) {
				t.Fatalf("parseFractions(%q) holds %v", s, x)
			}
		}
	})
}

// FuzzParseCut feeds -cut arbitrary text: it must not panic, and what it
// accepts names units of the network only.
func FuzzParseCut(f *testing.F) {
	for _, s := range []string{"exc:inh", "0-9->10-11", "pops.json:a:exc", "exc", ":", "->", "1:2:3", "0-99:1", "exc->", "a.json:x->0"} {
		f.Add(s)
	}
	pop := func(name string) ([]int, error) {
		switch name {
		case "exc":
			return []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, nil
		case "inh":
			return []int{10, 11}, nil
		case "pops.json:a", "a.json:x":
			return []int{3}, nil
		}
		return nil, usagef("no population %q", name)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		c, e, err := parseCut(spec, 12, pop)
		if err != nil {
			return
		}
		for _, u := range append(slices.Clone(c.From), c.To...) {
			if u < 0 || u >= 12 {
				t.Fatalf("parseCut(%q) = %v: unit %d outside [0, 12)", spec, c, u)
			}
		}
		if e.Connections != len(c.From)*len(c.To) {
			t.Fatalf("parseCut(%q): %d connections, want %d", spec, e.Connections, len(c.From)*len(c.To))
		}
	})
}

// TestCLIInactivatePopulations trains a small rank-1 net and inactivates
// its fitted populations (cluster:I/K and the file populations -write
// writes agree) and its context-selective units (the regression on an
// eval -record file, written beside it).
func TestCLIInactivatePopulations(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-seed", "2", "-steps", "150", "-model", "lowrank", "-rank", "1", "-out", run}, small...)
	rnntrain(t, work, args...).want(t, 0, "stopped at step 150")
	inactivate := func(args ...string) inactivateResult {
		t.Helper()
		return inactivateJSON(t, work, run, "200", args...)
	}

	pops := filepath.Join(work, "pops.json")
	rnntrain(t, work, "populations", "-checkpoint", run, "-k", "2", "-resample", "0", "-write", pops).want(t, 0)
	b, err := os.ReadFile(pops)
	require.NoError(t, err)
	sets, err := analysis.ParsePopulations(b, 24)
	require.NoError(t, err)
	require.Len(t, sets, 2)
	require.Equal(t, 24, len(sets["cluster0"])+len(sets["cluster1"]))
	require.GreaterOrEqual(t, len(sets["cluster0"]), len(sets["cluster1"]), "largest first")
	for i := range 2 {
		res := inactivate("-population", fmt.Sprintf("cluster:%d/2", i))
		require.Equal(t, sets[fmt.Sprintf("cluster%d", i)], res.Selected)
	}

	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "300", "-record", rec).want(t, 0)
	top := inactivate("-recording", rec, "-population", "selective:context:top=3")
	require.Len(t, top.Selected, 3)
	require.Equal(t, filepath.Join(work, "rec.selectivity.json"), top.SelectivityFile)
	// The regression file is no file of unit sets: the error says how to
	// select its units.
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-population", top.SelectivityFile).
		want(t, 2, "-population "+top.SelectivityFile, "the regression inactivate writes beside a recording", "-population VARIABLE-selective -recording "+rec)
	b, err = os.ReadFile(top.SelectivityFile)
	require.NoError(t, err)
	var sf selectivityFile
	require.NoError(t, json.Unmarshal(b, &sf))
	require.Equal(t, []string{"choice", "coherence", "context"}, sf.Selectivity.Variables)
	require.Len(t, sf.Selectivity.Units, 24)
	all := inactivate("-recording", rec, "-population", "context-selective")
	require.Equal(t, sf.Populations["context-selective"], all.Selected)
	require.Subset(t, all.Selected, top.Selected, "the top 3 are among the selective units")

	// The recording of a diverged network (non-finite rates) is an error
	// naming the file and the array, not a regression of NaNs.
	diverged := filepath.Join(work, "diverged.npz")
	a, err := npy.OpenArchive(rec)
	require.NoError(t, err)
	names := a.Names()
	arrays := make([]npy.Array, len(names))
	for i, name := range names {
		arrays[i], err = a.ReadNumeric(name)
		require.NoError(t, err, name)
		if name == "rates" {
			for k := range arrays[i].F32 {
				arrays[i].F32[k] = float32(math.NaN())
			}
		}
	}
	require.NoError(t, a.Close())
	require.NoError(t, npy.WriteArchive(diverged, names, arrays))

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-recording", diverged, "-population", "context-selective"}, 1, "diverged.npz: array rates: holds NaN at "},
		{[]string{"-population", "cluster:x"}, 2, "-population cluster:x: want cluster:I"},
		{[]string{"-population", "cluster:2/2"}, 2, "cluster:2/2"},
		{[]string{"-population", "context-selective"}, 2, "need -recording"},
		{[]string{"-recording", rec, "-population", "selective:nope"}, 2, `no variable "nope"`},
		{[]string{"-recording", rec, "-population", "selective:context:top=0"}, 2, "top=K"},
		{[]string{"-recording", rec, "-units", "0"}, 2, "-recording " + rec + " has no effect"},
		{[]string{"-recording", filepath.Join(work, "none.npz"), "-population", "context-selective"}, 1, "none.npz"},
		{[]string{"-population", "exc"}, 2, "no Dale's law populations"},
		{[]string{"-units", "0", "-mode", "clamp", "-clamp-value", "NaN"}, 2, "-clamp-value must be a finite number float32 holds (|x| ≤ 3.4e38), got NaN"},
		{[]string{"-units", "0", "-mode", "clamp", "-clamp-value", "-Inf"}, 2, "-clamp-value must be a finite number float32 holds (|x| ≤ 3.4e38), got -Inf"},
		{[]string{"-units", "0", "-mode", "clamp", "-clamp-value", "1e39"}, 2, "-clamp-value must be a finite number float32 holds (|x| ≤ 3.4e38), got 1e+39"},
		{[]string{"-units", "0", "-clamp-value", "0.5"}, 2, "-clamp-value 0.5 needs -mode clamp"},
		{[]string{"-cut", "0:1"}, 2, "model lowrank has no recurrent weight matrix"},
	} {
		rnntrain(t, work, append([]string{"inactivate", "-checkpoint", run}, c.args...)...).want(t, c.code, c.want)
	}
}

// FuzzParsePopulationName feeds the cluster and selectivity population
// names arbitrary text: no panic, and what is accepted is in range.
func FuzzParsePopulationName(f *testing.F) {
	for _, s := range []string{"cluster:0", "cluster:1/2", "cluster:x", "cluster:3/2", "context-selective", "selective:context:top=10", "selective:", "-selective", "selective:a:top=99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if i, k, err := parseCluster(s); err == nil && (i < 0 || i >= maxClusters || k < 0 || k > maxClusters || (k > 0 && i >= k)) {
			t.Fatalf("parseCluster(%q) = %d, %d", s, i, k)
		}
		if v, top, err := parseSelective(s, 64); err == nil && (v == "" || top < 0 || top > 64) {
			t.Fatalf("parseSelective(%q) = %q, %d", s, v, top)
		}
	})
}

// inactivateJSON runs inactivate -json on trials trials of run and decodes
// its output.
func inactivateJSON(t *testing.T, work, run, trials string, args ...string) inactivateResult {
	t.Helper()
	r := rnntrain(t, work, append([]string{"inactivate", "-checkpoint", run, "-trials", trials, "-json"}, args...)...)
	r.want(t, 0)
	var res inactivateResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.stdout)
	return res
}

// TestCLIInactivateSpikingDale checks that the Dale's law populations of a
// spiking net, whose first round(f·N) units are excitatory as in a leaky
// one, can be silenced and cut by name.
func TestCLIInactivateSpikingDale(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, model := range []string{"alif", "ltc"} {
		run := filepath.Join(work, model)
		rnntrain(t, work, "train", "-model", model, "-dale", "0.75", "-hidden", "16", "-batch", "8", "-steps", "2",
			"-eval-every", "0", "-eval-trials", "16", "-out", run).want(t, 0, "stopped at step 2")
		r := rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "16", "-population", "inh", "-json")
		r.want(t, 0)
		var res struct{ Selected []int }
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("%s: %v\n%s", model, err, r.stdout)
		}
		require.Equal(t, []int{12, 13, 14, 15}, res.Selected, "%s: inhibitory units", model)
		rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "16", "-cut", "exc:inh").want(t, 0, "after")
	}
}

// TestAccuracyCI: one evaluation's 95 % interval is the Wilson interval of
// its trials (ends from analysis.TestWilson's Python values: 1000/1000 gives
// 0.99617–1, 2/1000 0.00055–0.00726), which has a width at 1.000 and stays
// within [0, 1]; several draws' is ± t s.e. across them, t = 2.2622 the
// Student-t quantile with 9 degrees of freedom for 10 draws (analysis.TestT95).
func TestAccuracyCI(t *testing.T) {
	for _, c := range []struct {
		acc, se float64
		repeats int
		want    string
	}{
		{1, 0, 1, "1.000 ± 0.000 (95% CI 0.996–1.000) on fresh trials"},
		{0.999, 0.000999, 1, "0.999 ± 0.001 (95% CI 0.994–1.000) on fresh trials"},
		{0.5, 0.0158, 1, "0.500 ± 0.016 (95% CI 0.469–0.531) on fresh trials"},
		{0.002, 0.0014, 1, "0.002 ± 0.001 (95% CI 0.001–0.007) on fresh trials"},
		{0, 0, 1, "0.000 ± 0.000 (95% CI 0.000–0.004) on fresh trials"},
		{0.799, 0.052, 10, "0.799 ± 0.052 (95% CI 0.681–0.917) on fresh trials"},
		{0.99, 0.02, 10, "0.990 ± 0.020 (95% CI 0.945–1.000) on fresh trials"},
	} {
		s := analysis.Summary{Accuracy: c.acc, StdErr: c.se, Trials: 1000, Repeats: c.repeats}
		if got := accuracyCI(s, "fresh trials"); got != c.want {
			t.Errorf("accuracyCI(%g ± %g, %d repeats) = %q, want %q", c.acc, c.se, c.repeats, got, c.want)
		}
	}
}

// TestDoseResponseBars checks that the dose–response figure's bars are the
// intervals the text prints (CI95), not ±1 s.e., and that its legend names
// them.
func TestDoseResponseBars(t *testing.T) {
	r := inactivateResult{Task: "dm", Population: "exc", After: analysis.Summary{Repeats: 10}, Fractions: []fractionEffect{
		{Population: "exc", Fraction: 0, Accuracy: 1, StdErr: 0, CI95: [2]float64{1, 1}},
		{Population: "exc", Fraction: 0.5, Accuracy: 0.7, StdErr: 0.05, CI95: [2]float64{0.587, 0.813}},
		{Population: "inh", Fraction: 0.5, Accuracy: 0.9, StdErr: 0.01, CI95: [2]float64{0.877, 0.923}},
	}}
	d := doseResponse(r, 0.5)
	require.Equal(t, "t interval across 10 draws, at least Wilson's on the trials", d.Interval)
	require.Len(t, d.Curves, 2)
	require.Equal(t, []float64{1, 0.587}, d.Curves[0].Low)
	require.Equal(t, []float64{1, 0.813}, d.Curves[0].High)
	require.Equal(t, []float64{0.877}, d.Curves[1].Low)
	require.Equal(t, []float64{0.923}, d.Curves[1].High)
	require.Equal(t, "Wilson interval", intervalName(1))
}

// TestPsychPanelsBars checks that with several draws of units the
// inactivated psychometric points, means over the draws, get the Student-t
// interval across the draws as their bars, widened where needed to Wilson's
// on the trials every draw shares (Summary.PsychInterval95), while the
// points before keep Wilson's; the legend names each.
func TestPsychPanelsBars(t *testing.T) {
	pts := func(se float64) []analysis.PsychPoint {
		return []analysis.PsychPoint{{Coherence: -0.1, Trials: 50, PChoice1: 0.2, StdErr: se}, {Coherence: 0.1, Trials: 50, PChoice1: 1, StdErr: 0}}
	}
	r := inactivateResult{Task: "dm", Population: "exc",
		Before: analysis.Summary{Repeats: 1, Trials: 100, Psychometric: pts(0)},
		After:  analysis.Summary{Repeats: 10, Trials: 100, Psychometric: pts(0.05)}}
	panels := psychPanels(r)
	require.Len(t, panels, 1)
	before, after := panels[0].Curves[0], panels[0].Curves[1]
	for i := range 2 {
		lo, hi := analysis.Wilson(r.Before.Psychometric[i].PChoice1, 50, analysis.Z95)
		require.Equal(t, []float64{lo, hi}, []float64{before.Low[i], before.High[i]}, "before, point %d", i)
		lo, hi = r.After.PsychInterval95(i)
		require.Equal(t, []float64{lo, hi}, []float64{after.Low[i], after.High[i]}, "after, point %d", i)
	}
	// Point 0: the spread across draws, 0.2 ± 2.262·0.05 = [0.087, 0.313],
	// is wider below than Wilson's [0.112, 0.330] on the 50 trials every
	// draw shares, narrower above; point 1 (no spread) keeps Wilson's.
	const t9 = 2.2621571627982055 // analysis.TestT95
	wlo, whi := analysis.Wilson(0.2, 50, analysis.Z95)
	require.InDelta(t, 0.2-t9*0.05, after.Low[0], 1e-9)
	require.InDelta(t, whi, after.High[0], 1e-12)
	require.Less(t, 0.2-t9*0.05, wlo)
	require.Greater(t, whi, 0.2+t9*0.05)
	wlo, whi = analysis.Wilson(1, 50, analysis.Z95)
	require.Equal(t, []float64{wlo, whi}, []float64{after.Low[1], after.High[1]})
	require.Equal(t, "Wilson interval", before.Interval)
	require.Equal(t, "t interval across 10 draws, at least Wilson's on the trials", after.Interval)
}

// TestCLIInactivateCutOnlyJSON: a cut alone selects no unit, and the
// JSON says so with an empty list beside the empty draws, not null.
func TestCLIInactivateCutOnlyJSON(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", run}, small...)...).want(t, 0, "stopped at step 2")
	r := rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-cut", "0-3:4-7", "-json")
	r.want(t, 0, `"selected": []`, `"units": [`)
}

// TestCLIInactivateEmptySet: a named set of no unit is refused, naming
// the set and the file, as cluster:I refuses an empty population, instead
// of an experiment that perturbs nothing and reports its "after".
func TestCLIInactivateEmptySet(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", run}, small...)...).want(t, 0, "stopped at step 2")
	sets := filepath.Join(work, "sets.json")
	require.NoError(t, os.WriteFile(sets, []byte(`{"none": [], "some": [1, 2]}`), 0o644))
	for _, args := range [][]string{
		{"-population", sets + ":none"},
		{"-units", "0-3", "-fractions", "0,1", "-versus", sets + ":none"},
		{"-cut", sets + ":none->" + sets + ":some"},
	} {
		rnntrain(t, work, append([]string{"inactivate", "-checkpoint", run, "-trials", "4"}, args...)...).
			want(t, 2, `set "none" in `+sets+" holds no unit")
	}
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-population", sets+":some").want(t, 0, "2 of 2 selected units")
}

// TestCLIInactivateSelectivityFile: the regression inactivate writes
// beside -recording FILE.npz replaces only an earlier one (or an empty
// file), never another file of that name, nor a directory.
func TestCLIInactivateSelectivityFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", run}, small...)...).want(t, 0, "stopped at step 2")
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "40", "-record", rec).want(t, 0)
	sel := filepath.Join(work, "rec.selectivity.json")
	selective := func() result {
		t.Helper()
		return rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", rec, "-population", "coherence-selective")
	}
	require.NoError(t, os.WriteFile(sel, []byte("my notes\n"), 0o644))
	selective().want(t, 2, "-recording "+rec+": "+sel+" exists and is not an earlier selectivity file")
	b, err := os.ReadFile(sel)
	require.NoError(t, err)
	require.Equal(t, "my notes\n", string(b), "the file was replaced")

	require.NoError(t, os.WriteFile(sel, nil, 0o644))
	selective()
	b, err = os.ReadFile(sel)
	require.NoError(t, err)
	require.Contains(t, string(b), `"selectivity"`, "an empty file was not replaced by the regression")
	selective() // an earlier regression is replaced
	require.NoError(t, os.Remove(sel))
	require.NoError(t, os.Mkdir(sel, 0o755))
	selective().want(t, 2, "-recording "+rec+": "+sel+" is a directory")
}

// TestCLINoScoredTrials: when every trial is a catch trial nothing is
// scored, and eval -json, inactivate and truncate say the accuracy is
// undefined (null in JSON) instead of printing 0 (with a 0–1 interval).
func TestCLINoScoredTrials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "catch.toml"), []byte("[task]\nname = \"perceptual-dm\"\n[task.settings]\ncatch_fraction = 0.99\n"), 0o644))
	// Training's evaluations of no scored trial say so and leave
	// validation_accuracy out of metrics.jsonl rather than log a 0.
	rnntrain(t, dir, "train", "-config", "catch.toml", "-model", "leaky", "-hidden", "6", "-steps", "2", "-batch", "4", "-eval-trials", "4",
		"-eval-every", "1", "-out", "run").want(t, 0, "validation n/a", "last evaluation during training: accuracy undefined, no trial scored")
	b, err := os.ReadFile(filepath.Join(dir, "run", "metrics.jsonl"))
	require.NoError(t, err)
	if strings.Contains(string(b), "validation_accuracy") || !strings.Contains(string(b), "validation_mse") {
		t.Errorf("metrics.jsonl of evaluations without a scored trial: want validation_mse and no validation_accuracy:\n%s", b)
	}
	rnntrain(t, dir, "inspect", "run").want(t, 0, "validation accuracy  n/a (the last evaluation scored no trial)")
	rnntrain(t, dir, "train", "-config", "catch.toml", "-model", "leaky", "-hidden", "6", "-steps", "2", "-batch", "4", "-eval-trials", "4",
		"-eval-every", "1", "-keep-best", "-out", "best").want(t, 0, "-keep-best: no evaluation scored a trial, so none was kept")
	rnntrain(t, dir, "eval", "-checkpoint", "run", "-trials", "4", "-json").want(t, 0, `"trials": 0`, `"accuracy": null`, `"accuracy_stderr": null`)
	r := rnntrain(t, dir, "inactivate", "-checkpoint", "run", "-trials", "4", "-units", "0,1", "-each-unit", "-fractions", "0,1")
	r.want(t, 0, "before: accuracy undefined: no scored fresh trials", "after:  accuracy undefined", "-each-unit and -fractions")
	rnntrain(t, dir, "inactivate", "-checkpoint", "run", "-trials", "4", "-units", "0", "-json").want(t, 0, `"accuracy": null`)
	rnntrain(t, dir, "truncate", "-checkpoint", "run", "-trials", "4", "-rank", "1", "-out", "tr").want(t, 0, "task accuracy undefined: no scored fresh trials")
	rnntrain(t, dir, "truncate", "-checkpoint", "run", "-trials", "4", "-rank", "1", "-out", "tr2", "-json").want(t, 0, `"source_accuracy": null`, `"accuracy": null`)
	rnntrain(t, dir, "train", "-config", "catch.toml", "-model", "lowrank", "-rank", "1", "-hidden", "6", "-steps", "2", "-batch", "4", "-eval-trials", "4", "-out", "lr", "-quiet").want(t, 0)
	p := rnntrain(t, dir, "populations", "-checkpoint", "lr", "-trials", "4", "-max-k", "1", "-resample", "2")
	p.want(t, 0, "task accuracy of the network undefined: no scored fresh trials")
	for _, out := range []string{r.stdout, p.stdout} {
		if strings.Contains(out, "0.000 ± 0.000") || strings.Contains(out, "0.000–1.000") {
			t.Errorf("inactivate prints an accuracy of no scored trial:\n%s", out)
		}
	}
}

// rewriteRecording copies the recording src to dst with edit applied to its
// arrays (integer arrays read as float64, which a recording's reader
// takes as well).
func rewriteRecording(t *testing.T, src, dst string, edit func(a map[string]npy.Array)) {
	t.Helper()
	f, err := npy.OpenArchive(src)
	require.NoError(t, err)
	a := map[string]npy.Array{}
	for _, name := range f.Names() {
		a[name], err = f.ReadNumeric(name)
		require.NoError(t, err, name)
	}
	require.NoError(t, f.Close())
	edit(a)
	names := slices.Sorted(maps.Keys(a))
	arrays := make([]npy.Array, len(names))
	for i, name := range names {
		arrays[i] = a[name]
	}
	require.NoError(t, npy.WriteArchive(dst, names, arrays))
}

// TestCLIInactivateRecordingChecked: inactivate -recording refuses a
// recording that is not eval -record of the checkpoint's task trials (its
// inputs or outputs another network's, of another step, of other weights
// even where the sizes and step are the same, of the user's inputs) as a
// usage error, and one whose choices, responses or scored trials cannot be
// the task's as a failure, each naming the file and the array, instead of
// regressing the checkpoint's units on another network's activity.
func TestCLIInactivateRecordingChecked(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "3", "-model", "lowrank", "-rank", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet", "-out", run).want(t, 0)
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "60", "-record", rec).want(t, 0)
	inputs := filepath.Join(work, "inputs.npy")
	userRec := filepath.Join(work, "user.npz")
	in := make([][][]float32, 5)
	for i := range in {
		in[i] = make([][]float32, 10)
		for j := range in[i] {
			in[i][j] = make([]float32, 4)
		}
	}
	writeNpy(t, inputs, in)
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", inputs, "-record", userRec).want(t, 0)

	zeros := func(shape ...int) npy.Array {
		return npy.Array{Shape: shape, F32: make([]float32, shape[0]*shape[1]*shape[2])}
	}
	fill := func(v float64, shape ...int) npy.Array {
		a := npy.Array{Shape: shape, F64: make([]float64, 1)}
		if len(shape) > 0 {
			a.F64 = make([]float64, shape[0])
		}
		for i := range a.F64 {
			a.F64[i] = v
		}
		return a
	}
	for _, c := range []struct {
		name string
		edit func(a map[string]npy.Array)
		code int
		want string
	}{
		{"inputs", func(a map[string]npy.Array) { a["inputs"] = zeros(60, a["inputs"].Shape[1], 5) }, 2,
			"array inputs has 5 inputs, the checkpoint's network 4: want eval -record of this checkpoint"},
		{"outputs", func(a map[string]npy.Array) {
			a["outputs"] = zeros(60, a["outputs"].Shape[1], 2)
			delete(a, "targets")
			delete(a, "mask")
		}, 2, "array outputs has 2 outputs, the checkpoint's network 1"},
		{"step", func(a map[string]npy.Array) { a["step"] = fill(7) }, 2, "was recorded from a checkpoint of step 7, -checkpoint is of step 3"},
		{"step-shape", func(a map[string]npy.Array) { a["step"] = fill(3, 2) }, 1, "array step: shape [2], want [] (the checkpoint's step)"},
		{"step-value", func(a map[string]npy.Array) { a["step"] = fill(-3) }, 1, "array step holds -3, want the checkpoint's step"},
		{"weights", func(a map[string]npy.Array) { a["weights"] = fill(12345) }, 2, "was recorded from a network of other weights than -checkpoint's (its array weights is 12345"},
		{"weights-shape", func(a map[string]npy.Array) { a["weights"] = fill(1, 2) }, 1, "array weights: shape [2], want []"},
		{"weights-value", func(a map[string]npy.Array) { a["weights"] = fill(-1) }, 1, "array weights holds -1, want the identifier of the network's weights"},
		{"choice", func(a map[string]npy.Array) { a["choice"] = fill(9, 60) }, 1, "array choice: trial 0 holds 9; the checkpoint's task of 1 output has responses -1 to 2"},
		{"response", func(a map[string]npy.Array) { a["response"] = fill(3, 60) }, 1, "array response: trial 0 holds 3"},
		{"scored", func(a map[string]npy.Array) { a["scored"] = fill(0, 60) }, 1, "array scored: no trial of 60 is scored"},
	} {
		path := filepath.Join(work, c.name+".npz")
		rewriteRecording(t, rec, path, c.edit)
		rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", path, "-population", "coherence-selective").
			want(t, c.code, path, c.want)
	}
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", userRec, "-population", "coherence-selective").
		want(t, 2, "-recording "+userRec+" holds no choice or task/ variables (a recording of eval -inputs?)")
	// A network of the same sizes and step, trained from another seed.
	other := filepath.Join(work, "other")
	rnntrain(t, work, "train", "-seed", "9", "-steps", "3", "-model", "lowrank", "-rank", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet", "-out", other).want(t, 0)
	otherRec := filepath.Join(work, "other.npz")
	rnntrain(t, work, "eval", "-checkpoint", other, "-trials", "60", "-record", otherRec).want(t, 0)
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", otherRec, "-population", "coherence-selective").
		want(t, 2, "-recording "+otherRec+" was recorded from a network of other weights than -checkpoint's", "want eval -record of this checkpoint")
	// The recording itself, unchanged by the rewrite, is accepted.
	same := filepath.Join(work, "same.npz")
	rewriteRecording(t, rec, same, func(map[string]npy.Array) {})
	r := rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", same, "-population", "selective:coherence:top=1")
	if r.code != 0 && !strings.Contains(r.stderr, "no unit is selective") {
		t.Errorf("the unchanged recording: exit status %d\n%s", r.code, r.stderr)
	}

	// The variables are z-scored: coherences scaled near float64's limit
	// give the same t statistics, not sums that overflow to a singular
	// regression.
	regression := func(path string) *analysis.Selectivity {
		t.Helper()
		rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-recording", path, "-population", "selective:coherence:top=1")
		b, err := os.ReadFile(strings.TrimSuffix(path, ".npz") + ".selectivity.json")
		require.NoError(t, err, "no regression of %s", path)
		var sf selectivityFile
		require.NoError(t, json.Unmarshal(b, &sf))
		return sf.Selectivity
	}
	huge := filepath.Join(work, "huge.npz")
	rewriteRecording(t, rec, huge, func(a map[string]npy.Array) {
		for i := range a["task/coherence"].F64 {
			a["task/coherence"].F64[i] *= 1e306
		}
	})
	want, got := regression(same), regression(huge)
	require.Equal(t, want.Variables, got.Variables)
	for i, u := range got.Units {
		for k := range u.T {
			require.InDelta(t, want.Units[i].T[k], u.T[k], 1e-6*(1+math.Abs(want.Units[i].T[k])), "unit %d, %s", i, got.Variables[k])
		}
	}
}
