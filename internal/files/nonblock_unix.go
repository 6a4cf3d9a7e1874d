//go:build unix

package files

import "syscall"

// nonBlock is the open flag that keeps a FIFO's open from waiting for
// its other end.
const nonBlock = syscall.O_NONBLOCK
