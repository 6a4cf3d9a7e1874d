package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/train"
)

// startTrain starts a training run of the binary in the background and
// waits until it has logged a metrics line into dir (so that it is past
// its setup and holds its run directory).
func startTrain(t *testing.T, work, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd, out := startBinary(t, work, append([]string{"train", "-out", dir}, args...)...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl")); bytes.Count(b, []byte("\n")) >= 1 {
			return cmd, out
		}
		if time.Now().After(deadline) {
			t.Fatalf("no metrics line within 60 s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exitCode waits for cmd and returns its exit status.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("killed by %v, want a clean exit", ws.Signal())
		}
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// loadTensors loads the latest checkpoint of a run and returns its
// tensors' bits by name.
func loadTensors(t *testing.T, dir string) (step int, bits map[string][]uint64) {
	t.Helper()
	c, err := checkpoints.Load(checkpoints.LatestPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	bits = map[string][]uint64{}
	for _, x := range c.Tensors {
		var b []uint64
		for _, v := range x.F32 {
			b = append(b, uint64(math.Float32bits(v)))
		}
		for _, v := range x.F64 {
			b = append(b, math.Float64bits(v))
		}
		bits[x.Name] = b
	}
	return c.Meta.Step, bits
}

// sameBits reports the first tensor in which two checkpoints differ.
func sameBits(a, b map[string][]uint64) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d tensors against %d", len(a), len(b))
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok {
			return fmt.Errorf("tensor %s missing", name)
		}
		for i := range x {
			if i >= len(y) || x[i] != y[i] {
				return fmt.Errorf("tensor %s differs at element %d", name, i)
			}
		}
	}
	return nil
}

// TestCLISIGTERMResumesBitwise stops a run with SIGTERM (then a second
// SIGTERM and a SIGHUP while it saves), resumes it, and checks that the
// result is bit for bit the run done in one go.
func TestCLISIGTERMResumesBitwise(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	args := append(append([]string{}, small...), "-seed", "11", "-save-every", "0")
	run := filepath.Join(work, "run")
	cmd, out := startTrain(t, work, run, append(args, "-steps", "100000")...)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(5 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGHUP)
	if code := exitCode(t, cmd); code != exitTerminated {
		t.Fatalf("after SIGTERM: exit status %d, want %d\n%s", code, exitTerminated, out)
	}
	// Under load the kernel may hold SIGTERM and SIGHUP pending together and
	// deliver the lower-numbered SIGHUP first: either names the stop.
	stopped := strings.Contains(out.String(), "stopped by SIGTERM") || strings.Contains(out.String(), "stopped by SIGHUP")
	if !stopped || !strings.Contains(out.String(), "-resume "+run) {
		t.Errorf("no stop message and resume hint:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(run, checkpoints.LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after a clean stop: %v", err)
	}
	k, _ := loadTensors(t, run)
	if k < 1 {
		t.Fatalf("checkpoint after SIGTERM at step %d, want ≥ 1", k)
	}
	n := k + 7
	rnntrain(t, work, "train", "-resume", run, "-steps", fmt.Sprint(n)).want(t, 0, fmt.Sprintf("resume from step %d", k))
	ref := filepath.Join(work, "ref")
	rnntrain(t, work, append([]string{"train", "-out", ref, "-steps", fmt.Sprint(n)}, args...)...).want(t, 0)
	s1, a := loadTensors(t, run)
	s2, b := loadTensors(t, ref)
	if s1 != n || s2 != n {
		t.Fatalf("steps %d and %d, want %d", s1, s2, n)
	}
	if err := sameBits(a, b); err != nil {
		t.Errorf("stopped at %d by SIGTERM and resumed to %d, against %d in one go: %v", k, n, n, err)
	}
}

// TestCLIRunDirectoryLock starts two trainings on one directory: the second
// is refused while the first runs, and the first's files stay intact.
func TestCLIRunDirectoryLock(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	cmd, out := startTrain(t, work, run, append(append([]string{}, small...), "-steps", "100000")...)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(checkpoints.LatestPath(run)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint within 60 s:\n%s", out)
		}
	}
	cfgBefore, _ := os.ReadFile(filepath.Join(run, "config.json"))
	pid := fmt.Sprint(cmd.Process.Pid)
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "5"}, small...)...).want(t, 1, run, "in use by process "+pid, checkpoints.LockName)
	rnntrain(t, work, "train", "-resume", run, "-steps", "200000").want(t, 1, "in use by process "+pid)
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, cmd); code != exitInterrupted {
		t.Fatalf("after SIGINT: exit status %d, want %d\n%s", code, exitInterrupted, out)
	}
	if cfgAfter, _ := os.ReadFile(filepath.Join(run, "config.json")); !bytes.Equal(cfgBefore, cfgAfter) {
		t.Errorf("config.json changed by the refused runs:\n%s\nthen\n%s", cfgBefore, cfgAfter)
	}
	if !strings.Contains(string(cfgBefore), `"steps": 100000`) {
		t.Errorf("config.json is not the first run's:\n%s", cfgBefore)
	}
	ms := metricsOf(t, run)
	for i := 1; i < len(ms); i++ {
		if ms[i].Step <= ms[i-1].Step {
			t.Fatalf("metrics.jsonl steps not increasing: %d then %d", ms[i-1].Step, ms[i].Step)
		}
	}
	k, _ := loadTensors(t, run)
	if k < ms[len(ms)-1].Step {
		t.Errorf("checkpoint at step %d, behind the last metrics line %d", k, ms[len(ms)-1].Step)
	}

	// A stray temporary file of a killed write is removed by the next
	// run in the directory; -resume A -out B branches A into B and leaves
	// A alone, and is refused when B holds a run.
	stray := filepath.Join(run, ".checkpoint.safetensors.tmp-123456")
	os.WriteFile(stray, []byte("partial"), 0o644)
	before, _ := os.ReadFile(checkpoints.LatestPath(run))
	branch := filepath.Join(work, "branch")
	rnntrain(t, work, "train", "-resume", run, "-out", branch, "-steps", fmt.Sprint(k+2)).want(t, 0, fmt.Sprintf("resume from step %d", k), "out    "+branch)
	if after, _ := os.ReadFile(checkpoints.LatestPath(run)); !bytes.Equal(before, after) {
		t.Error("-resume A -out B changed A's checkpoint")
	}
	if s, _ := loadTensors(t, branch); s != k+2 {
		t.Errorf("branch at step %d, want %d", s, k+2)
	}
	rnntrain(t, work, "train", "-resume", run, "-out", branch, "-steps", fmt.Sprint(k+4)).want(t, 2, "-out "+branch+" already holds a run")
	rnntrain(t, work, "train", "-resume", run, "-steps", fmt.Sprint(k+1)).want(t, 0)
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stray temporary file survived a run in its directory: %v", err)
	}
}

// TestCLISaveEvery checks that -save-every is honoured below -log-every.
func TestCLISaveEvery(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-out", run, "-steps", "3", "-save-every", "1", "-log-every", "10", "-keep", "10",
		"-hidden", "8", "-batch", "4", "-eval-trials", "8", "-eval-every", "0").want(t, 0)
	steps, err := checkpoints.Steps(run)
	if err != nil || fmt.Sprint(steps) != "[1 2 3]" {
		t.Errorf("checkpoint steps %v (%v), want [1 2 3]", steps, err)
	}
	var cfg runConfig
	b, _ := os.ReadFile(filepath.Join(run, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.Train.CheckpointEvery != 1 {
		t.Errorf("config.json save_every: %v %s", err, b)
	}
}

// TestCLILogEveryZero: -log-every 0 logs at the evaluations and the last
// step only, as the library's train.Logger does, instead of dividing by 0.
func TestCLILogEveryZero(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-out", run, "-steps", "5", "-log-every", "0", "-eval-every", "2",
		"-hidden", "8", "-batch", "4", "-eval-trials", "8").want(t, 0, "stopped at step 5")
	var steps []int
	for _, m := range metricsOf(t, run) {
		steps = append(steps, m.Step)
	}
	if fmt.Sprint(steps) != "[2 4 5]" {
		t.Errorf("metrics.jsonl steps %v, want [2 4 5]", steps)
	}
}

// TestCLIDivergence checks that a run whose update explodes ends with
// status 1 naming the step and the checkpoint it keeps (or that it saved
// none), and that every checkpoint it left is finite (the last good
// state).
func TestCLIDivergence(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"relu", []string{"-lr", "0.5", "-save-every", "1"}, "step "},
		// Whether and when an overflow ends a GRU at a large learning rate
		// depends on rounding (one vector set's GEMM, one order of a sum);
		// at lr 10 every Adam update moves a weight by about 10, so
		// -max-param 25 stops the run within a few steps on every machine.
		{"gru", []string{"-model", "gru", "-lr", "10", "-max-param", "25", "-save-every", "1"}, "after the update"},
		{"none saved", []string{"-model", "gru", "-lr", "10", "-max-param", "25", "-save-every", "100"}, "no checkpoint was saved before it (the first was due at step 100)"},
		// Overflow before any update: the initialisation, not the rate.
		{"initial", []string{"-spectral-radius", "1e30", "-hidden", "8"}, "step 1: loss is NaN: the network's activity overflowed before any update, so the initial network (its spectral radius"},
	} {
		run := filepath.Join(work, c.name)
		args := append([]string{"train", "-out", run, "-clip", "0", "-steps", "200", "-keep", "1000",
			"-eval-every", "0", "-eval-trials", "16"}, c.args...)
		r := rnntrain(t, work, args...)
		r.want(t, 1, c.want)
		if !regexp.MustCompile(`step \d+: `).MatchString(r.stderr) {
			t.Errorf("%s: the error does not name the step:\n%s", c.name, r.stderr)
		}
		if _, err := os.Stat(checkpoints.LatestPath(run)); err == nil {
			k, _ := loadTensors(t, run)
			r.want(t, 1, fmt.Sprintf("the last good checkpoint, of step %d, is kept in %s", k, checkpoints.LatestPath(run)))
		}
		steps, _ := checkpoints.Steps(run)
		for _, s := range steps {
			ck, err := checkpoints.Load(checkpoints.StepPath(run, s))
			if err != nil {
				t.Fatal(err)
			}
			if err := train.CheckFinite(ck); err != nil {
				t.Errorf("%s: checkpoint of step %d: %v", c.name, s, err)
			}
		}
	}
}

// TestCLIMemoryLimit checks that a run estimated beyond the memory limit
// is refused with the estimate before anything is allocated, and that a
// checkpoint whose stored config asks for a huge network is refused by
// eval with an error, not a crash.
func TestCLIMemoryLimit(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-out", run, "-steps", "1", "-max-memory", "0.001").want(t, 2, "needs about", "more than the -max-memory limit (1.02 MiB)", "-hidden (64)")
	if _, err := os.Stat(run); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused run left %s: %v", run, err)
	}
	rnntrain(t, work, "train", "-out", run, "-steps", "1", "-max-memory", "-1").want(t, 2, "-max-memory")
	rnntrain(t, work, "train", "-out", run, "-steps", "1", "-hidden", "8", "-eval-trials", "8", "-max-memory", "64").want(t, 0)

	c, err := checkpoints.Load(checkpoints.LatestPath(run))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(c.Meta.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["model"].(map[string]any)["hidden"] = 65536
	if c.Meta.Config, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(work, "huge.safetensors")
	if err := checkpoints.Save(huge, c); err != nil {
		t.Fatal(err)
	}
	if avail, ok := train.AvailableMemory(); ok && avail < 200<<30 {
		rnntrain(t, work, "eval", "-checkpoint", huge, "-trials", "4").want(t, 1, "huge.safetensors", "needs about")
	}
}

// TestCLISIGINTAfterTraining stops a run with SIGINT during its final
// evaluation, after training saved its last checkpoint: the run stops
// there with the interrupted status, keeps that checkpoint and writes no
// eval.json, so that -resume evaluates and draws again.
func TestCLISIGINTAfterTraining(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	// 100 000 evaluation trials take a few seconds, at the last step and
	// again in the final evaluation.
	args := append(append([]string{}, tiny...), "-steps", "2", "-save-every", "0", "-eval-trials", "100000")
	cmd, out := startBinary(t, work, append([]string{"train", "-out", run}, args...)...)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(checkpoints.LatestPath(run)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint within 60 s:\n%s", out)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != exitInterrupted {
		t.Fatalf("SIGINT in the final evaluation: exit status %d, want %d\n%s", code, exitInterrupted, out)
	}
	if !strings.Contains(out.String(), "stopped by SIGINT") || !strings.Contains(out.String(), "-resume "+run) {
		t.Errorf("no stop message and resume hint:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(run, "eval.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("eval.json after a stop in the final evaluation: %v", err)
	}
	if k, _ := loadTensors(t, run); k != 2 {
		t.Errorf("checkpoint of step %d, want 2", k)
	}
}
