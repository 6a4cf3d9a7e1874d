//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIConfigNotRegular checks that a FIFO or a device given as a config
// file, a sweep spec or a sweep's record is refused with an error naming
// it, instead of blocking in open until a writer comes (a FIFO) or reading
// what the device gives.
func TestCLIConfigNotRegular(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	fifo := filepath.Join(work, "config.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sw := filepath.Join(work, "sweep")
	if err := os.Mkdir(sw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(sw, "sweep.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "-config", fifo, "-steps", "1"}, 2, fifo},
		{[]string{"train", "-config", os.DevNull, "-steps", "1"}, 2, os.DevNull},
		{[]string{"fit", "-data", filepath.Join(work, "x.npz"), "-config", fifo}, 2, fifo},
		{[]string{"sweep", fifo, "-out", filepath.Join(work, "out")}, 2, fifo},
		{[]string{"sweep", "-status", sw}, 1, filepath.Join(sw, "sweep.json")},
	}
	for _, c := range cases {
		r := rnntrainWithin(t, work, 30*time.Second, c.args...)
		r.want(t, c.code, c.want, "not a regular file")
	}
}

// rnntrainWithin is rnntrain killed after d: a command that blocks fails
// the test instead of hanging it.
func rnntrainWithin(t *testing.T, dir string, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r := runBinary(t, exec.CommandContext(ctx, binary, args...), dir)
	if ctx.Err() != nil {
		t.Fatalf("rnntrain %s: still running after %v", strings.Join(args, " "), d)
	}
	return r
}
