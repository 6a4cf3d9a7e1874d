package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/tasks"
)

// TestCLIFixedPoints trains a small GRU on flip-flop briefly and runs
// fixedpoints on it through the command: the outputs exist and agree, and
// every bad flag exits 2 naming the flag.
func TestCLIFixedPoints(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "flip-flop", "-model", "gru", "-hidden", "12", "-steps", "20", "-batch", "8",
		"-eval-every", "0", "-eval-trials", "16", "-out", run).want(t, 0)

	out := filepath.Join(work, "fp")
	r := rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-n-init", "48", "-max-iters", "300", "-trials", "4",
		"-noise", "0.1", "-seed", "3", "-input", "0,0,0", "-out", out, "-json")
	r.want(t, 0)
	var sum fixedPointsSummary
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum), r.stdout)
	require.NotEmpty(t, sum.Points)
	require.Equal(t, uint64(3), sum.Run.Seed)
	require.Equal(t, []float64{0, 0, 0}, sum.Input)
	total := 0
	for _, c := range sum.Classes {
		total += c
	}
	require.Equal(t, len(sum.Points), total, "classes count every point")
	require.Equal(t, 48, len(sum.Points)+sum.Dropped["duplicates"]+sum.Dropped["outliers"]+sum.Dropped["non_finite"]+sum.Dropped["too_slow"])
	for i, p := range sum.Points {
		require.False(t, math.IsNaN(p.Q) || p.Q < 0, "point %d: q = %g", i, p.Q)
		if i > 0 {
			require.GreaterOrEqual(t, p.Q, sum.Points[i-1].Q, "points in order of q")
		}
		require.Len(t, p.Output, 3)
	}
	b, err := os.ReadFile(filepath.Join(out, "fixedpoints.json"))
	require.NoError(t, err)
	require.JSONEq(t, r.stdout, string(b))
	a, err := npy.OpenArchive(filepath.Join(out, "fixedpoints.npz"))
	require.NoError(t, err)
	defer a.Close()
	pts, err := a.Read("points")
	require.NoError(t, err)
	require.Equal(t, []int{len(sum.Points), 12}, pts.Shape)
	ev, err := a.Read("eigenvectors_real")
	require.NoError(t, err)
	require.Equal(t, []int{len(sum.Points), 12, 12}, ev.Shape)
	cls, err := a.Read("class")
	require.NoError(t, err)
	for i, p := range sum.Points {
		require.Equal(t, float64(p.Class), cls.F64[i])
	}
	st, err := os.Stat(filepath.Join(out, "fixedpoints.png"))
	require.NoError(t, err)
	require.Positive(t, st.Size())

	// A memory limit that holds the recording and one point but not the
	// many distinct points of a search stopped early: refused before the
	// points are linearised.
	s, _, err := loadSession(run)
	require.NoError(t, err)
	base, perPoint := fixedpointsMemory(s, 4, tasks.Describe(tasks.HeldOut(s.task)).MaxSteps, 48)
	limit := strconv.FormatFloat((base+1.5*perPoint)/(1<<30), 'g', -1, 64)
	rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-n-init", "48", "-max-iters", "2", "-polish", "0", "-tol-unique", "1e-12", "-trials", "4",
		"-noise", "0.5", "-out", filepath.Join(work, "fp-limited"), "-max-memory", limit).
		want(t, 2, "-n-init 48: ", "distinct points of N = 12 units", "-max-memory limit")
	_, err = os.Stat(filepath.Join(work, "fp-limited", "fixedpoints.json"))
	require.True(t, os.IsNotExist(err), "a refused search wrote its results (%v)", err)

	// An -out that cannot be a directory fails before the search (so
	// before the -input is resolved from the recorded trials), not after it.
	afile := filepath.Join(work, "afile")
	require.NoError(t, os.WriteFile(afile, nil, 0o644))
	rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-input", "context=3", "-trials", "2", "-out", afile).want(t, 1, "-out "+afile+": ")

	// The text output, and the default -out beside the checkpoint.
	rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-n-init", "8", "-max-iters", "20", "-trials", "2").
		want(t, 0, "points:", "wrote "+filepath.Join(run, "fixedpoints"))

	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-checkpoint PATH is required"},
		{[]string{"-checkpoint", run, "-tol-q", "-1"}, "-tol-q"},
		{[]string{"-checkpoint", run, "-tol-unique", "NaN"}, "-tol-unique must be a finite number ≥ 0, got NaN"},
		{[]string{"-checkpoint", run, "-n-init", "0"}, "-n-init"},
		// The value as given, not as a float64 prints it.
		{[]string{"-checkpoint", run, "-n-init", "99999999999"}, "-n-init must be in [1, 100000], got 99999999999"},
		{[]string{"-checkpoint", run, "-max-iters", "0"}, "-max-iters"},
		{[]string{"-checkpoint", run, "-lr", "0"}, "-lr"},
		{[]string{"-checkpoint", run, "-polish", "-2"}, "-polish"},
		{[]string{"-checkpoint", run, "-noise", "-1"}, "-noise"},
		{[]string{"-checkpoint", run, "-outlier-distance", "0"}, "-outlier-distance"},
		// +Inf would run the whole search and then fail to write
		// fixedpoints.json, which has no number for it.
		{[]string{"-checkpoint", run, "-outlier-distance", "+Inf"}, "-outlier-distance +Inf: want a finite value (a large one such as 1e300 keeps every point)"},
		{[]string{"-checkpoint", run, "-tol-marginal", "2"}, "-tol-marginal"},
		{[]string{"-checkpoint", run, "-tol-unique", "0"}, "-tol-unique: 0 would run as the default, 0.001"},
		{[]string{"-checkpoint", run, "-tol-q", "0"}, "-tol-q: 0 would run as the default, 1e-12"},
		{[]string{"-checkpoint", run, "-input", "1,2"}, "-input"},
		{[]string{"-checkpoint", run, "-input", "a b"}, "-input"},
		{[]string{"-checkpoint", run, "-input", "context=1", "-trials", "2"}, "-input context=1"},
		// A context no trial has: the error lists those the trials have.
		{[]string{"-checkpoint", run, "-input", "context=3", "-trials", "2"}, "-input context=3: no recorded trial is of context 3 (contexts: 1)"},
		{[]string{"-checkpoint", run, "-input", "stimulus", "-trials", "2"}, "-input stimulus"},
		{[]string{"-checkpoint", run, "extra"}, "unexpected arguments"},
		{[]string{"-checkpoint", run, "-max-memory", "NaN"}, "-max-memory NaN: want a size in GiB"},
		{[]string{"-checkpoint", run, "-max-memory", "0.00001"}, "-trials 64, -n-init 1024: recording 64 trials"},
	} {
		rnntrain(t, work, append([]string{"fixedpoints"}, c.args...)...).want(t, 2, c.want)
	}
}

// TestCLIFixedPointsOverflow: a checkpoint whose weights, finite but
// edited far beyond a trained net's, make its states overflow to ±Inf is
// refused before the search, naming the file, the state and where it
// overflowed, not after it with a PCA that did not converge.
func TestCLIFixedPointsOverflow(t *testing.T) {
	t.Parallel()
	dir, c := tinyCheckpoint(t)
	for i := range c.Tensors {
		if c.Tensors[i].Name == "leaky.weight_hh" {
			for k := range c.Tensors[i].F32 {
				c.Tensors[i].F32[k] *= 1e30
			}
		}
	}
	require.NoError(t, checkpoints.Save(filepath.Join(dir, "big.safetensors"), c))
	out := filepath.Join(dir, "fp")
	rnntrain(t, dir, "fixedpoints", "-checkpoint", "big.safetensors", "-n-init", "4", "-trials", "2", "-out", out).
		want(t, 1, "checkpoint big.safetensors: the network's state x is ", "Inf at trial ", "of the 2 recorded trials: its dynamics overflow (the largest weight, in leaky.weight_hh, has |w| = ")
	_, err := os.Stat(filepath.Join(out, "fixedpoints.json"))
	require.True(t, os.IsNotExist(err), "a refused search wrote its results (%v)", err)
}

func TestParseInputSpec(t *testing.T) {
	for _, c := range []struct {
		in   string
		want inputSpec
		err  string
	}{
		{"", inputSpec{kind: inputZero}, ""},
		{"zero", inputSpec{kind: inputZero}, ""},
		{"fixation", inputSpec{kind: inputPeriod, period: "fixation"}, ""},
		{"context=1", inputSpec{kind: inputContext, context: 0}, ""},
		{"context=2", inputSpec{kind: inputContext, context: 1}, ""},
		{"context=0", inputSpec{}, "context number"},
		{" 1, -2.5 ,3e-1", inputSpec{kind: inputVector, vec: []float64{1, -2.5, 0.3}}, ""},
		{"1,2", inputSpec{}, "2 values, the network has 3 inputs"},
		{"1,2,3,4", inputSpec{}, "more than 3 values"},
		{"1,Inf,3", inputSpec{}, "not a finite number"},
		{"1,1e39,3", inputSpec{}, "beyond the range of float32"},
		{"1,-3.5e38,3", inputSpec{}, "beyond the range of float32"},
		{"context=-1", inputSpec{}, "context number"},
		{"stim ulus", inputSpec{}, "want zero, a task period"},
		{strings.Repeat("a", 65), inputSpec{}, "want zero, a task period"},
	} {
		got, err := parseInputSpec(c.in, 3)
		if c.err != "" {
			require.ErrorContains(t, err, c.err, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
}

// FuzzParseInputSpec: no -input panics, a vector has exactly nIn values
// finite as float32, and a parsed spec prints back to one that parses the same.
func FuzzParseInputSpec(f *testing.F) {
	for _, s := range []string{"zero", "", "fixation", "stimulus", "context=1", "context=0", "0,0,0", "1e308,-1,0.5", ",,", "1,2", "context=", "x-y_z"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, nIn int) {
		nIn = 1 + (nIn%64+64)%64
		spec, err := parseInputSpec(s, nIn)
		if err != nil {
			return
		}
		if spec.kind == inputVector {
			if len(spec.vec) != nIn {
				t.Fatalf("%q: %d values for %d inputs", s, len(spec.vec), nIn)
			}
			for _, v := range spec.vec {
				if math.IsNaN(v) || math.IsInf(v, 0) || math.IsInf(float64(float32(v)), 0) {
					t.Fatalf("%q: non-finite %g", s, v)
				}
			}
		}
		again, err := parseInputSpec(specString(spec), nIn)
		if err != nil || specString(again) != specString(spec) {
			t.Fatalf("%q → %q → %q, %v", s, specString(spec), specString(again), err)
		}
	})
}

// TestInputText: u* prints in float32's shortest digits, as the network
// sees it, not as the float64 widening of a float32 mean.
func TestInputText(t *testing.T) {
	for _, c := range []struct {
		u    []float64
		want string
	}{
		{[]float64{0, 0, float64(float32(0.1)), 0}, "[0 0 0.1 0]"},
		{[]float64{-1.5, 1e-7}, "[-1.5 1e-07]"},
		{nil, "[]"},
	} {
		if got := inputText(c.u); got != c.want {
			t.Errorf("inputText(%v) = %q, want %q", c.u, got, c.want)
		}
	}
}

// TestCLIFixedPointsOneUnit checks that fixedpoints of a network of one
// unit, whose states have no plane to draw, prints its points and writes
// the .npz and .json, without the figure, instead of failing at the plot.
func TestCLIFixedPointsOneUnit(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append(append([]string{"train", "-steps", "2", "-out", run}, small...), "-hidden", "1")...).want(t, 0, "stopped at step 2")
	out := filepath.Join(work, "fp")
	r := rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-n-init", "4", "-max-iters", "5", "-trials", "2", "-out", out)
	r.want(t, 0, "points:", "wrote "+filepath.Join(out, "fixedpoints.{npz,json}"), "no fixedpoints.png")
	for _, f := range []string{"fixedpoints.npz", "fixedpoints.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("fixedpoints of one unit wrote no %s: %v", f, err)
		}
	}
}

// TestCLIFixedPointsSummaryLabels checks that the summary line says what
// each count and time is: the search's time (Adam, the polish and the
// linearisation), the Adam iterations, the states that met the
// tolerances (not the points, which the polish may still bring to q ≈ 0),
// the polish, and the points dropped by -max-q.
func TestCLIFixedPointsSummaryLabels(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", run}, small...)...).want(t, 0, "stopped at step 2")
	fp := func(args ...string) result {
		t.Helper()
		return rnntrain(t, work, append([]string{"fixedpoints", "-checkpoint", run, "-n-init", "8", "-max-iters", "7", "-trials", "2"}, args...)...)
	}
	fp().want(t, 0, "8 initial states from 2 fresh trials (seed 1, noise 0), search ", "s: 7 Adam iterations (", "states met -tol-q or -tol-dq), up to 50 polish steps; dropped ")
	fp("-polish", "0", "-max-q", "1e-300").want(t, 0, "), no polish; dropped ", "8 with q above -max-q")
}

// TestCLIFixedPointsSlowMarked: points whose q stayed at or above -tol-q
// (a search cut short) are slow points, not fixed points, and every output
// says which is which: the counts and each point in the JSON, a column and
// the count line of the text, an array of the .npz.
func TestCLIFixedPointsSlowMarked(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", run}, small...)...).want(t, 0, "stopped at step 2")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"cut", []string{"-max-iters", "1", "-polish", "0"}},
		{"polished", nil},
	} {
		out := filepath.Join(work, c.name)
		args := append([]string{"fixedpoints", "-checkpoint", run, "-n-init", "8", "-trials", "2", "-noise", "0.5", "-out", out}, c.args...)
		r := rnntrain(t, work, append(args, "-json")...)
		r.want(t, 0)
		var sum fixedPointsSummary
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum), r.stdout)
		require.NotEmpty(t, sum.Points)
		fixed := 0
		for i, p := range sum.Points {
			require.Equal(t, p.Q < sum.Run.Options.TolQ, p.Fixed, "%s: point %d, q = %g", c.name, i, p.Q)
			if p.Fixed {
				fixed++
			}
		}
		require.Equal(t, fixed, sum.FixedPoints, c.name)
		require.Equal(t, len(sum.Points)-fixed, sum.SlowPoints, c.name)
		if c.name == "cut" {
			require.Zero(t, fixed, "one Adam step and no polish left a fixed point")
		} else {
			require.NotZero(t, fixed, "the polished search found no fixed point")
		}
		a, err := npy.OpenArchive(filepath.Join(out, "fixedpoints.npz"))
		require.NoError(t, err)
		f, err := a.Read("fixed")
		a.Close()
		require.NoError(t, err)
		require.Equal(t, []int{len(sum.Points)}, f.Shape)
		for i, p := range sum.Points {
			require.Equal(t, p.Fixed, f.F64[i] == 1, "%s: npz fixed[%d]", c.name, i)
		}
		txt := rnntrain(t, work, args...)
		txt.want(t, 0, fmt.Sprintf("%d points: %d fixed (q < -tol-q 1e-12), %d slow;", len(sum.Points), fixed, len(sum.Points)-fixed))
		if c.name == "cut" {
			txt.want(t, 0, "  slow  ")
		}
	}
}

// TestCLIFixedPointsDatasetSplit: of a dataset, the initial states come
// from its held-out validation split, and the summary names the split and
// the trials recorded (not the -trials asked for).
func TestCLIFixedPointsDatasetSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trainSplitDataset(t, dir, "full", "-model", "leaky")
	args := []string{"fixedpoints", "-checkpoint", "full", "-n-init", "8", "-max-iters", "20", "-trials", "64", "-out", "fp"}
	r := rnntrain(t, dir, append(args, "-json")...)
	r.want(t, 0)
	var sum fixedPointsSummary
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum), r.stdout)
	require.Equal(t, "validation", sum.Run.Split)
	require.Equal(t, 2, sum.Run.Trials, "trials recorded")
	rnntrain(t, dir, args...).want(t, 0, "8 initial states from 2 validation trials (seed 1, noise 0), search ")
}
