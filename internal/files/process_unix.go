//go:build unix

package files

import (
	"errors"
	"syscall"
)

// Alive reports whether process pid runs on this machine.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
