package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// lockRunDir takes the lock of the run directory dir for a training run
// (checkpoints.LockRun: one writer per directory, stale locks taken over,
// stray temporary files removed) and checks, under the lock, that dir does
// not already hold a run (holdsRun), unless the run resumes in place
// (resume names the same directory). Resuming into another directory
// branches the resumed run there and leaves the resumed directory
// unchanged.
func lockRunDir(dir, resume string) (*checkpoints.RunLock, error) {
	inPlace := resume != "" && samePath(dir, resume)
	lock, err := checkpoints.LockRun(dir)
	if err != nil {
		if inPlace {
			return nil, fmt.Errorf("-resume %s: %w", dir, err)
		}
		return nil, fmt.Errorf("-out %s: %w", dir, err)
	}
	if inPlace {
		return lock, nil
	}
	if holdsRun(dir) {
		lock.Unlock()
		if resume != "" {
			return nil, usagef("-out %s already holds a run; -resume %s -out DIR continues that run in a new directory DIR (leave -out out to continue it in place)", dir, resume)
		}
		return nil, usagef("-out %s already holds a run; continue it with -resume %s or choose another -out", dir, dir)
	}
	return lock, nil
}

// holdsRun reports whether the directory dir holds a run's checkpoints:
// its latest checkpoint, or step files (a run whose latest checkpoint was
// removed), which a new run would overwrite or rotate away.
func holdsRun(dir string) bool {
	if _, err := os.Stat(checkpoints.LatestPath(dir)); err == nil {
		return true
	}
	steps, err := checkpoints.Steps(dir)
	return err != nil || len(steps) > 0
}

// samePath reports whether a and b name the same file or directory.
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
