package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/sweep"
)

// lockRunDir takes the lock of the run directory dir for a training run
// (checkpoints.LockRun: one writer per directory, stale locks taken over,
// stray temporary files removed) and checks that dir is one the run may
// write (checkOutDir), unless the run resumes in place (resume names the
// same directory). Resuming into another directory branches the resumed
// run there and leaves the resumed directory unchanged.
func lockRunDir(dir, resume string) (*checkpoints.RunLock, error) {
	if resume != "" && samePath(dir, resume) {
		lock, err := checkpoints.LockRun(dir)
		if err != nil {
			return nil, fmt.Errorf("-resume %s: %w", dir, err)
		}
		return lock, nil
	}
	return lockOutDir(dir, func(dir string) error { return checkOutDir(dir, resume) })
}

// lockOutDir takes the lock of dir, a run directory that a command writes
// anew (train -out, truncate -out), with check(dir) refusing a directory
// it may not write: before the lock, whose removal of temporary files
// would otherwise reach into a directory of the user's, and again under
// it. A directory with a lock file is a run's, and its holder, if live,
// is named by the lock's error instead.
func lockOutDir(dir string, check func(dir string) error) (*checkpoints.RunLock, error) {
	st, err := os.Stat(dir)
	if err == nil && !st.IsDir() {
		return nil, fmt.Errorf("-out %s: not a directory; give a directory for the run", dir)
	}
	_, lerr := os.Lstat(filepath.Join(dir, checkpoints.LockName))
	if err == nil && errors.Is(lerr, fs.ErrNotExist) {
		if err := check(dir); err != nil {
			return nil, err
		}
	}
	lock, err := checkpoints.LockRun(dir)
	if err != nil {
		return nil, fmt.Errorf("-out %s: %w", dir, err)
	}
	if err := check(dir); err != nil {
		lock.Unlock()
		return nil, err
	}
	return lock, nil
}

// checkOutDir refuses a directory dir that a run new to it (a new run, or
// a branch of the run resume) would write over: one that holds a run
// (holdsRun), or any file but the run's lock, a sweep point's point.json
// and attempts.jsonl, which train leaves alone, the temporary files of
// interrupted atomic writes (checkpoints.IsTemp), which the lock removes,
// and, for a branch, a metrics.jsonl alone: the history a branch stopped before its first
// checkpoint copied, which it copies again. Directories that hold no
// file are taken.
func checkOutDir(dir, resume string) error {
	if holdsRun(dir) {
		if resume != "" {
			return usagef("-out %s already holds a run; -resume %s -out DIR continues that run in a new directory DIR (leave -out out to continue it in place)", dir, resume)
		}
		return usagef("-out %s already holds a run; continue it with -resume %s or choose another -out", dir, dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		names[e.Name()] = true
	}
	var found []string // the entries that hold a file
	first := ""        // the first such file
	for _, e := range ents {
		switch n := e.Name(); {
		case n == checkpoints.LockName || n == sweep.PointFile || n == sweep.AttemptsFile:
		case e.Type().IsRegular() && checkpoints.IsTemp(n, names):
			// Left by an interrupted write of the run; the lock removes it.
		default:
			if f := firstFile(filepath.Join(dir, n)); f != "" {
				found = append(found, n)
				first = cmp.Or(first, f)
			}
		}
	}
	switch {
	case len(found) == 0 || resume != "" && slices.Equal(found, []string{"metrics.jsonl"}):
		return nil
	case slices.Contains(found, "config.json") && resume == "":
		return usagef("-out %s holds %s but no checkpoint: continue the run stopped there before its first checkpoint with -resume %s (it trains again from step 0), or choose another -out", dir, filepath.Join(dir, "config.json"), dir)
	}
	return usagef("-out %s is not empty (it holds %s); choose another -out, a new or empty directory", dir, first)
}

// firstFile returns the first file other than a directory in the tree
// at path (path itself when it is not a directory), "" when it holds
// only directories; a tree that cannot be read all through counts as
// holding path.
func firstFile(path string) string {
	first := ""
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			first = p
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return path
	}
	return first
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
