//go:build race

package kernels

// raceEnabled reports whether the race detector is on; it makes sync.Pool
// drop values at random.
const raceEnabled = true
