package checkpoints

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockRunExcludesSecondHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, err := LockRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockRun(dir)
	le, ok := errors.AsType[*LockedError](err)
	if !ok {
		t.Fatalf("second LockRun: %v, want a *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.PID != os.Getpid() || le.Host != host || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("LockedError %+v (%v), want pid %d host %s naming %s", le, err, os.Getpid(), host, dir)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after Unlock: %v, want it removed", err)
	}
	l2, err := LockRun(dir)
	if err != nil {
		t.Fatalf("LockRun after Unlock: %v", err)
	}
	l2.Unlock()
	l2.Unlock() // a second Unlock does nothing
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	return cmd.ProcessState.Pid()
}

func TestLockRunStaleLocks(t *testing.T) {
	host, _ := os.Hostname()
	// A lock file left by a killed process (flock released with it).
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, LockName), []byte(fmt.Sprintf("%d %s\n", deadPID(t), host)), 0o644)
	l, err := LockRun(dir)
	if err != nil {
		t.Fatalf("LockRun over a stale lock file: %v", err)
	}
	l.Unlock()

	// The O_EXCL fallback: a dead holder on this host is stale, a live one
	// or one on another host is not.
	for _, c := range []struct {
		holder string
		free   bool
	}{
		{fmt.Sprintf("%d %s\n", deadPID(t), host), true},
		{fmt.Sprintf("%d %s\n", os.Getpid(), host), false},
		{fmt.Sprintf("%d %s\n", deadPID(t), "elsewhere.example"), false},
		{"garbage", false},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, LockName), []byte(c.holder), 0o644)
		f, err := lockExclusive(dir)
		if c.free != (err == nil) {
			t.Errorf("lockExclusive with holder %q: %v, want free %v", c.holder, err, c.free)
		}
		if f != nil {
			f.Close()
		}
		if _, ok := errors.AsType[*LockedError](err); err != nil && !ok {
			t.Errorf("lockExclusive with holder %q: %v, want a *LockedError", c.holder, err)
		}
	}
}

func TestLockRunRemovesTemporaries(t *testing.T) {
	dir := t.TempDir()
	c := sample()
	if _, err := SaveRun(dir, c, 0); err != nil {
		t.Fatal(err)
	}
	stray := []string{
		filepath.Join(dir, ".checkpoint.safetensors.tmp-123456"),
		filepath.Join(dir, StepsDir, ".step-000000000.safetensors.tmp-42"),
		filepath.Join(dir, ".config.json-987"),
	}
	kept := []string{
		filepath.Join(dir, ".hidden-notes"),   // no file "hidden" beside it
		filepath.Join(dir, ".config.json-ab"), // not os.CreateTemp's digits
		filepath.Join(dir, "notes.tmp-1"),     // not hidden
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644)
	for _, p := range append(stray, kept...) {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := LockRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	for _, p := range stray {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived LockRun (%v)", p, err)
		}
	}
	for _, p := range append(kept, LatestPath(dir), StepPath(dir, c.Meta.Step)) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("LockRun removed %s: %v", p, err)
		}
	}
}
