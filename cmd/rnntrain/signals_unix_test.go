//go:build unix

package main

import (
	"os"
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
