//go:build !unix

package checkpoints

import "os"

// lockFile takes the lock of dir by creating its lock file exclusively
// (this system has no flock).
func lockFile(dir string) (*os.File, error) { return lockExclusive(dir) }

// alive reports whether process pid runs on this machine; without a way to
// ask, every holder counts as alive.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
