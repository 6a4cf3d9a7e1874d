package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// TestCLIKeepBest trains with -keep-best, then spoils the net by resuming
// at a learning rate thirty times the default: the run's final evaluation must then
// score the kept weights of its best held-out evaluation (the same trials
// and weights as the first run's final evaluation, so the same numbers),
// while the latest checkpoint keeps the last step's. A branch carries its
// source's best along; eval reads best.safetensors.
func TestCLIKeepBest(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, branch := filepath.Join(work, "run"), filepath.Join(work, "branch")
	base := []string{"-task", "perceptual-dm", "-eval-every", "50", "-keep-best"}
	r := rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "200"}, base...)...)
	r.want(t, 0, "best.safetensors")
	first := readReport(t, run)
	if first.WeightsStep != 0 {
		t.Fatalf("a run whose best evaluation is its last wrote weights_step %d", first.WeightsStep)
	}
	best := bestOfMetrics(t, run)
	c, err := checkpoints.Load(checkpoints.BestPath(run))
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.Step != best.Step || c.Meta.Metrics[train.BestAccuracyMetric] != best.Accuracy {
		t.Fatalf("best.safetensors is of step %d (accuracy %v); metrics.jsonl's best evaluation is step %d (%v)",
			c.Meta.Step, c.Meta.Metrics[train.BestAccuracyMetric], best.Step, best.Accuracy)
	}

	spoil := []string{"-steps", "300", "-lr", "0.1", "-force"}
	rb := rnntrain(t, work, append([]string{"train", "-resume", run, "-out", branch}, spoil...)...)
	ri := rnntrain(t, work, append([]string{"train", "-resume", run}, spoil...)...)
	for _, c := range []struct {
		name, dir string
		r         result
	}{{"resume", run, ri}, {"branch", branch, rb}} {
		c.r.want(t, 0, "best held-out evaluation: accuracy", "the best weights, of step")
		after := bestOfMetrics(t, c.dir)
		if last := lastEvaluation(t, c.dir); last.Step == after.Step || after.Step > 200 {
			t.Fatalf("%s: the resumed steps did not spoil the net (last evaluation %.3f, mse %.4g at step %d; best %.3f, mse %.4g at step %d): the case does not tell the best weights from the last",
				c.name, last.Accuracy, last.MSE, last.Step, after.Accuracy, after.MSE, after.Step)
		}
		rep := readReport(t, c.dir)
		if rep.Step != 300 || rep.WeightsStep != after.Step {
			t.Errorf("%s: eval.json of step %d, weights_step %d; want 300 and %d", c.name, rep.Step, rep.WeightsStep, after.Step)
		}
		if after.Step == 200 && (rep.Accuracy != first.Accuracy || rep.MSE != first.MSE) {
			t.Errorf("%s: the final evaluation of the step-200 weights gave accuracy %v, mse %v; the first run's gave %v, %v",
				c.name, rep.Accuracy, rep.MSE, first.Accuracy, first.MSE)
		}
		if k, _ := loadTensors(t, c.dir); k != 300 {
			t.Errorf("%s: the latest checkpoint is of step %d, want 300", c.name, k)
		}
	}
	ins := rnntrain(t, work, "inspect", run)
	ins.want(t, 0, fmt.Sprintf("best held-out        step %d, validation accuracy", bestOfMetrics(t, run).Step))
	re := rnntrain(t, work, "eval", "-checkpoint", checkpoints.BestPath(run), "-trials", "50")
	re.want(t, 0, fmt.Sprintf("step %d", best.Step))
	// eval of the run directory scores its latest checkpoint and says
	// that the run's final evaluation scored the best weights.
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "50").want(t, 0, "step 300",
		fmt.Sprintf("note: this scores %s, of step 300;", checkpoints.LatestPath(run)),
		fmt.Sprintf("of step %d: -checkpoint %s", bestOfMetrics(t, run).Step, checkpoints.BestPath(run)))
	// plot RUN draws again what training drew, from the best weights;
	// plot of the latest checkpoint file, from the last step's.
	drawn := mustRead(t, filepath.Join(run, "plots", "trials.svg"))
	rnntrain(t, work, "plot", "-format", "svg", run).want(t, 0, "drawn from the best held-out evaluation's weights")
	if again := mustRead(t, filepath.Join(run, "plots", "trials.svg")); !bytes.Equal(again, drawn) {
		t.Error("plot RUN of a -keep-best run drew trials.svg unlike the run's training")
	}
	latest := filepath.Join(work, "latest-plots")
	rnntrain(t, work, "plot", "-format", "svg", "-out", latest, checkpoints.LatestPath(run)).want(t, 0, "wrote")
	if last := mustRead(t, filepath.Join(latest, "trials.svg")); bytes.Equal(last, drawn) {
		t.Error("plot of the latest checkpoint drew the best weights' trials.svg")
	}
}

type evalPoint struct {
	Step     int
	Accuracy float64
	MSE      float64
}

// bestOfMetrics returns the held-out evaluation of metrics.jsonl in dir
// that keep_best keeps: the highest accuracy, then the lowest MSE, then
// the earliest.
func bestOfMetrics(t *testing.T, dir string) evalPoint {
	t.Helper()
	b := evalPoint{Step: -1}
	for _, e := range evaluations(t, dir) {
		if b.Step < 0 || e.Accuracy > b.Accuracy || e.Accuracy == b.Accuracy && e.MSE < b.MSE {
			b = e
		}
	}
	return b
}

func lastEvaluation(t *testing.T, dir string) evalPoint {
	t.Helper()
	es := evaluations(t, dir)
	return es[len(es)-1]
}

func evaluations(t *testing.T, dir string) []evalPoint {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var es []evalPoint
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m struct {
			Step int      `json:"step"`
			Acc  *float64 `json:"validation_accuracy"`
			MSE  *float64 `json:"validation_mse"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m.Acc != nil {
			es = append(es, evalPoint{m.Step, *m.Acc, *m.MSE})
		}
	}
	if len(es) == 0 {
		t.Fatalf("%s: no held-out evaluation in metrics.jsonl", dir)
	}
	return es
}

// readReport reads the eval.json of the run in dir.
func readReport(t *testing.T, dir string) analysis.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep analysis.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s/eval.json: %v", dir, err)
	}
	return rep
}

// TestCLIKeepBestRefusedFile: a resume whose best.safetensors is damaged,
// of another network, or of a network of the same shape trained on another
// task or from another seed, is refused at once, naming the file, before
// any step is trained; a branch so refused leaves no -out directory; and
// the run resumes once the file is moved away.
func TestCLIKeepBestRefusedFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, other := filepath.Join(work, "run"), filepath.Join(work, "other")
	base := []string{"-task", "perceptual-dm", "-eval-every", "2", "-keep-best", "-quiet", "-plot-format", "svg"}
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "4", "-hidden", "8"}, base...)...).want(t, 0, "best.safetensors")
	rnntrain(t, work, append([]string{"train", "-out", other, "-steps", "4", "-hidden", "12"}, base...)...).want(t, 0, "best.safetensors")
	// Runs of the same shape: another seed; another task of perceptual-dm's
	// one input and one output.
	seed2, task2 := filepath.Join(work, "seed2"), filepath.Join(work, "task2")
	rnntrain(t, work, append(append([]string{"train", "-out", seed2, "-steps", "4", "-hidden", "8"}, base...), "-seed", "2")...).want(t, 0, "best.safetensors")
	rnntrain(t, work, append(append([]string{"train", "-out", task2, "-steps", "4", "-hidden", "8"}, base...), "-task", "parametric-wm")...).want(t, 0, "best.safetensors")
	good, err := os.ReadFile(checkpoints.BestPath(run))
	if err != nil {
		t.Fatal(err)
	}
	larger, err := os.ReadFile(checkpoints.BestPath(other))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:100], "truncated"},
		{"another size", larger, "model expects [8"},
		{"a latest checkpoint", mustRead(t, checkpoints.LatestPath(run)), "no validation_accuracy in its metrics"},
		{"another seed", mustRead(t, checkpoints.BestPath(seed2)), "trained from seed 2; this run's seed is 1"},
		{"another task", mustRead(t, checkpoints.BestPath(task2)), "trained on task parametric-wm; this run's task is perceptual-dm"},
	} {
		if err := os.WriteFile(checkpoints.BestPath(run), c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		branch := filepath.Join(work, "refused", "branch")
		rnntrain(t, work, "train", "-resume", run, "-out", branch, "-steps", "6").want(t, 1, checkpoints.BestPath(run), c.want)
		assert.NoDirExists(t, filepath.Join(work, "refused"), c.name+": a refused branch")
		rnntrain(t, work, "train", "-resume", run, "-steps", "6").want(t, 1, checkpoints.BestPath(run), c.want, "move it out of "+run+" to resume without it")
		if k, _ := loadTensors(t, run); k != 4 {
			t.Errorf("%s: a refused resume moved the latest checkpoint to step %d", c.name, k)
		}
	}
	// inspect still shows the run whose best file is damaged, and fails
	// naming that file.
	if err := os.WriteFile(checkpoints.BestPath(run), good[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	ins := rnntrain(t, work, "inspect", run)
	ins.want(t, 1, checkpoints.BestPath(run), "truncated")
	// plot RUN, which draws the best's weights, fails naming the file and
	// the checkpoint that draws the last step's.
	rnntrain(t, work, "plot", "-format", "svg", run).want(t, 1, checkpoints.BestPath(run), "truncated", "plot "+checkpoints.LatestPath(run)+" draws the last step's")
	if !strings.Contains(ins.stdout, "leaky.weight_hh") || !strings.Contains(ins.stdout, "unreadable") {
		t.Errorf("inspect of a run with a damaged best file did not show its checkpoint:\n%s", ins.stdout)
	}
	var info struct {
		Step int `json:"step"`
		Best *struct {
			Error string `json:"error"`
		} `json:"best"`
	}
	ij := rnntrain(t, work, "inspect", "-json", run)
	ij.want(t, 1, checkpoints.BestPath(run))
	if err := json.Unmarshal([]byte(ij.stdout), &info); err != nil || info.Step != 4 || info.Best == nil || !strings.Contains(info.Best.Error, "truncated") {
		t.Errorf("inspect -json of a run with a damaged best file: %v, %+v:\n%s", err, info, ij.stdout)
	}
	if err := os.Remove(checkpoints.BestPath(run)); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 0, "best.safetensors")
}

// TestCLIKeepBestRefusedLaterFile: a best.safetensors of another run
// (another seed) is refused by a resume also when its step is past the one
// the run resumes from, rather than dropped and overwritten by the run's
// next evaluation; the run's own best of a later step (a run resumed from
// an earlier checkpoint) is still not counted, and the run keeps a new one.
func TestCLIKeepBestRefusedLaterFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, seed2 := filepath.Join(work, "run"), filepath.Join(work, "seed2")
	base := []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-eval-every", "2", "-eval-trials", "8", "-keep-best", "-quiet", "-plot-format", "svg", "-steps", "4"}
	rnntrain(t, work, append(append([]string{}, base...), "-out", run)...).want(t, 0)
	rnntrain(t, work, append(append([]string{}, base...), "-seed", "2", "-out", seed2)...).want(t, 0)
	later := func(src string) []byte {
		t.Helper()
		b, err := checkpoints.Load(checkpoints.BestPath(src))
		require.NoError(t, err)
		b.Meta.Step = 100
		p := filepath.Join(work, "later.safetensors")
		require.NoError(t, checkpoints.Save(p, b))
		return mustRead(t, p)
	}
	own, foreign := later(run), later(seed2)
	require.NoError(t, os.WriteFile(checkpoints.BestPath(run), foreign, 0o644))
	rnntrain(t, work, "train", "-resume", run, "-steps", "6").
		want(t, 1, "best checkpoint "+checkpoints.BestPath(run)+": trained from seed 2; this run's seed is 1")
	assert.Equal(t, foreign, mustRead(t, checkpoints.BestPath(run)), "a refused resume changed the other run's best file")
	if k, _ := loadTensors(t, run); k != 4 {
		t.Errorf("a refused resume moved the latest checkpoint to step %d", k)
	}
	require.NoError(t, os.WriteFile(checkpoints.BestPath(run), own, 0o644))
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 0)
	b, err := checkpoints.Load(checkpoints.BestPath(run))
	require.NoError(t, err)
	if b.Meta.Step > 6 {
		t.Errorf("the run's own best of a later step was kept (step %d), want one of this run's steps up to 6", b.Meta.Step)
	}
}

// TestChosenOn: a run whose final evaluation scores the best weights on
// the dataset's trials that chose them says so, and points to
// 'eval -split test' only when the data hold out a test split (otherwise
// that command fails); fresh trials need no note.
func TestChosenOn(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, rec := filepath.Join(work, "run"), filepath.Join(work, "rec.npz")
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-steps", "2", "-hidden", "8", "-quiet", "-plot-format", "svg", "-out", run).want(t, 0)
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "10", "-record", rec).want(t, 0)
	for _, c := range []struct {
		test      float64
		split     string
		want, not string
	}{
		{0, "validation", "validation split scored below; the data hold out no test split", "-split test"},
		{0.2, "validation", "validation split scored below; 'rnntrain eval -checkpoint B -split test'", "no test split"},
		{0, "train", "training trials scored below, which training drew from too", "-split test"},
	} {
		task, err := tasks.New("npz", tasks.Default, tasks.Settings{Path: rec, TestFraction: c.test})
		if err != nil {
			t.Fatal(err)
		}
		got := chosenOn(c.split, task, "B")
		if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("test_fraction %v, scored on %s: %q; want %q, not %q", c.test, c.split, got, c.want, c.not)
		}
	}
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	if got := chosenOn(tasks.SplitLabel(task), task, "B"); got != "" {
		t.Errorf("fresh trials: %q, want nothing", got)
	}
}

// TestCLIKeepBestMissedEvaluations: a run resumed with -keep-best after a
// process without it evaluated better than its best.safetensors warns,
// naming the file and the evaluation whose weights were not kept; one
// whose evaluations since never beat the file does not.
func TestCLIKeepBestMissedEvaluations(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	base := []string{"-quiet", "-plot-format", "svg"}
	// The run header says the run keeps its best.
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-hidden", "8", "-eval-every", "2", "-steps", "4", "-keep-best", "-out", run, "-plot-format", "svg").
		want(t, 0, "every 2 steps, keeping the best in best.safetensors, whose weights the final evaluation scores")
	// spoil gives the best file scores that every evaluation beats, so
	// that those of a process without -keep-best certainly do.
	spoil := func() {
		t.Helper()
		c, err := checkpoints.Load(checkpoints.BestPath(run))
		if err != nil {
			t.Fatal(err)
		}
		c.Meta.Metrics[train.BestAccuracyMetric], c.Meta.Metrics[train.BestMSEMetric] = -1, 1e9
		if err := checkpoints.Save(checkpoints.BestPath(run), c); err != nil {
			t.Fatal(err)
		}
	}
	spoil()
	r := rnntrain(t, work, append([]string{"train", "-resume", run, "-steps", "6", "-keep-best"}, base...)...)
	r.want(t, 0)
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("a resume with no evaluation since its best warned:\n%s", r.stderr)
	}
	spoil()
	rnntrain(t, work, append([]string{"train", "-resume", run, "-steps", "8", "-keep-best=false"}, base...)...).want(t, 0)
	rnntrain(t, work, "inspect", run).want(t, 0, "not updated since the run was resumed without -keep-best")
	r = rnntrain(t, work, append([]string{"train", "-resume", run, "-steps", "10", "-keep-best"}, base...)...)
	r.want(t, 0)
	if !strings.Contains(r.stderr, checkpoints.BestPath(run)+", of step 6") || !strings.Contains(r.stderr, "made without -keep-best") {
		t.Errorf("a resume with -keep-best after evaluations without it did not warn of them:\n%s", r.stderr)
	}
	// A best file of a step past the latest checkpoint (one copied back
	// from checkpoints/ to resume from it) is shown as such.
	ins := rnntrain(t, work, "inspect", run)
	ins.want(t, 0)
	if strings.Contains(ins.stdout, "not updated since") {
		t.Errorf("inspect of a run that keeps the best again still says it was not updated:\n%s", ins.stdout)
	}
	if err := os.WriteFile(checkpoints.LatestPath(run), mustRead(t, checkpoints.StepPath(run, 8)), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "inspect", "-json", run).want(t, 0, `"note": "of a step past the checkpoint's`)
}

// TestCLIAnalysesNoteBest: the commands that analyse a run directory's
// latest checkpoint say so on stderr, and how to analyse the best, when
// the run's final evaluation and figures used its best held-out
// evaluation's earlier weights; given the checkpoint file, they do not.
func TestCLIAnalysesNoteBest(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	full, low := filepath.Join(work, "full"), filepath.Join(work, "low")
	base := []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-eval-every", "2", "-keep-best", "-quiet", "-plot-format", "svg"}
	for _, c := range []struct {
		dir   string
		model []string
	}{{full, nil}, {low, []string{"-model", "lowrank", "-rank", "1"}}} {
		rnntrain(t, work, append(append(append([]string{}, base...), c.model...), "-steps", "4", "-out", c.dir)...).want(t, 0)
		// A best no later evaluation beats: it stays of an earlier step
		// than the latest checkpoint.
		b, err := checkpoints.Load(checkpoints.BestPath(c.dir))
		if err != nil {
			t.Fatal(err)
		}
		b.Meta.Metrics[train.BestAccuracyMetric] = 2
		if err := checkpoints.Save(checkpoints.BestPath(c.dir), b); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-resume", c.dir, "-steps", "6", "-quiet").want(t, 0)
	}
	note := func(cmd, verb, flag, run string) []string {
		b, err := checkpoints.Load(checkpoints.BestPath(run))
		if err != nil {
			t.Fatal(err)
		}
		return []string{fmt.Sprintf("rnntrain %s: note: this %s %s, of step 6;", cmd, verb, checkpoints.LatestPath(run)),
			fmt.Sprintf("of step %d: %s %s", b.Meta.Step, flag, checkpoints.BestPath(run))}
	}
	for _, c := range []struct {
		cmd, run string
		args     []string
	}{
		{"inactivate", full, []string{"-units", "0", "-trials", "4"}},
		{"fixedpoints", full, []string{"-n-init", "4", "-max-iters", "2", "-trials", "2", "-out", filepath.Join(work, "fp")}},
		{"truncate", full, []string{"-rank", "1", "-trials", "4", "-out", filepath.Join(work, "trunc")}},
		{"latent", low, []string{"-trials", "2", "-out", filepath.Join(work, "lat")}},
		{"populations", low, []string{"-max-k", "1", "-resample", "0", "-trials", "4"}},
	} {
		verb := map[bool]string{true: "truncates", false: "analyses"}[c.cmd == "truncate"]
		r := rnntrain(t, work, append([]string{c.cmd, "-checkpoint", c.run}, c.args...)...)
		r.want(t, 0)
		for _, w := range note(c.cmd, verb, "-checkpoint", c.run) {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s of a -keep-best run directory: stderr lacks %q:\n%s", c.cmd, w, r.stderr)
			}
		}
		if c.cmd == "truncate" {
			continue // its -out is taken now
		}
		r = rnntrain(t, work, append([]string{c.cmd, "-checkpoint", checkpoints.LatestPath(c.run)}, c.args...)...)
		r.want(t, 0)
		if strings.Contains(r.stderr, "note:") {
			t.Errorf("%s of a checkpoint file notes the best:\n%s", c.cmd, r.stderr)
		}
	}
	r := rnntrain(t, work, "train", "-task", "perceptual-dm", "-model", "lowrank", "-rank", "1", "-activation", "relu", "-hidden", "8", "-steps", "1", "-eval-every", "0", "-quiet", "-plot-format", "svg",
		"-init-from", full, "-out", filepath.Join(work, "init"))
	r.want(t, 0)
	for _, w := range note("train", "truncates", "-init-from", full) {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("train -init-from a -keep-best run directory: stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

// TestCLIInspectBestMetrics checks what inspect says of a best checkpoint
// whose held-out MSE is not finite (an evaluation whose outputs
// overflowed) or whose scores are not recorded: -json leaves them out
// instead of failing on a NaN it cannot encode, and the text says so
// instead of printing 0.
func TestCLIInspectBestMetrics(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "4", "-eval-every", "2", "-eval-trials", "8",
		"-keep-best", "-quiet", "-out", run).want(t, 0)
	b, err := checkpoints.Load(checkpoints.BestPath(run))
	require.NoError(t, err)
	b.Meta.Metrics[train.BestMSEMetric] = math.NaN()
	require.NoError(t, checkpoints.Save(checkpoints.BestPath(run), b))
	r := rnntrain(t, work, "inspect", "-json", run)
	r.want(t, 0)
	var info struct {
		Best map[string]any `json:"best"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &info), r.stdout)
	require.NotContains(t, info.Best, "validation_mse")
	require.Contains(t, info.Best, "validation_accuracy")
	rnntrain(t, work, "inspect", run).want(t, 0, ", loss ", ", mse NaN ("+checkpoints.BestPath(run))
	delete(b.Meta.Metrics, train.BestAccuracyMetric)
	delete(b.Meta.Metrics, train.BestLossMetric)
	delete(b.Meta.Metrics, train.BestMSEMetric)
	require.NoError(t, checkpoints.Save(checkpoints.BestPath(run), b))
	rnntrain(t, work, "inspect", run).want(t, 0, "validation accuracy not recorded, mse not recorded")
}

// TestCLIPlotForeignBest checks that plot, which draws a -keep-best run's
// figures from its best.safetensors, refuses a best file of another run
// (another seed) copied in, naming it, as a resume does, instead of
// drawing that other network's figures as the run's; inspect marks it.
func TestCLIPlotForeignBest(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, other := filepath.Join(work, "run"), filepath.Join(work, "other")
	base := []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-eval-every", "2", "-eval-trials", "8", "-keep-best", "-quiet", "-plot-format", "svg"}
	rnntrain(t, work, append(append([]string{}, base...), "-steps", "4", "-out", run)...).want(t, 0)
	rnntrain(t, work, append(append([]string{}, base...), "-steps", "4", "-seed", "2", "-out", other)...).want(t, 0)
	// A best no later evaluation beats stays of an earlier step than the
	// latest checkpoint, and plot draws it.
	b, err := checkpoints.Load(checkpoints.BestPath(run))
	require.NoError(t, err)
	b.Meta.Metrics[train.BestAccuracyMetric] = 2
	require.NoError(t, checkpoints.Save(checkpoints.BestPath(run), b))
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 0)
	rnntrain(t, work, "plot", run, "-out", filepath.Join(work, "plots")).want(t, 0, "drawn from the best held-out evaluation's weights")
	foreign, err := os.ReadFile(checkpoints.BestPath(other))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(checkpoints.BestPath(run), foreign, 0o644))
	rnntrain(t, work, "plot", run, "-out", filepath.Join(work, "plots")).
		want(t, 1, "best checkpoint "+checkpoints.BestPath(run)+": trained from seed 2; this run's seed is 1")
	// inspect showed it as the run's best, with no word of the other run.
	rnntrain(t, work, "inspect", run).want(t, 0, "(not this run's best: trained from seed 2; this run's seed is 1)")
	rnntrain(t, work, "inspect", "-json", run).want(t, 0, `"note": "not this run's best: trained from seed 2; this run's seed is 1"`)
}
