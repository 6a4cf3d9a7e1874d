package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// windowNet has one unit per input channel; unit i's rate is input i
// except where the inactivation silences it, and the single output is the
// rates' sum. It records the inactivations and trial lengths it was given.
type windowNet struct {
	nIn     int
	seen    []layers.Inactivation
	lesions []Lesion
	lengths [][]int
}

func (n *windowNet) Dims() (int, int, int) { return n.nIn, n.nIn, 1 }

func (n *windowNet) Run(x []float32, T, B int, opt RunOptions) Activity {
	act := Activity{Out: make([]float32, T*B), Rates: append([]float32(nil), x...)}
	if in := opt.Inactivation; in != nil {
		n.seen = append(n.seen, *in)
	}
	if l := opt.Lesion; l != nil {
		n.lesions = append(n.lesions, *l)
	}
	n.lengths = append(n.lengths, opt.Lengths)
	for t := range T {
		for b := range B {
			for i := range n.nIn {
				k := (t*B+b)*n.nIn + i
				if opt.Inactivation.Active(t) && opt.Inactivation.Units[i] {
					act.Rates[k] = 0
				}
				act.Out[t*B+b] += act.Rates[k]
			}
		}
	}
	return act
}

func TestRunBatchGroupsTrialsByWindow(t *testing.T) {
	const T, B, nIn = 6, 3, 2
	batch := tasks.Batch{T: T, B: B, NIn: nIn, NOut: 1, Inputs: make([]float32, T*B*nIn), Trials: make([]tasks.Trial, B), Lengths: []int{6, 5, 4}}
	for k := range batch.Inputs {
		batch.Inputs[k] = 1
	}
	// Trials 0 and 2 have their delay at steps [1, 3), trial 1 at [2, 5).
	for b, d := range [][2]int{{1, 3}, {2, 5}, {1, 3}} {
		batch.Trials[b].Periods = []tasks.Period{{Name: "fix", Start: 0, End: d[0]}, {Name: "delay", Start: d[0], End: d[1]}}
	}
	net := &windowNet{nIn: nIn}
	in := &Inactivation{Units: []int{1}, Window: Window{Period: "delay"}}
	act, err := runBatch(net, &batch, in, nil)
	require.NoError(t, err)
	require.Len(t, net.seen, 2, "two groups of equal window")
	require.Equal(t, [][]int{{6, 4}, {5}}, net.lengths, "each group gets its own trials' lengths")
	for b, d := range [][2]int{{1, 3}, {2, 5}, {1, 3}} {
		for tt := range T {
			want := float32(2)
			if tt >= d[0] && tt < d[1] {
				want = 1
			}
			require.Equal(t, want, act.Out[tt*B+b], "trial %d step %d", b, tt)
			require.Equal(t, float32(1), act.Rates[(tt*B+b)*nIn], "unit 0 is never silenced")
		}
	}
	// One window for the whole batch runs it in one piece.
	net.seen = nil
	_, err = runBatch(net, &batch, &Inactivation{Units: []int{0}, Window: Window{From: 2, To: 4}}, nil)
	require.NoError(t, err)
	require.Len(t, net.seen, 1)
	require.Equal(t, []bool{true, false}, net.seen[0].Units)
	require.Equal(t, [2]int{2, 4}, [2]int{net.seen[0].From, net.seen[0].To})
	net.seen = nil
	_, err = runBatch(net, &batch, &Inactivation{Units: []int{0}, Window: Window{Period: "nap"}}, nil)
	require.EqualError(t, err, `analysis: inactivation window "nap": trial 0 () has no such period`)
	require.Empty(t, net.seen, "nothing runs")
}

// TestRunBatchLesion checks the connection mask a Runner gets: To rows,
// From columns, over the window's steps, with or without units silenced.
func TestRunBatchLesion(t *testing.T) {
	const T, B, nIn = 6, 2, 3
	batch := tasks.Batch{T: T, B: B, NIn: nIn, NOut: 1, Inputs: make([]float32, T*B*nIn), Trials: make([]tasks.Trial, B)}
	net := &windowNet{nIn: nIn}
	cut := Cut{From: []int{0, 2}, To: []int{1}}
	require.Equal(t, 2, cut.Connections())
	runBatch(net, &batch, &Inactivation{Cuts: []Cut{cut}, Window: Window{From: 1, To: 4}}, nil)
	require.Empty(t, net.seen, "a cut alone silences no unit")
	require.Len(t, net.lesions, 1)
	want := make([]bool, nIn*nIn)
	want[1*nIn+0], want[1*nIn+2] = true, true
	require.Equal(t, Lesion{Cut: want, From: 1, To: 4}, net.lesions[0])
	// An empty side cuts nothing: the plain network runs.
	net.lesions = nil
	runBatch(net, &batch, &Inactivation{Cuts: []Cut{{From: []int{0}}}}, nil)
	require.Empty(t, net.lesions)
	require.Panics(t, func() { runBatch(net, &batch, &Inactivation{Cuts: []Cut{{From: []int{3}, To: []int{0}}}}, nil) })
}

func TestWindowText(t *testing.T) {
	for in, want := range map[string]Window{"all": {}, "delay": {Period: "delay"}, "3:9": {From: 3, To: 9}, "4:": {From: 4}} {
		var w Window
		require.NoError(t, w.UnmarshalText([]byte(in)), in)
		require.Equal(t, want, w)
		require.Equal(t, in, w.String())
	}
	for _, bad := range []string{"5:2", "-1:3", "a:b", "3:3", "de lay", "x/y"} {
		var w Window
		require.Error(t, w.UnmarshalText([]byte(bad)), bad)
	}
	// A step too large for an int is named as such, not as a TO <= FROM.
	for in, want := range map[string]string{
		"0:99999999999999999999": `window "0:99999999999999999999": TO 99999999999999999999 is too large a step (at most 9223372036854775807)`,
		"99999999999999999999:":  `window "99999999999999999999:": FROM 99999999999999999999 is too large a step (at most 9223372036854775807)`,
		"-99999999999999999999:": `window "-99999999999999999999:": FROM must be a step >= 0`,
	} {
		var w Window
		err := w.UnmarshalText([]byte(in))
		require.Error(t, err, in)
		require.Equal(t, want, err.Error())
	}
}

func TestParseUnitsAndSample(t *testing.T) {
	u, err := ParseUnits("10-12,3, 7,3", 13)
	require.NoError(t, err)
	require.Equal(t, []int{3, 7, 10, 11, 12}, u)
	for _, bad := range []string{"", "13", "-1", "5-3", "1,,2", "x", "2-"} {
		_, err := ParseUnits(bad, 13)
		require.Error(t, err, bad)
	}
	all := []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}
	a := Sample(all, 0.3, rand.New(rand.NewPCG(1, 1)))
	require.Equal(t, a, Sample(all, 0.3, rand.New(rand.NewPCG(1, 1))), "every draw from the seed")
	require.Len(t, a, 3)
	require.Subset(t, all, a)
	require.Empty(t, Sample(all, 0, rand.New(rand.NewPCG(1, 1))))
	require.Equal(t, all, Sample(all, 1, rand.New(rand.NewPCG(1, 1))))
}

func TestSummarize(t *testing.T) {
	rep := func(acc float64) Report {
		return Report{Trials: 100, Accuracy: acc, StdErr: 0.01, Conditions: []ConditionRow{{Condition: "a", Trials: 100, Accuracy: acc}}}
	}
	one := Summarize([]Report{rep(0.9)})
	require.Equal(t, 0.01, one.StdErr, "one evaluation: its binomial s.e.")
	require.InDelta(t, 0.03, one.Conditions[0].StdErr, 1e-12)
	three := Summarize([]Report{rep(0.5), rep(0.6), rep(0.7)})
	require.InDelta(t, 0.6, three.Accuracy, 1e-12)
	require.InDelta(t, 0.1/1.7320508075688772, three.StdErr, 1e-12, "s.e. across repeats")
	require.Equal(t, []float64{0.5, 0.6, 0.7}, three.Accuracies)

	// Each condition's 95 % interval follows Interval95's rule on the
	// condition's trials: Wilson's for one repeat, the t interval across
	// repeats widened to Wilson's for several.
	lo, hi := Wilson(0.9, 100, Z95)
	require.Equal(t, [2]float64{lo, hi}, one.Conditions[0].CI95)
	lo, hi = interval95(0.6, three.Conditions[0].StdErr, 100, 3)
	require.Equal(t, [2]float64{lo, hi}, three.Conditions[0].CI95)
	require.Less(t, lo, 0.6-0.1, "three repeats: wider than Wilson's on 100 trials")
	same := Summarize([]Report{rep(1), rep(1)})
	lo, _ = Wilson(1, 100, Z95)
	require.Equal(t, [2]float64{lo, 1}, same.Conditions[0].CI95, "equal draws keep the trials' interval")
}

func FuzzParseUnits(f *testing.F) {
	for _, s := range []string{"3,7,10-20", "0", "0-63", "5-3", "1,,2", "-1", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUnits(s, 64)
		if err != nil {
			return
		}
		for i, x := range u {
			if x < 0 || x >= 64 || i > 0 && u[i-1] >= x {
				t.Fatalf("ParseUnits(%q) = %v: not sorted distinct indices in [0, 64)", s, u)
			}
		}
	})
}

// manySets is a population file of k empty sets.
func manySets(k int) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i := range k {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"s%d":[]`, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// TestParsePopulationsLimits checks that a population file may hold one
// set per unit and 4096 more, not an unbounded number, and that the
// other malformed files are refused, each naming what is wrong.
func TestParsePopulationsLimits(t *testing.T) {
	const n = 64
	if sets, err := ParsePopulations(manySets(n+4096), n); err != nil || len(sets) != n+4096 {
		t.Errorf("%d sets for %d units: %d sets, %v; want all", n+4096, n, len(sets), err)
	}
	for _, c := range []struct{ file, want string }{
		{string(manySets(n + 4097)), "more than 4160 unit sets (a network of 64 units: one per unit and 4096 more)"},
		{`{"a": [1], "a": [2]}`, `set "a" appears twice`},
		{`{"a": [1]} {}`, "data after the object"},
		{`{"a": [1.5]}`, `set "a": 1.5 is not a unit index`},
		{`{"a": 3}`, `set "a": want an array of unit indices`},
		{`{"a": [64]}`, `set "a": unit 64 outside 0…63`},
		{`[1, 2]`, `want a JSON object {"name": [unit indices]}`},
		{`{}`, "no unit sets"},
		{`{"a": [1]`, `want a JSON object {"name": [unit indices]}`},
	} {
		if _, err := ParsePopulations([]byte(c.file), n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40s: error %v, want it to contain %q", c.file, err, c.want)
		}
	}
	sets, err := ParsePopulations([]byte(`{"a": [3, 1, 1, 3], "b": [], "c": null}`), n)
	if err != nil || fmt.Sprint(sets) != "map[a:[1 3] b:[] c:[]]" {
		t.Errorf("got %v, %v; want a = [1 3], b and c empty", sets, err)
	}
}

func FuzzParsePopulations(f *testing.F) {
	f.Add([]byte(`{"a": [3, 1, 1], "b": [0]}`))
	f.Add([]byte(`{"exc": [0, 1, 2], "inh": [60, 63]}`))
	f.Add([]byte(`[1, 2]`))
	f.Add([]byte(`{"a": [64]}`))
	f.Add([]byte(`{"a": [1], "a": [2]}`))
	f.Add([]byte(`{"a": [1e0, -0, 2.0]} x`))
	f.Add(manySets(64 + 4097))
	f.Fuzz(func(t *testing.T, b []byte) {
		sets, err := ParsePopulations(b, 64)
		if err != nil {
			return
		}
		if len(sets) > 64+4096 {
			t.Fatalf("%d sets, more than the %d allowed for 64 units", len(sets), 64+4096)
		}
		for name, u := range sets {
			for i, x := range u {
				if x < 0 || x >= 64 || i > 0 && u[i-1] >= x {
					t.Fatalf("set %q = %v: not sorted distinct indices in [0, 64)", name, u)
				}
			}
		}
	})
}

func FuzzWindow(f *testing.F) {
	for _, s := range []string{"all", "delay", "3:9", "4:", "5:2", ":", "a:b", "0:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w Window
		if w.UnmarshalText([]byte(s)) != nil {
			return
		}
		var back Window
		if err := back.UnmarshalText([]byte(w.String())); err != nil || back != w {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, w, w.String(), back, err)
		}
	})
}

// TestFitPsychometric recovers the bias and slope of logistic curves from
// their exact choice fractions, and stays finite on a perfect observer.
func TestFitPsychometric(t *testing.T) {
	t.Parallel()
	coh := []float64{-4, -2, -1, 1, 2, 4}
	var pts []PsychPoint
	want := map[int][2]float64{0: {-0.6, 1.2}, 1: {0.4, 0.4}} // bias (log-odds at 0), slope
	for ctx, bs := range want {
		for _, c := range coh {
			pts = append(pts, PsychPoint{Context: ctx, Coherence: c, Trials: 100000, PChoice1: 1 / (1 + math.Exp(-(bs[0] + bs[1]*c)))})
		}
	}
	fits := FitPsychometric(pts)
	require.Len(t, fits, 2)
	for _, f := range fits {
		require.InDelta(t, want[f.Context][0], f.Bias, 0.01, "context %d bias", f.Context)
		require.InDelta(t, want[f.Context][1], f.Slope, 0.01, "context %d slope", f.Context)
		require.Equal(t, 600000, f.Trials)
	}
	// A perfect observer: a finite, steep slope that grows with the
	// trials, no bias.
	perfect := func(n int) PsychFit {
		var p []PsychPoint
		for _, c := range coh {
			p = append(p, PsychPoint{Coherence: c, Trials: n, PChoice1: map[bool]float64{true: 1, false: 0}[c > 0]})
		}
		return FitPsychometric(p)[0]
	}
	p80, p800 := perfect(80), perfect(800)
	require.InDelta(t, 0, p80.Bias, 1e-9)
	require.Greater(t, p80.Slope, 2.0)
	require.Greater(t, p800.Slope, p80.Slope)
	// A flat curve biased to choice 1; one coherence cannot be fitted.
	flat := FitPsychometric([]PsychPoint{{Coherence: -1, Trials: 98, PChoice1: 0.75}, {Coherence: 1, Trials: 98, PChoice1: 0.75}})[0]
	require.InDelta(t, 0, flat.Slope, 1e-9)
	require.InDelta(t, math.Log((73.5+0.5)/(24.5+0.5)), flat.Bias, 1e-9) // with the half-trial correction
	require.True(t, flat.Fitted)
	one := FitPsychometric([]PsychPoint{{Coherence: 1, Trials: 10, PChoice1: 0.5}})[0]
	require.Equal(t, PsychFit{Trials: 10}, one)
}

// TestEvaluateContextRefusesBadInactivation checks that an inactivation
// that does not fit the network, or names a period the trials lack, is an
// error from EvaluateContext (nothing run) and Evaluate's documented panic
// with the same text.
func TestEvaluateContextRefusesBadInactivation(t *testing.T) {
	task, err := tasks.New("perceptual-dm", tasks.LowRank, tasks.Settings{})
	require.NoError(t, err)
	nIn, nOut := task.Dims()
	net := sumNet{nIn, nOut} // one unit
	for _, c := range []struct {
		in   Inactivation
		want string
	}{
		{Inactivation{Units: []int{1}}, "analysis: inactivation unit 1 outside [0, 1)"},
		{Inactivation{Units: []int{-1}}, "analysis: inactivation unit -1 outside [0, 1)"},
		{Inactivation{Cuts: []Cut{{From: []int{0}, To: []int{2}}}}, "analysis: cut unit 2 outside [0, 1)"},
		{Inactivation{Units: []int{0}, Mode: Mode(2)}, "analysis: inactivation mode 2: want silence or clamp"},
		{Inactivation{Units: []int{0}, Window: Window{Period: "nap"}}, `analysis: inactivation window "nap": trial 0 (`},
	} {
		opt := EvalOptions{Trials: 4, Draw: rand.New(rand.NewPCG(1, 2)), Inactivation: &c.in}
		rep, err := EvaluateContext(context.Background(), net, task, opt)
		require.ErrorContains(t, err, c.want)
		require.Zero(t, rep.Trials)
		opt.Draw = rand.New(rand.NewPCG(1, 2))
		require.PanicsWithValue(t, err.Error(), func() { Evaluate(net, task, opt) })
	}
	require.NoError(t, (*Inactivation)(nil).Validate(0))
}

// TestModeText checks that Mode's constants round-trip through their text
// and that a value that is none of them neither passes for silence nor
// marshals.
func TestModeText(t *testing.T) {
	for _, m := range []Mode{Silence, Clamp} {
		b, err := m.MarshalText()
		require.NoError(t, err)
		var got Mode
		require.NoError(t, got.UnmarshalText(b))
		require.Equal(t, m, got)
	}
	require.Equal(t, "Mode(2)", Mode(2).String())
	_, err := Mode(2).MarshalText()
	require.EqualError(t, err, "analysis: invalid mode 2")
}
