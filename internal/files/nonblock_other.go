//go:build !unix

package files

// nonBlock is the open flag that keeps a FIFO's open from waiting for
// its other end: none where there are no FIFOs to open.
const nonBlock = 0
