package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// tiny is a training run of a few milliseconds a step that logs every
// step and evaluates only at the end.
var tiny = []string{"-seed", "3", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-eval-every", "0", "-log-every", "1", "-target-accuracy", "0", "-plot-format", "svg"}

// startBinary starts the binary with args in work, in the background; the
// process is killed when the test ends.
func startBinary(t *testing.T, work string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &out
}

// killAtStep waits until the run in dir has logged step (or a later
// one) and kills cmd with SIGKILL: it can neither save nor clean up.
func killAtStep(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, dir string, step int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if ms := metricsLines(dir); len(ms) > 0 && ms[len(ms)-1] >= step {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("step %d not logged within 60 s:\n%s", step, out)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// metricsLines returns the steps of the complete lines of dir's
// metrics.jsonl that parse.
func metricsLines(dir string) []int {
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	var steps []int
	for line := range bytes.Lines(b) {
		var s struct{ Step int }
		if !bytes.HasSuffix(line, []byte("\n")) || json.Unmarshal(line, &s) != nil {
			break
		}
		steps = append(steps, s.Step)
	}
	return steps
}

// wantSteps checks that dir's metrics.jsonl logs every step from 1 to n
// once, in order, each line whole.
func wantSteps(t *testing.T, dir string, n int) {
	t.Helper()
	var got []int
	for _, m := range metricsOf(t, dir) {
		got = append(got, m.Step)
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: metrics.jsonl steps %v, want %v", dir, got, want)
	}
}

// TestCLIKillBeforeFirstCheckpoint kills a run with SIGKILL before its
// first checkpoint: -resume trains it again from step 0 with its
// config.json, to the same bits as a run done in one go, and
// metrics.jsonl logs every step once.
func TestCLIKillBeforeFirstCheckpoint(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	cmd, out := startBinary(t, work, append([]string{"train", "-out", run, "-steps", "100000", "-save-every", "0"}, tiny...)...)
	killAtStep(t, cmd, out, run, 3)
	if _, err := os.Stat(checkpoints.LatestPath(run)); err == nil {
		t.Fatal("a run with -save-every 0 killed by SIGKILL left a checkpoint")
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "6").want(t, 0, "has no checkpoint yet", "training from step 0", "stopped at step 6")
	wantSteps(t, run, 6)
	ref := filepath.Join(work, "ref")
	rnntrain(t, work, append([]string{"train", "-out", ref, "-steps", "6", "-save-every", "0", "-quiet"}, tiny...)...).want(t, 0)
	_, a := loadTensors(t, run)
	_, b := loadTensors(t, ref)
	if err := sameBits(a, b); err != nil {
		t.Errorf("killed before its first checkpoint and resumed, against a run in one go: %v", err)
	}

	// A run whose latest checkpoint is gone but whose step files remain
	// is refused, naming the newest step file.
	if err := os.Remove(checkpoints.LatestPath(run)); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "9").want(t, 1, checkpoints.LatestPath(run)+": no such file",
		"the newest good one, "+checkpoints.StepPath(run, 6)+", holds step 6")
	wantSteps(t, run, 6)
}

// TestCLIKillAfterCheckpoint kills a run with SIGKILL after a checkpoint,
// with steps logged after it, a checkpoint write interrupted (its
// temporary files) and a torn metrics line: -resume continues from the
// checkpoint to the same bits as a run in one go, and metrics.jsonl logs
// every step once.
func TestCLIKillAfterCheckpoint(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"-save-every", "5"}, tiny...)
	cmd, out := startBinary(t, work, append([]string{"train", "-out", run, "-steps", "100000"}, args...)...)
	killAtStep(t, cmd, out, run, 8)
	k, _ := loadTensors(t, run)
	for _, p := range []string{
		filepath.Join(run, ".checkpoint.safetensors.tmp-123"),
		filepath.Join(run, checkpoints.StepsDir, fmt.Sprintf(".step-%09d.safetensors.tmp-456", k+5)),
	} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(run, "metrics.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"step":99999,"loss":0.`)
	f.Close()

	n := max(k+7, 12)
	rnntrain(t, work, "train", "-resume", run, "-steps", fmt.Sprint(n), "-quiet").want(t, 0, fmt.Sprintf("stopped at step %d", n))
	wantSteps(t, run, n)
	ref := filepath.Join(work, "ref")
	rnntrain(t, work, append([]string{"train", "-out", ref, "-steps", fmt.Sprint(n), "-quiet"}, args...)...).want(t, 0)
	_, a := loadTensors(t, run)
	_, b := loadTensors(t, ref)
	if err := sameBits(a, b); err != nil {
		t.Errorf("killed after step %d's checkpoint and resumed to %d, against %d in one go: %v", k, n, n, err)
	}
	sameMetrics(t, run, ref)
}

// sameMetrics checks that two runs logged the same numbers (their times
// aside) at the same steps.
func sameMetrics(t *testing.T, dir, ref string) {
	t.Helper()
	a, b := metricsOf(t, dir), metricsOf(t, ref)
	if len(a) != len(b) {
		t.Fatalf("%d metrics lines against %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		x.ElapsedS, x.StepsPerS, y.ElapsedS, y.StepsPerS = 0, 0, 0, 0
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		if !bytes.Equal(jx, jy) {
			t.Errorf("metrics line %d: %s, in one go %s", i+1, jx, jy)
		}
	}
}

// TestCLIForcedResumeSticks: a resume that changed the config with -force
// (by a flag, or by an edited config.json) and was killed before its
// first periodic checkpoint resumes again without -force, with the
// settings it accepted; the step file it started from keeps the config
// it was trained with.
func TestCLIForcedResumeSticks(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"flag", "config.json"} {
		work := t.TempDir()
		run := filepath.Join(work, "run")
		rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "4", "-quiet"}, tiny...)...).want(t, 0)
		args := []string{"train", "-resume", run, "-force", "-steps", "100000", "-save-every", "0", "-quiet"}
		if how == "flag" {
			args = append(args, "-lr", "0.01")
		} else {
			editJSON(t, filepath.Join(run, "config.json"), func(obj map[string]any) {
				obj["train"].(map[string]any)["lr"] = 0.01
			})
		}
		cmd, out := startBinary(t, work, args...)
		killAtStep(t, cmd, out, run, 6)
		rnntrain(t, work, "train", "-resume", run, "-steps", "8", "-quiet").want(t, 0, "stopped at step 8")
		for _, c := range []struct {
			path string
			lr   float64
		}{{checkpoints.LatestPath(run), 0.01}, {checkpoints.StepPath(run, 4), 0.003}} {
			ck, err := checkpoints.Load(c.path)
			if err != nil {
				t.Fatal(err)
			}
			if cfg, err := checkpointConfig(ck); err != nil || cfg.Train.LR != c.lr {
				t.Errorf("forced by %s: %s stores lr %g (%v), want %g", how, c.path, cfg.Train.LR, err, c.lr)
			}
		}
	}
}

// TestCLIOutNotEmpty: train refuses an -out that holds files but no
// checkpoint, naming one of them, and leaves them as they were: a user's
// own files, and a run stopped before its first checkpoint, which
// -resume continues. An empty directory, or one holding only empty
// directories, is taken.
func TestCLIOutNotEmpty(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	mine := filepath.Join(work, "mine")
	if err := os.MkdirAll(filepath.Join(mine, "plots"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "eval.json"} {
		if err := os.WriteFile(filepath.Join(mine, f), []byte(`{"mine": true}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"train", "-steps", "2", "-quiet"}, tiny...)
	rnntrain(t, work, append(args, "-out", mine)...).want(t, 2, "-out "+mine, filepath.Join(mine, "config.json"), "no checkpoint", "choose another -out")
	os.Remove(filepath.Join(mine, "config.json"))
	rnntrain(t, work, append(args, "-out", mine)...).want(t, 2, "-out "+mine+" is not empty", filepath.Join(mine, "eval.json"), "choose another -out")
	if b, _ := os.ReadFile(filepath.Join(mine, "eval.json")); string(b) != `{"mine": true}` {
		t.Errorf("eval.json after the refused runs: %q", b)
	}
	// Files named as an interrupted atomic write's temporaries, in a
	// directory that holds no run, are the user's: refused, not removed.
	for _, f := range []string{".eval.json-17", ".notes.tmp-3"} {
		if err := os.WriteFile(filepath.Join(mine, f), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rnntrain(t, work, append(args, "-out", mine)...).want(t, 2, "-out "+mine+" is not empty")
	for _, f := range []string{".eval.json-17", ".notes.tmp-3"} {
		if _, err := os.Stat(filepath.Join(mine, f)); err != nil {
			t.Errorf("%s after the refused run: %v", f, err)
		}
	}
	// A directory holding only the temporary file of an interrupted write
	// is taken, the file removed.
	leftover := filepath.Join(work, "leftover")
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(leftover, ".config.json.tmp-12345"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, append(args, "-out", leftover)...).want(t, 0, "stopped at step 2")
	if _, err := os.Stat(filepath.Join(leftover, ".config.json.tmp-12345")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the leftover temporary file after the run: %v", err)
	}

	// A run stopped before its first checkpoint: a new run is refused;
	// -resume trains it again from step 0, and a branch into it is refused.
	run := filepath.Join(work, "run")
	rnntrain(t, work, append(args, "-out", run)...).want(t, 0)
	for _, f := range []string{checkpoints.LatestPath(run), filepath.Join(run, checkpoints.StepsDir), filepath.Join(run, "eval.json")} {
		if err := os.RemoveAll(f); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	rnntrain(t, work, append(args, "-out", run, "-seed", "4")...).want(t, 2, "-out "+run, "no checkpoint", "-resume "+run)
	other := filepath.Join(work, "other")
	rnntrain(t, work, append(args, "-out", other)...).want(t, 0)
	rnntrain(t, work, "train", "-resume", other, "-out", run, "-steps", "4", "-quiet").want(t, 2, "-out "+run+" is not empty", "choose another -out")
	if after, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl")); !bytes.Equal(before, after) {
		t.Errorf("metrics.jsonl changed by the refused runs:\n%s\nthen\n%s", before, after)
	}
	rnntrain(t, work, "train", "-resume", run, "-quiet").want(t, 0, "stopped at step 2")

	empty := filepath.Join(work, "empty")
	if err := os.MkdirAll(filepath.Join(empty, "plots"), 0o755); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, append(args, "-out", empty)...).want(t, 0, "stopped at step 2")
}

// TestCLIBranchResume: -resume A -out B holds A's checkpoint in B at once
// (so B, killed before its first checkpoint, resumes from where it
// branched, not from step 0) and starts B's metrics.jsonl with A's
// history up to the branch point.
func TestCLIBranchResume(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	a, b := filepath.Join(work, "a"), filepath.Join(work, "b")
	rnntrain(t, work, append([]string{"train", "-out", a, "-steps", "4", "-quiet"}, tiny...)...).want(t, 0)
	cmd, out := startBinary(t, work, "train", "-resume", a, "-out", b, "-steps", "100000", "-save-every", "0", "-quiet")
	killAtStep(t, cmd, out, b, 6)
	if k, _ := loadTensors(t, b); k != 4 {
		t.Errorf("branch killed before its first periodic checkpoint holds step %d, want 4", k)
	}
	rnntrain(t, work, "train", "-resume", b, "-steps", "8").want(t, 0, "resume from step 4", "stopped at step 8")
	wantSteps(t, b, 8)
	wantSteps(t, a, 4)

	// A branch that cannot copy its history (here metrics.jsonl is a
	// directory) fails before it writes a checkpoint, so it is not left
	// holding a run without its history.
	c := filepath.Join(work, "c")
	if err := os.MkdirAll(filepath.Join(c, "metrics.jsonl"), 0o755); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", a, "-out", c, "-steps", "6", "-quiet").want(t, 1, filepath.Join(c, "metrics.jsonl"))
	if holdsRun(c) {
		t.Errorf("a branch that could not copy its history holds a checkpoint")
	}
}

// TestCLIKillWhileDrawing kills a finished run with SIGKILL while it draws
// its figures: eval.json, written last, is not there yet, so -resume
// evaluates again and draws every figure instead of calling the run done
// with figures missing.
func TestCLIKillWhileDrawing(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-out", run, "-steps", "3"}, tiny...)
	cmd, out := startBinary(t, work, append(args, "-plot-format", "png,svg,pdf")...)
	plots := filepath.Join(run, "plots")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Millisecond) {
		if ents, _ := os.ReadDir(plots); len(ents) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no figure within 60 s:\n%s", out)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if got := evaluatedAt(run); got == 3 {
		t.Fatalf("eval.json written before the figures were drawn")
	}
	// The kill may leave the temporary file of the figure it interrupted;
	// this one, of an earlier version, is an hour old.
	old := filepath.Join(plots, ".plot-12345")
	if err := os.WriteFile(old, []byte("half a figure"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-quiet", "-plot-format", "svg").want(t, 0, "stopped at step 3")
	for _, p := range []string{filepath.Join(plots, "curves.svg"), filepath.Join(plots, "trials.svg"), filepath.Join(run, "eval.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after the resume: %v", err)
		}
	}
	if temps, _ := filepath.Glob(filepath.Join(plots, ".plot-*")); len(temps) > 0 {
		t.Errorf("temporary files of killed figure writes left after the resume: %v", temps)
	}
}
