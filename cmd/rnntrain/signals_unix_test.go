//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLISIGUSR1SavesTrain stops a plain train run with SIGUSR1, the
// warning a batch system sends before the time limit
// (--signal=USR1@N): it saves its checkpoint and exits 75, as after
// SIGTERM, and says so; the run then resumes.
func TestCLISIGUSR1SavesTrain(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	cmd, out := startTrain(t, work, run, append(append([]string{}, tiny...), "-steps", "100000", "-save-every", "0")...)
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != exitTerminated {
		t.Fatalf("after SIGUSR1: exit status %d, want %d\n%s", code, exitTerminated, out)
	}
	if !strings.Contains(out.String(), "stopped by SIGUSR1") || !strings.Contains(out.String(), "-resume "+run) {
		t.Errorf("no stop message and resume hint:\n%s", out)
	}
	if _, err := os.Stat(checkpoints.LatestPath(run)); err != nil {
		t.Fatalf("no checkpoint after SIGUSR1: %v", err)
	}
	k, _ := loadTensors(t, run)
	rnntrain(t, work, "train", "-resume", run, "-steps", strconv.Itoa(k+2)).want(t, 0)
}

// TestCLIBrokenPipeSavesTrain runs train with its standard output into a
// pipe whose reader has gone, as in `rnntrain train | head` once head has
// exited: the run must not die of SIGPIPE at its first line but save its
// checkpoint (here before its first update) and exit 75, as when its
// terminal closes (SIGHUP), and resume.
func TestCLIBrokenPipeSavesTrain(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	cmd, stderr := startBrokenPipe(t, work, append([]string{"train", "-out", run, "-steps", "100000", "-save-every", "0"}, tiny...)...)
	if code := exitCode(t, cmd); code != exitTerminated {
		t.Fatalf("after its reader went away: exit status %d, want %d\n%s", code, exitTerminated, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SIGPIPE") || !strings.Contains(stderr.String(), "-resume "+run) {
		t.Errorf("no stop message and resume hint on stderr:\n%s", stderr.String())
	}
	k, _ := loadTensors(t, run)
	rnntrain(t, work, "train", "-resume", run, "-steps", strconv.Itoa(k+2)).want(t, 0)
}

// TestCLIBrokenPipeAfterTraining runs train -quiet with its standard
// output into a pipe whose reader has gone, as in `rnntrain train -quiet |
// head` once head has exited: nothing reaches standard output before the
// final summary (the step lines go to standard error), so the run trains to
// the end, writes eval.json, and exits 0 although its summary is lost.
func TestCLIBrokenPipeAfterTraining(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	cmd, stderr := startBrokenPipe(t, work, append([]string{"train", "-quiet", "-out", run, "-steps", "3"}, tiny...)...)
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("after its reader went away at the summary: exit status %d, want 0\n%s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(run, "eval.json")); err != nil {
		t.Errorf("the completed run has no eval.json: %v", err)
	}
	if k, _ := loadTensors(t, run); k != 3 {
		t.Errorf("checkpoint at step %d, want 3", k)
	}
}

// TestCLIBrokenPipeOtherCommand writes a command's output into a pipe with
// no reader left: a command with nothing to save ends as the signal would
// end it (status 141) without an error message about the write.
func TestCLIBrokenPipeOtherCommand(t *testing.T) {
	t.Parallel()
	cmd, stderr := startBrokenPipe(t, t.TempDir(), "tasks")
	if code := exitCode(t, cmd); code != 128+int(syscall.SIGPIPE) {
		t.Fatalf("exit status %d, want %d\n%s", code, 128+int(syscall.SIGPIPE), stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s, want nothing", stderr.String())
	}
}

// startBrokenPipe starts the binary in work with args, its standard output
// a pipe whose reader is already closed and its standard error collected.
func startBrokenPipe(t *testing.T, work string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = work
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	w.Close()
	return cmd, &stderr
}
