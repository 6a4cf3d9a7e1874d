//go:build unix

package checkpoints

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile opens dir/LockName and locks it with flock(2), without waiting.
// The lock ends with the process, so a lock file left by a dead process is
// free again. If the holder unlinked the file between our open and our lock
// (Unlock removes it), the lock is on a dead file and we retry on a fresh
// one.
func lockFile(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockName)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock run directory %s: %w", dir, err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			pid, host := readHolder(path)
			return nil, &LockedError{Dir: dir, PID: pid, Host: host}
		}
		if errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) {
			// A file system without flock (some network file systems):
			// fall back to an exclusively created lock file.
			f.Close()
			return lockExclusive(dir)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock run directory %s: %w", dir, err)
		}
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return f, nil
		}
		f.Close()
	}
}
