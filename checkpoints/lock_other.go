//go:build !unix

package checkpoints

import "os"

// lockFile takes the lock of dir by creating its lock file exclusively
// (this system has no flock).
func lockFile(dir string) (*os.File, error) { return lockExclusive(dir) }
