//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLIRunPathsNotFiles: a run directory that is a file (or lies inside
// one) is a failure naming the flag, and leaves the file alone; a latest
// checkpoint that is a directory, a FIFO, empty or truncated is a failure
// naming it, without blocking and without changing the run.
func TestCLIRunPathsNotFiles(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "3", "-quiet"}, tiny...)...).want(t, 0)
	file := filepath.Join(work, "file")
	if err := os.WriteFile(file, []byte("not a run"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, append([]string{"train", "-out", file, "-steps", "3", "-quiet"}, tiny...)...).want(t, 1, "-out "+file+": ", "not a directory")
	rnntrain(t, work, append([]string{"train", "-out", filepath.Join(file, "sub"), "-steps", "3", "-quiet"}, tiny...)...).want(t, 1, "-out "+filepath.Join(file, "sub")+": ", "not a directory")
	rnntrain(t, work, "train", "-resume", run, "-out", file, "-steps", "5", "-quiet").want(t, 1, "-out "+file+": ", "not a directory")
	rnntrain(t, work, "train", "-resume", file, "-steps", "5", "-quiet").want(t, 1, "-resume "+file, "no run to resume")
	if b, err := os.ReadFile(file); err != nil || string(b) != "not a run" {
		t.Errorf("%s changed: %q, %v", file, b, err)
	}

	latest := checkpoints.LatestPath(run)
	good, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	for _, c := range []struct {
		name string
		make func() error
		want string
	}{
		{"directory", func() error { return os.Mkdir(latest, 0o755) }, "not a regular file"},
		{"FIFO", func() error { return syscall.Mkfifo(latest, 0o644) }, "not a regular file"},
		{"empty", func() error { return os.WriteFile(latest, nil, 0o644) }, "too short"},
		{"truncated", func() error { return os.WriteFile(latest, good[:len(good)/2], 0o644) }, "truncated"},
	} {
		if err := os.Remove(latest); err != nil {
			t.Fatal(err)
		}
		if err := c.make(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rnntrainWithin(t, work, 30*time.Second, "train", "-resume", run, "-steps", "5", "-quiet").want(t, 1, latest, c.want)
		if b, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl")); string(b) != string(metrics) {
			t.Errorf("%s: a refused resume changed metrics.jsonl", c.name)
		}
	}
}
