package main

import (
	"context"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
)

// TestSpikingFiguresLeaveOutPadding evaluates an untrained lif net on
// match-to-sample, whose trials end at different steps, and checks its
// figures against the spikes of each trial's own steps, without the
// padding after its end.
func TestSpikingFiguresLeaveOutPadding(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	cfg.Task.Name = "match-to-sample"
	cfg.Model.Hidden = 16
	if err := setKey(&cfg, "model.kind", "lif"); err != nil {
		t.Fatal(err)
	}
	task, err := resolve(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	net, err := buildNetwork(cfg, nIn, nOut, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	const trials = 300
	rep := analysis.Evaluate(net, task, analysis.EvalOptions{Trials: trials, Draw: rand.New(rand.NewPCG(3, 4))})

	// The same trials by hand, in Evaluate's batches of 256, counting
	// each unit's spikes over the steps each trial really has.
	rng := rand.New(rand.NewPCG(3, 4))
	_, n, _ := net.Dims()
	spikes := make([]float64, n)
	var unitSteps float64
	padded := false
	for done := 0; done < trials; done += 256 {
		batch := task.Batch(rng, min(256, trials-done))
		T, B := batch.T, batch.B
		opt := analysis.RunOptions{Lengths: batch.Lengths}
		act := net.Run(batch.Inputs, T, B, opt)
		for s := range T {
			for b := range B {
				if s >= batch.Lengths[b] {
					padded = true
					continue
				}
				for j := range n {
					spikes[j] += float64(act.Rates[(s*B+b)*n+j])
				}
				unitSteps += float64(n)
			}
		}
		// A connection lesion runs the steps in three parts; cutting
		// nothing, their tallies add up to the whole run's.
		opt.Lesion = &analysis.Lesion{Cut: make([]bool, n*n), From: T / 3, To: 2 * T / 3}
		if got, want := net.Run(batch.Inputs, T, B, opt).Tally.Map(), act.Tally.Map(); !maps.EqualFunc(got, want, nearly) {
			t.Errorf("batch at %d: figures with a lesion cutting nothing %v, want %v", done, got, want)
		}
	}
	if !padded {
		t.Fatal("no trial shorter than its batch; the test needs padding")
	}
	var total float64
	silent := 0
	for _, c := range spikes {
		total += c
		if c == 0 {
			silent++
		}
	}
	if total == 0 {
		t.Fatal("no spike; the test needs some")
	}
	mean := total / unitSteps
	want := map[string]float64{
		"rate_hz":           mean * 1000 / cfg.Model.DtMS,
		"silent_units":      float64(silent) / float64(len(spikes)),
		"activity_sparsity": 1 - mean,
	}
	for k, w := range want {
		if got, ok := rep.Figures[k]; !ok || !nearly(got, w) {
			t.Errorf("figure %s = %v (present %v), want %v", k, got, ok, w)
		}
	}
}

// nearly reports whether a and b agree to 1e-9 of the larger of 1 and |b|.
func nearly(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

// TestSpikingRateWithoutDt checks that every spiking model reports its
// firing rate in Hz on a task with a time step and per step, without
// rate_hz, on one without (npz datasets, MNIST), whose dt the lif and
// alif decays take as 1 ms.
func TestSpikingRateWithoutDt(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"lif", "alif", "ltc"} {
		for _, dt := range []float64{20, 0} {
			cfg := defaultConfig()
			cfg.Task.Name = "perceptual-dm"
			cfg.Model.Hidden = 8
			if err := setKey(&cfg, "model.kind", kind); err != nil {
				t.Fatal(err)
			}
			task, err := resolve(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Model.DtMS = dt
			cfg.Model = cfg.Model.Resolved()
			nIn, nOut := task.Dims()
			net, err := buildNetwork(cfg, nIn, nOut, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			b := task.Batch(rand.New(rand.NewPCG(3, 4)), 4)
			f := net.Run(b.Inputs, b.T, b.B, analysis.RunOptions{Lengths: b.Lengths}).Tally.Map()
			has, lacks := "rate_hz", "rate_per_step"
			if dt == 0 {
				has, lacks = lacks, has
			}
			if _, ok := f[has]; !ok {
				t.Errorf("%s, dt %v ms: figures %v lack %s", kind, dt, f, has)
			}
			if _, ok := f[lacks]; ok {
				t.Errorf("%s, dt %v ms: figures %v have %s", kind, dt, f, lacks)
			}
		}
	}
}

// TestFiguresStop checks that a run's figures stop at a cancelled context:
// no figure is drawn and the context's error is returned.
func TestFiguresStop(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	cfg.Model.Hidden = 8
	s, err := newSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	evalTask, err := s.evalTask()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	f := runFigures{s: s, evalTask: evalTask, curves: plots.Curves{Step: []float64{1}, Loss: []float64{1}, Accuracy: []float64{0.5}}}
	wrote, err := f.write(ctx, dir, plots.Formats{plots.SVG}, 0)
	if !errors.Is(err, context.Canceled) || len(wrote) > 0 {
		t.Errorf("cancelled figures: wrote %v, error %v; want none and %v", wrote, err, context.Canceled)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("cancelled figures left %d files in %s", len(ents), dir)
	}
	if _, err := finalReport(ctx, s, evalTask, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled final evaluation: error %v, want %v", err, context.Canceled)
	}
}

// TestCLIFiguresFailSummary: when a figure cannot be written (here a
// directory stands where trials.svg goes, as a full disk would fail it),
// train still exits 0 with a warning, and its summary names only the
// figures it wrote, not plots/ as a whole.
func TestCLIFiguresFailSummary(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	if err := os.MkdirAll(filepath.Join(run, "plots", "trials.svg"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "5", "-quiet"}, tiny...)...)
	r.want(t, 0, "warning: plots: write "+filepath.Join(run, "plots", "trials.svg"))
	if strings.Contains(r.stdout, "plots/\n") {
		t.Errorf("summary claims plots/ though trials failed:\n%s", r.stdout)
	}
	if want := "plots/curves.svg only (the other figures failed, see the warning; 'rnntrain plot " + run + "' draws them again)"; !strings.Contains(r.stdout, want) {
		t.Errorf("summary does not say which figures were written, want %q:\n%s", want, r.stdout)
	}

	// None written: the summary names no figure.
	run2 := filepath.Join(work, "run2")
	if err := os.MkdirAll(filepath.Join(run2, "plots", "curves.svg"), 0o755); err != nil {
		t.Fatal(err)
	}
	r = rnntrain(t, work, append([]string{"train", "-out", run2, "-steps", "5", "-quiet"}, tiny...)...)
	r.want(t, 0, "warning: plots: write "+filepath.Join(run2, "plots", "curves.svg"))
	if want := "eval.json; no figures (they failed, see the warning; 'rnntrain plot " + run2 + "' draws them again)"; !strings.Contains(r.stdout, want) {
		t.Errorf("want %q in:\n%s", want, r.stdout)
	}
}
