package analysis

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"

	"github.com/rnntrain/rnntrain/tasks"
)

// sumNet accumulates input channel 0 into one unit and reads it out on
// every output channel; its state "x" is the sum, its Pre the input.
type sumNet struct{ nIn, nOut int }

func (n sumNet) Dims() (int, int, int) { return n.nIn, 1, n.nOut }

func (n sumNet) Run(x []float32, T, B int, opt RunOptions) Activity {
	a := Activity{Out: make([]float32, T*B*n.nOut), Rates: make([]float32, T*B)}
	pre := make([]float32, T*B)
	for b := range B {
		var s float32
		for t := range T {
			pre[t*B+b] = x[(t*B+b)*n.nIn]
			s += pre[t*B+b]
			a.Rates[t*B+b] = s
			for k := range n.nOut {
				a.Out[(t*B+b)*n.nOut+k] = s
			}
		}
	}
	if opt.Record {
		a.States = []State{{Name: "x", Size: 1, Data: slices.Clone(a.Rates)}}
		a.Pre = pre
	}
	return a
}

func TestTrialMajorRoundTrip(t *testing.T) {
	const T, B, D = 3, 2, 4
	x := make([]float32, T*B*D)
	for i := range x {
		x[i] = float32(i)
	}
	y := trialMajor(x, T, B, D)
	// element (t=1, b=1, d=2) time-major sits at (1*B+1)*D+2; trial-major at (1*T+1)*D+2.
	if got, want := y[(1*T+1)*D+2], x[(1*B+1)*D+2]; got != want {
		t.Fatalf("trialMajor: got %v, want %v", got, want)
	}
	if z := timeMajor(y, T, B, D); !slices.Equal(z, x) {
		t.Fatalf("timeMajor(trialMajor(x)) = %v, want %v", z, x)
	}
}

// TestEvaluateMatchesScorer checks the report against the task's scorer
// run by hand on the same trials: accuracy, excluded catch trials, the
// per-condition counts and their numeric order.
func TestEvaluateMatchesScorer(t *testing.T) {
	task, err := tasks.New("perceptual-dm", tasks.LowRank, tasks.Settings{CatchFraction: new(0.2)})
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	net := sumNet{nIn, nOut}
	const n = 300 // two batches of evalBatch and a remainder
	rep := Evaluate(net, task, EvalOptions{Trials: n, Draw: rand.New(rand.NewPCG(3, 4))})

	rng := rand.New(rand.NewPCG(3, 4))
	scored, correct := 0, 0
	per := map[string]int{}
	for done := 0; done < n; done += evalBatch {
		b := task.Batch(rng, min(evalBatch, n-done))
		res := task.Score(net.Run(b.Inputs, b.T, b.B, RunOptions{}).Out, &b)
		for i, tr := range b.Trials {
			if res.Excluded[i] {
				continue
			}
			scored++
			per[tr.Condition]++
			if res.Correct[i] {
				correct++
			}
		}
	}
	if scored == n {
		t.Fatalf("no catch trial among %d; the test needs some", n)
	}
	if rep.Trials != scored || math.Abs(rep.Accuracy-float64(correct)/float64(scored)) > 1e-12 {
		t.Errorf("report: %d trials, accuracy %v; by hand %d trials, accuracy %v", rep.Trials, rep.Accuracy, scored, float64(correct)/float64(scored))
	}
	if want := math.Sqrt(rep.Accuracy * (1 - rep.Accuracy) / float64(rep.Trials)); math.Abs(rep.StdErr-want) > 1e-12 {
		t.Errorf("stderr %v, want %v", rep.StdErr, want)
	}
	total := 0
	for i, row := range rep.Conditions {
		total += row.Trials
		if row.Trials != per[row.Condition] {
			t.Errorf("condition %s: %d trials, want %d", row.Condition, row.Trials, per[row.Condition])
		}
		if i > 0 && tasks.CompareConditions(rep.Conditions[i-1].Condition, row.Condition) >= 0 {
			t.Errorf("conditions out of order: %s before %s", rep.Conditions[i-1].Condition, row.Condition)
		}
	}
	if total != scored || len(rep.Psychometric) < 2 {
		t.Errorf("conditions hold %d trials, want %d; %d psychometric points", total, scored, len(rep.Psychometric))
	}
}

// cancelNet is a sumNet that cancels a context after its first batch.
type cancelNet struct {
	sumNet
	cancel  context.CancelFunc
	batches *int
}

func (n cancelNet) Run(x []float32, T, B int, opt RunOptions) Activity {
	*n.batches++
	n.cancel()
	return n.sumNet.Run(x, T, B, opt)
}

// TestEvaluateContextStops checks that a cancelled context stops the
// evaluation before its next batch, with the context's error.
func TestEvaluateContextStops(t *testing.T) {
	task, err := tasks.New("perceptual-dm", tasks.LowRank, tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	net := cancelNet{sumNet{nIn, nOut}, cancel, &batches}
	rep, err := EvaluateContext(ctx, net, task, EvalOptions{Trials: 3 * evalBatch, Draw: rand.New(rand.NewPCG(3, 4))})
	if !errors.Is(err, context.Canceled) || rep.Trials != 0 {
		t.Errorf("cancelled evaluation: %d trials, error %v; want 0 trials and %v", rep.Trials, err, context.Canceled)
	}
	if batches != 1 {
		t.Errorf("%d batches run, want 1 (the one during which the context was cancelled)", batches)
	}
}

func TestRecordWriteNPZ(t *testing.T) {
	task, err := tasks.NewDefault("context-dm")
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	const n = 5
	rec := Record(sumNet{nIn, nOut}, task, rand.New(rand.NewPCG(1, 1)), nil, n)
	b := task.Batch(rand.New(rand.NewPCG(1, 1)), n)
	// Trial 3's input at step 2, channel 0, is the batch's (t=2, b=3).
	if got, want := rec.Inputs[(3*rec.T+2)*nIn], b.Inputs[(2*n+3)*nIn]; got != want {
		t.Errorf("inputs[3, 2, 0] = %v, want %v", got, want)
	}
	p := filepath.Join(t.TempDir(), "rec.npz")
	if err := rec.WriteNPZ(p); err != nil {
		t.Fatal(err)
	}
	f, err := npy.OpenArchive(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]int{
		"inputs": {n, b.T, nIn}, "rates": {n, b.T, 1}, "outputs": {n, b.T, nOut},
		"targets": {n, b.T, nOut}, "mask": {n, b.T, nOut}, "state/x": {n, b.T, 1}, "pre": {n, b.T, 1},
	}
	for k, shape := range want {
		h, err := f.Header(k)
		if err != nil {
			t.Errorf("array %s: %v", k, err)
			continue
		}
		if !slices.Equal(h.Shape, shape) {
			t.Errorf("%s: shape %v, want %v", k, h.Shape, shape)
		}
	}
	if a, err := f.Read("rates"); err != nil || !slices.Equal(a.F32, rec.Rates) {
		t.Errorf("rates read back (%v) differ from the recording", err)
	}
	// ints reads an int64 array.
	ints := func(name string) []int64 {
		h, raw, err := f.Raw(name)
		if err != nil || h.Descr != "<i8" {
			t.Fatalf("array %s: %v %v, want <i8", name, h, err)
		}
		v := make([]int64, len(raw)/8)
		binary.Read(bytes.NewReader(raw), binary.LittleEndian, v)
		return v
	}
	// Per-trial task variables: the correct choice, the model's response
	// as the scorer read it, each period's boundaries, every latent.
	choice, resp := ints("choice"), ints("response")
	if len(choice) != n || len(resp) != n {
		t.Fatalf("choice %v response %v, want %d each", choice, resp, n)
	}
	res := task.Score(sumNet{nIn, nOut}.Run(b.Inputs, b.T, b.B, RunOptions{}).Out, &b)
	for i, tr := range b.Trials {
		if choice[i] != int64(tr.Choice) || resp[i] != int64(res.Response[i]) {
			t.Errorf("trial %d: choice %d response %d, want %d and %d", i, choice[i], resp[i], tr.Choice, res.Response[i])
		}
		for _, p := range tr.Periods {
			if v := ints("periods/" + p.Name); v[2*i] != int64(p.Start) || v[2*i+1] != int64(p.End) {
				t.Errorf("trial %d period %s: %v, want [%d %d]", i, p.Name, v, p.Start, p.End)
			}
		}
		for _, l := range tr.Latents() {
			if a, err := f.Read("task/" + l.Name); err != nil || a.F64[i] != l.Value {
				t.Errorf("trial %d latent %s: %v (%v), want %v", i, l.Name, a.F64, err, l.Value)
			}
		}
	}
	if !f.Has("task/coherence_mod1") {
		t.Errorf("context-dm recording lacks task/coherence_mod1; has %v", f.Names())
	}
	// A recording is also a user dataset (inputs, targets, mask).
	if _, err := tasks.LoadNPZ(p, tasks.MSE); err != nil {
		t.Errorf("recording as a tasks dataset: %v", err)
	}
}

func TestRecordInputs(t *testing.T) {
	const trials, T = 2, 3
	x := []float32{1, 2, 3, 10, 20, 30} // [2][3][1]
	rec := RecordInputs(sumNet{1, 1}, x, trials, T, nil)
	if want := []float32{1, 3, 6, 10, 30, 60}; !slices.Equal(rec.Rates, want) {
		t.Errorf("rates %v, want %v (trial-major running sums)", rec.Rates, want)
	}
	if rec.Targets != nil || rec.Mask != nil || !slices.Equal(rec.Inputs, x) {
		t.Errorf("recording of user inputs: targets %v mask %v inputs %v", rec.Targets, rec.Mask, rec.Inputs)
	}
	defer func() {
		if recover() == nil {
			t.Error("RecordInputs with the wrong input size did not panic")
		}
	}()
	RecordInputs(sumNet{1, 1}, x[:5], trials, T, nil)
}

func TestExamples(t *testing.T) {
	task, err := tasks.NewDefault("context-dm")
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	exs := Examples(sumNet{nIn, nOut}, task, rand.New(rand.NewPCG(5, 6)), 3)
	if len(exs) != 3 {
		t.Fatalf("%d examples, want 3", len(exs))
	}
	type kind struct{ ctx, choice int }
	seen := map[kind]bool{}
	for i, ex := range exs {
		seen[kind{ex.Trial.Context, ex.Trial.Choice}] = true
		T := len(ex.Inputs)
		if T == 0 || len(ex.Targets) != T || len(ex.Outputs) != T || len(ex.Scored) != T || len(ex.Inputs[0]) != nIn || len(ex.Outputs[0]) != nOut {
			t.Errorf("example %d: %d steps of inputs, %d targets, %d outputs, %d scored flags", i, T, len(ex.Targets), len(ex.Outputs), len(ex.Scored))
		}
		if !slices.Contains(ex.Scored, true) {
			t.Errorf("example %d has no scored step", i)
		}
	}
	if len(seen) != 3 {
		t.Errorf("examples repeat a (context, choice): %v", seen)
	}
}

// TestReportJSONNonFinite: a report of a network whose outputs are NaN
// encodes, with its MSE and figures null; a finite one keeps its numbers.
func TestReportJSONNonFinite(t *testing.T) {
	r := Report{Task: "x", Trials: 2, MSE: math.NaN(), Figures: map[string]float64{"sparsity": math.Inf(1), "macs": 3}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"mse":null`, `"sparsity":null`, `"macs":3`, `"trials":2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("got %s, want %s in it", b, want)
		}
	}
	r.MSE, r.Figures = 0.25, nil
	if b, err = json.Marshal(r); err != nil || !strings.Contains(string(b), `"accuracy_stderr":0,"mse":0.25,`) || strings.Contains(string(b), "cross_entropy") {
		t.Errorf("finite report: got %s, %v", b, err)
	}
	// A cross-entropy task's loss: a number, or null when not finite.
	for ce, want := range map[float64]string{0.125: `"mse":0.25,"cross_entropy":0.125,`, math.NaN(): `"cross_entropy":null`} {
		r.CrossEntropy = &ce
		if b, err = json.Marshal(r); err != nil || !strings.Contains(string(b), want) {
			t.Errorf("report with cross-entropy %v: got %s, %v; want %s in it", ce, b, err, want)
		}
	}
}

// TestJSONNoScoredTrials: with no scored trial (every trial a catch
// trial) the accuracy is undefined, so a Report and a Summary write it
// and its s.e. as null, not as 0, which reads as a network always wrong.
func TestJSONNoScoredTrials(t *testing.T) {
	for _, v := range []any{Report{Task: "x", MSE: 0.5}, Report{Task: "x", MSE: math.NaN()}, Summarize([]Report{{Task: "x"}, {Task: "x"}})} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"accuracy":null`, `"accuracy_stderr":null`, `"trials":0`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%T with no scored trial: got %s, want %s in it", v, b, want)
			}
		}
	}
	b, err := json.Marshal(Summarize([]Report{{Task: "x", Trials: 4, Accuracy: 0.5, StdErr: 0.25}}))
	if err != nil || !strings.Contains(string(b), `"accuracy":0.5,"accuracy_stderr":0.25,"trials":4`) {
		t.Errorf("summary of 4 trials: got %s (%v), want its accuracy and s.e.", b, err)
	}
}
